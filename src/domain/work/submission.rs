//! The submission package: what a worker hands back to the requester, as one zip.
//!
//! ```text
//! submission.json                 summary: bundle id and title, manifest sha256, app version, per task
//!                                 status and region count, and the sha256 of every other entry
//! annotations/<task-id>.json      the workspace's annotation files, byte for byte
//! coco/instances_default.json     the submitted tasks as COCO
//! ```
//!
//! The zip is deterministic (entries sorted, timestamps fixed at 1980-01-01) and written atomically.
//! worklog/worklog.jsonl           the bundle's work log (raw timing events), byte for byte
//! worklog/tasks.csv               one row per task, times at the default idle rule (100 s)

use super::dataset::annotation_path;
use super::{StatusFilter, dataset_from_workspace};
use crate::domain::annotation::TaskStatus;
use crate::domain::bundle::Bundle;
use crate::domain::formats::{Dataset, FormatError};
use crate::domain::store::{Layout, atomic_write_with};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The value of `format` in `submission.json`.
pub const SUBMISSION_FORMAT: &str = "clickwork-submission/1";

/// One task in `submission.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskSummary {
    /// The task's id.
    pub task_id: String,
    /// `new`, `in_progress`, `submitted` or `skipped`.
    pub status: String,
    /// Regions in its annotation.
    pub regions: usize,
    /// When its annotation file was last written, if it has one.
    pub updated_at: Option<String>,
}

/// `submission.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Always [`SUBMISSION_FORMAT`].
    pub format: &'static str,
    /// The bundle's id.
    pub bundle_id: String,
    /// The bundle's title.
    pub bundle_title: String,
    /// SHA-256 of the bundle's manifest, so the requester can check it is their bundle.
    pub manifest_sha256: String,
    /// The clickwork version that packed it.
    pub app_version: &'static str,
    /// Tasks per status.
    pub counts: BTreeMap<String, usize>,
    /// Every task of the bundle, in order.
    pub tasks: Vec<TaskSummary>,
    /// SHA-256 of every other entry of the zip, by path.
    pub entries_sha256: BTreeMap<String, String>,
}

/// A submission ready to be written.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    /// The summary (also an entry).
    pub summary: Summary,
    /// Every entry: path in the zip, bytes. Sorted by path.
    pub entries: Vec<(String, Vec<u8>)>,
    /// Things the worker should know (an annotation file drawn on another image, say).
    pub warnings: Vec<String>,
}

impl Package {
    /// True when the data folder held nothing of this bundle: no annotation file and no work log.
    pub fn is_empty(&self) -> bool {
        self.summary.tasks.iter().all(|t| t.updated_at.is_none())
            && !self
                .entries
                .iter()
                .any(|(name, _)| name.starts_with("worklog/"))
    }

    /// How many tasks are finished (submitted or skipped).
    pub fn finished(&self) -> usize {
        self.summary
            .tasks
            .iter()
            .filter(|t| t.status == "submitted" || t.status == "skipped")
            .count()
    }

    /// A few lines for the terminal.
    pub fn describe(&self) -> String {
        let counts: Vec<String> = self
            .summary
            .counts
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        format!(
            "  bundle {} (manifest sha256 {})\n  tasks: {}\n  entries: {}\n",
            self.summary.bundle_id,
            self.summary.manifest_sha256,
            counts.join(", "),
            self.entries.len()
        )
    }
}

/// The work log entries of the package: the raw journal, byte for byte, so the requester can re-derive
/// any measure, and the per-task CSV at the default idle rule. None when nothing was logged.
pub fn worklog_entries(
    bundle: &Bundle,
    data_dir: &Path,
) -> Result<Vec<(String, Vec<u8>)>, FormatError> {
    use crate::domain::work::{task_rows, write_csv};
    use crate::domain::worklog::{DEFAULT_IDLE_SECS, parse_journal};
    let paths = Layout::new(data_dir).workspace(&bundle.id);
    let dir = paths.dir().to_owned();
    let journal = paths.journal();
    let bytes = match std::fs::read(&journal) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FormatError::io(&journal, e)),
    };
    let events = parse_journal(&bytes).events;
    let reviews = crate::domain::ledger::Reviews::load(&dir, &bundle.id)
        .map_err(|e| FormatError::invalid(&dir, e.to_string()))?;
    let task_ids: Vec<String> = bundle.tasks.iter().map(|t| t.id.clone()).collect();
    let rows = task_rows(&bundle.id, &task_ids, &events, &reviews, DEFAULT_IDLE_SECS);
    let mut csv = Vec::new();
    write_csv(&rows, &mut csv).map_err(|e| FormatError::io(&journal, e))?;
    Ok(vec![
        ("worklog/worklog.jsonl".to_owned(), bytes),
        ("worklog/tasks.csv".to_owned(), csv),
    ])
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Gathers the submission of `bundle`'s work under `data_dir`, reading without writing.
pub fn build(bundle: &Bundle, data_dir: &Path) -> Result<Package, FormatError> {
    let work = dataset_from_workspace(bundle, data_dir, StatusFilter::All)?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut tasks = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut submitted = Dataset {
        categories: work.dataset.categories.clone(),
        images: Vec::new(),
    };
    for ((task_id, file), image) in work
        .task_ids
        .iter()
        .zip(&work.files)
        .zip(&work.dataset.images)
    {
        let status = file.as_ref().map_or(TaskStatus::New, |f| f.status);
        *counts.entry(status.name().to_owned()).or_default() += 1;
        tasks.push(TaskSummary {
            task_id: task_id.clone(),
            status: status.name().to_owned(),
            regions: image.regions.len(),
            updated_at: file.as_ref().map(|f| f.updated_at.clone()),
        });
        if file.is_some() {
            let path = annotation_path(data_dir, &bundle.id, task_id);
            let bytes = std::fs::read(&path).map_err(|e| FormatError::io(&path, e))?;
            entries.push((format!("annotations/{task_id}.json"), bytes));
        }
        if status == TaskStatus::Submitted {
            submitted.images.push(image.clone());
        }
    }
    let names = submitted.flat_names();
    let (coco, _) = crate::domain::formats::coco::to_json(&submitted, &names);
    entries.push(("coco/instances_default.json".to_owned(), coco));
    entries.extend(worklog_entries(bundle, data_dir)?);
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let summary = Summary {
        format: SUBMISSION_FORMAT,
        bundle_id: bundle.id.clone(),
        bundle_title: bundle.title.clone(),
        manifest_sha256: bundle.manifest_sha256.clone(),
        app_version: env!("CARGO_PKG_VERSION"),
        counts,
        tasks,
        entries_sha256: entries
            .iter()
            .map(|(path, bytes)| (path.clone(), hex_sha256(bytes)))
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&summary)
        .map_err(|e| FormatError::invalid(Path::new("submission.json"), e.to_string()))?;
    json.push(b'\n');
    entries.insert(0, ("submission.json".to_owned(), json));
    Ok(Package {
        summary,
        entries,
        warnings: work.warnings,
    })
}

/// Whether `path` is a submission zip (it has a `submission.json` entry): what `submit --force` may
/// replace.
pub fn is_submission_zip(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    zip::ZipArchive::new(file).is_ok_and(|zip| zip.index_for_name("submission.json").is_some())
}

/// Writes `package` as a zip at `path`, atomically (a temporary file renamed over it).
pub fn write_zip(path: &Path, package: &Package) -> std::io::Result<()> {
    atomic_write_with(path, |file| {
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for (name, bytes) in &package.entries {
            zip.start_file(name.as_str(), options)
                .map_err(std::io::Error::other)?;
            zip.write_all(bytes)?;
        }
        zip.finish().map_err(std::io::Error::other)?;
        Ok(())
    })
}
