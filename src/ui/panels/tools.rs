//! The left panel: tools and the label palette.

use crate::domain::session::Session;
use crate::ui::canvas::Tool;
use crate::ui::state::{Action, ViewState, rgb};
use egui::RichText;

/// Tools allowed by the bundle, then the labels with swatch, name and hotkey.
pub fn left_panel_ui(
    ui: &mut egui::Ui,
    session: &Session,
    view: &ViewState,
    actions: &mut Vec<Action>,
) {
    let bundle = session.bundle();
    egui::Panel::left("tools_and_labels")
        .resizable(false)
        .default_size(190.0)
        .show(ui, |ui| {
            ui.heading("Tools");
            for &tool in Tool::ALL {
                let spec = tool.spec();
                let allowed = spec.draws.is_none_or(|k| bundle.tools.contains(&k));
                let text = format!("{}  ({})", spec.name, spec.command.shortcut_text());
                let current = view.canvas.tool() == tool;
                let response = ui.add_enabled(allowed, egui::Button::selectable(current, text));
                if response.clicked() {
                    actions.push(Action::Command(spec.command));
                }
            }
            ui.separator();
            ui.heading("Labels");
            for (index, label) in bundle.labels.iter().enumerate() {
                let current = index == view.current_label;
                ui.horizontal(|ui| {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(16.0, 16.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 3.0, rgb(label.color));
                    if current {
                        ui.painter().rect_stroke(
                            rect.expand(2.0),
                            3.0,
                            egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
                            egui::StrokeKind::Outside,
                        );
                    }
                    let key = bundle
                        .hotkey_of(&label.name)
                        .map_or(String::new(), |k| format!("  [{k}]"));
                    let text = RichText::new(format!("{}{key}", label.name));
                    let text = if current { text.strong() } else { text };
                    let mut response = ui.add(egui::Button::selectable(current, text));
                    if let Some(description) = &label.description {
                        response = response.on_hover_text(description);
                    }
                    if response.clicked() {
                        actions.push(Action::PickLabel(index));
                    }
                });
            }
            ui.separator();
            ui.label(RichText::new(view.canvas.tool().hint()).small());
        });
}
