//! From `bundle.json` to a [`Bundle`]: parse into the raw types, then check everything, collecting every
//! problem with the JSON path it belongs to, and build the bundle only if none was found.

use std::collections::HashMap;
use std::fs;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::field::{Field, describe};
use super::ids::id_problem;
use super::image_check::check_image;
use super::manifest::{
    FORMAT, MANIFEST_FILE, RawHotkey, RawLabel, RawManifest, RawPrefill, RawRegion, RawReward,
    RawShape, RawTask,
};
use super::model::{Bundle, Label, Reward, Task};
use super::paths::resolve_inside;
use super::prefill::{PrefillFiles, PrefillFormat, regions_for};
use super::problem::{BundleErrors, Problem, Report};
use super::{Opened, sha256_hex};
use crate::domain::annotation::Region;
use crate::domain::geometry::{Point, Shape, ShapeKind};
use crate::domain::json_location::JsonPath;
use crate::domain::money::{Amount, AmountError, Currency};
use crate::domain::palette;

/// Loads and checks the manifest of the bundle at `opened.root`.
pub fn from_manifest(opened: &Opened<'_>) -> Result<Bundle, BundleErrors> {
    let file = opened.names.file(MANIFEST_FILE);
    let bytes = fs::read(opened.root.join(MANIFEST_FILE)).map_err(|e| {
        BundleErrors::single(Problem::in_file(&file, format!("cannot be read ({e})")))
    })?;
    let manifest_sha256 = sha256_hex(&bytes);
    // Some editors on Windows start UTF-8 files with a byte order mark, which JSON does not allow.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let valid = body.get(..e.valid_up_to()).unwrap_or_default();
        let (line, column) =
            crate::domain::json_location::line_column(&String::from_utf8_lossy(valid), valid.len());
        BundleErrors::single(Problem::at(&file, line, Some(column), "is not UTF-8 text"))
    })?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| BundleErrors::single(Problem::from_json_error(&file, &e)))?;
    // Checked here because serde would read a top-level list into the raw struct field by field.
    if !value.is_object() {
        return Err(BundleErrors::single(Problem::at(
            &file,
            1,
            Some(1),
            format!(
                "the manifest must be a JSON object `{{\"format\": \"{FORMAT}\", ...}}`, found {}",
                describe(&value)
            ),
        )));
    }
    // The raw types accept any object (see `Field`), so this cannot fail; a failure would still be
    // reported rather than unwrapped.
    let raw = RawManifest::deserialize(&value)
        .map_err(|e| BundleErrors::single(Problem::from_json_error(&file, &e)))?;
    let mut checker = Checker {
        opened,
        file,
        report: Report::default(),
        prefills: PrefillFiles::default(),
    };
    let bundle = checker.manifest(&raw, manifest_sha256);
    checker.report.resolve_json(text);
    checker.report.finish(bundle)
}

/// Walks the raw manifest, reporting problems and building the bundle's parts.
struct Checker<'a> {
    opened: &'a Opened<'a>,
    file: String,
    report: Report,
    /// Prefill files read so far, each read once however many tasks use it.
    prefills: PrefillFiles,
}

impl Checker<'_> {
    fn problem(&mut self, path: &JsonPath, message: impl std::fmt::Display) {
        self.report.json(&self.file, path, message);
    }

    /// A required string field of the object at `parent`.
    fn required_string(
        &mut self,
        field: &Field<String>,
        parent: &JsonPath,
        key: &str,
    ) -> Option<String> {
        match field {
            Field::Valid(s) => Some(s.clone()),
            Field::Missing | Field::Null => {
                self.problem(parent, format!("missing required field `{key}`"));
                None
            }
            Field::Invalid(v) => {
                self.problem(
                    &parent.key(key),
                    format!("must be a string, found {}", describe(v)),
                );
                None
            }
        }
    }

    /// An optional string field of the object at `parent` (`null` counts as absent).
    fn optional_string(
        &mut self,
        field: &Field<String>,
        parent: &JsonPath,
        key: &str,
    ) -> Option<String> {
        match field {
            Field::Valid(s) => Some(s.clone()),
            Field::Missing | Field::Null => None,
            Field::Invalid(v) => {
                self.problem(
                    &parent.key(key),
                    format!("must be a string, found {}", describe(v)),
                );
                None
            }
        }
    }

    fn manifest(&mut self, raw: &RawManifest, manifest_sha256: String) -> Bundle {
        let root = JsonPath::root();
        self.format(&raw.format);
        let id = self
            .required_string(&raw.id, &root, "id")
            .unwrap_or_default();
        if let Some(problem) = raw.id.valid().and_then(|id| id_problem(id)) {
            self.problem(&root.key("id"), format!("bundle id {id:?} {problem}"));
        }
        let title = self
            .required_string(&raw.title, &root, "title")
            .unwrap_or_default();
        if raw.title.valid().is_some_and(|t| t.trim().is_empty()) {
            self.problem(&root.key("title"), "must not be empty");
        }
        let instructions = self
            .optional_string(&raw.instructions, &root, "instructions")
            .and_then(|text| self.instructions(text, &root.key("instructions")));
        let requester = self.optional_string(&raw.requester, &root, "requester");
        let reward = self.reward(&raw.reward, &root.key("reward"));
        let estimated_seconds_per_task = self.estimated_seconds(&raw.estimated_seconds_per_task);
        let tools = self.tools(&raw.tools, &root.key("tools"));
        let min_regions = self.min_regions(&raw.min_regions);
        let labels = self.labels(&raw.labels);
        let tasks = self.tasks(&raw.tasks, &labels);
        Bundle {
            id,
            title,
            source: self.opened.source.to_path_buf(),
            root: self.opened.root.to_path_buf(),
            has_manifest: true,
            instructions,
            requester,
            reward,
            estimated_seconds_per_task,
            tools,
            min_regions,
            labels,
            tasks,
            manifest_sha256,
        }
    }

    fn format(&mut self, field: &Field<String>) {
        let at = JsonPath::root().key("format");
        match field {
            Field::Valid(format) if format == FORMAT => {}
            Field::Valid(format) if format.starts_with("clickwork-bundle/") => self.problem(
                &at,
                format!("the bundle is written in {format:?}, but this version of clickwork reads only {FORMAT:?}"),
            ),
            Field::Valid(format) => self.problem(&at, format!("is {format:?}; it must be {FORMAT:?}")),
            Field::Invalid(v) => self.problem(&at, format!("must be the string {FORMAT:?}, found {}", describe(v))),
            Field::Missing | Field::Null => self.problem(
                &JsonPath::root(),
                format!("missing required field `format` (it must be {FORMAT:?})"),
            ),
        }
    }

    /// Inline markdown, or the content of the `.md` file the text names.
    fn instructions(&mut self, text: String, path: &JsonPath) -> Option<String> {
        if !text.ends_with(".md") || text.contains('\n') {
            return Some(text);
        }
        let shown = self.opened.names.file(&text);
        let read = resolve_inside(self.opened.root, &text)
            .map_err(|e| e.to_string())
            .and_then(|file| {
                fs::read_to_string(file).map_err(|e| format!("cannot be read as UTF-8 text ({e})"))
            });
        match read {
            Ok(markdown) => Some(markdown),
            Err(why) => {
                self.problem(path, format!("instructions file {text:?} {why}: {shown}"));
                None
            }
        }
    }

    fn reward(&mut self, field: &Field<RawReward>, path: &JsonPath) -> Option<Reward> {
        let raw = match field {
            Field::Valid(raw) => raw,
            Field::Missing | Field::Null => return None,
            Field::Invalid(v) => {
                self.problem(
                    path,
                    format!(
                        "must be an object like {{\"per_task\": \"0.05\", \"currency\": \"USD\"}}, found {}",
                        describe(v)
                    ),
                );
                return None;
            }
        };
        let per_task = match &raw.per_task {
            Field::Valid(amount) => match amount.parse::<Amount>() {
                Ok(amount) => Some(amount.0),
                Err(why) => {
                    let why = match why {
                        AmountError::NotAnAmount => {
                            "is not a decimal number like \"0.05\"".to_owned()
                        }
                        other => other.to_string(),
                    };
                    self.problem(&path.key("per_task"), format!("amount {amount:?} {why}"));
                    None
                }
            },
            Field::Invalid(v @ Value::Number(_)) => {
                self.problem(
                    &path.key("per_task"),
                    format!(
                        "write the amount as a string, like \"0.05\", so it stays exact; found {}",
                        describe(v)
                    ),
                );
                None
            }
            Field::Invalid(v) => {
                self.problem(
                    &path.key("per_task"),
                    format!(
                        "must be a decimal string like \"0.05\", found {}",
                        describe(v)
                    ),
                );
                None
            }
            Field::Missing | Field::Null => {
                self.problem(path, "missing required field `per_task`");
                None
            }
        };
        let currency = self.required_string(&raw.currency, path, "currency");
        // A manifest is written once for many workers: its code must be exact, in capitals.
        let currency = currency.and_then(|code| match code.parse::<Currency>() {
            Ok(currency) if currency.as_str() == code => Some(currency.into_string()),
            _ => {
                self.problem(
                    &path.key("currency"),
                    format!(
                        "currency {code:?} is not an ISO 4217 code (three capital letters, like USD or EUR)"
                    ),
                );
                None
            }
        });
        Some(Reward {
            per_task: per_task?,
            currency: currency?,
        })
    }

    fn estimated_seconds(&mut self, field: &Field<u64>) -> Option<u32> {
        let path = JsonPath::root().key("estimated_seconds_per_task");
        let found = match field {
            Field::Missing | Field::Null => return None,
            Field::Valid(n) => match u32::try_from(*n) {
                Ok(n) if n > 0 => return Some(n),
                _ => format!("the number {n}"),
            },
            Field::Invalid(v) => describe(v),
        };
        self.problem(
            &path,
            format!("must be a positive whole number of seconds, found {found}"),
        );
        None
    }

    fn min_regions(&mut self, field: &Field<u64>) -> u32 {
        let path = JsonPath::root().key("min_regions");
        let found = match field {
            Field::Missing | Field::Null => return 0,
            Field::Valid(n) => match u32::try_from(*n) {
                Ok(n) => return n,
                Err(_) => format!("the number {n}"),
            },
            Field::Invalid(v) => describe(v),
        };
        self.problem(
            &path,
            format!("must be a whole number, 0 or more, found {found}"),
        );
        0
    }

    fn tools(&mut self, field: &Field<Vec<Field<String>>>, path: &JsonPath) -> Vec<ShapeKind> {
        let names = match field {
            Field::Missing | Field::Null => return ShapeKind::ALL.to_vec(),
            Field::Valid(names) => names,
            Field::Invalid(v) => {
                self.problem(
                    path,
                    format!(
                        "must be a list of tools, like [\"rectangle\", \"polygon\"], found {}",
                        describe(v)
                    ),
                );
                return ShapeKind::ALL.to_vec();
            }
        };
        if names.is_empty() {
            self.problem(
                path,
                "lists no tool; leave `tools` out to offer all of them",
            );
        }
        let mut tools = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match name {
                Field::Valid(name) => match ShapeKind::from_name(name) {
                    // Listing a tool twice is harmless; it is offered once.
                    Some(kind) if !tools.contains(&kind) => tools.push(kind),
                    Some(_) => {}
                    None => self.problem(
                        &path.index(i),
                        format!("unknown tool {name:?}; the tools are \"rectangle\", \"polygon\" and \"point\""),
                    ),
                },
                Field::Invalid(v) => self.problem(&path.index(i), format!("must be a tool name, found {}", describe(v))),
                Field::Missing | Field::Null => self.problem(&path.index(i), "must be a tool name, found null"),
            }
        }
        tools
    }

    /// A required list at the top level, with the message for an empty one.
    fn required_list<'r, T>(
        &mut self,
        field: &'r Field<Vec<T>>,
        key: &str,
        empty: &str,
    ) -> &'r [T] {
        let path = JsonPath::root().key(key);
        match field {
            Field::Valid(items) => {
                if items.is_empty() {
                    self.problem(&path, empty);
                }
                items
            }
            Field::Missing | Field::Null => {
                self.problem(&JsonPath::root(), format!("missing required field `{key}`"));
                &[]
            }
            Field::Invalid(v) => {
                self.problem(&path, format!("must be a list, found {}", describe(v)));
                &[]
            }
        }
    }

    fn labels(&mut self, field: &Field<Vec<Field<RawLabel>>>) -> Vec<Label> {
        let raw_labels = self.required_list(
            field,
            "labels",
            "the bundle has no labels; list at least one",
        );
        let mut labels: Vec<Label> = Vec::new();
        let mut first_by_name: HashMap<String, usize> = HashMap::new();
        let mut first_by_hotkey: HashMap<u8, String> = HashMap::new();
        for (i, raw) in raw_labels.iter().enumerate() {
            let path = JsonPath::root().key("labels").index(i);
            // Repeats are checked on the raw values, so a label with another problem still counts.
            let name = raw.valid().and_then(|l| l.name.valid());
            if let Some(name) = name {
                if let Some(first) = first_by_name.get(name) {
                    self.problem(
                        &path.key("name"),
                        format!("label {name:?} is listed twice (first as labels[{first}])"),
                    );
                } else {
                    first_by_name.insert(name.clone(), i);
                }
            }
            if let Some(hotkey) = raw.valid().and_then(|l| hotkey_digit(&l.hotkey)) {
                let owner = name.cloned().unwrap_or_else(|| format!("labels[{i}]"));
                if let Some(first) = first_by_hotkey.get(&hotkey) {
                    self.problem(
                        &path.key("hotkey"),
                        format!("hotkey {hotkey} is already used by label {first:?}"),
                    );
                } else {
                    first_by_hotkey.insert(hotkey, owner);
                }
            }
            labels.extend(self.label(raw, &path));
        }
        labels
    }

    fn label(&mut self, field: &Field<RawLabel>, path: &JsonPath) -> Option<Label> {
        let raw = match field {
            Field::Valid(raw) => raw,
            Field::Missing | Field::Null | Field::Invalid(_) => {
                let found = match field {
                    Field::Invalid(v) => describe(v),
                    _ => "null".to_owned(),
                };
                self.problem(
                    path,
                    format!("must be an object like {{\"name\": \"sky\", \"color\": \"#87ceeb\"}}, found {found}"),
                );
                return None;
            }
        };
        let name = self.required_string(&raw.name, path, "name");
        if let Some(why) = name.as_deref().and_then(label_name_problem) {
            self.problem(
                &path.key("name"),
                format!("label name {:?} {why}", name.as_deref().unwrap_or_default()),
            );
        }
        let color = self
            .required_string(&raw.color, path, "color")
            .and_then(|text| {
                let color = palette::parse_hex(&text);
                if color.is_none() {
                    self.problem(
                        &path.key("color"),
                        format!("colour {text:?} is not of the form #rrggbb (like \"#87ceeb\")"),
                    );
                }
                color
            });
        let hotkey = self.hotkey(&raw.hotkey, &path.key("hotkey"));
        let description = self.optional_string(&raw.description, path, "description");
        Some(Label {
            name: name?,
            color: color?,
            hotkey: hotkey.ok()?,
            description,
        })
    }

    /// `Ok(None)` when absent, `Err(())` when reported as wrong.
    fn hotkey(&mut self, field: &Field<RawHotkey>, path: &JsonPath) -> Result<Option<u8>, ()> {
        if matches!(field, Field::Missing | Field::Null) {
            return Ok(None);
        }
        if let Some(digit) = hotkey_digit(field) {
            return Ok(Some(digit));
        }
        let found = match field {
            Field::Valid(RawHotkey::Number(n)) => format!("the number {n}"),
            Field::Valid(RawHotkey::Text(s)) => describe(&Value::from(s.as_str())),
            Field::Invalid(v) => describe(v),
            Field::Missing | Field::Null => "null".to_owned(),
        };
        self.problem(
            path,
            format!("must be a digit key from 1 to 9, found {found}"),
        );
        Err(())
    }

    fn tasks(&mut self, field: &Field<Vec<Field<RawTask>>>, labels: &[Label]) -> Vec<Task> {
        let raw_tasks =
            self.required_list(field, "tasks", "the bundle has no tasks; list at least one");
        let mut tasks = Vec::new();
        let mut first_by_id: HashMap<String, usize> = HashMap::new();
        let mut first_by_folded_id: HashMap<String, (usize, String)> = HashMap::new();
        for (i, raw) in raw_tasks.iter().enumerate() {
            let path = JsonPath::root().key("tasks").index(i);
            let id_path = path.key("id");
            let task = self.task(raw, &path, labels);
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

    fn task(&mut self, field: &Field<RawTask>, path: &JsonPath, labels: &[Label]) -> Option<Task> {
        let raw = match field {
            Field::Valid(raw) => raw,
            other => {
                let found = match other {
                    Field::Invalid(v) => describe(v),
                    _ => "null".to_owned(),
                };
                self.problem(
                    path,
                    format!("must be an object like {{\"id\": \"t1\", \"image\": \"images/t1.jpg\"}}, found {found}"),
                );
                return None;
            }
        };
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
            .and_then(|image| self.image(image, &path.key("image")));
        let hint = self.optional_string(&raw.hint, path, "hint");
        let size = checked.as_ref().map(|(_, w, h)| (*w, *h));
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
        let (image_path, width, height) = checked?;
        Some(Task {
            id: id?,
            image: image?,
            image_path,
            width,
            height,
            hint,
            regions: regions?,
        })
    }

    /// The canonical path and size of a task's image, or `None` after reporting why it cannot be used.
    fn image(&mut self, image: &str, path: &JsonPath) -> Option<(std::path::PathBuf, u32, u32)> {
        let shown = self.opened.names.file(image);
        let file = match resolve_inside(self.opened.root, image) {
            Ok(file) => file,
            Err(why) => {
                self.problem(path, format!("image {image:?} {why}: {shown}"));
                return None;
            }
        };
        match check_image(&file, self.opened.max_pixels) {
            Ok(info) => Some((file, info.width, info.height)),
            Err(why) => {
                self.problem(path, format!("image {image:?} {why}: {shown}"));
                None
            }
        }
    }

    /// The format and path a task's `prefill` names, or `None` after reporting why it names none.
    fn prefill_source(
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
    fn prefilled(
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
    fn regions(
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

/// The digit of a well-formed hotkey (`3` or `"3"`, 1 to 9).
fn hotkey_digit(field: &Field<RawHotkey>) -> Option<u8> {
    let digit = match field {
        Field::Valid(RawHotkey::Number(n)) => u8::try_from(*n).ok()?,
        Field::Valid(RawHotkey::Text(s)) => match s.as_bytes() {
            [d] if d.is_ascii_digit() => d - b'0',
            _ => return None,
        },
        _ => return None,
    };
    (1..=9).contains(&digit).then_some(digit)
}

/// Why `name` cannot be a label name, or `None`.
pub fn label_name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("is empty")
    } else if name.trim() != name {
        Some("starts or ends with spaces")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_trimmed_and_printable() {
        assert_eq!(label_name_problem("sky"), None);
        assert_eq!(label_name_problem("blue sky"), None);
        assert!(label_name_problem(" sky").is_some());
        assert!(label_name_problem("").is_some());
        assert!(label_name_problem("a\tb").is_some());
    }
}
