//! `whereabouts import`: read a list, check every row, and store it in one transaction.

use crate::registry::{DataDir, actor, block_on, progress_bar};
use anyhow::{Context, anyhow};
use domain::date::Calendar;
use domain::source::{NewSource, Reliability, SourceKind, checked_source_name};
use import::{EncodingChoice, ParsedList, ReadOptions};
use std::path::{Path, PathBuf};
use store::{DuplicateFile, ImportReceipt, Store};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The list: CSV (any delimiter, UTF-8/UTF-16/Windows-1256) or XLSX.
    pub file: PathBuf,
    /// The source's name; a new source is created when none has this name.
    #[arg(long)]
    pub source: String,
    /// Renames of the file's columns onto canonical fields: FIELD=COLUMN,...
    #[arg(long)]
    pub map: Option<String>,
    /// The file's text encoding: auto, utf-8, windows-1256, windows-1252, utf-16le, utf-16be.
    #[arg(long, default_value = "auto", value_parser = parse_encoding)]
    pub encoding: EncodingChoice,
    /// The calendar the source writes its dates in (solar-hijri or gregorian), when known.
    #[arg(long, value_parser = parse_calendar)]
    pub calendar: Option<Calendar>,
    /// What kind of source it is (for a new source).
    #[arg(long, default_value = "list", value_parser = parse_kind)]
    pub kind: SourceKind,
    /// How far the source is trusted: high, medium, low, unknown (for a new source).
    #[arg(long, default_value = "unknown", value_parser = parse_reliability)]
    pub reliability: Reliability,
    /// Import a file even if the same file (by SHA-256) was imported before.
    #[arg(long)]
    pub force: bool,
    /// Check the file, and whether it was imported before, without importing anything.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub data: DataDir,
}

pub(crate) fn parse_encoding(text: &str) -> Result<EncodingChoice, String> {
    EncodingChoice::parse(text).ok_or_else(|| {
        format!("`{text}`: use auto, utf-8, windows-1256, windows-1252, utf-16le or utf-16be")
    })
}

fn parse_calendar(text: &str) -> Result<Calendar, String> {
    Calendar::parse(text).ok_or_else(|| format!("`{text}`: use solar-hijri or gregorian"))
}

fn parse_kind(text: &str) -> Result<SourceKind, String> {
    SourceKind::parse(text).ok_or_else(|| {
        let all: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("`{text}`: use one of {}", all.join(", "))
    })
}

fn parse_reliability(text: &str) -> Result<Reliability, String> {
    Reliability::parse(text).ok_or_else(|| format!("`{text}`: use high, medium, low or unknown"))
}

/// Reads, checks and stores the list.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let list = read(&args, &bytes)?;
    if args.dry_run {
        let imported_before = dry_run_import_check(&args, &bytes)?;
        println!(
            "{}: {} rows, all valid (encoding {}, delimiter {:?}; {} empty rows skipped); {imported_before}; nothing was imported",
            list.file_name,
            list.len(),
            list.encoding,
            list.table.delimiter,
            list.blank_rows()
        );
        return Ok(());
    }
    block_on(async {
        let store = Store::open(&args.data.path).await?;
        let receipt = store_list(&store, &args, &list, &bytes).await;
        store.close().await;
        report(&list, &args.source, &receipt?);
        Ok(())
    })?
}

/// What a dry run can say of the registry: without `--force`, the import would be refused when
/// the same file was imported before (an error, as the import's own), and there is no registry
/// to ask when the `--data` folder holds none yet.
fn dry_run_import_check(args: &ImportArgs, bytes: &[u8]) -> anyhow::Result<&'static str> {
    if args.force {
        return Ok("--force: imported even if imported before");
    }
    if !store::RegistryPaths::new(&args.data.path).exists() {
        return Ok("no registry at --data yet to check for an earlier import of this file");
    }
    block_on(async {
        let store = Store::open(&args.data.path).await?;
        let earlier = store
            .refuse_imported_file(&store::files::sha256_hex(bytes))
            .await;
        store.close().await;
        earlier?;
        anyhow::Ok("not imported before")
    })?
}

/// Reads and checks the whole file; any problem is an error naming file, row and column.
pub fn read(args: &ImportArgs, bytes: &[u8]) -> anyhow::Result<ParsedList> {
    let options = ReadOptions {
        encoding: args.encoding,
        map: args.map.clone(),
        calendar: args.calendar,
    };
    Ok(import::read_list(&file_name(&args.file), bytes, &options)?)
}

async fn store_list(
    store: &Store,
    args: &ImportArgs,
    list: &ParsedList,
    bytes: &[u8],
) -> anyhow::Result<ImportReceipt> {
    let name = checked_source_name(&args.source).map_err(|reason| anyhow!("--source: {reason}"))?;
    let source = NewSource {
        name: name.to_string(),
        kind: args.kind,
        reliability: args.reliability,
        calendar: args.calendar,
        file_sha256: None,
        file_name: Some(list.file_name.clone()),
    };
    let on_duplicate = if args.force {
        DuplicateFile::Allow
    } else {
        DuplicateFile::Refuse
    };
    store_checked_list(store, list, bytes, source, on_duplicate).await
}

/// Stores a checked list as `source` in one transaction, with a progress bar.
pub async fn store_checked_list(
    store: &Store,
    list: &ParsedList,
    bytes: &[u8],
    source: NewSource,
    on_duplicate: DuplicateFile,
) -> anyhow::Result<ImportReceipt> {
    let bar = progress_bar(list.len() as u64, "importing");
    let receipt = pipeline::import::store_list(
        store,
        list,
        bytes,
        source,
        on_duplicate,
        &actor(),
        &|written| bar.set_position(written),
    )
    .await;
    bar.finish_and_clear();
    receipt
}

fn report(list: &ParsedList, source: &str, receipt: &ImportReceipt) {
    let created = if receipt.is_new_source {
        " (new source)"
    } else {
        ""
    };
    println!(
        "imported {} records from {} into source `{source}`{created}; encoding {}, file SHA-256 {}, audit entry {}",
        receipt.records, list.file_name, list.encoding, receipt.file_sha256, receipt.audit_seq
    );
    if list.repeated_rows() > 0 {
        println!(
            "note: {} rows repeat an earlier row exactly; they were kept, each with a warning",
            list.repeated_rows()
        );
    }
    if list.rows_with_date_warnings() > 0 {
        println!(
            "note: {} records have dates that cannot all be true (a date after today, or an arrest or execution before a birth or an arrest); they were kept as written, each with a warning",
            list.rows_with_date_warnings()
        );
    }
    if list.blank_rows() > 0 {
        println!(
            "note: {} rows had nothing in them and were skipped; the record after each run of them carries a warning saying where",
            list.blank_rows()
        );
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    )
}
