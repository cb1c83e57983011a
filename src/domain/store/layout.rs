//! Every path under the data folder, in one place: the rest of clickwork asks the layout and never
//! joins segments of the workspace itself. `docs/workspace-format.md` documents the same tree.
//!
//! ```text
//! <data>/
//!   settings.json  recent.json  clickwork.lock  clickwork.lock.holder
//!   cache/                           zip bundles, extracted (safe to delete)
//!   work/<bundle-id>/
//!     workspace.json  worklog.jsonl  reviews.json
//!     annotations/<task-id>.json
//! ```

use std::path::{Path, PathBuf};

/// The journal's file name inside a workspace.
pub const WORKLOG_FILE: &str = "worklog.jsonl";
/// The reviews file's name inside a workspace.
pub const REVIEWS_FILE: &str = "reviews.json";
/// The workspace record's file name.
pub const WORKSPACE_FILE: &str = "workspace.json";
/// The settings file's name in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";
/// The recent-bundles list's file name in the data folder.
pub const RECENT_FILE: &str = "recent.json";

/// The paths of one data folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    data_dir: PathBuf,
}

impl Layout {
    /// The layout of the data folder `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Layout {
            data_dir: data_dir.to_owned(),
        }
    }

    /// The data folder itself.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `settings.json`: the worker id, reference wage, goal and idle threshold.
    pub fn settings(&self) -> PathBuf {
        self.data_dir.join(SETTINGS_FILE)
    }

    /// `recent.json`: the bundles opened most recently.
    pub fn recent(&self) -> PathBuf {
        self.data_dir.join(RECENT_FILE)
    }

    /// `cache/`: what can be rebuilt (zip bundles extracted); not the worker's data.
    pub fn cache(&self) -> PathBuf {
        self.data_dir.join("cache")
    }

    /// `cache/statuses/<bundle-id>.json`: each saved task's status with its file's identity.
    pub fn status_cache(&self, bundle_id: &str) -> PathBuf {
        self.cache()
            .join("statuses")
            .join(format!("{bundle_id}.json"))
    }

    /// `clickwork.lock`: locked by the one process that may write the data folder.
    pub fn lock(&self) -> PathBuf {
        self.data_dir.join("clickwork.lock")
    }

    /// `clickwork.lock.holder`: which process holds the lock, and since when (for the message).
    pub fn lock_holder(&self) -> PathBuf {
        self.data_dir.join("clickwork.lock.holder")
    }

    /// `work/`: one workspace per bundle.
    pub fn work(&self) -> PathBuf {
        self.data_dir.join("work")
    }

    /// The workspace of bundle `bundle_id`.
    pub fn workspace(&self, bundle_id: &str) -> WorkspacePaths {
        WorkspacePaths::at(self.work().join(bundle_id))
    }

    /// What belongs to the worker ("Export my data", "Delete my data"): the work, the settings and the
    /// recent list. The cache holds the requesters' bundles, not the worker's data.
    pub fn worker_data(&self) -> [PathBuf; 3] {
        [self.work(), self.settings(), self.recent()]
    }
}

/// The paths of one bundle's workspace, `<data>/work/<bundle-id>/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspacePaths {
    dir: PathBuf,
}

impl WorkspacePaths {
    /// The workspace whose folder is `dir` (found by listing `work/`).
    pub fn at(dir: PathBuf) -> Self {
        WorkspacePaths { dir }
    }

    /// The workspace folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `workspace.json`: what the workspace knows about its bundle.
    pub fn record(&self) -> PathBuf {
        self.dir.join(WORKSPACE_FILE)
    }

    /// `worklog.jsonl`: the append-only work log.
    pub fn journal(&self) -> PathBuf {
        self.dir.join(WORKLOG_FILE)
    }

    /// `reviews.json`: the requester's reviews as imported.
    pub fn reviews(&self) -> PathBuf {
        self.dir.join(REVIEWS_FILE)
    }

    /// `annotations/`: one file per task.
    pub fn annotations(&self) -> PathBuf {
        self.dir.join("annotations")
    }

    /// The annotation file of `task_id`.
    pub fn annotation(&self, task_id: &str) -> PathBuf {
        self.annotations().join(format!("{task_id}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_as_documented() {
        let layout = Layout::new(Path::new("/d"));
        let ws = layout.workspace("b");
        assert_eq!(
            ws.annotation("t"),
            Path::new("/d/work/b/annotations/t.json")
        );
        assert_eq!(ws.journal(), Path::new("/d/work/b/worklog.jsonl"));
        assert_eq!(ws.reviews(), Path::new("/d/work/b/reviews.json"));
        assert_eq!(ws.record(), Path::new("/d/work/b/workspace.json"));
        assert_eq!(layout.settings(), Path::new("/d/settings.json"));
        assert_eq!(layout.cache(), Path::new("/d/cache"));
    }
}
