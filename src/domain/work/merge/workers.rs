//! Who did the work: the packages checked to be one bundle's, and grouped into workers.

use super::MergeError;
use crate::domain::annotation::TaskStatus;
use crate::domain::bundle::Bundle;
use crate::domain::ledger::{Report, Reviews, bundle_report};
use crate::domain::store::AnnotationFile;
use crate::domain::work::gold::is_of;
use crate::domain::work::package::Package;
use crate::domain::worklog::{DEFAULT_IDLE_SECS, EventKind, Outcome, derive_times, parse_journal};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One worker, over all their packages.
#[derive(Clone, Debug, PartialEq)]
pub struct Worker {
    /// How the report names them: the zip's name (without `.zip`), or the names joined.
    pub name: String,
    /// The pseudonymous ids in their work logs.
    pub worker_ids: Vec<String>,
    /// Their packages.
    pub packages: Vec<PathBuf>,
    /// Their submitted tasks.
    pub submitted: BTreeMap<String, AnnotationFile>,
    /// Their work logs' report, combined over their packages; `None` without logs.
    pub time: Option<Report>,
    /// Median active seconds of a submitted task, from their logs.
    pub median_task_secs: Option<f64>,
}

/// The bundle id `id` belongs to: `id` without a `-partNN` that `bundle split` added.
fn family(id: &str) -> &str {
    if let Some(pos) = id.rfind("-part") {
        let (base, rest) = id.split_at(pos);
        let digits = rest.trim_start_matches("-part");
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return base;
        }
    }
    id
}

/// Checks that `packages` are one bundle's work (and `bundle`'s, when given), each given once.
pub(super) fn check_packages(
    packages: &[Package],
    bundle: Option<&Bundle>,
) -> Result<String, MergeError> {
    let first = packages.first().ok_or(MergeError::Nothing)?;
    let id = bundle.map_or_else(|| family(&first.bundle_id).to_owned(), |b| b.id.clone());
    let mut seen: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    for p in packages {
        if let Some(earlier) = seen.insert(&p.summary_sha256, &p.path) {
            return Err(MergeError::Package {
                path: p.path.clone(),
                message: format!("is the same package as {} (given twice)", earlier.display()),
            });
        }
        if !is_of(&p.bundle_id, &id) {
            return Err(match bundle {
                Some(b) => MergeError::Package {
                    path: p.path.clone(),
                    message: format!(
                        "is work on bundle {:?}, not on {:?} (given with --bundle) or a part cut from it",
                        p.bundle_id, b.id
                    ),
                },
                None => MergeError::Mixed {
                    our_path: first.path.clone(),
                    ours: first.bundle_id.clone(),
                    their_path: p.path.clone(),
                    theirs: p.bundle_id.clone(),
                },
            });
        }
        if let Some(b) = bundle {
            if p.bundle_id == b.id && p.manifest_sha256 != b.manifest_sha256 {
                return Err(MergeError::Package {
                    path: p.path.clone(),
                    message: format!(
                        "was made on another version of bundle {:?} (its manifest's SHA-256 is {}, the bundle's is {})",
                        b.id, p.manifest_sha256, b.manifest_sha256
                    ),
                });
            }
            if let Some(task) = p
                .annotations
                .keys()
                .find(|t| !b.tasks.iter().any(|bt| &bt.id == *t))
            {
                return Err(MergeError::Package {
                    path: p.path.clone(),
                    message: format!("holds task {task:?}, which bundle {:?} does not have", b.id),
                });
            }
        }
    }
    Ok(id)
}

/// The zip's name without `.zip`.
fn stem(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Groups the packages into workers.
pub(super) fn workers_of(packages: Vec<Package>) -> Result<Vec<Worker>, MergeError> {
    let mut workers: Vec<Worker> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    // Active milliseconds of each worker's submitted tasks, over all their packages.
    let mut task_ms: Vec<Vec<u64>> = Vec::new();
    for package in packages {
        let events = package
            .journal
            .as_deref()
            .map(|bytes| parse_journal(bytes).events)
            .unwrap_or_default();
        let mut ids: Vec<String> = Vec::new();
        for e in &events {
            if let EventKind::SessionStart { worker_id, .. } = &e.kind
                && !ids.contains(worker_id)
            {
                ids.push(worker_id.clone());
            }
        }
        let key = match ids.as_slice() {
            [one] => format!("id:{one}"),
            _ => format!("file:{}", package.path.display()),
        };
        let time = (!events.is_empty()).then(|| {
            bundle_report(
                &package.bundle_id,
                &events,
                &Reviews::new(&package.bundle_id),
                DEFAULT_IDLE_SECS * 1000,
                None,
            )
        });
        let submitted_ms: Vec<u64> = derive_times(&events, DEFAULT_IDLE_SECS * 1000)
            .tasks
            .iter()
            .filter(|t| t.outcome == Outcome::Submitted)
            .map(|t| t.active_ms)
            .collect();
        let position = keys.iter().position(|k| *k == key);
        let index = match position {
            Some(i) => i,
            None => {
                keys.push(key);
                workers.push(Worker {
                    name: String::new(),
                    worker_ids: Vec::new(),
                    packages: Vec::new(),
                    submitted: BTreeMap::new(),
                    time: None,
                    median_task_secs: None,
                });
                task_ms.push(Vec::new());
                workers.len() - 1
            }
        };
        let Some(worker) = workers.get_mut(index) else {
            continue;
        };
        for (task, file) in package.annotations {
            if file.status != TaskStatus::Submitted {
                continue;
            }
            if worker.submitted.contains_key(&task) {
                return Err(MergeError::Package {
                    path: package.path.clone(),
                    message: format!(
                        "holds task {task:?} again for the worker of {}: give each worker's latest package once",
                        worker
                            .packages
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            worker.submitted.insert(task, file);
        }
        for id in ids {
            if !worker.worker_ids.contains(&id) {
                worker.worker_ids.push(id);
            }
        }
        worker.time = match (worker.time.take(), time) {
            (Some(a), Some(b)) => Some(Report::combine(&[a, b])),
            (a, b) => a.or(b),
        };
        if let Some(ms) = task_ms.get_mut(index) {
            ms.extend(submitted_ms);
        }
        worker.packages.push(package.path.clone());
    }
    for (w, ms) in workers.iter_mut().zip(&mut task_ms) {
        w.median_task_secs = median_secs(ms);
        let names: Vec<String> = w.packages.iter().map(|p| stem(p)).collect();
        w.name = names.join("+");
    }
    Ok(workers)
}

fn median_secs(ms: &mut [u64]) -> Option<f64> {
    ms.sort_unstable();
    let n = ms.len();
    let upper = *ms.get(n / 2)? as f64;
    if n % 2 == 1 {
        return Some(upper / 1000.0);
    }
    Some((upper + *ms.get(n / 2 - 1)? as f64) / 2000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_belongs_to_the_bundle_it_was_cut_from() {
        assert_eq!(family("skies-part03"), "skies");
        assert_eq!(family("skies"), "skies");
        assert_eq!(family("skies-part"), "skies-part");
        assert_eq!(family("skies-partx"), "skies-partx");
        assert_eq!(family("a-part1-part02"), "a-part1");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median_secs(&mut [3000, 1000]), Some(2.0));
        assert_eq!(median_secs(&mut [5000, 1000, 3000]), Some(3.0));
        assert_eq!(median_secs(&mut []), None);
    }
}
