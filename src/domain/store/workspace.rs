//! One bundle's workspace: `<data>/work/<bundle-id>/`.

use super::status_cache::{FileKey, StatusCache};
use crate::domain::annotation::TaskStatus;
use crate::domain::bundle::{Bundle, Task};
use crate::domain::store::{
    ANNOTATION_FORMAT, Access, AnnotationFile, Layout, Saver, StoreError, WorkspacePaths,
    format_time, read_json, set_aside, write_json, write_json_making_folders,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The value of the `format` key of `workspace.json`.
pub const WORKSPACE_FORMAT: &str = "clickwork-workspace/1";

/// What identifies a task's image, to notice when a changed manifest points a task at another image.
/// The image is the same when its path, width and height are; the byte size only tells that the file
/// was re-encoded (a requester recompressing a JPEG), which keeps the work and is reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFingerprint {
    /// The image path relative to the bundle.
    pub image: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The image file's size in bytes, to notice a re-encoded file (0 when unknown).
    #[serde(default)]
    pub bytes: u64,
}

impl TaskFingerprint {
    /// Whether `self` and `other` name the same picture: same path, same size in pixels. Work drawn on
    /// one fits the other.
    pub fn same_image(&self, other: &TaskFingerprint) -> bool {
        self.image == other.image && self.width == other.width && self.height == other.height
    }

    /// Whether the file was rewritten at the same path and size in pixels (a known byte size changed).
    pub fn reencoded_from(&self, old: &TaskFingerprint) -> bool {
        self.same_image(old) && old.bytes != 0 && self.bytes != 0 && self.bytes != old.bytes
    }

    fn of(task: &Task) -> Self {
        TaskFingerprint {
            image: task.image.clone(),
            width: task.width,
            height: task.height,
            // Read when the header was (a hundred thousand tasks need no second look at the disk).
            bytes: task.bytes,
        }
    }
}

/// `workspace.json`: what the workspace knows about its bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct WorkspaceRecord {
    format: String,
    bundle_id: String,
    source: PathBuf,
    manifest_sha256: String,
    tasks: BTreeMap<String, TaskFingerprint>,
    current_task: Option<String>,
    created_at: String,
    updated_at: String,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// How a bundle's manifest changed since work on it began.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManifestChange {
    /// The manifest hash recorded when work began.
    pub old_sha256: String,
    /// The manifest hash now.
    pub new_sha256: String,
    /// Task ids that are new.
    pub added: Vec<String>,
    /// Task ids that are gone (their annotation files are kept).
    pub removed: Vec<String>,
    /// Task ids whose image changed (another path or size in pixels); their old annotation files were
    /// set aside.
    pub image_changed: Vec<String>,
    /// Task ids whose image file was rewritten at the same path and size in pixels (re-encoded): the
    /// work is kept, and the worker is asked to check that it still fits.
    pub image_reencoded: Vec<String>,
    /// Where each set-aside annotation file now is.
    pub set_aside: Vec<PathBuf>,
}

impl ManifestChange {
    /// A one-paragraph report for the worker.
    pub fn describe(&self) -> String {
        let mut parts = vec![if self.old_sha256 == self.new_sha256 {
            "images of the bundle changed since work began".to_owned()
        } else {
            format!(
                "the bundle changed since work began (manifest sha256 {} -> {})",
                short(&self.old_sha256),
                short(&self.new_sha256)
            )
        }];
        if !self.added.is_empty() {
            parts.push(format!("new tasks: {}", self.added.join(", ")));
        }
        if !self.removed.is_empty() {
            parts.push(format!(
                "tasks no longer in the bundle (their annotations are kept): {}",
                self.removed.join(", ")
            ));
        }
        if !self.image_changed.is_empty() && self.set_aside.is_empty() {
            parts.push(format!(
                "tasks whose image changed: {} (their earlier regions are shown as saved: nothing \
                 was set aside)",
                self.image_changed.join(", ")
            ));
        } else if !self.image_changed.is_empty() {
            let kept: Vec<String> = self
                .set_aside
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            parts.push(format!(
                "tasks whose image changed, started afresh: {} (earlier work kept in {})",
                self.image_changed.join(", "),
                kept.join(", ")
            ));
        }
        if !self.image_reencoded.is_empty() {
            parts.push(format!(
                "tasks whose image file was re-encoded at the same size, work kept (check that it still fits): {}",
                self.image_reencoded.join(", ")
            ));
        }
        parts.join("; ")
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// What opening a workspace found that the worker should be told.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Set when the manifest changed since work began.
    pub manifest_change: Option<ManifestChange>,
    /// Other things noticed and mended (for example an unreadable `workspace.json` set aside).
    pub warnings: Vec<String>,
}

/// One bundle's workspace on disk.
#[derive(Debug)]
pub struct Workspace {
    paths: WorkspacePaths,
    record: WorkspaceRecord,
    access: Access,
    /// Where the task statuses are remembered.
    status_cache: PathBuf,
}

impl Workspace {
    /// Opens (or creates) the workspace of `bundle` under `data_dir`. Notices a manifest that changed
    /// since work began: reports added and removed tasks, and sets aside (never deletes) the annotations
    /// of tasks whose image changed so they are not mixed with the new image.
    pub fn open(
        data_dir: &Path,
        bundle: &Bundle,
        now: DateTime<Utc>,
    ) -> Result<(Workspace, OpenReport), StoreError> {
        Self::open_with(data_dir, bundle, now, Access::ReadWrite)
    }

    /// Like [`Workspace::open`] with `access`: read-only, it writes nothing, sets nothing aside, and
    /// reports what a writing window would have mended.
    pub fn open_with(
        data_dir: &Path,
        bundle: &Bundle,
        now: DateTime<Utc>,
        access: Access,
    ) -> Result<(Workspace, OpenReport), StoreError> {
        let writes = access == Access::ReadWrite;
        let paths = Layout::new(data_dir).workspace(&bundle.id);
        let status_cache = Layout::new(data_dir).status_cache(&bundle.id);
        let annotations = paths.annotations();
        if writes {
            std::fs::create_dir_all(&annotations).map_err(|e| StoreError::io(&annotations, e))?;
            // Only the lock's holder opens a workspace to write: a temporary file left here is a
            // write a crash cut short, never one in progress.
            for dir in [annotations.as_path(), paths.dir()] {
                remove_cut_short_writes(dir);
            }
        }
        let record_path = paths.record();
        let mut report = OpenReport::default();
        // Where a file that cannot be used went: set aside, or (read-only) left where it is.
        let put_aside = |path: &Path, why: &str| -> Result<String, StoreError> {
            if writes {
                Ok(format!("kept as {}", set_aside(path, why, now)?.display()))
            } else {
                Ok("left as it is (this window is read-only)".to_owned())
            }
        };
        let existing = match read_json::<WorkspaceRecord>(&record_path) {
            Ok(Some(record)) if record.format == WORKSPACE_FORMAT => Some(record),
            Ok(Some(record)) => {
                let kept = put_aside(&record_path, "unknown-format")?;
                report.warnings.push(format!(
                    "{}: format {:?} is not {WORKSPACE_FORMAT}; {kept}",
                    record_path.display(),
                    record.format,
                ));
                None
            }
            Ok(None) => None,
            Err(StoreError::Json { source, .. }) => {
                let kept = put_aside(&record_path, "unreadable")?;
                report.warnings.push(format!(
                    "{}: {source}; {kept} and started a new record (annotations are untouched)",
                    record_path.display(),
                ));
                None
            }
            Err(e) => return Err(e),
        };
        let fingerprints: BTreeMap<String, TaskFingerprint> = bundle
            .tasks
            .iter()
            .map(|t| (t.id.clone(), TaskFingerprint::of(t)))
            .collect();
        // Rewritten only when it learns something: at 100,000 tasks the record is megabytes.
        let mut changed = existing.is_none();
        let mut record = existing.unwrap_or_else(|| WorkspaceRecord {
            format: WORKSPACE_FORMAT.to_owned(),
            bundle_id: bundle.id.clone(),
            source: bundle.source.clone(),
            manifest_sha256: bundle.manifest_sha256.clone(),
            tasks: fingerprints.clone(),
            current_task: None,
            created_at: format_time(now),
            updated_at: format_time(now),
            extra: Map::new(),
        });
        if record.manifest_sha256 != bundle.manifest_sha256 || record.tasks != fingerprints {
            changed = true;
            let mut change = ManifestChange {
                old_sha256: record.manifest_sha256.clone(),
                new_sha256: bundle.manifest_sha256.clone(),
                ..ManifestChange::default()
            };
            for (id, print) in &fingerprints {
                match record.tasks.get(id) {
                    None => change.added.push(id.clone()),
                    Some(old) if print.reencoded_from(old) => {
                        change.image_reencoded.push(id.clone());
                    }
                    Some(old) if !print.same_image(old) => {
                        change.image_changed.push(id.clone());
                        let path = paths.annotation(id);
                        if path.exists() && writes {
                            change.set_aside.push(set_aside(&path, "stale", now)?);
                        }
                    }
                    Some(_) => {}
                }
            }
            change.removed = record
                .tasks
                .keys()
                .filter(|id| !fingerprints.contains_key(*id))
                .cloned()
                .collect();
            let noticed = change.old_sha256 != change.new_sha256
                || !change.added.is_empty()
                || !change.removed.is_empty()
                || !change.image_changed.is_empty()
                || !change.image_reencoded.is_empty();
            record.manifest_sha256 = bundle.manifest_sha256.clone();
            record.tasks = fingerprints;
            // A record that only learns byte sizes it lacked has nothing to tell.
            if noticed {
                report.manifest_change = Some(change);
            }
        }
        changed |= record.source != bundle.source;
        record.source = bundle.source.clone();
        if writes && changed {
            record.updated_at = format_time(now);
            write_json(&record_path, &record)?;
        }
        Ok((
            Workspace {
                paths,
                record,
                access,
                status_cache,
            },
            report,
        ))
    }

    /// The workspace folder, `<data>/work/<bundle-id>`.
    pub fn dir(&self) -> &Path {
        self.paths.dir()
    }

    /// Every path of the workspace.
    pub fn paths(&self) -> &WorkspacePaths {
        &self.paths
    }

    /// The annotation file of `task_id`.
    pub fn annotation_path(&self, task_id: &str) -> PathBuf {
        self.paths.annotation(task_id)
    }

    /// Whether this workspace may be written.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The task to resume at, if one was recorded.
    pub fn current_task(&self) -> Option<&str> {
        self.record.current_task.as_deref()
    }

    /// Records where to resume: in memory at once, on disk through `saver` (the one ordered writer),
    /// so a task switch never waits for the disk.
    pub fn set_current_task(&mut self, task_id: &str, now: DateTime<Utc>, saver: &Saver) {
        if self.record.current_task.as_deref() == Some(task_id) {
            return;
        }
        self.record.current_task = Some(task_id.to_owned());
        self.record.updated_at = format_time(now);
        if self.access == Access::ReadOnly {
            return;
        }
        let record = self.record.clone();
        let path = self.paths.record();
        saver.save(path.clone(), move || {
            write_json_making_folders(&path, &record)
        });
    }

    /// Reads the saved annotation of `task`, if there is one.
    pub fn read_annotation(
        &self,
        bundle: &Bundle,
        task: &Task,
    ) -> Result<Option<AnnotationFile>, StoreError> {
        read_annotation_at(&self.paths, &bundle.id, task)
    }

    /// The saved annotation of `task`, or a fresh one (see [`load_annotation_at`]).
    pub fn load_annotation(
        &self,
        bundle: &Bundle,
        task: &Task,
        now: DateTime<Utc>,
    ) -> Result<(AnnotationFile, Option<String>), StoreError> {
        load_annotation_with(&self.paths, &bundle.id, task, now, self.access)
    }

    /// The status of every task of `bundle` that has a readable annotation file; others are new.
    /// A file whose identity is the one remembered is not read again (see `status_cache`).
    pub fn statuses(&self, bundle: &Bundle) -> BTreeMap<String, TaskStatus> {
        use rayon::prelude::*;
        // One listing of the folder, then only the files that exist, on all cores: a fresh bundle
        // of 100,000 tasks costs no read at all.
        let present: std::collections::HashSet<std::ffi::OsString> =
            std::fs::read_dir(self.paths.annotations())
                .map(|dir| dir.flatten().map(|e| e.file_name()).collect())
                .unwrap_or_default();
        let mut cache = StatusCache::open(self.status_cache.clone());
        let found: Vec<(String, TaskStatus, Option<FileKey>)> = bundle
            .tasks
            .par_iter()
            .map(|task| {
                let path = self.paths.annotation(&task.id);
                let saved = path.file_name().is_some_and(|name| present.contains(name));
                if !saved {
                    return (task.id.clone(), TaskStatus::New, None);
                }
                let key = std::fs::symlink_metadata(&path)
                    .ok()
                    .map(|m| FileKey::of(&m));
                if let Some(status) = key.and_then(|key| cache.get(&task.id, key)) {
                    return (task.id.clone(), status, key);
                }
                let status = match self.read_annotation(bundle, task) {
                    Ok(Some(file)) => file.status,
                    _ => TaskStatus::New,
                };
                (task.id.clone(), status, key)
            })
            .collect();
        let mut statuses = BTreeMap::new();
        for (id, status, key) in found {
            if let Some(key) = key {
                cache.put(id.clone(), key, status);
            }
            statuses.insert(id, status);
        }
        if self.access == Access::ReadWrite {
            cache.save();
        }
        statuses
    }
}

/// Removes the temporary files of atomic writes a crash cut short (`.tmp-*.part`, never read as
/// work) from `dir`. What cannot be removed stays: it costs only its space.
fn remove_cut_short_writes(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".tmp-")
            && name.ends_with(".part")
            && entry.file_type().is_ok_and(|t| t.is_file())
            && let Err(e) = std::fs::remove_file(entry.path())
        {
            log::warn!("{}: {e}", entry.path().display());
        }
    }
}

/// Reads the saved annotation of `task` of bundle `bundle_id` in the workspace at `paths`, if there is
/// one; a file of another format, bundle or task is an error.
pub fn read_annotation_at(
    paths: &WorkspacePaths,
    bundle_id: &str,
    task: &Task,
) -> Result<Option<AnnotationFile>, StoreError> {
    let path = paths.annotation(&task.id);
    let Some(file) = read_json::<AnnotationFile>(&path)? else {
        return Ok(None);
    };
    let mismatch = |message: String| StoreError::Mismatch {
        path: path.clone(),
        message,
    };
    if file.format != ANNOTATION_FORMAT {
        return Err(mismatch(format!(
            "format {:?} is not {ANNOTATION_FORMAT}",
            file.format
        )));
    }
    if file.bundle_id != bundle_id || file.task_id != task.id {
        return Err(mismatch(format!(
            "holds task {:?} of bundle {:?}, expected task {:?} of bundle {bundle_id:?}",
            file.task_id, file.bundle_id, task.id
        )));
    }
    Ok(Some(file))
}

/// The saved annotation of `task`, or a fresh one. A file that cannot be used (corrupt JSON, another
/// task's file) is set aside, never overwritten, and reported in the returned warning. Safe to call on
/// any thread: the session runs it on its writer thread, after every save queued before it.
pub fn load_annotation_at(
    paths: &WorkspacePaths,
    bundle_id: &str,
    task: &Task,
    now: DateTime<Utc>,
) -> Result<(AnnotationFile, Option<String>), StoreError> {
    load_annotation_with(paths, bundle_id, task, now, Access::ReadWrite)
}

/// Like [`load_annotation_at`] with `access`: read-only, an unreadable file is left where it is and
/// the task is shown empty.
pub fn load_annotation_with(
    paths: &WorkspacePaths,
    bundle_id: &str,
    task: &Task,
    now: DateTime<Utc>,
    access: Access,
) -> Result<(AnnotationFile, Option<String>), StoreError> {
    match read_annotation_at(paths, bundle_id, task) {
        Ok(Some(file)) => Ok((file, None)),
        Ok(None) => Ok((AnnotationFile::fresh(bundle_id, task, now), None)),
        Err(e @ (StoreError::Json { .. } | StoreError::Mismatch { .. })) => {
            let warning = match access {
                Access::ReadWrite => {
                    let kept = set_aside(&paths.annotation(&task.id), "unreadable", now)?;
                    format!(
                        "{e}; kept as {} and started the task afresh",
                        kept.display()
                    )
                }
                Access::ReadOnly => {
                    format!("{e}; left as it is and shown empty (this window is read-only)")
                }
            };
            Ok((AnnotationFile::fresh(bundle_id, task, now), Some(warning)))
        }
        Err(e) => Err(e),
    }
}
