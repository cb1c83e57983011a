//! Ultralytics YOLO: `data.yaml` (`path`, `train`, `val`, `names`), `labels/train/<stem>.txt` and, with
//! images copied, `images/train/<name>`.
//!
//! Each line is `class cx cy w h` (detection) or `class x1 y1 x2 y2 …` (segmentation), class 0-based,
//! coordinates normalised to `[0, 1]` with 6 decimals. YOLO has no points: point regions are left out
//! and counted. Every image gets a label file, an empty one when it has no region (a background image).

use super::confine::Root;
use super::dataset::split_extension;
use super::import::push_region;
use super::paths::{image_with_stem, is_image, slash_path, walk_files};
use super::{
    Category, Dataset, DatasetImage, ExportFile, ExportOptions, ExportSummary, Exported,
    FormatError, ImportReport, NoteKind, clamp_shape, image_size, read_text,
};
use crate::domain::geometry::{Point, Rect, Shape};
use serde_json::Map;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// The split everything is exported to (datumaro accepts only train, val and test).
pub const SPLIT: &str = "train";

/// How many unnamed classes past the declared ones an importer adds before calling a class id corrupt.
const MAX_UNNAMED_CLASSES: usize = 1000;

/// Which kind of YOLO labels to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// `class cx cy w h`: a polygon is written as its bounding box.
    Detect,
    /// `class x1 y1 …`: a rectangle is written as its 4 corners.
    Segment,
}

/// A coordinate normalised by `size`, with 6 decimals and never `-0.000000`.
fn norm(value: f64, size: u32) -> String {
    let v = if size == 0 {
        0.0
    } else {
        value / f64::from(size)
    };
    format!("{:.6}", v + 0.0)
}

/// The label file of one image, and (written, points skipped, clamped) counts.
pub fn label_file(
    image: &DatasetImage,
    indices: &BTreeMap<&str, usize>,
    task: Task,
) -> (String, usize, usize, usize) {
    let (w, h) = (image.width, image.height);
    let mut text = String::new();
    let (mut written, mut points, mut clamped) = (0, 0, 0);
    for region in &image.regions {
        let Some(class) = indices.get(region.label.as_str()) else {
            continue;
        };
        let (shape, moved) = clamp_shape(&region.shape, w, h);
        if let Shape::Point { .. } = shape {
            points += 1;
            continue;
        }
        if moved > 0 {
            clamped += 1;
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{class}");
        match task {
            Task::Detect => {
                let b = shape.bbox();
                let (cx, cy) = ((b.min.x + b.max.x) / 2.0, (b.min.y + b.max.y) / 2.0);
                let _ = write!(
                    text,
                    " {} {} {} {}",
                    norm(cx, w),
                    norm(cy, h),
                    norm(b.width(), w),
                    norm(b.height(), h)
                );
            }
            Task::Segment => {
                let vertices = match &shape {
                    Shape::Rectangle { corners } => Rect::from_corners(corners[0], corners[1])
                        .corners()
                        .to_vec(),
                    other => other.points().to_vec(),
                };
                for p in vertices {
                    let _ = write!(text, " {} {}", norm(p.x, w), norm(p.y, h));
                }
            }
        }
        text.push('\n');
        written += 1;
    }
    (text, written, points, clamped)
}

/// A YAML double-quoted string.
fn yaml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `data.yaml` for a dataset rooted at `root`.
pub fn data_yaml(dataset: &Dataset, root: &Path, task: Task) -> String {
    let kind = match task {
        Task::Detect => "detection",
        Task::Segment => "segmentation",
    };
    let mut text = format!(
        "# Ultralytics YOLO {kind} labels, exported by clickwork.\n\
         # Everything is in the train split; val points at it too so that training starts as is.\n\
         path: {}\ntrain: images/{SPLIT}\nval: images/{SPLIT}\nnc: {}\nnames:\n",
        yaml_string(&slash_path(root)),
        dataset.categories.len()
    );
    for (i, c) in dataset.categories.iter().enumerate() {
        let _ = writeln!(text, "  {i}: {}", yaml_string(&c.name));
    }
    text
}

/// The YOLO export of `dataset`.
pub fn export(dataset: &Dataset, options: &ExportOptions, task: Task) -> Exported {
    let names = dataset.flat_names();
    let indices = dataset.category_indices();
    let mut summary = ExportSummary::default();
    let mut files = vec![ExportFile::bytes(
        "data.yaml",
        data_yaml(dataset, &options.out_dir, task).into_bytes(),
    )];
    for (image, name) in dataset.images.iter().zip(&names) {
        let (text, written, points, clamped) = label_file(image, &indices, task);
        summary.regions += written;
        summary.skipped_points += points;
        summary.clamped_regions += clamped;
        let stem = split_extension(name).0;
        files.push(ExportFile::bytes(
            format!("labels/{SPLIT}/{stem}.txt"),
            text.into_bytes(),
        ));
        if options.copy_images {
            match &image.source {
                Some(source) => files.push(ExportFile::copy(
                    format!("images/{SPLIT}/{name}"),
                    source.clone(),
                )),
                None => summary.missing_images.push(image.file_name.clone()),
            }
        }
    }
    summary.images = dataset.images.len();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Exported { files, summary }
}

/// The class names a YOLO dataset declares: `names` in its YAML file (a list, an inline list or an
/// `index: name` map), else one name per line of `classes.txt` or `obj.names`.
fn read_names(root: &Path, yaml: Option<&Path>) -> Result<Option<Vec<String>>, FormatError> {
    if let Some(yaml) = yaml {
        let text = read_text(yaml)?;
        return parse_yaml_names(&text).map_err(|why| FormatError::invalid(yaml, why));
    }
    let confined = Root::new(root);
    for name in ["classes.txt", "obj.names"] {
        let path = root.join(name);
        if confined.holds_file(&path) {
            let text = read_text(&path)?;
            return Ok(Some(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ));
        }
    }
    Ok(None)
}

/// `names` from the subset of YAML that dataset files use. Not a YAML parser: block lists
/// (`- sky`), block maps (`0: sky`) and flow lists (`[sky, cloud]`), plain or quoted. `Ok(None)` when
/// there is no `names`; an error for a map whose index is far past its names (a corrupt file, which
/// would otherwise ask for that many classes).
pub(crate) fn parse_yaml_names(text: &str) -> Result<Option<Vec<String>>, String> {
    let mut lines = text.lines().map(strip_comment);
    let mut found: Option<String> = None;
    for line in lines.by_ref() {
        if let Some(rest) = line.strip_prefix("names:") {
            found = Some(rest.trim().to_owned());
            break;
        }
    }
    let Some(inline) = found else {
        return Ok(None);
    };
    if let Some(list) = inline.strip_prefix('[') {
        let list = list.trim_end().strip_suffix(']').unwrap_or(list);
        return Ok(Some(split_flow(list).iter().map(|s| unquote(s)).collect()));
    }
    let mut by_index: BTreeMap<usize, String> = BTreeMap::new();
    let mut listed = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            break;
        }
        let item = line.trim();
        if let Some(value) = item.strip_prefix('-') {
            listed.push(unquote(value.trim()));
        } else if let Some((key, value)) = item.split_once(':')
            && let Ok(index) = key.trim().parse::<usize>()
        {
            by_index.insert(index, unquote(value.trim()));
        }
    }
    if !listed.is_empty() {
        return Ok(Some(listed));
    }
    let Some(last) = by_index.keys().next_back().copied() else {
        return Ok(None);
    };
    if last > by_index.len() + MAX_UNNAMED_CLASSES {
        return Err(format!(
            "names: class index {last} is far past the {} names given",
            by_index.len()
        ));
    }
    Ok(Some(
        (0..=last)
            .map(|i| {
                by_index
                    .get(&i)
                    .cloned()
                    .unwrap_or_else(|| format!("class-{i}"))
            })
            .collect(),
    ))
}

fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if i == 0 || line.get(..i).is_some_and(|s| s.ends_with([' ', '\t'])) => {
                return line.get(..i).unwrap_or(line);
            }
            _ => {}
        }
    }
    line
}

fn split_flow(list: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in list.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, ',') => items.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        items.push(current.trim().to_owned());
    }
    items
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return inner.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    if let Some(inner) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    s.to_owned()
}

/// The image a label file belongs to: the same path with its last `labels` folder replaced by
/// `images`, with any image extension (Ultralytics' rule; it also fits Roboflow's `train/labels`).
fn image_for_label(label: &Path) -> Option<PathBuf> {
    let parts: Vec<Component<'_>> = label.components().collect();
    let at = parts.iter().rposition(|c| c.as_os_str() == "labels")?;
    let mut path = PathBuf::new();
    for (i, part) in parts.iter().enumerate() {
        if i == at {
            path.push("images");
        } else {
            path.push(part.as_os_str());
        }
    }
    image_with_stem(&path.with_extension(""))
}

/// Reads a YOLO dataset folder (or its YAML file): class names from the YAML (else `classes.txt`),
/// every `labels/**/*.txt` with the image of the same stem under `images/`, and images without labels.
/// Sizes come from the image headers, so a label file without its image is left out (and reported).
pub fn import(path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let (root, yaml) = if path.is_file() {
        let root = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        (root, Some(path.to_owned()))
    } else {
        (path.to_owned(), None)
    };
    let walk = walk_files(&root).map_err(|e| FormatError::io(&root, e))?;
    let files = &walk.files;
    let yaml = yaml.or_else(|| {
        let named = root.join("data.yaml");
        if files.contains(&named) {
            return Some(named);
        }
        files
            .iter()
            .find(|f| {
                f.parent() == Some(root.as_path())
                    && f.extension().is_some_and(|e| e == "yaml" || e == "yml")
            })
            .cloned()
    });
    let mut report = ImportReport::default();
    walk.note_outside(&mut report);
    let mut dataset = Dataset::default();
    match read_names(&root, yaml.as_deref())? {
        Some(names) => dataset
            .categories
            .extend(names.into_iter().map(Category::named)),
        None => report.note(
            NoteKind::Guessed,
            &root,
            "no data.yaml, classes.txt or obj.names: classes are named class-0, class-1, …",
        ),
    }
    let in_labels = |f: &Path| f.components().any(|c| c.as_os_str() == "labels");
    let in_images = |f: &Path| f.components().any(|c| c.as_os_str() == "images");
    let mut labelled: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for label in files
        .iter()
        .filter(|f| in_labels(f) && f.extension().is_some_and(|e| e == "txt"))
    {
        match image_for_label(label) {
            Some(image) => {
                labelled.insert(image, label.clone());
            }
            None => report.note(
                NoteKind::Dropped,
                label,
                "no image of the same name under images/: its size is unknown, so its labels cannot be read",
            ),
        }
    }
    let images: Vec<&PathBuf> = files
        .iter()
        .filter(|f| in_images(f) && is_image(f))
        .collect();
    for image_path in images {
        let Some((width, height)) = image_size(image_path) else {
            report.note(
                NoteKind::Dropped,
                image_path,
                "not a readable image; left out with its labels",
            );
            continue;
        };
        let relative = image_path.strip_prefix(&root).unwrap_or(image_path);
        let mut image = DatasetImage {
            file_name: slash_path(relative),
            source: Some(std::path::absolute(image_path).unwrap_or_else(|_| image_path.clone())),
            width,
            height,
            regions: Vec::new(),
        };
        if let Some(label) = labelled.get(image_path) {
            let text = read_text(label)?;
            read_lines(&text, label, &mut image, &mut dataset, &mut report);
        }
        dataset.images.push(image);
    }
    Ok((dataset, report))
}

fn read_lines(
    text: &str,
    file: &Path,
    image: &mut DatasetImage,
    dataset: &mut Dataset,
    report: &mut ImportReport,
) {
    let (w, h) = (f64::from(image.width), f64::from(image.height));
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let Some((class_token, values)) = tokens.split_first() else {
            continue;
        };
        let class = class_token.parse::<usize>().ok().or_else(|| {
            class_token
                .parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as usize)
        });
        let Some(class) = class else {
            report.note(
                NoteKind::Dropped,
                file,
                format!("line {line_no}: class {class_token:?} is not a number"),
            );
            continue;
        };
        let Ok(numbers) = values
            .iter()
            .map(|v| v.parse::<f64>())
            .collect::<Result<Vec<f64>, _>>()
        else {
            report.note(
                NoteKind::Dropped,
                file,
                format!("line {line_no}: a coordinate is not a number"),
            );
            continue;
        };
        let what = format!("line {line_no}");
        let shape = match numbers.as_slice() {
            [cx, cy, bw, bh] | [cx, cy, bw, bh, _] => {
                if numbers.len() == 5 {
                    report.note(
                        NoteKind::Dropped,
                        file,
                        format!("{what}: a sixth value (a confidence score?) ignored"),
                    );
                }
                let (cx, cy, bw, bh) = (cx * w, cy * h, bw * w, bh * h);
                Shape::rectangle(
                    Point::new(cx - bw / 2.0, cy - bh / 2.0),
                    Point::new(cx + bw / 2.0, cy + bh / 2.0),
                )
            }
            flat if flat.len() >= 6 && flat.len().is_multiple_of(2) => {
                let points: Vec<Point> = flat
                    .chunks_exact(2)
                    .filter_map(|c| match c {
                        [x, y] => Some(Point::new(x * w, y * h)),
                        _ => None,
                    })
                    .collect();
                super::import::polygon_or_rectangle(points)
            }
            _ => {
                report.note(
                    NoteKind::Dropped,
                    file,
                    format!(
                        "{what}: {} numbers after the class; expected 4 (a box) or an even count of at least 6 (a polygon)",
                        numbers.len()
                    ),
                );
                continue;
            }
        };
        if numbers.iter().any(|v| !v.is_finite()) {
            report.note(
                NoteKind::Dropped,
                file,
                format!("{what}: a coordinate is not finite"),
            );
            continue;
        }
        // A class id far past the names is a corrupt line, not thousands of unnamed classes.
        if class > dataset.categories.len() + MAX_UNNAMED_CLASSES {
            report.note(
                NoteKind::Dropped,
                file,
                format!(
                    "{what}: class {class} is far past the {} named classes",
                    dataset.categories.len()
                ),
            );
            continue;
        }
        // Classes past the declared names are named after their index, keeping index = position.
        while dataset.categories.len() <= class {
            let name = format!("class-{}", dataset.categories.len());
            report.note(
                NoteKind::Added,
                file,
                format!("{what}: class {class} has no name; added {name:?}"),
            );
            dataset.categories.push(Category::named(name));
        }
        let Some(label) = dataset.categories.get(class).map(|c| c.name.clone()) else {
            continue;
        };
        push_region(image, &label, shape, Map::new(), report, file, &what);
    }
}

#[cfg(test)]
mod tests;
