//! One task's consensus from several workers' regions: the matched objects and the majority vote over
//! them, or STAPLE's estimate over each label's area.

use super::agreement::match_across_workers;
use super::staple::Cell;
use crate::domain::annotation::Region;
use crate::domain::geometry::{Cover, Point, Shape};

/// One task as the workers who submitted it left it.
#[derive(Clone, Debug)]
pub struct TaskWork<'a> {
    /// The task.
    pub task_id: &'a str,
    /// The image's size in pixels.
    pub width: u32,
    /// The image's size in pixels.
    pub height: u32,
    /// `(worker, regions)` for each worker who submitted it, in worker order.
    pub by_worker: Vec<(usize, &'a [Region])>,
}

impl TaskWork<'_> {
    /// How many workers submitted it.
    pub fn workers(&self) -> usize {
        self.by_worker.len()
    }

    /// Square pixels of the image.
    pub fn image_area(&self) -> f64 {
        f64::from(self.width) * f64::from(self.height)
    }

    /// Points within this many pixels are the same point: 1% of the image's diagonal.
    pub fn point_tolerance(&self) -> f64 {
        0.01 * f64::from(self.width).hypot(f64::from(self.height))
    }

    /// The area `worker`'s regions labeled `label` cover (empty when they drew none).
    pub fn cover(&self, worker: usize, label: &str) -> Cover {
        Cover::of(
            self.by_worker
                .iter()
                .filter(|(w, _)| *w == worker)
                .flat_map(|(_, regions)| regions.iter())
                .filter(|r| r.label == label)
                .map(|r| &r.shape),
        )
    }

    /// True when every region of `label` with an area is a rectangle, and there is one.
    pub fn is_rectangle_label(&self, label: &str) -> bool {
        let mut areas = self
            .by_worker
            .iter()
            .flat_map(|(_, regions)| regions.iter())
            .filter(|r| r.label == label && !matches!(r.shape, Shape::Point { .. }))
            .peekable();
        areas.peek().is_some() && areas.all(|r| matches!(r.shape, Shape::Rectangle { .. }))
    }

    /// The region of `worker` at `index`.
    pub fn region(&self, worker: usize, index: usize) -> Option<&Region> {
        self.by_worker
            .iter()
            .find(|(w, _)| *w == worker)
            .and_then(|(_, regions)| regions.get(index))
    }
}

/// Regions of different workers taken as one object.
#[derive(Clone, Debug, PartialEq)]
pub struct Matched {
    /// `(worker, index of the region in that worker's list)`.
    pub members: Vec<(usize, usize)>,
    /// The label most members gave (ties: the one first in the label set).
    pub label: String,
    /// Members over the workers who submitted the task.
    pub vote_share: f64,
    /// A strict majority of the task's workers drew it: the majority consensus keeps it.
    pub kept: bool,
}

/// The objects of `task`: every region in exactly one, matched across workers whatever their
/// labels (so that a label disagreement is seen as one). `label_rank` orders labels for ties.
pub fn matches(task: &TaskWork<'_>, label_rank: &dyn Fn(&str) -> usize) -> Vec<Matched> {
    let mut index: Vec<(usize, usize)> = Vec::new();
    let mut shapes: Vec<(usize, &Shape)> = Vec::new();
    for (worker, regions) in &task.by_worker {
        for (i, region) in regions.iter().enumerate() {
            index.push((*worker, i));
            shapes.push((*worker, &region.shape));
        }
    }
    let n = task.workers().max(1);
    match_across_workers(&shapes, task.point_tolerance())
        .into_iter()
        .map(|group| {
            let members: Vec<(usize, usize)> = group
                .iter()
                .filter_map(|&g| index.get(g).copied())
                .collect();
            let mut votes: Vec<(&str, usize)> = Vec::new();
            for &(w, i) in &members {
                if let Some(r) = task.region(w, i) {
                    match votes.iter_mut().find(|(l, _)| *l == r.label) {
                        Some((_, v)) => *v += 1,
                        None => votes.push((&r.label, 1)),
                    }
                }
            }
            votes.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then(label_rank(a.0).cmp(&label_rank(b.0)))
                    .then(a.0.cmp(b.0))
            });
            let label = votes.first().map(|v| v.0.to_owned()).unwrap_or_default();
            Matched {
                vote_share: members.len() as f64 / n as f64,
                kept: members.len() * 2 > n,
                members,
                label,
            }
        })
        .collect()
}

/// The area that more than `threshold` of `covers` share.
pub fn covered_by_more_than(covers: &[Cover], threshold: usize) -> Cover {
    // Cells by how many covers hold them: at most covers + 1 cells, two boolean operations each per cover.
    let mut by_count: Vec<Cover> = Vec::new();
    for cover in covers {
        let mut next: Vec<Cover> = vec![Cover::empty(); by_count.len() + 1];
        let mut seen = Cover::empty();
        for (count, cell) in by_count.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            seen = seen.union(cell);
            let inside = cell.intersection(cover);
            let outside = cell.difference(cover);
            if let Some(c) = next.get_mut(count + 1) {
                *c = c.union(&inside);
            }
            if let Some(c) = next.get_mut(count) {
                *c = c.union(&outside);
            }
        }
        let fresh = cover.difference(&seen);
        if by_count.is_empty() {
            next = vec![Cover::empty(), fresh];
        } else if let Some(c) = next.get_mut(1) {
            *c = c.union(&fresh);
        }
        by_count = next;
    }
    by_count
        .iter()
        .enumerate()
        .filter(|(count, _)| *count > threshold)
        .fold(Cover::empty(), |all, (_, c)| all.union(c))
}

/// The median of some numbers (the mean of the middle two for an even count).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let upper = *values.get(n / 2)?;
    if n % 2 == 1 {
        return Some(upper);
    }
    Some((upper + values.get(n / 2 - 1)?) / 2.0)
}

/// The majority vote over one kept object's regions: for points, their mean; for rectangles, the
/// rectangle whose each side is the median of the members' (what a majority of edges agree on);
/// otherwise (or when the medians cross) every point of the image that more than half of the task's
/// workers' regions in the object cover, one region per connected piece of at least `min_area`
/// square pixels. Returns the shapes and the holes filled.
pub fn majority_shapes(
    task: &TaskWork<'_>,
    matched: &Matched,
    min_area: f64,
) -> (Vec<Shape>, usize) {
    let shapes: Vec<&Shape> = matched
        .members
        .iter()
        .filter_map(|&(w, i)| task.region(w, i).map(|r| &r.shape))
        .collect();
    if shapes.iter().all(|s| matches!(s, Shape::Point { .. })) {
        let n = shapes.len().max(1) as f64;
        let (x, y) = shapes
            .iter()
            .flat_map(|s| s.points())
            .fold((0.0, 0.0), |(x, y), p| (x + p.x, y + p.y));
        return (
            vec![Shape::Point {
                at: Point::new(x / n, y / n),
            }],
            0,
        );
    }
    if shapes.iter().all(|s| matches!(s, Shape::Rectangle { .. })) {
        let side = |f: fn(&crate::domain::geometry::Rect) -> f64| {
            median(shapes.iter().map(|s| f(&s.bbox())).collect())
        };
        if let (Some(x0), Some(y0), Some(x1), Some(y1)) = (
            side(|r| r.min.x),
            side(|r| r.min.y),
            side(|r| r.max.x),
            side(|r| r.max.y),
        ) && x1 > x0
            && y1 > y0
        {
            return (
                vec![Shape::rectangle(Point::new(x0, y0), Point::new(x1, y1))],
                0,
            );
        }
    }
    let covers: Vec<Cover> = shapes.iter().map(|s| Cover::of([*s])).collect();
    covered_by_more_than(&covers, task.workers() / 2).pieces(min_area)
}

/// The cells of one task and label for STAPLE: the image cut where the task's workers' areas of the
/// label begin and end, each cell with its votes and, but for the unmarked rest of the image, its
/// area as geometry.
pub fn label_cells(task: &TaskWork<'_>, label: &str) -> Vec<(Cell, Option<Cover>)> {
    let covers: Vec<(usize, Cover)> = task
        .by_worker
        .iter()
        .map(|(w, _)| (*w, task.cover(*w, label)))
        .collect();
    let all = covers
        .iter()
        .fold(Cover::empty(), |all, (_, c)| all.union(c));
    let mut cells: Vec<(Vec<(usize, bool)>, Cover)> = Vec::new();
    if !all.is_empty() {
        cells.push((Vec::new(), all.clone()));
    }
    for (worker, cover) in &covers {
        let mut next = Vec::with_capacity(cells.len() * 2);
        for (votes, cell) in cells {
            let inside = cell.intersection(cover);
            let outside = cell.difference(cover);
            for (part, mark) in [(inside, true), (outside, false)] {
                if !part.is_empty() {
                    let mut v = votes.clone();
                    v.push((*worker, mark));
                    next.push((v, part));
                }
            }
        }
        cells = next;
    }
    let mut out: Vec<(Cell, Option<Cover>)> = cells
        .into_iter()
        .map(|(votes, cover)| {
            (
                Cell {
                    votes,
                    area: cover.area(),
                },
                Some(cover),
            )
        })
        .collect();
    let rest = (task.image_area() - all.area()).max(0.0);
    if rest > 0.0 {
        out.push((
            Cell {
                votes: covers.iter().map(|(w, _)| (*w, false)).collect(),
                area: rest,
            },
            None,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(id: &str, label: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Region {
        Region::new(
            id,
            label,
            Shape::rectangle(Point::new(x0, y0), Point::new(x1, y1)),
        )
    }

    fn polygon(id: &str, label: &str, points: &[(f64, f64)]) -> Region {
        Region::new(
            id,
            label,
            Shape::from_points(
                crate::domain::geometry::ShapeKind::Polygon,
                points.iter().map(|&(x, y)| Point::new(x, y)).collect(),
            )
            .unwrap(),
        )
    }

    #[test]
    fn more_than_half_of_three_squares_is_where_two_overlap() {
        let sq = |x: f64| {
            Cover::of([&Shape::rectangle(
                Point::new(x, 0.0),
                Point::new(x + 10.0, 10.0),
            )])
        };
        let covers = [sq(0.0), sq(4.0), sq(8.0)];
        // Counts along x: [0,4) 1, [4,8) 2, [8,10) 3, [10,14) 2, [14,18) 1.
        assert!((covered_by_more_than(&covers, 1).area() - 100.0).abs() < 1e-9);
        assert!((covered_by_more_than(&covers, 2).area() - 20.0).abs() < 1e-9);
        assert!((covered_by_more_than(&covers, 0).area() - 180.0).abs() < 1e-9);
        assert!(covered_by_more_than(&covers, 3).is_empty());
    }

    #[test]
    fn the_majority_keeps_objects_most_workers_drew_with_the_label_most_gave() {
        let a = [
            rect("r1", "cloud", 0.0, 0.0, 10.0, 10.0),
            rect("r2", "sky", 100.0, 100.0, 110.0, 110.0),
        ];
        let b = [rect("r1", "sky", 1.0, 0.0, 11.0, 10.0)];
        let c = [rect("r1", "sky", 0.0, 1.0, 10.0, 11.0)];
        let task = TaskWork {
            task_id: "t",
            width: 200,
            height: 200,
            by_worker: vec![(0, &a), (1, &b), (2, &c)],
        };
        let rank = |l: &str| usize::from(l != "sky");
        let m = matches(&task, &rank);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].members, vec![(0, 0), (1, 0), (2, 0)]);
        assert_eq!((m[0].label.as_str(), m[0].kept), ("sky", true));
        assert!((m[0].vote_share - 1.0).abs() < 1e-12);
        assert_eq!((m[1].members.len(), m[1].kept), (1, false));
        let (shapes, _) = majority_shapes(&task, &m[0], 1.0);
        // Median sides: x 0,1,0 → 0; y 0,0,1 → 0; x1 10,11,10 → 10; y1 10,10,11 → 10.
        assert_eq!(
            shapes,
            vec![Shape::rectangle(
                Point::new(0.0, 0.0),
                Point::new(10.0, 10.0)
            )]
        );
    }

    #[test]
    fn polygons_vote_by_area() {
        let tri =
            |id: &str, dx: f64| polygon(id, "sky", &[(dx, 0.0), (dx + 10.0, 0.0), (dx, 10.0)]);
        let a = [tri("r1", 0.0)];
        let b = [polygon(
            "r1",
            "sky",
            &[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)],
        )];
        let task = TaskWork {
            task_id: "t",
            width: 50,
            height: 50,
            by_worker: vec![(0, &a), (1, &b)],
        };
        let m = matches(&task, &|_| 0);
        assert_eq!(m.len(), 1);
        // Two workers: both must cover a point; the triangle lies inside the square.
        let (shapes, holes) = majority_shapes(&task, &m[0], 1.0);
        assert_eq!((shapes.len(), holes), (1, 0));
        assert!((shapes[0].area() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn label_cells_cut_the_image_by_who_marks_it() {
        let a = [rect("r1", "sky", 0.0, 0.0, 10.0, 10.0)];
        let b = [
            rect("r1", "sky", 5.0, 0.0, 15.0, 10.0),
            rect("r2", "tree", 0.0, 20.0, 5.0, 25.0),
        ];
        let task = TaskWork {
            task_id: "t",
            width: 20,
            height: 40,
            by_worker: vec![(0, &a), (1, &b)],
        };
        let cells = label_cells(&task, "sky");
        let mut found: Vec<(Vec<(usize, bool)>, f64)> = cells
            .iter()
            .map(|(c, _)| (c.votes.clone(), c.area))
            .collect();
        found.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(
            found,
            vec![
                (vec![(0, false), (1, false)], 800.0 - 150.0),
                (vec![(0, false), (1, true)], 50.0),
                (vec![(0, true), (1, false)], 50.0),
                (vec![(0, true), (1, true)], 50.0),
            ]
        );
        assert!(cells.iter().filter(|(_, g)| g.is_none()).count() == 1);
    }
}
