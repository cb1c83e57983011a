//! Canonical forms of folders, each asked of the system once: resolving 100,000 files in a few
//! folders then costs one `lstat` per file, not a walk of every component of every path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders met so far and their canonical forms (`None`: the system could not give one). Shared
/// between threads.
#[derive(Debug, Default)]
pub(crate) struct CanonicalFolders(Mutex<HashMap<PathBuf, Option<PathBuf>>>);

impl CanonicalFolders {
    /// `folder` through links, as `canonicalize` says, remembered.
    pub(crate) fn of(&self, folder: &Path) -> Option<PathBuf> {
        // A poisoned lock only means another lookup panicked; the map is still whole.
        let known = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(folder)
            .cloned();
        if let Some(canonical) = known {
            return canonical;
        }
        // Outside the lock: with a folder per file, every lookup canonicalizes one.
        let canonical = folder.canonicalize().ok();
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(folder.to_owned(), canonical.clone());
        canonical
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_folder_is_resolved_through_links_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let folders = CanonicalFolders::default();
        assert_eq!(folders.of(&real), Some(real.canonicalize().unwrap()));
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            assert_eq!(folders.of(&link), Some(real.canonicalize().unwrap()));
        }
        assert_eq!(folders.of(&dir.path().join("missing")), None);
    }
}
