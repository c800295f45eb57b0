//! `whereabouts link-files`: stateless linkage of CSV lists (see `docs/linkage.md`).
//!
//! Reads each FILE (UTF-8 CSV with a header row; the source name is the file's stem), maps its
//! columns onto the canonical fields, runs the `linkage` engine and writes
//! `source,record_id,cluster_id`. With `--truth` it prints pairwise precision, recall and F1,
//! cluster counts and blocking recall, and can simulate review decisions from the truth.
//!
//! The files are read with a plain, fast `csv` reader (UTF-8 only). The `import` crate owns
//! encoding detection, delimiter sniffing and row validation for the registry; this command may
//! move onto it later.

use crate::registry::check_output_file;
use anyhow::{Context, bail};
use domain::fields::CanonicalField;
use indicatif::{ProgressBar, ProgressStyle};
use linkage::evaluate::pairwise_scores;
use linkage::records::TextColumn;
use linkage::{
    Decision, Duplicates, LinkOptions, Linkage, Linker, MissedPair, PairLabel, RecordIndex,
    Records, ReviewBand, SourceSpec, WeakLinks,
};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Arguments of `link-files`.
#[derive(clap::Args, Debug)]
pub struct LinkFilesArgs {
    /// The lists to link (UTF-8 CSV with a header); each file's stem is its source name.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the clusters: `source,record_id,cluster_id`.
    #[arg(long, value_name = "CLUSTERS.csv")]
    pub out: PathBuf,
    /// Columns onto canonical fields, for every file: `record_id=rec_id,given_name=first`.
    /// Join columns with `+`: `address=street_number+address_1`. Columns named like a
    /// canonical field need no mapping; other columns are ignored.
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    pub map: Option<String>,
    /// Ground truth `source,record_id,person_id`: prints precision, recall, F1, blocking recall.
    #[arg(long, value_name = "TRUTH.csv")]
    pub truth: Option<PathBuf>,
    /// Pairs at or above this match probability are linked.
    #[arg(long, default_value_t = 0.9)]
    pub threshold: f64,
    /// The lowest match probability sent to review.
    #[arg(long, default_value_t = 0.5)]
    pub review_lower: f64,
    /// Pairs at or above this probability are not sent to review.
    #[arg(long, default_value_t = 0.98)]
    pub review_upper: f64,
    /// Write the review pairs here: `source_a,record_id_a,source_b,record_id_b,probability`.
    #[arg(long, value_name = "REVIEW.csv")]
    pub review_out: Option<PathBuf>,
    /// Lists declared free of duplicates (file stems, comma-separated, or `all`): their records
    /// are never linked to each other.
    #[arg(long, value_name = "STEM,...")]
    pub duplicate_free: Option<String>,
    /// Blocks with more records than this are skipped (and reported).
    #[arg(long, default_value_t = 1000)]
    pub max_block_size: usize,
    /// Keep clusters whole even when one weak link holds them together.
    #[arg(long)]
    pub keep_weak_links: bool,
    /// With --truth: label this many review pairs from the truth, retrain and link again.
    #[arg(long, value_name = "N", requires = "truth")]
    pub simulate_review: Option<usize>,
    /// With --simulate-review: also write the clusters after the simulated review here, in the
    /// same form as --out.
    #[arg(long, value_name = "CLUSTERS.csv", requires = "simulate_review")]
    pub reviewed_clusters: Option<PathBuf>,
    /// With --truth: write the true pairs linkage left apart here, each with whether blocking
    /// compared it and every field's weight and level
    /// (`source_a,record_id_a,source_b,record_id_b,compared,probability,<field>_weight,<field>_level...`),
    /// and print which fields weighed against them.
    #[arg(long, value_name = "MISSED.csv", requires = "truth")]
    pub missed_out: Option<PathBuf>,
    /// Seed for sampling, so runs repeat.
    #[arg(long, default_value_t = 1988)]
    pub seed: u64,
}

/// Links the files and writes the clusters.
pub fn run(args: LinkFilesArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    check_inputs(&args)?;
    check_outputs_differ(&args)?;
    let mapping = parse_map(args.map.as_deref())?;
    let free = duplicate_free_stems(args.duplicate_free.as_deref(), &args.files)?;
    let input = stage("reading lists", || read_lists(&args.files, &mapping, &free))?;
    let records = &input.records;
    eprintln!(
        "{} records in {} lists",
        records.len(),
        records.sources().len()
    );
    let linker = stage("preparing and blocking", || {
        Linker::new(records, options(&args)).context("preparing the records")
    })?;
    report_blocking(&linker);
    let model = stage("training", || {
        linker.train(&[]).context("training the model")
    })?;
    report_training(&model);
    let scoring = Instant::now();
    let linkage = stage("scoring and clustering", || {
        linker.link(&model, &[]).context("linking")
    })?;
    report_linkage(&linkage, scoring.elapsed());
    write_clusters(&args.out, records, &linkage.clusters)?;
    if let Some(path) = &args.review_out {
        write_review(path, records, &linkage)?;
    }
    eprintln!(
        "wrote {} in {:.1} s in all",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.truth {
        let truth = read_truth(path, &input)?;
        print_scores("linkage", &linker, &linkage, &truth)?;
        if let Some(path) = &args.missed_out {
            let missed = linker
                .missed_pairs(&model, &linkage.clusters, &truth)
                .context("finding the true pairs left apart")?;
            write_missed(path, records, linker.comparisons(), &missed)?;
            report_missed(&missed, args.review_lower, args.threshold);
            eprintln!("wrote the true pairs left apart to {}", path.display());
        }
        if let Some(decisions) = args.simulate_review {
            let reviewed = simulate_review(&linker, &linkage, &truth, decisions)?;
            if let Some(path) = &args.reviewed_clusters {
                write_clusters(path, records, &reviewed.clusters)?;
                eprintln!("wrote the reviewed clusters to {}", path.display());
            }
        }
    }
    Ok(())
}

/// Refuses, before the run, a list or truth file that is missing or a folder: the truth is
/// read only after the linkage, which a slip would otherwise waste.
fn check_inputs(args: &LinkFilesArgs) -> anyhow::Result<()> {
    for path in args.files.iter().chain(&args.truth) {
        // Anything else that can be read is taken: a pipe (`<(…)`) as much as a file.
        let what = if !path.exists() {
            "not there"
        } else if path.is_dir() {
            "a folder"
        } else {
            continue;
        };
        bail!("{} is {what}: give the path of a CSV file", path.display());
    }
    Ok(())
}

/// Refuses, before the run, an output that cannot be written ([`check_output_file`]) or that
/// names the same file as another output or as an input (a list or the truth), however the
/// paths are written: the file would be overwritten.
fn check_outputs_differ(args: &LinkFilesArgs) -> anyhow::Result<()> {
    let outputs = [
        ("--out", Some(&args.out)),
        ("--reviewed-clusters", args.reviewed_clusters.as_ref()),
        ("--review-out", args.review_out.as_ref()),
        ("--missed-out", args.missed_out.as_ref()),
    ];
    let given: Vec<(&str, &PathBuf)> = outputs
        .into_iter()
        .filter_map(|(flag, path)| path.map(|p| (flag, p)))
        .collect();
    let same = |a: &Path, b: &Path| {
        matches!(
            (std::path::absolute(a), std::path::absolute(b)),
            (Ok(a), Ok(b)) if a == b
        )
    };
    for (i, (flag, path)) in given.iter().enumerate() {
        check_output_file(flag, path)?;
        if let Some((other, _)) = given[i + 1..].iter().find(|(_, p)| same(p, path)) {
            bail!(
                "{flag} and {other} are both {}: give each output a file of its own",
                path.display()
            );
        }
        let inputs = args.files.iter().chain(&args.truth);
        if let Some(input) = inputs.into_iter().find(|input| same(input, path)) {
            bail!(
                "{flag} is {}, one of the files read: writing it would overwrite it; give the output a file of its own",
                input.display()
            );
        }
    }
    Ok(())
}

fn options(args: &LinkFilesArgs) -> LinkOptions {
    let mut options = LinkOptions {
        max_block_size: args.max_block_size,
        match_threshold: args.threshold,
        review: ReviewBand {
            lower: args.review_lower,
            upper: args.review_upper,
        },
        ..LinkOptions::default()
    };
    options.train.seed = args.seed;
    if args.keep_weak_links {
        options.weak_links = WeakLinks::Keep;
    }
    options
}

/// Runs one step under a spinner that ends with the step's time.
fn stage<T>(name: &str, step: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let spinner = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        spinner.set_style(style);
    }
    spinner.set_message(name.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let result = step();
    spinner.finish_and_clear();
    eprintln!("{name}: {:.2} s", started.elapsed().as_secs_f64());
    result
}

/// A field and the columns joined into it.
type Mapping = Vec<(CanonicalField, Vec<String>)>;

fn parse_map(map: Option<&str>) -> anyhow::Result<Mapping> {
    let Some(map) = map else {
        return Ok(Vec::new());
    };
    map.split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| {
            let Some((field, columns)) = pair.split_once('=') else {
                bail!("--map entries look like FIELD=COLUMN; got `{pair}`");
            };
            let Some(field) = CanonicalField::parse(field) else {
                let known: Vec<&str> = CanonicalField::ALL.iter().map(|f| f.as_str()).collect();
                bail!(
                    "--map: `{}` is not a canonical field; use one of {}",
                    field.trim(),
                    known.join(", ")
                );
            };
            let columns = columns.split('+').map(|c| c.trim().to_string()).collect();
            Ok((field, columns))
        })
        .collect()
}

/// The stems `--duplicate-free` names, each checked to be `all` or one of the lists' stems
/// (a misspelt stem had been taken silently, and the list compared with itself after all).
fn duplicate_free_stems(
    list: Option<&str>,
    files: &[PathBuf],
) -> anyhow::Result<Option<Vec<String>>> {
    let Some(list) = list else {
        return Ok(None);
    };
    let stems = files
        .iter()
        .map(|path| stem_of(path))
        .collect::<anyhow::Result<Vec<String>>>()?;
    let named: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(unknown) = named.iter().find(|s| *s != "all" && !stems.contains(s)) {
        bail!(
            "--duplicate-free names `{unknown}`, which is none of the lists (their names are the files' stems: {}), nor `all`",
            stems.join(", ")
        );
    }
    Ok(Some(named))
}

/// The records read, and each record's (source, id) for output and truth.
struct Input {
    records: Records,
    stems: Vec<String>,
    /// Per source (in `stems` order), its first record's index and each record id's row.
    ids: Vec<(RecordIndex, foldhash::HashMap<String, u32>)>,
}

const FIELDS: &[CanonicalField] = linkage::records::MATCHED_FIELDS;

/// One list as read: per row, its id and then one cell per matched field.
#[derive(Default)]
struct ReadList {
    cells: TextColumn,
    /// Each id's row (from 0).
    row_of: foldhash::HashMap<String, u32>,
}

impl ReadList {
    /// Cells per row: the id, then the matched fields.
    const WIDTH: usize = FIELDS.len() + 1;

    /// Adds a row; refuses an id the list has already given.
    fn push(&mut self, path: &Path, id: &str, cells: &[&str]) -> anyhow::Result<()> {
        let row = self.len() as u32;
        if self.row_of.insert(id.to_string(), row).is_some() {
            bail!("{}: record id `{id}` appears twice", path.display());
        }
        self.cells.push(id);
        cells.iter().for_each(|cell| self.cells.push(cell));
        Ok(())
    }

    fn len(&self) -> usize {
        self.cells.len() / Self::WIDTH
    }

    /// A row's cell: 0 is the id, then the matched fields.
    fn cell(&self, row: usize, k: usize) -> &str {
        self.cells.get((row * Self::WIDTH + k) as RecordIndex)
    }
}

/// Reads the lists, each on a thread of its own, then adds them to the records in order.
fn read_lists(
    files: &[PathBuf],
    mapping: &Mapping,
    free: &Option<Vec<String>>,
) -> anyhow::Result<Input> {
    let stems = files
        .iter()
        .map(|path| stem_of(path))
        .collect::<anyhow::Result<Vec<String>>>()?;
    let lists: Vec<anyhow::Result<ReadList>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .zip(&stems)
            .map(|(path, stem)| {
                scope.spawn(move || {
                    let mut list = ReadList::default();
                    read_list(path, stem, mapping, |id, cells| list.push(path, id, cells))
                        .map(|()| list)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a thread reading the lists failed")))
            })
            .collect()
    });
    let mut builder = Records::builder(FIELDS);
    let mut ids = Vec::with_capacity(files.len());
    for ((path, stem), list) in files.iter().zip(&stems).zip(lists) {
        let list = list?;
        let is_free = free
            .as_ref()
            .is_some_and(|list| list.iter().any(|s| s == "all" || s == stem));
        let spec = SourceSpec {
            duplicates: if is_free {
                Duplicates::Free
            } else {
                Duplicates::Possible
            },
            ..SourceSpec::new(stem.clone())
        };
        let source = builder
            .add_source(spec)
            .with_context(|| format!("adding {}", path.display()))?;
        let mut first = None;
        let mut cells = Vec::with_capacity(FIELDS.len());
        for row in 0..list.len() {
            cells.clear();
            cells.extend((1..ReadList::WIDTH).map(|k| list.cell(row, k)));
            let index = builder
                .push(source, list.cell(row, 0), &cells)
                .with_context(|| format!("{stem}: row {}", row + 1))?;
            first.get_or_insert(index);
        }
        ids.push((first.unwrap_or_default(), list.row_of));
    }
    let records = builder.build().context("checking the lists")?;
    Ok(Input {
        records,
        stems,
        ids,
    })
}

fn stem_of(path: &Path) -> anyhow::Result<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_string)
        .with_context(|| {
            format!(
                "{} has no file name to use as a source name",
                path.display()
            )
        })
}

/// Reads one file, handing each row's id and matched cells to `push`.
fn read_list(
    path: &Path,
    stem: &str,
    mapping: &Mapping,
    mut push: impl FnMut(&str, &[&str]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("opening {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?
        .clone();
    let plan = column_plan(&headers, mapping)
        .with_context(|| format!("mapping the columns of {}", path.display()))?;
    if plan.fields.iter().all(Vec::is_empty) {
        let compared: Vec<&str> = FIELDS.iter().map(|f| f.as_str()).collect();
        bail!(
            "{} has none of the columns linkage compares ({}); name them so, or map them with --map FIELD=COLUMN",
            path.display(),
            compared.join(", ")
        );
    }
    let mut record = csv::StringRecord::new();
    let mut joined: Vec<String> = vec![String::new(); FIELDS.len()];
    let mut row = 0usize;
    loop {
        let has_row = reader
            .read_record(&mut record)
            .map_err(|error| row_error(path, row + 1, error))?;
        if !has_row {
            break;
        }
        row += 1;
        let id = match plan.id {
            Some(column) => record.get(column).unwrap_or("").trim().to_string(),
            None => row.to_string(),
        };
        if id.is_empty() {
            bail!("{}: row {row} has an empty record id", path.display());
        }
        for (cell, columns) in joined.iter_mut().zip(&plan.fields) {
            cell.clear();
            for &column in columns {
                let value = record.get(column).unwrap_or("").trim();
                if !value.is_empty() {
                    if !cell.is_empty() {
                        cell.push(' ');
                    }
                    cell.push_str(value);
                }
            }
        }
        let cells: Vec<&str> = joined.iter().map(String::as_str).collect();
        push(&id, &cells).with_context(|| format!("{stem}: row {row}"))?;
    }
    if row == 0 {
        bail!(
            "{} has no records: a list needs a header and at least one row",
            path.display()
        );
    }
    Ok(())
}

/// A row that cannot be read, with what to do when the file is not UTF-8 (this command reads
/// UTF-8 only; the registry's import detects the encoding).
fn row_error(path: &Path, row: usize, error: csv::Error) -> anyhow::Error {
    if matches!(error.kind(), csv::ErrorKind::Utf8 { .. }) {
        return anyhow::anyhow!(
            "{}: row {row} is not UTF-8: link-files reads UTF-8 CSV only; save the list as UTF-8 (a Windows-1256 list: iconv -f WINDOWS-1256 -t UTF-8), or import it into a registry, whose import detects the encoding",
            path.display()
        );
    }
    anyhow::Error::new(error).context(format!("{}: reading row {row}", path.display()))
}

/// Which columns feed the record id and each matched field.
struct ColumnPlan {
    id: Option<usize>,
    fields: Vec<Vec<usize>>,
}

fn column_plan(headers: &csv::StringRecord, mapping: &Mapping) -> anyhow::Result<ColumnPlan> {
    let position = |name: &str| headers.iter().position(|h| h.trim() == name);
    let columns_of = |field: CanonicalField| -> anyhow::Result<Vec<usize>> {
        match mapping.iter().find(|(f, _)| *f == field) {
            Some((_, columns)) => columns
                .iter()
                .map(|column| {
                    position(column).with_context(|| {
                        let known: Vec<&str> = headers.iter().collect();
                        format!(
                            "--map {field}={column}: there is no column `{column}` (columns: {})",
                            known.join(", ")
                        )
                    })
                })
                .collect(),
            None => Ok(position(field.as_str()).into_iter().collect()),
        }
    };
    let id = columns_of(CanonicalField::RecordId)?.first().copied();
    let fields = FIELDS
        .iter()
        .map(|&field| columns_of(field))
        .collect::<anyhow::Result<_>>()?;
    Ok(ColumnPlan { id, fields })
}

fn report_blocking(linker: &Linker) {
    let report = linker.blocking_report();
    for rule in &report.rules {
        eprintln!(
            "  block {:<44} {:>8} blocks {:>11} pairs",
            rule.rule, rule.blocks, rule.pairs
        );
        if rule.capped_blocks > 0 {
            eprintln!(
                "    capped: {} blocks over {} records skipped (largest {}), {} pairs not compared",
                rule.capped_blocks, rule.cap, rule.largest_capped_block, rule.skipped_pairs
            );
        }
    }
    for (field, count) in linker.unreadable_cells() {
        eprintln!("  {count} cells of {field} could not be read and count as missing");
    }
}

fn report_training(model: &linkage::Model) {
    let t = &model.training;
    eprintln!(
        "  u from {} random pairs; m by EM on {} pairs ({} patterns, {} iterations), {:?}; \
         expected matches {:.0}",
        t.u_sample_pairs,
        t.em_pairs,
        t.em_patterns,
        t.em_iterations,
        t.m_source,
        t.expected_matches
    );
    for (rule, kept) in &t.em_sessions {
        if !kept {
            eprintln!("  EM session on {rule} collapsed and was discarded");
        }
    }
}

fn report_linkage(linkage: &Linkage, took: Duration) {
    let r = &linkage.report;
    let seconds = took.as_secs_f64().max(1e-9);
    eprintln!(
        "  {} pairs scored ({:.1} M pairs/s), {} links, {} clusters, {} pairs for review",
        r.scored_pairs,
        r.scored_pairs as f64 / seconds / 1e6,
        r.links,
        r.clusters,
        linkage.review.len()
    );
    let c = &r.clustering;
    if c.refused_duplicate_free + c.refused_by_review + c.refused_incoherent + c.weak_links_cut > 0
    {
        eprintln!(
            "  clustering refused {} links inside duplicate-free lists, {} against review, {} \
             between groups that disagree on the whole; cut {} weak links",
            c.refused_duplicate_free, c.refused_by_review, c.refused_incoherent, c.weak_links_cut
        );
    }
}

fn write_clusters(path: &Path, records: &Records, clusters: &[u32]) -> anyhow::Result<()> {
    write_csv(path, |out| {
        writeln!(out, "source,record_id,cluster_id")?;
        for (record, cluster) in clusters.iter().enumerate() {
            writeln!(
                out,
                "{},{cluster}",
                record_cells(records, record as RecordIndex)
            )?;
        }
        Ok(())
    })
}

fn write_review(path: &Path, records: &Records, linkage: &Linkage) -> anyhow::Result<()> {
    write_csv(path, |out| {
        writeln!(out, "source_a,record_id_a,source_b,record_id_b,probability")?;
        for pair in &linkage.review {
            writeln!(
                out,
                "{},{},{:.4}",
                record_cells(records, pair.a),
                record_cells(records, pair.b),
                pair.probability()
            )?;
        }
        Ok(())
    })
}

/// One row per true pair left apart; each field has two cells, its weight and its level.
fn write_missed(
    path: &Path,
    records: &Records,
    comparisons: &[linkage::compare::Comparison],
    missed: &[MissedPair],
) -> anyhow::Result<()> {
    write_csv(path, |out| {
        write!(
            out,
            "source_a,record_id_a,source_b,record_id_b,compared,probability"
        )?;
        for comparison in comparisons {
            let field = comparison.field.as_str();
            write!(out, ",{field}_weight,{field}_level")?;
        }
        writeln!(out)?;
        for pair in missed {
            write!(
                out,
                "{},{},{},{:.4}",
                record_cells(records, pair.a),
                record_cells(records, pair.b),
                if pair.compared { "yes" } else { "no" },
                pair.explanation.probability
            )?;
            for field in &pair.explanation.fields {
                write!(out, ",{:.2},{}", field.weight, csv_cell(field.level))?;
            }
            writeln!(out)?;
        }
        Ok(())
    })
}

/// How many true pairs were never compared, and where the compared ones scored; then which
/// field weighed most against each compared pair, by field and level, most frequent first.
fn report_missed(missed: &[MissedPair], review_lower: f64, threshold: f64) {
    let compared: Vec<&MissedPair> = missed.iter().filter(|m| m.compared).collect();
    let scored = |low: f64, high: f64| {
        compared
            .iter()
            .filter(|m| (low..high).contains(&m.explanation.probability))
            .count()
    };
    eprintln!(
        "  {} true pairs left apart: {} never compared; of the {} compared, {} scored under {review_lower}, {} from {review_lower} to {threshold}, {} at {threshold} or more (kept apart by clustering)",
        missed.len(),
        missed.len() - compared.len(),
        compared.len(),
        scored(f64::NEG_INFINITY, review_lower),
        scored(review_lower, threshold),
        scored(threshold, f64::INFINITY),
    );
    let mut against: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for pair in &compared {
        let worst = pair
            .explanation
            .fields
            .iter()
            .filter(|f| f.weight < 0.0)
            .min_by(|x, y| x.weight.total_cmp(&y.weight));
        if let Some(field) = worst {
            *against
                .entry((field.field.as_str(), field.level))
                .or_default() += 1;
        }
    }
    let mut against: Vec<_> = against.into_iter().collect();
    against.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let listed: Vec<String> = against
        .iter()
        .take(8)
        .map(|((field, level), n)| format!("{field} {level} ({n})"))
        .collect();
    if !listed.is_empty() {
        eprintln!(
            "  weighing most against the compared ones: {}",
            listed.join(", ")
        );
    }
}

/// A record's source and id as two CSV cells.
fn record_cells(records: &Records, r: RecordIndex) -> String {
    let source = &records.sources()[records.source_of(r).0 as usize].name;
    format!("{},{}", csv_cell(source), csv_cell(records.id(r)))
}

/// Creates `path` and writes it through a buffer, naming the file in any error.
fn write_csv(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("writing {}", path.display()))
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The person of each record per the truth file; a record the truth does not name is a
/// person of its own, and a truth row naming no record is an error.
fn read_truth(path: &Path, input: &Input) -> anyhow::Result<Vec<Option<u32>>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .with_context(|| {
                format!(
                    "{} has no `{name}` column (source,record_id,person_id)",
                    path.display()
                )
            })
    };
    let (source, id, person) = (
        column("source")?,
        column("record_id")?,
        column("person_id")?,
    );
    let mut truth = vec![None; input.records.len()];
    let mut persons: HashMap<String, u32> = HashMap::new();
    for (line, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: reading line {}", path.display(), line + 2))?;
        let (s, r) = (row.get(source).unwrap_or(""), row.get(id).unwrap_or(""));
        let index = find_record(input, s, r).with_context(|| {
            format!(
                "{} line {}: record ({s}, {r}) is in none of the lists (sources: {})",
                path.display(),
                line + 2,
                input.stems.join(", ")
            )
        })?;
        let next = persons.len() as u32;
        let p = *persons
            .entry(row.get(person).unwrap_or("").to_string())
            .or_insert(next);
        truth[index as usize] = Some(p);
    }
    let unknown = truth.iter().filter(|t| t.is_none()).count();
    if unknown > 0 {
        eprintln!(
            "  {unknown} records are not in the truth file and count as persons of their own"
        );
    }
    Ok(truth)
}

/// Finds a record by source and id; a truth source `3` also finds the stem `source_3`.
fn find_record(input: &Input, source: &str, id: &str) -> Option<RecordIndex> {
    let lookup = |position: usize| {
        let (first, rows) = &input.ids[position];
        rows.get(id).map(|row| first + row)
    };
    let exact = input.stems.iter().position(|stem| stem == source);
    let suffixed = input
        .stems
        .iter()
        .position(|stem| stem.rsplit('_').next() == Some(source));
    exact.and_then(lookup).or_else(|| suffixed.and_then(lookup))
}

fn print_scores(
    label: &str,
    linker: &Linker,
    linkage: &Linkage,
    truth: &[Option<u32>],
) -> anyhow::Result<()> {
    let scores = pairwise_scores(&linkage.clusters, truth);
    let recall = linker.blocking_recall(truth)?;
    println!(
        "{label}: precision {:.4}  recall {:.4}  F1 {:.4}  ({} true pairs, {} predicted, {} correct)",
        scores.precision,
        scores.recall,
        scores.f1,
        scores.true_pairs,
        scores.predicted_pairs,
        scores.true_positive_pairs
    );
    println!(
        "{label}: {} clusters for {} true persons; blocking recall {:.4} ({} of {} true pairs compared)",
        scores.clusters,
        scores.true_persons,
        recall.recall,
        recall.blocked_true_pairs,
        recall.true_pairs
    );
    Ok(())
}

/// Labels the first `decisions` review pairs (most uncertain first) from the truth, as a
/// reviewer would, then retrains, links again with the labels and returns that linkage.
fn simulate_review(
    linker: &Linker,
    linkage: &Linkage,
    truth: &[Option<u32>],
    decisions: usize,
) -> anyhow::Result<Linkage> {
    let mut queue = linkage.review.clone();
    queue.sort_by(|x, y| {
        let distance = |p: &linkage::ScoredPair| (p.probability() - 0.5).abs();
        distance(x).total_cmp(&distance(y))
    });
    let labels: Vec<PairLabel> = queue
        .iter()
        .take(decisions)
        .map(|pair| {
            let same = truth[pair.a as usize].is_some()
                && truth[pair.a as usize] == truth[pair.b as usize];
            PairLabel {
                a: pair.a,
                b: pair.b,
                decision: if same {
                    Decision::Same
                } else {
                    Decision::Different
                },
            }
        })
        .collect();
    let model = linker
        .train(&labels)
        .context("retraining with review decisions")?;
    let relinked = linker
        .link(&model, &labels)
        .context("linking with review decisions")?;
    print_scores(
        &format!("after {} review decisions", labels.len()),
        linker,
        &relinked,
        truth,
    )?;
    Ok(relinked)
}
