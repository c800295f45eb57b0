//! `whereabouts demo`: a registry filled with synthetic lists, to see the tool at work.
//!
//! Creates the registry, writes synthetic lists with `synth` into `<data>/demo-lists/`,
//! imports each list as its own source (named after the file, as `link-files` and the truth
//! file name them), links the records into persons, and prints a summary. Run twice, it only prints the summary.

use crate::commands::import::store_checked_list;
use crate::commands::link::{DEFAULT_THRESHOLD, link_registry};
use crate::commands::user::add_user;
use crate::registry::{DataDir, block_on};
use anyhow::Context;
use domain::account::Role;
use domain::source::{NewSource, Reliability, SourceKind};
use import::ReadOptions;
use std::path::Path;
use store::{DuplicateFile, Store};

/// How big the demo registry is.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoSize {
    /// Persons in the synthetic population (including those no list records).
    #[arg(long, default_value_t = 2_000)]
    pub persons: u64,
    /// Number of synthetic lists.
    #[arg(long, default_value_t = 5)]
    pub sources: u32,
    /// Seed of the synthetic lists.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    size: DemoSize,
    #[command(flatten)]
    data: DataDir,
}

/// The web login of a demo registry.
pub const DEMO_LOGIN: &str = "admin";

/// Builds (or shows) the demo registry.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let root = args.data.path.clone();
    block_on(async {
        let store = match Store::open(&root).await {
            Ok(store) => {
                println!(
                    "a registry already exists at {}; here is what it holds",
                    root.display()
                );
                store
            }
            Err(store::StoreError::NoRegistry { .. }) => {
                let (store, password) = fill(&args.size, &root).await?;
                println!(
                    "web login: `{DEMO_LOGIN}`, password: {password} (whereabouts serve --data {})",
                    root.display()
                );
                store
            }
            Err(error) => return Err(error.into()),
        };
        let summary = summarise(&store).await;
        store.close().await;
        summary
    })?
}

/// Creates a registry in `root`, fills it with synthetic lists, links them and adds the
/// administrator account `admin`; returns the store and that account's password.
pub async fn fill(args: &DemoSize, root: &Path) -> anyhow::Result<(Store, String)> {
    let store = Store::init(root).await?;
    let lists = root.join("demo-lists");
    let config = synth::SynthConfig {
        persons: args.persons,
        sources: args.sources,
        seed: args.seed,
        ..synth::SynthConfig::default()
    };
    let synthetic = synth::write_lists(&config, &lists)
        .with_context(|| format!("writing synthetic lists to {}", lists.display()))?;
    println!(
        "wrote {} synthetic lists for a population of {} to {}",
        synthetic.records_per_source.len(),
        synthetic.true_persons,
        lists.display()
    );
    for k in 1..=synthetic.records_per_source.len() {
        let name = format!("source_{k}");
        let path = lists.join(format!("{name}.csv"));
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let list = import::read_list(&format!("{name}.csv"), &bytes, &ReadOptions::default())?;
        let source = NewSource {
            name: name.clone(),
            kind: SourceKind::List,
            reliability: Reliability::Unknown,
            calendar: None,
            file_sha256: None,
            file_name: Some(list.file_name.clone()),
        };
        let receipt =
            store_checked_list(&store, &list, &bytes, source, DuplicateFile::Refuse).await?;
        println!("imported {:>7} records from {name}.csv", receipt.records);
    }
    link_registry(&store, DEFAULT_THRESHOLD).await?;
    let password = web::auth::one_time_password();
    add_user(&store, DEMO_LOGIN, Role::Admin, &password, false).await?;
    Ok((store, password))
}

async fn summarise(store: &Store) -> anyhow::Result<()> {
    let counts = store.counts().await?;
    let verdict = store.verify_audit().await?;
    println!();
    println!("registry at {}", store.paths().root.display());
    println!("  sources        {}", counts.sources);
    println!("  source records {}", counts.records);
    println!("  persons        {}", counts.persons);
    println!(
        "  audit entries  {} (chain {})",
        counts.audit_entries,
        match verdict.broken {
            None => "verified".to_string(),
            Some(chain_break) => format!("BROKEN: {chain_break}"),
        }
    );
    for source in store.sources().await? {
        println!("  - {:<12} {:>7} records", source.name, source.records);
    }
    let data = store.paths().root.display();
    println!();
    println!("next: whereabouts export records --data {data} | head");
    println!("      whereabouts review list --data {data}");
    println!("      whereabouts estimate --data {data}");
    println!("      whereabouts audit verify --data {data}");
    Ok(())
}
