//! Every user action, with its label and keyboard shortcut. Menus, buttons, the key handler and the F1
//! help overlay are all generated from [`UiCommand::ALL`], so they cannot disagree; `ALL` itself is
//! generated with the enum from one table.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Defines [`UiCommand`] with its list, labels and shortcuts from one table, so that a command cannot
/// be declared and then left out of the list the menus, keys and F1 overlay are made from.
macro_rules! commands {
    ($($(#[$doc:meta])* $variant:ident => $label:literal, $shortcut:expr;)*) => {
        /// One thing the worker can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum UiCommand {
            $($(#[$doc])* $variant,)*
        }

        impl UiCommand {
            /// Every command, in the order the help overlay lists them.
            pub const ALL: &'static [UiCommand] = &[$(UiCommand::$variant),*];

            /// What the command does, as menus and the help overlay show it.
            pub fn label(self) -> &'static str {
                match self {
                    $(UiCommand::$variant => $label,)*
                }
            }

            /// The keyboard shortcut, if the command has one.
            pub fn shortcut(self) -> Option<KeyboardShortcut> {
                match self {
                    $(UiCommand::$variant => $shortcut,)*
                }
            }
        }
    };
}

fn with(modifiers: Modifiers, key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(modifiers, key))
}

fn plain(key: Key) -> Option<KeyboardShortcut> {
    with(Modifiers::NONE, key)
}

fn cmd(key: Key) -> Option<KeyboardShortcut> {
    with(Modifiers::COMMAND, key)
}

commands! {
    /// Draw rectangles by press-drag-release.
    ToolRectangle => "Rectangle tool", plain(Key::R);
    /// Draw polygons by clicking vertices.
    ToolPolygon => "Polygon tool", plain(Key::P);
    /// Place points by clicking.
    ToolPoint => "Point tool", plain(Key::K);
    /// Draw a tight box by clicking the four extreme points.
    ToolExtremeBox => "Extreme-click box tool", plain(Key::E);
    /// Select, move and reshape regions.
    ToolSelect => "Select / edit tool", plain(Key::V);
    /// Undo the last change to this task.
    Undo => "Undo", cmd(Key::Z);
    /// Redo the last undone change.
    Redo => "Redo", with(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
    /// Redo (the other common shortcut).
    RedoAlt => "Redo", cmd(Key::Y);
    /// Submit this task and open the next unfinished one.
    Submit => "Submit task", cmd(Key::Enter);
    /// Skip this task (asks for an optional reason).
    Skip => "Skip task", cmd(Key::Space);
    /// Go to the previous task without submitting.
    PreviousTask => "Previous task", plain(Key::A);
    /// Go to the next task without submitting.
    NextTask => "Next task", plain(Key::D);
    /// Fit the image in the view.
    FitView => "Fit image", plain(Key::F);
    /// Show the image at 1:1.
    ActualSize => "Actual size (1:1)", cmd(Key::Num0);
    /// Hide or show all regions.
    ToggleRegions => "Hide / show regions", plain(Key::H);
    /// Delete the selected region.
    DeleteSelected => "Delete selected region", plain(Key::Delete);
    /// Finish the polygon being drawn.
    FinishPolygon => "Finish polygon", plain(Key::Enter);
    /// Remove the last vertex of the polygon being drawn.
    RemoveLastVertex => "Remove last polygon vertex", plain(Key::Backspace);
    /// Cancel what is being drawn, or clear the selection.
    Cancel => "Cancel drawing / clear selection", plain(Key::Escape);
    /// Show or hide the instructions.
    ToggleInstructions => "Show / hide instructions", plain(Key::I);
    /// Show or hide this list of keys.
    Help => "Keyboard help", plain(Key::F1);
    /// Open another bundle folder.
    OpenBundle => "Open bundle folder…", cmd(Key::O);
    /// Open a zipped bundle.
    OpenZip => "Open zipped bundle…", None;
    /// Show or hide the earnings and time view.
    Earnings => "Earnings and time", plain(Key::F2);
    /// Show or hide the settings.
    Settings => "Settings", plain(Key::F3);
    /// Pause or resume the task clock.
    TogglePause => "Pause / resume the clock", plain(Key::F4);
    /// Import a requester's review file.
    ImportReview => "Import a review file…", None;
    /// Export the submitted labels in every training format.
    ExportLabels => "Export labels (COCO, YOLO, VOC, LabelMe, CVAT)…", cmd(Key::E);
}

impl UiCommand {
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
        for &command in UiCommand::ALL {
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
        for &command in UiCommand::ALL {
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
        let set: HashSet<_> = UiCommand::ALL.iter().collect();
        assert_eq!(set.len(), UiCommand::ALL.len());
        assert_eq!(UiCommand::Redo.shortcut_text(), "Ctrl+Shift+Z");
    }
}
