//! Prefilled regions read from a LabelMe or COCO file inside the bundle, for correction and review tasks.
//!
//! The files are read with the converters' importers (`crate::domain::formats`), so a prefill means
//! exactly what `clickwork convert` would make of it. The importers are lenient by design (they clamp,
//! drop and guess, and say so); a bundle is not: what an importer had to clamp or drop becomes a problem
//! here, as a point outside the image or a malformed shape is one for inline `regions`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::model::Label;
use super::problem::Problem;
use crate::domain::annotation::Region;
use crate::domain::formats::{
    Dataset, DatasetImage, FormatError, ImportReport, NoteKind, coco, labelme,
};

/// The file formats a task can prefill from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PrefillFormat {
    /// One LabelMe JSON file: the shapes of one image.
    Labelme,
    /// A COCO instances file: the task takes the annotations of its own image.
    Coco,
}

impl PrefillFormat {
    /// The key naming the format under `prefill`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            PrefillFormat::Labelme => "labelme",
            PrefillFormat::Coco => "coco",
        }
    }

    /// The format's name in messages.
    pub(crate) fn title(self) -> &'static str {
        match self {
            PrefillFormat::Labelme => "LabelMe",
            PrefillFormat::Coco => "COCO",
        }
    }
}

/// A prefill file as its importer read it.
#[derive(Debug)]
pub(crate) struct PrefillFile {
    format: PrefillFormat,
    /// The file as problems name it.
    shown: String,
    dataset: Dataset,
    report: ImportReport,
}

/// Prefill files already read, by format and canonical path: a COCO file is usually shared by every
/// task of a bundle, and reading it once per task would be quadratic in the bundle's size.
#[derive(Debug, Default)]
pub(crate) struct PrefillFiles {
    files: HashMap<(PrefillFormat, PathBuf), Option<PrefillFile>>,
}

impl PrefillFiles {
    /// The file at `path` (canonical, inside the bundle), read on first use. Problems with the file
    /// itself are added to `problems` on that first use only, so a broken shared file is reported once
    /// rather than once per task; `None` means it cannot be used.
    pub(crate) fn get(
        &mut self,
        format: PrefillFormat,
        path: &Path,
        shown: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<&PrefillFile> {
        self.files
            .entry((format, path.to_path_buf()))
            .or_insert_with(|| read(format, path, shown, problems))
            .as_ref()
    }
}

/// Reads and imports one prefill file, reporting what makes it unusable or incomplete.
fn read(
    format: PrefillFormat,
    path: &Path,
    shown: &str,
    problems: &mut Vec<Problem>,
) -> Option<PrefillFile> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            problems.push(Problem::in_file(shown, format!("cannot be read ({e})")));
            return None;
        }
    };
    // The importers report bad JSON without a usable position (LabelMe's even as a mere note), so the
    // syntax is checked here first to point at the line and column like the manifest's own errors.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        problems.push(Problem::from_json_error(shown, &e));
        return None;
    }
    let imported = match format {
        PrefillFormat::Coco => coco::parse(&bytes, Path::new(shown)),
        PrefillFormat::Labelme => labelme::import(path),
    };
    let (dataset, report) = match imported {
        Ok(imported) => imported,
        Err(e) => {
            let why = match e {
                FormatError::Io { source, .. } => format!("cannot be read ({source})"),
                FormatError::Invalid { message, .. } => message,
            };
            problems.push(Problem::in_file(
                shown,
                format!("is not a {} file: {why}", format.title()),
            ));
            return None;
        }
    };
    let dropped: Vec<&str> = report
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Dropped)
        .map(|n| n.message.as_str())
        .collect();
    if dataset.images.is_empty() {
        // LabelMe's importer leaves out a file that is JSON but not LabelMe, with a note saying why.
        let why = if dropped.is_empty() {
            "it describes no image".to_owned()
        } else {
            dropped.join("; ")
        };
        problems.push(Problem::in_file(
            shown,
            format!("is not a {} file: {why}", format.title()),
        ));
        return None;
    }
    // A region the importer could not read would silently be missing from the task.
    for message in dropped {
        problems.push(Problem::in_file(
            shown,
            format!("cannot be used as a prefill: {message}"),
        ));
    }
    Some(PrefillFile {
        format,
        shown: shown.to_owned(),
        dataset,
        report,
    })
}

/// The final component of a `/`- or `\`-separated path: COCO files written on Windows use `\`.
fn final_component(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The image of `file` that prefills a task showing `image` (its path in the manifest): a LabelMe file
/// describes one image; in a COCO file it is the one image whose `file_name` has the same final
/// component, since COCO files name images relative to wherever their exporter kept them.
fn image_for<'f>(file: &'f PrefillFile, image: &str) -> Result<&'f DatasetImage, String> {
    if file.format == PrefillFormat::Labelme {
        return file
            .dataset
            .images
            .first()
            .ok_or_else(|| format!("{} describes no image", file.shown));
    }
    let name = final_component(image);
    let matches: Vec<&DatasetImage> = file
        .dataset
        .images
        .iter()
        .filter(|i| final_component(&i.file_name) == name)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "{} has no image whose file_name is {name:?} (the final part of the task's image path)",
            file.shown
        )),
        many => {
            let names: Vec<&str> = many.iter().map(|i| i.file_name.as_str()).collect();
            Err(format!(
                "{} has {} images whose file_name is {name:?} ({}); rename them so one matches",
                file.shown,
                many.len(),
                names.join(", ")
            ))
        }
    }
}

/// The regions prefilling a task showing `image` (`None` when the manifest gives no image path), with
/// ids `r1`, `r2`, ..., or every reason they cannot be used: no matching image, an unknown label, a point
/// outside the image (`size`, when known from the image itself).
pub(crate) fn regions_for(
    file: &PrefillFile,
    image: Option<&str>,
    labels: &[Label],
    size: Option<(u32, u32)>,
) -> Result<Vec<Region>, Vec<String>> {
    let Some(image) = image else {
        // The missing image path is already a problem; there is nothing to match.
        return Err(Vec::new());
    };
    let found = image_for(file, image).map_err(|why| vec![why])?;
    let mut problems = Vec::new();

    // Labels are never added from a prefill: the worker could not pick them, and a misspelt label in
    // the file would otherwise become a new class.
    let mut unknown: Vec<(&str, usize)> = Vec::new();
    for region in &found.regions {
        if labels.iter().all(|l| l.name != region.label) {
            match unknown.iter_mut().find(|(name, _)| *name == region.label) {
                Some((_, count)) => *count += 1,
                None => unknown.push((&region.label, 1)),
            }
        }
    }
    let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
    for (label, count) in unknown {
        problems.push(format!(
            "unknown label {label:?} in {} ({count} region{}); the bundle's labels are: {}",
            file.shown,
            if count == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }

    // The importer has already clamped points to the size the file states; that is a point outside
    // the image as far as the file's author knew, and refused as it is in inline regions.
    let on_image = format!(" on {}: ", found.file_name);
    for note in &file.report.notes {
        if note.kind == NoteKind::Clamped && note.message.contains(&on_image) {
            let what = note
                .message
                .strip_suffix(" moved onto its border")
                .unwrap_or(&note.message);
            problems.push(format!(
                "{}: {what}; prefilled points must lie within the image",
                file.shown
            ));
        }
    }

    let mut regions = Vec::with_capacity(found.regions.len());
    for (i, region) in found.regions.iter().enumerate() {
        let mut region = region.clone();
        region.id = format!("r{}", i + 1);
        if let Some((width, height)) = size {
            let (w, h) = (f64::from(width), f64::from(height));
            let outside = region
                .shape
                .points()
                .iter()
                .find(|p| !(0.0..=w).contains(&p.x) || !(0.0..=h).contains(&p.y));
            if let Some(p) = outside {
                problems.push(format!(
                    "{}: region {} ({}): point [{}, {}] lies outside the {width}×{height} image",
                    file.shown, region.id, region.label, p.x, p.y
                ));
            }
        }
        regions.push(region);
    }
    if problems.is_empty() {
        Ok(regions)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::{Point, Shape};

    fn label(name: &str) -> Label {
        Label {
            name: name.into(),
            color: [0, 0, 0],
            hotkey: None,
            description: None,
        }
    }

    fn read_str(format: PrefillFormat, text: &str) -> (Option<PrefillFile>, Vec<Problem>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prefill.json");
        fs::write(&path, text).unwrap();
        let mut problems = Vec::new();
        let file = read(format, &path, "b/prefill.json", &mut problems);
        (file, problems)
    }

    const COCO: &str = r#"{
      "images": [
        {"id": 0, "file_name": "train/a.png", "width": 100, "height": 50},
        {"id": 1, "file_name": "b.png", "width": 100, "height": 50},
        {"id": 2, "file_name": "other/b.png", "width": 100, "height": 50}
      ],
      "categories": [{"id": 0, "name": "sky"}, {"id": 1, "name": "tree"}],
      "annotations": [
        {"id": 0, "image_id": 0, "category_id": 0, "bbox": [10, 5, 20, 10], "segmentation": [], "area": 200, "iscrowd": 0},
        {"id": 1, "image_id": 0, "category_id": 0, "bbox": [0, 0, 10, 10],
         "segmentation": [[0, 0, 10, 0, 5, 10]], "area": 50, "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "segmentation": [], "area": 1, "iscrowd": 0}
      ]
    }"#;

    #[test]
    fn coco_regions_follow_the_final_file_name() {
        let (file, problems) = read_str(PrefillFormat::Coco, COCO);
        assert!(problems.is_empty(), "{problems:?}");
        let file = file.unwrap();
        let regions = regions_for(
            &file,
            Some("images/a.png"),
            &[label("sky")],
            Some((100, 50)),
        )
        .unwrap();
        let ids: Vec<&str> = regions.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(
            regions[0].shape,
            Shape::rectangle(Point::new(10.0, 5.0), Point::new(30.0, 15.0))
        );
        assert_eq!(regions[1].shape.kind().name(), "polygon");
    }

    #[test]
    fn coco_images_must_match_exactly_once() {
        let (file, _) = read_str(PrefillFormat::Coco, COCO);
        let file = file.unwrap();
        let none = regions_for(&file, Some("images/z.png"), &[label("sky")], None).unwrap_err();
        assert!(
            none[0].contains("no image whose file_name is \"z.png\""),
            "{none:?}"
        );
        let two = regions_for(&file, Some("b.png"), &[label("tree")], None).unwrap_err();
        assert!(
            two[0].contains("2 images") && two[0].contains("other/b.png"),
            "{two:?}"
        );
    }

    #[test]
    fn unknown_labels_and_outside_points_are_problems() {
        let (file, _) = read_str(PrefillFormat::Coco, COCO);
        let file = file.unwrap();
        let problems =
            regions_for(&file, Some("a.png"), &[label("tree")], Some((20, 50))).unwrap_err();
        // The triangle fits; only the box reaches past x = 20.
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("unknown label \"sky\" in b/prefill.json (2 regions)"));
        assert!(
            problems[1].contains("region r1 (sky): point [30, 15] lies outside the 20×50 image")
        );
    }

    #[test]
    fn points_the_importer_clamped_are_problems() {
        let text = r#"{"version": "5.5.0", "flags": {}, "imagePath": "a.png", "imageData": null,
          "imageWidth": 10, "imageHeight": 10,
          "shapes": [{"label": "sky", "points": [[2, 2], [12, 5]], "shape_type": "rectangle"}]}"#;
        let (file, problems) = read_str(PrefillFormat::Labelme, text);
        assert!(problems.is_empty(), "{problems:?}");
        let file = file.unwrap();
        let problems = regions_for(&file, Some("a.png"), &[label("sky")], None).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("shape 1 on a.png: 1 point outside the 10x10 image; prefilled"),
            "{problems:?}"
        );
    }

    #[test]
    fn broken_files_are_reported_once_with_a_position() {
        let (file, problems) = read_str(PrefillFormat::Coco, "{\n  \"images\": [,]\n}");
        assert!(file.is_none());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, "b/prefill.json");
        assert_eq!(problems[0].line, Some(2));
        let (file, problems) = read_str(PrefillFormat::Labelme, "[1, 2]");
        assert!(file.is_none());
        assert!(
            problems[0].message.starts_with("is not a LabelMe file"),
            "{problems:?}"
        );
        let (file, problems) = read_str(PrefillFormat::Coco, r#"{"images": 5}"#);
        assert!(file.is_none());
        assert!(
            problems[0].message.starts_with("is not a COCO file"),
            "{problems:?}"
        );
    }

    #[test]
    fn dropped_shapes_are_problems() {
        let text = r#"{"imagePath": "a.png", "imageWidth": 10, "imageHeight": 10,
          "shapes": [{"label": "sky", "points": [[1, 1], [2, 2]], "shape_type": "polygon"}]}"#;
        let (file, problems) = read_str(PrefillFormat::Labelme, text);
        assert!(file.is_some());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .message
                .contains("a polygon cannot have 2 points")
        );
    }

    #[test]
    fn a_file_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        fs::write(&path, "not json").unwrap();
        let mut files = PrefillFiles::default();
        let mut problems = Vec::new();
        assert!(
            files
                .get(PrefillFormat::Coco, &path, "bad.json", &mut problems)
                .is_none()
        );
        assert!(
            files
                .get(PrefillFormat::Coco, &path, "bad.json", &mut problems)
                .is_none()
        );
        assert_eq!(problems.len(), 1);
    }
}
