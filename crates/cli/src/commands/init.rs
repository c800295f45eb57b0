//! `whereabouts init`: create an empty registry.

use crate::registry::{DataDir, block_on};
use anyhow::Context;
use domain::account::Role;

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
        let password = web::auth::one_time_password();
        let admin =
            crate::commands::user::add_user(&store, "admin", Role::Admin, &password, true).await;
        store.close().await;
        admin?;
        println!("created an empty registry at {}", path.display());
        println!("first administrator: login `admin`, one-time password: {password}");
        println!("(it must be changed at the first login; it is not shown again)");
        println!(
            "next: whereabouts import FILE --source NAME --data {}",
            path.display()
        );
        Ok(())
    })?
}
