//! COCO instances JSON: `annotations/instances_default.json`, images under `images/default/`.
//!
//! Ids start at 1 (COCOeval treats 0 as unmatched); categories follow the dataset's order; every region
//! is written as a polygon (a rectangle as its 4 corners, since an empty `segmentation` crashes
//! `annToMask`) with its `bbox` and `area`, `iscrowd` 0. COCO instances have no points: point regions are
//! left out and counted.

use super::confine::{Root, confined_name};
use super::import::{
    note_missing_images, pairs, polygon_or_rectangle, push_region, size_from_extent, xywh_rectangle,
};
use super::{Category, Dataset, DatasetImage, FormatError, ImportReport, NoteKind, read_file};
use crate::domain::geometry::{Point, Shape};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod write;
pub use write::{export, to_json};

/// The subset name used in file and folder names.
pub const SUBSET: &str = "default";

/// Where the JSON goes inside the export folder.
pub const ANNOTATIONS_PATH: &str = "annotations/instances_default.json";

#[derive(Deserialize)]
struct RawCoco {
    // Required: without it the file is some other JSON (a VIA project, a LabelMe file).
    images: Vec<RawImage>,
    #[serde(default)]
    annotations: Vec<RawAnnotation>,
    #[serde(default)]
    categories: Vec<RawCategory>,
}

#[derive(Deserialize)]
struct RawImage {
    id: Value,
    file_name: String,
    #[serde(default)]
    width: Option<f64>,
    #[serde(default)]
    height: Option<f64>,
}

#[derive(Deserialize)]
struct RawAnnotation {
    #[serde(default)]
    id: Option<Value>,
    image_id: Value,
    category_id: Value,
    #[serde(default)]
    segmentation: Option<Value>,
    #[serde(default)]
    bbox: Option<Vec<f64>>,
    #[serde(default)]
    attributes: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct RawCategory {
    id: Value,
    name: String,
}

/// An id as a map key: integers (also written as `3.0` or `"3"`) compare equal.
fn id_key(value: &Value) -> String {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_or_else(|_| s.clone(), |i| i.to_string()),
        other => other.to_string(),
    }
}

/// Reads a COCO JSON file. Images are looked for beside it, in `images/` beside it or its folder, and
/// in `images/<subset>/` (datumaro's layout), never outside the dataset's folder (see [`Root::of_file`]);
/// sizes come from the file.
pub fn import(path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let bytes = read_file(path)?;
    let root = Root::of_file(path);
    let dir = root_dir_of(path);
    let subset = path
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.strip_prefix("instances_"))
        .map(str::to_owned);
    // An image entry without a size takes it from the image's header when the image is there. Links
    // out are reported below, when the image itself is looked for.
    let size_of = |name: &str| {
        let candidates = candidates(&dir, subset.as_deref(), name);
        root.find(candidates, &mut ImportReport::default(), path)
            .and_then(|found| super::image_size(&found))
    };
    let (mut dataset, mut report) = parse_with(&bytes, path, &size_of)?;
    let mut missing = Vec::new();
    for image in &mut dataset.images {
        let candidates = candidates(&dir, subset.as_deref(), &image.file_name);
        image.source = root.find(candidates, &mut report, path);
        if image.source.is_none() {
            missing.push(image.file_name.clone());
        }
    }
    note_missing_images(&mut report, path, &missing);
    Ok((dataset, report))
}

/// The folder of `file` (`.` for a bare name).
fn root_dir_of(file: &Path) -> PathBuf {
    file.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned()
}

/// Where the image `file_name` (already confined) may be, in order of preference.
fn candidates(dir: &Path, subset: Option<&str>, file_name: &str) -> Vec<PathBuf> {
    let mut candidates = vec![
        dir.join(file_name),
        dir.join("images").join(file_name),
        dir.join("../images").join(file_name),
    ];
    if let Some(subset) = subset {
        candidates.push(dir.join("../images").join(subset).join(file_name));
        candidates.push(dir.join("images").join(subset).join(file_name));
    }
    candidates
}

/// Reads COCO JSON bytes (`file` names it in notes and errors). Images get no `source`; [`import`]
/// finds them.
pub fn parse(bytes: &[u8], file: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    parse_with(bytes, file, &|_| None)
}

/// Like [`parse`]; `size_of(file_name)` gives the size of an image the file states none for, when the
/// image can be read.
fn parse_with(
    bytes: &[u8],
    file: &Path,
    size_of: &dyn Fn(&str) -> Option<(u32, u32)>,
) -> Result<(Dataset, ImportReport), FormatError> {
    let raw: RawCoco = serde_json::from_slice(bytes)
        .map_err(|e| FormatError::invalid(file, format!("not COCO JSON: {e}")))?;
    let mut report = ImportReport::default();
    let mut dataset = Dataset::default();

    let mut raw_categories: Vec<&RawCategory> = raw.categories.iter().collect();
    // Categories in id order (files list them so anyway, but nothing requires it).
    raw_categories.sort_by_key(|c| {
        let key = id_key(&c.id);
        (key.parse::<i64>().unwrap_or(i64::MAX), key)
    });
    let mut category_names: BTreeMap<String, String> = BTreeMap::new();
    for c in raw_categories {
        let key = id_key(&c.id);
        if let Some(first) = category_names.get(&key) {
            report.note(
                NoteKind::Dropped,
                file,
                format!("category id {key} declared twice; kept the first ({first})"),
            );
            continue;
        }
        category_names.insert(key, c.name.clone());
        if dataset.category_index(&c.name).is_none() {
            dataset.categories.push(Category::named(c.name.clone()));
        }
    }

    let mut image_index: BTreeMap<String, usize> = BTreeMap::new();
    for (n, image) in raw.images.iter().enumerate() {
        let key = id_key(&image.id);
        if image_index.contains_key(&key) {
            report.note(
                NoteKind::Dropped,
                file,
                format!(
                    "images[{n}] ({}): id {key} used twice; left out",
                    image.file_name
                ),
            );
            continue;
        }
        let size = |v: Option<f64>| {
            v.filter(|v| v.is_finite() && *v >= 1.0)
                .map(|v| v.round() as u32)
        };
        let (width, height) = (
            size(image.width).unwrap_or(0),
            size(image.height).unwrap_or(0),
        );
        let Some(file_name) = confined_name(&image.file_name, &mut report, file) else {
            continue;
        };
        image_index.insert(key, dataset.images.len());
        dataset.images.push(DatasetImage {
            file_name,
            source: None,
            width,
            height,
            regions: Vec::new(),
        });
    }

    for image in &mut dataset.images {
        if (image.width == 0 || image.height == 0)
            && let Some((width, height)) = size_of(&image.file_name)
        {
            (image.width, image.height) = (width, height);
        }
    }
    let unsized_images: Vec<bool> = dataset
        .images
        .iter()
        .map(|image| image.width == 0 || image.height == 0)
        .collect();
    if unsized_images.iter().any(|u| *u) {
        guess_sizes(
            &mut dataset,
            &raw,
            &image_index,
            &unsized_images,
            &mut report,
            file,
        );
    }

    for (n, ann) in raw.annotations.iter().enumerate() {
        let what = match &ann.id {
            Some(id) => format!("annotation {}", id_key(id)),
            None => format!("annotations[{n}]"),
        };
        let Some(&index) = image_index.get(&id_key(&ann.image_id)) else {
            report.note(
                NoteKind::Dropped,
                file,
                format!(
                    "{what}: image_id {} is not an image; left out",
                    id_key(&ann.image_id)
                ),
            );
            continue;
        };
        let category_key = id_key(&ann.category_id);
        let label = match category_names.get(&category_key) {
            Some(name) => name.clone(),
            None => {
                let name = format!("category-{category_key}");
                report.note(
                    NoteKind::Added,
                    file,
                    format!(
                        "{what}: category_id {category_key} is not declared; added as {name:?}"
                    ),
                );
                category_names.insert(category_key, name.clone());
                dataset.categories.push(Category::named(name.clone()));
                name
            }
        };
        let shapes = shapes_of(ann, &what, &mut report, file);
        let attributes = ann.attributes.clone().unwrap_or_default();
        let Some(image) = dataset.images.get_mut(index) else {
            continue;
        };
        for shape in shapes {
            push_region(
                image,
                &label,
                shape,
                attributes.clone(),
                &mut report,
                file,
                &what,
            );
        }
    }
    Ok((dataset, report))
}

/// The shapes one annotation describes: one per polygon, else its bbox.
fn shapes_of(
    ann: &RawAnnotation,
    what: &str,
    report: &mut ImportReport,
    file: &Path,
) -> Vec<Shape> {
    let bbox_shape = || match ann.bbox.as_deref() {
        Some([x, y, w, h]) if [x, y, w, h].iter().all(|v| v.is_finite()) => {
            Some(xywh_rectangle(*x, *y, *w, *h))
        }
        _ => None,
    };
    let polygons: Vec<Vec<f64>> = match &ann.segmentation {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|poly| match poly {
                Value::Array(nums) => Some(nums.iter().filter_map(Value::as_f64).collect()),
                _ => None,
            })
            .collect(),
        Some(Value::Object(_)) => {
            return match bbox_shape() {
                Some(shape) => {
                    report.note(
                        NoteKind::Guessed,
                        file,
                        format!("{what}: RLE mask imported as its bbox rectangle"),
                    );
                    vec![shape]
                }
                None => {
                    report.note(
                        NoteKind::Dropped,
                        file,
                        format!("{what}: RLE mask without a bbox"),
                    );
                    Vec::new()
                }
            };
        }
        _ => Vec::new(),
    };
    let mut shapes = Vec::new();
    for (k, flat) in polygons.iter().enumerate() {
        // pycocotools reads a first polygon of exactly 4 numbers as a box.
        if k == 0
            && let [x, y, w, h] = flat.as_slice()
        {
            report.note(
                NoteKind::Guessed,
                file,
                format!("{what}: a 4-number segmentation read as a box [x, y, w, h], as pycocotools does"),
            );
            shapes.push(xywh_rectangle(*x, *y, *w, *h));
            continue;
        }
        match pairs(flat) {
            Some(points) if points.len() >= 3 => shapes.push(polygon_or_rectangle(points)),
            _ => report.note(
                NoteKind::Dropped,
                file,
                format!(
                    "{what}: polygon {k} has {} numbers, not an even count of at least 6",
                    flat.len()
                ),
            ),
        }
    }
    if shapes.len() > 1 {
        report.note(
            NoteKind::Guessed,
            file,
            format!(
                "{what}: {} polygons imported as {} regions",
                shapes.len(),
                shapes.len()
            ),
        );
    }
    if shapes.is_empty() && polygons.is_empty() {
        match bbox_shape() {
            Some(shape) => shapes.push(shape),
            None => report.note(
                NoteKind::Dropped,
                file,
                format!("{what}: neither a polygon nor a bbox"),
            ),
        }
    }
    shapes
}

/// Images without a size in the file or an image to read it from: the extent of their annotations,
/// reported as guessed.
fn guess_sizes(
    dataset: &mut Dataset,
    raw: &RawCoco,
    image_index: &BTreeMap<String, usize>,
    unsized_images: &[bool],
    report: &mut ImportReport,
    file: &Path,
) {
    let mut extents: BTreeMap<usize, Vec<Point>> = BTreeMap::new();
    for ann in &raw.annotations {
        if let Some(&i) = image_index.get(&id_key(&ann.image_id))
            && unsized_images.get(i).copied().unwrap_or(false)
        {
            let entry = extents.entry(i).or_default();
            if let Some(Value::Array(list)) = &ann.segmentation {
                for poly in list {
                    if let Value::Array(nums) = poly {
                        let flat: Vec<f64> = nums.iter().filter_map(Value::as_f64).collect();
                        entry.extend(flat.chunks_exact(2).filter_map(|c| match c {
                            [x, y] => Some(Point::new(*x, *y)),
                            _ => None,
                        }));
                    }
                }
            }
            if let Some([x, y, w, h]) = ann.bbox.as_deref() {
                entry.push(Point::new(x + w, y + h));
            }
        }
    }
    for (i, image) in dataset.images.iter_mut().enumerate() {
        if unsized_images.get(i).copied().unwrap_or(false) {
            let points = extents.remove(&i).unwrap_or_default();
            let (w, h) = size_from_extent(points.into_iter());
            if image.width == 0 {
                image.width = w;
            }
            if image.height == 0 {
                image.height = h;
            }
            report.note(
                NoteKind::Guessed,
                file,
                format!(
                    "image {} has no width or height; took {}x{} from the extent of its regions",
                    image.file_name, image.width, image.height
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
