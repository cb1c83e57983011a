//! What the window does when background work finishes: a bundle opened (or refused), settings
//! saved, the worker's data exported or deleted, a review imported, the data folder free for work.

use super::App;
use super::jobs::{Done, Opening};
use crate::domain::annotation::TaskStatus;
use crate::ui::forms::SettingsForm;
use crate::ui::state::Opened;

impl App {
    /// Takes what a background job finished.
    pub(super) fn on_done(&mut self, done: Done) {
        match done {
            Done::Opened(opening) => self.on_opened(*opening),
            Done::SettingsSaved(Ok(settings)) => {
                self.work.settings = *settings;
                self.view.say("Settings saved.", false);
                self.refresh_money();
            }
            Done::SettingsSaved(Err(e)) => self.view.settings_error = Some(e),
            Done::ForWork(Ok(path)) => self.open_bundle(path),
            Done::ForWork(Err(e)) => self.view.say(format!("Still read-only: {e}"), true),
            Done::MyDataExported(Ok((n, out))) => self
                .view
                .say(format!("Exported {n} files to {}.", out.display()), false),
            Done::MyDataExported(Err(e)) => self.view.say(format!("Export failed: {e}"), true),
            Done::MyDataDeleted(deleted, opening) => {
                match deleted {
                    Ok(n) => self
                        .view
                        .say(format!("Deleted your data ({n} items)."), false),
                    Err(e) => self
                        .view
                        .say(format!("Could not delete everything: {e}"), true),
                }
                self.work.money.other_logs.clear();
                self.on_opened(*opening);
            }
            Done::ReviewImported(Ok(imported)) => {
                let (summary, reviews) = *imported;
                if let Some(session) = self.work.session_mut() {
                    session.set_reviews(reviews);
                }
                self.view.notices.extend(summary.warnings.iter().cloned());
                self.view.say(
                    format!(
                        "Review imported: {} approved, {} rejected.",
                        summary.approved, summary.rejected
                    ),
                    false,
                );
                self.refresh_money();
            }
            Done::ReviewImported(Err(e)) => {
                // Every bad row is listed; nothing was applied.
                self.view.notices.push(e);
                self.view.say(
                    "The review file was not applied; see the notice above.",
                    true,
                );
            }
        }
    }

    fn on_opened(&mut self, opening: Opening) {
        let Opening {
            path,
            settings,
            recent,
            result,
            warnings,
            held_elsewhere,
        } = opening;
        if let Some(settings) = settings {
            self.view.settings_form = SettingsForm::from_settings(&settings);
            self.work.settings = settings;
        }
        self.work.recent = recent;
        self.view.notices.extend(warnings);
        match result {
            Ok(opened) => {
                if let Some(change) = &opened.report.manifest_change {
                    self.view.notices.push(change.describe());
                }
                self.view
                    .notices
                    .extend(opened.report.warnings.iter().cloned());
                let session = opened.session;
                let title = session.bundle().title.clone();
                let read_only = session.is_read_only();
                // A fresh bundle opens with its instructions, so the worker reads them first.
                self.view.shown.instructions = session.bundle().instructions.is_some()
                    && session.statuses().iter().all(|s| *s == TaskStatus::New);
                self.logged.instructions = false;
                self.work.money.other_logs = opened.other_logs;
                self.work.opened = Opened::Session(session);
                self.view.current_label = 0;
                self.task_opened();
                self.refresh_money();
                if read_only {
                    self.set_title(&format!(
                        "clickwork — {title} (read-only: another window holds the data folder)"
                    ));
                } else {
                    self.set_title(&format!("clickwork — {title}"));
                }
            }
            Err(problems) => {
                self.work.opened = Opened::Failed {
                    path,
                    problems,
                    held_elsewhere,
                };
                self.set_title("clickwork");
            }
        }
    }
}
