//! STAPLE (Warfield, Zou and Wells, "Simultaneous Truth and Performance Level Estimation", IEEE
//! TMI 23(7), 2004): from several workers' binary segmentations, the expectation-maximisation estimate
//! of each worker's sensitivity `p` and specificity `q` and of the probability that each point is
//! truly inside.
//!
//! Points where the same workers say the same thing have the same posterior, so the EM runs over
//! *cells* (one per pattern of votes, with its area) instead of pixels: exact, and as fast for a
//! 400-megapixel photo as for a thumbnail. A worker who did not do a task has no vote in its cells
//! (the missing-rater form of the algorithm). The prior is the mean fraction of the area the workers
//! mark, fixed, as in the paper's experiments and ITK's `STAPLEImageFilter`; the start is
//! `p = q = 0.99`, also the paper's.

/// Where the same workers mark the same: one vote per worker present, and the area.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// `(worker, marks it)` for each worker who did the task the cell lies in.
    pub votes: Vec<(usize, bool)>,
    /// Square pixels.
    pub area: f64,
}

/// One worker's estimated performance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Performance {
    /// Of the area truly inside, the share the worker marked.
    pub sensitivity: f64,
    /// Of the area truly outside, the share the worker left unmarked.
    pub specificity: f64,
}

/// What the EM found.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Per worker index; `None` for a worker with no vote in any cell.
    pub workers: Vec<Option<Performance>>,
    /// Per cell, in the order given: the probability that it is truly inside.
    pub posterior: Vec<f64>,
    /// The prior probability of inside.
    pub prior: f64,
    /// EM iterations run.
    pub iterations: usize,
}

const START: f64 = 0.99;
/// Keeps `ln p` and `ln (1 - p)` finite when a worker is perfect on the data.
const EPS: f64 = 1e-12;
const MAX_ITERATIONS: usize = 1000;
const TOLERANCE: f64 = 1e-10;

/// Runs STAPLE over `cells` for `workers` workers (indices `0..workers`).
pub fn staple(cells: &[Cell], workers: usize) -> Estimate {
    let total: f64 = cells.iter().map(|c| c.area).sum();
    let marked: f64 = cells
        .iter()
        .filter(|c| !c.votes.is_empty())
        .map(|c| c.area * c.votes.iter().filter(|v| v.1).count() as f64 / c.votes.len() as f64)
        .sum();
    let prior = if total > 0.0 { marked / total } else { 0.0 }.clamp(EPS, 1.0 - EPS);
    let mut p = vec![START; workers];
    let mut q = vec![START; workers];
    let mut posterior = vec![0.0; cells.len()];
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        // E-step, in logs: a cell marked by many workers would underflow a plain product.
        for (w, cell) in posterior.iter_mut().zip(cells) {
            let (mut inside, mut outside) = (prior.ln(), (1.0 - prior).ln());
            for &(j, mark) in &cell.votes {
                let (pj, qj) = (at(&p, j), at(&q, j));
                if mark {
                    inside += pj.ln();
                    outside += (1.0 - qj).ln();
                } else {
                    inside += (1.0 - pj).ln();
                    outside += qj.ln();
                }
            }
            // w = e^inside / (e^inside + e^outside), computed without overflow.
            *w = 1.0 / (1.0 + (outside - inside).exp());
        }
        // M-step.
        let mut sums = vec![[0.0f64; 4]; workers];
        for (w, cell) in posterior.iter().zip(cells) {
            for &(j, mark) in &cell.votes {
                if let Some(s) = sums.get_mut(j) {
                    s[0] += w * cell.area;
                    s[1] += (1.0 - w) * cell.area;
                    if mark {
                        s[2] += w * cell.area;
                    } else {
                        s[3] += (1.0 - w) * cell.area;
                    }
                }
            }
        }
        let mut change: f64 = 0.0;
        for ((pj, qj), s) in p.iter_mut().zip(q.iter_mut()).zip(&sums) {
            if s[0] > 0.0 {
                let new = (s[2] / s[0]).clamp(EPS, 1.0 - EPS);
                change = change.max((new - *pj).abs());
                *pj = new;
            }
            if s[1] > 0.0 {
                let new = (s[3] / s[1]).clamp(EPS, 1.0 - EPS);
                change = change.max((new - *qj).abs());
                *qj = new;
            }
        }
        if change < TOLERANCE {
            break;
        }
    }
    let voted: Vec<bool> = (0..workers)
        .map(|j| cells.iter().any(|c| c.votes.iter().any(|v| v.0 == j)))
        .collect();
    Estimate {
        workers: (0..workers)
            .map(|j| {
                voted.get(j).copied().unwrap_or(false).then(|| Performance {
                    sensitivity: at(&p, j),
                    specificity: at(&q, j),
                })
            })
            .collect(),
        posterior,
        prior,
        iterations,
    }
}

fn at(values: &[f64], j: usize) -> f64 {
    values.get(j).copied().unwrap_or(START)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(marks: [bool; 3], area: f64) -> Cell {
        Cell {
            votes: marks.iter().copied().enumerate().collect(),
            area,
        }
    }

    /// Worker 0 outlines the object exactly; workers 1 and 2 both paint well beyond it, each over a
    /// large area of their own, and over the same stretch `y` beside the object. A majority vote
    /// takes `y` (two of three mark it); STAPLE learns from the large spills that workers 1 and 2
    /// mark much that is outside, that worker 0 misses nothing, and leaves `y` out.
    #[test]
    fn staple_recovers_the_object_where_a_majority_vote_takes_a_shared_spill() {
        let (object, y, spill, background) = (1000.0, 100.0, 3000.0, 10_000.0);
        let cells = [
            cell([true, true, true], object),
            cell([false, true, true], y),
            cell([false, true, false], spill),
            cell([false, false, true], spill),
            cell([false, false, false], background),
        ];
        let majority: Vec<bool> = cells
            .iter()
            .map(|c| c.votes.iter().filter(|v| v.1).count() * 2 > c.votes.len())
            .collect();
        assert_eq!(majority, [true, true, false, false, false]);
        let e = staple(&cells, 3);
        let inside: Vec<bool> = e.posterior.iter().map(|&w| w >= 0.5).collect();
        assert_eq!(inside, [true, false, false, false, false], "{e:?}");
        // At the fixed point the truth is the object, so each rate is a ratio of areas:
        let outside = y + 2.0 * spill + background;
        let w0 = e.workers[0].unwrap();
        assert!((w0.sensitivity - 1.0).abs() < 1e-6 && (w0.specificity - 1.0).abs() < 1e-6);
        for w in [e.workers[1].unwrap(), e.workers[2].unwrap()] {
            assert!((w.sensitivity - 1.0).abs() < 1e-6, "{w:?}");
            let expected = 1.0 - (y + spill) / outside;
            assert!(
                (w.specificity - expected).abs() < 1e-6,
                "{w:?} vs {expected}"
            );
        }
        // The prior is the workers' mean marked share.
        let total = object + y + 2.0 * spill + background;
        let marked = (object * 3.0 + y * 2.0 + spill * 2.0) / 3.0;
        assert!((e.prior - marked / total).abs() < 1e-12);
    }

    #[test]
    fn agreeing_workers_are_rated_perfect_and_their_area_is_inside() {
        let cells = [
            cell([true, true, true], 50.0),
            cell([false, false, false], 150.0),
        ];
        let e = staple(&cells, 3);
        assert!(e.posterior[0] > 0.999 && e.posterior[1] < 0.001);
        for w in e.workers.iter().flatten() {
            assert!(w.sensitivity > 0.999999 && w.specificity > 0.999999);
        }
    }

    #[test]
    fn a_worker_absent_from_every_cell_has_no_estimate() {
        let cells = [Cell {
            votes: vec![(0, true), (2, true)],
            area: 10.0,
        }];
        let e = staple(&cells, 3);
        assert!(e.workers[0].is_some() && e.workers[1].is_none() && e.workers[2].is_some());
        assert!(staple(&[], 2).workers.iter().all(Option::is_none));
    }
}
