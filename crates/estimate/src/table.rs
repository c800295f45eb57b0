//! Capture-pattern tables: how many people each combination of lists recorded.
//!
//! A table over `J` lists holds one count per pattern. Pattern `c` is a bit mask: bit `j` is set
//! when list `j` (in column order) saw the person. The all-zero pattern — people no list saw — is
//! what every method estimates, so it is never part of the input.
//!
//! Tables come from a CSV ([`CaptureTable::from_csv_reader`]) or from per-person capture histories
//! ([`CaptureTable::from_histories`], [`StratifiedTables::from_histories`]); the registry feeds the
//! latter once linkage has grouped source records into persons. This module only counts; the
//! estimators live in their own modules.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;
use text::normalize::to_ascii_digits;

use crate::error::{EstimateError, Result};

/// The most lists a table may have (the log-linear pairwise search stops at 8).
pub const MAX_LISTS: usize = 8;

/// The largest count a cell may hold: a billion people seen with one pattern is beyond any
/// documentation effort, and the cap keeps every total, and the methods' grids and draws built
/// on it, far from the limits of integers and floats.
pub const MAX_COUNT: u64 = 1_000_000_000;

/// The largest table file read. A table has at most 2^8 − 1 rows of a few characters; a
/// bigger file is not a capture-pattern table.
const MAX_TABLE_BYTES: u64 = 1 << 20;

/// Counts of people by capture pattern over named lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptureTable {
    lists: Vec<String>,
    /// `counts[c]` for each pattern mask `c`; `counts[0]` is always 0 (unobserved).
    counts: Vec<u64>,
}

impl CaptureTable {
    /// Builds a table from list names and a count for every pattern mask (`counts[0]` must be 0
    /// and is ignored). Fails on fewer than 2 or more than [`MAX_LISTS`] lists, a wrong number of
    /// counts, duplicate list names or an empty table.
    pub fn from_counts(lists: Vec<String>, counts: Vec<u64>) -> Result<Self> {
        check_lists(&lists)?;
        let cells = 1usize << lists.len();
        if counts.len() != cells {
            return Err(EstimateError::InvalidOption {
                option: "counts",
                reason: format!(
                    "{} lists need {cells} counts (one per pattern); got {}",
                    lists.len(),
                    counts.len()
                ),
            });
        }
        if let Some(count) = counts.iter().find(|c| **c > MAX_COUNT) {
            return Err(EstimateError::InvalidOption {
                option: "counts",
                reason: format!("a cell holds {count}; at most {MAX_COUNT} is supported"),
            });
        }
        let mut counts = counts;
        counts[0] = 0;
        let table = Self { lists, counts };
        if table.observed() == 0 {
            return Err(EstimateError::EmptyTable);
        }
        Ok(table)
    }

    /// Parses a UTF-8 CSV with one 0/1 column per list, then `count`. Every error names its
    /// line (the header is line 1, whatever the line endings): non-0/1 pattern values,
    /// negative, fractional or too large counts, the all-zero pattern, duplicate patterns, a
    /// single list, an empty table. A byte-order mark is skipped, and Persian or Arabic-Indic
    /// digits read as digits.
    /// A stream over `MAX_TABLE_BYTES` is refused unread ([`read_table_bytes`]).
    pub fn from_csv_reader<R: Read>(reader: R) -> Result<Self> {
        Self::from_csv_bytes(&read_table_bytes(reader)?)
    }

    /// Parses a CSV held in a string; see [`CaptureTable::from_csv_reader`].
    pub fn parse_csv(text: &str) -> Result<Self> {
        Self::from_csv_bytes(text.as_bytes())
    }

    fn from_csv_bytes(bytes: &[u8]) -> Result<Self> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(body);
        let header = csv.headers()?.clone();
        check_header(&header)?;
        let lists: Vec<String> = header
            .iter()
            .take(header.len().saturating_sub(1))
            .map(str::to_string)
            .collect();
        check_lists(&lists)?;
        let j = lists.len();
        let mut counts = vec![0u64; 1 << j];
        let mut first_line: Vec<Option<u64>> = vec![None; 1 << j];
        for record in csv.records() {
            let record = record?;
            let line = record.position().map_or(0, |p| line_at(body, p.byte()));
            if record.iter().all(str::is_empty) {
                continue;
            }
            if record.iter().any(|field| field.contains(['\n', '\r'])) {
                return Err(EstimateError::MultilineField { line });
            }
            if record.len() != j + 1 {
                return Err(EstimateError::FieldCount {
                    line,
                    expected: j + 1,
                    found: record.len(),
                });
            }
            let mut mask = 0usize;
            for (bit, (value, list)) in record.iter().zip(&lists).enumerate() {
                match to_ascii_digits(value).as_str() {
                    "1" => mask |= 1 << bit,
                    "0" => {}
                    _ => {
                        return Err(EstimateError::NotBinary {
                            line,
                            list: list.clone(),
                            value: shown(value),
                        });
                    }
                }
            }
            let raw = record.get(j).unwrap_or("");
            let count =
                parse_count(&to_ascii_digits(raw)).ok_or_else(|| EstimateError::BadCount {
                    line,
                    value: shown(raw),
                })?;
            if mask == 0 {
                return Err(EstimateError::AllZeroPattern { line });
            }
            if let Some(first) = first_line[mask] {
                return Err(EstimateError::DuplicatePattern {
                    line,
                    first_line: first,
                    pattern: record.iter().take(j).collect::<Vec<_>>().join(""),
                });
            }
            first_line[mask] = Some(line);
            counts[mask] = count;
        }
        let table = Self { lists, counts };
        if table.observed() == 0 {
            return Err(EstimateError::EmptyTable);
        }
        Ok(table)
    }

    /// Counts capture histories (one `&[bool]` per person, in list order) into a table.
    /// Fails, naming the history's zero-based position, when a history has the wrong length or
    /// no list at all.
    pub fn from_histories<'a, I>(lists: Vec<String>, histories: I) -> Result<Self>
    where
        I: IntoIterator<Item = &'a [bool]>,
    {
        check_lists(&lists)?;
        let mut counts = vec![0u64; 1 << lists.len()];
        for (index, history) in histories.into_iter().enumerate() {
            counts[history_mask(index, lists.len(), history)?] += 1;
        }
        let table = Self { lists, counts };
        if table.observed() == 0 {
            return Err(EstimateError::EmptyTable);
        }
        Ok(table)
    }

    /// The list names, in column order (list `j` is bit `j` of a pattern).
    pub fn lists(&self) -> &[String] {
        &self.lists
    }

    /// Number of lists `J`.
    pub fn list_count(&self) -> usize {
        self.lists.len()
    }

    /// Count per pattern mask, `2^J` entries, entry 0 (unobserved) is 0.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Count of one pattern mask (0 for masks out of range).
    pub fn count(&self, mask: usize) -> u64 {
        self.counts.get(mask).copied().unwrap_or(0)
    }

    /// People seen on at least one list.
    pub fn observed(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// How many people each list recorded (the one-way margins), in list order.
    pub fn list_totals(&self) -> Vec<u64> {
        (0..self.list_count())
            .map(|j| {
                self.counts
                    .iter()
                    .enumerate()
                    .filter(|(mask, _)| mask & (1 << j) != 0)
                    .map(|(_, n)| n)
                    .sum()
            })
            .collect()
    }

    /// `f[k]` = people seen on exactly `k` lists, for `k = 0..=J` (`f[0]` is 0).
    pub fn frequency_of_captures(&self) -> Vec<u64> {
        let mut f = vec![0u64; self.list_count() + 1];
        for (mask, n) in self.counts.iter().enumerate() {
            f[mask.count_ones() as usize] += n;
        }
        f
    }

    /// People seen by every list in `set` (a mask), whatever the other lists did: the
    /// sufficient statistic of the interaction among the lists in `set`.
    pub fn seen_by_all(&self, set: usize) -> u64 {
        self.counts
            .iter()
            .enumerate()
            .filter(|(mask, _)| mask & set == set)
            .map(|(_, n)| n)
            .sum()
    }

    /// Names of the lists in a mask, joined with `:` (e.g. `EXH:ABA`).
    pub fn term_name(&self, set: usize) -> String {
        self.lists
            .iter()
            .enumerate()
            .filter(|(j, _)| set & (1 << j) != 0)
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// A pattern's people in words: the lists they are on, `only` (e.g. `a & c only`).
    pub fn pattern_name(&self, pattern: usize) -> String {
        format!("{} only", self.term_name(pattern).replace(':', " & "))
    }

    /// The table as CSV text (one row per pattern, all-ones first), the same shape it is read from.
    pub fn to_csv(&self) -> String {
        let mut out = self.lists.join(",");
        out.push_str(",count\n");
        for mask in (1..self.counts.len()).rev() {
            for j in 0..self.list_count() {
                out.push_str(if mask & (1 << j) != 0 { "1," } else { "0," });
            }
            out.push_str(&format!("{}\n", self.counts[mask]));
        }
        out
    }
}

/// A table for everyone and one per stratum (province, prison, month…), built in one pass over
/// per-person capture histories. This is the entry point for the registry: for each linked
/// person, pass the stratum value (or `None` when the field is unknown; such people count in
/// `overall` only) and which sources recorded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratifiedTables {
    /// Everyone, whatever their stratum.
    pub overall: CaptureTable,
    /// One table per stratum value, sorted by value. Strata nobody falls in are absent.
    pub strata: BTreeMap<String, CaptureTable>,
    /// People whose stratum was unknown (`None`); they are in `overall` only.
    pub unstratified: u64,
}

impl StratifiedTables {
    /// Counts `(stratum, lists seen)` pairs. Errors name the zero-based position of the bad
    /// history.
    pub fn from_histories<'a, I, S>(lists: Vec<String>, histories: I) -> Result<Self>
    where
        I: IntoIterator<Item = (Option<S>, &'a [bool])>,
        S: Into<String>,
    {
        check_lists(&lists)?;
        let cells = 1usize << lists.len();
        let mut overall = vec![0u64; cells];
        let mut strata: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut unstratified = 0;
        for (index, (stratum, history)) in histories.into_iter().enumerate() {
            let mask = history_mask(index, lists.len(), history)?;
            overall[mask] += 1;
            match stratum {
                Some(name) => {
                    strata
                        .entry(name.into())
                        .or_insert_with(|| vec![0u64; cells])[mask] += 1;
                }
                None => unstratified += 1,
            }
        }
        let overall = CaptureTable {
            lists: lists.clone(),
            counts: overall,
        };
        if overall.observed() == 0 {
            return Err(EstimateError::EmptyTable);
        }
        let strata = strata
            .into_iter()
            .map(|(name, counts)| {
                (
                    name,
                    CaptureTable {
                        lists: lists.clone(),
                        counts,
                    },
                )
            })
            .collect();
        Ok(Self {
            overall,
            strata,
            unstratified,
        })
    }
}

/// A table file's bytes, for a caller that decodes them before [`CaptureTable::parse_csv`]; a
/// file over `MAX_TABLE_BYTES` is refused after reading one byte past it.
pub fn read_table_bytes<R: Read>(reader: R) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_TABLE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_TABLE_BYTES {
        return Err(EstimateError::TableTooLarge {
            max_bytes: MAX_TABLE_BYTES,
        });
    }
    Ok(bytes)
}

/// Checks the header's shape before its names: not blank, comma-separated, every column named,
/// `count` last and only last.
fn check_header(header: &csv::StringRecord) -> Result<()> {
    if header.iter().all(str::is_empty) {
        return Err(EstimateError::BlankHeader);
    }
    if let [only] = header.iter().collect::<Vec<_>>().as_slice() {
        if only.contains(',') {
            return Err(EstimateError::QuotedHeader);
        }
        for (separator, name) in [('\t', "tabs"), (';', "semicolons")] {
            if only.contains(separator) {
                return Err(EstimateError::NotCommaSeparated { separator: name });
            }
        }
    }
    if header.iter().any(|name| name.contains(['\n', '\r'])) {
        return Err(EstimateError::MultilineField { line: 1 });
    }
    let last = header.iter().next_back().unwrap_or("");
    let last_named = header.iter().rev().find(|name| !name.is_empty());
    if last.is_empty() && last_named.is_some_and(|name| name.eq_ignore_ascii_case("count")) {
        return Err(EstimateError::TrailingComma);
    }
    if !last.eq_ignore_ascii_case("count") {
        return Err(EstimateError::MissingCountColumn { found: shown(last) });
    }
    for (index, name) in header.iter().enumerate().take(header.len() - 1) {
        if name.is_empty() {
            return Err(EstimateError::UnnamedList { column: index + 1 });
        }
        if name.eq_ignore_ascii_case("count") {
            return Err(EstimateError::CountNotLast { column: index + 1 });
        }
    }
    Ok(())
}

/// A value from the file as an error shows it: at most [`SHOWN_CHARACTERS`] characters, so a
/// list passed by mistake is not echoed whole, with control characters escaped (`\u{1}`), so a
/// stray byte is seen and never reaches the terminal as itself.
fn shown(value: &str) -> String {
    let escaped = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    match value.char_indices().nth(SHOWN_CHARACTERS) {
        Some((cut, _)) => format!("{}…", escaped(&value[..cut])),
        None => escaped(value),
    }
}

/// How much of a value an error shows.
const SHOWN_CHARACTERS: usize = 40;

fn check_lists(lists: &[String]) -> Result<()> {
    if lists.len() < 2 {
        return Err(EstimateError::TooFewLists { lists: lists.len() });
    }
    if lists.len() > MAX_LISTS {
        return Err(EstimateError::TooManyLists {
            lists: lists.len(),
            max: MAX_LISTS,
        });
    }
    for (i, name) in lists.iter().enumerate() {
        if lists[..i].contains(name) {
            return Err(EstimateError::DuplicateList { name: name.clone() });
        }
    }
    Ok(())
}

fn history_mask(index: usize, lists: usize, history: &[bool]) -> Result<usize> {
    if history.len() != lists {
        return Err(EstimateError::HistoryLength {
            index,
            expected: lists,
            found: history.len(),
        });
    }
    let mask = history
        .iter()
        .enumerate()
        .filter(|(_, seen)| **seen)
        .fold(0usize, |mask, (j, _)| mask | 1 << j);
    if mask == 0 {
        return Err(EstimateError::EmptyHistory { index });
    }
    Ok(mask)
}

/// Whole numbers from 0 to [`MAX_COUNT`], in digits; `12.0` (as spreadsheets write) is 12,
/// while `12.5`, `-1`, `1e3` and `abc` are refused.
fn parse_count(raw: &str) -> Option<u64> {
    let whole = match raw.split_once('.') {
        Some((whole, fraction)) if fraction.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => raw,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole
        .parse::<u64>()
        .ok()
        .filter(|count| *count <= MAX_COUNT)
}

/// The line (from 1) of the record that starts at `byte`. The CSV reader's own line count is
/// one short after a line ending in `\r\n`, since it places a record at the `\n` left over
/// from the line before, and never moves on a lone `\r` (old Mac files); so count the line
/// breaks (`\n`, or `\r` not followed by `\n`) up to the record's first character.
fn line_at(body: &[u8], byte: u64) -> u64 {
    let start = usize::try_from(byte).map_or(body.len(), |b| b.min(body.len()));
    let first = body[start..]
        .iter()
        .position(|b| *b != b'\n' && *b != b'\r')
        .map_or(body.len(), |offset| start + offset);
    let before = &body[..first];
    let breaks = before
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && before.get(i + 1) != Some(&b'\n')))
        .count();
    1 + breaks as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const KOREA: &str =
        "b,c,d,count\n1,1,1,12\n1,1,0,54\n1,0,1,6\n1,0,0,5\n0,1,1,0\n0,1,0,5\n0,0,1,41\n";

    #[test]
    fn a_table_is_read_with_lists_in_column_order() {
        let table = CaptureTable::parse_csv(KOREA).unwrap();
        assert_eq!(table.lists(), ["b", "c", "d"]);
        assert_eq!(table.observed(), 123);
        assert_eq!(table.count(0b111), 12);
        assert_eq!(table.count(0b011), 54, "b and c, not d");
        assert_eq!(table.count(0b001), 5, "b only");
        assert_eq!(table.list_totals(), vec![77, 71, 59]);
        assert_eq!(table.frequency_of_captures(), vec![0, 51, 60, 12]);
    }

    #[test]
    fn bad_input_is_rejected_with_its_line() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "a,b,c,count\n1,2,0,5\n",
                "line 2: column `b` must be 0 or 1; got `2`",
                "non-binary",
            ),
            (
                "a,b,c,count\n1,0,0,-3\n",
                "line 2: `count` must be a whole number from 0 to 1,000,000,000; got `-3`",
                "negative count",
            ),
            (
                "a,b,c,count\n1,1,0,4\n1,0,0,2.5\n",
                "line 3: `count` must be a whole number from 0 to 1,000,000,000; got `2.5`",
                "fractional count",
            ),
            (
                "a,b,c,count\n1,0,0,x\n",
                "line 2: `count` must be a whole number from 0 to 1,000,000,000; got `x`",
                "text count",
            ),
            (
                "a,b,c,count\n1,0,0,4\n0,0,0,7\n",
                "line 3: the all-zero pattern",
                "all-zero row",
            ),
            (
                "a,count\n1,5\n",
                "the table has 1 list column(s)",
                "one list only",
            ),
            (
                "a,b,c,count\n1,0,0,4\n0,1,0,3\n1,0,0,2\n",
                "line 4: pattern 100 already appears on line 2",
                "duplicate pattern",
            ),
            ("a,b,c,count\n", "the table is empty", "no rows"),
            (
                "a,b,c,count\n1,0,0,0\n",
                "the table is empty",
                "only zero counts",
            ),
            (
                "a,b,c,total\n1,0,0,1\n",
                "the last column must be named `count`",
                "no count column",
            ),
            (
                "a,b,c,count\n1,0,5\n",
                "line 2: expected 4 fields",
                "short row",
            ),
            (
                "a,a,c,count\n1,0,0,5\n",
                "list `a` appears twice",
                "duplicate list",
            ),
            (
                "a,b,c,count\r\n1,0,0,4\r\n0,1,0,x\r\n",
                "line 3: `count` must be",
                "Windows line endings",
            ),
            (
                "a,b,c,count\n\n1,0,0,4\n\n0,2,0,1\n",
                "line 5: column `b` must be 0 or 1; got `2`",
                "blank lines",
            ),
            (
                "a,b,c,count\n1,0,0,1000000001\n",
                "line 2: `count` must be a whole number from 0 to 1,000,000,000",
                "a count past the cap",
            ),
            (
                "a,b,c,count\n1,0,0,4\n0,1,0,4503599627370496.5\n",
                "line 3: `count` must be",
                "a fraction a float would round away",
            ),
            (
                "a,b,c,count\n1,0,0,1e3\n",
                "line 2: `count` must be",
                "a count in scientific notation",
            ),
            (
                "a,b,c,count\r1,0,0,4\r0,2,0,1\r",
                "line 3: column `b` must be 0 or 1; got `2`",
                "old Mac line endings",
            ),
            (
                "a,b,c,count\n1,0,0,18446744073709551615\n0,1,0,18446744073709551615\n0,0,1,2\n",
                "line 2: `count` must be",
                "counts whose sum would wrap",
            ),
            ("", "line 1 is blank", "an empty file"),
            ("  \n1,0,4\n", "line 1 is blank", "a blank header"),
            (
                "a\tb\tcount\n1\t0\t4\n",
                "no commas but tabs",
                "tab-separated",
            ),
            (
                "a;b;count\n1;0;4\n",
                "no commas but semicolons",
                "semicolon-separated",
            ),
            (
                "a,,c,count\n1,0,0,4\n",
                "line 1, column 2 has no name",
                "an unnamed list",
            ),
            (
                "a,count,count\n1,0,4\n",
                "line 1, column 2 is named `count`",
                "count twice",
            ),
            (
                "a,b,count,\n1,0,4\n",
                "line 1 ends with a comma after `count`",
                "a trailing comma",
            ),
            (
                "a,b,count\n1,0,4\n0,\"1,3\n1,1,2\n",
                "line 3: a field runs over more than one line",
                "a broken quote",
            ),
            (
                "a,b,count,,\n1,0,4\n",
                "line 1 ends with a comma after `count`",
                "two trailing commas",
            ),
            (
                "\"a,b,count\"\n1,0,4\n",
                "line 1 is one quoted field",
                "a quoted header",
            ),
        ];
        for (input, expected, description) in cases {
            let error = CaptureTable::parse_csv(input).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{description}: expected `{expected}` in `{error}`"
            );
        }
    }

    #[test]
    fn a_long_value_is_cut_short_and_a_control_character_escaped() {
        let long = "9".repeat(10_000);
        let error = CaptureTable::parse_csv(&format!("a,b,count\n1,0,{long}\n"))
            .unwrap_err()
            .to_string();
        assert!(error.len() < 200 && error.contains("999…"), "{error}");
        let stray = CaptureTable::parse_csv("a,b,count\n1,0,5\u{1}\n")
            .unwrap_err()
            .to_string();
        assert!(stray.contains("got `5\\u{1}`"), "{stray}");
    }

    #[test]
    fn a_byte_order_mark_and_persian_digits_are_read() {
        let table = CaptureTable::parse_csv("\u{feff}الف,ب,ج,count\n۱,۰,۰,۱۲\n٠,١,٠,٣٠\n1,1,0,7\n")
            .unwrap();
        assert_eq!(table.lists(), ["الف", "ب", "ج"]);
        assert_eq!((table.count(0b001), table.count(0b010)), (12, 30));
        assert_eq!(table.observed(), 49);
        let error = CaptureTable::parse_csv("a,b,count\n۱,۲,5\n").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("line 2: column `b` must be 0 or 1; got `۲`"),
            "{error}"
        );
    }

    #[test]
    fn a_file_larger_than_any_table_is_refused_unread() {
        let big = "a,b,count\n".to_string() + &"1,0,1\n".repeat(200_000);
        let error = CaptureTable::from_csv_reader(big.as_bytes()).unwrap_err();
        assert!(
            matches!(error, EstimateError::TableTooLarge { .. }),
            "{error}"
        );
        let error =
            CaptureTable::from_counts(vec!["a".into(), "b".into()], vec![0, MAX_COUNT + 1, 1, 1])
                .unwrap_err();
        assert!(error.to_string().contains("at most 1000000000"), "{error}");
    }

    #[test]
    fn whole_counts_written_as_decimals_are_accepted() {
        let table = CaptureTable::parse_csv("a,b,count\n1,1,3.0\n1,0,2\n0,1,1\n").unwrap();
        assert_eq!(table.observed(), 6);
    }

    #[test]
    fn csv_output_reads_back_as_the_same_table() {
        let table = CaptureTable::parse_csv(KOREA).unwrap();
        assert_eq!(CaptureTable::parse_csv(&table.to_csv()).unwrap(), table);
    }

    #[test]
    fn histories_are_counted_overall_and_by_stratum() {
        let lists = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        let people: Vec<(Option<&str>, &[bool])> = vec![
            (Some("Tehran"), &[true, false, false]),
            (Some("Tehran"), &[true, true, false]),
            (Some("Karaj"), &[true, false, false]),
            (None, &[false, false, true]),
        ];
        let tables = StratifiedTables::from_histories(lists, people).unwrap();
        assert_eq!(tables.overall.observed(), 4);
        assert_eq!(tables.overall.count(0b001), 2);
        assert_eq!(tables.strata["Tehran"].count(0b011), 1);
        assert_eq!(tables.strata["Karaj"].observed(), 1);
        assert_eq!(tables.unstratified, 1);
    }

    #[test]
    fn a_history_on_no_list_is_rejected_by_position() {
        let lists = vec!["A".to_string(), "B".to_string()];
        let people: Vec<&[bool]> = vec![&[true, false], &[false, false]];
        let error = CaptureTable::from_histories(lists.clone(), people).unwrap_err();
        assert!(error.to_string().contains("capture history 1"), "{error}");
        let people: Vec<&[bool]> = vec![&[true]];
        let error = CaptureTable::from_histories(lists, people).unwrap_err();
        assert!(
            error.to_string().contains("expected 2 lists; got 1"),
            "{error}"
        );
    }
}
