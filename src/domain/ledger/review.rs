//! A requester's reviews, kept in the workspace (`reviews.json`, written atomically), and applying a
//! review file to them: all its rows or none (`review_file.rs` reads and checks the file).

use super::review_file::{ReviewImportError, ReviewStatus, read_review_file};
use crate::domain::bundle::Bundle;
use crate::domain::store::{StoreError, WorkspacePaths, format_time};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The value of the `format` key of `reviews.json`.
pub const REVIEWS_FORMAT: &str = "clickwork-reviews/1";

/// One task's review, as kept in `reviews.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Approved or rejected.
    pub status: ReviewStatus,
    /// A bonus on top of the reward, a decimal string.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub bonus: Option<Decimal>,
    /// The bonus's currency (the bundle's reward currency unless the file said otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The requester's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it was imported, RFC 3339 UTC.
    pub imported_at: String,
    /// The review file it came from (its file name).
    pub source: String,
    /// Keys this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One import, for the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// The review file's path as given.
    pub file: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// How many rows it applied.
    pub rows: usize,
}

/// `reviews.json`: every task's latest review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reviews {
    /// Always [`REVIEWS_FORMAT`].
    pub format: String,
    /// The bundle.
    pub bundle_id: String,
    /// Each reviewed task's latest review, by task id.
    pub reviews: BTreeMap<String, Review>,
    /// The imports so far, oldest first.
    #[serde(default)]
    pub imports: Vec<ImportRecord>,
    /// Keys this version does not know, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Reviews {
    /// No reviews for `bundle_id`.
    pub fn new(bundle_id: &str) -> Self {
        Reviews {
            format: REVIEWS_FORMAT.to_owned(),
            bundle_id: bundle_id.to_owned(),
            reviews: BTreeMap::new(),
            imports: Vec::new(),
            extra: Map::new(),
        }
    }

    /// The reviews file of the workspace at `workspace_dir`.
    pub fn path(workspace_dir: &Path) -> PathBuf {
        WorkspacePaths::at(workspace_dir.to_owned()).reviews()
    }

    /// Reads the reviews of the workspace at `workspace_dir`; none when the file does not exist.
    pub fn load(workspace_dir: &Path, bundle_id: &str) -> Result<Reviews, StoreError> {
        let path = Self::path(workspace_dir);
        crate::domain::io_guard::assert_off_ui_thread(&path);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Reviews::new(bundle_id));
            }
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let reviews: Reviews =
            serde_json::from_slice(&bytes).map_err(|source| StoreError::Json {
                path: path.clone(),
                source,
            })?;
        if reviews.format != REVIEWS_FORMAT || reviews.bundle_id != bundle_id {
            return Err(StoreError::Mismatch {
                path,
                message: format!(
                    "holds {:?} reviews of bundle {:?}, expected {REVIEWS_FORMAT} of bundle {bundle_id:?}",
                    reviews.format, reviews.bundle_id
                ),
            });
        }
        Ok(reviews)
    }

    /// Writes the reviews atomically.
    pub fn save(&self, workspace_dir: &Path) -> Result<(), StoreError> {
        std::fs::create_dir_all(workspace_dir).map_err(|e| StoreError::io(workspace_dir, e))?;
        crate::domain::store::write_json(&Self::path(workspace_dir), self)
    }

    /// The review of `task_id`.
    pub fn get(&self, task_id: &str) -> Option<&Review> {
        self.reviews.get(task_id)
    }
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows applied.
    pub applied: usize,
    /// Of which approvals.
    pub approved: usize,
    /// Of which rejections.
    pub rejected: usize,
    /// Rows that replaced an earlier review of the same task.
    pub replaced: usize,
    /// Things worth knowing that did not stop the import (reviews of tasks not submitted here).
    pub warnings: Vec<String>,
    /// Where the reviews are kept.
    pub reviews_path: PathBuf,
}

/// Applies the review file `file` to `bundle`'s workspace at `workspace_dir`: all rows or none.
/// `submitted` tells which tasks the work log shows as submitted; reviews of other tasks are kept too,
/// with a warning (they count once the task is submitted).
pub fn import_reviews(
    workspace_dir: &Path,
    bundle: &Bundle,
    file: &Path,
    submitted: &HashSet<String>,
    now: DateTime<Utc>,
) -> Result<ImportSummary, ReviewImportError> {
    let rows = read_review_file(file, bundle)?;
    let mut reviews = Reviews::load(workspace_dir, &bundle.id)?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut summary = ImportSummary {
        applied: rows.len(),
        approved: 0,
        rejected: 0,
        replaced: 0,
        warnings: Vec::new(),
        reviews_path: Reviews::path(workspace_dir),
    };
    for row in &rows {
        match row.status {
            ReviewStatus::Approved => summary.approved += 1,
            ReviewStatus::Rejected => summary.rejected += 1,
        }
        if !submitted.contains(&row.task_id) {
            summary.warnings.push(format!(
                "{}:{}: task {:?} was not submitted in this workspace; its review is kept and counts once it is",
                file.display(),
                row.line,
                row.task_id
            ));
        }
        let review = Review {
            status: row.status,
            bonus: row.bonus.as_ref().map(|(amount, _)| *amount),
            currency: row.bonus.as_ref().map(|(_, currency)| currency.clone()),
            reason: row.reason.clone(),
            imported_at: format_time(now),
            source: source.clone(),
            extra: Map::new(),
        };
        if reviews
            .reviews
            .insert(row.task_id.clone(), review)
            .is_some()
        {
            summary.replaced += 1;
        }
    }
    reviews.imports.push(ImportRecord {
        file: crate::domain::safe_output::resolve(file)
            .display()
            .to_string(),
        at: format_time(now),
        rows: rows.len(),
    });
    reviews.save(workspace_dir)?;
    Ok(summary)
}
