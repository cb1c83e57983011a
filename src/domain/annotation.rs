//! Regions and the annotation of one task.

use crate::domain::geometry::{Point, Shape};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One labeled shape on a task's image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Stable within its task: never reused, never renumbered.
    pub id: String,
    /// The label's name, as in the bundle's label set.
    pub label: String,
    /// The geometry, in image pixels.
    pub shape: Shape,
    /// Free-form attributes (for example `{"occluded": true}`).
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Keys this version does not know, kept so that a rewrite never drops them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Region {
    /// A region with no attributes.
    pub fn new(id: impl Into<String>, label: impl Into<String>, shape: Shape) -> Self {
        Region {
            id: id.into(),
            label: label.into(),
            shape,
            attributes: Map::new(),
            extra: Map::new(),
        }
    }
}

/// Where a task stands for the worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not opened yet.
    #[default]
    New,
    /// Opened or edited, not finished.
    InProgress,
    /// Finished and handed in.
    Submitted,
    /// Passed over by the worker.
    Skipped,
}

impl TaskStatus {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::New => "new",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Submitted => "submitted",
            TaskStatus::Skipped => "skipped",
        }
    }

    /// True for submitted and skipped tasks.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Submitted | TaskStatus::Skipped)
    }
}

/// Which part of a region a hit test found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPart {
    /// A vertex (index into the shape's vertices).
    Vertex(usize),
    /// An edge (edge `i` runs from vertex `i` to vertex `i + 1`).
    Edge(usize),
    /// The inside.
    Body,
}

/// The result of a hit test: a region (by index in drawing order) and the part under the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index of the region in drawing order.
    pub region: usize,
    /// What was hit.
    pub part: HitPart,
}

/// All regions of one task, in drawing order (later regions are drawn on top).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Annotation {
    /// The regions, bottom to top.
    pub regions: Vec<Region>,
}

impl Annotation {
    /// An annotation holding `regions`.
    pub fn new(regions: Vec<Region>) -> Self {
        Annotation { regions }
    }

    /// The region with `id`.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// The position of the region with `id` in drawing order.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.id == id)
    }

    /// A region id not used in this annotation: `r<n>` with `n` one past the largest number in use.
    pub fn next_region_id(&self) -> String {
        let largest = self
            .regions
            .iter()
            .filter_map(|r| r.id.strip_prefix('r')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        format!("r{}", largest.saturating_add(1))
    }

    /// What is under `p`: vertices win over edges, edges over bodies, and among equals the topmost
    /// region wins. `tolerance` is in image pixels; regions for which `visible` is false are skipped.
    pub fn hit_test(
        &self,
        p: Point,
        tolerance: f64,
        visible: impl Fn(&Region) -> bool,
    ) -> Option<Hit> {
        let topmost_first: Vec<usize> = (0..self.regions.len()).rev().collect();
        self.hit_test_among(&topmost_first, p, tolerance, visible)
    }

    /// [`Annotation::hit_test`]'s rules over the regions `topmost_first` lists (indices in drawing
    /// order, topmost first): the spatial index passes only those within reach of `p`.
    pub(crate) fn hit_test_among(
        &self,
        topmost_first: &[usize],
        p: Point,
        tolerance: f64,
        visible: impl Fn(&Region) -> bool,
    ) -> Option<Hit> {
        let candidates = || {
            topmost_first
                .iter()
                .filter_map(|&i| Some((i, self.regions.get(i)?)))
                .filter(|(_, r)| visible(r))
        };
        let vertex = candidates().find_map(|(i, r)| {
            let (v, d) = r.shape.nearest_vertex(p)?;
            (d <= tolerance).then_some(Hit {
                region: i,
                part: HitPart::Vertex(v),
            })
        });
        let edge = || {
            candidates().find_map(|(i, r)| {
                let (e, d) = r.shape.nearest_edge(p)?;
                (d <= tolerance).then_some(Hit {
                    region: i,
                    part: HitPart::Edge(e),
                })
            })
        };
        let body = || {
            candidates()
                .find(|(_, r)| r.shape.contains(p))
                .map(|(i, _)| Hit {
                    region: i,
                    part: HitPart::Body,
                })
        };
        vertex.or_else(edge).or_else(body)
    }

    /// The topmost region whose body contains `p`, or whose point lies within `tolerance` pixels.
    pub fn region_at(&self, p: Point, tolerance: f64) -> Option<&Region> {
        self.regions.iter().rev().find(|r| match r.shape {
            Shape::Point { at } => at.distance(p) <= tolerance,
            _ => r.shape.contains(p),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_region_id_never_reuses_a_number() {
        let mut ann = Annotation::default();
        assert_eq!(ann.next_region_id(), "r1");
        ann.regions.push(Region::new(
            "r7",
            "sky",
            Shape::Point {
                at: Point::new(1.0, 1.0),
            },
        ));
        ann.regions.push(Region::new(
            "imported",
            "sky",
            Shape::Point {
                at: Point::new(1.0, 1.0),
            },
        ));
        assert_eq!(ann.next_region_id(), "r8");
    }

    #[test]
    fn region_keeps_unknown_keys() {
        let json = r#"{"id":"r1","label":"sky","shape":{"type":"point","points":[[1.0,2.0]]},"attributes":{},"score":0.9}"#;
        let region: Region = serde_json::from_str(json).unwrap();
        assert_eq!(region.extra.get("score"), Some(&Value::from(0.9)));
        let back = serde_json::to_string(&region).unwrap();
        assert!(back.contains(r#""score":0.9"#), "{back}");
    }

    #[test]
    fn hit_test_prefers_vertices_then_edges_then_bodies() {
        let big = Shape::rectangle(Point::new(0.0, 0.0), Point::new(100.0, 100.0));
        let small = Shape::rectangle(Point::new(40.0, 40.0), Point::new(60.0, 60.0));
        let ann = Annotation::new(vec![
            Region::new("r1", "sky", big),
            Region::new("r2", "tree", small),
        ]);
        let all = |_: &Region| true;
        // Inside the small box, near the big box's... nothing: body of the topmost.
        assert_eq!(
            ann.hit_test(Point::new(50.0, 50.0), 2.0, all),
            Some(Hit {
                region: 1,
                part: HitPart::Body
            })
        );
        // Near the small box's corner: its vertex beats the big box's body.
        assert_eq!(
            ann.hit_test(Point::new(41.0, 41.0), 2.0, all),
            Some(Hit {
                region: 1,
                part: HitPart::Vertex(0)
            })
        );
        // On the big box's top edge.
        assert_eq!(
            ann.hit_test(Point::new(30.0, 1.0), 2.0, all),
            Some(Hit {
                region: 0,
                part: HitPart::Edge(0)
            })
        );
        // Hidden regions are skipped.
        assert_eq!(
            ann.hit_test(Point::new(50.0, 50.0), 2.0, |r: &Region| r.id != "r2"),
            Some(Hit {
                region: 0,
                part: HitPart::Body
            })
        );
        assert_eq!(ann.hit_test(Point::new(500.0, 500.0), 2.0, all), None);
    }

    #[test]
    fn region_at_prefers_the_topmost() {
        let sq = |x: f64| Shape::rectangle(Point::new(x, 0.0), Point::new(x + 10.0, 10.0));
        let ann = Annotation::new(vec![
            Region::new("r1", "sky", sq(0.0)),
            Region::new("r2", "tree", sq(5.0)),
        ]);
        assert_eq!(
            ann.region_at(Point::new(7.0, 5.0), 3.0)
                .map(|r| r.id.as_str()),
            Some("r2")
        );
        assert_eq!(
            ann.region_at(Point::new(2.0, 5.0), 3.0)
                .map(|r| r.id.as_str()),
            Some("r1")
        );
        assert!(ann.region_at(Point::new(50.0, 5.0), 3.0).is_none());
    }
}
