//! The left panel: tools and the label palette.

use crate::ui::app::{Action, App};
use crate::ui::canvas::Tool;
use crate::ui::command::UiCommand;
use egui::{Color32, RichText};

/// Tools allowed by the bundle, then the labels with swatch, name and hotkey.
pub fn left_panel_ui(app: &mut App, ui: &mut egui::Ui) {
    let Some(session) = app.session() else {
        return;
    };
    let bundle = session.bundle();
    let mut actions = Vec::new();
    egui::Panel::left("tools_and_labels")
        .resizable(false)
        .default_size(190.0)
        .show(ui, |ui| {
            ui.heading("Tools");
            let tools = [
                (
                    Tool::Rectangle,
                    UiCommand::ToolRectangle,
                    Some(crate::domain::geometry::ShapeKind::Rectangle),
                ),
                (
                    Tool::Polygon,
                    UiCommand::ToolPolygon,
                    Some(crate::domain::geometry::ShapeKind::Polygon),
                ),
                (
                    Tool::Point,
                    UiCommand::ToolPoint,
                    Some(crate::domain::geometry::ShapeKind::Point),
                ),
                (
                    Tool::ExtremeBox,
                    UiCommand::ToolExtremeBox,
                    Some(crate::domain::geometry::ShapeKind::Rectangle),
                ),
                (Tool::Select, UiCommand::ToolSelect, None),
            ];
            for (tool, command, kind) in tools {
                let allowed = kind.is_none_or(|k| bundle.tools.contains(&k));
                let text = format!("{}  ({})", tool.name(), command.shortcut_text());
                let response = ui.add_enabled(
                    allowed,
                    egui::Button::selectable(app.canvas.tool == tool, text),
                );
                if response.clicked() {
                    actions.push(Action::Command(command));
                }
            }
            ui.separator();
            ui.heading("Labels");
            for (index, label) in bundle.labels.iter().enumerate() {
                let current = index == app.current_label_index();
                let color = Color32::from_rgb(label.color[0], label.color[1], label.color[2]);
                ui.horizontal(|ui| {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(16.0, 16.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 3.0, color);
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
            ui.label(RichText::new(app.canvas.tool.hint()).small());
        });
    for action in actions {
        app.push(action);
    }
}
