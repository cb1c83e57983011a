//! The validated bundle: once one of these exists, every id is a safe file name, every label and task is
//! unique, every image exists inside the bundle and its size is known.

use std::path::PathBuf;

use rust_decimal::Decimal;

use crate::domain::annotation::Region;
use crate::domain::geometry::ShapeKind;

/// The mean IoU a gold task needs when the manifest does not say: the overlap CVAT's consensus and
/// COCO's detection metric count as a match.
pub const DEFAULT_GOLD_PASS_IOU: f64 = 0.5;

/// A validated bundle of tasks, from a folder or a zip.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// Unique name of the bundle; a folder name in the worker's workspace (`[A-Za-z0-9._-]`, 1-128).
    pub id: String,
    /// Shown to the worker.
    pub title: String,
    /// What the user opened: a folder or a zip file (absolute).
    pub source: PathBuf,
    /// The folder holding the bundle's files (canonical): `source` itself for a folder, the cache
    /// extraction for a zip.
    pub root: PathBuf,
    /// False for a plain folder of images.
    pub has_manifest: bool,
    /// Markdown for the worker, read from the file when the manifest names one.
    pub instructions: Option<String>,
    /// Who hands the bundle out.
    pub requester: Option<String>,
    /// What one task pays.
    pub reward: Option<Reward>,
    /// The requester's estimate of a task's duration.
    pub estimated_seconds_per_task: Option<u32>,
    /// The drawing tools offered, in the order listed (all kinds when the manifest lists none).
    pub tools: Vec<ShapeKind>,
    /// How many regions a task needs before it can be submitted.
    pub min_regions: u32,
    /// The label set, in the manifest's order (at least one).
    pub labels: Vec<Label>,
    /// The tasks, in the order the worker meets them (at least one).
    pub tasks: Vec<Task>,
    /// The mean IoU a worker needs on a gold task to pass it (the manifest's `gold_pass_iou`).
    pub gold_pass_iou: f64,
    /// Hex SHA-256 of the manifest bytes (for a folder without one, of its image names, sizes and
    /// `labels.txt`), so the workspace can notice a bundle that changed since work began.
    pub manifest_sha256: String,
}

impl Bundle {
    /// The task with `id`.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The label named `name`.
    pub fn label(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.name == name)
    }

    /// True when the manifest gives hotkeys; then only those count, and labels without one have none.
    fn has_own_hotkeys(&self) -> bool {
        self.labels.iter().any(|l| l.hotkey.is_some())
    }

    /// The label picked by digit key 1-9: the labels' own hotkeys if any label has one, else the labels'
    /// order (1 is the first label).
    pub fn label_for_hotkey(&self, digit: u8) -> Option<&Label> {
        if !(1..=9).contains(&digit) {
            return None;
        }
        if self.has_own_hotkeys() {
            self.labels.iter().find(|l| l.hotkey == Some(digit))
        } else {
            self.labels.get(usize::from(digit - 1))
        }
    }

    /// The digit key that picks the label named `label`, by the same rule as [`Bundle::label_for_hotkey`].
    pub fn hotkey_of(&self, label: &str) -> Option<u8> {
        if self.has_own_hotkeys() {
            return self.label(label)?.hotkey;
        }
        let index = self.labels.iter().position(|l| l.name == label)?;
        u8::try_from(index + 1).ok().filter(|digit| *digit <= 9)
    }
}

/// One label of a bundle's label set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The name regions refer to; unique within the bundle.
    pub name: String,
    /// Display colour, RGB.
    pub color: [u8; 3],
    /// Digit key 1-9, unique within the bundle.
    pub hotkey: Option<u8>,
    /// A longer explanation for the worker.
    pub description: Option<String>,
}

/// What one task pays. Money is a decimal, never a float: micro-rewards are fractions of a cent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reward {
    /// The amount for one task, not negative.
    pub per_task: Decimal,
    /// ISO 4217 code: three uppercase ASCII letters (`USD`).
    pub currency: String,
}

/// One image to label.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// Unique within the bundle; the file name of its annotation in the workspace.
    pub id: String,
    /// The image's path relative to the bundle root, `/`-separated, as written in the manifest.
    pub image: String,
    /// The image file on disk (canonical, inside [`Bundle::root`]).
    pub image_path: PathBuf,
    /// Width in pixels, from the image header.
    pub width: u32,
    /// Height in pixels, from the image header.
    pub height: u32,
    /// The image file's size in bytes when its header was read (0 when unknown).
    pub bytes: u64,
    /// A note for this task only.
    pub hint: Option<String>,
    /// Regions drawn in advance, for the worker to correct; every id unique, every label in the set.
    pub regions: Vec<Region>,
    /// The true regions of a gold task (a requester's check of quality): never shown to the worker,
    /// and left out of the worker bundles `bundle split` writes.
    pub gold: Option<Vec<Region>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, hotkey: Option<u8>) -> Label {
        Label {
            name: name.into(),
            color: [0, 0, 0],
            hotkey,
            description: None,
        }
    }

    fn bundle(labels: Vec<Label>) -> Bundle {
        Bundle {
            id: "b".into(),
            title: "B".into(),
            source: PathBuf::new(),
            root: PathBuf::new(),
            has_manifest: true,
            instructions: None,
            requester: None,
            reward: None,
            estimated_seconds_per_task: None,
            tools: ShapeKind::ALL.to_vec(),
            min_regions: 0,
            gold_pass_iou: DEFAULT_GOLD_PASS_IOU,
            labels,
            tasks: Vec::new(),
            manifest_sha256: String::new(),
        }
    }

    #[test]
    fn hotkeys_follow_order_when_none_given() {
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let b = bundle(names.iter().map(|n| label(n, None)).collect());
        assert_eq!(b.label_for_hotkey(1).map(|l| l.name.as_str()), Some("a"));
        assert_eq!(b.label_for_hotkey(9).map(|l| l.name.as_str()), Some("i"));
        assert_eq!(b.label_for_hotkey(0), None);
        assert_eq!(b.label_for_hotkey(10), None);
        assert_eq!(b.hotkey_of("c"), Some(3));
        assert_eq!(b.hotkey_of("j"), None);
        assert_eq!(b.hotkey_of("zz"), None);
    }

    #[test]
    fn own_hotkeys_win_and_others_get_none() {
        let b = bundle(vec![label("sky", Some(5)), label("tree", None)]);
        assert_eq!(b.label_for_hotkey(5).map(|l| l.name.as_str()), Some("sky"));
        assert_eq!(b.label_for_hotkey(1), None);
        assert_eq!(b.hotkey_of("sky"), Some(5));
        assert_eq!(b.hotkey_of("tree"), None);
    }

    #[test]
    fn hotkey_lookups_agree() {
        let b = bundle(vec![
            label("x", Some(2)),
            label("y", Some(7)),
            label("z", None),
        ]);
        for digit in 1..=9 {
            if let Some(l) = b.label_for_hotkey(digit) {
                assert_eq!(b.hotkey_of(&l.name), Some(digit));
            }
        }
    }
}
