//! What the window shows when a bundle cannot be opened.

use crate::domain::store::RecentBundles;
use crate::ui::command::UiCommand;
use crate::ui::state::Action;
use std::path::Path;

/// Every problem with the bundle at `path`, and ways on: open it read-only when another window
/// holds the data folder (`held_elsewhere`), open another, or a recent one.
pub fn problems_ui(
    ui: &mut egui::Ui,
    path: &Path,
    problems: &[String],
    held_elsewhere: bool,
    recent: &RecentBundles,
    actions: &mut Vec<Action>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        if held_elsewhere {
            ui.heading(format!("Not opened for work: {}", path.display()));
        } else {
            ui.heading(format!("This bundle cannot be opened: {}", path.display()));
        }
        let plural = if problems.len() == 1 { "" } else { "s" };
        ui.label(format!("{} problem{plural}:", problems.len()));
        for problem in problems {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.separator();
        if held_elsewhere {
            ui.label(
                "You can still look at the work: read-only, this window shows every task as saved \
                 and writes nothing at all.",
            );
            if ui.button("Open read-only").clicked() {
                actions.push(Action::OpenReadOnly(path.to_owned()));
            }
            ui.separator();
        }
        if ui.button("Open another bundle…").clicked() {
            actions.push(Action::Command(UiCommand::OpenBundle));
        }
        if !recent.bundles.is_empty() {
            ui.label("Recent bundles:");
            for bundle in &recent.bundles {
                if ui
                    .link(format!("{} — {}", bundle.title, bundle.path.display()))
                    .clicked()
                {
                    actions.push(Action::OpenPath(bundle.path.clone()));
                }
            }
        }
        if ui.button("Open the sample bundle").clicked() {
            actions.push(Action::OpenPath(crate::domain::bundle::sample_bundle_path()));
        }
    });
}
