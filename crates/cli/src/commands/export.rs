//! `whereabouts export records`: every source record as CSV, with its canonical fields.

use crate::registry::{DataDir, block_on, check_output_file};
use anyhow::Context;
use domain::fields::CanonicalField;
use std::io::Write;
use std::path::PathBuf;
use store::{Store, StoredRecord};

/// Records read from the registry per page.
const PAGE: u32 = 10_000;

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportWhat,
}

#[derive(Debug, clap::Subcommand)]
enum ExportWhat {
    /// Source records: registry id, source, row, then the canonical fields as the source wrote them.
    Records {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
}

/// Runs the export.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let ExportWhat::Records { out, data } = args.what;
    if let Some(path) = &out {
        check_output_file("--out", path)?;
    }
    let sink: Box<dyn Write + Send> = match &out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    block_on(async {
        let store = Store::open(&data.path).await?;
        let written = export_records(&store, sink).await;
        store.close().await;
        let written = written?;
        if let Some(path) = out {
            eprintln!("exported {written} records to {}", path.display());
        }
        Ok(())
    })?
}

async fn export_records(store: &Store, sink: Box<dyn Write + Send>) -> anyhow::Result<u64> {
    let mut writer = csv::Writer::from_writer(sink);
    let mut header = vec!["registry_id", "source", "row_number"];
    header.extend(CanonicalField::ALL.iter().map(|f| f.as_str()));
    header.push("warnings");
    writer.write_record(&header)?;
    let mut after = None;
    let mut written = 0u64;
    loop {
        let page = store.records_page(after, PAGE).await?;
        for record in &page.records {
            writer.write_record(row(record))?;
            written += 1;
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    writer.flush().context("writing the export")?;
    Ok(written)
}

fn row(record: &StoredRecord) -> Vec<String> {
    let mut cells = vec![
        record.id.to_string(),
        record.source_name.clone(),
        record.row_number.to_string(),
    ];
    cells.extend(CanonicalField::ALL.iter().map(|field| {
        record
            .field(*field)
            .map(|v| v.display_text())
            .unwrap_or_default()
    }));
    cells.push(record.warnings.join("; "));
    cells
}
