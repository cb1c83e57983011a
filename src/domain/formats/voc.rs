//! Pascal VOC: `Annotations/<stem>.xml` per image, `ImageSets/Main/default.txt`, `labelmap.txt` and, with
//! images copied, `JPEGImages/<name>`.
//!
//! VOC boxes are integer, 1-based pixels: pixel `i` (1-based) covers `[i - 1, i)` in image coordinates, so
//! a box spanning `[x0, x1]` is written `xmin = round(x0) + 1`, `xmax = round(x1)` and read back as
//! `[xmin - 1, xmax]` (as datumaro reads it); a round trip moves an edge by at most one pixel. Polygons
//! are written as their bounding box; VOC has no points, so point regions are left out and counted.

use super::confine::{Root, confined_name};
use super::dataset::{attribute_flag, split_extension};
use super::import::{push_region, size_from_extent, xywh_rectangle};
use super::paths::{image_with_stem, relative_path, walk_files};
use super::xml::{self, escape};
use super::{
    Category, Dataset, DatasetImage, ExportFile, ExportOptions, ExportSummary, Exported,
    FormatError, ImportReport, NoteKind, clamp_shape, image_size, read_text,
};
use crate::domain::geometry::{Point, Shape};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// The subset name (`ImageSets/Main/<subset>.txt`).
pub const SUBSET: &str = "default";

/// `(xmin, xmax)` of an edge pair in VOC's 1-based integers, inside `1..=size`.
fn voc_span(lo: f64, hi: f64, size: u32) -> (i64, i64) {
    let max = i64::from(size.max(1));
    let rounded = lo.round() as i64;
    let (min, high) = (rounded + 1, hi.round() as i64);
    if high >= min {
        let min = min.clamp(1, max);
        return (min, high.clamp(1, max).max(min));
    }
    // Under a pixel wide: the one pixel beside the rounding line that holds its middle keeps both
    // edges within a pixel.
    let pixel = if (lo + hi) / 2.0 >= rounded as f64 {
        rounded + 1
    } else {
        rounded
    };
    let pixel = pixel.clamp(1, max);
    (pixel, pixel)
}

/// The XML of one image. `path`, when given, is where the image is relative to the XML file (written as
/// `<path>`, as labelImg does, so the annotation finds its image when it was not copied).
pub fn annotation_xml(
    image: &DatasetImage,
    name: &str,
    path: Option<&str>,
    summary: &mut ExportSummary,
) -> String {
    let mut x = String::new();
    let path = path.map_or(String::new(), |p| format!("  <path>{}</path>\n", escape(p)));
    let _ = write!(
        x,
        "<annotation>\n  <folder>JPEGImages</folder>\n  <filename>{}</filename>\n{path}  \
         <source>\n    <database>clickwork</database>\n  </source>\n  \
         <size>\n    <width>{}</width>\n    <height>{}</height>\n    <depth>3</depth>\n  </size>\n  \
         <segmented>0</segmented>\n",
        escape(name),
        image.width,
        image.height
    );
    for region in &image.regions {
        let (shape, moved) = clamp_shape(&region.shape, image.width, image.height);
        if let Shape::Point { .. } = shape {
            summary.skipped_points += 1;
            continue;
        }
        if moved > 0 {
            summary.clamped_regions += 1;
        }
        let b = shape.bbox();
        let (xmin, xmax) = voc_span(b.min.x, b.max.x, image.width);
        let (ymin, ymax) = voc_span(b.min.y, b.max.y, image.height);
        let _ = write!(
            x,
            "  <object>\n    <name>{}</name>\n    <pose>Unspecified</pose>\n    \
             <truncated>{}</truncated>\n    <difficult>{}</difficult>\n    <occluded>{}</occluded>\n    \
             <bndbox>\n      <xmin>{xmin}</xmin>\n      <ymin>{ymin}</ymin>\n      \
             <xmax>{xmax}</xmax>\n      <ymax>{ymax}</ymax>\n    </bndbox>\n  </object>\n",
            escape(&region.label),
            u8::from(attribute_flag(region, "truncated")),
            u8::from(attribute_flag(region, "difficult")),
            u8::from(attribute_flag(region, "occluded")),
        );
        summary.regions += 1;
    }
    x.push_str("</annotation>\n");
    x
}

/// `labelmap.txt` in datumaro's form (`name:r,g,b::`), background first as VOC tools expect.
pub fn labelmap(dataset: &Dataset) -> String {
    let mut text = String::from("# label:color_rgb:parts:actions\n");
    if dataset.category_index("background").is_none() {
        text.push_str("background:0,0,0::\n");
    }
    for (i, c) in dataset.categories.iter().enumerate() {
        let [r, g, b] = c.color_or_default(i);
        // The file is ':'-separated and has no escaping.
        let name = c.name.replace(':', "_");
        let _ = writeln!(text, "{name}:{r},{g},{b}::");
    }
    text
}

/// The VOC export of `dataset`.
pub fn export(dataset: &Dataset, options: &ExportOptions) -> Exported {
    let names = dataset.flat_names();
    let mut summary = ExportSummary::default();
    let mut files = Vec::new();
    let mut list = String::new();
    for (image, name) in dataset.images.iter().zip(&names) {
        let stem = split_extension(name).0;
        // Without copies, the XML says where the original image is, relative to itself.
        let path = match (&image.source, options.copy_images) {
            (Some(source), false) => Some(
                relative_path(&options.out_dir.join("Annotations"), source)
                    .to_string_lossy()
                    .replace('\\', "/"),
            ),
            _ => None,
        };
        files.push(ExportFile::bytes(
            format!("Annotations/{stem}.xml"),
            annotation_xml(image, name, path.as_deref(), &mut summary).into_bytes(),
        ));
        list.push_str(stem);
        list.push('\n');
        if options.copy_images {
            match &image.source {
                Some(source) => files.push(ExportFile::copy(
                    format!("JPEGImages/{name}"),
                    source.clone(),
                )),
                None => summary.missing_images.push(image.file_name.clone()),
            }
        }
    }
    files.push(ExportFile::bytes(
        format!("ImageSets/Main/{SUBSET}.txt"),
        list.into_bytes(),
    ));
    files.push(ExportFile::bytes(
        "labelmap.txt",
        labelmap(dataset).into_bytes(),
    ));
    summary.images = dataset.images.len();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Exported { files, summary }
}

/// Reads a VOC folder: every XML under `Annotations/` (or, without one, in the folder itself), images
/// from `JPEGImages/`, label order from `labelmap.txt` when present. Float and out-of-image coordinates
/// are accepted (the latter clamped and reported).
pub fn import(path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let root = path.to_owned();
    let dataset_root = Root::new(&root);
    let annotations = if dataset_root.holds_dir(&root.join("Annotations")) {
        root.join("Annotations")
    } else {
        root.clone()
    };
    let walk = walk_files(&annotations).map_err(|e| FormatError::io(&annotations, e))?;
    let mut report = ImportReport::default();
    walk.note_outside(&mut report);
    let files = walk.files;
    let mut dataset = Dataset::default();
    let labelmap_path = root.join("labelmap.txt");
    let declared = dataset_root.holds_file(&labelmap_path);
    if declared {
        for line in read_text(&labelmap_path)?.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split(':');
            let name = fields.next().unwrap_or_default().to_owned();
            let color = fields.next().and_then(parse_color);
            if dataset.category_index(&name).is_none() {
                dataset.categories.push(Category { name, color });
            }
        }
    }
    let xml_files: Vec<_> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
        .collect();
    if xml_files.is_empty() {
        return Err(FormatError::invalid(
            &root,
            "no VOC XML files (looked in Annotations/ and the folder itself)",
        ));
    }
    // Files are read and parsed on all cores, then taken in the walk's order: the same dataset,
    // notes and first error as one by one.
    let read: Vec<Result<(Option<DatasetImage>, ImportReport), FormatError>> = xml_files
        .par_iter()
        .map(|file| {
            let mut notes = ImportReport::default();
            let text = read_text(file)?;
            let element = xml::parse(&text, file)?;
            if element.name != "annotation" {
                notes.note(
                    NoteKind::Dropped,
                    file,
                    format!(
                        "root element is <{}>, not <annotation>; left out",
                        element.name
                    ),
                );
                return Ok((None, notes));
            }
            let image = read_image(&element, file, &dataset_root, &mut notes);
            Ok((Some(image), notes))
        })
        .collect();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for one in read {
        let (image, notes) = one?;
        report.notes.extend(notes.notes);
        if let Some(image) = image {
            for region in &image.regions {
                used.insert(region.label.clone());
            }
            dataset.images.push(image);
        }
    }
    // labelmap.txt's background is a segmentation class, not an object label.
    if !used.contains("background") {
        dataset.categories.retain(|c| c.name != "background");
    }
    let added = dataset.add_missing_categories();
    if !added.is_empty() {
        let why = if declared {
            "used but not in labelmap.txt"
        } else {
            "no labelmap.txt: labels taken in order of first use"
        };
        report.note(
            if declared {
                NoteKind::Added
            } else {
                NoteKind::Guessed
            },
            if declared { &labelmap_path } else { &root },
            format!("{why}: {}", added.join(", ")),
        );
    }
    Ok((dataset, report))
}

fn parse_color(text: &str) -> Option<[u8; 3]> {
    let parts: Vec<u8> = text
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    match parts.as_slice() {
        [r, g, b] => Some([*r, *g, *b]),
        _ => None,
    }
}

fn number(e: &xml::Element, name: &str) -> Option<f64> {
    e.child_text(name)?
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn read_image(
    element: &xml::Element,
    file: &Path,
    root: &Root,
    report: &mut ImportReport,
) -> DatasetImage {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_name = element
        .child_text("filename")
        .filter(|s| !s.is_empty())
        .map_or_else(
            || {
                report.note(
                    NoteKind::Guessed,
                    file,
                    "no <filename>: the image is looked for by the XML file's name",
                );
                stem.clone()
            },
            str::to_owned,
        );
    // A name that leads outside keeps its last part (noted); one with no usable part is looked for by
    // the XML file's name.
    let file_name = confined_name(&file_name, report, file).unwrap_or_else(|| stem.clone());
    let images_dir = root.dir().join("JPEGImages");
    let by_stem = image_with_stem(&images_dir.join(&stem));
    let candidates = [images_dir.join(&file_name), root.dir().join(&file_name)]
        .into_iter()
        .chain(by_stem);
    let source = root.find(candidates, report, file);
    let size = element.child("size");
    let dim = |name| size.and_then(|s| number(s, name)).filter(|v| *v >= 1.0);
    let (mut width, mut height) = (
        dim("width").map_or(0, |v| v.round() as u32),
        dim("height").map_or(0, |v| v.round() as u32),
    );
    if width == 0 || height == 0 {
        match source.as_deref().and_then(image_size) {
            Some((w, h)) => {
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!("no <size>: took {w}x{h} from the image"),
                );
                (width, height) = (w, h);
            }
            None => {
                let corners = element.children_named("object").filter_map(|o| {
                    let b = o.child("bndbox")?;
                    Some(Point::new(number(b, "xmax")?, number(b, "ymax")?))
                });
                (width, height) = size_from_extent(corners);
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!(
                        "no <size> and no image: took {width}x{height} from the extent of its boxes"
                    ),
                );
            }
        }
    }
    let mut image = DatasetImage {
        file_name,
        source,
        width,
        height,
        regions: Vec::new(),
    };
    for (n, object) in element.children_named("object").enumerate() {
        let what = format!("object {}", n + 1);
        let Some(label) = object.child_text("name").filter(|s| !s.is_empty()) else {
            report.note(NoteKind::Dropped, file, format!("{what}: no <name>"));
            continue;
        };
        let Some(b) = object.child("bndbox") else {
            report.note(
                NoteKind::Dropped,
                file,
                format!("{what} ({label}): no <bndbox>"),
            );
            continue;
        };
        let (Some(xmin), Some(ymin), Some(xmax), Some(ymax)) = (
            number(b, "xmin"),
            number(b, "ymin"),
            number(b, "xmax"),
            number(b, "ymax"),
        ) else {
            report.note(
                NoteKind::Dropped,
                file,
                format!("{what} ({label}): <bndbox> lacks a numeric xmin, ymin, xmax or ymax"),
            );
            continue;
        };
        let mut attributes = Map::new();
        for key in ["truncated", "difficult", "occluded"] {
            let on = object
                .child_text(key)
                .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
            if on {
                attributes.insert(key.to_owned(), Value::Bool(true));
            }
        }
        let shape = xywh_rectangle(xmin - 1.0, ymin - 1.0, xmax - xmin + 1.0, ymax - ymin + 1.0);
        push_region(&mut image, label, shape, attributes, report, file, &what);
    }
    image
}

#[cfg(test)]
mod tests;
