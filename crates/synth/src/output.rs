//! Generating the population in parallel chunks and writing the files: `source_<k>.csv`,
//! `truth.csv` and `meta.json`.
//!
//! Each chunk of persons has its own RNG seeded from the run's seed and the chunk's number,
//! so the output depends on the seed alone, not on the number of threads. Chunks are
//! generated a batch at a time in parallel and written in order; record ids are numbered as
//! rows are written, so they run `s<k>-000001`, `s<k>-000002`, … in file order.

use crate::capture::CaptureModel;
use crate::population::World;
use crate::render::Renderer;
use crate::style::{SourceStyle, splitmix};
use crate::{SynthConfig, SynthError, SynthSummary};
use domain::fields::CanonicalField;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Persons per chunk.
const CHUNK_PERSONS: u64 = 4_096;
/// Chunks generated in parallel before they are written.
const CHUNKS_PER_BATCH: u64 = 32;

/// The rows one chunk produced for one source, in the (shuffled) order they are written.
#[derive(Debug, Default)]
struct SourceRows {
    /// Rows, each starting with the comma after `record_id` and ending in a newline.
    bytes: Vec<u8>,
    /// Byte offset of each row's start in `bytes`.
    starts: Vec<u32>,
    /// The person (0-based index) of each row.
    persons: Vec<u64>,
    /// Rows that repeat a person already on the list.
    duplicates: u64,
}

/// Everything one chunk produced.
#[derive(Debug)]
struct Chunk {
    sources: Vec<SourceRows>,
    /// Capture pattern (bit k = on source k+1) → persons.
    patterns: HashMap<u64, u64>,
}

/// Shared, read-only state of a run.
struct Run<'a> {
    config: &'a SynthConfig,
    world: &'a World,
    styles: &'a [SourceStyle],
    capture: &'a CaptureModel,
}

fn chunk_rng(seed: u64, chunk: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix(seed.wrapping_add(splitmix(chunk ^ 0xc4a2_7d13))))
}

impl Run<'_> {
    fn generate_chunk(&self, chunk: u64) -> Chunk {
        let mut rng = chunk_rng(self.config.seed, chunk);
        let first = chunk * CHUNK_PERSONS;
        let last = (first + CHUNK_PERSONS).min(self.config.persons);
        let mut renderer = Renderer::new(self.world, self.config.noise);
        let mut sources: Vec<SourceRows> =
            self.styles.iter().map(|_| SourceRows::default()).collect();
        let mut patterns = HashMap::new();
        let mut counts = vec![0u8; self.styles.len()];
        for index in first..last {
            let person = self.world.person(&mut rng);
            self.capture
                .draw(&person, self.styles, &mut rng, &mut counts);
            let mut pattern = 0u64;
            for (k, (style, rows)) in self.styles.iter().zip(&mut sources).enumerate() {
                if counts[k] > 0 {
                    pattern |= 1 << k;
                }
                for copy in 0..counts[k] {
                    rows.starts.push(rows.bytes.len() as u32);
                    rows.persons.push(index);
                    renderer.write_row(&person, style, &mut rng, &mut rows.bytes);
                    if copy > 0 {
                        rows.duplicates += 1;
                    }
                }
            }
            if pattern != 0 {
                *patterns.entry(pattern).or_insert(0) += 1;
            }
        }
        for rows in &mut sources {
            shuffle_rows(rows, &mut rng);
        }
        Chunk { sources, patterns }
    }
}

/// Puts a chunk's rows in random order, so that a person's duplicate is not next to them.
fn shuffle_rows(rows: &mut SourceRows, rng: &mut Xoshiro256PlusPlus) {
    let mut order: Vec<usize> = (0..rows.starts.len()).collect();
    order.shuffle(rng);
    let mut bytes = Vec::with_capacity(rows.bytes.len());
    let mut starts = Vec::with_capacity(rows.starts.len());
    let mut persons = Vec::with_capacity(rows.persons.len());
    for i in order {
        let start = rows.starts[i] as usize;
        let end = rows
            .starts
            .get(i + 1)
            .map_or(rows.bytes.len(), |s| *s as usize);
        starts.push(bytes.len() as u32);
        bytes.extend_from_slice(&rows.bytes[start..end]);
        persons.push(rows.persons[i]);
    }
    rows.bytes = bytes;
    rows.starts = starts;
    rows.persons = persons;
}

/// An open output file with its path, for error messages.
struct Output {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl Output {
    fn create(path: PathBuf) -> Result<Output, SynthError> {
        let file = File::create(&path).map_err(|source| SynthError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(Output {
            path,
            writer: BufWriter::with_capacity(1 << 20, file),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SynthError> {
        self.writer
            .write_all(bytes)
            .map_err(|source| SynthError::Write {
                path: self.path.clone(),
                source,
            })
    }

    fn finish(mut self) -> Result<(), SynthError> {
        self.writer.flush().map_err(|source| SynthError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// Running totals while chunks are written.
struct Totals {
    records: Vec<u64>,
    duplicates: Vec<u64>,
    patterns: HashMap<u64, u64>,
}

/// Generates everything and writes the files; see [`crate::write_lists`].
pub(crate) fn write_all(
    config: &SynthConfig,
    world: &World,
    styles: &[SourceStyle],
    out_dir: &Path,
) -> Result<SynthSummary, SynthError> {
    std::fs::create_dir_all(out_dir).map_err(|source| SynthError::CreateDir {
        path: out_dir.to_path_buf(),
        source,
    })?;
    // `meta.json` is written last, so a folder without it holds a run that did not finish; a
    // previous run's would vouch for lists this run is about to overwrite.
    let meta = out_dir.join("meta.json");
    if meta.exists() {
        std::fs::remove_file(&meta).map_err(|source| SynthError::Write { path: meta, source })?;
    }
    let capture = CaptureModel::new(styles, config.heterogeneity, config.duplicate_rate);
    let run = Run {
        config,
        world,
        styles,
        capture: &capture,
    };
    let mut lists = styles
        .iter()
        .map(|style| Output::create(out_dir.join(format!("{}.csv", style.stem))))
        .collect::<Result<Vec<_>, _>>()?;
    let header = header_line();
    for list in &mut lists {
        list.write(header.as_bytes())?;
    }
    let mut truth = Output::create(out_dir.join("truth.csv"))?;
    truth.write(b"source,record_id,person_id\n")?;
    let mut totals = Totals {
        records: vec![0; styles.len()],
        duplicates: vec![0; styles.len()],
        patterns: HashMap::new(),
    };
    let chunk_count = config.persons.div_ceil(CHUNK_PERSONS);
    let mut line = Vec::with_capacity(256);
    for batch_start in (0..chunk_count).step_by(CHUNKS_PER_BATCH as usize) {
        let batch_end = (batch_start + CHUNKS_PER_BATCH).min(chunk_count);
        let chunks: Vec<Chunk> = (batch_start..batch_end)
            .into_par_iter()
            .map(|chunk| run.generate_chunk(chunk))
            .collect();
        for chunk in chunks {
            write_chunk(
                &chunk,
                styles,
                &mut lists,
                &mut truth,
                &mut totals,
                &mut line,
            )?;
        }
    }
    for list in lists {
        list.finish()?;
    }
    truth.finish()?;
    let summary = summarise(config, styles, totals);
    write_meta(out_dir, config, &summary)?;
    Ok(summary)
}

fn header_line() -> String {
    let names: Vec<&str> = CanonicalField::ALL.iter().map(|f| f.as_str()).collect();
    format!("{}\n", names.join(","))
}

fn write_chunk(
    chunk: &Chunk,
    styles: &[SourceStyle],
    lists: &mut [Output],
    truth: &mut Output,
    totals: &mut Totals,
    line: &mut Vec<u8>,
) -> Result<(), SynthError> {
    for (k, rows) in chunk.sources.iter().enumerate() {
        let number = k + 1;
        for (i, start) in rows.starts.iter().enumerate() {
            let end = rows
                .starts
                .get(i + 1)
                .map_or(rows.bytes.len(), |s| *s as usize);
            totals.records[k] += 1;
            let id = totals.records[k];
            line.clear();
            let _ = write!(line, "s{number}-{id:06}");
            line.extend_from_slice(&rows.bytes[*start as usize..end]);
            lists[k].write(line)?;
            line.clear();
            let person = rows.persons[i] + 1;
            let _ = writeln!(line, "{},s{number}-{id:06},p{person:07}", styles[k].stem);
            truth.write(line)?;
        }
        totals.duplicates[k] += rows.duplicates;
    }
    for (pattern, count) in &chunk.patterns {
        *totals.patterns.entry(*pattern).or_insert(0) += count;
    }
    Ok(())
}

fn summarise(config: &SynthConfig, styles: &[SourceStyle], totals: Totals) -> SynthSummary {
    let width = styles.len();
    let pattern_counts: BTreeMap<String, u64> = totals
        .patterns
        .iter()
        .map(|(bits, count)| {
            let text: String = (0..width)
                .map(|k| if bits & (1 << k) != 0 { '1' } else { '0' })
                .collect();
            (text, *count)
        })
        .collect();
    let observed: u64 = pattern_counts.values().sum();
    SynthSummary {
        true_persons: config.persons,
        observed_persons: observed,
        records_per_source: totals.records.clone(),
        duplicates_per_source: totals.duplicates.clone(),
        persons_per_source: totals
            .records
            .iter()
            .zip(&totals.duplicates)
            .map(|(r, d)| r - d)
            .collect(),
        pattern_counts,
        styles: styles.to_vec(),
    }
}

/// The `meta.json` document.
#[derive(Serialize)]
struct Meta<'a> {
    about: &'static str,
    /// N: every person generated, including those on no list.
    true_persons: u64,
    true_persons_note: &'static str,
    observed_persons: u64,
    unobserved_persons: u64,
    seed: u64,
    config: &'a SynthConfig,
    pattern_order: Vec<&'a str>,
    pattern_counts: &'a BTreeMap<String, u64>,
    sources: Vec<SourceMeta<'a>>,
}

#[derive(Serialize)]
struct SourceMeta<'a> {
    file: String,
    records: u64,
    persons: u64,
    duplicate_records: u64,
    style: &'a SourceStyle,
}

fn write_meta(
    out_dir: &Path,
    config: &SynthConfig,
    summary: &SynthSummary,
) -> Result<(), SynthError> {
    let meta = Meta {
        about: "Synthetic victim lists made by `whereabouts synth`; every person is invented.",
        true_persons: summary.true_persons,
        true_persons_note: "true_persons is N, the whole population generated, INCLUDING the persons no list recorded (unobserved_persons); compare population estimates with it. pattern_counts covers only the observed persons.",
        observed_persons: summary.observed_persons,
        unobserved_persons: summary.true_persons - summary.observed_persons,
        seed: config.seed,
        config,
        pattern_order: summary.styles.iter().map(|s| s.stem.as_str()).collect(),
        pattern_counts: &summary.pattern_counts,
        sources: summary
            .styles
            .iter()
            .enumerate()
            .map(|(k, style)| SourceMeta {
                file: format!("{}.csv", style.stem),
                records: summary.records_per_source[k],
                persons: summary.persons_per_source[k],
                duplicate_records: summary.duplicates_per_source[k],
                style,
            })
            .collect(),
    };
    let mut out = Output::create(out_dir.join("meta.json"))?;
    let text = serde_json::to_string_pretty(&meta).map_err(SynthError::Meta)?;
    out.write(text.as_bytes())?;
    out.write(b"\n")?;
    out.finish()
}
