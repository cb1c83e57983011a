//! A plain folder of images is a bundle too: its tasks are its top-level images in natural order, its
//! labels come from an optional `labels.txt`, and its id from its path.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use image::ImageFormat;

use super::ids::{MAX_ID_LEN, sanitize_id, slugify};
use super::image_check::{ImageProblem, sniff};
use super::model::{Bundle, Label, Task};
use super::problem::{BundleErrors, Problem, Report};
use super::validate::label_name_problem;
use super::{Opened, sha256_hex};
use crate::domain::geometry::ShapeKind;
use crate::domain::natural_sort::natural_cmp;
use rayon::prelude::*;

/// The optional label list of an image folder: one name a line, `#` comments and blank lines skipped.
pub const LABELS_FILE: &str = "labels.txt";

/// The label used when a folder has no `labels.txt`.
pub const DEFAULT_LABEL: &str = "object";

/// One image found in the folder.
struct Found {
    name: String,
    size: u64,
    task: Task,
}

/// Builds the bundle of the image folder at `opened.root`. `title` is the folder's name (for a zip, its
/// top folder or the zip's name) and `identity` the path the id is derived from.
pub fn from_images(
    opened: &Opened<'_>,
    title: &str,
    identity: &Path,
) -> Result<Bundle, BundleErrors> {
    let mut report = Report::default();
    let entries = fs::read_dir(opened.root).map_err(|e| {
        BundleErrors::single(Problem::in_file(
            opened.names.bundle(),
            format!("cannot be read ({e})"),
        ))
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(e) => report.push(Problem::in_file(
                opened.names.bundle(),
                format!("cannot be listed ({e})"),
            )),
        }
    }
    // In name order, so problems come in the order the worker sees the files; headers on all cores.
    paths.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    opened.progress_start(paths.len());
    let entries: Vec<(Option<Found>, Vec<Problem>)> = paths
        .par_iter()
        .map(|path| {
            let mut problems = Vec::new();
            let found = image_entry(opened, path, &mut problems);
            opened.progress_one();
            (found, problems)
        })
        .collect();
    let mut found = Vec::new();
    for (image, problems) in entries {
        found.extend(image);
        for problem in problems {
            report.push(problem);
        }
    }
    found.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    if found.is_empty() && report.is_empty() {
        report.push(Problem::in_file(
            opened.names.bundle(),
            format!(
                "has no {} and no image (PNG, JPEG, WebP, BMP or GIF) at its top level, so it holds no task",
                super::manifest::MANIFEST_FILE
            ),
        ));
    }
    let labels_text = read_labels_file(opened, &mut report);
    let labels = match &labels_text {
        Some(text) => parse_labels(text, &opened.names.file(LABELS_FILE), &mut report),
        None => vec![label_with_color(DEFAULT_LABEL, 0)],
    };
    let manifest_sha256 = folder_fingerprint(&found, labels_text.as_deref());
    let tasks = unique_task_ids(found.into_iter().map(|f| f.task).collect());
    let bundle = Bundle {
        id: folder_id(title, identity),
        title: title.to_owned(),
        source: opened.source.to_path_buf(),
        root: opened.root.to_path_buf(),
        has_manifest: false,
        instructions: None,
        requester: None,
        reward: None,
        estimated_seconds_per_task: None,
        tools: ShapeKind::ALL.to_vec(),
        min_regions: 0,
        gold_pass_iou: super::model::DEFAULT_GOLD_PASS_IOU,
        labels,
        tasks,
        manifest_sha256,
    };
    report.finish(bundle)
}

/// The image at `path` when it is one (by content); other files are skipped without a word, and
/// images that cannot be used are reported.
fn image_entry(opened: &Opened<'_>, path: &Path, report: &mut Vec<Problem>) -> Option<Found> {
    let os_name = path.file_name()?;
    let shown = opened.names.file(&os_name.to_string_lossy());
    // Hidden files are system clutter (`.DS_Store`, `._photo.jpg`), never tasks.
    if os_name.to_string_lossy().starts_with('.') {
        return None;
    }
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let format = sniff(path).ok()??;
    let Some(name) = os_name.to_str() else {
        report.push(Problem::in_file(
            shown,
            "image file name is not valid Unicode; rename the file",
        ));
        return None;
    };
    let canonical = match path.canonicalize() {
        Ok(canonical) if canonical.starts_with(opened.root) => canonical,
        Ok(target) => {
            report.push(Problem::in_file(
                shown,
                format!(
                    "is a link to a file outside the bundle folder, which is not allowed: {}",
                    target.display()
                ),
            ));
            return None;
        }
        Err(e) => {
            report.push(Problem::in_file(shown, format!("cannot be read ({e})")));
            return None;
        }
    };
    match opened.headers.check(&canonical, opened.max_pixels) {
        Ok(info) => Some(Found {
            name: name.to_owned(),
            size: meta.len(),
            task: Task {
                id: sanitize_id(name),
                image: name.to_owned(),
                image_path: canonical,
                width: info.width,
                height: info.height,
                bytes: info.bytes,
                hint: None,
                regions: Vec::new(),
                gold: None,
            },
        }),
        // "BM" is a weak signature: a text file can start with it. Only strong ones are reported.
        Err(ImageProblem::BadHeader { .. }) if format == ImageFormat::Bmp => None,
        Err(problem) => {
            report.push(Problem::in_file(shown, problem.to_string()));
            None
        }
    }
}

fn read_labels_file(opened: &Opened<'_>, report: &mut Report) -> Option<String> {
    let path = opened.root.join(LABELS_FILE);
    if !path.exists() {
        return None;
    }
    match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            report.push(Problem::in_file(
                opened.names.file(LABELS_FILE),
                format!("cannot be read as UTF-8 text ({e})"),
            ));
            None
        }
    }
}

/// The labels of a `labels.txt`, reporting bad and repeated names by line.
fn parse_labels(text: &str, file: &str, report: &mut Report) -> Vec<Label> {
    let mut labels: Vec<Label> = Vec::new();
    let mut first_line = std::collections::HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_number = i + 1;
        let name = line.trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        if let Some(why) = label_name_problem(name) {
            report.push(Problem::at(
                file,
                line_number,
                None,
                format!("label name {name:?} {why}"),
            ));
            continue;
        }
        if let Some(first) = first_line.get(name) {
            report.push(Problem::at(
                file,
                line_number,
                None,
                format!("label {name:?} is listed twice (first on line {first})"),
            ));
            continue;
        }
        first_line.insert(name.to_owned(), line_number);
        labels.push(label_with_color(name, labels.len()));
    }
    if labels.is_empty() && first_line.is_empty() {
        report.push(Problem::in_file(
            file,
            "lists no label; write one label name a line, or delete the file to use the single label \"object\"",
        ));
    }
    labels
}

fn label_with_color(name: &str, index: usize) -> Label {
    Label {
        name: name.to_owned(),
        color: crate::domain::palette::color_for(index),
        hotkey: None,
        description: None,
    }
}

/// Makes task ids unique after sanitising (`a b.jpg` and `a_b.jpg` both give `a_b.jpg`, then
/// `a_b-2.jpg`: the number goes before the extension), comparing without case because workspaces may
/// live on case-insensitive file systems.
fn unique_task_ids(mut tasks: Vec<Task>) -> Vec<Task> {
    let mut used: HashSet<String> = HashSet::new();
    for task in &mut tasks {
        let base = task.id.clone();
        let (stem, extension) = match base.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => (stem, format!(".{ext}")),
            _ => (base.as_str(), String::new()),
        };
        let mut n = 1u64;
        while !used.insert(task.id.to_ascii_lowercase()) {
            n += 1;
            let suffix = format!("-{n}{extension}");
            let keep = MAX_ID_LEN.saturating_sub(suffix.len());
            task.id = format!(
                "{}{suffix}",
                stem.get(..keep.min(stem.len())).unwrap_or(stem)
            );
        }
    }
    tasks
}

/// `<slug of the title>-<first 8 hex of the SHA-256 of the canonical path>`: readable, and distinct for
/// two folders of the same name.
fn folder_id(title: &str, identity: &Path) -> String {
    let digest = sha256_hex(identity.to_string_lossy().as_bytes());
    format!("{}-{}", slugify(title), digest.get(..8).unwrap_or(&digest))
}

/// What stands for a manifest's hash in a folder without one: the sorted image names and sizes, then
/// `labels.txt`. Adding, removing or replacing (by size) an image, or editing the labels, changes it.
fn folder_fingerprint(found: &[Found], labels_text: Option<&str>) -> String {
    let mut names: Vec<(&str, u64)> = found.iter().map(|f| (f.name.as_str(), f.size)).collect();
    names.sort_unstable();
    let mut text = String::new();
    for (name, size) in names {
        text.push_str(&format!("{name}\t{size}\n"));
    }
    if let Some(labels) = labels_text {
        text.push_str(&format!("{LABELS_FILE}\n{labels}"));
    }
    sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str) -> Task {
        Task {
            id: id.into(),
            image: id.into(),
            image_path: Default::default(),
            width: 1,
            height: 1,
            bytes: 0,
            hint: None,
            regions: Vec::new(),
            gold: None,
        }
    }

    #[test]
    fn sanitised_ids_are_made_unique_with_the_number_before_the_extension() {
        let tasks = unique_task_ids(vec![
            task("a_b.jpg"),
            task("a_b.jpg"),
            task("A_B.jpg"),
            task("a_b-2.jpg"),
            task("notes"),
            task("notes"),
        ]);
        let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "a_b.jpg",
                "a_b-2.jpg",
                "A_B-3.jpg",
                "a_b-2-2.jpg",
                "notes",
                "notes-2"
            ]
        );
    }

    #[test]
    fn labels_file_skips_comments_and_reports_repeats() {
        let mut report = Report::default();
        let labels = parse_labels(
            "# sky things\nsky\n\n  cloud  \nsky\n",
            "labels.txt",
            &mut report,
        );
        let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["sky", "cloud"]);
        assert_ne!(labels[0].color, labels[1].color);
        let errors = report.into_errors();
        assert_eq!(errors.problems.len(), 1);
        assert_eq!(errors.problems[0].line, Some(5));
    }

    #[test]
    fn empty_labels_file_is_a_problem() {
        let mut report = Report::default();
        assert!(parse_labels("# nothing\n\n", "labels.txt", &mut report).is_empty());
        assert!(!report.is_empty());
    }

    #[test]
    fn ids_combine_slug_and_path_hash() {
        let a = folder_id("My Photos", Path::new("/a/My Photos"));
        let b = folder_id("My Photos", Path::new("/b/My Photos"));
        assert!(
            a.starts_with("my-photos-") && a.len() == "my-photos-".len() + 8,
            "{a}"
        );
        assert_ne!(a, b);
    }
}
