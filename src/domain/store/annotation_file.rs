//! The annotation file of one task, `clickwork-annotation/1`.

use crate::domain::annotation::{Annotation, Region, TaskStatus};
use crate::domain::bundle::{Bundle, Task};
use crate::domain::store::format_time;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The value of the `format` key of every annotation file this version writes.
pub const ANNOTATION_FORMAT: &str = "clickwork-annotation/1";

/// The image a task's annotation refers to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The image's path relative to the bundle, as the manifest gives it.
    pub path: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Keys this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One task's annotation file: `<data>/work/<bundle-id>/annotations/<task-id>.json`.
///
/// Keys are never renamed once shipped, and unknown keys (top level, image, regions) survive a rewrite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnotationFile {
    /// Always [`ANNOTATION_FORMAT`].
    pub format: String,
    /// The bundle's id.
    pub bundle_id: String,
    /// The task's id.
    pub task_id: String,
    /// The image annotated.
    pub image: ImageInfo,
    /// Where the task stands.
    pub status: TaskStatus,
    /// The regions, bottom to top.
    pub regions: Vec<Region>,
    /// When this file was last written, RFC 3339 UTC.
    pub updated_at: String,
    /// The highest region number (`r<n>`) ever given out in this task, so that a deleted region's id is
    /// never reused.
    #[serde(default)]
    pub last_region_number: u64,
    /// Keys this version does not know, kept on rewrite.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AnnotationFile {
    /// A fresh file for `task` of `bundle`: status new, holding the task's prefilled regions.
    pub fn new(bundle: &Bundle, task: &Task, now: DateTime<Utc>) -> Self {
        Self::fresh(&bundle.id, task, now)
    }

    /// A fresh file for `task` of the bundle `bundle_id`.
    pub fn fresh(bundle_id: &str, task: &Task, now: DateTime<Utc>) -> Self {
        AnnotationFile {
            format: ANNOTATION_FORMAT.to_owned(),
            bundle_id: bundle_id.to_owned(),
            task_id: task.id.clone(),
            image: ImageInfo {
                path: task.image.clone(),
                width: task.width,
                height: task.height,
                extra: Map::new(),
            },
            status: TaskStatus::New,
            regions: task.regions.clone(),
            updated_at: format_time(now),
            last_region_number: 0,
            extra: Map::new(),
        }
    }

    /// An id for a new region that no region of this task has ever had, and records it as used.
    pub fn take_region_id(&mut self, annotation: &Annotation) -> String {
        let in_use = annotation
            .regions
            .iter()
            .filter_map(|r| r.id.strip_prefix('r')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        self.last_region_number = self.last_region_number.max(in_use).saturating_add(1);
        format!("r{}", self.last_region_number)
    }

    /// The regions as an [`Annotation`] to edit.
    pub fn annotation(&self) -> Annotation {
        Annotation::new(self.regions.clone())
    }

    /// Takes the regions of `annotation` and stamps the time.
    pub fn update(&mut self, annotation: &Annotation, status: TaskStatus, now: DateTime<Utc>) {
        self.regions = annotation.regions.clone();
        self.status = status;
        self.updated_at = format_time(now);
    }
}
