//! The right panel: the task's regions, the task list, and the instructions.

use crate::domain::session::Session;
use crate::ui::command::UiCommand;
use crate::ui::state::{Action, ViewState, label_color};
use egui::RichText;

/// Regions (label, shape, visibility, click to select), tasks with their status, instructions.
pub fn right_panel_ui(
    ui: &mut egui::Ui,
    session: &Session,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    let bundle = session.bundle();
    let show_instructions = view.shown.instructions;
    egui::Panel::right("regions_tasks_instructions")
        .resizable(true)
        .default_size(300.0)
        .show(ui, |ui| {
            if let Some(instructions) = &bundle.instructions {
                instructions_ui(ui, bundle, instructions, show_instructions, view, actions);
            }
            if let Some(hint) = &session.task().hint {
                egui::ScrollArea::vertical()
                    .id_salt("hint")
                    .max_height(ui.available_height() * 0.2)
                    .show(ui, |ui| ui.label(RichText::new(hint).italics()));
                ui.separator();
            }
            let regions = &session.annotation().regions;
            ui.heading(format!("Regions ({})", regions.len()));
            if regions.is_empty() {
                ui.label("None yet: pick a label and draw.");
            }
            // The regions above, the task list below, each scrolling on its own and laying out
            // only the rows in view: a task may have thousands of regions, a bundle 100,000 tasks.
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical()
                .id_salt("regions")
                .max_height(ui.available_height() * 0.5)
                .auto_shrink([false, true])
                .show_rows(ui, row_height, regions.len(), |ui, rows| {
                    for row in rows {
                        // Newest first.
                        let Some(region) = regions
                            .len()
                            .checked_sub(row + 1)
                            .and_then(|i| regions.get(i))
                        else {
                            continue;
                        };
                        region_row_ui(ui, bundle, region, view, actions);
                    }
                });
            ui.separator();
            super::task_list::task_list_ui(ui, session, view, actions);
        });
}

/// One region's row: its colour, id, label and kind (with a warning when its shape is not valid),
/// selecting it on a click, and its hide/show button.
fn region_row_ui(
    ui: &mut egui::Ui,
    bundle: &crate::domain::bundle::Bundle,
    region: &crate::domain::annotation::Region,
    view: &ViewState,
    actions: &mut Vec<Action>,
) {
    let selected = view.canvas.selected.as_deref() == Some(region.id.as_str());
    let hidden = view.canvas.hidden.contains(&region.id);
    let color = label_color(bundle, &region.label);
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, color);
        let issues = region.shape.issues();
        let warn = if issues.is_empty() { "" } else { " (!)" };
        let text = format!(
            "{} · {} · {}{warn}",
            region.id,
            region.label,
            region.shape.kind()
        );
        let mut response = ui.add(egui::Button::selectable(selected, text));
        if !issues.is_empty() {
            let list: Vec<String> = issues.iter().map(ToString::to_string).collect();
            response = response.on_hover_text(format!("This region {}.", list.join(" and ")));
        }
        if response.clicked() {
            actions.push(Action::Select(Some(region.id.clone())));
        }
        let eye = if hidden { "show" } else { "hide" };
        if ui
            .small_button(eye)
            .on_hover_text(format!("{eye} {}", region.id))
            .clicked()
        {
            actions.push(Action::ToggleRegion(region.id.clone()));
        }
    });
}

/// The instructions at the bottom of the panel, in their own scroll area that lays out only the
/// visible part of the text each frame (a long CommonMark text costs nothing off-screen).
fn instructions_ui(
    ui: &mut egui::Ui,
    bundle: &crate::domain::bundle::Bundle,
    instructions: &str,
    open: bool,
    view: &mut ViewState,
    actions: &mut Vec<Action>,
) {
    let title = format!(
        "Instructions ({})",
        UiCommand::ToggleInstructions.shortcut_text()
    );
    let panel = egui::Panel::bottom("instructions")
        .resizable(open)
        .default_size(ui.available_height() * 0.45)
        .min_size(if open { 120.0 } else { 0.0 });
    panel.show(ui, |ui| {
        if ui
            .add(egui::Button::selectable(
                open,
                RichText::new(title).strong(),
            ))
            .on_hover_text(if open {
                "Hide the instructions"
            } else {
                "Show the instructions"
            })
            .clicked()
        {
            actions.push(Action::Command(UiCommand::ToggleInstructions));
        }
        if open {
            // Images in the instructions are files of the bundle, named relative to it.
            egui_commonmark::CommonMarkViewer::new()
                .default_implicit_uri_scheme(format!("file://{}/", bundle.root.display()))
                .max_image_width(Some(280))
                .show_scrollable(
                    egui::Id::unique("instructions_text"),
                    ui,
                    &mut view.markdown,
                    &egui_commonmark::CommonMarkScrollOptions::default().viewport_cache(true),
                    instructions,
                );
        }
    });
}
