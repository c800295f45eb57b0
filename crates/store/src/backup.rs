//! Backups: one tar file holding a consistent copy of the database, every content-addressed
//! file that copy records (a file no import finished recording is left out), and a manifest of
//! their SHA-256 hashes, the audit head and the number of audit entries. A backup is verified
//! after it is written; a restore verifies it again (every entry against the manifest, nothing
//! unlisted, the audit chain's head and length) before putting anything in place, and never
//! replaces anything (a registry, other files) unless told to, and then moves it aside.

use crate::{RegistryPaths, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};

const MANIFEST: &str = "MANIFEST.json";
const DATABASE: &str = "registry.sqlite";

/// What a backup holds, stored as its first entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The backup format's version.
    pub format: u32,
    /// When the backup was taken (RFC 3339).
    pub created_at: String,
    /// The audit chain's head hash at the time of the backup.
    pub audit_head: String,
    /// Audit entries in the backup.
    pub audit_entries: i64,
    /// Every entry of the archive but the manifest: path → SHA-256.
    pub entries: BTreeMap<String, String>,
}

/// What a backup or restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The backup file.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

/// What to do when `restore` finds a registry in the target folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingRegistry {
    /// Stop with an error.
    Refuse,
    /// Move it (or whatever the folder holds) aside to `<folder>.replaced-<time>` and restore
    /// in its place.
    MoveAside,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn bad_backup(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::BadBackup {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Writes a backup of the registry to `out` and verifies it.
pub async fn backup(store: &Store, out: &Path) -> Result<BackupReport, StoreError> {
    let verdict = store.verify_audit().await?;
    if let Some(chain_break) = verdict.broken {
        return Err(bad_backup(
            out,
            format!("the registry's audit chain is broken: {chain_break}"),
        ));
    }
    let staging = tempfile::tempdir_in(
        out.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )
    .map_err(io_error(out))?;
    let database_copy = staging.path().join(DATABASE);
    let recorded = store.snapshot_database(&database_copy).await?;
    let files = recorded_files(store, &recorded);

    let mut entries = BTreeMap::new();
    entries.insert(DATABASE.to_string(), hash_file(&database_copy)?);
    for (name, path) in &files {
        entries.insert(name.clone(), hash_file(path)?);
    }
    let manifest = Manifest {
        format: 1,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        audit_head: verdict.head,
        audit_entries: verdict.entries_checked,
        entries,
    };
    let partial = out.with_extension("partial");
    write_archive(&partial, &manifest, &database_copy, &files)?;
    let check = tempfile::tempdir_in(staging.path()).map_err(io_error(out))?;
    unpack_and_verify(&partial, check.path()).await?;
    std::fs::rename(&partial, out).map_err(io_error(out))?;
    Ok(BackupReport {
        path: out.to_path_buf(),
        manifest,
    })
}

/// Restores the backup `file` into the registry folder `root`.
pub async fn restore(
    file: &Path,
    root: &Path,
    on_existing: ExistingRegistry,
) -> Result<BackupReport, StoreError> {
    if on_existing == ExistingRegistry::Refuse
        && let Some(holds) = what_is_at(root)?
    {
        return Err(StoreError::RestoreTargetTaken {
            path: root.to_path_buf(),
            holds,
        });
    }
    let parent = root
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let staging = tempfile::tempdir_in(parent).map_err(io_error(parent))?;
    let manifest = unpack_and_verify(file, staging.path()).await?;
    // Looked at again: something may have come there while the backup was checked.
    match (what_is_at(root)?, on_existing) {
        (Some(holds), ExistingRegistry::Refuse) => {
            return Err(StoreError::RestoreTargetTaken {
                path: root.to_path_buf(),
                holds,
            });
        }
        (Some(_), ExistingRegistry::MoveAside) => move_aside(root)?,
        (None, _) if root.exists() => std::fs::remove_dir(root).map_err(io_error(root))?,
        (None, _) => {}
    }
    let staged = staging.keep();
    std::fs::rename(&staged, root).map_err(io_error(root))?;
    Ok(BackupReport {
        path: file.to_path_buf(),
        manifest,
    })
}

/// What is at a restore's target that a restore would replace: nothing (no such path, or an
/// empty folder), a registry, other files, or a file.
fn what_is_at(root: &Path) -> Result<Option<&'static str>, StoreError> {
    if !root.exists() {
        return Ok(None);
    }
    if !root.is_dir() {
        return Ok(Some("is a file"));
    }
    if RegistryPaths::new(root).exists() {
        return Ok(Some("holds a registry"));
    }
    let mut entries = std::fs::read_dir(root).map_err(io_error(root))?;
    Ok(entries.next().is_some().then_some("holds other files"))
}

/// Moves `root` aside to `<root>.replaced-<time>`, with `-2`, `-3`… added when a restore in the
/// same second took that name already.
fn move_aside(root: &Path) -> Result<(), StoreError> {
    let stamp = format!(
        "{}.replaced-{}",
        root.display(),
        chrono::Utc::now().format("%Y%m%dT%H%M%S")
    );
    let aside = (1..)
        .map(|n| match n {
            1 => PathBuf::from(&stamp),
            n => PathBuf::from(format!("{stamp}-{n}")),
        })
        .find(|path| !path.exists())
        .unwrap_or_else(|| PathBuf::from(&stamp));
    std::fs::rename(root, &aside).map_err(io_error(root))
}

/// Unpacks the archive `file` into `folder`, entry by entry, refusing any entry that is not a
/// plain file or folder (a link in a crafted archive could point anywhere on the machine) or
/// that would land outside `folder`. Errors name the entry, never the temporary `folder`.
fn unpack(file: &Path, folder: &Path) -> Result<(), StoreError> {
    let reader = File::open(file).map_err(io_error(file))?;
    let mut archive = tar::Archive::new(reader);
    let unreadable = |_: std::io::Error| {
        bad_backup(
            file,
            "it cannot be read as a tar archive: it is not a whereabouts backup, or it is damaged or cut short",
        )
    };
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        let name = entry
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir()) {
            return Err(bad_backup(
                file,
                format!(
                    "`{name}` is a link or a special file, and a backup holds only files and folders"
                ),
            ));
        }
        let unpacked = entry.unpack_in(folder).map_err(|e| {
            use std::io::ErrorKind::{
                FileTooLarge, PermissionDenied, QuotaExceeded, ReadOnlyFilesystem, StorageFull,
            };
            match innermost_kind(&e) {
                kind @ (StorageFull | QuotaExceeded | FileTooLarge | PermissionDenied
                | ReadOnlyFilesystem) => bad_backup(
                    file,
                    format!(
                        "`{name}` cannot be unpacked ({kind}): check the free space and the permissions of the folder the registry is restored beside"
                    ),
                ),
                _ => bad_backup(
                    file,
                    format!("`{name}` cannot be unpacked: the archive is damaged or cut short"),
                ),
            }
        })?;
        if !unpacked {
            return Err(bad_backup(
                file,
                format!("`{name}` would be unpacked outside the registry's folder"),
            ));
        }
    }
    Ok(())
}

/// The kind of the innermost I/O error in `error`'s causes: the tar crate wraps what went wrong
/// (a full disk, a folder it may not write) in errors of its own of kind `Other`, and says
/// `Other` itself for an entry cut short.
fn innermost_kind(error: &std::io::Error) -> std::io::ErrorKind {
    let mut kind = error.kind();
    let mut cause = error
        .get_ref()
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            kind = io.kind();
        }
        cause = current.source();
    }
    kind
}

/// Every file under `folder`, as its path relative to it with `/` between the parts.
fn unpacked_files(folder: &Path) -> Result<Vec<String>, StoreError> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).map_err(io_error(&current))? {
            let entry = entry.map_err(io_error(&current))?;
            let path = entry.path();
            // The entry's own type: a link is not followed.
            if entry.file_type().map_err(io_error(&path))?.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(folder) {
                let parts: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push(parts.join("/"));
            }
        }
    }
    Ok(found)
}

/// Unpacks a backup into `folder`, checks every entry against the manifest (and that nothing
/// unlisted came with them), and the database's audit chain against the manifest's head and
/// number of entries.
async fn unpack_and_verify(file: &Path, folder: &Path) -> Result<Manifest, StoreError> {
    unpack(file, folder)?;
    let manifest_bytes = std::fs::read(folder.join(MANIFEST)).map_err(|_| {
        bad_backup(
            file,
            "it has no MANIFEST.json: it is not a whereabouts backup",
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| bad_backup(file, format!("its manifest cannot be read: {e}")))?;
    std::fs::remove_file(folder.join(MANIFEST)).map_err(io_error(folder))?;
    if let Some(unlisted) = unpacked_files(folder)?
        .into_iter()
        .find(|name| !manifest.entries.contains_key(name))
    {
        return Err(bad_backup(
            file,
            format!("`{unlisted}` is in the archive but not in its manifest"),
        ));
    }
    for (name, expected) in &manifest.entries {
        let actual = hash_file(&folder.join(name))
            .map_err(|_| bad_backup(file, format!("`{name}` is listed but missing")))?;
        if &actual != expected {
            return Err(bad_backup(
                file,
                format!("`{name}` does not match its SHA-256"),
            ));
        }
    }
    let store = Store::open(folder).await?;
    let verdict = store.verify_audit().await?;
    store.close().await;
    if let Some(chain_break) = verdict.broken {
        return Err(bad_backup(
            file,
            format!("its audit chain is broken: {chain_break}"),
        ));
    }
    if verdict.head != manifest.audit_head {
        return Err(bad_backup(
            file,
            "its audit head differs from the manifest's",
        ));
    }
    if verdict.entries_checked != manifest.audit_entries {
        return Err(bad_backup(
            file,
            format!(
                "its audit chain has {} entries and its manifest says {}",
                verdict.entries_checked, manifest.audit_entries
            ),
        ));
    }
    Ok(manifest)
}

fn write_archive(
    path: &Path,
    manifest: &Manifest,
    database: &Path,
    files: &[(String, PathBuf)],
) -> Result<(), StoreError> {
    let out = File::create(path).map_err(io_error(path))?;
    let mut archive = tar::Builder::new(BufWriter::new(out));
    let manifest_bytes =
        serde_json::to_vec_pretty(manifest).expect("BUG: a manifest always serialises");
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest_bytes.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    archive
        .append_data(&mut header, MANIFEST, manifest_bytes.as_slice())
        .map_err(io_error(path))?;
    archive
        .append_path_with_name(database, DATABASE)
        .map_err(io_error(path))?;
    for (name, file) in files {
        archive
            .append_path_with_name(file, name)
            .map_err(io_error(path))?;
    }
    let writer = archive.into_inner().map_err(io_error(path))?;
    let file = writer
        .into_inner()
        .map_err(|e| io_error(path)(e.into_error()))?;
    file.sync_all().map_err(io_error(path))?;
    Ok(())
}

/// The files with these hashes, as (name in the archive, `files/` and the path under the file
/// area with `/`, and full path).
fn recorded_files(store: &Store, recorded: &[String]) -> Vec<(String, PathBuf)> {
    let root = store.files().root();
    recorded
        .iter()
        .map(|sha256| {
            let path = store.files().path_of(sha256);
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (format!("files/{name}"), path)
        })
        .collect()
}

/// SHA-256 of a file, read in blocks (databases can be large).
fn hash_file(path: &Path) -> Result<String, StoreError> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut block).map_err(io_error(path))?;
        if read == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&block[..read]);
    }
}
