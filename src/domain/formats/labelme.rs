//! LabelMe JSON (labelme 5.x and later): one `<stem>.json` per image.
//!
//! A rectangle is written as its 2 corners (top-left, bottom-right), a polygon as its points, a point as
//! one point. `imagePath` is relative to the JSON file: the copied image beside it with
//! `--copy-images`, else the path from the export folder to the image where it is. `imageData` is
//! `null` (labelme then loads the image from `imagePath`), sizes are the image's true ones. Boolean
//! region attributes become the shape's `flags`; other attributes go in an `attributes` key, which labelme
//! keeps as it is.

use super::confine::{Root, confined_name};
use super::dataset::split_extension;
use super::import::{note_missing_images, push_region, size_from_extent};
use super::paths::{Walk, image_with_stem, relative_path, slash_path, walk_files};
use super::{
    Category, Dataset, DatasetImage, ExportFile, ExportOptions, ExportSummary, Exported,
    FormatError, ImportReport, NoteKind, clamp_shape, image_size, read_file,
};
use crate::domain::geometry::{Point, Rect, Shape};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

/// The `version` written: the file layout of labelme 5.5, which labelme 5.x to 7.x read.
pub const VERSION: &str = "5.5.0";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileOut<'a> {
    version: &'static str,
    flags: Map<String, Value>,
    shapes: Vec<ShapeOut<'a>>,
    image_path: String,
    image_data: Option<()>,
    image_height: u32,
    image_width: u32,
}

#[derive(Serialize)]
struct ShapeOut<'a> {
    label: &'a str,
    points: Vec<[f64; 2]>,
    group_id: Option<u32>,
    description: &'static str,
    shape_type: &'static str,
    flags: Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    attributes: Map<String, Value>,
}

/// The LabelMe JSON of one image whose file is at `image_path` (relative to the JSON file).
pub fn to_json(image: &DatasetImage, image_path: String, summary: &mut ExportSummary) -> Vec<u8> {
    let mut shapes = Vec::with_capacity(image.regions.len());
    for region in &image.regions {
        let (shape, moved) = clamp_shape(&region.shape, image.width, image.height);
        if moved > 0 {
            summary.clamped_regions += 1;
        }
        let (shape_type, points): (&'static str, Vec<[f64; 2]>) = match &shape {
            Shape::Rectangle { corners } => {
                let r = Rect::from_corners(corners[0], corners[1]);
                ("rectangle", vec![r.min.into(), r.max.into()])
            }
            Shape::Polygon { points } => ("polygon", points.iter().map(|p| (*p).into()).collect()),
            Shape::Point { at } => ("point", vec![(*at).into()]),
        };
        let (flags, attributes): (Map<String, Value>, Map<String, Value>) = region
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .partition(|(_, v)| v.is_boolean());
        shapes.push(ShapeOut {
            label: &region.label,
            points,
            group_id: None,
            description: "",
            shape_type,
            flags,
            attributes,
        });
        summary.regions += 1;
    }
    let file = FileOut {
        version: VERSION,
        flags: Map::new(),
        shapes,
        image_path,
        image_data: None,
        image_height: image.height,
        image_width: image.width,
    };
    // Plain structs of numbers and strings always serialise.
    let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The LabelMe export of `dataset`: `<stem>.json` per image, and the images beside them when copied.
pub fn export(dataset: &Dataset, options: &ExportOptions) -> Exported {
    let names = dataset.flat_names();
    let mut summary = ExportSummary::default();
    let mut files = Vec::new();
    for (image, name) in dataset.images.iter().zip(&names) {
        let image_path = match (&image.source, options.copy_images) {
            (Some(source), true) => {
                files.push(ExportFile::copy(name.clone(), source.clone()));
                name.clone()
            }
            (Some(source), false) => slash_path(&relative_path(&options.out_dir, source)),
            (None, _) => {
                summary.missing_images.push(image.file_name.clone());
                image.file_name.clone()
            }
        };
        let stem = split_extension(name).0;
        files.push(ExportFile::bytes(
            format!("{stem}.json"),
            to_json(image, image_path, &mut summary),
        ));
    }
    summary.images = dataset.images.len();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Exported { files, summary }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFile {
    shapes: Vec<RawShape>,
    #[serde(default)]
    image_path: Option<String>,
    #[serde(default)]
    image_height: Option<f64>,
    #[serde(default)]
    image_width: Option<f64>,
}

#[derive(Deserialize)]
struct RawShape {
    label: String,
    points: Vec<RawPoint>,
    #[serde(default)]
    shape_type: Option<String>,
    #[serde(default)]
    flags: Option<Map<String, Value>>,
    #[serde(default)]
    attributes: Option<Map<String, Value>>,
}

/// One entry of a shape's `points`: a list of numbers, kept as its first two and how many there were
/// (a `Vec` per point was a quarter of a 10,000-file conversion's allocations).
struct RawPoint {
    xy: [f64; 2],
    len: usize,
}

impl<'de> Deserialize<'de> for RawPoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawPoint;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of numbers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawPoint, A::Error> {
                let mut point = RawPoint {
                    xy: [0.0; 2],
                    len: 0,
                };
                while let Some(v) = seq.next_element::<f64>()? {
                    if let Some(slot) = point.xy.get_mut(point.len) {
                        *slot = v;
                    }
                    point.len += 1;
                }
                Ok(point)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

impl RawPoint {
    /// The point, when it is exactly a finite `[x, y]`.
    fn finite_pair(&self) -> Option<Point> {
        let [x, y] = self.xy;
        (self.len == 2 && x.is_finite() && y.is_finite()).then(|| Point::new(x, y))
    }
}

/// Reads a folder of LabelMe JSON files (recursively) with their images, or one such file. Label order
/// comes from a `labels.txt` beside them when there is one (labelme's `--labels` file), else from first
/// use.
pub fn import(path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let (root, json_files, walk) = if path.is_file() {
        let root = path.parent().unwrap_or(Path::new(".")).to_owned();
        (root, vec![path.to_owned()], Walk::default())
    } else {
        let walk = walk_files(path).map_err(|e| FormatError::io(path, e))?;
        let json: Vec<_> = walk
            .files
            .iter()
            .filter(|f| {
                f.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            })
            .cloned()
            .collect();
        (path.to_owned(), json, walk)
    };
    if json_files.is_empty() {
        return Err(FormatError::invalid(path, "no LabelMe JSON files found"));
    }
    // A single file's dataset is its own folder: `imagePath` may climb with `..`, so it is never
    // widened to the folder above (as COCO's fixed `../images` is).
    let dataset_root = Root::new(&root);
    let mut report = ImportReport::default();
    walk.note_outside(&mut report);
    let mut dataset = Dataset::default();
    let labels_file = root.join("labels.txt");
    let declared = dataset_root.holds_file(&labels_file);
    if declared {
        let text = String::from_utf8_lossy(&read_file(&labels_file)?).into_owned();
        for name in text.lines().map(str::trim) {
            // labelme's own labels.txt starts with these two markers, which are not labels.
            if !name.is_empty() && name != "__ignore__" && name != "_background_" {
                dataset.categories.push(Category::named(name));
            }
        }
    }
    // Files are read and parsed on all cores; what each gives (its image, notes and missing image) is
    // then taken in the walk's order, so the dataset and its notes are the same as one by one.
    let read: Vec<Result<PerFile, FormatError>> = json_files
        .par_iter()
        .map(|file| {
            let mut one = PerFile::default();
            let bytes = read_file(file)?;
            match serde_json::from_slice::<RawFile>(&bytes) {
                Ok(raw) => {
                    let image =
                        read_one(raw, file, &dataset_root, &mut one.report, &mut one.missing);
                    one.image = Some(image);
                }
                Err(e) => one.report.note(
                    NoteKind::Dropped,
                    file,
                    format!("not a LabelMe file ({e}); left out"),
                ),
            }
            Ok(one)
        })
        .collect();
    let mut missing = Vec::new();
    dataset.images.reserve(read.len());
    for one in read {
        let one = one?;
        report.notes.extend(one.report.notes);
        missing.extend(one.missing);
        dataset.images.extend(one.image);
    }
    note_missing_images(&mut report, &root, &missing);
    let added = dataset.add_missing_categories();
    if !added.is_empty() {
        let (kind, why) = if declared {
            (NoteKind::Added, "used but not in labels.txt")
        } else {
            (
                NoteKind::Guessed,
                "LabelMe declares no label list; labels in order of first use",
            )
        };
        let at = if declared { &labels_file } else { &root };
        report.note(kind, at, format!("{why}: {}", added.join(", ")));
    }
    Ok((dataset, report))
}

/// What one LabelMe file gives.
#[derive(Default)]
struct PerFile {
    image: Option<DatasetImage>,
    report: ImportReport,
    missing: Vec<String>,
}

fn read_one(
    raw: RawFile,
    file: &Path,
    root: &Root,
    report: &mut ImportReport,
    missing: &mut Vec<String>,
) -> DatasetImage {
    let dir = file.parent().unwrap_or(Path::new("."));
    let stem_path = file.with_extension("");
    let claimed = raw.image_path.as_deref().filter(|p| !p.is_empty());
    // imagePath is relative to the JSON file and may climb (`../images/a.jpg`), but not out of the
    // dataset.
    let followed = claimed.and_then(|p| {
        let inside = root.follow(dir, p);
        if inside.is_none() {
            report.note(
                NoteKind::Guessed,
                file,
                format!(
                    "imagePath {p:?} leads outside {}; not followed",
                    root.dir().display()
                ),
            );
        }
        inside
    });
    let source = followed
        .as_ref()
        .and_then(|path| root.find([path.clone()], report, file))
        .or_else(|| {
            let beside = root.find(image_with_stem(&stem_path), report, file)?;
            report.note(
                NoteKind::Guessed,
                file,
                format!(
                    "imagePath {:?} does not lead to an image; took {} beside the file",
                    claimed.unwrap_or(""),
                    beside.display()
                ),
            );
            Some(beside)
        });
    // The name kept is relative to the dataset's folder: found, followed, or the claimed name's last
    // part beside the JSON file.
    let named = source.as_ref().or(followed.as_ref()).cloned().or_else(|| {
        let last = claimed.and_then(|p| confined_name(p, &mut ImportReport::default(), file))?;
        let last = last.rsplit('/').next()?.to_owned();
        Some(dir.join(last))
    });
    let file_name = named
        .as_deref()
        .and_then(|path| root.name_of(path))
        .or_else(|| root.name_of(&stem_path))
        .unwrap_or_else(|| {
            stem_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    if source.is_none() {
        missing.push(file_name.clone());
    }
    let size = |v: Option<f64>| {
        v.filter(|v| v.is_finite() && *v >= 1.0)
            .map(|v| v.round() as u32)
    };
    let (width, height) = match (size(raw.image_width), size(raw.image_height)) {
        (Some(w), Some(h)) => (w, h),
        _ => match source.as_deref().and_then(image_size) {
            Some((w, h)) => {
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!("no imageWidth/imageHeight: took {w}x{h} from the image"),
                );
                (w, h)
            }
            None => {
                let points = raw
                    .shapes
                    .iter()
                    .flat_map(|s| s.points.iter())
                    .filter(|p| p.len == 2)
                    .map(|p| {
                        let [x, y] = p.xy;
                        Point::new(x, y)
                    });
                let (w, h) = size_from_extent(points);
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!("no imageWidth/imageHeight and no image: took {w}x{h} from the extent of its shapes"),
                );
                (w, h)
            }
        },
    };
    let mut image = DatasetImage {
        file_name,
        source,
        width,
        height,
        regions: Vec::new(),
    };
    for (n, shape) in raw.shapes.into_iter().enumerate() {
        let what = format!("shape {}", n + 1);
        let mut attributes = shape.attributes.clone().unwrap_or_default();
        for (k, v) in shape.flags.clone().unwrap_or_default() {
            attributes.insert(k, v);
        }
        for s in shapes_of(&shape, &what, file, report) {
            push_region(
                &mut image,
                &shape.label,
                s,
                attributes.clone(),
                report,
                file,
                &what,
            );
        }
    }
    image
}

fn shapes_of(shape: &RawShape, what: &str, file: &Path, report: &mut ImportReport) -> Vec<Shape> {
    let mut points = Vec::with_capacity(shape.points.len());
    for p in &shape.points {
        match p.finite_pair() {
            Some(point) => points.push(point),
            None => {
                report.note(
                    NoteKind::Dropped,
                    file,
                    format!(
                        "{what} ({}): a point is not a finite [x, y] pair",
                        shape.label
                    ),
                );
                return Vec::new();
            }
        }
    }
    let kind = shape.shape_type.as_deref().unwrap_or("polygon");
    let mut drop = |why: String| {
        report.note(
            NoteKind::Dropped,
            file,
            format!("{what} ({}): {why}", shape.label),
        );
        Vec::new()
    };
    match (kind, points.as_slice()) {
        ("rectangle", [a, b]) => vec![Shape::rectangle(*a, *b)],
        ("rectangle", many) if many.len() > 2 => {
            report.note(
                NoteKind::Guessed,
                file,
                format!(
                    "{what} ({}): a rectangle of {} points; took their bounding box",
                    shape.label,
                    many.len()
                ),
            );
            Rect::bounding(many).map_or_else(Vec::new, |r| vec![Shape::rectangle(r.min, r.max)])
        }
        ("polygon", pts) if pts.len() >= 3 => vec![Shape::Polygon {
            points: pts.to_vec(),
        }],
        ("point", [at]) => vec![Shape::Point { at: *at }],
        ("points", pts) if !pts.is_empty() => {
            if pts.len() > 1 {
                report.note(
                    NoteKind::Guessed,
                    file,
                    format!(
                        "{what} ({}): {} points imported as {} point regions",
                        shape.label,
                        pts.len(),
                        pts.len()
                    ),
                );
            }
            pts.iter().map(|at| Shape::Point { at: *at }).collect()
        }
        ("circle", [center, rim]) => {
            report.note(
                NoteKind::Guessed,
                file,
                format!(
                    "{what} ({}): circle imported as a 32-sided polygon",
                    shape.label
                ),
            );
            let r = center.distance(*rim);
            let points = (0..32)
                .map(|i| {
                    let t = f64::from(i) * std::f64::consts::TAU / 32.0;
                    Point::new(center.x + r * t.cos(), center.y + r * t.sin())
                })
                .collect();
            vec![Shape::Polygon { points }]
        }
        (kind @ ("rectangle" | "polygon" | "point" | "circle"), pts) => {
            drop(format!("a {kind} cannot have {} points", pts.len()))
        }
        (other, _) => drop(format!("shape type {other:?} has no region kind here")),
    }
}

#[cfg(test)]
mod tests;
