//! Scoring a worker's gold tasks (`clickwork review gold`): the requester's bundle holds each gold
//! task's truth; the worker's submission package holds what they drew. Each submitted gold task
//! gets, per label, the IoU of the area the worker's regions of that label cover with the area the
//! truth's cover, and passes when the mean over the labels either side has reaches the bundle's
//! `gold_pass_iou`. The verdicts become a review file (`task_id,status,reason`) that the worker
//! imports, so their earnings follow their quality through the ledger.
//!
//! The package is checked first: its summary's format, and every entry against the SHA-256 the
//! summary lists for it (a package changed after `clickwork submit` wrote it is refused), and its
//! bundle must be the requester's bundle or one of the worker bundles `bundle split` cut from it.

use super::package::{PackageError, read_package};
use crate::domain::annotation::{Region, TaskStatus};
use crate::domain::bundle::Bundle;
use crate::domain::geometry::Shape;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One gold task's score.
#[derive(Clone, Debug, PartialEq)]
pub struct GoldScore {
    /// The task.
    pub task_id: String,
    /// IoU per label (labels either side has with an area), by name.
    pub per_label: BTreeMap<String, f64>,
    /// Their mean; 1 when neither side has anything (nothing to outline, nothing drawn).
    pub mean: f64,
    /// Whether `mean` reaches the bundle's pass mark.
    pub passed: bool,
}

/// What scoring a package found.
#[derive(Clone, Debug, PartialEq)]
pub struct GoldReport {
    /// The package's bundle id (the requester's, or a worker bundle's).
    pub bundle_id: String,
    /// The pass mark used.
    pub pass_iou: f64,
    /// The submitted gold tasks, scored, in the requester's order.
    pub scores: Vec<GoldScore>,
    /// Gold tasks in the package that were not submitted (skipped or unfinished): not scored.
    pub not_submitted: Vec<String>,
}

impl GoldReport {
    /// The review file: one row per scored task, approved or rejected, with the scores as reason.
    pub fn review_csv(&self) -> String {
        let mut out = String::from("task_id,status,reason\n");
        for score in &self.scores {
            let labels: Vec<String> = score
                .per_label
                .iter()
                .map(|(label, iou)| format!("{label} {iou:.2}"))
                .collect();
            let detail = if labels.is_empty() {
                "nothing to outline, nothing drawn".to_owned()
            } else {
                labels.join(", ")
            };
            let (status, verdict) = if score.passed {
                ("approved", format!("mean IoU {:.2}", score.mean))
            } else {
                (
                    "rejected",
                    format!(
                        "mean IoU {:.2} is below the {:.2} needed",
                        score.mean, self.pass_iou
                    ),
                )
            };
            // Quoted: the reason holds commas.
            let reason = format!("gold task: {verdict} ({detail})").replace('"', "'");
            out.push_str(&format!("{},{status},\"{reason}\"\n", score.task_id));
        }
        out
    }
}

/// Scores the gold tasks of `bundle` (the requester's) in the submission package at `zip`.
pub fn score_package(bundle: &Bundle, zip: &Path) -> Result<GoldReport, PackageError> {
    let package = read_package(zip)?;
    let fail = |message: String| PackageError {
        path: zip.to_owned(),
        message,
    };
    if !is_of(&package.bundle_id, &bundle.id) {
        return Err(fail(format!(
            "is work on bundle {:?}, not on {:?} or a worker bundle cut from it",
            package.bundle_id, bundle.id
        )));
    }
    let mut scores = Vec::new();
    let mut not_submitted = Vec::new();
    for task in &bundle.tasks {
        let (Some(truth), Some(file)) = (&task.gold, package.annotations.get(&task.id)) else {
            continue;
        };
        if file.status != TaskStatus::Submitted {
            not_submitted.push(task.id.clone());
            continue;
        }
        scores.push(score(&task.id, &file.regions, truth, bundle.gold_pass_iou));
    }
    Ok(GoldReport {
        bundle_id: package.bundle_id,
        pass_iou: bundle.gold_pass_iou,
        scores,
        not_submitted,
    })
}

/// True when `package_bundle` is `requester_bundle` or a part `bundle split` cut from it.
pub(crate) fn is_of(package_bundle: &str, requester_bundle: &str) -> bool {
    package_bundle == requester_bundle
        || package_bundle
            .strip_prefix(requester_bundle)
            .and_then(|rest| rest.strip_prefix("-part"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The shapes of `regions` labeled `label`.
fn shapes_of<'a>(regions: &'a [Region], label: &str) -> Vec<&'a Shape> {
    regions
        .iter()
        .filter(|r| r.label == label)
        .map(|r| &r.shape)
        .collect()
}

/// The score of `drawn` against `truth` for one task.
pub fn score(task_id: &str, drawn: &[Region], truth: &[Region], pass_iou: f64) -> GoldScore {
    let labels: BTreeSet<&str> = drawn
        .iter()
        .chain(truth)
        .map(|r| r.label.as_str())
        .collect();
    let mut per_label = BTreeMap::new();
    for label in labels {
        if let Some(iou) = Shape::union_iou(&shapes_of(drawn, label), &shapes_of(truth, label)) {
            per_label.insert(label.to_owned(), iou);
        }
    }
    let mean = if per_label.is_empty() {
        1.0
    } else {
        per_label.values().sum::<f64>() / per_label.len() as f64
    };
    GoldScore {
        task_id: task_id.to_owned(),
        per_label,
        mean,
        passed: mean >= pass_iou,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::Point;

    fn square(label: &str, x: f64, y: f64, side: f64) -> Region {
        Region::new(
            format!("{label}{x}"),
            label,
            Shape::rectangle(Point::new(x, y), Point::new(x + side, y + side)),
        )
    }

    #[test]
    fn a_square_shifted_by_half_its_side_scores_a_third() {
        let truth = [square("sky", 0.0, 0.0, 10.0)];
        // Overlap 5 × 10 = 50; union 150.
        let drawn = [square("sky", 5.0, 0.0, 10.0)];
        let s = score("t", &drawn, &truth, 0.5);
        assert!((s.mean - 1.0 / 3.0).abs() < 1e-9, "{s:?}");
        assert!(!s.passed);
        let s = score("t", &truth, &truth, 0.5);
        assert!((s.mean - 1.0).abs() < 1e-9 && s.passed);
    }

    #[test]
    fn every_label_either_side_counts_and_pieces_of_one_label_are_merged() {
        let truth = [
            square("sky", 0.0, 0.0, 10.0),
            square("tree", 20.0, 0.0, 10.0),
        ];
        // The sky in two halves (merged: IoU 1); no tree; a cloud the truth does not have.
        let drawn = [
            Region::new(
                "a",
                "sky",
                Shape::rectangle(Point::new(0.0, 0.0), Point::new(5.0, 10.0)),
            ),
            Region::new(
                "b",
                "sky",
                Shape::rectangle(Point::new(5.0, 0.0), Point::new(10.0, 10.0)),
            ),
            square("cloud", 40.0, 0.0, 5.0),
        ];
        let s = score("t", &drawn, &truth, 0.3);
        assert_eq!(s.per_label.len(), 3, "{s:?}");
        assert!((s.per_label["sky"] - 1.0).abs() < 1e-9);
        assert_eq!(s.per_label["tree"], 0.0);
        assert_eq!(s.per_label["cloud"], 0.0);
        assert!((s.mean - 1.0 / 3.0).abs() < 1e-9);
        assert!(s.passed, "a third reaches a pass mark of 0.3");
        // Nothing to outline and nothing drawn is right.
        let s = score("t", &[], &[], 0.5);
        assert_eq!((s.mean, s.passed), (1.0, true));
    }

    #[test]
    fn a_part_of_the_bundle_counts_as_the_bundle() {
        assert!(is_of("skies", "skies"));
        assert!(is_of("skies-part03", "skies"));
        assert!(!is_of("skies-part", "skies"));
        assert!(!is_of("skies-partx", "skies"));
        assert!(!is_of("other", "skies"));
        assert!(!is_of("skies2", "skies"));
    }

    #[test]
    fn the_review_file_quotes_its_reasons() {
        let report = GoldReport {
            bundle_id: "b".into(),
            pass_iou: 0.5,
            scores: vec![score(
                "t1",
                &[square("sky", 5.0, 0.0, 10.0)],
                &[square("sky", 0.0, 0.0, 10.0)],
                0.5,
            )],
            not_submitted: Vec::new(),
        };
        assert_eq!(
            report.review_csv(),
            "task_id,status,reason\nt1,rejected,\"gold task: mean IoU 0.33 is below the 0.50 needed (sky 0.33)\"\n"
        );
    }
}
