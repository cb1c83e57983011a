//! From `bundle.json` to a [`Bundle`]: parse into the raw types, then check everything, collecting every
//! problem with the JSON path it belongs to, and build the bundle only if none was found.

use std::collections::HashMap;
use std::fs;

use serde::Deserialize;
use serde_json::Value;

use super::field::{Field, describe};
use super::ids::id_problem;
use super::manifest::{FORMAT, MANIFEST_FILE, RawHotkey, RawLabel, RawManifest, RawReward};
use super::model::{Bundle, Label, Reward};
use super::paths::resolve_inside;
use super::prefill::PrefillFiles;
use super::problem::{BundleErrors, Problem, Report};
use super::{Opened, sha256_hex};
use crate::domain::geometry::ShapeKind;
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
pub(super) struct Checker<'a> {
    pub(super) opened: &'a Opened<'a>,
    pub(super) file: String,
    pub(super) report: Report,
    /// Prefill files read so far, each read once however many tasks use it.
    pub(super) prefills: PrefillFiles,
}

impl Checker<'_> {
    pub(super) fn problem(&mut self, path: &JsonPath, message: impl std::fmt::Display) {
        self.report.json(&self.file, path, message);
    }

    /// A required string field of the object at `parent`.
    /// The object at `path`, or a problem showing what one looks like (`example`).
    pub(super) fn object<'r, T>(
        &mut self,
        field: &'r Field<T>,
        path: &JsonPath,
        example: &str,
    ) -> Option<&'r T> {
        let found = match field {
            Field::Valid(raw) => return Some(raw),
            Field::Invalid(v) => describe(v),
            Field::Missing | Field::Null => "null".to_owned(),
        };
        self.problem(
            path,
            format!("must be an object like {example}, found {found}"),
        );
        None
    }

    pub(super) fn required_string(
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
    pub(super) fn optional_string(
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
        let gold_pass_iou = self.gold_pass_iou(&raw.gold_pass_iou);
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
            gold_pass_iou,
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

    fn gold_pass_iou(&mut self, field: &Field<f64>) -> f64 {
        let default = super::model::DEFAULT_GOLD_PASS_IOU;
        match field {
            Field::Missing | Field::Null => default,
            Field::Valid(v) if *v > 0.0 && *v <= 1.0 => *v,
            Field::Valid(v) => {
                self.problem(
                    &JsonPath::root().key("gold_pass_iou"),
                    format!("must be a number above 0 and at most 1, found {v}"),
                );
                default
            }
            Field::Invalid(v) => {
                self.problem(
                    &JsonPath::root().key("gold_pass_iou"),
                    format!(
                        "must be a number above 0 and at most 1, like 0.7, found {}",
                        describe(v)
                    ),
                );
                default
            }
        }
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
    pub(super) fn required_list<'r, T>(
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
        let raw = self.object(field, path, r##"{"name": "sky", "color": "#87ceeb"}"##)?;
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
        // A label with a bad colour or hotkey is reported, and still counts as a label for the
        // rest of the checks, so its regions are not also called "unknown label".
        Some(Label {
            name: name?,
            color: color.unwrap_or([0x80, 0x80, 0x80]),
            hotkey: hotkey.unwrap_or(None),
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
