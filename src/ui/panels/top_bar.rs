//! The top bar (bundle, task k of N, status) and the status line at the bottom.

use crate::ui::app::{Action, App};
use crate::ui::command::UiCommand;

/// Bundle title, task k of N, the task's status, and any notices.
pub fn top_bar_ui(app: &mut App, ui: &mut egui::Ui) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        let mut actions = Vec::new();
        ui.horizontal(|ui| {
            ui.menu_button("Bundle", |ui| {
                for command in [UiCommand::OpenBundle, UiCommand::OpenZip] {
                    let text = match command.shortcut() {
                        Some(_) => format!("{}  ({})", command.label(), command.shortcut_text()),
                        None => command.label().to_owned(),
                    };
                    if ui.button(text).clicked() {
                        actions.push(Action::Command(command));
                    }
                }
                if !app.recent().bundles.is_empty() {
                    ui.separator();
                    ui.label("Recent:");
                    for bundle in &app.recent().bundles {
                        if ui
                            .button(&bundle.title)
                            .on_hover_text(bundle.path.display().to_string())
                            .clicked()
                        {
                            actions.push(Action::OpenPath(bundle.path.clone()));
                        }
                    }
                }
            });
            match app.session() {
                Some(session) => {
                    ui.strong(&session.bundle().title);
                    ui.separator();
                    ui.label(format!(
                        "Task {} of {}",
                        session.task_index() + 1,
                        session.bundle().tasks.len()
                    ));
                    ui.separator();
                    ui.label(format!(
                        "Status: {}",
                        session.status().name().replace('_', " ")
                    ));
                    ui.separator();
                    ui.label(format!("Task id: {}", session.task().id));
                }
                None => {
                    ui.label("No bundle open");
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Help (F1)").clicked() {
                    actions.push(Action::Command(UiCommand::Help));
                }
                if app.session().is_some() {
                    if ui
                        .button(format!("Skip ({})", UiCommand::Skip.shortcut_text()))
                        .clicked()
                    {
                        actions.push(Action::Command(UiCommand::Skip));
                    }
                    if ui
                        .button(format!("Submit ({})", UiCommand::Submit.shortcut_text()))
                        .clicked()
                    {
                        actions.push(Action::Command(UiCommand::Submit));
                    }
                }
            });
        });
        for (i, notice) in app.notices().iter().enumerate() {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, notice);
                if ui.small_button("Dismiss").clicked() {
                    actions.push(Action::DismissNotice(i));
                }
            });
        }
        for action in actions {
            app.push(action);
        }
    });
}

/// The last message, the active tool's hint, and undo depth.
pub fn status_bar_ui(app: &mut App, ui: &mut egui::Ui) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            if let Some(message) = app.message() {
                let color = if message.is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.colored_label(color, &message.text);
                ui.separator();
            }
            ui.label(app.canvas.tool.hint());
            if let Some(session) = app.session() {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(format!(
                        "zoom {:.0}%  ·  undo {}  ·  redo {}",
                        app.canvas.view.zoom * 100.0,
                        session.history().undo_len(),
                        session.history().redo_len()
                    ));
                });
            }
        });
    });
}
