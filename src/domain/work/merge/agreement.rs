//! The agreement figures of a merge: IoU and Dice between two workers' areas, their spread, matching
//! regions across workers, and Krippendorff's alpha for the labels of matched regions.

use crate::domain::geometry::{Cover, Rect, Shape};
use std::collections::BTreeMap;

/// Regions of different workers are the same object at this similarity or more: CVAT's consensus
/// default (IoU 0.5), and the COCO detection threshold.
pub const MATCH_IOU: f64 = 0.5;

/// IoU and Dice of two areas; `None` when neither covers anything (nothing to compare).
pub fn iou_dice(a: &Cover, b: &Cover) -> Option<(f64, f64)> {
    let iou = a.iou(b)?;
    // Dice = 2|A∩B| / (|A| + |B|) = 2 IoU / (1 + IoU).
    Some((iou, 2.0 * iou / (1.0 + iou)))
}

/// Mean, spread and range of some figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// How many figures.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their standard deviation (population: the figures are all the pairs there are, not a sample).
    pub sd: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Some(Spread {
            n: values.len(),
            mean,
            sd: var.sqrt(),
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// How alike two shapes are, in `[0, 1]`: IoU for two areas; for two points, 1 at the same place
/// falling to 0.5 at `point_tolerance` pixels apart and 0 at twice that; 0 between a point and an area.
pub fn similarity(a: &Shape, b: &Shape, point_tolerance: f64) -> f64 {
    match (a, b) {
        (Shape::Point { at: p }, Shape::Point { at: q }) => {
            let d = p.distance(*q);
            if point_tolerance <= 0.0 {
                return if d == 0.0 { 1.0 } else { 0.0 };
            }
            (1.0 - d / (2.0 * point_tolerance)).max(0.0)
        }
        (Shape::Point { .. }, _) | (_, Shape::Point { .. }) => 0.0,
        _ => a.iou(b),
    }
}

/// A shape's extent for the cheap test that rules most pairs out: two areas whose boxes do not meet,
/// or whose sizes differ more than `1 / MATCH_IOU` times, cannot match.
fn could_match(a: &(Rect, f64, bool), b: &(Rect, f64, bool), point_tolerance: f64) -> bool {
    let ((ra, area_a, point_a), (rb, area_b, point_b)) = (a, b);
    if point_a != point_b {
        return false;
    }
    let grow = if *point_a { point_tolerance } else { 0.0 };
    let meet = ra.min.x - grow <= rb.max.x
        && rb.min.x - grow <= ra.max.x
        && ra.min.y - grow <= rb.max.y
        && rb.min.y - grow <= ra.max.y;
    if !meet {
        return false;
    }
    *point_a || area_a.min(*area_b) >= MATCH_IOU * area_a.max(*area_b)
}

/// Groups shapes of different workers that are the same object: every pair of different workers'
/// shapes with similarity at least [`MATCH_IOU`] is taken, best first, and joins two groups unless
/// a worker would then have two shapes in one group. `shapes` is `(worker, shape)`; the groups are
/// lists of indices into it, each sorted, in order of their first index. Every shape is in one group
/// (alone when nothing matches it).
pub fn match_across_workers(shapes: &[(usize, &Shape)], point_tolerance: f64) -> Vec<Vec<usize>> {
    let extents: Vec<(Rect, f64, bool)> = shapes
        .iter()
        .map(|(_, s)| (s.bbox(), s.area(), matches!(s, Shape::Point { .. })))
        .collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, (wi, si)) in shapes.iter().enumerate() {
        for (j, (wj, sj)) in shapes.iter().enumerate().skip(i + 1) {
            if wi == wj {
                continue;
            }
            let (Some(ei), Some(ej)) = (extents.get(i), extents.get(j)) else {
                continue;
            };
            if !could_match(ei, ej, point_tolerance) {
                continue;
            }
            let s = similarity(si, sj, point_tolerance);
            if s >= MATCH_IOU {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // Each shape starts alone; `group[i]` is the group shape i is in.
    let mut group: Vec<usize> = (0..shapes.len()).collect();
    let mut members: Vec<Vec<usize>> = (0..shapes.len()).map(|i| vec![i]).collect();
    let worker = |i: usize| shapes.get(i).map(|s| s.0);
    for (_, i, j) in pairs {
        let (Some(&gi), Some(&gj)) = (group.get(i), group.get(j)) else {
            continue;
        };
        if gi == gj {
            continue;
        }
        let (a, b) = (
            members.get(gi).cloned().unwrap_or_default(),
            members.get(gj).cloned().unwrap_or_default(),
        );
        if a.iter().any(|&x| b.iter().any(|&y| worker(x) == worker(y))) {
            continue;
        }
        for &y in &b {
            if let Some(g) = group.get_mut(y) {
                *g = gi;
            }
        }
        if let Some(m) = members.get_mut(gi) {
            m.extend(b);
            m.sort_unstable();
        }
        if let Some(m) = members.get_mut(gj) {
            m.clear();
        }
    }
    let mut out: Vec<Vec<usize>> = members.into_iter().filter(|m| !m.is_empty()).collect();
    out.sort_by_key(|m| m.first().copied());
    out
}

/// Krippendorff's alpha for nominal data (Krippendorff, *Content Analysis*, 2004; "Computing
/// Krippendorff's alpha-reliability", 2011): each unit is the values its coders gave (coders who gave
/// none are simply absent); units with fewer than two values are not pairable and do not count.
/// `None` when fewer than two values are pairable or every pairable value is the same (no variation:
/// the measure is undefined).
pub fn krippendorff_alpha_nominal<T: Ord + Clone>(units: &[Vec<T>]) -> Option<f64> {
    // The coincidence matrix, as `(c, k) -> o_ck`.
    let mut o: BTreeMap<(T, T), f64> = BTreeMap::new();
    let mut n_c: BTreeMap<T, f64> = BTreeMap::new();
    for unit in units.iter().filter(|u| u.len() >= 2) {
        let weight = 1.0 / (unit.len() - 1) as f64;
        for (i, c) in unit.iter().enumerate() {
            for (j, k) in unit.iter().enumerate() {
                if i != j {
                    *o.entry((c.clone(), k.clone())).or_default() += weight;
                    *n_c.entry(c.clone()).or_default() += weight;
                }
            }
        }
    }
    let n: f64 = n_c.values().sum();
    if n < 2.0 {
        return None;
    }
    let observed: f64 = o.iter().filter(|((c, k), _)| c != k).map(|(_, v)| v).sum();
    let same: f64 = n_c.values().map(|v| v * v).sum();
    let expected = (n * n - same) / (n - 1.0);
    if expected <= 0.0 {
        return None;
    }
    Some(1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::Point;

    fn square(x: f64, y: f64, side: f64) -> Shape {
        Shape::rectangle(Point::new(x, y), Point::new(x + side, y + side))
    }

    /// The nominal example of Krippendorff (2011), "Computing Krippendorff's alpha-reliability",
    /// section C: four observers, twelve units, some values missing; alpha = 0.743.
    #[test]
    fn krippendorffs_own_nominal_example_gives_0_743() {
        let rows: [[Option<u8>; 12]; 4] = [
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                None,
                None,
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                None,
                Some(3),
            ],
            [
                None,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
        ];
        let units: Vec<Vec<u8>> = (0..12)
            .map(|u| rows.iter().filter_map(|r| r[u]).collect())
            .collect();
        let alpha = krippendorff_alpha_nominal(&units).unwrap();
        assert!((alpha - 0.743).abs() < 0.0005, "{alpha}");
    }

    #[test]
    fn alpha_is_one_for_perfect_agreement_and_undefined_without_variation() {
        let same = vec![vec!["sky", "sky"], vec!["cloud", "cloud"]];
        assert_eq!(krippendorff_alpha_nominal(&same), Some(1.0));
        assert_eq!(
            krippendorff_alpha_nominal(&[vec!["sky", "sky"], vec!["sky", "sky"]]),
            None
        );
        assert_eq!(krippendorff_alpha_nominal(&[vec!["sky"]]), None);
        // Two coders, two units, always disagreeing: alpha is below zero.
        let opposed = vec![vec!["sky", "cloud"], vec!["cloud", "sky"]];
        assert!(krippendorff_alpha_nominal(&opposed).unwrap() < 0.0);
    }

    #[test]
    fn dice_follows_iou_and_spread_is_population() {
        let a = Cover::of([&square(0.0, 0.0, 10.0)]);
        let b = Cover::of([&square(5.0, 0.0, 10.0)]);
        let (iou, dice) = iou_dice(&a, &b).unwrap();
        assert!((iou - 1.0 / 3.0).abs() < 1e-12);
        // 2 × 50 / (100 + 100).
        assert!((dice - 0.5).abs() < 1e-12);
        assert_eq!(iou_dice(&Cover::empty(), &Cover::empty()), None);
        let s = Spread::of(&[1.0, 0.5]).unwrap();
        assert_eq!((s.n, s.mean, s.sd, s.min, s.max), (2, 0.75, 0.25, 0.5, 1.0));
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn matching_takes_the_best_pairs_and_one_shape_per_worker() {
        let a = square(0.0, 0.0, 10.0);
        let b_good = square(1.0, 0.0, 10.0);
        let b_worse = square(2.0, 0.0, 10.0);
        let c = square(0.0, 1.0, 10.0);
        let far = square(500.0, 500.0, 10.0);
        let p = Shape::Point {
            at: Point::new(100.0, 100.0),
        };
        let q = Shape::Point {
            at: Point::new(103.0, 100.0),
        };
        let shapes = [
            (0, &a),
            (1, &b_good),
            (1, &b_worse),
            (2, &c),
            (2, &far),
            (0, &p),
            (1, &q),
        ];
        let groups = match_across_workers(&shapes, 5.0);
        assert_eq!(
            groups,
            vec![vec![0, 1, 3], vec![2], vec![4], vec![5, 6]],
            "worker 1's second square cannot join a group that has its first"
        );
        assert!((similarity(&p, &q, 5.0) - 0.7).abs() < 1e-12);
        assert_eq!(similarity(&p, &a, 5.0), 0.0);
    }
}
