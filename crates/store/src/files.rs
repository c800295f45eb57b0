//! Content-addressed files: bytes stored once under their SHA-256, never overwritten.
//!
//! A file with hash `abcdef…` lives at `files/ab/cd/abcdef…`. Writing goes through a temporary
//! file in the same folder and a rename, so a crash leaves either no file or the whole file;
//! a file already present is left as it is (same hash, same bytes).
//!
//! The area does not know which files the database records: an import writes its file while
//! it holds the database's write lock and removes it again if the import fails
//! ([`FileArea::remove`]), and removes the files of imports that were killed part way
//! ([`FileArea::remove_unrecorded`]) before it writes its own. Backups take only the files the
//! database records, so a file no import finished is never carried into one.

use crate::StoreError;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The SHA-256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The name with which [`FileArea::put`] begins the temporary file it writes before renaming it.
const TEMPORARY_PREFIX: &str = ".tmp";

fn is_sha256_hex(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What [`FileArea::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// It wrote the file.
    Written,
    /// The file was there already (the same bytes, stored before).
    AlreadyThere,
}

/// The folder of content-addressed files of one registry.
#[derive(Debug, Clone)]
pub struct FileArea {
    root: PathBuf,
}

impl FileArea {
    /// The file area rooted at `root` (created on first write).
    pub fn new(root: PathBuf) -> FileArea {
        FileArea { root }
    }

    /// The folder this area lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with this hash lives.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let (a, b) = (
            sha256.get(0..2).unwrap_or("xx"),
            sha256.get(2..4).unwrap_or("xx"),
        );
        self.root.join(a).join(b).join(sha256)
    }

    /// Stores the bytes under their hash and returns the hash, and whether this call wrote the
    /// file. Existing files are not touched.
    pub fn put(&self, bytes: &[u8]) -> Result<(String, Placement), StoreError> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256);
        if path.exists() {
            return Ok((sha256, Placement::AlreadyThere));
        }
        let folder = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(folder).map_err(|source| StoreError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
        let io_error = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let mut temporary = tempfile::Builder::new()
            .prefix(TEMPORARY_PREFIX)
            .tempfile_in(folder)
            .map_err(io_error)?;
        temporary.write_all(bytes).map_err(io_error)?;
        temporary.as_file().sync_all().map_err(io_error)?;
        temporary
            .persist_noclobber(&path)
            .map_err(|e| io_error(e.error))?;
        Ok((sha256, Placement::Written))
    }

    /// Removes the file with this hash (a file an import wrote and then could not record).
    pub fn remove(&self, sha256: &str) -> Result<(), StoreError> {
        let path = self.path_of(sha256);
        std::fs::remove_file(&path).map_err(|source| StoreError::Io { path, source })
    }

    /// Removes every stored file whose hash is not in `recorded`, and the temporary files of
    /// writes that never finished: what imports killed part way left behind. Files of any
    /// other name are left alone. Returns the files removed.
    ///
    /// Only safe while no import can be writing a file, that is while holding the database's
    /// write lock, under which imports write theirs.
    pub fn remove_unrecorded(
        &self,
        recorded: &HashSet<String>,
    ) -> Result<Vec<PathBuf>, StoreError> {
        let mut removed = Vec::new();
        for path in self.fan_out_files()? {
            let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                continue;
            };
            let is_stored_file = path == self.path_of(name) && is_sha256_hex(name);
            let is_unrecorded = is_stored_file && !recorded.contains(name);
            if is_unrecorded || name.starts_with(TEMPORARY_PREFIX) {
                std::fs::remove_file(&path).map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })?;
                removed.push(path);
            }
        }
        Ok(removed)
    }

    /// Every file two folders down (`files/ab/cd/…`), where stored files live.
    fn fan_out_files(&self) -> Result<Vec<PathBuf>, StoreError> {
        let mut found = vec![self.root.clone()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for folder in found.iter().filter(|path| path.is_dir()) {
                let io_error = |source| StoreError::Io {
                    path: folder.clone(),
                    source,
                };
                for entry in std::fs::read_dir(folder).map_err(io_error)? {
                    next.push(entry.map_err(io_error)?.path());
                }
            }
            found = next;
        }
        Ok(found.into_iter().filter(|path| path.is_file()).collect())
    }

    /// Reads a stored file and checks its bytes still hash to its name.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_of(sha256);
        let bytes = std::fs::read(&path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        })?;
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::FileCorrupted { path });
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_stored_under_its_hash_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let area = FileArea::new(dir.path().join("files"));
        let (hash, placement) = area.put(b"row one\n").unwrap();
        assert_eq!(placement, Placement::Written);
        assert_eq!(hash, sha256_hex(b"row one\n"));
        assert!(
            area.path_of(&hash)
                .starts_with(dir.path().join("files").join(&hash[0..2]))
        );
        assert_eq!(area.get(&hash).unwrap(), b"row one\n");
    }

    #[test]
    fn storing_the_same_bytes_twice_keeps_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let area = FileArea::new(dir.path().to_path_buf());
        let first = area.put(b"same").unwrap();
        let second = area.put(b"same").unwrap();
        assert_eq!(first.0, second.0);
        assert_eq!(
            (first.1, second.1),
            (Placement::Written, Placement::AlreadyThere)
        );
    }

    #[test]
    fn a_file_changed_on_disk_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let area = FileArea::new(dir.path().to_path_buf());
        let (hash, _) = area.put(b"original").unwrap();
        std::fs::write(area.path_of(&hash), b"altered").unwrap();
        assert!(matches!(
            area.get(&hash),
            Err(StoreError::FileCorrupted { .. })
        ));
    }

    #[test]
    fn unrecorded_and_half_written_files_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let area = FileArea::new(dir.path().to_path_buf());
        let (recorded, _) = area.put(b"recorded").unwrap();
        let (unrecorded, _) = area.put(b"left by a killed import").unwrap();
        let folder = area.path_of(&unrecorded).parent().unwrap().to_path_buf();
        let half_written = folder.join(".tmpAbC123");
        std::fs::write(&half_written, b"half").unwrap();
        let someone_elses = dir.path().join("README");
        std::fs::write(&someone_elses, b"notes").unwrap();

        let removed = area
            .remove_unrecorded(&HashSet::from([recorded.clone()]))
            .unwrap();

        let mut expected = vec![area.path_of(&unrecorded), half_written];
        expected.sort();
        let mut removed = removed;
        removed.sort();
        assert_eq!(removed, expected);
        assert_eq!(area.get(&recorded).unwrap(), b"recorded");
        assert!(someone_elses.exists());
    }
}
