//! Blocking: which pairs are compared at all. Several rules each put records that share a key
//! (say, surname skeleton and birth year) into one block; the pairs of every block are streamed to
//! a callback, never stored. A pair that shares the keys of several rules is scored once only,
//! under the first rule that holds it. Blocks larger than the cap are skipped, and what they would
//! have compared is counted and reported.

use crate::features::{Features, NULL_ID, TextFeature};
use crate::records::{Duplicates, RecordIndex, Records};
use domain::fields::CanonicalField;
use rayon::prelude::*;

/// One part of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPart {
    /// The cross-script skeleton of a text field; of a name, the coarse skeleton, which also
    /// joins names read the Arabic way (`Rida` and `رضا`; [`text::skeleton::coarse_skeleton_key`]).
    Skeleton(CanonicalField),
    /// The coarse skeletons of given name and surname as an unordered pair (so swaps still meet).
    NamePair,
    /// The exact normalised value of a text field (identifiers, postal codes).
    Exact(CanonicalField),
    /// The first year the birth can be.
    BirthYear,
    /// The day of birth.
    BirthDay,
    /// The day of an event (execution, death, arrest), when the date gives its day.
    EventDay(CanonicalField),
}

/// A blocking rule: records whose every key part is present and equal share a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingRule {
    /// The key parts.
    pub parts: Vec<KeyPart>,
    /// A cap of the rule's own, below the run's (for loose rules whose big blocks the stricter
    /// rules already split).
    pub max_block_size: Option<usize>,
}

impl BlockingRule {
    /// The fields whose agreement the rule demands (the birth counts as `birth_date`).
    pub fn fields(&self) -> Vec<CanonicalField> {
        let mut fields = Vec::new();
        for part in &self.parts {
            match part {
                KeyPart::Skeleton(field) | KeyPart::Exact(field) | KeyPart::EventDay(field) => {
                    fields.push(*field)
                }
                KeyPart::NamePair => {
                    fields.extend([CanonicalField::GivenName, CanonicalField::Surname]);
                }
                KeyPart::BirthYear | KeyPart::BirthDay => fields.push(CanonicalField::BirthDate),
            }
        }
        fields
    }

    /// A rule from its parts.
    pub fn new(parts: &[KeyPart]) -> BlockingRule {
        BlockingRule {
            parts: parts.to_vec(),
            max_block_size: None,
        }
    }

    /// The same rule with a cap of its own.
    pub fn capped_at(mut self, max_block_size: usize) -> BlockingRule {
        self.max_block_size = Some(max_block_size);
        self
    }

    /// A short description, e.g. `skeleton(surname)+birth_year`.
    pub fn describe(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                KeyPart::Skeleton(field) => format!("skeleton({field})"),
                KeyPart::NamePair => "skeleton(given_name,surname)".to_string(),
                KeyPart::Exact(field) => field.to_string(),
                KeyPart::BirthYear => "birth_year".to_string(),
                KeyPart::BirthDay => "birth_date".to_string(),
                KeyPart::EventDay(field) => format!("day({field})"),
            })
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// The default rules. Names agree in three of four of given name, surname, father's name and
/// birth year (so one typo or one missing field still meets), or name and city; then the name
/// pair alone and two-field rules with low caps of their own (common names exceed them and are
/// left to the stricter rules), and father's name, birth year and city for records whose given
/// name and surname both have a typo; then surname or given name with the day of execution
/// (for a name in another script or with a typo on a list without birth year or father's name:
/// a date makes a key only when it names its day); then identifiers, days of birth and postal
/// codes. Rules whose fields the records lack are dropped.
///
/// Surname, city and birth year is not a rule, and surname with birth year is capped at 40:
/// at a million records the two added a fifth of the pairs scored, nearly all namesakes, for
/// 0.0005 of pairwise F1 (see `docs/linkage.md`).
pub fn default_rules() -> Vec<BlockingRule> {
    use CanonicalField::{
        City, ExecutionDate, FatherName, GivenName, NationalId, PostalCode, Surname,
    };
    use KeyPart::{BirthDay, BirthYear, EventDay, Exact, NamePair, Skeleton};
    vec![
        BlockingRule::new(&[NamePair, Skeleton(FatherName)]),
        BlockingRule::new(&[NamePair, BirthYear]),
        BlockingRule::new(&[Skeleton(Surname), Skeleton(FatherName), BirthYear]),
        BlockingRule::new(&[Skeleton(GivenName), Skeleton(FatherName), BirthYear]).capped_at(300),
        BlockingRule::new(&[NamePair, Skeleton(City)]),
        BlockingRule::new(&[NamePair]).capped_at(100),
        BlockingRule::new(&[Skeleton(Surname), Skeleton(FatherName)]).capped_at(100),
        BlockingRule::new(&[Skeleton(Surname), BirthYear]).capped_at(40),
        BlockingRule::new(&[Skeleton(Surname), Skeleton(City)]).capped_at(100),
        BlockingRule::new(&[Skeleton(GivenName), Skeleton(FatherName)]).capped_at(50),
        BlockingRule::new(&[Skeleton(FatherName), BirthYear, Skeleton(City)]).capped_at(50),
        BlockingRule::new(&[Skeleton(GivenName), BirthYear, Skeleton(City)]).capped_at(100),
        BlockingRule::new(&[Skeleton(Surname), EventDay(ExecutionDate)]).capped_at(50),
        BlockingRule::new(&[Skeleton(GivenName), EventDay(ExecutionDate)]).capped_at(50),
        BlockingRule::new(&[Exact(NationalId)]),
        BlockingRule::new(&[BirthDay]),
        BlockingRule::new(&[Exact(PostalCode), Skeleton(City)]),
    ]
}

/// What blocking did, for the run report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockingReport {
    /// Each rule used, with its blocks, its pairs before de-duplication and its capped blocks.
    pub rules: Vec<RuleReport>,
    /// The largest block size allowed.
    pub max_block_size: usize,
}

impl BlockingReport {
    /// Pairs skipped in capped blocks, over all rules.
    pub fn skipped_pairs(&self) -> u64 {
        self.rules.iter().map(|r| r.skipped_pairs).sum()
    }
}

/// What one rule did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleReport {
    /// The rule, described.
    pub rule: String,
    /// Blocks of two records or more that were compared.
    pub blocks: usize,
    /// Pairs in those blocks (some are also in an earlier rule's block and are scored there).
    pub pairs: u64,
    /// The cap that applied.
    pub cap: usize,
    /// Blocks over the cap, skipped.
    pub capped_blocks: usize,
    /// Records in the largest capped block.
    pub largest_capped_block: usize,
    /// Pairs those skipped blocks held.
    pub skipped_pairs: u64,
}

/// A block: a run of records in one rule's sorted member list.
#[derive(Debug, Clone, Copy)]
struct Block {
    rule: u8,
    start: u32,
    len: u32,
}

/// A piece of work: rows `first..last` of a block, each paired with the rows after it.
#[derive(Debug, Clone, Copy)]
struct Task {
    block: u32,
    first: u32,
    last: u32,
}

/// The blocks of every rule, ready to stream pairs.
#[derive(Debug)]
pub(crate) struct Blocking {
    rule_count: usize,
    /// Each record's block under each rule (`blocks_of_record[record * rule_count + rule]`), as
    /// the block's index + 1, or 0 when the record has no key, is alone in its block or its block
    /// was capped. Two records share a rule's block exactly when these are equal and not 0; a
    /// `u32` per rule keeps a record's row in one cache line.
    blocks_of_record: Vec<u32>,
    /// Records per rule, sorted by key.
    members: Vec<Vec<RecordIndex>>,
    blocks: Vec<Block>,
    tasks: Vec<Task>,
    /// Bit per source that declares itself free of duplicates.
    duplicate_free: Vec<bool>,
    source_of: Vec<u16>,
    pub(crate) report: BlockingReport,
    /// The rules used, in order.
    pub(crate) rules: Vec<BlockingRule>,
}

/// Which pairs a fold visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PairScope {
    /// Every candidate pair once, under the first rule that holds it.
    Union,
    /// Every pair in the blocks of one rule, whether earlier rules hold it or not.
    WithinRule(usize),
}

/// Rows per task: blocks larger than this are split so that both cores share them.
const ROWS_PER_TASK: u32 = 256;

impl Blocking {
    /// Builds the blocks of the rules whose fields the records have.
    pub(crate) fn new(
        records: &Records,
        features: &Features,
        rules: &[BlockingRule],
        max_block_size: usize,
    ) -> Blocking {
        let usable: Vec<&BlockingRule> = rules
            .iter()
            .filter(|rule| rule.parts.iter().all(|p| has_part(features, *p)))
            .take(usize::from(u8::MAX))
            .collect();
        let rule_count = usable.len();
        let uses_name_pairs = usable
            .iter()
            .any(|rule| rule.parts.contains(&KeyPart::NamePair));
        let name_pairs = if uses_name_pairs {
            name_pair_values(features)
        } else {
            Vec::new()
        };
        let per_rule: Vec<Vec<u64>> = usable
            .par_iter()
            .map(|rule| record_keys(features, &name_pairs, rule))
            .collect();
        let mut blocking = Blocking {
            rule_count,
            blocks_of_record: vec![0; features.len * rule_count],
            members: Vec::new(),
            blocks: Vec::new(),
            tasks: Vec::new(),
            duplicate_free: records
                .sources()
                .iter()
                .map(|s| s.duplicates == Duplicates::Free)
                .collect(),
            source_of: (0..records.len() as RecordIndex)
                .map(|r| records.source_of(r).0)
                .collect(),
            report: BlockingReport {
                rules: Vec::new(),
                max_block_size,
            },
            rules: usable.iter().map(|rule| (*rule).clone()).collect(),
        };
        let grouped: Vec<KeyGroups> = per_rule.into_par_iter().map(group_by_key).collect();
        for (rule, (spec, groups)) in usable.iter().zip(grouped).enumerate() {
            let cap = spec
                .max_block_size
                .map_or(max_block_size, |own| own.min(max_block_size));
            blocking.add_rule(rule, spec, groups, cap);
        }
        blocking.tasks = blocking.make_tasks();
        blocking
    }

    fn add_rule(&mut self, rule: usize, spec: &BlockingRule, groups: KeyGroups, cap: usize) {
        let mut report = RuleReport {
            rule: spec.describe(),
            ..RuleReport::default()
        };
        let mut start = 0;
        for len in groups.lens.iter().map(|&len| len as usize) {
            let end = start + len;
            let pairs = (len as u64) * (len as u64 - 1) / 2;
            if len > cap {
                report.cap = cap;
                report.capped_blocks += 1;
                report.largest_capped_block = report.largest_capped_block.max(len);
                report.skipped_pairs += pairs;
            } else if len >= 2 {
                report.blocks += 1;
                report.pairs += pairs;
                let block = (self.blocks.len() + 1) as u32;
                for &record in &groups.members[start..end] {
                    self.blocks_of_record[record as usize * self.rule_count + rule] = block;
                }
                self.blocks.push(Block {
                    rule: rule as u8,
                    start: start as u32,
                    len: len as u32,
                });
            }
            start = end;
        }
        self.members.push(groups.members);
        self.report.rules.push(report);
    }

    fn make_tasks(&self) -> Vec<Task> {
        let mut tasks = Vec::with_capacity(self.blocks.len());
        for (index, block) in self.blocks.iter().enumerate() {
            let mut first = 0;
            while first < block.len {
                let last = (first + ROWS_PER_TASK).min(block.len);
                tasks.push(Task {
                    block: index as u32,
                    first,
                    last,
                });
                first = last;
            }
        }
        tasks
    }

    /// Whether a pair may be compared at all: not two records of one duplicate-free source.
    pub(crate) fn is_comparable(&self, a: RecordIndex, b: RecordIndex) -> bool {
        let (sa, sb) = (self.source_of[a as usize], self.source_of[b as usize]);
        sa != sb || !self.duplicate_free[sa as usize]
    }

    /// Whether some rule before `rule` (or any rule, with `rule = rule_count`) holds the pair.
    fn is_held_before(&self, rule: usize, a: RecordIndex, b: RecordIndex) -> bool {
        let ka = &self.blocks_of_record[a as usize * self.rule_count..][..rule];
        let kb = &self.blocks_of_record[b as usize * self.rule_count..][..rule];
        ka.iter().zip(kb).any(|(x, y)| *x != 0 && x == y)
    }

    /// Whether blocking puts the pair in some block that was compared.
    pub(crate) fn is_candidate(&self, a: RecordIndex, b: RecordIndex) -> bool {
        a != b && self.is_comparable(a, b) && self.is_held_before(self.rule_count, a, b)
    }

    /// Folds over the pairs of `scope` in parallel; `sample` keeps only some blocks (by index)
    /// when training on a part of the pairs.
    pub(crate) fn fold_pairs<T, Init, Step, Merge>(
        &self,
        scope: PairScope,
        sample: impl Fn(usize) -> bool + Sync,
        init: Init,
        step: Step,
        merge: Merge,
    ) -> T
    where
        T: Send,
        Init: Fn() -> T + Sync + Send,
        Step: Fn(&mut T, RecordIndex, RecordIndex) + Sync + Send,
        Merge: Fn(T, T) -> T + Sync + Send,
    {
        self.tasks
            .par_iter()
            .filter(|task| self.is_in_scope(scope, task.block as usize))
            .filter(|task| sample(task.block as usize))
            .fold(&init, |mut acc, task| {
                self.run_task(scope, task, |a, b| step(&mut acc, a, b));
                acc
            })
            .reduce(&init, &merge)
    }

    /// Whether a block belongs to a scope.
    pub(crate) fn is_in_scope(&self, scope: PairScope, block: usize) -> bool {
        match scope {
            PairScope::Union => true,
            PairScope::WithinRule(rule) => self.blocks[block].rule as usize == rule,
        }
    }

    fn run_task(
        &self,
        scope: PairScope,
        task: &Task,
        mut visit: impl FnMut(RecordIndex, RecordIndex),
    ) {
        let block = self.blocks[task.block as usize];
        let rule = match scope {
            PairScope::Union => block.rule as usize,
            PairScope::WithinRule(_) => 0,
        };
        let members =
            &self.members[block.rule as usize][block.start as usize..][..block.len as usize];
        for i in task.first as usize..task.last as usize {
            let a = members[i];
            for &b in &members[i + 1..] {
                if self.is_comparable(a, b) && !self.is_held_before(rule, a, b) {
                    visit(a.min(b), a.max(b));
                }
            }
        }
    }

    /// The number of pairs of records that share a duplicate-free source.
    pub(crate) fn pairs_within_duplicate_free_sources(&self) -> f64 {
        let mut sizes = vec![0f64; self.duplicate_free.len()];
        for &source in &self.source_of {
            sizes[source as usize] += 1.0;
        }
        sizes
            .iter()
            .zip(&self.duplicate_free)
            .filter(|(_, free)| **free)
            .map(|(n, _)| n * (n - 1.0) / 2.0)
            .sum()
    }

    /// The blocks of a rule, by index.
    pub(crate) fn blocks_of(&self, rule: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.blocks.len()).filter(move |&b| self.blocks[b].rule as usize == rule)
    }

    /// The number of records in a block.
    pub(crate) fn block_len(&self, block: usize) -> usize {
        self.blocks[block].len as usize
    }

    /// The number of pairs in a block (before de-duplication across rules).
    pub(crate) fn block_pairs(&self, block: usize) -> u64 {
        let len = u64::from(self.blocks[block].len);
        len * (len - 1) / 2
    }
}

fn has_part(features: &Features, part: KeyPart) -> bool {
    match part {
        KeyPart::Skeleton(field) | KeyPart::Exact(field) => features.text(field).is_some(),
        KeyPart::NamePair => {
            features.text(CanonicalField::GivenName).is_some()
                && features.text(CanonicalField::Surname).is_some()
        }
        KeyPart::BirthYear => features.births.is_some(),
        KeyPart::BirthDay => features
            .births
            .as_ref()
            .is_some_and(|b| b.iter().any(|b| b.day != crate::features::NULL_DAY)),
        KeyPart::EventDay(field) => features
            .date(field)
            .is_some_and(|d| d.dates.iter().any(|d| d.day().is_some())),
    }
}

/// The records with a key under one rule, in runs of one key each.
struct KeyGroups {
    /// Records ordered by key, then by record.
    members: Vec<RecordIndex>,
    /// The length of each run of one key, in order.
    lens: Vec<u32>,
}

/// Groups the records with a key (not 0) by key: keys ascending, records ascending within one,
/// as sorting the (key, record) pairs would; a radix sort, linear in the records.
fn group_by_key(keys: Vec<u64>) -> KeyGroups {
    let mut keyed: Vec<(u64, RecordIndex)> = keys
        .into_iter()
        .enumerate()
        .filter(|(_, key)| *key != 0)
        .map(|(record, key)| (key, record as RecordIndex))
        .collect();
    radix_sort_by_key(&mut keyed);
    let mut lens = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let key = keyed[start].0;
        let len = keyed[start..].partition_point(|(k, _)| *k == key);
        lens.push(len as u32);
        start += len;
    }
    KeyGroups {
        members: keyed.iter().map(|(_, r)| *r).collect(),
        lens,
    }
}

/// Sorts by key, keeping the order of equal keys: least significant byte first, each pass
/// stable, passes on which every key has the same byte skipped.
fn radix_sort_by_key(items: &mut Vec<(u64, RecordIndex)>) {
    let mut counts = [[0usize; 256]; 8];
    for (key, _) in items.iter() {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[(key >> (8 * digit)) as usize & 0xFF] += 1;
        }
    }
    let mut scratch = vec![(0u64, 0 as RecordIndex); items.len()];
    for (digit, count) in counts.iter().enumerate() {
        if count.contains(&items.len()) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut offset = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = offset;
            offset += c;
        }
        for &item in items.iter() {
            let byte = (item.0 >> (8 * digit)) as usize & 0xFF;
            scratch[next[byte]] = item;
            next[byte] += 1;
        }
        std::mem::swap(items, &mut scratch);
    }
}

/// Every record's key under one rule, 0 when a part is missing; `name_pairs` holds each
/// record's [`KeyPart::NamePair`] value when the rule has that part.
fn record_keys(features: &Features, name_pairs: &[Option<u64>], rule: &BlockingRule) -> Vec<u64> {
    (0..features.len)
        .into_par_iter()
        .map(|record| {
            let mut key = 0x9E37_79B9_7F4A_7C15u64;
            for part in &rule.parts {
                match part_value(features, name_pairs, *part, record) {
                    Some(value) => key = mix(key ^ value),
                    None => return 0,
                }
            }
            key.max(1)
        })
        .collect()
}

/// Each record's name-pair value: the blocking keys of its given name and surname, in either
/// order (each vocabulary entry's key is hashed once, when the vocabulary is built).
fn name_pair_values(features: &Features) -> Vec<Option<u64>> {
    let (Some(given), Some(surname)) = (
        features.text(CanonicalField::GivenName),
        features.text(CanonicalField::Surname),
    ) else {
        return Vec::new();
    };
    let key =
        |text: &TextFeature, record: usize| text.vocabulary.blocking_key[text.ids[record] as usize];
    (0..features.len)
        .into_par_iter()
        .map(|record| {
            let (g, s) = (key(given, record)?, key(surname, record)?);
            Some(mix(g.min(s)) ^ g.max(s))
        })
        .collect()
}

fn part_value(
    features: &Features,
    name_pairs: &[Option<u64>],
    part: KeyPart,
    record: usize,
) -> Option<u64> {
    match part {
        KeyPart::Skeleton(field) => {
            let text = features.text(field)?;
            text.vocabulary.blocking_key[text.ids[record] as usize]
        }
        KeyPart::Exact(field) => {
            let id = features.text(field)?.ids[record];
            (id != NULL_ID).then_some(u64::from(id))
        }
        KeyPart::NamePair => name_pairs.get(record).copied().flatten(),
        KeyPart::BirthYear => {
            let birth = features.births.as_ref()?[record];
            birth.is_known().then_some(birth.first_year as u64)
        }
        KeyPart::BirthDay => {
            let birth = features.births.as_ref()?[record];
            (birth.day != crate::features::NULL_DAY).then_some(birth.day as u64)
        }
        KeyPart::EventDay(field) => features.date(field)?.dates[record]
            .day()
            .map(|day| u64::from(day.cast_unsigned())),
    }
    .map(|value| mix(value ^ part_tag(part)))
}

fn part_tag(part: KeyPart) -> u64 {
    match part {
        KeyPart::Skeleton(field) => 0x100 + field as u64,
        KeyPart::Exact(field) => 0x200 + field as u64,
        KeyPart::NamePair => 0x300,
        KeyPart::BirthYear => 0x400,
        KeyPart::BirthDay => 0x500,
        KeyPart::EventDay(field) => 0x600 + field as u64,
    }
}

/// A 64-bit finaliser (splitmix64): spreads keys so equal hashes mean equal keys in practice.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xCBF2_9CE4_8422_2325u64, |h, &b| mix(h ^ u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radix_sort_orders_like_a_sort_of_the_pairs() {
        // Keys with repeats, bytes that never vary, and records out of order.
        let mut items: Vec<(u64, RecordIndex)> = (0..5000u32)
            .map(|i| {
                let key = mix(u64::from(i % 700)) & 0x00FF_FF00_FFFF_00FF;
                (key, 4999 - i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        items.sort_by_key(|(_, record)| *record);
        radix_sort_by_key(&mut items);
        assert_eq!(items, expected);
    }

    #[test]
    fn records_are_grouped_by_key_and_records_without_a_key_left_out() {
        let groups = group_by_key(vec![7, 0, 3, 7, 3, 3, 0, 9]);
        assert_eq!(groups.members, vec![2, 4, 5, 0, 3, 7]);
        assert_eq!(groups.lens, vec![3, 2, 1]);
    }
}
