//! The crate's one error type. Table errors name the line of the CSV file (the header is line 1)
//! or the position of the capture history, so the user can find and fix the input.

/// Everything that can go wrong while reading a capture-pattern table or running an estimator.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    /// The CSV could not be read at all (I/O or malformed quoting). The cause is in the
    /// message, not chained as a source, so it is not printed twice.
    #[error("could not read the capture-pattern table: {0}")]
    Csv(csv::Error),
    /// The table could not be read from its file or stream.
    #[error("could not read the capture-pattern table: {0}")]
    Read(std::io::Error),
    /// The file is larger than any capture-pattern table.
    #[error(
        "the file is over {max_bytes} bytes, which no capture-pattern table needs (at most 255 rows): is it the list itself rather than its table of patterns?"
    )]
    TableTooLarge {
        /// The largest size read.
        max_bytes: u64,
    },
    /// The file, or its first line, holds nothing.
    #[error(
        "line 1 is blank: a capture-pattern table starts with a header naming one column per list, then `count` (e.g. `EXH,ABA,count`)"
    )]
    BlankHeader,
    /// The header is one field holding tabs or semicolons: the table was saved with another
    /// separator.
    #[error(
        "line 1 has no commas but {separator}: save the table comma-separated (CSV), one column per list, then `count`"
    )]
    NotCommaSeparated {
        /// The separator found, in words (`tabs`, `semicolons`).
        separator: &'static str,
    },
    /// The whole header is one quoted field.
    #[error(
        "line 1 is one quoted field: remove the quotes around the header (`a,b,count`, not `\"a,b,count\"`)"
    )]
    QuotedHeader,
    /// The header ends with a comma after `count`.
    #[error("line 1 ends with a comma after `count`: remove it (`count` must be the last column)")]
    TrailingComma,
    /// A list column with no name.
    #[error("line 1, column {column} has no name: name every list (the header ends with `count`)")]
    UnnamedList {
        /// The column, counting from 1.
        column: usize,
    },
    /// A column other than the last is named `count`.
    #[error(
        "line 1, column {column} is named `count`: only the last column may be; rename the list"
    )]
    CountNotLast {
        /// The column, counting from 1.
        column: usize,
    },
    /// A quoted field runs on past its line: a quote never closed, or a line break in quotes.
    #[error(
        "line {line}: a field runs over more than one line (a quote never closed, or a line break inside quotes); close the quote or remove the line break"
    )]
    MultilineField {
        /// Line in the file.
        line: u64,
    },
    /// The header does not end with a `count` column.
    #[error(
        "line 1: the last column must be named `count` (one 0/1 column per list, then `count`); got `{found}`"
    )]
    MissingCountColumn {
        /// The name of the last column actually found.
        found: String,
    },
    /// Fewer than two lists: nothing can be estimated from one list.
    #[error(
        "the table has {lists} list column(s); capture–recapture needs at least 2 lists (3 or more to be credible)"
    )]
    TooFewLists {
        /// How many list columns were found.
        lists: usize,
    },
    /// More lists than any method here supports.
    #[error(
        "the table has {lists} lists; at most {max} are supported: merge lists that come from the same kind of source, or drop the smallest"
    )]
    TooManyLists {
        /// How many list columns were found.
        lists: usize,
        /// The largest supported number of lists.
        max: usize,
    },
    /// Two list columns share a name.
    #[error("line 1: list `{name}` appears twice in the header")]
    DuplicateList {
        /// The repeated list name.
        name: String,
    },
    /// A data row has the wrong number of fields.
    #[error("line {line}: expected {expected} fields (one per list, then `count`); got {found}")]
    FieldCount {
        /// Line in the file (header is line 1).
        line: u64,
        /// Fields expected.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A pattern column holds something other than 0 or 1.
    #[error("line {line}: column `{list}` must be 0 or 1; got `{value}`")]
    NotBinary {
        /// Line in the file.
        line: u64,
        /// The list column.
        list: String,
        /// The offending text.
        value: String,
    },
    /// The count is negative, fractional or not a number.
    #[error("line {line}: `count` must be a whole number from 0 to 1,000,000,000; got `{value}`")]
    BadCount {
        /// Line in the file.
        line: u64,
        /// The offending text.
        value: String,
    },
    /// A row whose pattern is all zeros: nobody can be counted as seen by no list.
    #[error(
        "line {line}: the all-zero pattern (seen by no list) is never observed; remove this row"
    )]
    AllZeroPattern {
        /// Line in the file.
        line: u64,
    },
    /// The same pattern appears on two rows.
    #[error(
        "line {line}: pattern {pattern} already appears on line {first_line}; merge the two rows"
    )]
    DuplicatePattern {
        /// Line of the repeat.
        line: u64,
        /// Line where the pattern first appeared.
        first_line: u64,
        /// The pattern as 0/1 digits in column order.
        pattern: String,
    },
    /// The table has no data rows, or every count is zero.
    #[error("the table is empty: no one is recorded on any list")]
    EmptyTable,
    /// A capture history has the wrong number of lists.
    #[error("capture history {index}: expected {expected} lists; got {found}")]
    HistoryLength {
        /// Zero-based position of the history in the input.
        index: usize,
        /// Number of lists declared.
        expected: usize,
        /// Number of flags given.
        found: usize,
    },
    /// A capture history in which no list saw the person.
    #[error(
        "capture history {index}: the person is on no list; every history needs at least one list"
    )]
    EmptyHistory {
        /// Zero-based position of the history in the input.
        index: usize,
    },
    /// A method cannot handle this many lists.
    #[error(
        "{method} supports {min} to {max} lists; this table has {lists}: use --method loglinear, lcmcr or chao"
    )]
    UnsupportedLists {
        /// The method.
        method: &'static str,
        /// Lists in the table.
        lists: usize,
        /// Fewest supported.
        min: usize,
        /// Most supported.
        max: usize,
    },
    /// No model could be fitted (every candidate had a zero sufficient statistic or failed).
    #[error(
        "no log-linear model has a finite estimate on this table: {reason}; LCMCR and dga (--method lcmcr, dga) need no such models"
    )]
    NoEstimableModel {
        /// Why.
        reason: String,
    },
    /// The table holds nothing to extrapolate from: fewer than two lists recorded anyone, or
    /// nobody is on more than one list. Every method would print a number; none would mean
    /// anything.
    #[error("nothing to estimate from: {reason}")]
    NothingToEstimate {
        /// Why, in plain words, with what to do next.
        reason: String,
    },
    /// A sampler or estimator cannot run on this table and says why.
    #[error("{method} cannot run: {reason}")]
    CannotRun {
        /// The method.
        method: &'static str,
        /// Why, in plain words.
        reason: String,
    },
    /// An option is out of range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// Option name.
        option: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Writing the SVG plot failed.
    #[error("could not draw the plot: {0}")]
    Plot(String),
}

/// Shorthand for results in this crate.
pub type Result<T, E = EstimateError> = std::result::Result<T, E>;

impl From<csv::Error> for EstimateError {
    fn from(error: csv::Error) -> Self {
        EstimateError::Csv(error)
    }
}

impl From<std::io::Error> for EstimateError {
    fn from(error: std::io::Error) -> Self {
        EstimateError::Read(error)
    }
}
