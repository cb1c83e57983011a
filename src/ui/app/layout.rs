//! What `ui()` lays out around the panels: the export window, the earnings view and the settings,
//! and the canvas (or why no bundle is open). Layout only: what the worker does comes back as
//! actions.

use super::App;
use super::FirstPhoto;
use crate::ui::canvas::CanvasInput;
use crate::ui::command::UiCommand;
use crate::ui::export_job::ExportStatus;
use crate::ui::image_loader::ImageState;
use crate::ui::panels;
use crate::ui::state::{Action, Opened, label_color};

impl App {
    /// The export window, the earnings view and the settings, when open.
    pub(super) fn windows_ui(&mut self, ctx: &egui::Context) {
        if let Some(job) = &mut self.export {
            let status = job.poll().clone();
            let mut open = true;
            egui::Window::new("Export labels")
                .open(&mut open)
                .collapsible(false)
                .show(ctx, |ui| match &status {
                    ExportStatus::Running(done, total) => {
                        let fraction = *done as f32 / (*total).max(1) as f32;
                        ui.add(egui::ProgressBar::new(fraction).show_percentage());
                        ui.label("Writing COCO, YOLO, Pascal VOC, LabelMe and CVAT…");
                    }
                    ExportStatus::Finished(summary) => {
                        ui.label(summary);
                    }
                    ExportStatus::Failed(message) => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("The export failed: {message}"),
                        );
                    }
                });
            if !open && !matches!(status, ExportStatus::Running(..)) {
                self.export = None;
            }
        }
        let (work, view, actions) = (&self.work, &mut self.view, &mut self.actions);
        if view.shown.earnings {
            let mut open = true;
            egui::Window::new("Earnings and time")
                .open(&mut open)
                .default_size([640.0, 600.0])
                .show(ctx, |ui| {
                    if work.session().is_some() && ui.button("Import a review file…").clicked() {
                        actions.push(Action::Command(UiCommand::ImportReview));
                    }
                    panels::earnings_ui(
                        ui,
                        &work.money.dashboard,
                        &work.settings.reference_wage,
                        &work.money.wage_curve,
                        &mut view.earnings,
                    );
                });
            view.shown.earnings = open;
        }
        if view.shown.settings {
            let mut open = true;
            let mut stays = true;
            egui::Window::new("Settings")
                .open(&mut open)
                .collapsible(false)
                .show(ctx, |ui| {
                    stays = panels::settings_ui(
                        ui,
                        &mut view.settings_form,
                        &work.settings,
                        &mut view.settings_error,
                        actions,
                    );
                });
            view.shown.settings = open && stays;
        }
    }

    pub(super) fn central_ui(&mut self, ui: &mut egui::Ui) {
        if !self.view.canvas.is_drawing() {
            self.logged.draft_started = None;
        }
        let session = match &self.work.opened {
            Opened::Failed {
                path,
                problems,
                held_elsewhere,
            } => {
                egui::Frame::central_panel(ui.style()).show(ui, |ui| {
                    let held_elsewhere = *held_elsewhere;
                    let recent = &self.work.recent;
                    let actions = &mut self.actions;
                    panels::problems_ui(ui, path, problems, held_elsewhere, recent, actions);
                });
                return;
            }
            Opened::Opening(_) => {
                ui.centered_and_justified(|ui| ui.spinner());
                return;
            }
            Opened::Session(session) => session,
        };
        let task = session.task();
        let image = match self.loader.get(&task.image_path) {
            // An image replaced since the bundle was opened would put regions in the wrong pixels.
            ImageState::Ready { full_size, .. } | ImageState::Tiled { full_size, .. }
                if let Some(problem) = crate::domain::image_decode::size_changed(
                    &task.image_path,
                    (task.width, task.height),
                    (full_size.x as u32, full_size.y as u32),
                ) =>
            {
                ImageState::Failed(problem)
            }
            image => image,
        };
        let bundle = session.bundle();
        let color_of = |label: &str| label_color(bundle, label);
        let input = CanvasInput {
            image: &image,
            image_size: egui::vec2(task.width as f32, task.height as f32),
            annotation: session.annotation(),
            hits: session.hits(),
            color_of: &color_of,
        };
        let actions = self.view.canvas.ui(ui, &input);
        self.loader
            .want_tiles(&task.image_path, &self.view.canvas.tiles().wanted);
        self.actions.extend(actions.into_iter().map(Action::Canvas));
        let painted = match &image {
            ImageState::Ready { .. } => true,
            ImageState::Tiled { .. } => self.view.canvas.tiles().drawn > 0,
            _ => false,
        };
        if painted && self.logged.first_photo == FirstPhoto::NotYet {
            // Logged at the start of the next frame, once this one has been drawn and presented.
            self.logged.first_photo = FirstPhoto::Painted(task.width, task.height);
            ui.ctx().request_repaint();
        }
        if self.view.canvas.is_drawing() && self.logged.draft_started.is_none() {
            self.logged.draft_started = Some((self.config.clock)());
        }
    }
}
