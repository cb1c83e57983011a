//! The settings window: reference wage, daily goal, idle threshold; export or delete the worker's data.

use crate::domain::settings::Settings;
use crate::ui::forms::SettingsForm;
use crate::ui::state::Action;

/// Shows the form; pushes what the worker asked for. Returns `false` when the worker closed it.
pub fn settings_ui(
    ui: &mut egui::Ui,
    form: &mut SettingsForm,
    base: &Settings,
    error: &mut Option<String>,
    actions: &mut Vec<Action>,
) -> bool {
    let mut open = true;
    egui::Grid::new("settings_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("Reference wage per hour");
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut form.wage_amount).desired_width(70.0))
                    .labelled_by(label.id);
                let currency = ui.label("currency");
                ui.add(egui::TextEdit::singleline(&mut form.wage_currency).desired_width(56.0))
                    .labelled_by(currency.id);
            });
            ui.end_row();
            let label = ui.label("Its name");
            ui.add(
                egui::TextEdit::singleline(&mut form.wage_name)
                    .hint_text("e.g. US federal minimum"),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Daily goal (empty: none)");
            ui.add(egui::TextEdit::singleline(&mut form.goal).desired_width(70.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Idle after (seconds)");
            ui.add(egui::DragValue::new(&mut form.idle_secs).range(10..=3600))
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.label("Gaps between your actions longer than the idle threshold do not count as work time (CVAT uses 100 s).");
    if let Some(message) = error {
        ui.colored_label(ui.visuals().error_fg_color, message.as_str());
    }
    ui.horizontal(|ui| {
        if ui.button("Save settings").clicked() {
            match form.to_settings(base) {
                Ok(settings) => {
                    *error = None;
                    actions.push(Action::SaveSettings(Box::new(settings)));
                }
                Err(message) => *error = Some(message),
            }
        }
        if ui.button("Close").clicked() {
            open = false;
        }
    });
    ui.separator();
    ui.label("Your data stays on this machine: annotations, work log, reviews and settings.");
    ui.horizontal(|ui| {
        if ui.button("Export my data…").clicked() {
            actions.push(Action::ExportMyData);
        }
        let delete = if form.confirm_delete {
            "Really delete everything? Click again"
        } else {
            "Delete my data…"
        };
        if ui.button(delete).clicked() {
            if form.confirm_delete {
                actions.push(Action::DeleteMyData);
                form.confirm_delete = false;
            } else {
                form.confirm_delete = true;
            }
        }
    });
    open
}
