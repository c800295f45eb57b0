//! Content-addressed files: bytes stored once under their SHA-256, never overwritten.
//!
//! A file with hash `abcdef…` lives at `files/ab/cd/abcdef…`. Writing goes through a temporary
//! file in the same folder and a rename, so a crash leaves either no file or the whole file;
//! a file already present is left as it is (same hash, same bytes).

use crate::StoreError;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The SHA-256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
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

    /// Stores the bytes under their hash and returns the hash. Existing files are not touched.
    pub fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha256 = sha256_hex(bytes);
        let path = self.path_of(&sha256);
        if path.exists() {
            return Ok(sha256);
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
        let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(io_error)?;
        temporary.write_all(bytes).map_err(io_error)?;
        temporary.as_file().sync_all().map_err(io_error)?;
        temporary
            .persist_noclobber(&path)
            .map_err(|e| io_error(e.error))?;
        Ok(sha256)
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
        let hash = area.put(b"row one\n").unwrap();
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
        assert_eq!(first, second);
    }

    #[test]
    fn a_file_changed_on_disk_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let area = FileArea::new(dir.path().to_path_buf());
        let hash = area.put(b"original").unwrap();
        std::fs::write(area.path_of(&hash), b"altered").unwrap();
        assert!(matches!(
            area.get(&hash),
            Err(StoreError::FileCorrupted { .. })
        ));
    }
}
