//! The tasks of a manifest: ids, images (found, inside the bundle, of an allowed size), prefill files
//! and the regions they or the manifest give. The rest of the manifest is checked in `validate.rs`.

use std::collections::HashMap;

use serde_json::Map;

use super::Opened;
use super::field::{Field, describe};
use super::headers::Header;
use super::ids::id_problem;
use super::image_check::ImageProblem;
use super::manifest::{RawPrefill, RawRegion, RawShape, RawTask};
use super::model::{Label, Task};
use super::paths::{PathProblem, Resolver, resolve_inside};
use super::prefill::{PrefillFormat, regions_for};
use super::validate::Checker;
use crate::domain::annotation::Region;
use crate::domain::geometry::{Point, Shape, ShapeKind};
use crate::domain::json_location::JsonPath;
use rayon::prelude::*;

impl Checker<'_> {
    pub(super) fn tasks(
        &mut self,
        field: &Field<Vec<Field<RawTask>>>,
        labels: &[Label],
    ) -> Vec<Task> {
        let raw_tasks =
            self.required_list(field, "tasks", "the bundle has no tasks; list at least one");
        // Every image is found and its header read first, on all cores: at 100,000 tasks this is
        // most of the opening.
        let images: Vec<Option<&str>> = raw_tasks
            .iter()
            .map(|raw| {
                raw.valid()
                    .and_then(|t| t.image.valid())
                    .map(String::as_str)
            })
            .collect();
        let opened = self.opened;
        let resolver = Resolver::new(opened.root);
        opened.progress_start(images.len());
        let mut checked: Vec<Option<ImageCheck>> = images
            .par_iter()
            .map(|image| {
                let check = image.map(|image| check_task_image(opened, &resolver, image));
                opened.progress_one();
                check
            })
            .collect::<Vec<_>>();
        let mut tasks = Vec::new();
        let mut first_by_id: HashMap<String, usize> = HashMap::new();
        let mut first_by_folded_id: HashMap<String, (usize, String)> = HashMap::new();
        for (i, raw) in raw_tasks.iter().enumerate() {
            let path = JsonPath::root().key("tasks").index(i);
            let id_path = path.key("id");
            let image = checked.get_mut(i).and_then(Option::take);
            let task = self.task(raw, &path, labels, image);
            let Some(id) = raw.valid().and_then(|t| t.id.valid()) else {
                tasks.extend(task);
                continue;
            };
            if let Some(first) = first_by_id.get(id) {
                self.problem(
                    &id_path,
                    format!("task id {id:?} is used twice (first by tasks[{first}])"),
                );
            } else if let Some((first, other)) = first_by_folded_id.get(&id.to_ascii_lowercase()) {
                self.problem(
                    &id_path,
                    format!(
                        "task id {id:?} differs from {other:?} (tasks[{first}]) only in letter case; \
                         both would be saved to one file on Windows and macOS"
                    ),
                );
            } else {
                first_by_id.insert(id.clone(), i);
                first_by_folded_id.insert(id.to_ascii_lowercase(), (i, id.clone()));
            }
            tasks.extend(task);
        }
        tasks
    }

    fn task(
        &mut self,
        field: &Field<RawTask>,
        path: &JsonPath,
        labels: &[Label],
        checked: Option<ImageCheck>,
    ) -> Option<Task> {
        let raw = self.object(field, path, r#"{"id": "t1", "image": "images/t1.jpg"}"#)?;
        let id = self.required_string(&raw.id, path, "id");
        if let Some(problem) = id.as_deref().and_then(id_problem) {
            self.problem(
                &path.key("id"),
                format!("task id {:?} {problem}", id.as_deref().unwrap_or_default()),
            );
        }
        let image = self.required_string(&raw.image, path, "image");
        let checked = image
            .as_deref()
            .zip(checked)
            .and_then(|(image, checked)| self.image(image, &path.key("image"), checked));
        let hint = self.optional_string(&raw.hint, path, "hint");
        let size = checked.as_ref().map(|(_, h)| (h.width, h.height));
        let has_regions = !matches!(raw.regions, Field::Missing | Field::Null);
        let has_prefill = !matches!(raw.prefill, Field::Missing | Field::Null);
        let regions = if has_prefill {
            let prefill_path = path.key("prefill");
            let source = self.prefill_source(&raw.prefill, &prefill_path);
            if has_regions {
                self.problem(
                    &prefill_path,
                    "a task takes its prefilled regions from `regions` or from `prefill`, not both; remove one",
                );
                None
            } else {
                let task = id.clone().unwrap_or_else(|| path.to_string());
                source.and_then(|(format, rel)| {
                    self.prefilled(
                        format,
                        &rel,
                        &prefill_path.key(format.key()),
                        &task,
                        image.as_deref(),
                        labels,
                        size,
                    )
                })
            }
        } else {
            self.regions(&raw.regions, &path.key("regions"), labels, size)
        };
        let gold = self.gold(
            &raw.gold,
            path,
            (id.as_deref(), image.as_deref()),
            labels,
            size,
        );
        let (image_path, header) = checked?;
        Some(Task {
            id: id?,
            image: image?,
            image_path,
            width: header.width,
            height: header.height,
            bytes: header.bytes,
            hint,
            regions: regions?,
            gold: gold?,
        })
    }

    /// The canonical path and size of a task's image, or `None` after reporting why it cannot be used.
    fn image(
        &mut self,
        image: &str,
        path: &JsonPath,
        checked: ImageCheck,
    ) -> Option<(std::path::PathBuf, Header)> {
        match checked {
            Ok((file, header)) => Some((file, header)),
            Err(ImageFailure::Path(why @ PathProblem::TooLong(_))) => {
                // A megabyte of path would be a megabyte of message: its start says enough.
                let start: String = image.chars().take(80).collect();
                self.problem(path, format!("image \"{start}…\" {why}"));
                None
            }
            Err(ImageFailure::Path(why)) => {
                let shown = self.opened.names.file(image);
                self.problem(path, format!("image {image:?} {why}: {shown}"));
                None
            }
            Err(ImageFailure::Image(why)) => {
                let shown = self.opened.names.file(image);
                self.problem(path, format!("image {image:?} {why}: {shown}"));
                None
            }
        }
    }

    /// The format and path a task's `prefill` names, or `None` after reporting why it names none.
    pub(super) fn prefill_source(
        &mut self,
        field: &Field<RawPrefill>,
        path: &JsonPath,
    ) -> Option<(PrefillFormat, String)> {
        const EXAMPLE: &str =
            "{\"labelme\": \"prefill/a.json\"} or {\"coco\": \"prefill/instances.json\"}";
        let raw = match field {
            Field::Valid(raw) => raw,
            Field::Missing | Field::Null => return None,
            Field::Invalid(v) => {
                self.problem(
                    path,
                    format!("must be an object like {EXAMPLE}, found {}", describe(v)),
                );
                return None;
            }
        };
        let mut ok = true;
        for key in raw.other.keys() {
            self.problem(
                &path.key(key),
                format!("unknown prefill format {key:?}; use \"labelme\" or \"coco\""),
            );
            ok = false;
        }
        let mut named = Vec::new();
        for (format, field) in [
            (PrefillFormat::Labelme, &raw.labelme),
            (PrefillFormat::Coco, &raw.coco),
        ] {
            match field {
                Field::Valid(rel) => named.push((format, rel.clone())),
                Field::Missing | Field::Null => {}
                Field::Invalid(v) => {
                    self.problem(
                        &path.key(format.key()),
                        format!(
                            "must be the path of a {} file in the bundle, found {}",
                            format.title(),
                            describe(v)
                        ),
                    );
                    ok = false;
                }
            }
        }
        match named.as_slice() {
            [one] if ok => Some(one.clone()),
            [_] => None,
            [] => {
                if ok {
                    self.problem(path, format!("names no file; write {EXAMPLE}"));
                }
                None
            }
            _ => {
                self.problem(
                    path,
                    "names both a LabelMe and a COCO file; a task takes its regions from one",
                );
                None
            }
        }
    }

    /// A task's regions read from the prefill file `rel`; `None` after reporting why they cannot be
    /// used. `at` is the manifest value naming the file, `task` names the task in messages.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn prefilled(
        &mut self,
        format: PrefillFormat,
        rel: &str,
        at: &JsonPath,
        task: &str,
        image: Option<&str>,
        labels: &[Label],
        size: Option<(u32, u32)>,
    ) -> Option<Vec<Region>> {
        let shown = self.opened.names.file(rel);
        let file = match resolve_inside(self.opened.root, rel) {
            Ok(file) => file,
            Err(why) => {
                self.problem(
                    at,
                    format!(
                        "task {task:?}: {} file {rel:?} {why}: {shown}",
                        format.title()
                    ),
                );
                return None;
            }
        };
        let mut file_problems = Vec::new();
        let outcome = match self.prefills.get(format, &file, &shown, &mut file_problems) {
            Some(parsed) => regions_for(parsed, image, labels, size),
            // Already reported with the file, on the first task that used it.
            None => Err(Vec::new()),
        };
        for problem in file_problems {
            self.report.push(problem);
        }
        match outcome {
            Ok(regions) => Some(regions),
            Err(whys) => {
                for why in whys {
                    self.problem(at, format!("task {task:?}: {why}"));
                }
                None
            }
        }
    }

    /// Prefilled regions; `None` after reporting a problem. Shapes are not limited to the bundle's
    /// `tools`: a requester may prefill with any shape, and the worker can still edit or delete it.
    pub(super) fn regions(
        &mut self,
        field: &Field<Vec<Field<RawRegion>>>,
        path: &JsonPath,
        labels: &[Label],
        size: Option<(u32, u32)>,
    ) -> Option<Vec<Region>> {
        let raw_regions = match field {
            Field::Missing | Field::Null => return Some(Vec::new()),
            Field::Valid(list) => list,
            Field::Invalid(v) => {
                self.problem(
                    path,
                    format!("must be a list of regions, found {}", describe(v)),
                );
                return None;
            }
        };
        let mut regions: Vec<(Option<String>, Region)> = Vec::new();
        let mut all_valid = true;
        for (i, raw) in raw_regions.iter().enumerate() {
            match self.region(raw, &path.index(i), labels, size) {
                Some(region) => regions.push(region),
                None => all_valid = false,
            }
        }
        let mut used: HashMap<String, usize> = HashMap::new();
        for (i, (id, _)) in regions.iter().enumerate() {
            if let Some(id) = id {
                if let Some(first) = used.get(id) {
                    self.problem(
                        &path.index(i).key("id"),
                        format!("region id {id:?} is used twice in this task (first by regions[{first}])"),
                    );
                    all_valid = false;
                } else {
                    used.insert(id.clone(), i);
                }
            }
        }
        if !all_valid {
            return None;
        }
        let mut next = 1u64;
        let mut out = Vec::with_capacity(regions.len());
        for (id, mut region) in regions {
            region.id = match id {
                Some(id) => id,
                None => loop {
                    let candidate = format!("r{next}");
                    next += 1;
                    if !used.contains_key(&candidate) {
                        break candidate;
                    }
                },
            };
            out.push(region);
        }
        Some(out)
    }

    /// One region with its id as written (`None` when it must be assigned).
    fn region(
        &mut self,
        field: &Field<RawRegion>,
        path: &JsonPath,
        labels: &[Label],
        size: Option<(u32, u32)>,
    ) -> Option<(Option<String>, Region)> {
        let Field::Valid(raw) = field else {
            self.problem(
                path,
                "must be an object like {\"label\": \"sky\", \"shape\": {\"type\": \"point\", \"points\": [[10, 20]]}}",
            );
            return None;
        };
        let id = self.optional_string(&raw.id, path, "id");
        let id_ok = match raw.id {
            Field::Valid(ref s) if s.is_empty() => {
                self.problem(
                    &path.key("id"),
                    "must not be empty; leave it out to have one assigned",
                );
                false
            }
            Field::Invalid(_) => false,
            _ => true,
        };
        let label = self
            .required_string(&raw.label, path, "label")
            .filter(|name| {
                let known = labels.iter().any(|l| &l.name == name);
                if !known {
                    let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
                    self.problem(
                        &path.key("label"),
                        format!(
                            "unknown label {name:?}; the bundle's labels are: {}",
                            names.join(", ")
                        ),
                    );
                }
                known
            });
        let shape = self.shape(&raw.shape, path, size);
        let attributes = match &raw.attributes {
            Field::Valid(map) => Some(map.clone()),
            Field::Missing | Field::Null => Some(Map::new()),
            Field::Invalid(v) => {
                self.problem(
                    &path.key("attributes"),
                    format!("must be an object, found {}", describe(v)),
                );
                None
            }
        };
        if !id_ok {
            return None;
        }
        let mut region = Region::new(String::new(), label?, shape?);
        region.attributes = attributes?;
        region.extra = raw.extra.clone();
        Some((id, region))
    }

    fn shape(
        &mut self,
        field: &Field<RawShape>,
        region: &JsonPath,
        size: Option<(u32, u32)>,
    ) -> Option<Shape> {
        let path = region.key("shape");
        let raw = match field {
            Field::Valid(raw) => raw,
            Field::Missing | Field::Null => {
                self.problem(region, "missing required field `shape`");
                return None;
            }
            Field::Invalid(v) => {
                self.problem(
                    &path,
                    format!(
                        "must be an object like {{\"type\": \"polygon\", \"points\": [[x, y], ...]}}, found {}",
                        describe(v)
                    ),
                );
                return None;
            }
        };
        let kind = self.required_string(&raw.kind, &path, "type").and_then(|name| {
            let kind = ShapeKind::from_name(&name);
            if kind.is_none() {
                self.problem(
                    &path.key("type"),
                    format!("unknown shape type {name:?}; use \"rectangle\", \"polygon\" or \"point\""),
                );
            }
            kind
        });
        let points_path = path.key("points");
        let points: Option<Vec<Point>> = match &raw.points {
            Field::Valid(list) => {
                let mut points = Some(Vec::with_capacity(list.len()));
                for (i, p) in list.iter().enumerate() {
                    match p {
                        Field::Valid([x, y]) => {
                            if let Some(points) = points.as_mut() {
                                points.push(Point::new(*x, *y));
                            }
                        }
                        _ => {
                            self.problem(&points_path.index(i), "must be a pair of numbers [x, y]");
                            points = None;
                        }
                    }
                }
                points
            }
            Field::Missing | Field::Null => {
                self.problem(&path, "missing required field `points`");
                None
            }
            Field::Invalid(v) => {
                self.problem(
                    &points_path,
                    format!("must be a list of [x, y] pairs, found {}", describe(v)),
                );
                None
            }
        };
        let shape = match Shape::from_points(kind?, points?) {
            Ok(shape) => shape,
            Err(e) => {
                self.problem(&points_path, e);
                return None;
            }
        };
        if let Some((width, height)) = size {
            let (w, h) = (f64::from(width), f64::from(height));
            let outside = shape
                .points()
                .iter()
                .position(|p| !(0.0..=w).contains(&p.x) || !(0.0..=h).contains(&p.y));
            if let Some(i) = outside {
                let p = shape
                    .points()
                    .get(i)
                    .copied()
                    .unwrap_or(Point::new(0.0, 0.0));
                self.problem(
                    &points_path.index(i),
                    format!(
                        "point [{}, {}] lies outside the {width}×{height} image",
                        p.x, p.y
                    ),
                );
                return None;
            }
        }
        Some(shape)
    }
}

/// Why a task's image cannot be used: its path, or the file.
enum ImageFailure {
    Path(PathProblem),
    Image(ImageProblem),
}

/// A task's image found inside the bundle and its header read, or why not.
type ImageCheck = Result<(std::path::PathBuf, Header), ImageFailure>;

/// Finds the image `image` names inside the bundle and reads its header (through the cache).
fn check_task_image(opened: &Opened<'_>, resolver: &Resolver<'_>, image: &str) -> ImageCheck {
    let file = resolver.resolve(image).map_err(ImageFailure::Path)?;
    let header = opened
        .headers
        .check(&file, opened.max_pixels)
        .map_err(ImageFailure::Image)?;
    Ok((file, header))
}
