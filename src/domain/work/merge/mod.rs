//! `clickwork merge`: many workers' submission packages on one bundle become one dataset, with how
//! far the workers agree.
//!
//! The packages are checked first (see [`super::package`]), then must all be work on one bundle: the
//! requester's, or the worker bundles `bundle split` cut from it. A worker is the pseudonymous id in
//! their package's work log (so one person's packages of several parts are one worker), or the zip's
//! name when the package has no log. Only submitted tasks count.
//!
//! Per task and label the workers' areas are compared pair by pair (IoU, Dice); regions are matched
//! across workers at IoU ≥ 0.5 whatever their labels, and the labels of matched regions give
//! Krippendorff's alpha. The consensus is either the majority vote (per point of the image for
//! areas, per matched object for boxes and points) or, per label, STAPLE over the workers' areas;
//! each worker is then measured against it.

pub mod agreement;
pub mod consensus;
pub mod report;
pub mod staple;
pub mod workers;

use super::gold::GoldScore;
use super::package::Package;
use crate::domain::annotation::Region;
use crate::domain::bundle::Bundle;
use crate::domain::formats::{Category, Dataset, DatasetImage};
use crate::domain::geometry::{Cover, Shape, ShapeKind};
use crate::domain::natural_sort::natural_cmp;
use agreement::{MATCH_IOU, Spread, iou_dice, krippendorff_alpha_nominal, similarity};
use consensus::{Matched, TaskWork, covered_by_more_than, label_cells, majority_shapes, matches};
use staple::Performance;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
pub use workers::Worker;
use workers::{check_packages, workers_of};

/// Which consensus goes into the merged dataset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Per label, the area more than half of a task's workers cover; boxes (of a label drawn only
    /// as boxes) and points by object: those more than half drew, with median sides or mean position.
    #[default]
    Majority,
    /// Per label, STAPLE's estimate of the true area (points: the majority's).
    Staple,
}

impl Method {
    /// `majority` or `staple`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Majority => "majority",
            Method::Staple => "staple",
        }
    }
}

/// What to merge and how.
#[derive(Clone, Debug)]
pub struct MergeInput<'a> {
    /// The packages, checked.
    pub packages: Vec<Package>,
    /// The requester's bundle, when given: its label order and colours, images and gold truth.
    pub bundle: Option<&'a Bundle>,
    /// The consensus to write.
    pub method: Method,
    /// Consensus pieces smaller than this many square pixels are dropped.
    pub min_area: f64,
}

/// A consensus piece smaller than this share of the largest piece of its label in its task is a
/// sliver (where workers' borders cross) and is dropped.
pub const SLIVER_SHARE: f64 = 0.01;

/// `pieces` (largest first) without the slivers, and how many were dropped.
fn without_slivers(pieces: Vec<Shape>) -> (Vec<Shape>, usize) {
    let largest = pieces.first().map_or(0.0, Shape::area);
    let before = pieces.len();
    let kept: Vec<Shape> = pieces
        .into_iter()
        .filter(|p| p.area() >= SLIVER_SHARE * largest)
        .collect();
    let dropped = before - kept.len();
    (kept, dropped)
}

/// Why packages cannot be merged; each names the packages concerned.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no submission packages were given")]
    Nothing,
    /// Packages of different bundles.
    #[error(
        "{} is work on bundle {theirs:?}, {} on {ours:?}: merge packages of one bundle (or of the parts `bundle split` cut from it)",
        their_path.display(), our_path.display()
    )]
    Mixed {
        /// One package.
        our_path: PathBuf,
        /// Its bundle.
        ours: String,
        /// A package of another bundle.
        their_path: PathBuf,
        /// Its bundle.
        theirs: String,
    },
    /// Something else about one package.
    #[error("{}: {message}", path.display())]
    Package {
        /// The zip.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One pair of workers on one task and label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// Worker indices, `a < b`.
    pub a: usize,
    /// Worker indices, `a < b`.
    pub b: usize,
    /// Intersection over union of their areas of the label.
    pub iou: f64,
    /// Dice coefficient of the same.
    pub dice: f64,
}

/// Agreement on one label of one task.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelAgreement {
    /// The label.
    pub label: String,
    /// Every pair of the task's workers of whom at least one marked the label.
    pub pairs: Vec<Pair>,
}

/// One merged task.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskMerge {
    /// The task.
    pub task_id: String,
    /// The workers who submitted it (indices).
    pub workers: Vec<usize>,
    /// Per label with any area.
    pub labels: Vec<LabelAgreement>,
    /// The matched objects, with region ids as `(worker, region id)`.
    pub objects: Vec<(Matched, Vec<(usize, String)>)>,
    /// The consensus regions written to the dataset.
    pub consensus: Vec<Region>,
    /// Holes inside consensus pieces that were filled (a region is one ring).
    pub holes_filled: usize,
    /// Consensus pieces dropped as slivers (see [`SLIVER_SHARE`]).
    pub slivers_dropped: usize,
}

/// One worker measured against the consensus and the gold.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerScore {
    /// Mean IoU of their area of each label with the consensus's, over the tasks they did and the
    /// labels either side marked; `None` when there was nothing to compare.
    pub agreement: Option<f64>,
    /// Their regions in the merged tasks.
    pub regions: usize,
    /// Those that match a consensus region of the same label (at IoU ≥ 0.5).
    pub contributed: usize,
    /// Their gold tasks, scored against the bundle's truth.
    pub gold: Vec<GoldScore>,
    /// STAPLE's estimate of them per label (with `--consensus staple`).
    pub staple: BTreeMap<String, Performance>,
}

/// The whole merge.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The bundle id (the requester's, for packages of parts).
    pub bundle_id: String,
    /// The method whose consensus is in `dataset`.
    pub method: Method,
    /// The workers, in the order their first package was given.
    pub workers: Vec<Worker>,
    /// Per worker, same order.
    pub scores: Vec<WorkerScore>,
    /// The tasks at least one worker submitted, in the bundle's order.
    pub tasks: Vec<TaskMerge>,
    /// Krippendorff's alpha (nominal) over the labels of matched objects, and how many objects
    /// had two labels or more to compare.
    pub alpha: (Option<f64>, usize),
    /// The consensus as a dataset: one image per merged task.
    pub dataset: Dataset,
    /// Things the requester should know.
    pub warnings: Vec<String>,
}

/// Merges the packages.
pub fn merge(input: MergeInput<'_>) -> Result<Merged, MergeError> {
    let MergeInput {
        packages,
        bundle,
        method,
        min_area,
    } = input;
    let bundle_id = check_packages(&packages, bundle)?;
    let workers = workers_of(packages)?;
    let mut warnings = Vec::new();
    // Tasks in the bundle's order, else in natural order of their ids.
    let task_ids: Vec<String> = match bundle {
        Some(b) => b
            .tasks
            .iter()
            .filter(|t| workers.iter().any(|w| w.submitted.contains_key(&t.id)))
            .map(|t| t.id.clone())
            .collect(),
        None => {
            let mut ids: Vec<String> = workers
                .iter()
                .flat_map(|w| w.submitted.keys().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            ids.sort_by(|a, b| natural_cmp(a, b));
            ids
        }
    };
    // Labels: the bundle's, then any others used, in order of first use.
    let mut labels: Vec<String> = bundle
        .map(|b| b.labels.iter().map(|l| l.name.clone()).collect())
        .unwrap_or_default();
    for id in &task_ids {
        for w in &workers {
            for r in w
                .submitted
                .get(id)
                .map(|f| f.regions.as_slice())
                .unwrap_or(&[])
            {
                if !labels.contains(&r.label) {
                    if bundle.is_some() {
                        warnings.push(format!(
                            "task {id:?}: {} used the label {:?}, which the bundle does not have",
                            w.name, r.label
                        ));
                    }
                    labels.push(r.label.clone());
                }
            }
        }
    }
    let rank = |label: &str| labels.iter().position(|l| l == label).unwrap_or(usize::MAX);
    let works: Vec<TaskWork<'_>> = task_ids
        .iter()
        .filter_map(|id| {
            let by_worker: Vec<(usize, &[Region])> = workers
                .iter()
                .enumerate()
                .filter_map(|(i, w)| w.submitted.get(id).map(|f| (i, f.regions.as_slice())))
                .collect();
            let image = &workers.get(by_worker.first()?.0)?.submitted.get(id)?.image;
            Some(TaskWork {
                task_id: id,
                width: image.width,
                height: image.height,
                by_worker,
            })
        })
        .collect();

    let mut tasks: Vec<TaskMerge> = Vec::new();
    let mut alpha_units: Vec<Vec<String>> = Vec::new();
    for work in &works {
        let objects = matches(work, &rank);
        for m in &objects {
            alpha_units.push(
                m.members
                    .iter()
                    .filter_map(|&(w, i)| work.region(w, i).map(|r| r.label.clone()))
                    .collect(),
            );
        }
        let ids: Vec<Vec<(usize, String)>> = objects
            .iter()
            .map(|m| {
                m.members
                    .iter()
                    .filter_map(|&(w, i)| work.region(w, i).map(|r| (w, r.id.clone())))
                    .collect()
            })
            .collect();
        let (mut holes, mut slivers) = (0, 0);
        let mut consensus: Vec<(String, Shape)> = Vec::new();
        // Points, and the boxes of a label drawn only as boxes, are voted on object by object (a
        // detection dataset wants one box per object); areas are voted on point by point.
        for m in &objects {
            let kinds: BTreeSet<ShapeKind> = m
                .members
                .iter()
                .filter_map(|&(w, i)| work.region(w, i).map(|r| r.shape.kind()))
                .collect();
            let by_object = match kinds.iter().collect::<Vec<_>>().as_slice() {
                [ShapeKind::Point] => true,
                [ShapeKind::Rectangle] => {
                    method == Method::Majority && work.is_rectangle_label(&m.label)
                }
                _ => false,
            };
            if m.kept && by_object {
                let (shapes, h) = majority_shapes(work, m, min_area);
                holes += h;
                consensus.extend(shapes.into_iter().map(|s| (m.label.clone(), s)));
            }
        }
        if method == Method::Majority {
            for label in &labels {
                if work.is_rectangle_label(label) {
                    continue;
                }
                let covers: Vec<Cover> = work
                    .by_worker
                    .iter()
                    .map(|(w, _)| work.cover(*w, label))
                    .collect();
                let (pieces, h) =
                    covered_by_more_than(&covers, work.workers() / 2).pieces(min_area);
                holes += h;
                let (pieces, dropped) = without_slivers(pieces);
                slivers += dropped;
                consensus.extend(pieces.into_iter().map(|s| (label.clone(), s)));
            }
        }
        let workers_here: Vec<usize> = work.by_worker.iter().map(|(w, _)| *w).collect();
        let mut label_rows = Vec::new();
        for label in &labels {
            let covers: Vec<(usize, Cover)> = workers_here
                .iter()
                .map(|&w| (w, work.cover(w, label)))
                .collect();
            if covers.iter().all(|(_, c)| c.is_empty()) {
                continue;
            }
            let mut pairs = Vec::new();
            for (i, (a, ca)) in covers.iter().enumerate() {
                for (b, cb) in covers.iter().skip(i + 1) {
                    if let Some((iou, dice)) = iou_dice(ca, cb) {
                        pairs.push(Pair {
                            a: *a,
                            b: *b,
                            iou,
                            dice,
                        });
                    }
                }
            }
            label_rows.push(LabelAgreement {
                label: label.clone(),
                pairs,
            });
        }
        tasks.push(TaskMerge {
            task_id: work.task_id.to_owned(),
            workers: workers_here,
            labels: label_rows,
            objects: objects.into_iter().zip(ids).collect(),
            consensus: Vec::new(),
            holes_filled: holes,
            slivers_dropped: slivers,
        });
        // Kept aside until STAPLE (if asked) adds its areas; ids are given once all are in.
        if let Some(t) = tasks.last_mut() {
            t.consensus = consensus
                .into_iter()
                .map(|(label, shape)| Region::new("", label, shape))
                .collect();
        }
    }

    let mut scores: Vec<WorkerScore> = workers
        .iter()
        .map(|_| WorkerScore {
            agreement: None,
            regions: 0,
            contributed: 0,
            gold: Vec::new(),
            staple: BTreeMap::new(),
        })
        .collect();
    if method == Method::Staple {
        for label in &labels {
            let per_task: Vec<_> = works.iter().map(|w| label_cells(w, label)).collect();
            let cells: Vec<staple::Cell> = per_task
                .iter()
                .flat_map(|cells| cells.iter().map(|(c, _)| c.clone()))
                .collect();
            if cells.iter().all(|c| c.votes.iter().all(|v| !v.1)) {
                continue;
            }
            let estimate = staple::staple(&cells, workers.len());
            for (score, perf) in scores.iter_mut().zip(&estimate.workers) {
                if let Some(perf) = perf {
                    score.staple.insert(label.clone(), *perf);
                }
            }
            let mut posterior = estimate.posterior.iter();
            for ((task_cells, work), task) in per_task.iter().zip(&works).zip(&mut tasks) {
                let mut inside = Cover::empty();
                for (_, geometry) in task_cells {
                    let w = posterior.next().copied().unwrap_or(0.0);
                    if let Some(g) = geometry
                        && w >= 0.5
                    {
                        inside = inside.union(g);
                    }
                }
                let all_rectangles = work.is_rectangle_label(label);
                let (pieces, holes) = inside.pieces(min_area);
                task.holes_filled += if all_rectangles { 0 } else { holes };
                let (pieces, dropped) = without_slivers(pieces);
                task.slivers_dropped += dropped;
                for piece in pieces {
                    let shape = if all_rectangles {
                        let b = piece.bbox();
                        Shape::rectangle(b.min, b.max)
                    } else {
                        piece
                    };
                    task.consensus.push(Region::new("", label.clone(), shape));
                }
            }
        }
    }
    for task in &mut tasks {
        task.consensus
            .sort_by_key(|r| labels.iter().position(|l| *l == r.label));
        for (i, r) in task.consensus.iter_mut().enumerate() {
            r.id = format!("r{}", i + 1);
        }
    }

    // Each worker against the consensus.
    for (work, task) in works.iter().zip(&tasks) {
        for &(w, regions) in &work.by_worker {
            let Some(score) = scores.get_mut(w) else {
                continue;
            };
            score.regions += regions.len();
            score.contributed += regions
                .iter()
                .filter(|r| {
                    task.consensus.iter().any(|c| {
                        c.label == r.label
                            && similarity(&c.shape, &r.shape, work.point_tolerance()) >= MATCH_IOU
                    })
                })
                .count();
        }
    }
    let mut agreement_values: Vec<Vec<f64>> = vec![Vec::new(); workers.len()];
    for (work, task) in works.iter().zip(&tasks) {
        for label in &labels {
            let consensus = Cover::of(
                task.consensus
                    .iter()
                    .filter(|r| r.label == *label)
                    .map(|r| &r.shape),
            );
            for &(w, _) in &work.by_worker {
                if let (Some(iou), Some(values)) = (
                    consensus.iou(&work.cover(w, label)),
                    agreement_values.get_mut(w),
                ) {
                    values.push(iou);
                }
            }
        }
    }
    for (score, values) in scores.iter_mut().zip(&agreement_values) {
        score.agreement = Spread::of(values).map(|s| s.mean);
    }
    if let Some(b) = bundle {
        for (mark, worker) in scores.iter_mut().zip(&workers) {
            for task in &b.tasks {
                if let (Some(truth), Some(file)) = (&task.gold, worker.submitted.get(&task.id)) {
                    mark.gold.push(super::gold::score(
                        &task.id,
                        &file.regions,
                        truth,
                        b.gold_pass_iou,
                    ));
                }
            }
        }
    }

    let alpha_pairable = alpha_units.iter().filter(|u| u.len() >= 2).count();
    let alpha = krippendorff_alpha_nominal(&alpha_units);
    let dataset = Dataset {
        categories: labels
            .iter()
            .map(|name| Category {
                name: name.clone(),
                color: bundle
                    .and_then(|b| b.labels.iter().find(|l| l.name == *name))
                    .map(|l| l.color),
            })
            .collect(),
        images: works
            .iter()
            .zip(&tasks)
            .filter_map(|(work, task)| {
                let file = workers
                    .get(*task.workers.first()?)?
                    .submitted
                    .get(work.task_id)?;
                let source = bundle.and_then(|b| {
                    b.tasks
                        .iter()
                        .find(|t| t.id == work.task_id)
                        .map(|t| t.image_path.clone())
                });
                Some(DatasetImage {
                    file_name: file.image.path.clone(),
                    source,
                    width: work.width,
                    height: work.height,
                    regions: task.consensus.clone(),
                })
            })
            .collect(),
    };
    Ok(Merged {
        bundle_id,
        method,
        workers,
        scores,
        tasks,
        alpha: (alpha, alpha_pairable),
        dataset,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::Point;

    #[test]
    fn slivers_under_a_hundredth_of_the_largest_piece_are_dropped() {
        let sq = |side: f64| Shape::rectangle(Point::new(0.0, 0.0), Point::new(side, side));
        // 10,000; 100 (exactly 1%: kept); 99 (dropped).
        let pieces = vec![
            sq(100.0),
            sq(10.0),
            Shape::rectangle(Point::new(0.0, 0.0), Point::new(9.9, 10.0)),
        ];
        let (kept, dropped) = without_slivers(pieces);
        assert_eq!((kept.len(), dropped), (2, 1));
        assert_eq!(without_slivers(Vec::new()), (Vec::new(), 0));
    }
}
