//! A bundle's work as a [`Dataset`], read from the workspace without writing anything.
//!
//! Export reads the annotation files directly instead of opening a `Workspace`, because opening one
//! rewrites `workspace.json` and may set files aside: an export must not change the worker's data.

use crate::domain::annotation::TaskStatus;
use crate::domain::bundle::Bundle;
use crate::domain::formats::{Category, Dataset, DatasetImage, FormatError};
use crate::domain::store::{ANNOTATION_FORMAT, AnnotationFile, Layout};
use std::path::{Path, PathBuf};

/// Which tasks an export takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Only tasks the worker submitted.
    #[default]
    Submitted,
    /// Every task: those never opened with the regions the bundle prefills, if any.
    All,
}

/// A bundle's work as a dataset, with what was left out and why.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkspaceDataset {
    /// One image per task taken, in the bundle's task order.
    pub dataset: Dataset,
    /// The task id of each image, in the same order.
    pub task_ids: Vec<String>,
    /// The annotation file of each image, when there is one, in the same order.
    pub files: Vec<Option<AnnotationFile>>,
    /// Tasks left out because of their status.
    pub left_out: usize,
    /// Problems that made a task's saved work unusable; the task was left out.
    pub warnings: Vec<String>,
}

/// The annotation file of `task_id` in `bundle_id`'s workspace under `data_dir`.
pub fn annotation_path(data_dir: &Path, bundle_id: &str, task_id: &str) -> PathBuf {
    Layout::new(data_dir)
        .workspace(bundle_id)
        .annotation(task_id)
}

/// Builds the dataset of `bundle`'s work under `data_dir`: categories are the bundle's labels in order,
/// images its tasks (filtered by `filter`). A corrupt annotation file is an error naming it; a file
/// written for another image (the manifest changed since, and the app has not set it aside yet) is left
/// out with a warning.
pub fn dataset_from_workspace(
    bundle: &Bundle,
    data_dir: &Path,
    filter: StatusFilter,
) -> Result<WorkspaceDataset, FormatError> {
    let mut out = WorkspaceDataset {
        dataset: Dataset {
            categories: bundle
                .labels
                .iter()
                .map(|l| Category {
                    name: l.name.clone(),
                    color: Some(l.color),
                })
                .collect(),
            images: Vec::new(),
        },
        task_ids: Vec::new(),
        files: Vec::new(),
        left_out: 0,
        warnings: Vec::new(),
    };
    for task in &bundle.tasks {
        let path = annotation_path(data_dir, &bundle.id, &task.id);
        let file = read_annotation(&path)?;
        if let Some(file) = &file {
            if file.bundle_id != bundle.id || file.task_id != task.id {
                return Err(FormatError::invalid(
                    &path,
                    format!(
                        "holds task {:?} of bundle {:?}, expected task {:?} of bundle {:?}",
                        file.task_id, file.bundle_id, task.id, bundle.id
                    ),
                ));
            }
            if (
                file.image.path.as_str(),
                file.image.width,
                file.image.height,
            ) != (task.image.as_str(), task.width, task.height)
            {
                out.warnings.push(format!(
                    "{}: drawn on {} ({}x{}) but the task's image is now {} ({}x{}); left out",
                    path.display(),
                    file.image.path,
                    file.image.width,
                    file.image.height,
                    task.image,
                    task.width,
                    task.height
                ));
                continue;
            }
        }
        let status = file.as_ref().map_or(TaskStatus::New, |f| f.status);
        let wanted = match filter {
            StatusFilter::Submitted => status == TaskStatus::Submitted,
            StatusFilter::All => true,
        };
        if !wanted {
            out.left_out += 1;
            continue;
        }
        let regions = file
            .as_ref()
            .map_or_else(|| task.regions.clone(), |f| f.regions.clone());
        out.dataset.images.push(DatasetImage {
            file_name: task.image.clone(),
            source: Some(task.image_path.clone()),
            width: task.width,
            height: task.height,
            regions,
        });
        out.task_ids.push(task.id.clone());
        out.files.push(file);
    }
    // Labels outside the bundle's set cannot come from the app, but files edited by hand may hold them.
    for name in out.dataset.add_missing_categories() {
        out.warnings.push(format!(
            "label {name:?} is used in the workspace but not in the bundle; added after the bundle's labels"
        ));
    }
    Ok(out)
}

fn read_annotation(path: &Path) -> Result<Option<AnnotationFile>, FormatError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FormatError::io(path, e)),
    };
    let file: AnnotationFile = serde_json::from_slice(&bytes)
        .map_err(|e| FormatError::invalid(path, format!("not a clickwork annotation file: {e}")))?;
    if file.format != ANNOTATION_FORMAT {
        return Err(FormatError::invalid(
            path,
            format!("format {:?} is not {ANNOTATION_FORMAT}", file.format),
        ));
    }
    Ok(Some(file))
}
