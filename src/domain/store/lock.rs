//! One writer per data folder: a window (or a command that writes) holds an exclusive lock on
//! `<data>/clickwork.lock` for as long as it may write. A second one is told who holds it and writes
//! nothing. The operating system drops the lock when its process ends, so the lock of a crashed
//! window is free at once: it is taken over without asking.

use super::{Layout, StoreError, atomic_write};
use chrono::{DateTime, SecondsFormat, Utc};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The exclusive lock on a data folder, held until dropped.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another clickwork process holds it.
    #[error(
        "the data folder {} is in use by another clickwork window or command ({}); close it first: \
         nothing was written",
        data_dir.display(),
        holder.as_deref().unwrap_or("which one could not be read")
    )]
    Held {
        /// The data folder.
        data_dir: PathBuf,
        /// What the holder wrote of itself (`process 1234 since …`), if readable.
        holder: Option<String>,
    },
    /// The lock file could not be opened or locked.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DataLock {
    /// Takes the lock on `data_dir` (made if missing) for the process `what` describes (`window`,
    /// `review import`), at `now`.
    pub fn acquire(data_dir: &Path, what: &str, now: DateTime<Utc>) -> Result<DataLock, LockError> {
        let layout = Layout::new(data_dir);
        let path = layout.lock();
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        crate::domain::io_guard::assert_off_ui_thread(&path);
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            path: data_dir.to_owned(),
            source,
        })?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(layout.lock_holder())
                    .ok()
                    .map(|text| text.trim().to_owned())
                    .filter(|text| !text.is_empty());
                return Err(LockError::Held {
                    data_dir: data_dir.to_owned(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e).into()),
        }
        // Who holds it, for the message a second window shows; a separate file, because a locked
        // file cannot be read on every platform.
        let holder = format!(
            "{what}, process {}, since {}",
            std::process::id(),
            now.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        let holder_path = layout.lock_holder();
        atomic_write(&holder_path, holder.as_bytes()).map_err(|source| StoreError::Io {
            path: holder_path.clone(),
            source,
        })?;
        Ok(DataLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let first = DataLock::acquire(dir.path(), "window", now).unwrap();
        let err = DataLock::acquire(dir.path(), "review import", now).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, LockError::Held { .. }), "{text}");
        assert!(
            text.contains(&format!("window, process {}", std::process::id())),
            "{text}"
        );
        assert!(text.contains("nothing was written"), "{text}");
        drop(first);
        DataLock::acquire(dir.path(), "review import", now).unwrap();
    }

    #[test]
    fn a_lock_left_by_a_crash_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // What a killed window leaves: the files, but no process holding the lock.
        std::fs::write(dir.path().join("clickwork.lock"), "").unwrap();
        std::fs::write(
            dir.path().join("clickwork.lock.holder"),
            "window, process 1",
        )
        .unwrap();
        let lock = DataLock::acquire(dir.path(), "window", Utc::now()).unwrap();
        assert!(lock.path().ends_with("clickwork.lock"));
        let holder = std::fs::read_to_string(dir.path().join("clickwork.lock.holder")).unwrap();
        assert!(holder.contains(&std::process::id().to_string()), "{holder}");
    }
}
