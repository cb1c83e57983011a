//! Windows over the workbench: keyboard help (F1) and the skip dialog.

use crate::ui::app::{Action, App};
use crate::ui::command::UiCommand;

/// The list of every command and its key, generated from [`UiCommand::ALL`].
pub fn help_ui(app: &mut App, ctx: &egui::Context) {
    let open = app.help_open();
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
                ui.label("Pick a label, or relabel the selected region");
                ui.monospace("1-9");
                ui.end_row();
                ui.label("Nudge the selected region (Shift: 10 px)");
                ui.monospace("Arrows");
                ui.end_row();
                ui.label("Zoom about the cursor");
                ui.monospace("Wheel");
                ui.end_row();
                ui.label("Pan");
                ui.monospace("Middle-drag, Space+drag");
                ui.end_row();
            });
        });
}

/// Asks for an optional reason before skipping the task.
pub fn skip_dialog_ui(app: &mut App, ctx: &egui::Context) {
    let Some(reason) = app.skip_reason_mut() else {
        return;
    };
    let mut action = None;
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
                action = Some(Action::ConfirmSkip);
            }
            if ui.button("Cancel").clicked() || escape {
                action = Some(Action::CancelSkip);
            }
        });
    });
    if let Some(action) = action {
        app.push(action);
    }
}
