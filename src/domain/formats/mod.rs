//! Labels out and in: the files trainers' tools read (COCO, YOLO, Pascal VOC, LabelMe, CVAT) and, for
//! import only, VIA.
//!
//! Every format works on one in-memory [`Dataset`]: a list of categories (class ids follow their order)
//! and of images with their regions. Exporters are pure functions from a dataset to a list of
//! [`ExportFile`]s (relative path and bytes, or an image to copy), so they are tested without touching
//! the disk; [`write_tree`] then writes such a list into a folder atomically. Importers read what real
//! files contain and say in an [`ImportReport`] exactly what they had to clamp, drop, guess or add.
//! What each format holds is documented in `docs/formats.md`.

pub mod coco;
mod confine;
pub(crate) use confine::safe_relative;
pub mod cvat;
mod dataset;
mod import;
pub mod labelme;
mod output;
mod paths;
pub mod via;
pub mod voc;
mod xml;
pub mod yolo;

pub use dataset::{Category, Dataset, DatasetImage, clamp_shape};
pub use output::{ExportFile, FileContent};
pub use paths::relative_path;

use std::fmt;
use std::path::{Path, PathBuf};

/// A label file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// COCO instances JSON.
    Coco,
    /// Ultralytics YOLO, detection (`class cx cy w h`).
    Yolo,
    /// Ultralytics YOLO, segmentation (`class x1 y1 x2 y2 ...`).
    YoloSeg,
    /// Pascal VOC XML, one file per image.
    Voc,
    /// LabelMe JSON, one file per image.
    Labelme,
    /// CVAT for images 1.1 XML.
    Cvat,
    /// VGG Image Annotator JSON (import only).
    Via,
}

impl Format {
    /// The formats `--format all` writes, each into a subfolder named after it.
    pub const ALL_EXPORTS: [Format; 5] = [
        Format::Coco,
        Format::Yolo,
        Format::Voc,
        Format::Labelme,
        Format::Cvat,
    ];

    /// Every format that can be written, in the order the command line lists them.
    pub const EXPORTS: [Format; 6] = [
        Format::Coco,
        Format::Yolo,
        Format::YoloSeg,
        Format::Voc,
        Format::Labelme,
        Format::Cvat,
    ];

    /// Every format that can be read.
    pub const IMPORTS: [Format; 6] = [
        Format::Labelme,
        Format::Coco,
        Format::Yolo,
        Format::Voc,
        Format::Cvat,
        Format::Via,
    ];

    /// What the format is and where its files go, for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Format::Coco => {
                "COCO instances JSON (annotations/instances_default.json; a file when read)"
            }
            Format::Yolo => {
                "Ultralytics YOLO detection labels (class cx cy w h); a dataset folder or its .yaml"
            }
            Format::YoloSeg => "Ultralytics YOLO segmentation labels (class x1 y1 x2 y2 ...)",
            Format::Voc => "Pascal VOC XML, one file per image (Annotations/, JPEGImages/)",
            Format::Labelme => "LabelMe JSON, one file per image (a folder or one file when read)",
            Format::Cvat => "CVAT for images 1.1 XML (images under images/ beside it)",
            Format::Via => "VIA 1 or 2 JSON, or a folder holding one with its images (read only)",
        }
    }

    /// The name used on the command line and as the subfolder name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Coco => "coco",
            Format::Yolo => "yolo",
            Format::YoloSeg => "yolo-seg",
            Format::Voc => "voc",
            Format::Labelme => "labelme",
            Format::Cvat => "cvat",
            Format::Via => "via",
        }
    }

    /// Writes `dataset` in this format. `None` for formats that are import only.
    pub fn export(self, dataset: &Dataset, options: &ExportOptions) -> Option<Exported> {
        Some(match self {
            Format::Coco => coco::export(dataset, options),
            Format::Yolo => yolo::export(dataset, options, yolo::Task::Detect),
            Format::YoloSeg => yolo::export(dataset, options, yolo::Task::Segment),
            Format::Voc => voc::export(dataset, options),
            Format::Labelme => labelme::export(dataset, options),
            Format::Cvat => cvat::export(dataset, options),
            Format::Via => return None,
        })
    }

    /// Reads a dataset in this format from `path` (a file or a folder, as the format naturally is).
    /// Input that holds no image of this format (another format, an empty folder) is an error naming
    /// the path and what was expected: a conversion never quietly writes an empty dataset.
    pub fn import(self, path: &Path) -> Result<(Dataset, ImportReport), FormatError> {
        let (dataset, report) = match self {
            Format::Coco => coco::import(path),
            Format::Yolo | Format::YoloSeg => yolo::import(path),
            Format::Voc => voc::import(path),
            Format::Labelme => labelme::import(path),
            Format::Cvat => cvat::import(path),
            Format::Via => via::import(path),
        }?;
        if dataset.images.is_empty() {
            return Err(FormatError::invalid(
                path,
                format!(
                    "holds no {self} images or annotations; expected {}",
                    self.description()
                ),
            ));
        }
        Ok((dataset, report))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How an export is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// Copy the images into the export (each format's usual place) instead of pointing at them.
    pub copy_images: bool,
    /// Where this format's folder will finally be (absolute): relative image paths (LabelMe's
    /// `imagePath`) and YOLO's `path` are computed from it.
    pub out_dir: PathBuf,
}

/// The files of one export, and what was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    /// Every file, relative to the format's folder; sorted by path so the output is deterministic.
    pub files: Vec<ExportFile>,
    /// Counts for the summary.
    pub summary: ExportSummary,
}

/// What an export wrote and left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Images written.
    pub images: usize,
    /// Regions written.
    pub regions: usize,
    /// Point regions left out because the format has no points.
    pub skipped_points: usize,
    /// Regions with at least one point outside the image, written clamped to it.
    pub clamped_regions: usize,
    /// Images that could not be copied or pointed at because their file is unknown.
    pub missing_images: Vec<String>,
}

impl ExportSummary {
    /// One line for the terminal, e.g. `6 images, 21 regions (2 point regions skipped: COCO has no points)`.
    pub fn describe(&self, format: Format) -> String {
        let mut text = format!(
            "{format}: {} image{}, {} region{}",
            self.images,
            plural(self.images),
            self.regions,
            plural(self.regions)
        );
        if self.skipped_points > 0 {
            text.push_str(&format!(
                ", {} point region{} skipped ({format} has no points)",
                self.skipped_points,
                plural(self.skipped_points)
            ));
        }
        if self.clamped_regions > 0 {
            text.push_str(&format!(
                ", {} region{} clamped to the image",
                self.clamped_regions,
                plural(self.clamped_regions)
            ));
        }
        if !self.missing_images.is_empty() {
            text.push_str(&format!(
                ", {} image file{} not found: {}",
                self.missing_images.len(),
                plural(self.missing_images.len()),
                self.missing_images.join(", ")
            ));
        }
        text
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What an importer did to make real files fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteKind {
    /// Coordinates outside the image were moved onto its border.
    Clamped,
    /// Something could not be represented and was left out.
    Dropped,
    /// A value was missing or ambiguous and was inferred.
    Guessed,
    /// A label used but not declared was added to the categories.
    Added,
    /// Something unusual was kept as it is (for example a self-intersecting polygon).
    Kept,
}

impl NoteKind {
    /// The word printed before the note.
    pub fn name(self) -> &'static str {
        match self {
            NoteKind::Clamped => "clamped",
            NoteKind::Dropped => "dropped",
            NoteKind::Guessed => "guessed",
            NoteKind::Added => "added",
            NoteKind::Kept => "kept",
        }
    }
}

/// One thing an importer had to do, with the file it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// What kind of change.
    pub kind: NoteKind,
    /// The file concerned, as the user named it.
    pub file: String,
    /// What was done and to what.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.kind.name(), self.file, self.message)
    }
}

/// Everything an import clamped, dropped, guessed, added or kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The notes, in the order met.
    pub notes: Vec<Note>,
}

impl ImportReport {
    /// Records a note about `file`.
    pub fn note(&mut self, kind: NoteKind, file: &Path, message: impl Into<String>) {
        self.notes.push(Note {
            kind,
            file: file.display().to_string(),
            message: message.into(),
        });
    }

    /// How many notes of `kind` there are.
    pub fn count(&self, kind: NoteKind) -> usize {
        self.notes.iter().filter(|n| n.kind == kind).count()
    }
}

/// A file that cannot be read as the format says. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The operating system refused a read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not what the format needs (bad JSON or XML, a missing key, no label file...).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file or folder concerned.
        path: PathBuf,
        /// What is wrong, and where when known.
        message: String,
    },
}

impl FormatError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        FormatError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        FormatError::Invalid {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// Reads a whole file, naming it on failure.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, FormatError> {
    std::fs::read(path).map_err(|e| FormatError::io(path, e))
}

/// Reads a whole UTF-8 text file, naming it on failure.
pub(crate) fn read_text(path: &Path) -> Result<String, FormatError> {
    let bytes = read_file(path)?;
    String::from_utf8(bytes).map_err(|e| FormatError::invalid(path, format!("not UTF-8 text: {e}")))
}

/// The pixel size of the image at `path`, read from its header without decoding it.
pub(crate) fn image_size(path: &Path) -> Option<(u32, u32)> {
    image::image_dimensions(path).ok()
}

/// A number as written in text formats: the shortest form that reads back as the same `f64`.
pub(crate) fn num(value: f64) -> String {
    // `-0` would read back the same but looks odd in a label file.
    if value == 0.0 {
        return "0".to_owned();
    }
    format!("{value}")
}

#[cfg(test)]
pub(crate) mod test_data;
