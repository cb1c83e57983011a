//! A gold task's truth: inline regions, or a LabelMe or COCO file in the bundle read as prefill
//! files are. Checked like prefilled regions; never shown to the worker.

use super::field::{Field, describe};
use super::manifest::RawGold;
use super::model::Label;
use super::validate::Checker;
use crate::domain::annotation::Region;
use crate::domain::json_location::JsonPath;

const EXAMPLE: &str = "{\"regions\": [...]} or {\"coco\": \"gold/instances.json\"}";

impl Checker<'_> {
    /// The true regions of the task at `task_path` (`Some(None)` for a task that is not gold);
    /// `None` after reporting a problem. `id` and `image` name the task and its image for a COCO
    /// file.
    pub(super) fn gold(
        &mut self,
        field: &Field<RawGold>,
        task_path: &JsonPath,
        (id, image): (Option<&str>, Option<&str>),
        labels: &[Label],
        size: Option<(u32, u32)>,
    ) -> Option<Option<Vec<Region>>> {
        if matches!(field, Field::Missing | Field::Null) {
            // Most tasks: nothing to build, not even the path of the key.
            return Some(None);
        }
        let path = &task_path.key("gold");
        let gold = match field {
            Field::Missing | Field::Null => return Some(None),
            Field::Valid(gold) => gold,
            Field::Invalid(v) => {
                self.problem(
                    path,
                    format!("must be an object like {EXAMPLE}, found {}", describe(v)),
                );
                return None;
            }
        };
        let inline = !matches!(gold.regions, Field::Missing);
        let file = &gold.file;
        if let Some(key) = file.other.keys().next() {
            self.problem(
                &path.key(key),
                format!(
                    "unknown key {key:?} in a gold truth; use \"regions\", \"labelme\" or \"coco\""
                ),
            );
            return None;
        }
        let names_file =
            !matches!(file.labelme, Field::Missing) || !matches!(file.coco, Field::Missing);
        match (inline, names_file) {
            (true, true) => {
                self.problem(
                    path,
                    "a gold truth is inline `regions` or a LabelMe or COCO file, not both; remove one",
                );
                None
            }
            (false, false) => {
                self.problem(
                    path,
                    format!(
                        "a gold task's truth is {EXAMPLE} (an empty list when the image holds \
                         nothing to outline)"
                    ),
                );
                None
            }
            (true, false) => self
                .regions(&gold.regions, &path.key("regions"), labels, size)
                .map(Some),
            (false, true) => {
                let (format, rel) = self.prefill_source(&Field::Valid(file.clone()), path)?;
                let task = id.map_or_else(|| task_path.to_string(), str::to_owned);
                self.prefilled(
                    format,
                    &rel,
                    &path.key(format.key()),
                    &task,
                    image,
                    labels,
                    size,
                )
                .map(Some)
            }
        }
    }
}
