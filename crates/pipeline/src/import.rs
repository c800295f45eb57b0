//! Storing a checked list: the one path from a [`ParsedList`] to the registry, shared by
//! `whereabouts import`, the demo and the web app's import page.

use anyhow::Context;
use domain::actor::Actor;
use domain::source::NewSource;
use import::ParsedList;
use store::{DuplicateFile, ImportReceipt, NewImport, Store};

/// Stores a checked list as `source` in one transaction; `progress` hears the rows written.
pub async fn store_list(
    store: &Store,
    list: &ParsedList,
    bytes: &[u8],
    source: NewSource,
    on_duplicate: DuplicateFile,
    actor: &Actor,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<ImportReceipt> {
    let new_import = NewImport {
        source,
        file_bytes: bytes,
        file_name: list.file_name.clone(),
        media_type: list.media_type.to_string(),
        encoding: list.encoding.to_string(),
        delimiter: list.table.delimiter.clone(),
        columns: list.table.header.clone(),
        mapping: list.columns.named(),
        on_duplicate,
    };
    store
        .import(&new_import, &mut list.records(), actor, progress)
        .await
        .with_context(|| format!("importing {}; nothing was written", list.file_name))
}
