//! The in-memory dataset every format reads and writes.

use crate::domain::annotation::Region;
use crate::domain::geometry::{Point, Shape};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One class of regions. Class ids (COCO `category_id`, YOLO's class) follow the categories' order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// The label's name.
    pub name: String,
    /// Its colour, RGB, when known (VOC's `labelmap.txt` and CVAT's `<meta>` carry one).
    pub color: Option<[u8; 3]>,
}

impl Category {
    /// A category without a colour.
    pub fn named(name: impl Into<String>) -> Self {
        Category {
            name: name.into(),
            color: None,
        }
    }

    /// The colour to write: the category's own, else a fixed one picked from its position so that
    /// exports stay deterministic.
    pub fn color_or_default(&self, index: usize) -> [u8; 3] {
        self.color
            .unwrap_or_else(|| crate::domain::palette::color_for(index))
    }
}

/// One image and its regions.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetImage {
    /// The image's path relative to the dataset (`/`-separated), e.g. `images/china.jpg`.
    pub file_name: String,
    /// The image file on disk (absolute), when known: needed to copy it or to point at it.
    pub source: Option<PathBuf>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The regions, bottom to top; each label is a category name.
    pub regions: Vec<Region>,
}

/// Categories and images: what a label file describes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// The classes, in class-id order.
    pub categories: Vec<Category>,
    /// The images, in the order they are written.
    pub images: Vec<DatasetImage>,
}

impl Dataset {
    /// The position of the category named `name` (0-based).
    pub fn category_index(&self, name: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.name == name)
    }

    /// A lookup from category name to position, for exporters that map many regions.
    pub fn category_indices(&self) -> BTreeMap<&str, usize> {
        let mut map = BTreeMap::new();
        for (i, c) in self.categories.iter().enumerate() {
            map.entry(c.name.as_str()).or_insert(i);
        }
        map
    }

    /// Adds every region label that is not a category yet, at the end in order of first use, and
    /// returns the names added.
    pub fn add_missing_categories(&mut self) -> Vec<String> {
        let mut known: BTreeSet<String> = self.categories.iter().map(|c| c.name.clone()).collect();
        let mut added = Vec::new();
        for image in &self.images {
            for region in &image.regions {
                if known.insert(region.label.clone()) {
                    added.push(region.label.clone());
                }
            }
        }
        self.categories
            .extend(added.iter().map(|name| Category::named(name.clone())));
        added
    }

    /// One file name per image, without folders, whose stem (the name without extension) is unique
    /// within the dataset, since YOLO and VOC name label files after it: the image's own file name, or,
    /// when two images share a stem, its whole relative path with `/` turned into `__`, and a number
    /// when even that repeats.
    pub fn flat_names(&self) -> Vec<String> {
        let base = |name: &str| name.rsplit('/').next().unwrap_or(name).to_owned();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for image in &self.images {
            let short = base(&image.file_name);
            *counts
                .entry(split_extension(&short).0.to_owned())
                .or_default() += 1;
        }
        let mut taken = BTreeSet::new();
        self.images
            .iter()
            .enumerate()
            .map(|(i, image)| {
                let short = base(&image.file_name);
                let shared = counts.get(split_extension(&short).0).copied().unwrap_or(0) > 1;
                let mut name = if shared {
                    image.file_name.trim_start_matches('/').replace('/', "__")
                } else {
                    short
                };
                if !taken.insert(split_extension(&name).0.to_owned()) {
                    let (stem, ext) = split_extension(&name);
                    name = format!("{stem}-{i}{ext}");
                    taken.insert(split_extension(&name).0.to_owned());
                }
                name
            })
            .collect()
    }
}

/// `("photo", ".jpg")` for `photo.jpg`; `("photo", "")` without an extension.
pub(crate) fn split_extension(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => (stem, name.get(stem.len()..).unwrap_or("")),
        _ => (name, ""),
    }
}

/// `shape` with every point moved inside `[0, width] × [0, height]`, and how many points moved.
pub fn clamp_shape(shape: &Shape, width: u32, height: u32) -> (Shape, usize) {
    let (w, h) = (f64::from(width), f64::from(height));
    let mut moved = 0;
    let mut clamp = |p: Point| {
        let q = Point::new(p.x.clamp(0.0, w), p.y.clamp(0.0, h));
        if q != p {
            moved += 1;
        }
        q
    };
    let clamped = match shape {
        Shape::Rectangle { corners } => Shape::Rectangle {
            corners: corners.map(&mut clamp),
        },
        Shape::Polygon { points } => Shape::Polygon {
            points: points.iter().map(|p| clamp(*p)).collect(),
        },
        Shape::Point { at } => Shape::Point { at: clamp(*at) },
    };
    (clamped, moved)
}

/// True when a region attribute says yes: `true`, a non-zero number, or `"true"`/`"yes"`/`"1"`.
pub(crate) fn attribute_flag(region: &Region, key: &str) -> bool {
    match region.attributes.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|v| v != 0.0),
        Some(Value::String(s)) => matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(name: &str) -> DatasetImage {
        DatasetImage {
            file_name: name.into(),
            source: None,
            width: 10,
            height: 10,
            regions: Vec::new(),
        }
    }

    #[test]
    fn flat_names_are_unique_and_short_when_possible() {
        let ds = Dataset {
            categories: Vec::new(),
            images: vec![
                image("a/x.jpg"),
                image("b/x.jpg"),
                image("c/y.jpg"),
                image("a__x.jpg"),
                image("q.jpg"),
                image("q.png"),
            ],
        };
        assert_eq!(
            ds.flat_names(),
            vec![
                "a__x.jpg",
                "b__x.jpg",
                "y.jpg",
                "a__x-3.jpg",
                "q.jpg",
                "q-5.png"
            ]
        );
    }

    #[test]
    fn clamping_moves_only_outside_points() {
        let shape = Shape::Polygon {
            points: vec![
                Point::new(-1.0, 5.0),
                Point::new(5.0, 5.0),
                Point::new(12.0, 11.0),
            ],
        };
        let (clamped, moved) = clamp_shape(&shape, 10, 10);
        assert_eq!(moved, 2);
        assert_eq!(
            clamped.points(),
            &[
                Point::new(0.0, 5.0),
                Point::new(5.0, 5.0),
                Point::new(10.0, 10.0)
            ]
        );
    }

    #[test]
    fn missing_categories_are_added_in_order_of_use() {
        let mut ds = Dataset {
            categories: vec![Category::named("sky")],
            images: vec![image("x.jpg")],
        };
        let at = Shape::Point {
            at: Point::new(1.0, 1.0),
        };
        for label in ["tree", "sky", "cat", "tree"] {
            ds.images[0]
                .regions
                .push(Region::new("r", label, at.clone()));
        }
        assert_eq!(ds.add_missing_categories(), vec!["tree", "cat"]);
        let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["sky", "tree", "cat"]);
    }
}
