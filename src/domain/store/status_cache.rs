//! The status of every saved task, remembered beside the identity of its annotation file (size,
//! modification time and, on Unix, inode), so that opening a bundle whose worker has saved 50,000
//! tasks checks 50,000 file identities instead of reading and parsing 50,000 files. A file whose
//! identity changed is read again (clickwork's own writes replace the file, so each gets a new inode;
//! a tool editing a file in place changes its modification time). The cache lives under
//! `<data>/cache/statuses/`, one file per bundle: deleting it loses nothing.

use crate::domain::annotation::TaskStatus;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;

const FORMAT: &str = "clickwork-status-cache/1";

/// What identifies one version of an annotation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileKey {
    len: u64,
    /// Nanoseconds since the Unix epoch (0 when the system does not say).
    modified_ns: u64,
    /// The inode (0 off Unix).
    inode: u64,
}

impl FileKey {
    /// The key of the file `meta` describes.
    pub fn of(meta: &std::fs::Metadata) -> FileKey {
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        FileKey {
            len: meta.len(),
            modified_ns,
            inode,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    key: FileKey,
    status: TaskStatus,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    format: String,
    tasks: HashMap<String, Entry>,
}

/// The statuses remembered for one bundle, and what this opening learnt.
#[derive(Debug)]
pub struct StatusCache {
    path: PathBuf,
    before: HashMap<String, Entry>,
    now: HashMap<String, Entry>,
}

impl StatusCache {
    /// The cache at `path`; an unreadable or foreign file counts as empty.
    pub fn open(path: PathBuf) -> StatusCache {
        crate::domain::io_guard::assert_off_ui_thread(&path);
        let before = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|file| file.format == FORMAT)
            .map(|file| file.tasks)
            .unwrap_or_default();
        StatusCache {
            path,
            before,
            now: HashMap::new(),
        }
    }

    /// The status remembered for `task_id` when its file is still the one seen then.
    pub fn get(&self, task_id: &str, key: FileKey) -> Option<TaskStatus> {
        self.before
            .get(task_id)
            .filter(|e| e.key == key)
            .map(|e| e.status)
    }

    /// Records what task `task_id`'s file (`key`) says now; the saved cache holds only what was
    /// recorded this time.
    pub fn put(&mut self, task_id: String, key: FileKey, status: TaskStatus) {
        self.now.insert(task_id, Entry { key, status });
    }

    /// Writes the cache when it learnt anything. A failure costs only the next opening's time.
    pub fn save(self) {
        if self.now == self.before {
            return;
        }
        let file = CacheFile {
            format: FORMAT.to_owned(),
            tasks: self.now,
        };
        if let Err(e) = super::write_json_making_folders(&self.path, &file) {
            log::warn!("the task status cache was not saved: {e}");
        }
    }
}
