//! Clustering scored pairs into persons: connected components of the links at or above the
//! threshold, strongest links first, so that
//! - a reviewer's "same" always joins and a reviewer's "different" is never crossed;
//! - a source declared free of duplicates contributes at most one record per cluster;
//! - two groups join only when their records agree on the whole: the mean match weight of the
//!   pairs across them must reach the coherence weight (a chain `A–B–C–D` of links does not
//!   make `A` and `D` one person when they disagree on everything);
//! - a cluster held together by one weak link (a bridge below the strong-link weight whose
//!   removal leaves two groups of two records or more) is split there: the links are joined
//!   again without the cut ones, which only the clusters they touch need (the others keep the
//!   outcome their links had, see `affected_links`).

use crate::records::RecordIndex;
use rayon::prelude::*;

/// A scored pair kept for clustering or review.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// One record (the smaller index).
    pub a: RecordIndex,
    /// The other record.
    pub b: RecordIndex,
    /// The match weight (log2 odds).
    pub match_weight: f32,
}

impl ScoredPair {
    /// The match probability.
    pub fn probability(&self) -> f64 {
        crate::model::probability(f64::from(self.match_weight))
    }
}

/// What clustering must respect.
pub(crate) struct Constraints<'a> {
    /// Pairs that must be together.
    pub(crate) same: &'a [(RecordIndex, RecordIndex)],
    /// Pairs that must be apart.
    pub(crate) different: &'a [(RecordIndex, RecordIndex)],
    /// Each record's bit for its source if that source is free of duplicates, else 0.
    pub(crate) source_bit: &'a [u64],
}

/// How clusters are cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cut {
    /// Links at or above this weight join records.
    pub(crate) threshold: f32,
    /// Bridges below this weight are split, when splitting is on.
    pub(crate) strong: Option<f32>,
    /// Two clusters join only when the mean weight of the pairs across them reaches this.
    pub(crate) coherence: Option<f32>,
}

/// The most members of each side read when checking that two clusters cohere.
const COHERENCE_MEMBERS: usize = 16;

/// What clustering did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterReport {
    /// Links refused because both sides held a record of one duplicate-free source.
    pub refused_duplicate_free: usize,
    /// Links refused because a reviewer said the two sides differ.
    pub refused_by_review: usize,
    /// Weak bridges cut.
    pub weak_links_cut: usize,
    /// Links refused because the records across them disagree on the whole.
    pub refused_incoherent: usize,
}

struct UnionFind {
    parent: Vec<RecordIndex>,
    size: Vec<u32>,
    sources: Vec<u64>,
    /// The members of each cluster as a ring: `next` leads from a record to the next member.
    next: Vec<RecordIndex>,
}

impl UnionFind {
    fn new(source_bit: &[u64]) -> UnionFind {
        UnionFind {
            parent: (0..source_bit.len() as RecordIndex).collect(),
            size: vec![1; source_bit.len()],
            sources: source_bit.to_vec(),
            next: (0..source_bit.len() as RecordIndex).collect(),
        }
    }

    fn find(&mut self, mut x: RecordIndex) -> RecordIndex {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    fn union(&mut self, a: RecordIndex, b: RecordIndex) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        self.sources[a as usize] |= self.sources[b as usize];
        self.next.swap(a as usize, b as usize);
    }

    /// The members of the cluster that `root` belongs to, at most `limit` of them.
    fn members(&self, root: RecordIndex, limit: usize) -> Vec<RecordIndex> {
        let mut members = vec![root];
        let mut at = self.next[root as usize];
        while at != root && members.len() < limit {
            members.push(at);
            at = self.next[at as usize];
        }
        members
    }
}

/// Clusters records; returns a cluster number per record (numbered in record order) and a report.
pub(crate) fn cluster(
    pairs: &[ScoredPair],
    constraints: &Constraints<'_>,
    cut: Cut,
    score: &Score<'_>,
) -> (Vec<u32>, ClusterReport) {
    let links = links_in_order(pairs, cut.threshold);
    let (mut union_find, outcomes) = join(&links, constraints, cut.coherence, score, None);
    let mut report = ClusterReport::of(&outcomes);
    if let Some(strong) = cut.strong {
        let kept: Vec<usize> = (0..links.len())
            .filter(|&index| outcomes[index].is_kept())
            .collect();
        let cut_links = weak_bridges(&mut union_find, &links, &kept, strong);
        if !cut_links.is_empty() {
            let earlier = Earlier {
                affected: affected_links(&mut union_find, &links, &outcomes, &cut_links),
                outcomes: &outcomes,
                removed: &cut_links,
            };
            let (fresh, fresh_outcomes) =
                join(&links, constraints, cut.coherence, score, Some(&earlier));
            union_find = fresh;
            report = ClusterReport {
                weak_links_cut: cut_links.len(),
                ..ClusterReport::of(&fresh_outcomes)
            };
        }
    }
    (number_clusters(&mut union_find), report)
}

/// The pairs at or above `threshold`, strongest first (ties in record order).
fn links_in_order(pairs: &[ScoredPair], threshold: f32) -> Vec<ScoredPair> {
    let mut links: Vec<ScoredPair> = pairs
        .iter()
        .filter(|p| p.match_weight >= threshold)
        .copied()
        .collect();
    links.par_sort_unstable_by(|x, y| {
        y.match_weight
            .total_cmp(&x.match_weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    links
}

/// What joining did with one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// It joined two clusters.
    Joined,
    /// Its records were in one cluster already.
    Within,
    /// Both sides held a record of one duplicate-free source.
    DuplicateFree,
    /// A reviewer said the two sides differ.
    Review,
    /// The records across it disagree on the whole.
    Incoherent,
    /// It was removed (a weak link cut).
    Removed,
}

impl Outcome {
    fn is_kept(self) -> bool {
        matches!(self, Outcome::Joined | Outcome::Within)
    }
}

impl ClusterReport {
    fn of(outcomes: &[Outcome]) -> ClusterReport {
        let count = |outcome| outcomes.iter().filter(|&&o| o == outcome).count();
        ClusterReport {
            refused_duplicate_free: count(Outcome::DuplicateFree),
            refused_by_review: count(Outcome::Review),
            weak_links_cut: 0,
            refused_incoherent: count(Outcome::Incoherent),
        }
    }
}

/// A first join, for joining again after some links are removed.
struct Earlier<'a> {
    /// The outcome of each link the first time.
    outcomes: &'a [Outcome],
    /// The links removed, sorted.
    removed: &'a [usize],
    /// Per link, whether removing `removed` can change its outcome.
    affected: Vec<bool>,
}

/// The links whose outcome removing `removed` can change: those in a first-join cluster that
/// held a removed link, and in every cluster a refused link ties to one of those. The others
/// are weighed the same way in the same order against clusters that grow the same way, so
/// they keep their outcome.
fn affected_links(
    union_find: &mut UnionFind,
    links: &[ScoredPair],
    outcomes: &[Outcome],
    removed: &[usize],
) -> Vec<bool> {
    let roots: Vec<(RecordIndex, RecordIndex)> = links
        .iter()
        .map(|link| (union_find.find(link.a), union_find.find(link.b)))
        .collect();
    let mut neighbours: foldhash::HashMap<RecordIndex, Vec<RecordIndex>> = Default::default();
    for (&(ra, rb), outcome) in roots.iter().zip(outcomes) {
        if !outcome.is_kept() && ra != rb {
            neighbours.entry(ra).or_default().push(rb);
            neighbours.entry(rb).or_default().push(ra);
        }
    }
    let mut affected_roots: foldhash::HashSet<RecordIndex> = Default::default();
    let mut stack: Vec<RecordIndex> = removed.iter().map(|&index| roots[index].0).collect();
    while let Some(root) = stack.pop() {
        if affected_roots.insert(root) {
            stack.extend(neighbours.get(&root).into_iter().flatten());
        }
    }
    roots
        .iter()
        .map(|(ra, rb)| affected_roots.contains(ra) || affected_roots.contains(rb))
        .collect()
}

/// Joins along the links in order, refusing links that break a constraint; with `earlier`,
/// skips its removed links and gives the links it did not affect their earlier outcome.
fn join(
    links: &[ScoredPair],
    constraints: &Constraints<'_>,
    coherence: Option<f32>,
    score: &Score<'_>,
    earlier: Option<&Earlier<'_>>,
) -> (UnionFind, Vec<Outcome>) {
    let mut union_find = UnionFind::new(constraints.source_bit);
    for &(a, b) in constraints.same {
        union_find.union(a, b);
    }
    let mut outcomes = Vec::with_capacity(links.len());
    for (index, link) in links.iter().enumerate() {
        let outcome = match earlier {
            Some(earlier) if !earlier.affected[index] => {
                let outcome = earlier.outcomes[index];
                if outcome == Outcome::Joined {
                    union_find.union(link.a, link.b);
                }
                outcome
            }
            Some(earlier) if earlier.removed.binary_search(&index).is_ok() => Outcome::Removed,
            _ => join_one(&mut union_find, link, constraints, coherence, score),
        };
        outcomes.push(outcome);
    }
    (union_find, outcomes)
}

/// Joins the two sides of one link unless that breaks a constraint.
fn join_one(
    union_find: &mut UnionFind,
    link: &ScoredPair,
    constraints: &Constraints<'_>,
    coherence: Option<f32>,
    score: &Score<'_>,
) -> Outcome {
    let (ra, rb) = (union_find.find(link.a), union_find.find(link.b));
    if ra == rb {
        return Outcome::Within;
    }
    if union_find.sources[ra as usize] & union_find.sources[rb as usize] != 0 {
        return Outcome::DuplicateFree;
    }
    if crosses_review(union_find, constraints.different, ra, rb) {
        return Outcome::Review;
    }
    if let Some(least) = coherence
        && mean_weight_across(union_find, ra, rb, score) < least
    {
        return Outcome::Incoherent;
    }
    union_find.union(ra, rb);
    Outcome::Joined
}

/// Scores a pair of records.
pub(crate) type Score<'a> = dyn Fn(RecordIndex, RecordIndex) -> f32 + Sync + 'a;

/// The mean match weight of the pairs across two clusters (up to [`COHERENCE_MEMBERS`] members
/// of each side); a link between two single records is its own mean.
fn mean_weight_across(
    union_find: &UnionFind,
    ra: RecordIndex,
    rb: RecordIndex,
    score: &Score<'_>,
) -> f32 {
    if union_find.size[ra as usize] == 1 && union_find.size[rb as usize] == 1 {
        return f32::INFINITY;
    }
    let (left, right) = (
        union_find.members(ra, COHERENCE_MEMBERS),
        union_find.members(rb, COHERENCE_MEMBERS),
    );
    let total: f32 = left
        .iter()
        .flat_map(|&a| right.iter().map(move |&b| score(a, b)))
        .sum();
    total / (left.len() * right.len()) as f32
}

fn crosses_review(
    union_find: &mut UnionFind,
    different: &[(RecordIndex, RecordIndex)],
    ra: RecordIndex,
    rb: RecordIndex,
) -> bool {
    different.iter().any(|&(x, y)| {
        let (rx, ry) = (union_find.find(x), union_find.find(y));
        (rx == ra && ry == rb) || (rx == rb && ry == ra)
    })
}

/// Bridges below `strong` whose removal leaves two groups of at least two records; returns
/// their indices in `links`, sorted.
fn weak_bridges(
    union_find: &mut UnionFind,
    links: &[ScoredPair],
    kept: &[usize],
    strong: f32,
) -> Vec<usize> {
    let mut by_cluster: foldhash::HashMap<RecordIndex, Vec<usize>> = Default::default();
    for &index in kept {
        let root = union_find.find(links[index].a);
        if union_find.size[root as usize] >= 4 {
            by_cluster.entry(root).or_default().push(index);
        }
    }
    let groups: Vec<Vec<usize>> = by_cluster.into_values().collect();
    let mut cut: Vec<usize> = groups
        .par_iter()
        .flat_map_iter(|group| bridges_in(links, group, strong))
        .collect();
    cut.sort_unstable();
    cut
}

/// Tarjan's bridges on one cluster's links, iteratively, with subtree sizes.
fn bridges_in(links: &[ScoredPair], group: &[usize], strong: f32) -> Vec<usize> {
    let mut local: foldhash::HashMap<RecordIndex, usize> = Default::default();
    let mut adjacency: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut node = |record: RecordIndex, adjacency: &mut Vec<Vec<(usize, usize)>>| {
        *local.entry(record).or_insert_with(|| {
            adjacency.push(Vec::new());
            adjacency.len() - 1
        })
    };
    for &index in group {
        let (a, b) = (
            node(links[index].a, &mut adjacency),
            node(links[index].b, &mut adjacency),
        );
        adjacency[a].push((b, index));
        adjacency[b].push((a, index));
    }
    let k = adjacency.len();
    let (mut discovered, mut low, mut subtree) = (vec![usize::MAX; k], vec![0; k], vec![1usize; k]);
    let mut time = 0;
    let mut cut = Vec::new();
    for start in 0..k {
        if discovered[start] != usize::MAX {
            continue;
        }
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        let mut stack = vec![(start, usize::MAX, 0usize)];
        discovered[start] = time;
        low[start] = time;
        time += 1;
        while let Some(top) = stack.last_mut() {
            let (v, parent_link, next) = *top;
            if let Some(&(w, link)) = adjacency[v].get(next) {
                top.2 += 1;
                if link == parent_link {
                    continue;
                }
                if discovered[w] == usize::MAX {
                    discovered[w] = time;
                    low[w] = time;
                    time += 1;
                    stack.push((w, link, 0));
                } else {
                    low[v] = low[v].min(discovered[w]);
                }
                continue;
            }
            stack.pop();
            if let Some(&(p, _, _)) = stack.last() {
                low[p] = low[p].min(low[v]);
                subtree[p] += subtree[v];
                if low[v] > discovered[p] && links[parent_link].match_weight < strong {
                    candidates.push((parent_link, subtree[v]));
                }
            }
        }
        let total = subtree[start];
        cut.extend(
            candidates
                .into_iter()
                .filter(|&(_, side)| side >= 2 && total - side >= 2)
                .map(|(link, _)| link),
        );
    }
    cut
}

fn number_clusters(union_find: &mut UnionFind) -> Vec<u32> {
    let n = union_find.parent.len();
    let mut number = vec![u32::MAX; n];
    let mut next = 0;
    (0..n as RecordIndex)
        .map(|r| {
            let root = union_find.find(r) as usize;
            if number[root] == u32::MAX {
                number[root] = next;
                next += 1;
            }
            number[root]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::mix;

    /// 150 records of 20 true persons (records taken three at a time), links among one
    /// person's records and a few across persons, and a score that is high within a person
    /// and mostly low across: enough for incoherent links, weak bridges and duplicate-free
    /// refusals to happen.
    fn random_instance(
        seed: u64,
    ) -> (
        Vec<ScoredPair>,
        Vec<u64>,
        impl Fn(RecordIndex, RecordIndex) -> f32,
    ) {
        let records = 150u32;
        let person = move |r: RecordIndex| mix(seed ^ u64::from(r / 3)) % 20;
        let noise = move |a: RecordIndex, b: RecordIndex| {
            (mix(seed.wrapping_mul(31) ^ u64::from(a.min(b)) << 32 ^ u64::from(a.max(b))) % 1000)
                as f32
                / 100.0
        };
        let score = move |a: RecordIndex, b: RecordIndex| {
            if person(a) == person(b) {
                4.0 + noise(a, b)
            } else {
                noise(a, b) * 2.0 - 12.0
            }
        };
        let mut pairs = Vec::new();
        for a in 0..records {
            for b in a + 1..records {
                let chance = mix(seed ^ u64::from(a) << 20 ^ u64::from(b)) % 200;
                if (person(a) == person(b) && chance < 60) || chance < 1 {
                    pairs.push(link(a, b, score(a, b).max(3.5 + noise(b, a) / 4.0)));
                }
            }
        }
        let source_bit = (0..records)
            .map(|r| u64::from(mix(seed ^ u64::from(r)).is_multiple_of(4)))
            .collect();
        (pairs, source_bit, score)
    }

    #[test]
    fn joining_again_where_links_were_cut_gives_what_joining_everything_again_gives() {
        let (mut instances, mut partial) = (0, 0);
        for seed in 0..300 {
            let (pairs, source_bit, score) = random_instance(seed);
            let constraints = Constraints {
                same: &[],
                different: &[(0, 1)],
                source_bit: &source_bit,
            };
            let links = links_in_order(&pairs, 3.0);
            let (mut first, outcomes) = join(&links, &constraints, Some(1.0), &score, None);
            let kept: Vec<usize> = (0..links.len())
                .filter(|&index| outcomes[index].is_kept())
                .collect();
            let removed = weak_bridges(&mut first, &links, &kept, 9.0);
            if removed.is_empty() {
                continue;
            }
            let affected = affected_links(&mut first, &links, &outcomes, &removed);
            instances += 1;
            partial += usize::from(affected.iter().any(|a| !a));
            let again = |affected: Vec<bool>| {
                let earlier = Earlier {
                    outcomes: &outcomes,
                    removed: &removed,
                    affected,
                };
                let (mut union_find, outcomes) =
                    join(&links, &constraints, Some(1.0), &score, Some(&earlier));
                (number_clusters(&mut union_find), outcomes)
            };
            assert_eq!(
                again(affected),
                again(vec![true; links.len()]),
                "seed {seed}"
            );
        }
        assert!(
            instances >= 50 && partial >= 25,
            "too few instances exercise the partial join: {instances} with cuts, {partial} partial"
        );
    }

    fn link(a: RecordIndex, b: RecordIndex, match_weight: f32) -> ScoredPair {
        ScoredPair { a, b, match_weight }
    }

    #[test]
    fn groups_that_disagree_on_the_whole_stay_apart_though_one_link_joins_them() {
        // 0–1 and 2–3 are strong pairs; 1–2 is a link over the threshold, but 0 and 3, 0 and 2,
        // 1 and 3 disagree strongly.
        let pairs = [link(0, 1, 20.0), link(2, 3, 20.0), link(1, 2, 5.0)];
        let score = |a: RecordIndex, b: RecordIndex| match (a.min(b), a.max(b)) {
            (0, 1) | (2, 3) => 20.0,
            (1, 2) => 5.0,
            _ => -15.0,
        };
        let constraints = Constraints {
            same: &[],
            different: &[],
            source_bit: &[0; 4],
        };
        let cut = |coherence| Cut {
            threshold: 3.0,
            strong: None,
            coherence,
        };
        let (clusters, report) = cluster(&pairs, &constraints, cut(Some(0.0)), &score);
        assert_eq!(clusters, vec![0, 0, 1, 1]);
        assert_eq!(report.refused_incoherent, 1);
        let (clusters, report) = cluster(&pairs, &constraints, cut(None), &score);
        assert_eq!(
            clusters,
            vec![0, 0, 0, 0],
            "without the check the chain joins all"
        );
        assert_eq!(report.refused_incoherent, 0);
    }
}
