//! The list of recently opened bundles, `<data>/recent.json`.

use crate::domain::store::{Layout, StoreError, format_time, read_json, write_json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How many bundles the list keeps.
const MAX_RECENT: usize = 10;

/// One recently opened bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentBundle {
    /// The folder or zip that was opened.
    pub path: PathBuf,
    /// Its title then.
    pub title: String,
    /// When, RFC 3339 UTC.
    pub opened_at: String,
}

/// Recently opened bundles, most recent first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentBundles {
    /// The bundles, most recent first, at most ten.
    pub bundles: Vec<RecentBundle>,
}

impl RecentBundles {
    /// Reads the list; a missing file is an empty list. An unreadable one is an error naming it (the
    /// caller may go on with an empty list: losing it loses no work).
    pub fn load(data_dir: &Path) -> Result<Self, StoreError> {
        Ok(read_json(&Layout::new(data_dir).recent())?.unwrap_or_default())
    }

    /// Puts `path` first (removing an older entry for it) and keeps at most ten.
    pub fn push(&mut self, path: &Path, title: &str, now: DateTime<Utc>) {
        self.bundles.retain(|b| b.path != path);
        self.bundles.insert(
            0,
            RecentBundle {
                path: path.to_owned(),
                title: title.to_owned(),
                opened_at: format_time(now),
            },
        );
        self.bundles.truncate(MAX_RECENT);
    }

    /// Writes the list atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::io(data_dir, e))?;
        write_json(&Layout::new(data_dir).recent(), self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_dedups_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let mut recent = RecentBundles::load(dir.path()).unwrap();
        for i in 0..12 {
            recent.push(Path::new(&format!("/b{i}")), "t", Utc::now());
        }
        recent.push(Path::new("/b5"), "again", Utc::now());
        assert_eq!(recent.bundles.len(), MAX_RECENT);
        assert_eq!(recent.bundles[0].path, PathBuf::from("/b5"));
        assert_eq!(
            recent
                .bundles
                .iter()
                .filter(|b| b.path == Path::new("/b5"))
                .count(),
            1
        );
        recent.save(dir.path()).unwrap();
        assert_eq!(RecentBundles::load(dir.path()).unwrap(), recent);
    }
}
