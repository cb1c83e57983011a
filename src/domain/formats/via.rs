//! VGG Image Annotator (VIA) JSON, import only.
//!
//! Accepts VIA 1 (each image's `regions` is an object keyed `"0"`, `"1"`, …), VIA 2 (`regions` is a list),
//! a whole VIA 2 project (`_via_img_metadata` inside it) and a folder holding one such file with its
//! images. VIA stores no label list and no image size: the label is taken from a region attribute
//! (`label`, `class`, `name`, `type` or `category`, else the only text attribute), sizes from the image
//! files, and each guess is reported.

use super::confine::{Root, confined_name};
use super::import::{note_missing_images, push_region, size_from_extent};
use super::paths::walk_files;
use super::{Dataset, DatasetImage, FormatError, ImportReport, NoteKind, image_size, read_file};
use crate::domain::geometry::{Point, Shape};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Region attribute keys that usually hold the label, in order of preference.
const LABEL_KEYS: [&str; 5] = ["label", "class", "name", "type", "category"];

/// Reads a VIA JSON file, or the one JSON file in a folder.
pub fn import(path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let file: PathBuf = if path.is_dir() {
        let walk = walk_files(path).map_err(|e| FormatError::io(path, e))?;
        let json: Vec<&PathBuf> = walk
            .files
            .iter()
            .filter(|f| {
                f.parent() == Some(path)
                    && f.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            })
            .collect();
        match json.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(FormatError::invalid(
                    path,
                    "no VIA JSON file in this folder",
                ));
            }
            _ => {
                return Err(FormatError::invalid(
                    path,
                    format!(
                        "{} JSON files in this folder; name the VIA file itself",
                        json.len()
                    ),
                ));
            }
        }
    } else {
        path.to_owned()
    };
    let bytes = read_file(&file)?;
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned();
    parse(&bytes, &file, &dir)
}

/// Reads VIA JSON bytes; images are looked for in `image_dir` (and the project's `default_filepath`).
pub fn parse(
    bytes: &[u8],
    file: &Path,
    image_dir: &Path,
) -> Result<(Dataset, ImportReport), FormatError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| FormatError::invalid(file, format!("not JSON: {e}")))?;
    let Value::Object(top) = value else {
        return Err(FormatError::invalid(
            file,
            "not a VIA file: the top level is not an object",
        ));
    };
    if top.contains_key("_via_data_format_version")
        || top.contains_key("project") && top.contains_key("metadata")
    {
        return Err(FormatError::invalid(
            file,
            "a VIA 3 project; export it from VIA as VIA 2 JSON (Annotation → Export Annotations (json))",
        ));
    }
    let default_path = top
        .get("_via_settings")
        .and_then(|s| s.get("core"))
        .and_then(|c| c.get("default_filepath"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let metadata = match top.get("_via_img_metadata") {
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            return Err(FormatError::invalid(
                file,
                "_via_img_metadata is not an object",
            ));
        }
        None => top,
    };
    let mut report = ImportReport::default();
    let mut dataset = Dataset::default();
    let mut missing = Vec::new();
    let root = Root::new(image_dir);
    for (key, entry) in &metadata {
        let Some(entry) = entry.as_object() else {
            report.note(
                NoteKind::Dropped,
                file,
                format!("entry {key:?} is not an object; left out"),
            );
            continue;
        };
        let Some(filename) = entry.get("filename").and_then(Value::as_str) else {
            report.note(
                NoteKind::Dropped,
                file,
                format!("entry {key:?} has no filename; left out"),
            );
            continue;
        };
        let Some(filename) = confined_name(filename, &mut report, file) else {
            continue;
        };
        let filename = filename.as_str();
        let regions: Vec<(String, &Value)> = match entry.get("regions") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, r)| (i.to_string(), r))
                .collect(),
            // VIA 1 keys regions "0", "1", …; keep their numeric order.
            Some(Value::Object(map)) => {
                let mut list: Vec<(String, &Value)> =
                    map.iter().map(|(k, r)| (k.clone(), r)).collect();
                list.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.clone()));
                list
            }
            _ => Vec::new(),
        };
        let candidates = [
            image_dir.join(filename),
            image_dir.join(&default_path).join(filename),
        ];
        let source = root.find(candidates, &mut report, file);
        let size = source.as_deref().and_then(image_size);
        let (width, height) = match size {
            Some(size) => size,
            None => {
                missing.push(filename.to_owned());
                let points = regions
                    .iter()
                    .filter_map(|(_, r)| shape_of(r.get("shape_attributes")?).ok())
                    .flat_map(|s| s.points().to_vec());
                let (w, h) = size_from_extent(points);
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!("{filename}: VIA stores no image size and the image is not found; took {w}x{h} from the extent of its regions"),
                );
                (w, h)
            }
        };
        let mut image = DatasetImage {
            file_name: filename.to_owned(),
            source,
            width,
            height,
            regions: Vec::new(),
        };
        // Regions are numbered from 1 in notes, in file order, as LabelMe's and CVAT's shapes are.
        for (number, (_, region)) in (1..).zip(regions) {
            let what = format!("{filename} region {number}");
            let Some(shape_attributes) = region.get("shape_attributes") else {
                report.note(
                    NoteKind::Dropped,
                    file,
                    format!("{what}: no shape_attributes"),
                );
                continue;
            };
            let shape = match shape_of(shape_attributes) {
                Ok(shape) => shape,
                Err(why) => {
                    report.note(NoteKind::Dropped, file, format!("{what}: {why}"));
                    continue;
                }
            };
            if let Some(kind) = shape_attributes.get("name").and_then(Value::as_str)
                && matches!(kind, "circle" | "ellipse")
            {
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!("{what}: {kind} imported as a 32-sided polygon"),
                );
            }
            let attributes = region
                .get("region_attributes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let (label, rest) = label_of(attributes, &what, file, &mut report);
            push_region(&mut image, &label, shape, rest, &mut report, file, &what);
        }
        dataset.images.push(image);
    }
    note_missing_images(&mut report, file, &missing);
    let added = dataset.add_missing_categories();
    if !added.is_empty() {
        report.note(
            NoteKind::Guessed,
            file,
            format!(
                "VIA declares no label list; labels in order of first use: {}",
                added.join(", ")
            ),
        );
    }
    Ok((dataset, report))
}

/// The label of a region and its other attributes.
fn label_of(
    mut attributes: Map<String, Value>,
    what: &str,
    file: &Path,
    report: &mut ImportReport,
) -> (String, Map<String, Value>) {
    let text = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        // A VIA dropdown or checkbox attribute is an object {option: true}.
        Value::Object(options) => {
            let chosen: Vec<&String> = options
                .iter()
                .filter(|(_, on)| on.as_bool() == Some(true))
                .map(|(k, _)| k)
                .collect();
            match chosen.as_slice() {
                [one] => Some((*one).clone()),
                _ => None,
            }
        }
        _ => None,
    };
    for key in LABEL_KEYS {
        if let Some(label) = attributes.get(key).and_then(text) {
            attributes.remove(key);
            return (label, attributes);
        }
    }
    let texts: BTreeSet<String> = attributes
        .iter()
        .filter_map(|(k, v)| text(v).map(|_| k.clone()))
        .collect();
    if texts.len() == 1
        && let Some(key) = texts.into_iter().next()
        && let Some(label) = attributes.get(&key).and_then(text)
    {
        report.note(
            NoteKind::Guessed,
            file,
            format!("{what}: label taken from its only text attribute {key:?}"),
        );
        attributes.remove(&key);
        return (label, attributes);
    }
    report.note(
        NoteKind::Guessed,
        file,
        format!("{what}: no label attribute; labelled \"object\""),
    );
    ("object".to_owned(), attributes)
}

fn shape_of(attributes: &Value) -> Result<Shape, String> {
    let number = |key: &str| {
        attributes
            .get(key)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite())
    };
    let kind = attributes.get("name").and_then(Value::as_str).unwrap_or("");
    let ellipse = |cx: f64, cy: f64, rx: f64, ry: f64| {
        let points = (0..32)
            .map(|i| {
                let t = f64::from(i) * std::f64::consts::TAU / 32.0;
                Point::new(cx + rx * t.cos(), cy + ry * t.sin())
            })
            .collect();
        Shape::Polygon { points }
    };
    match kind {
        "rect" => match (number("x"), number("y"), number("width"), number("height")) {
            (Some(x), Some(y), Some(w), Some(h)) => {
                Ok(Shape::rectangle(Point::new(x, y), Point::new(x + w, y + h)))
            }
            _ => Err("a rect needs numeric x, y, width and height".to_owned()),
        },
        "polygon" => {
            let list = |key: &str| -> Option<Vec<f64>> {
                attributes
                    .get(key)?
                    .as_array()?
                    .iter()
                    .map(Value::as_f64)
                    .collect()
            };
            match (list("all_points_x"), list("all_points_y")) {
                (Some(xs), Some(ys)) if xs.len() == ys.len() && xs.len() >= 3 => {
                    Ok(Shape::Polygon {
                        points: xs
                            .into_iter()
                            .zip(ys)
                            .map(|(x, y)| Point::new(x, y))
                            .collect(),
                    })
                }
                _ => Err(
                    "a polygon needs all_points_x and all_points_y of the same length, at least 3"
                        .to_owned(),
                ),
            }
        }
        "point" => match (number("cx"), number("cy")) {
            (Some(x), Some(y)) => Ok(Shape::Point {
                at: Point::new(x, y),
            }),
            _ => Err("a point needs numeric cx and cy".to_owned()),
        },
        "circle" => match (number("cx"), number("cy"), number("r")) {
            (Some(cx), Some(cy), Some(r)) => Ok(ellipse(cx, cy, r, r)),
            _ => Err("a circle needs numeric cx, cy and r".to_owned()),
        },
        "ellipse" => match (number("cx"), number("cy"), number("rx"), number("ry")) {
            (Some(cx), Some(cy), Some(rx), Some(ry)) => Ok(ellipse(cx, cy, rx, ry)),
            _ => Err("an ellipse needs numeric cx, cy, rx and ry".to_owned()),
        },
        other => Err(format!(
            "shape {other:?} has no region kind here (left out)"
        )),
    }
}

#[cfg(test)]
mod tests;
