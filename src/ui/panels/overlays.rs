//! Windows over the workbench: keyboard help (F1), the skip dialog, and the path field used when no
//! file dialog is available.

use crate::domain::store::Unsaved;
use crate::ui::command::UiCommand;
use crate::ui::state::{Action, PathPrompt};
use std::path::PathBuf;

/// The list of every command and its key, generated from [`UiCommand::ALL`].
pub fn help_ui(ctx: &egui::Context, open: &mut bool) {
    if !*open {
        return;
    }
    egui::Window::new("Keyboard help")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::Grid::new("help_grid").striped(true).show(ui, |ui| {
                for command in UiCommand::ALL {
                    ui.label(command.label());
                    ui.monospace(command.shortcut_text());
                    ui.end_row();
                }
                for (what, keys) in [
                    ("Pick a label, or relabel the selected region", "1-9"),
                    ("Nudge the selected region (Shift: 10 px)", "Arrows"),
                    ("Zoom about the cursor", "Wheel"),
                    ("Pan", "Middle-drag, Space+drag"),
                ] {
                    ui.label(what);
                    ui.monospace(keys);
                    ui.end_row();
                }
            });
        });
}

/// Asks for an optional reason before skipping the task.
pub fn skip_dialog_ui(ctx: &egui::Context, reason: &mut String, actions: &mut Vec<Action>) {
    egui::Modal::new(egui::Id::unique("skip_dialog")).show(ctx, |ui| {
        ui.heading("Skip this task?");
        let label = ui.label("Reason (optional):");
        let edit = ui.add(
            egui::TextEdit::singleline(reason)
                .hint_text("e.g. image too dark, unclear instructions")
                .desired_width(320.0),
        );
        let edit = edit.labelled_by(label.id);
        edit.request_focus();
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
        ui.horizontal(|ui| {
            if ui.button("Skip task").clicked() || enter {
                actions.push(Action::ConfirmSkip);
            }
            if ui.button("Cancel").clicked() || escape {
                actions.push(Action::CancelSkip);
            }
        });
    });
}

/// Asked when the window is closed while some work is not on disk: closing now would lose it.
pub fn unsaved_close_ui(ctx: &egui::Context, unsaved: &Unsaved, actions: &mut Vec<Action>) {
    egui::Modal::new(egui::Id::unique("unsaved_close")).show(ctx, |ui| {
        ui.heading("Some work is not saved yet");
        ui.label(format!(
            "{} change(s) could not be written and are kept in memory: {}",
            unsaved.count, unsaved.error
        ));
        ui.label(
            "Saving is tried again every few seconds. Free some disk space or give the data folder \
             back, and this goes away by itself. Closing now loses these changes.",
        );
        let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
        ui.horizontal(|ui| {
            if ui.button("Keep the window open").clicked() || escape {
                actions.push(Action::KeepOpen);
            }
            if ui.button("Close and lose them").clicked() {
                actions.push(Action::CloseAnyway);
            }
        });
    });
}

/// A field to type a path into: what a file dialog would have asked for.
pub fn path_prompt_ui(ctx: &egui::Context, prompt: &mut PathPrompt, actions: &mut Vec<Action>) {
    egui::Modal::new(egui::Id::unique("path_prompt")).show(ctx, |ui| {
        if let Some(note) = &prompt.note {
            ui.add(egui::Label::new(note.as_str()).wrap());
            ui.separator();
        }
        let label = ui.label(prompt.purpose.prompt());
        let edit = ui.add(
            egui::TextEdit::singleline(&mut prompt.text)
                .hint_text("/home/you/…")
                .desired_width(420.0),
        );
        edit.labelled_by(label.id).request_focus();
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
        let typed = prompt.text.trim();
        ui.horizontal(|ui| {
            let ok = ui.add_enabled(!typed.is_empty(), egui::Button::new("OK"));
            if (ok.clicked() || enter) && !typed.is_empty() {
                actions.push(Action::UsePath(prompt.purpose, PathBuf::from(typed)));
            }
            if ui.button("Browse…").clicked() {
                actions.push(Action::BrowseInstead(prompt.purpose));
            }
            if ui.button("Cancel").clicked() || escape {
                actions.push(Action::ClosePathPrompt);
            }
        });
    });
}
