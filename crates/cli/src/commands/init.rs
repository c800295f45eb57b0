//! `whereabouts init`: create an empty registry.

use crate::registry::{DataDir, block_on};
use anyhow::Context;

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    #[command(flatten)]
    data: DataDir,
}

/// Creates the registry folder, its database and file area.
pub fn run(args: InitArgs) -> anyhow::Result<()> {
    let path = args.data.path;
    block_on(async {
        let store = store::Store::init(&path)
            .await
            .with_context(|| format!("creating a registry at {}", path.display()))?;
        store.close().await;
        println!("created an empty registry at {}", path.display());
        println!(
            "next: whereabouts import FILE --source NAME --data {}",
            path.display()
        );
        Ok(())
    })?
}
