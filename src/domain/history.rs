//! Unlimited undo and redo over the edits of one task.

use crate::domain::annotation::Annotation;
use crate::domain::edit::{Edit, EditError};

/// One applied edit and the edit that reverses it.
#[derive(Clone, Debug, PartialEq)]
struct Step {
    forward: Edit,
    inverse: Edit,
}

/// The undo and redo stacks of one task. Unlimited: a task's edits are few and small (a step holds one
/// region's shape at most).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `edit` to `annotation` and records it; clears what could be redone. On error nothing
    /// changes.
    pub fn apply(&mut self, annotation: &mut Annotation, edit: Edit) -> Result<(), EditError> {
        let inverse = annotation.apply(&edit)?;
        self.undo.push(Step {
            forward: edit,
            inverse,
        });
        self.redo.clear();
        Ok(())
    }

    /// Reverts the last edit. Returns the edit that was undone, or `None` when there is nothing to undo.
    pub fn undo(&mut self, annotation: &mut Annotation) -> Result<Option<Edit>, EditError> {
        let Some(step) = self.undo.pop() else {
            return Ok(None);
        };
        match annotation.apply(&step.inverse) {
            Ok(_) => {
                let undone = step.forward.clone();
                self.redo.push(step);
                Ok(Some(undone))
            }
            Err(e) => {
                // Only possible if the annotation was changed behind the history's back; keep the step.
                self.undo.push(step);
                Err(e)
            }
        }
    }

    /// Re-applies the last undone edit. Returns it, or `None` when there is nothing to redo.
    pub fn redo(&mut self, annotation: &mut Annotation) -> Result<Option<Edit>, EditError> {
        let Some(step) = self.redo.pop() else {
            return Ok(None);
        };
        match annotation.apply(&step.forward) {
            Ok(inverse) => {
                let redone = step.forward.clone();
                self.undo.push(Step {
                    forward: step.forward,
                    inverse,
                });
                Ok(Some(redone))
            }
            Err(e) => {
                self.redo.push(step);
                Err(e)
            }
        }
    }

    /// How many edits can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// How many edits can be redone.
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// Forgets every step (for example when another task is opened).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::annotation::Region;
    use crate::domain::geometry::{Point, Shape};
    use proptest::prelude::*;

    /// A recipe for an edit, resolved against the annotation's current state so that most recipes give
    /// applicable edits (ids and vertex indices are picked modulo what exists).
    #[derive(Clone, Debug)]
    enum Recipe {
        AddRect(f64, f64, f64, f64, usize),
        AddPolygon(Vec<(f64, f64)>),
        AddPoint(f64, f64),
        Delete(usize),
        Move(usize, f64, f64),
        MoveVertex(usize, usize, f64, f64),
        InsertVertex(usize, usize, f64, f64),
        DeleteVertex(usize, usize),
        Relabel(usize, usize),
    }

    const LABELS: [&str; 3] = ["sky", "cloud", "mountain"];

    fn coord() -> impl Strategy<Value = f64> {
        -50.0..500.0f64
    }

    fn recipe() -> impl Strategy<Value = Recipe> {
        prop_oneof![
            (coord(), coord(), coord(), coord(), 0..4usize)
                .prop_map(|(a, b, c, d, i)| Recipe::AddRect(a, b, c, d, i)),
            prop::collection::vec((coord(), coord()), 3..8).prop_map(Recipe::AddPolygon),
            (coord(), coord()).prop_map(|(x, y)| Recipe::AddPoint(x, y)),
            any::<usize>().prop_map(Recipe::Delete),
            (any::<usize>(), -20.0..20.0f64, -20.0..20.0f64)
                .prop_map(|(i, x, y)| Recipe::Move(i, x, y)),
            (any::<usize>(), any::<usize>(), coord(), coord())
                .prop_map(|(i, v, x, y)| Recipe::MoveVertex(i, v, x, y)),
            (any::<usize>(), any::<usize>(), coord(), coord())
                .prop_map(|(i, v, x, y)| Recipe::InsertVertex(i, v, x, y)),
            (any::<usize>(), any::<usize>()).prop_map(|(i, v)| Recipe::DeleteVertex(i, v)),
            (any::<usize>(), 0..3usize).prop_map(|(i, l)| Recipe::Relabel(i, l)),
        ]
    }

    fn resolve(recipe: &Recipe, ann: &Annotation) -> Edit {
        let n = ann.regions.len().max(1);
        let id_at = |i: usize| {
            ann.regions
                .get(i % n)
                .map_or_else(|| "missing".to_owned(), |r| r.id.clone())
        };
        let vertex_count = |i: usize| {
            ann.regions
                .get(i % n)
                .map_or(1, |r| r.shape.vertices().len())
        };
        match recipe {
            Recipe::AddRect(a, b, c, d, label) => Edit::AddRegion {
                region: Region::new(
                    ann.next_region_id(),
                    LABELS[label % 3],
                    Shape::rectangle(Point::new(*a, *b), Point::new(*c, *d)),
                ),
                index: None,
            },
            Recipe::AddPolygon(points) => Edit::AddRegion {
                region: Region::new(
                    ann.next_region_id(),
                    "sky",
                    Shape::Polygon {
                        points: points.iter().map(|(x, y)| Point::new(*x, *y)).collect(),
                    },
                ),
                index: Some(0),
            },
            Recipe::AddPoint(x, y) => Edit::AddRegion {
                region: Region::new(
                    ann.next_region_id(),
                    "cloud",
                    Shape::Point {
                        at: Point::new(*x, *y),
                    },
                ),
                index: None,
            },
            Recipe::Delete(i) => Edit::DeleteRegion { id: id_at(*i) },
            Recipe::Move(i, dx, dy) => Edit::MoveRegion {
                id: id_at(*i),
                dx: *dx,
                dy: *dy,
            },
            Recipe::MoveVertex(i, v, x, y) => Edit::MoveVertex {
                id: id_at(*i),
                vertex: v % vertex_count(*i),
                to: Point::new(*x, *y),
            },
            Recipe::InsertVertex(i, v, x, y) => Edit::InsertVertex {
                id: id_at(*i),
                index: v % (vertex_count(*i) + 1),
                at: Point::new(*x, *y),
            },
            Recipe::DeleteVertex(i, v) => Edit::DeleteVertex {
                id: id_at(*i),
                index: v % vertex_count(*i),
            },
            Recipe::Relabel(i, l) => Edit::Relabel {
                id: id_at(*i),
                label: LABELS[*l].to_owned(),
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn undo_all_restores_and_redo_all_replays(
            start in prop::collection::vec(recipe(), 0..4),
            recipes in prop::collection::vec(recipe(), 0..40),
        ) {
            // Start from an annotation that already holds some regions, as a resumed task does.
            let mut ann = Annotation::default();
            for r in &start {
                let edit = resolve(r, &ann);
                let _ = ann.apply(&edit);
            }
            let original = ann.clone();
            let mut history = History::new();
            for r in &recipes {
                let edit = resolve(r, &ann);
                let before = ann.clone();
                if history.apply(&mut ann, edit).is_err() {
                    prop_assert_eq!(&ann, &before);
                }
            }
            let applied = history.undo_len();
            let edited = ann.clone();
            for _ in 0..applied {
                prop_assert!(history.undo(&mut ann).unwrap().is_some());
            }
            prop_assert_eq!(&ann, &original);
            prop_assert!(history.undo(&mut ann).unwrap().is_none());
            for _ in 0..applied {
                prop_assert!(history.redo(&mut ann).unwrap().is_some());
            }
            prop_assert_eq!(&ann, &edited);
            prop_assert!(history.redo(&mut ann).unwrap().is_none());
        }
    }

    #[test]
    fn a_new_edit_clears_redo() {
        let mut ann = Annotation::default();
        let mut h = History::new();
        let add = |id: &str| Edit::AddRegion {
            region: Region::new(
                id,
                "sky",
                Shape::Point {
                    at: Point::new(1.0, 1.0),
                },
            ),
            index: None,
        };
        h.apply(&mut ann, add("r1")).unwrap();
        h.undo(&mut ann).unwrap();
        assert_eq!(h.redo_len(), 1);
        h.apply(&mut ann, add("r2")).unwrap();
        assert_eq!(h.redo_len(), 0);
        assert_eq!(ann.regions.len(), 1);
    }
}
