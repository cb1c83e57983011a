//! The worker's workspace on disk: the data folder, one annotation file per task, what the workspace
//! knows about each bundle, and the list of recent bundles. Every write is atomic.
//!
//! The layout and schemas are documented in `docs/workspace-format.md`.

mod annotation_file;
mod atomic;
mod layout;
mod lock;
mod my_data;
mod recent;
mod saver;
mod status_cache;
mod workspace;

pub use annotation_file::{ANNOTATION_FORMAT, AnnotationFile, ImageInfo};
pub use atomic::{atomic_write, atomic_write_with, sync_dir};
pub use layout::{
    Layout, RECENT_FILE, REVIEWS_FILE, SETTINGS_FILE, WORKLOG_FILE, WORKSPACE_FILE, WorkspacePaths,
};
pub use lock::{DataLock, LockError};
pub use my_data::{delete_my_data, export_my_data};
pub use recent::{RecentBundle, RecentBundles};
pub use saver::{RETRY_EVERY, Saver, Unsaved};
pub use workspace::{
    ManifestChange, OpenReport, TaskFingerprint, WORKSPACE_FORMAT, Workspace, load_annotation_at,
    load_annotation_with, read_annotation_at,
};

use chrono::{DateTime, SecondsFormat, Utc};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Whether a window may write its data folder: [`Access::ReadOnly`] when another window holds it and
/// the worker chose to look without changing anything. A read-only session writes nothing at all:
/// no annotation, no work-log line, no record of where to resume, no file set aside.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Access {
    /// The window holds the data folder's lock and saves as it goes.
    #[default]
    ReadWrite,
    /// Another window holds the lock: this one shows what is on disk and writes nothing.
    ReadOnly,
}

/// The environment variable that names the data folder when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "CLICKWORK_DATA_DIR";

/// A failure to read or write the workspace. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The operating system refused a read or write (missing folder, permissions, full disk...).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file is not the JSON it should be.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file concerned.
        path: PathBuf,
        /// Where and why parsing failed.
        source: serde_json::Error,
    },
    /// A file parsed but does not belong here (another format, bundle or task), or is too large to be
    /// one of ours.
    #[error("{}: {message}", path.display())]
    Mismatch {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An output path would overwrite or hold the data it was made from.
    #[error(transparent)]
    Refused(#[from] crate::domain::safe_output::OutputRefused),
    /// No data folder could be found.
    #[error("no data folder: pass --data-dir DIR or set {DATA_DIR_ENV}")]
    NoDataDir,
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// The data folder: `flag` (from `--data-dir`), else `env` (the value of [`DATA_DIR_ENV`]), else the
/// platform's data folder for clickwork (`~/.local/share/clickwork` on Linux).
pub fn resolve_data_dir(
    flag: Option<PathBuf>,
    env: Option<OsString>,
) -> Result<PathBuf, StoreError> {
    if let Some(dir) = flag {
        return Ok(dir);
    }
    if let Some(dir) = env.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "clickwork", "clickwork")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or(StoreError::NoDataDir)
}

/// A UTC time as written in every file: RFC 3339 with milliseconds and a `Z`.
pub fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The largest file of ours that is read: far above any real one (100,000 tasks' workspace record,
/// thousands of polygons), and low enough that a file edited into absurdity (a gigabyte, a million
/// vertices) is refused before it is loaded rather than allocated.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, StoreError> {
    crate::domain::io_guard::assert_off_ui_thread(path);
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, e)),
    };
    let mut bytes = Vec::new();
    // One byte past the limit tells a file at the limit from a larger one without trusting its size.
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| StoreError::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(StoreError::Mismatch {
            path: path.to_owned(),
            message: format!(
                "is larger than {} MiB, more than any file clickwork writes; not loaded",
                MAX_FILE_BYTES >> 20
            ),
        });
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| StoreError::Json {
            path: path.to_owned(),
            source,
        })
}

/// Like [`write_json`], making the file's folder first: a save retried after the data folder was
/// deleted under the app puts the work back rather than failing forever.
pub(crate) fn write_json_making_folders<T: serde::Serialize>(
    path: &Path,
    value: &T,
) -> Result<(), StoreError> {
    make_folder_of(path)?;
    write_json(path, value)
}

pub(crate) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    atomic_write(path, json_text(path, value)?.as_bytes()).map_err(|e| StoreError::io(path, e))
}

fn make_folder_of(path: &Path) -> Result<(), StoreError> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e)),
        None => Ok(()),
    }
}

/// `value` as our files write JSON: pretty, number arrays on one line, a final newline.
fn json_text<T: serde::Serialize>(path: &Path, value: &T) -> Result<String, StoreError> {
    let pretty = serde_json::to_string_pretty(value).map_err(|source| StoreError::Json {
        path: path.to_owned(),
        source,
    })?;
    Ok(format!("{}\n", compact_number_arrays(&pretty)))
}

/// Puts arrays that hold only numbers on one line (`[12.5, 40.0]`), so that a polygon reads as one point
/// a line instead of four lines a point. Strings are left alone.
pub fn compact_number_arrays(pretty: &str) -> String {
    let mut out = String::with_capacity(pretty.len());
    let mut rest = pretty;
    let mut in_string = false;
    let mut escaped = false;
    while let Some(c) = rest.chars().next() {
        let width = c.len_utf8();
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '[' {
            let inner_end = rest.find(']');
            let inner = inner_end.and_then(|end| rest.get(1..end));
            if let (Some(end), Some(inner)) = (inner_end, inner) {
                let numeric = inner.chars().any(|c| c.is_ascii_digit())
                    && inner.chars().all(|c| {
                        c.is_ascii_digit()
                            || c.is_whitespace()
                            || matches!(c, ',' | '.' | '-' | '+' | 'e' | 'E')
                    });
                if numeric {
                    let items: Vec<&str> = inner.split(',').map(str::trim).collect();
                    out.push('[');
                    out.push_str(&items.join(", "));
                    out.push(']');
                    rest = rest.get(end + 1..).unwrap_or_default();
                    continue;
                }
            }
        }
        out.push(c);
        rest = rest.get(width..).unwrap_or_default();
    }
    out
}

/// Moves a file that cannot be used any more out of the way, keeping it: `<stem>.<why>-<time>.json`.
/// Returns the new path.
fn set_aside(path: &Path, why: &str, now: DateTime<Utc>) -> Result<PathBuf, StoreError> {
    crate::domain::io_guard::assert_off_ui_thread(path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stamp = now.format("%Y%m%dT%H%M%S%.3fZ");
    let target = path.with_file_name(format!("{stem}.{why}-{stamp}.json"));
    std::fs::rename(path, &target).map_err(|e| StoreError::io(path, e))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_prefers_flag_then_env() {
        let flag = resolve_data_dir(Some("/a".into()), Some("/b".into())).unwrap();
        assert_eq!(flag, PathBuf::from("/a"));
        let env = resolve_data_dir(None, Some("/b".into())).unwrap();
        assert_eq!(env, PathBuf::from("/b"));
        // An empty variable counts as unset.
        if let Ok(platform) = resolve_data_dir(None, Some("".into())) {
            assert!(platform.ends_with("clickwork"), "{}", platform.display());
        }
    }

    #[test]
    fn number_arrays_go_on_one_line_and_nothing_else_changes() {
        let value = serde_json::json!({
            "points": [[1.5, 2.0], [-3e-7, 4]],
            "label": "a [1, 2] string with \\\"quotes\\\" and ]",
            "empty": [],
            "names": ["x", "y"]
        });
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let compact = compact_number_arrays(&pretty);
        assert!(compact.contains("[1.5, 2.0]"), "{compact}");
        assert!(compact.contains("\"a [1, 2] string"), "{compact}");
        let back: serde_json::Value = serde_json::from_str(&compact).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn times_are_rfc3339_utc_with_millis() {
        let t = DateTime::parse_from_rfc3339("2026-11-28T16:02:45.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format_time(t), "2026-11-28T16:02:45.123Z");
    }
}
