//! CVAT for images 1.1: one `annotations.xml` and, with images copied, `images/<name>`.
//!
//! Every category is declared in `<meta><task><labels>` with its colour and the attributes its regions
//! use. Rectangles are `<box>`, polygons `<polygon>`, points `<points>`; the `occluded` attribute maps to
//! CVAT's own `occluded` flag. Coordinates are written in full precision. Images are named by file name,
//! as CVAT matches annotations to a task's images by name.

use super::confine::{Root, confined_name};
use super::import::{note_missing_images, push_region};
use super::xml::{self, escape};
use super::{
    Category, Dataset, DatasetImage, ExportFile, ExportOptions, ExportSummary, Exported,
    FormatError, ImportReport, NoteKind, clamp_shape, num, read_text,
};
use crate::domain::geometry::{Point, Rect, Shape};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The XML file's name in the export folder.
pub const ANNOTATIONS_FILE: &str = "annotations.xml";

/// How an attribute is declared in `<meta>`, from the values regions give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InputType {
    Checkbox,
    Number,
    Text,
}

impl InputType {
    fn of(value: &Value) -> Self {
        match value {
            Value::Bool(_) => InputType::Checkbox,
            Value::Number(_) => InputType::Number,
            _ => InputType::Text,
        }
    }

    fn name(self) -> &'static str {
        match self {
            InputType::Checkbox => "checkbox",
            InputType::Number => "number",
            InputType::Text => "text",
        }
    }
}

fn attribute_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), num),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Per category, the attributes its regions use and how to declare them.
fn declared_attributes(dataset: &Dataset) -> Vec<BTreeMap<String, InputType>> {
    let indices = dataset.category_indices();
    let mut declared = vec![BTreeMap::new(); dataset.categories.len()];
    for region in dataset.images.iter().flat_map(|i| &i.regions) {
        let Some(slot) = indices
            .get(region.label.as_str())
            .and_then(|i| declared.get_mut(*i))
        else {
            continue;
        };
        for (name, value) in &region.attributes {
            if name == "occluded" {
                continue;
            }
            let kind = InputType::of(value);
            slot.entry(name.clone())
                .and_modify(|k: &mut InputType| {
                    if *k != kind {
                        *k = InputType::Text;
                    }
                })
                .or_insert(kind);
        }
    }
    declared
}

/// The whole `annotations.xml`, naming each image by `names`.
pub fn to_xml(dataset: &Dataset, names: &[String], summary: &mut ExportSummary) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n");
    x.push_str("  <version>1.1</version>\n  <meta>\n    <task>\n");
    let _ = write!(
        x,
        "      <name>clickwork export</name>\n      <size>{}</size>\n      <mode>annotation</mode>\n      \
         <overlap>0</overlap>\n      <labels>\n",
        dataset.images.len()
    );
    let declared = declared_attributes(dataset);
    for (i, category) in dataset.categories.iter().enumerate() {
        let [r, g, b] = category.color_or_default(i);
        let _ = write!(
            x,
            "        <label>\n          <name>{}</name>\n          <color>#{r:02x}{g:02x}{b:02x}</color>\n          \
             <type>any</type>\n          <attributes>\n",
            escape(&category.name)
        );
        for (name, kind) in declared.get(i).into_iter().flatten() {
            let default = match kind {
                InputType::Checkbox => "false",
                InputType::Number | InputType::Text => "",
            };
            let _ = write!(
                x,
                "            <attribute>\n              <name>{}</name>\n              <mutable>False</mutable>\n              \
                 <input_type>{}</input_type>\n              <default_value>{default}</default_value>\n              \
                 <values>{default}</values>\n            </attribute>\n",
                escape(name),
                kind.name()
            );
        }
        x.push_str("          </attributes>\n        </label>\n");
    }
    x.push_str("      </labels>\n    </task>\n  </meta>\n");
    for (id, (image, name)) in dataset.images.iter().zip(names).enumerate() {
        let _ = writeln!(
            x,
            "  <image id=\"{id}\" name=\"{}\" width=\"{}\" height=\"{}\">",
            escape(name),
            image.width,
            image.height
        );
        for region in &image.regions {
            let (shape, moved) = clamp_shape(&region.shape, image.width, image.height);
            if moved > 0 {
                summary.clamped_regions += 1;
            }
            let occluded = u8::from(super::dataset::attribute_flag(region, "occluded"));
            let common = format!(
                "label=\"{}\" source=\"manual\" occluded=\"{occluded}\" z_order=\"0\"",
                escape(&region.label)
            );
            let tag = match &shape {
                Shape::Rectangle { corners } => {
                    let r = Rect::from_corners(corners[0], corners[1]);
                    let _ = write!(
                        x,
                        "    <box {common} xtl=\"{}\" ytl=\"{}\" xbr=\"{}\" ybr=\"{}\"",
                        num(r.min.x),
                        num(r.min.y),
                        num(r.max.x),
                        num(r.max.y)
                    );
                    "box"
                }
                Shape::Polygon { points } => {
                    let _ = write!(x, "    <polygon {common} points=\"{}\"", point_list(points));
                    "polygon"
                }
                Shape::Point { at } => {
                    let _ = write!(
                        x,
                        "    <points {common} points=\"{}\"",
                        point_list(std::slice::from_ref(at))
                    );
                    "points"
                }
            };
            let attributes: Vec<(&String, &Value)> = region
                .attributes
                .iter()
                .filter(|(k, _)| k.as_str() != "occluded")
                .collect();
            if attributes.is_empty() {
                x.push_str(">\n");
            } else {
                x.push_str(">\n");
                for (k, v) in attributes {
                    let _ = writeln!(
                        x,
                        "      <attribute name=\"{}\">{}</attribute>",
                        escape(k),
                        escape(&attribute_text(v))
                    );
                }
            }
            let _ = writeln!(x, "    </{tag}>");
            summary.regions += 1;
        }
        x.push_str("  </image>\n");
    }
    x.push_str("</annotations>\n");
    x
}

fn point_list(points: &[Point]) -> String {
    points
        .iter()
        .map(|p| format!("{},{}", num(p.x), num(p.y)))
        .collect::<Vec<_>>()
        .join(";")
}

/// The CVAT export of `dataset`.
pub fn export(dataset: &Dataset, options: &ExportOptions) -> Exported {
    let names = dataset.flat_names();
    let mut summary = ExportSummary::default();
    let xml_text = to_xml(dataset, &names, &mut summary);
    let mut files = vec![ExportFile::bytes(ANNOTATIONS_FILE, xml_text.into_bytes())];
    if options.copy_images {
        for (image, name) in dataset.images.iter().zip(&names) {
            match &image.source {
                Some(source) => {
                    files.push(ExportFile::copy(format!("images/{name}"), source.clone()))
                }
                None => summary.missing_images.push(image.file_name.clone()),
            }
        }
    }
    summary.images = dataset.images.len();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Exported { files, summary }
}

/// Reads a CVAT for images XML file; images are looked for in `images/` beside it, then beside it, never
/// outside the dataset's folder.
pub fn import(path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let text = read_text(path)?;
    let (mut dataset, mut report) = parse(&text, path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let root = Root::new(dir);
    let mut missing = Vec::new();
    for image in &mut dataset.images {
        let candidates = [
            dir.join("images").join(&image.file_name),
            dir.join(&image.file_name),
        ];
        image.source = root.find(candidates, &mut report, path);
        if image.source.is_none() {
            missing.push(image.file_name.clone());
        }
    }
    note_missing_images(&mut report, path, &missing);
    Ok((dataset, report))
}

/// A label declared in `<meta>`: name, colour, and each attribute's `input_type`.
type DeclaredLabel = (String, Option<[u8; 3]>, BTreeMap<String, String>);

fn labels_in(meta: &xml::Element, out: &mut Vec<DeclaredLabel>) {
    for child in &meta.children {
        if child.name == "label" {
            if let Some(name) = child.child_text("name") {
                let color = child.child_text("color").and_then(parse_hex_color);
                let types = child
                    .child("attributes")
                    .map(|a| {
                        a.children_named("attribute")
                            .filter_map(|at| {
                                Some((
                                    at.child_text("name")?.to_owned(),
                                    at.child_text("input_type").unwrap_or("text").to_owned(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.push((name.to_owned(), color, types));
            }
        } else {
            labels_in(child, out);
        }
    }
}

fn parse_hex_color(text: &str) -> Option<[u8; 3]> {
    let hex = text.trim().strip_prefix('#')?;
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    if hex.len() != 6 {
        return None;
    }
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn parse_points(text: &str) -> Option<Vec<Point>> {
    text.split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|pair| {
            let (x, y) = pair.split_once(',')?;
            let (x, y) = (x.trim().parse::<f64>().ok()?, y.trim().parse::<f64>().ok()?);
            (x.is_finite() && y.is_finite()).then_some(Point::new(x, y))
        })
        .collect()
}

/// Reads CVAT XML text (`file` names it in notes and errors). Images get no `source`; [`import`] finds
/// them.
pub fn parse(text: &str, file: &Path) -> Result<(Dataset, ImportReport), FormatError> {
    let root = xml::parse(text, file)?;
    if root.name != "annotations" {
        return Err(FormatError::invalid(
            file,
            format!(
                "the root element is <{}>, not CVAT's <annotations>",
                root.name
            ),
        ));
    }
    let mut report = ImportReport::default();
    let mut dataset = Dataset::default();
    let mut labels = Vec::new();
    if let Some(meta) = root.child("meta") {
        labels_in(meta, &mut labels);
    }
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for (name, color, attribute_types) in labels {
        if dataset.category_index(&name).is_none() {
            dataset.categories.push(Category { name, color });
        }
        types.extend(attribute_types);
    }
    let tracks = root.children_named("track").count();
    if tracks > 0 {
        report.note(
            NoteKind::Dropped,
            file,
            format!(
                "{tracks} <track> element(s) (video annotations) left out: only images are read"
            ),
        );
    }
    for (n, element) in root.children_named("image").enumerate() {
        let name = element.attribute("name").unwrap_or_default();
        let name = if name.is_empty() {
            format!("frame_{n:06}.png")
        } else {
            match confined_name(name, &mut report, file) {
                Some(name) => name,
                None => continue,
            }
        };
        let size = |key| {
            element
                .attribute(key)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 1.0)
                .map_or(0, |v| v.round() as u32)
        };
        let mut image = DatasetImage {
            file_name: name,
            source: None,
            width: size("width"),
            height: size("height"),
            regions: Vec::new(),
        };
        if image.width == 0 || image.height == 0 {
            report.note(
                NoteKind::Dropped,
                file,
                format!("image {}: no width or height; left out", image.file_name),
            );
            continue;
        }
        read_shapes(element, &mut image, &types, &mut dataset, &mut report, file);
        dataset.images.push(image);
    }
    Ok((dataset, report))
}

fn read_shapes(
    element: &xml::Element,
    image: &mut DatasetImage,
    types: &BTreeMap<String, String>,
    dataset: &mut Dataset,
    report: &mut ImportReport,
    file: &Path,
) {
    for (k, shape_el) in element.children.iter().enumerate() {
        let what = format!("<{}> {} of image {}", shape_el.name, k + 1, image.file_name);
        let label = shape_el.attribute("label").unwrap_or_default().to_owned();
        let number = |key| {
            shape_el
                .attribute(key)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        let shapes: Vec<Shape> = match shape_el.name.as_str() {
            "box" => match (number("xtl"), number("ytl"), number("xbr"), number("ybr")) {
                (Some(x0), Some(y0), Some(x1), Some(y1)) => {
                    if number("rotation").is_some_and(|r| r % 360.0 != 0.0) {
                        report.note(
                            NoteKind::Guessed,
                            file,
                            format!("{what}: rotation ignored; the box is kept axis-aligned"),
                        );
                    }
                    vec![Shape::rectangle(Point::new(x0, y0), Point::new(x1, y1))]
                }
                _ => {
                    report.note(
                        NoteKind::Dropped,
                        file,
                        format!("{what}: missing xtl, ytl, xbr or ybr"),
                    );
                    continue;
                }
            },
            "polygon" => match shape_el.attribute("points").and_then(parse_points) {
                Some(points) if points.len() >= 3 => vec![Shape::Polygon { points }],
                _ => {
                    report.note(
                        NoteKind::Dropped,
                        file,
                        format!("{what}: points are not a list of at least 3 x,y pairs"),
                    );
                    continue;
                }
            },
            "points" => match shape_el.attribute("points").and_then(parse_points) {
                Some(points) if !points.is_empty() => {
                    if points.len() > 1 {
                        report.note(
                            NoteKind::Guessed,
                            file,
                            format!(
                                "{what}: {} points imported as {} point regions",
                                points.len(),
                                points.len()
                            ),
                        );
                    }
                    points.into_iter().map(|at| Shape::Point { at }).collect()
                }
                _ => {
                    report.note(
                        NoteKind::Dropped,
                        file,
                        format!("{what}: points are not x,y pairs"),
                    );
                    continue;
                }
            },
            other => {
                report.note(
                    NoteKind::Dropped,
                    file,
                    format!("{what}: <{other}> has no region kind here"),
                );
                continue;
            }
        };
        if label.is_empty() {
            report.note(NoteKind::Dropped, file, format!("{what}: no label"));
            continue;
        }
        if dataset.category_index(&label).is_none() {
            report.note(
                NoteKind::Added,
                file,
                format!("{what}: label {label:?} is not declared in <meta>; added"),
            );
            dataset.categories.push(Category::named(label.clone()));
        }
        let mut attributes = Map::new();
        if shape_el
            .attribute("occluded")
            .is_some_and(|v| v == "1" || v == "true")
        {
            attributes.insert("occluded".to_owned(), Value::Bool(true));
        }
        for attribute in shape_el.children_named("attribute") {
            let Some(name) = attribute.attribute("name") else {
                continue;
            };
            let text = attribute.text.trim();
            let value = match (text, types.get(name).map(String::as_str)) {
                ("true", _) => Value::Bool(true),
                ("false", _) => Value::Bool(false),
                (t, Some("number")) => t
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(t.to_owned()), Value::Number),
                (t, _) => Value::String(t.to_owned()),
            };
            attributes.insert(name.to_owned(), value);
        }
        for shape in shapes {
            push_region(
                image,
                &label,
                shape,
                attributes.clone(),
                report,
                file,
                &what,
            );
        }
    }
}

#[cfg(test)]
mod tests;
