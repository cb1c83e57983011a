//! Applying what the worker asked for (keys, commands, panel and canvas actions, picked files),
//! after layout; what background work finished is in `finished.rs`.

use super::App;
use super::dialogs::Picked;
use crate::domain::annotation::Region;
use crate::domain::edit::Edit;
use crate::domain::session::Session;
use crate::ui::canvas::{CanvasAction, Tool};
use crate::ui::command::UiCommand;
use crate::ui::forms::SettingsForm;
use crate::ui::state::{Action, Closing, Opened, PathPrompt, PathPurpose};
use std::path::PathBuf;

/// What the window says when the system has no file dialog.
const NO_DIALOG: &str = "No file dialog is available on this system (it needs a desktop portal or the zenity program). Type the path instead:";

/// What saving the settings says in a read-only window.
const READ_ONLY_SETTINGS: &str =
    "Not saved: this window is read-only (another window holds the data folder).";

impl App {
    /// Reads the keyboard: command shortcuts, label digits, arrow nudges. Skipped while a text field
    /// has focus, so typing a skip reason or a path does not trigger tools.
    pub(super) fn read_keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input()
            || self.view.skip_reason.is_some()
            || self.view.path_prompt.is_some()
        {
            return;
        }
        for command in UiCommand::consume_pressed(ctx) {
            self.actions.push(Action::Command(command));
        }
        let digits = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
            egui::Key::Num8,
            egui::Key::Num9,
        ];
        let digit = ctx.input_mut(|i| {
            digits
                .iter()
                .position(|k| i.consume_key(egui::Modifiers::NONE, *k))
        });
        if let Some(d) = digit
            && let Some(session) = self.session()
        {
            let digit = u8::try_from(d + 1).unwrap_or(1);
            let bundle = session.bundle();
            if let Some(label) = bundle.label_for_hotkey(digit)
                && let Some(index) = bundle.labels.iter().position(|l| l.name == label.name)
            {
                self.actions.push(Action::PickLabel(index));
            }
        }
        if self.view.canvas.tool() == Tool::Select && self.view.canvas.selected.is_some() {
            let nudge = ctx.input_mut(|i| {
                let step = if i.modifiers.shift { 10.0 } else { 1.0 };
                let mut d = (0.0, 0.0);
                for (key, dx, dy) in [
                    (egui::Key::ArrowLeft, -step, 0.0),
                    (egui::Key::ArrowRight, step, 0.0),
                    (egui::Key::ArrowUp, 0.0, -step),
                    (egui::Key::ArrowDown, 0.0, step),
                ] {
                    let n = i.count_and_consume_key(egui::Modifiers::NONE, key) as f64;
                    d.0 += dx * n;
                    d.1 += dy * n;
                }
                d
            });
            if nudge != (0.0, 0.0) {
                self.actions.push(Action::Nudge(nudge.0, nudge.1));
            }
        }
    }

    /// Applies the actions collected during layout, in order.
    pub(super) fn apply_actions(&mut self) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action);
        }
    }

    fn apply(&mut self, action: Action) {
        let now = (self.config.clock)();
        match action {
            Action::Command(command) => self.run_command(command),
            Action::PickLabel(index) => {
                self.work_started(now);
                self.view.current_label = index;
                let label = self.current_label().map(str::to_owned);
                if let (Some(id), Some(label)) = (self.view.canvas.selected.clone(), label) {
                    self.edit(Edit::Relabel { id, label });
                }
            }
            Action::Select(id) | Action::Canvas(CanvasAction::Select(id)) => {
                self.view.canvas.selected = id;
            }
            Action::ToggleRegion(id) => {
                let hidden = &mut self.view.canvas.hidden;
                if !hidden.remove(&id) {
                    hidden.insert(id);
                }
            }
            Action::GoToTask(index) => self.go_to(index),
            Action::OpenPath(path) => self.open_bundle(path),
            Action::OpenReadOnly(path) => {
                let previous = self.take_session();
                self.work.opened = Opened::Opening(Some(path.clone()));
                self.jobs.open_read_only(Some(path), previous);
            }
            Action::OpenForWork(path) => self.jobs.try_for_work(path),
            Action::Canvas(CanvasAction::AddShape(shape)) => {
                self.resume_if_paused(now);
                let Some(label) = self.current_label().map(str::to_owned) else {
                    return;
                };
                let drawing_ms = self.logged.draft_started.take().map_or(0, |started| {
                    u64::try_from((now - started).num_milliseconds()).unwrap_or(0)
                });
                let Some(session) = self.work.session_mut() else {
                    return;
                };
                let region = Region::new(session.new_region_id(), label, shape);
                let edit = Edit::AddRegion {
                    region,
                    index: None,
                };
                if let Err(e) = session.apply_drawn(edit, drawing_ms, now) {
                    self.view
                        .say(format!("could not add the region: {e}"), true);
                }
            }
            Action::Canvas(CanvasAction::Apply(edit)) => self.edit(*edit),
            Action::Canvas(CanvasAction::Pressed) => self.work_started(now),
            Action::Nudge(dx, dy) => {
                if let Some(id) = self.view.canvas.selected.clone() {
                    self.edit(Edit::MoveRegion { id, dx, dy });
                }
            }
            Action::ConfirmSkip => {
                let reason = self.view.skip_reason.take().unwrap_or_default();
                if let Some(session) = self.work.session_mut() {
                    if let Err(refused) = session.skip(Some(&reason), now) {
                        self.view.say(format!("Not skipped: {refused}."), true);
                        return;
                    }
                    self.view.say("Task skipped.", false);
                }
                self.open_next_unfinished();
                self.refresh_money();
            }
            Action::CancelSkip => self.view.skip_reason = None,
            Action::CloseAnyway => {
                self.view.closing = Closing::Anyway;
                self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Action::KeepOpen => self.view.closing = Closing::No,
            Action::DismissNotice(i) => {
                if i < self.view.notices.len() {
                    self.view.notices.remove(i);
                }
            }
            Action::SaveSettings(_) if self.read_only() => {
                self.view.settings_error = Some(READ_ONLY_SETTINGS.to_owned());
            }
            Action::SaveSettings(settings) => self.jobs.save_settings(*settings),
            Action::ExportMyData => {
                let name = format!("clickwork-my-data-{}.zip", now.format("%Y%m%d"));
                self.pick(PathPurpose::ExportMyData, Some(name));
            }
            Action::DeleteMyData if self.read_only() => {
                self.view.say(
                    "Nothing deleted: this window is read-only. Close the other window and open \
                     the bundle for work first.",
                    true,
                );
            }
            Action::DeleteMyData => {
                let previous = self.take_session();
                let reopen = previous.as_ref().map(|s| s.bundle().source.clone());
                self.work.opened = Opened::Opening(reopen.clone());
                self.view.shown.settings = false;
                self.jobs.delete_my_data(previous, reopen);
            }
            Action::UsePath(purpose, path) => {
                self.view.path_prompt = None;
                self.use_path(purpose, path);
            }
            Action::ClosePathPrompt => self.view.path_prompt = None,
            Action::BrowseInstead(purpose) => {
                self.view.path_prompt = None;
                self.pick(purpose, None);
            }
        }
    }

    fn run_command(&mut self, command: UiCommand) {
        if let Some(tool) = Tool::for_command(command) {
            self.set_tool(tool);
            return;
        }
        match command {
            UiCommand::Undo | UiCommand::Redo | UiCommand::RedoAlt => self.undo_redo(command),
            UiCommand::Submit => self.submit(),
            UiCommand::Skip => match self.session() {
                Some(session) if session.is_read_only() => {
                    let refused = crate::domain::session::SubmitRefused::ReadOnly;
                    self.view.say(format!("Not skipped: {refused}."), true);
                }
                Some(_) => self.view.skip_reason = Some(String::new()),
                None => {}
            },
            UiCommand::PreviousTask => {
                if let Some(i) = self.session().map(Session::task_index)
                    && i > 0
                {
                    self.go_to(i - 1);
                }
            }
            UiCommand::NextTask => {
                if let Some(s) = self.session() {
                    let next = s.task_index() + 1;
                    if next < s.bundle().tasks.len() {
                        self.go_to(next);
                    }
                }
            }
            UiCommand::FitView => self.view.canvas.fit_pending = true,
            UiCommand::ActualSize => self.view.canvas.view.actual_size(),
            UiCommand::ToggleRegions => {
                self.view.canvas.regions_visible = !self.view.canvas.regions_visible;
            }
            UiCommand::DeleteSelected => {
                if let Some(id) = self.view.canvas.selected.take() {
                    self.edit(Edit::DeleteRegion { id });
                }
            }
            UiCommand::FinishPolygon => {
                if let Some(shape) = self.view.canvas.finish_draft() {
                    self.apply(Action::Canvas(CanvasAction::AddShape(shape)));
                }
            }
            UiCommand::RemoveLastVertex => {
                self.view.canvas.remove_last_vertex();
            }
            UiCommand::Cancel => {
                if !self.view.canvas.cancel_draft() {
                    self.view.canvas.selected = None;
                }
                self.view.shown.help = false;
            }
            UiCommand::ToggleInstructions => {
                self.view.shown.instructions = !self.view.shown.instructions;
            }
            UiCommand::Earnings => {
                self.view.shown.earnings = !self.view.shown.earnings;
                if self.view.shown.earnings {
                    self.refresh_money();
                }
            }
            UiCommand::Settings => {
                self.view.shown.settings = !self.view.shown.settings;
                self.view.settings_form = SettingsForm::from_settings(&self.work.settings);
                self.view.settings_error = None;
            }
            UiCommand::TogglePause => self.toggle_pause(),
            UiCommand::ExportLabels => self.pick(PathPurpose::ExportLabels, None),
            UiCommand::ImportReview => self.pick(PathPurpose::ImportReview, None),
            UiCommand::Help => self.view.shown.help = !self.view.shown.help,
            UiCommand::OpenBundle => self.pick(PathPurpose::OpenFolder, None),
            UiCommand::OpenZip => self.pick(PathPurpose::OpenZip, None),
            // Tools were handled above.
            UiCommand::ToolRectangle
            | UiCommand::ToolPolygon
            | UiCommand::ToolPoint
            | UiCommand::ToolExtremeBox
            | UiCommand::ToolSelect => {}
        }
    }

    fn submit(&mut self) {
        let now = (self.config.clock)();
        let Some(session) = self.work.session_mut() else {
            return;
        };
        match session.submit(now) {
            Ok(()) => {
                self.view.canvas.cancel_draft();
                self.view.say("Task submitted.", false);
                self.open_next_unfinished();
                self.refresh_money();
            }
            Err(refused) => self.view.say(format!("Not submitted: {refused}."), true),
        }
    }

    fn toggle_pause(&mut self) {
        let now = (self.config.clock)();
        let Some(session) = self.work.session_mut() else {
            return;
        };
        if session.is_paused() {
            session.resume(now);
            self.view.say("Resumed.", false);
        } else {
            session.pause(now);
            self.view
                .say("Paused: the clock is stopped until you resume.", false);
        }
    }

    fn undo_redo(&mut self, command: UiCommand) {
        let now = (self.config.clock)();
        // A draft in progress is cancelled first: it is not an undo step yet.
        if command == UiCommand::Undo && self.view.canvas.cancel_draft() {
            return;
        }
        let Some(session) = self.work.session_mut() else {
            return;
        };
        let undo = command == UiCommand::Undo;
        let result = if undo {
            session.undo(now)
        } else {
            session.redo(now)
        };
        match result {
            Ok(Some(edit)) => {
                let verb = if undo { "Undid" } else { "Redid" };
                self.view.say(format!("{verb}: {}", edit.name()), false);
            }
            Ok(None) => self.view.say("Nothing to undo or redo.", false),
            Err(e) => self.view.say(format!("could not undo or redo: {e}"), true),
        }
        if let Some(id) = &self.view.canvas.selected
            && self
                .session()
                .is_some_and(|s| s.annotation().region(id).is_none())
        {
            self.view.canvas.selected = None;
        }
    }

    fn set_tool(&mut self, tool: Tool) {
        if let (Some(kind), Some(session)) = (tool.spec().draws, self.session())
            && !session.bundle().tools.contains(&kind)
        {
            self.view
                .say(format!("This bundle does not use {kind}s."), true);
            return;
        }
        self.work_started((self.config.clock)());
        self.view.canvas.set_tool(tool);
    }

    /// The worker turned to the task (a press on the image, a tool or a label picked): reading the
    /// instructions, if they were open, is over.
    fn work_started(&mut self, now: chrono::DateTime<chrono::Utc>) {
        if let Some(session) = self.work.session_mut() {
            session.work_started(now);
        }
    }

    /// A worker who paused and then changes a region is working again: the clock resumes by itself
    /// rather than losing that time.
    fn resume_if_paused(&mut self, now: chrono::DateTime<chrono::Utc>) {
        if let Some(session) = self.work.session_mut()
            && session.is_paused()
        {
            session.resume(now);
            self.view.say("Resumed: the clock runs again.", false);
        }
    }

    pub(super) fn edit(&mut self, edit: Edit) {
        let now = (self.config.clock)();
        self.resume_if_paused(now);
        let Some(session) = self.work.session_mut() else {
            return;
        };
        if let Err(e) = session.apply(edit, now) {
            self.view
                .say(format!("could not change the region: {e}"), true);
        }
    }

    /// Opens task `index`: at once when its file was read ahead, else as soon as it is.
    fn go_to(&mut self, index: usize) {
        let now = (self.config.clock)();
        let Some(session) = self.work.session_mut() else {
            return;
        };
        if index == session.task_index() {
            return;
        }
        match session.request_task(index, now) {
            Ok(true) => self.task_opened(),
            Ok(false) => {}
            Err(e) => self.view.say(format!("could not open the task: {e}"), true),
        }
    }

    /// Another task is open: per-task view state starts afresh.
    pub(super) fn task_opened(&mut self) {
        self.view.canvas.reset_for_task();
        self.view.scroll_to_task = true;
        self.prefetch_pending = true;
    }

    fn open_next_unfinished(&mut self) {
        match self.session().and_then(Session::next_unfinished) {
            Some(next) => self.go_to(next),
            None => self.view.say("All tasks are finished. Thank you!", false),
        }
    }

    /// Whether the open session is read-only (another window holds the data folder).
    fn read_only(&self) -> bool {
        self.session().is_some_and(Session::is_read_only)
    }

    fn take_session(&mut self) -> Option<Box<Session>> {
        match std::mem::replace(&mut self.work.opened, Opened::Opening(None)) {
            Opened::Session(session) => {
                // What the next session has not saved is its own to say.
                self.view.unsaved = None;
                Some(session)
            }
            other => {
                self.work.opened = other;
                None
            }
        }
    }

    /// Opens the bundle at `path` in the background, ending the open one first; refused while some of
    /// the open one's work is not on disk, which ending it would lose.
    pub(super) fn open_bundle(&mut self, path: PathBuf) {
        if let Some(unsaved) = &self.view.unsaved {
            let message = format!(
                "Not opened: {} change(s) of this bundle are not saved yet ({}); opening another now \
                 would lose them. Free some disk space or give the data folder back first.",
                unsaved.count, unsaved.error
            );
            self.view.say(message, true);
            return;
        }
        let previous = self.take_session();
        self.work.opened = Opened::Opening(Some(path.clone()));
        self.set_title("clickwork");
        let settings = self.work.settings.clone();
        self.jobs.open(Some(path), previous, Some(settings));
    }

    /// Asks for a path with the system's dialog.
    fn pick(&mut self, purpose: PathPurpose, suggested: Option<String>) {
        if matches!(
            purpose,
            PathPurpose::ExportLabels | PathPurpose::ImportReview
        ) && self.session().is_none()
        {
            return;
        }
        let ctx = self.ctx.clone();
        self.dialogs
            .open(purpose, suggested, move || ctx.request_repaint());
    }

    pub(super) fn on_picked(&mut self, picked: Picked) {
        match picked {
            Picked::Path(purpose, path) => self.use_path(purpose, path),
            Picked::Cancelled(_) => self.view.say("Cancelled: nothing was picked.", false),
            Picked::Unavailable(purpose) => {
                self.view.path_prompt = Some(PathPrompt {
                    purpose,
                    text: String::new(),
                    note: Some(NO_DIALOG.to_owned()),
                });
            }
        }
    }

    fn use_path(&mut self, purpose: PathPurpose, path: PathBuf) {
        let now = (self.config.clock)();
        match purpose {
            PathPurpose::OpenFolder | PathPurpose::OpenZip => self.open_bundle(path),
            PathPurpose::ExportLabels => {
                let name = self
                    .session()
                    .map_or("bundle".to_owned(), |s| s.bundle().id.clone());
                let stamp = now.format("%Y%m%d-%H%M%S");
                self.export_labels_to(path.join(format!("{name}-labels-{stamp}")));
            }
            PathPurpose::ImportReview => self.import_review(path),
            PathPurpose::ExportMyData => {
                // The log must be on disk before it is copied.
                self.flush();
                self.jobs.export_my_data(path);
            }
        }
    }
}
