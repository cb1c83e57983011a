//! Every change to an annotation is an [`Edit`], applied through [`Annotation::apply`].

use crate::domain::annotation::{Annotation, Region};
use crate::domain::geometry::{Point, Shape};

/// One change to a task's annotation. A finished drag or polygon is one edit, hence one undo step.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Adds a region on top (`index: None`) or at a position in drawing order.
    AddRegion {
        /// The new region; its id must not be in use.
        region: Region,
        /// Where in drawing order; `None` puts it on top.
        index: Option<usize>,
    },
    /// Removes a region.
    DeleteRegion {
        /// Which region.
        id: String,
    },
    /// Moves a whole region by `(dx, dy)` pixels.
    MoveRegion {
        /// Which region.
        id: String,
        /// Pixels to the right.
        dx: f64,
        /// Pixels down.
        dy: f64,
    },
    /// Replaces a region's geometry (the result of a drag, and the exact inverse of geometric edits).
    SetShape {
        /// Which region.
        id: String,
        /// The new geometry.
        shape: Shape,
    },
    /// Moves one vertex (index into [`Shape::vertices`]; a rectangle's corner keeps its opposite fixed).
    MoveVertex {
        /// Which region.
        id: String,
        /// Which vertex.
        vertex: usize,
        /// Its new position.
        to: Point,
    },
    /// Inserts a vertex into a polygon at `index`.
    InsertVertex {
        /// Which region.
        id: String,
        /// Position of the new vertex in the polygon's point list.
        index: usize,
        /// Where the new vertex is.
        at: Point,
    },
    /// Deletes a polygon's vertex (a polygon keeps at least three).
    DeleteVertex {
        /// Which region.
        id: String,
        /// Which vertex.
        index: usize,
    },
    /// Gives a region another label.
    Relabel {
        /// Which region.
        id: String,
        /// The new label's name.
        label: String,
    },
}

/// Why an edit could not be applied. The annotation is unchanged when one is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No region has this id.
    #[error("no region with id {0:?}")]
    NoSuchRegion(String),
    /// A region with this id exists already.
    #[error("a region with id {0:?} exists already")]
    DuplicateId(String),
    /// The vertex does not exist, or the shape cannot take this vertex change (for example deleting a
    /// triangle's vertex).
    #[error("region {id:?} has no vertex {index} that can be changed this way")]
    BadVertex {
        /// Which region.
        id: String,
        /// The vertex asked for.
        index: usize,
    },
    /// The insertion index is past the end of the region list.
    #[error("cannot insert a region at position {0}")]
    BadIndex(usize),
    /// A coordinate or offset is NaN or infinite.
    #[error("coordinates must be finite numbers")]
    NonFinite,
    /// The session is read-only (another window holds the data folder): nothing can be changed.
    #[error(
        "this window is read-only: another window holds the data folder, nothing can be changed here"
    )]
    ReadOnly,
}

impl Edit {
    /// The id of the region this edit touches.
    pub fn region_id(&self) -> &str {
        match self {
            Edit::AddRegion { region, .. } => &region.id,
            Edit::DeleteRegion { id }
            | Edit::MoveRegion { id, .. }
            | Edit::SetShape { id, .. }
            | Edit::MoveVertex { id, .. }
            | Edit::InsertVertex { id, .. }
            | Edit::DeleteVertex { id, .. }
            | Edit::Relabel { id, .. } => id,
        }
    }

    /// A short name for logs and menus ("add region", "move vertex", ...).
    pub fn name(&self) -> &'static str {
        match self {
            Edit::AddRegion { .. } => "add region",
            Edit::DeleteRegion { .. } => "delete region",
            Edit::MoveRegion { .. } => "move region",
            Edit::SetShape { .. } => "reshape region",
            Edit::MoveVertex { .. } => "move vertex",
            Edit::InsertVertex { .. } => "insert vertex",
            Edit::DeleteVertex { .. } => "delete vertex",
            Edit::Relabel { .. } => "relabel region",
        }
    }
}

impl Annotation {
    /// Applies `edit` and returns the edit that undoes it exactly (geometric edits are undone by restoring
    /// the previous shape, so no floating-point drift accumulates). On error nothing changes.
    pub fn apply(&mut self, edit: &Edit) -> Result<Edit, EditError> {
        match edit {
            Edit::AddRegion { region, index } => {
                if self.region(&region.id).is_some() {
                    return Err(EditError::DuplicateId(region.id.clone()));
                }
                if region.shape.points().iter().any(|p| !p.is_finite()) {
                    return Err(EditError::NonFinite);
                }
                let at = index.unwrap_or(self.regions.len());
                if at > self.regions.len() {
                    return Err(EditError::BadIndex(at));
                }
                self.regions.insert(at, region.clone());
                Ok(Edit::DeleteRegion {
                    id: region.id.clone(),
                })
            }
            Edit::DeleteRegion { id } => {
                let at = self.require(id)?;
                let region = self.regions.remove(at);
                Ok(Edit::AddRegion {
                    region,
                    index: Some(at),
                })
            }
            Edit::MoveRegion { id, dx, dy } => {
                if !dx.is_finite() || !dy.is_finite() {
                    return Err(EditError::NonFinite);
                }
                self.reshape(id, |shape| Ok(shape.translated(*dx, *dy)))
            }
            Edit::SetShape { id, shape } => {
                if shape.points().iter().any(|p| !p.is_finite()) {
                    return Err(EditError::NonFinite);
                }
                self.reshape(id, |_| Ok(shape.clone()))
            }
            Edit::MoveVertex { id, vertex, to } => {
                if !to.is_finite() {
                    return Err(EditError::NonFinite);
                }
                self.reshape(id, |shape| {
                    shape.with_vertex_moved(*vertex, *to).ok_or(*vertex)
                })
            }
            Edit::InsertVertex { id, index, at } => {
                if !at.is_finite() {
                    return Err(EditError::NonFinite);
                }
                self.reshape(id, |shape| {
                    shape.with_vertex_inserted(*index, *at).ok_or(*index)
                })
            }
            Edit::DeleteVertex { id, index } => {
                self.reshape(id, |shape| shape.with_vertex_removed(*index).ok_or(*index))
            }
            Edit::Relabel { id, label } => {
                let region = self.require_mut(id)?;
                let old = std::mem::replace(&mut region.label, label.clone());
                Ok(Edit::Relabel {
                    id: id.clone(),
                    label: old,
                })
            }
        }
    }

    fn require(&self, id: &str) -> Result<usize, EditError> {
        self.index_of(id)
            .ok_or_else(|| EditError::NoSuchRegion(id.to_owned()))
    }

    fn require_mut(&mut self, id: &str) -> Result<&mut Region, EditError> {
        self.regions
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| EditError::NoSuchRegion(id.to_owned()))
    }

    /// Replaces the shape of region `id` with `change(old)`; a failed change names the bad vertex.
    fn reshape(
        &mut self,
        id: &str,
        change: impl FnOnce(&Shape) -> Result<Shape, usize>,
    ) -> Result<Edit, EditError> {
        let region = self.require_mut(id)?;
        let new_shape = change(&region.shape).map_err(|index| EditError::BadVertex {
            id: id.to_owned(),
            index,
        })?;
        let old = std::mem::replace(&mut region.shape, new_shape);
        Ok(Edit::SetShape {
            id: id.to_owned(),
            shape: old,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tri() -> Shape {
        Shape::Polygon {
            points: vec![
                Point::new(0.0, 0.0),
                Point::new(10.0, 0.0),
                Point::new(0.0, 10.0),
            ],
        }
    }

    fn ann() -> Annotation {
        Annotation::new(vec![Region::new("r1", "sky", tri())])
    }

    #[test]
    fn failed_edits_change_nothing() {
        let mut a = ann();
        let before = a.clone();
        let bad = [
            Edit::DeleteRegion { id: "nope".into() },
            Edit::DeleteVertex {
                id: "r1".into(),
                index: 0,
            },
            Edit::MoveVertex {
                id: "r1".into(),
                vertex: 9,
                to: Point::new(1.0, 1.0),
            },
            Edit::InsertVertex {
                id: "r1".into(),
                index: 7,
                at: Point::new(1.0, 1.0),
            },
            Edit::AddRegion {
                region: Region::new("r1", "sky", tri()),
                index: None,
            },
            Edit::AddRegion {
                region: Region::new("r2", "sky", tri()),
                index: Some(5),
            },
            Edit::MoveRegion {
                id: "r1".into(),
                dx: f64::NAN,
                dy: 0.0,
            },
        ];
        for edit in &bad {
            assert!(a.apply(edit).is_err(), "{edit:?} should fail");
            assert_eq!(a, before);
        }
    }

    #[test]
    fn inverse_of_delete_restores_position() {
        let mut a = ann();
        a.apply(&Edit::AddRegion {
            region: Region::new("r2", "cloud", tri()),
            index: None,
        })
        .unwrap();
        let inverse = a.apply(&Edit::DeleteRegion { id: "r1".into() }).unwrap();
        a.apply(&inverse).unwrap();
        assert_eq!(a.regions[0].id, "r1");
        assert_eq!(a.regions[1].id, "r2");
    }

    #[test]
    fn relabel_and_move_vertex() {
        let mut a = ann();
        a.apply(&Edit::Relabel {
            id: "r1".into(),
            label: "mountain".into(),
        })
        .unwrap();
        a.apply(&Edit::MoveVertex {
            id: "r1".into(),
            vertex: 1,
            to: Point::new(20.0, 0.0),
        })
        .unwrap();
        assert_eq!(a.regions[0].label, "mountain");
        assert_eq!(a.regions[0].shape.points()[1], Point::new(20.0, 0.0));
    }
}
