//! The raw types of `bundle.json`: they mirror the file key for key and accept any JSON (see [`Field`]),
//! leaving every check to [`super::validate`]. Keys this version does not know are ignored, so a newer
//! bundle with extra optional keys still opens.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::field::Field;

/// The name of the manifest file at the root of a bundle.
pub const MANIFEST_FILE: &str = "bundle.json";

/// The only `format` this version reads.
pub const FORMAT: &str = "clickwork-bundle/1";

/// `bundle.json` as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawManifest {
    /// Must be [`FORMAT`].
    pub format: Field<String>,
    /// The bundle id; becomes a folder name in the worker's workspace.
    pub id: Field<String>,
    /// Shown to the worker.
    pub title: Field<String>,
    /// Inline markdown, or the path of a `.md` file in the bundle.
    pub instructions: Field<String>,
    /// Who hands the bundle out.
    pub requester: Field<String>,
    /// What a task pays.
    pub reward: Field<RawReward>,
    /// The requester's estimate of a task's duration.
    pub estimated_seconds_per_task: Field<u64>,
    /// The drawing tools offered (shape kind names).
    pub tools: Field<Vec<Field<String>>>,
    /// How many regions each task needs before it can be submitted.
    pub min_regions: Field<u64>,
    /// The label set.
    pub labels: Field<Vec<Field<RawLabel>>>,
    /// The tasks, in the order the worker meets them.
    pub tasks: Field<Vec<Field<RawTask>>>,
    /// The mean IoU a worker needs on a gold task to pass it.
    pub gold_pass_iou: Field<f64>,
}

/// `reward` as written: `{"per_task": "0.05", "currency": "USD"}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawReward {
    /// A decimal string; a JSON number is kept (as invalid) to say why it is refused.
    pub per_task: Field<String>,
    /// An ISO 4217 code.
    pub currency: Field<String>,
}

/// One entry of `labels` as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawLabel {
    /// The label's name, as regions refer to it.
    pub name: Field<String>,
    /// `#rrggbb`.
    pub color: Field<String>,
    /// A digit key 1-9.
    pub hotkey: Field<RawHotkey>,
    /// A longer explanation for the worker.
    pub description: Field<String>,
}

/// A hotkey, written either as a number (`3`) or as a one-character string (`"3"`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RawHotkey {
    /// `"hotkey": 3`.
    Number(u64),
    /// `"hotkey": "3"`.
    Text(String),
}

/// One entry of `tasks` as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawTask {
    /// Unique within the bundle; becomes a file name in the worker's workspace.
    pub id: Field<String>,
    /// The image's path relative to the bundle, `/`-separated.
    pub image: Field<String>,
    /// A note for this task only.
    pub hint: Field<String>,
    /// Regions drawn in advance, for the worker to correct.
    pub regions: Field<Vec<Field<RawRegion>>>,
    /// Where the prefilled regions come from instead of `regions`: a LabelMe or COCO file.
    pub prefill: Field<RawPrefill>,
    /// The truth of a gold task, for scoring workers; never shown to them.
    pub gold: Field<RawGold>,
}

/// `gold` as written: `{"regions": [...]}`, or a file as for `prefill`: `{"coco": "gold/instances.json"}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawGold {
    /// The true regions, in the same form as a task's `regions`.
    pub regions: Field<Vec<Field<RawRegion>>>,
    /// Or the file that holds them (its `labelme` or `coco` key, and any other, kept to name it).
    #[serde(flatten)]
    pub file: RawPrefill,
}

/// `prefill` as written: `{"labelme": "prefill/a.json"}` or `{"coco": "prefill/instances.json"}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawPrefill {
    /// A LabelMe JSON file in the bundle, holding this task's image's shapes.
    pub labelme: Field<String>,
    /// A COCO instances file in the bundle; the task takes the annotations of its own image.
    pub coco: Field<String>,
    /// Any other key: kept to name it, since a misspelt format would otherwise prefill nothing.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A prefilled region as written, in the annotation schema.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawRegion {
    /// Optional here: missing ids are assigned `r1`, `r2`, ...
    pub id: Field<String>,
    /// A label of the bundle.
    pub label: Field<String>,
    /// `{"type": ..., "points": [[x, y], ...]}`.
    pub shape: Field<RawShape>,
    /// Free-form attributes.
    pub attributes: Field<Map<String, Value>>,
    /// Keys the annotation schema does not know, kept as the annotation keeps them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A prefilled region's shape as written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawShape {
    /// `rectangle`, `polygon` or `point`.
    #[serde(rename = "type")]
    pub kind: Field<String>,
    /// `[x, y]` pairs in image pixels.
    pub points: Field<Vec<Field<[f64; 2]>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_object_parses() {
        let raw: RawManifest = serde_json::from_str(
            r#"{"format": 1, "labels": [{"name": "sky", "hotkey": "1"}, 7], "tasks": {}, "future": true}"#,
        )
        .unwrap();
        assert_eq!(raw.format, Field::Invalid(Value::from(1)));
        assert!(matches!(raw.tasks, Field::Invalid(Value::Object(_))));
        let Field::Valid(labels) = raw.labels else {
            panic!("labels")
        };
        assert!(
            matches!(&labels[0], Field::Valid(l) if l.hotkey == Field::Valid(RawHotkey::Text("1".into())))
        );
        assert_eq!(labels[1], Field::Invalid(Value::from(7)));
    }

    #[test]
    fn regions_keep_unknown_keys() {
        let raw: RawRegion = serde_json::from_str(
            r#"{"label": "sky", "shape": {"type": "point", "points": [[1, 2]]}, "score": 0.5}"#,
        )
        .unwrap();
        assert_eq!(raw.extra.get("score"), Some(&Value::from(0.5)));
        assert!(!raw.extra.contains_key("label"));
        let shape = raw.shape.valid().unwrap();
        assert_eq!(shape.points, Field::Valid(vec![Field::Valid([1.0, 2.0])]));
    }
}
