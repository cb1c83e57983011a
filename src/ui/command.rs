//! Every user action, with its label and keyboard shortcut. Menus, buttons, the key handler and the F1
//! help overlay are all generated from [`UiCommand::ALL`], so they cannot disagree.

use egui::{Key, KeyboardShortcut, Modifiers};

/// One thing the worker can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiCommand {
    /// Draw rectangles by press-drag-release.
    ToolRectangle,
    /// Draw polygons by clicking vertices.
    ToolPolygon,
    /// Place points by clicking.
    ToolPoint,
    /// Draw a tight box by clicking the four extreme points.
    ToolExtremeBox,
    /// Select, move and reshape regions.
    ToolSelect,
    /// Undo the last change to this task.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Redo (the other common shortcut).
    RedoAlt,
    /// Submit this task and open the next unfinished one.
    Submit,
    /// Skip this task (asks for an optional reason).
    Skip,
    /// Go to the previous task without submitting.
    PreviousTask,
    /// Go to the next task without submitting.
    NextTask,
    /// Fit the image in the view.
    FitView,
    /// Show the image at 1:1.
    ActualSize,
    /// Hide or show all regions.
    ToggleRegions,
    /// Delete the selected region.
    DeleteSelected,
    /// Finish the polygon being drawn.
    FinishPolygon,
    /// Remove the last vertex of the polygon being drawn.
    RemoveLastVertex,
    /// Cancel what is being drawn, or clear the selection.
    Cancel,
    /// Show or hide the instructions.
    ToggleInstructions,
    /// Show or hide this list of keys.
    Help,
    /// Open another bundle folder.
    OpenBundle,
    /// Open a zipped bundle.
    OpenZip,
    /// Show or hide the earnings and time view.
    Earnings,
    /// Show or hide the settings.
    Settings,
    /// Pause or resume the task clock.
    TogglePause,
    /// Import a requester's review file.
    ImportReview,
    /// Export the submitted labels in every training format.
    ExportLabels,
}

impl UiCommand {
    /// Every command, in the order the help overlay lists them.
    pub const ALL: [UiCommand; 28] = [
        UiCommand::ToolRectangle,
        UiCommand::ToolPolygon,
        UiCommand::ToolPoint,
        UiCommand::ToolExtremeBox,
        UiCommand::ToolSelect,
        UiCommand::Undo,
        UiCommand::Redo,
        UiCommand::RedoAlt,
        UiCommand::Submit,
        UiCommand::Skip,
        UiCommand::PreviousTask,
        UiCommand::NextTask,
        UiCommand::FitView,
        UiCommand::ActualSize,
        UiCommand::ToggleRegions,
        UiCommand::DeleteSelected,
        UiCommand::FinishPolygon,
        UiCommand::RemoveLastVertex,
        UiCommand::Cancel,
        UiCommand::ToggleInstructions,
        UiCommand::Help,
        UiCommand::OpenBundle,
        UiCommand::OpenZip,
        UiCommand::Earnings,
        UiCommand::Settings,
        UiCommand::TogglePause,
        UiCommand::ImportReview,
        UiCommand::ExportLabels,
    ];

    /// What the command does, as menus and the help overlay show it.
    pub fn label(self) -> &'static str {
        match self {
            UiCommand::ToolRectangle => "Rectangle tool",
            UiCommand::ToolPolygon => "Polygon tool",
            UiCommand::ToolPoint => "Point tool",
            UiCommand::ToolExtremeBox => "Extreme-click box tool",
            UiCommand::ToolSelect => "Select / edit tool",
            UiCommand::Undo => "Undo",
            UiCommand::Redo => "Redo",
            UiCommand::RedoAlt => "Redo",
            UiCommand::Submit => "Submit task",
            UiCommand::Skip => "Skip task",
            UiCommand::PreviousTask => "Previous task",
            UiCommand::NextTask => "Next task",
            UiCommand::FitView => "Fit image",
            UiCommand::ActualSize => "Actual size (1:1)",
            UiCommand::ToggleRegions => "Hide / show regions",
            UiCommand::DeleteSelected => "Delete selected region",
            UiCommand::FinishPolygon => "Finish polygon",
            UiCommand::RemoveLastVertex => "Remove last polygon vertex",
            UiCommand::Cancel => "Cancel drawing / clear selection",
            UiCommand::ToggleInstructions => "Show / hide instructions",
            UiCommand::Help => "Keyboard help",
            UiCommand::OpenBundle => "Open bundle folder…",
            UiCommand::OpenZip => "Open zipped bundle…",
            UiCommand::Earnings => "Earnings and time",
            UiCommand::Settings => "Settings",
            UiCommand::TogglePause => "Pause / resume the clock",
            UiCommand::ImportReview => "Import a review file…",
            UiCommand::ExportLabels => "Export labels (COCO, YOLO, VOC, LabelMe, CVAT)…",
        }
    }

    /// The keyboard shortcut, if the command has one.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let plain = |key| Some(KeyboardShortcut::new(Modifiers::NONE, key));
        let cmd = |key| Some(KeyboardShortcut::new(Modifiers::COMMAND, key));
        match self {
            UiCommand::ToolRectangle => plain(Key::R),
            UiCommand::ToolPolygon => plain(Key::P),
            UiCommand::ToolPoint => plain(Key::K),
            UiCommand::ToolExtremeBox => plain(Key::E),
            UiCommand::ToolSelect => plain(Key::V),
            UiCommand::Undo => cmd(Key::Z),
            UiCommand::Redo => Some(KeyboardShortcut::new(
                Modifiers::COMMAND | Modifiers::SHIFT,
                Key::Z,
            )),
            UiCommand::RedoAlt => cmd(Key::Y),
            UiCommand::Submit => cmd(Key::Enter),
            UiCommand::Skip => cmd(Key::Space),
            UiCommand::PreviousTask => plain(Key::A),
            UiCommand::NextTask => plain(Key::D),
            UiCommand::FitView => plain(Key::F),
            UiCommand::ActualSize => cmd(Key::Num0),
            UiCommand::ToggleRegions => plain(Key::H),
            UiCommand::DeleteSelected => plain(Key::Delete),
            UiCommand::FinishPolygon => plain(Key::Enter),
            UiCommand::RemoveLastVertex => plain(Key::Backspace),
            UiCommand::Cancel => plain(Key::Escape),
            UiCommand::ToggleInstructions => plain(Key::I),
            UiCommand::Help => plain(Key::F1),
            UiCommand::OpenBundle => cmd(Key::O),
            UiCommand::OpenZip => None,
            UiCommand::Earnings => plain(Key::F2),
            UiCommand::Settings => plain(Key::F3),
            UiCommand::TogglePause => plain(Key::F4),
            UiCommand::ImportReview => None,
            UiCommand::ExportLabels => cmd(Key::E),
        }
    }

    /// The shortcut as text for buttons and the help overlay ("Ctrl+Z").
    pub fn shortcut_text(self) -> String {
        self.shortcut().map_or_else(String::new, |s| {
            let mut parts = Vec::new();
            if s.modifiers.command || s.modifiers.ctrl {
                parts.push("Ctrl".to_owned());
            }
            if s.modifiers.alt {
                parts.push("Alt".to_owned());
            }
            if s.modifiers.shift {
                parts.push("Shift".to_owned());
            }
            parts.push(s.logical_key.name().to_owned());
            parts.join("+")
        })
    }

    /// The commands whose shortcut was pressed this frame; the key presses are consumed. Commands with
    /// more modifiers are checked first, so Ctrl+Shift+Z is not taken for Ctrl+Z.
    pub fn consume_pressed(ctx: &egui::Context) -> Vec<UiCommand> {
        let mut commands: Vec<UiCommand> = UiCommand::ALL.to_vec();
        commands.sort_by_key(|c| {
            std::cmp::Reverse(c.shortcut().map_or(0, |s| {
                let m = s.modifiers;
                u8::from(m.shift) + u8::from(m.alt) + u8::from(m.command || m.ctrl)
            }))
        });
        ctx.input_mut(|input| {
            commands
                .into_iter()
                .filter(|c| c.shortcut().is_some_and(|s| input.consume_shortcut(&s)))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_two_commands_share_a_shortcut() {
        let mut seen = HashSet::new();
        for command in UiCommand::ALL {
            if let Some(s) = command.shortcut() {
                let key = (
                    s.modifiers.command || s.modifiers.ctrl,
                    s.modifiers.shift,
                    s.modifiers.alt,
                    s.logical_key,
                );
                assert!(
                    seen.insert(key),
                    "{command:?} reuses {}",
                    command.shortcut_text()
                );
            }
        }
    }

    #[test]
    fn digits_stay_free_for_labels() {
        let digits = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
        ];
        for command in UiCommand::ALL {
            if let Some(s) = command.shortcut() {
                assert!(
                    !(s.modifiers.is_none() && digits.contains(&s.logical_key)),
                    "{command:?}"
                );
            }
        }
    }

    #[test]
    fn every_command_is_listed_once() {
        let set: HashSet<_> = UiCommand::ALL.into_iter().collect();
        assert_eq!(set.len(), UiCommand::ALL.len());
        assert_eq!(UiCommand::Redo.shortcut_text(), "Ctrl+Shift+Z");
    }
}
