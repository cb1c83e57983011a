//! The application: opens a bundle into a [`Session`], lays out the window, and applies what the
//! worker asked for after layout.

use crate::domain::annotation::Region;
use crate::domain::bundle::load_bundle;
use crate::domain::dashboard::{Dashboard, dashboard, wage_curve};
use crate::domain::edit::Edit;
use crate::domain::ledger::{WorkspaceLog, load_all_logs};
use crate::domain::session::Session;
use crate::domain::settings::Settings;
use crate::domain::store::{RecentBundles, Saver};
use crate::domain::worklog::{ClockState, InputKind};
use crate::ui::canvas::Draft;
use crate::ui::canvas::{Canvas, CanvasAction, CanvasInput, Tool};
use crate::ui::command::UiCommand;
use crate::ui::image_loader::{ImageLoader, ImageState};
use crate::ui::panels::{EarningsState, SettingsAction, SettingsForm};
use crate::ui::{AppConfig, initial_bundle, panels};
use chrono::{DateTime, Utc};
use egui::Color32;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// What the window shows: an open bundle, or why it could not be opened.
enum Opened {
    Session(Box<Session>),
    Failed {
        path: PathBuf,
        problems: Vec<String>,
    },
}

/// Something the worker asked for, collected during layout and applied after it.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A command from a key, button or menu.
    Command(UiCommand),
    /// Pick the label at this index (relabels the selected region if there is one).
    PickLabel(usize),
    /// Select a region (or none).
    Select(Option<String>),
    /// Hide or show one region.
    ToggleRegion(String),
    /// Open the task at this index.
    GoToTask(usize),
    /// Open the bundle at this path.
    OpenPath(PathBuf),
    /// What the canvas asked for.
    Canvas(CanvasAction),
    /// Nudge the selected region by this many image pixels.
    Nudge(f64, f64),
    /// Confirm the skip dialog.
    ConfirmSkip,
    /// Close the skip dialog.
    CancelSkip,
    /// Dismiss the notice at this index.
    DismissNotice(usize),
}

/// A short message in the status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// True for something that went wrong.
    pub is_error: bool,
}

/// The clickwork window.
pub struct App {
    config: AppConfig,
    opened: Opened,
    /// The canvas state (view, tool, draft, selection).
    pub canvas: Canvas,
    loader: ImageLoader,
    current_label: usize,
    message: Option<Message>,
    notices: Vec<String>,
    show_help: bool,
    show_instructions: bool,
    /// What the instructions panel showed when the work log last heard of it.
    logged_instructions: bool,
    /// The window's focus as the work log last heard of it.
    logged_focus: bool,
    show_earnings: bool,
    show_settings: bool,
    settings: Settings,
    settings_form: SettingsForm,
    settings_error: Option<String>,
    /// Work logs of the other bundles, read when a bundle opens (the open one's is in its session).
    other_logs: Vec<WorkspaceLog>,
    /// The earnings view's numbers, recomputed when a task is finished or settings change.
    dashboard: Dashboard,
    wage_curve: Vec<(f64, Decimal)>,
    earnings_state: EarningsState,
    /// When the shape being drawn was started, for the work log's drawing time.
    draft_started: Option<DateTime<Utc>>,
    /// The export running or last finished, shown in its own window.
    export: Option<crate::ui::export_job::ExportJob>,
    skip_reason: Option<String>,
    /// Prefetching waits for the first frame, when the GPU's texture limit is known.
    prefetch_pending: bool,
    recent: RecentBundles,
    actions: Vec<Action>,
    ctx: egui::Context,
}

impl App {
    /// Creates the app and opens the bundle `config` asks for (else the last one, else the sample).
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> Self {
        let ctx = cc.egui_ctx.clone();
        let wake_ctx = ctx.clone();
        let loader = ImageLoader::new(config.load_options.max_pixels, move || {
            wake_ctx.request_repaint()
        });
        let path = initial_bundle(config.bundle_path.as_deref(), &config.data_dir);
        let recent = RecentBundles::load(&config.data_dir).unwrap_or_default();
        let mut notices = Vec::new();
        let settings = match Settings::load_or_create(&config.data_dir, (config.clock)()) {
            Ok((settings, warnings)) => {
                notices.extend(warnings);
                settings
            }
            Err(e) => {
                notices.push(format!("settings not saved, using defaults: {e}"));
                Settings::new((config.clock)())
            }
        };
        let mut app = App {
            config,
            opened: Opened::Failed {
                path: PathBuf::new(),
                problems: Vec::new(),
            },
            canvas: Canvas::default(),
            loader,
            current_label: 0,
            message: None,
            notices,
            show_help: false,
            show_instructions: false,
            logged_instructions: false,
            logged_focus: true,
            show_earnings: false,
            show_settings: false,
            settings_form: SettingsForm::from_settings(&settings),
            settings,
            settings_error: None,
            other_logs: Vec::new(),
            dashboard: Dashboard::default(),
            wage_curve: Vec::new(),
            earnings_state: EarningsState::default(),
            draft_started: None,
            export: None,
            skip_reason: None,
            prefetch_pending: false,
            recent,
            actions: Vec::new(),
            ctx,
        };
        app.open_bundle(&path);
        app
    }

    /// Loads and opens the bundle at `path`; a bundle that fails validation shows its problems.
    pub fn open_bundle(&mut self, path: &Path) {
        let now = (self.config.clock)();
        self.end_session(now);
        let bundle = match load_bundle(path, &self.config.load_options) {
            Ok(bundle) => bundle,
            Err(errors) => {
                self.opened = Opened::Failed {
                    path: path.to_owned(),
                    problems: errors.problems.iter().map(ToString::to_string).collect(),
                };
                self.set_title("clickwork");
                return;
            }
        };
        let title = bundle.title.clone();
        let ctx = self.ctx.clone();
        let saver = Saver::with_wake(Some(Box::new(move || ctx.request_repaint())));
        let worker_id = self.settings.worker_id.clone();
        match Session::open(bundle, &self.config.data_dir, saver, &worker_id, now) {
            Ok((session, report)) => {
                if let Some(change) = report.manifest_change {
                    self.notices.push(change.describe());
                }
                self.notices.extend(report.warnings);
                // A fresh bundle opens with its instructions, so the worker reads them first.
                self.show_instructions = session.bundle().instructions.is_some()
                    && session
                        .statuses()
                        .iter()
                        .all(|s| *s == crate::domain::annotation::TaskStatus::New);
                let bundle_id = session.bundle().id.clone();
                self.opened = Opened::Session(Box::new(session));
                self.logged_instructions = false;
                match load_all_logs(&self.config.data_dir) {
                    Ok((mut logs, warnings)) => {
                        logs.retain(|l| l.bundle_id != bundle_id);
                        self.other_logs = logs;
                        self.notices.extend(warnings);
                    }
                    Err(e) => self
                        .notices
                        .push(format!("earnings of other bundles left out: {e}")),
                }
                self.refresh_money();
                self.current_label = 0;
                self.canvas.reset_for_task();
                self.prefetch_pending = true;
                self.set_title(&format!("clickwork — {title}"));
                self.recent.push(path, &title, now);
                if let Err(e) = self.recent.save(&self.config.data_dir) {
                    self.notices
                        .push(format!("could not update the recent bundles list: {e}"));
                }
            }
            Err(e) => {
                self.opened = Opened::Failed {
                    path: path.to_owned(),
                    problems: vec![e.to_string()],
                };
                self.set_title("clickwork");
            }
        }
    }

    /// The open session, if a bundle is open.
    pub fn session(&self) -> Option<&Session> {
        match &self.opened {
            Opened::Session(session) => Some(session),
            Opened::Failed { .. } => None,
        }
    }

    /// The problems that kept the last bundle from opening.
    pub fn problems(&self) -> &[String] {
        match &self.opened {
            Opened::Session(_) => &[],
            Opened::Failed { problems, .. } => problems,
        }
    }

    /// The status line's message.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// The name of the label new regions get.
    pub fn current_label(&self) -> Option<&str> {
        self.session()?
            .bundle()
            .labels
            .get(self.current_label)
            .map(|l| l.name.as_str())
    }

    /// True while the instructions panel is open.
    pub fn instructions_visible(&self) -> bool {
        self.show_instructions
    }

    /// True when the current task's image is decoded (or failed), for tests and benchmarks.
    pub fn image_settled(&self) -> bool {
        self.session()
            .map(|s| {
                !matches!(
                    self.loader.peek(&s.task().image_path),
                    None | Some(ImageState::Loading)
                )
            })
            .unwrap_or(true)
    }

    /// Why the current task's image cannot be shown, if it cannot (the canvas shows the same message).
    pub fn image_failure(&self) -> Option<&str> {
        let session = self.session()?;
        match self.loader.peek(&session.task().image_path) {
            Some(ImageState::Failed(message)) => Some(message),
            _ => None,
        }
    }

    /// Blocks until the current task's image is decoded or failed, up to `timeout` (tests and benchmarks).
    pub fn wait_for_image(&mut self, timeout: std::time::Duration) -> bool {
        let Some(path) = self.session().map(|s| s.task().image_path.clone()) else {
            return true;
        };
        let ctx = self.ctx.clone();
        self.loader.wait_for(&ctx, &path, timeout)
    }

    /// True while background work the window waits on is running.
    pub fn busy(&self) -> bool {
        self.export
            .as_ref()
            .is_some_and(crate::ui::export_job::ExportJob::is_running)
    }

    /// Blocks until every save so far is on disk (tests; the app flushes on exit by itself).
    pub fn flush(&self) {
        if let Some(session) = self.session() {
            session.flush();
        }
    }

    /// Ends the open session in the work log (and waits until it is on disk).
    fn end_session(&mut self, now: DateTime<Utc>) {
        if let Opened::Session(session) = &mut self.opened {
            session.end(now);
        }
    }

    /// Recomputes the earnings numbers: other bundles from their logs as read at open, the open one
    /// from its session (the journal on disk may lag its writer thread).
    fn refresh_money(&mut self) {
        let now = (self.config.clock)();
        let mut logs = self.other_logs.clone();
        let mut current = None;
        if let Opened::Session(session) = &self.opened {
            let log = WorkspaceLog {
                bundle_id: session.bundle().id.clone(),
                dir: session.workspace().dir().to_owned(),
                events: session.worklog().events().to_vec(),
                reviews: session.reviews().clone(),
            };
            current = Some((log.clone(), session.worklog().session_id().to_owned()));
            logs.push(log);
        }
        self.dashboard = dashboard(&logs, &self.settings, now, &chrono::Local);
        self.wage_curve = current
            .map(|(log, session_id)| {
                wage_curve(
                    &log,
                    &session_id,
                    &self.settings.reference_wage.currency,
                    self.settings.idle_ms(),
                )
            })
            .unwrap_or_default();
    }

    /// The earnings numbers the top bar and the earnings view show.
    pub fn dashboard(&self) -> &Dashboard {
        &self.dashboard
    }

    /// The worker's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The open task's active time as the top bar shows it, and whether it is counting.
    pub fn task_clock(&self) -> Option<(u64, ClockState)> {
        let now = (self.config.clock)();
        let clock = self.session()?.task_clock(now, self.settings.idle_ms());
        Some((clock.shown_ms(), clock.state))
    }

    fn set_title(&self, title: &str) {
        self.ctx
            .send_viewport_cmd(egui::ViewportCommand::Title(title.to_owned()));
    }

    fn say(&mut self, text: impl Into<String>, is_error: bool) {
        self.message = Some(Message {
            text: text.into(),
            is_error,
        });
    }

    fn prefetch(&mut self) {
        let Opened::Session(session) = &self.opened else {
            return;
        };
        let tasks = &session.bundle().tasks;
        let here = session.task_index();
        let mut ahead: Vec<PathBuf> = Vec::new();
        if let Some(next) = session.next_unfinished() {
            ahead.extend(tasks.get(next).map(|t| t.image_path.clone()));
        }
        for i in [here + 1, here.wrapping_sub(1)] {
            ahead.extend(tasks.get(i).map(|t| t.image_path.clone()));
        }
        let current = session.task().image_path.clone();
        self.loader.keep_only_and_prefetch(&current, &ahead);
    }

    /// Reads the keyboard: command shortcuts, label digits, arrow nudges. Skipped while a text field
    /// has focus, so typing a skip reason does not trigger tools.
    fn read_keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() || self.skip_reason.is_some() {
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
            if let Some(label) = session.bundle().label_for_hotkey(digit) {
                let name = label.name.clone();
                if let Some(index) = session.bundle().labels.iter().position(|l| l.name == name) {
                    self.actions.push(Action::PickLabel(index));
                }
            }
        }
        if self.canvas.tool == Tool::Select && self.canvas.selected.is_some() {
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
    fn apply_actions(&mut self) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action);
        }
    }

    fn apply(&mut self, action: Action) {
        let now = (self.config.clock)();
        match action {
            Action::Command(command) => self.run_command(command),
            Action::PickLabel(index) => {
                self.current_label = index;
                let label = self.current_label().map(str::to_owned);
                if let (Some(id), Some(label)) = (self.canvas.selected.clone(), label) {
                    self.edit(Edit::Relabel { id, label });
                }
            }
            Action::Select(id) => self.canvas.selected = id,
            Action::ToggleRegion(id) => {
                if !self.canvas.hidden.remove(&id) {
                    self.canvas.hidden.insert(id);
                }
            }
            Action::GoToTask(index) => self.go_to(index),
            Action::OpenPath(path) => self.open_bundle(&path),
            Action::Canvas(CanvasAction::AddShape(shape)) => {
                self.resume_if_paused(now);
                let Some(label) = self.current_label().map(str::to_owned) else {
                    return;
                };
                let Opened::Session(session) = &mut self.opened else {
                    return;
                };
                let id = session.new_region_id();
                let region = Region::new(id, label, shape);
                let drawing_ms = self.draft_started.take().map_or(0, |started| {
                    u64::try_from((now - started).num_milliseconds()).unwrap_or(0)
                });
                let edit = Edit::AddRegion {
                    region,
                    index: None,
                };
                if let Err(e) = session.apply_drawn(edit, drawing_ms, now) {
                    self.say(format!("could not add the region: {e}"), true);
                }
            }
            Action::Canvas(CanvasAction::Apply(edit)) => self.edit(*edit),
            Action::Canvas(CanvasAction::Select(id)) => self.canvas.selected = id,
            Action::Nudge(dx, dy) => {
                if let Some(id) = self.canvas.selected.clone() {
                    self.edit(Edit::MoveRegion { id, dx, dy });
                }
            }
            Action::ConfirmSkip => {
                let reason = self.skip_reason.take().unwrap_or_default();
                if let Opened::Session(session) = &mut self.opened {
                    session.skip(Some(&reason), now);
                    self.say("Task skipped.", false);
                }
                self.open_next_unfinished();
                self.refresh_money();
            }
            Action::CancelSkip => self.skip_reason = None,
            Action::DismissNotice(i) => {
                if i < self.notices.len() {
                    self.notices.remove(i);
                }
            }
        }
    }

    /// Exports the open bundle's submitted tasks in every format into the new folder `out`, in the
    /// background; the export window shows progress and the summary.
    pub fn export_labels_to(&mut self, out: PathBuf) {
        let Some(session) = self.session() else {
            return;
        };
        // The annotation files must be on disk before another thread reads them.
        session.flush();
        let bundle = session.bundle().clone();
        let ctx = self.ctx.clone();
        self.export = Some(crate::ui::export_job::ExportJob::start(
            bundle,
            self.config.data_dir.clone(),
            out,
            move || ctx.request_repaint(),
        ));
    }

    /// The export's status, if one was started (tests wait on it with `wait_for_export`).
    pub fn wait_for_export(
        &mut self,
        timeout: std::time::Duration,
    ) -> Option<crate::ui::export_job::ExportStatus> {
        self.export.as_mut().map(|job| job.wait(timeout).clone())
    }

    /// Applies a requester's review file to the open bundle (all rows or none).
    pub fn import_review(&mut self, path: &Path) {
        let now = (self.config.clock)();
        let Opened::Session(session) = &mut self.opened else {
            return;
        };
        match session.import_reviews(path, now) {
            Ok(summary) => {
                self.notices.extend(summary.warnings.iter().cloned());
                self.say(
                    format!(
                        "Review imported: {} approved, {} rejected.",
                        summary.approved, summary.rejected
                    ),
                    false,
                );
                self.refresh_money();
            }
            Err(e) => {
                // Every bad row is listed; nothing was applied.
                self.notices.push(e.to_string());
                self.say(
                    "The review file was not applied; see the notice above.",
                    true,
                );
            }
        }
    }

    fn apply_settings_action(&mut self, action: SettingsAction) {
        let now = (self.config.clock)();
        match action {
            SettingsAction::Save(settings) => match settings.save(&self.config.data_dir) {
                Ok(()) => {
                    self.settings = *settings;
                    self.say("Settings saved.", false);
                    self.refresh_money();
                }
                Err(e) => self.settings_error = Some(format!("could not save: {e}")),
            },
            SettingsAction::Close => self.show_settings = false,
            SettingsAction::Export => {
                let name = format!("clickwork-my-data-{}.zip", now.format("%Y%m%d"));
                let picked = rfd::FileDialog::new()
                    .set_title("Export my data")
                    .set_file_name(name)
                    .save_file();
                let Some(out) = picked else {
                    self.say("Export cancelled.", false);
                    return;
                };
                // The log must be on disk before it is copied.
                self.flush();
                match crate::domain::store::export_my_data(&self.config.data_dir, &out) {
                    Ok(n) => self.say(format!("Exported {n} files to {}.", out.display()), false),
                    Err(e) => self.say(format!("Export failed: {e}"), true),
                }
            }
            SettingsAction::Delete => {
                let source = match &self.opened {
                    Opened::Session(session) => Some(session.bundle().source.clone()),
                    Opened::Failed { .. } => None,
                };
                self.end_session(now);
                self.opened = Opened::Failed {
                    path: PathBuf::new(),
                    problems: Vec::new(),
                };
                match crate::domain::store::delete_my_data(&self.config.data_dir) {
                    Ok(removed) => {
                        self.recent = RecentBundles::default();
                        self.other_logs.clear();
                        // New settings, with a new worker id, saved before the bundle reopens, so the
                        // file and the work log name the same worker.
                        self.settings = match Settings::load_or_create(&self.config.data_dir, now) {
                            Ok((settings, warnings)) => {
                                self.notices.extend(warnings);
                                settings
                            }
                            Err(e) => {
                                self.notices
                                    .push(format!("settings not saved, using defaults: {e}"));
                                Settings::new(now)
                            }
                        };
                        self.settings_form = SettingsForm::from_settings(&self.settings);
                        self.show_settings = false;
                        self.say(
                            format!("Deleted your data ({} items).", removed.len()),
                            false,
                        );
                    }
                    Err(e) => self.say(format!("Could not delete everything: {e}"), true),
                }
                if let Some(source) = source {
                    self.open_bundle(&source);
                }
            }
        }
    }

    /// A worker who paused and then changes a region is working again: the clock resumes by itself
    /// rather than losing that time.
    fn resume_if_paused(&mut self, now: DateTime<Utc>) {
        if let Opened::Session(session) = &mut self.opened
            && session.is_paused()
        {
            session.resume(now);
            self.say("Resumed: the clock runs again.", false);
        }
    }

    /// Applies `edit` to the open task as if the worker had made it (one undo step, saved).
    pub fn apply_edit(&mut self, edit: Edit) {
        self.edit(edit);
    }

    fn edit(&mut self, edit: Edit) {
        let now = (self.config.clock)();
        self.resume_if_paused(now);
        let Opened::Session(session) = &mut self.opened else {
            return;
        };
        if let Err(e) = session.apply(edit, now) {
            self.say(format!("could not change the region: {e}"), true);
        }
    }

    fn run_command(&mut self, command: UiCommand) {
        let now = (self.config.clock)();
        match command {
            UiCommand::ToolRectangle => self.set_tool(Tool::Rectangle),
            UiCommand::ToolPolygon => self.set_tool(Tool::Polygon),
            UiCommand::ToolPoint => self.set_tool(Tool::Point),
            UiCommand::ToolExtremeBox => self.set_tool(Tool::ExtremeBox),
            UiCommand::ToolSelect => self.set_tool(Tool::Select),
            UiCommand::Undo | UiCommand::Redo | UiCommand::RedoAlt => {
                // A draft in progress is cancelled first: it is not an undo step yet.
                if command == UiCommand::Undo && self.canvas.draft.take().is_some() {
                    return;
                }
                let Opened::Session(session) = &mut self.opened else {
                    return;
                };
                let result = if command == UiCommand::Undo {
                    session.undo(now)
                } else {
                    session.redo(now)
                };
                match result {
                    Ok(Some(edit)) => {
                        let verb = if command == UiCommand::Undo {
                            "Undid"
                        } else {
                            "Redid"
                        };
                        self.say(format!("{verb}: {}", edit.name()), false);
                    }
                    Ok(None) => self.say("Nothing to undo or redo.", false),
                    Err(e) => self.say(format!("could not undo or redo: {e}"), true),
                }
                if let Some(id) = &self.canvas.selected
                    && self
                        .session()
                        .is_some_and(|s| s.annotation().region(id).is_none())
                {
                    self.canvas.selected = None;
                }
            }
            UiCommand::Submit => {
                let Opened::Session(session) = &mut self.opened else {
                    return;
                };
                match session.submit(now) {
                    Ok(()) => {
                        self.canvas.draft = None;
                        self.say("Task submitted.", false);
                        self.open_next_unfinished();
                        self.refresh_money();
                    }
                    Err(refused) => self.say(format!("Not submitted: {refused}."), true),
                }
            }
            UiCommand::Skip => {
                if self.session().is_some() {
                    self.skip_reason = Some(String::new());
                }
            }
            UiCommand::PreviousTask => {
                if let Some(i) = self.session().map(|s| s.task_index())
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
            UiCommand::FitView => self.canvas.fit_pending = true,
            UiCommand::ActualSize => self.canvas.view.actual_size(),
            UiCommand::ToggleRegions => self.canvas.regions_visible = !self.canvas.regions_visible,
            UiCommand::DeleteSelected => {
                if let Some(id) = self.canvas.selected.take() {
                    self.edit(Edit::DeleteRegion { id });
                }
            }
            UiCommand::FinishPolygon => {
                if let Some(shape) = self.canvas.close_polygon() {
                    self.apply(Action::Canvas(CanvasAction::AddShape(shape)));
                }
            }
            UiCommand::RemoveLastVertex => {
                self.canvas.remove_last_vertex();
            }
            UiCommand::Cancel => {
                if self.canvas.draft.take().is_none() {
                    self.canvas.selected = None;
                }
                self.show_help = false;
            }
            UiCommand::ToggleInstructions => self.show_instructions = !self.show_instructions,
            UiCommand::Earnings => {
                self.show_earnings = !self.show_earnings;
                if self.show_earnings {
                    self.refresh_money();
                }
            }
            UiCommand::Settings => {
                self.show_settings = !self.show_settings;
                self.settings_form = SettingsForm::from_settings(&self.settings);
                self.settings_error = None;
            }
            UiCommand::TogglePause => {
                if let Opened::Session(session) = &mut self.opened {
                    if session.is_paused() {
                        session.resume(now);
                        self.say("Resumed.", false);
                    } else {
                        session.pause(now);
                        self.say("Paused: the clock is stopped until you resume.", false);
                    }
                }
            }
            UiCommand::ExportLabels => {
                let picked = rfd::FileDialog::new()
                    .set_title("Export labels into a folder")
                    .pick_folder();
                match picked {
                    Some(parent) => {
                        let name = self
                            .session()
                            .map_or("bundle".to_owned(), |s| s.bundle().id.clone());
                        let stamp = now.format("%Y%m%d-%H%M%S");
                        self.export_labels_to(parent.join(format!("{name}-labels-{stamp}")));
                    }
                    None => self.say("Export cancelled.", false),
                }
            }
            UiCommand::ImportReview => {
                let picked = rfd::FileDialog::new()
                    .set_title("Import a review file")
                    .add_filter("review", &["csv", "json"])
                    .pick_file();
                match picked {
                    Some(path) => self.import_review(&path),
                    None => self.say("No review file picked.", false),
                }
            }
            UiCommand::Help => self.show_help = !self.show_help,
            UiCommand::OpenBundle | UiCommand::OpenZip => {
                // The native dialog blocks this thread while it is open, as modal dialogs do; with no
                // desktop portal or zenity it returns None at once.
                let picked = if command == UiCommand::OpenBundle {
                    rfd::FileDialog::new()
                        .set_title("Open a bundle folder")
                        .pick_folder()
                } else {
                    rfd::FileDialog::new()
                        .set_title("Open a zipped bundle")
                        .add_filter("zip", &["zip"])
                        .pick_file()
                };
                match picked {
                    Some(path) => self.open_bundle(&path),
                    None => self.say(
                        "No bundle picked (if no dialog appeared, pass the path on the command line: clickwork PATH).",
                        false,
                    ),
                }
            }
        }
    }

    fn set_tool(&mut self, tool: Tool) {
        use crate::domain::geometry::ShapeKind;
        let kind = match tool {
            Tool::Rectangle | Tool::ExtremeBox => Some(ShapeKind::Rectangle),
            Tool::Polygon => Some(ShapeKind::Polygon),
            Tool::Point => Some(ShapeKind::Point),
            Tool::Select => None,
        };
        if let (Some(kind), Some(session)) = (kind, self.session())
            && !session.bundle().tools.contains(&kind)
        {
            self.say(format!("This bundle does not use {kind}s."), true);
            return;
        }
        if self.canvas.tool != tool {
            self.canvas.draft = None;
            self.canvas.tool = tool;
        }
    }

    fn go_to(&mut self, index: usize) {
        let now = (self.config.clock)();
        let Opened::Session(session) = &mut self.opened else {
            return;
        };
        if index == session.task_index() {
            return;
        }
        match session.go_to(index, now) {
            Ok(()) => {
                self.canvas.reset_for_task();
                self.prefetch_pending = true;
            }
            Err(e) => self.say(format!("could not open the task: {e}"), true),
        }
    }

    fn open_next_unfinished(&mut self) {
        match self.session().and_then(Session::next_unfinished) {
            Some(next) => self.go_to(next),
            None => self.say("All tasks are finished. Thank you!", false),
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Closing the window ends the session in the work log; queued saves finish as the session
        // drops.
        let now = (self.config.clock)();
        self.end_session(now);
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let now = (self.config.clock)();
        if let Opened::Session(session) = &mut self.opened {
            self.notices.extend(session.take_warnings());
            let focused = ctx.input(|i| i.viewport().focused).unwrap_or(true);
            if focused != self.logged_focus {
                session.focus_changed(focused, now);
                self.logged_focus = focused;
            }
            if self.show_instructions != self.logged_instructions {
                if self.show_instructions {
                    session.instructions_shown(now);
                } else {
                    session.instructions_hidden(now);
                }
                self.logged_instructions = self.show_instructions;
            }
            session.tick(now);
            // A ticking clock is the one thing that repaints an idle window, once a second; once the
            // worker is idle past the threshold it stops, and so does the CPU.
            if session.task_clock(now, self.settings.idle_ms()).state == ClockState::Ticking {
                ctx.request_repaint_after(std::time::Duration::from_secs(1));
            }
        }
        self.loader.set_max_side(ctx.input(|i| i.max_texture_side));
        if std::mem::take(&mut self.prefetch_pending) {
            self.prefetch();
        }
        if self.loader.poll(ctx) {
            ctx.request_repaint();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        // `RUST_LOG=clickwork::ui=debug` prints what each frame cost (the frame time we measure by).
        if let Some(cpu) = frame.info().cpu_usage {
            log::debug!("previous frame: {:.2} ms of CPU", cpu * 1000.0);
        }
        let ctx = ui.ctx().clone();
        self.record_input(&ctx);
        self.read_keys(&ctx);
        panels::top_bar_ui(self, ui);
        panels::status_bar_ui(self, ui);
        if self.session().is_some() {
            panels::left_panel_ui(self, ui);
            panels::right_panel_ui(self, ui);
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| self.central_ui(ui));
        panels::help_ui(self, &ctx);
        panels::skip_dialog_ui(self, &ctx);
        self.windows_ui(&ctx);
        self.apply_actions();
    }
}

impl App {
    /// Feeds this frame's raw input to the work log (coalesced there into bursts).
    fn record_input(&mut self, ctx: &egui::Context) {
        let Opened::Session(session) = &mut self.opened else {
            return;
        };
        let kinds: Vec<InputKind> = ctx.input(|i| {
            let dragging = i.pointer.any_down();
            i.raw
                .events
                .iter()
                .filter_map(|event| match event {
                    egui::Event::PointerButton { pressed: true, .. } => Some(InputKind::Press),
                    egui::Event::PointerMoved(_) if dragging => Some(InputKind::Drag),
                    egui::Event::PointerMoved(_) => Some(InputKind::Move),
                    egui::Event::Key { pressed: true, .. } => Some(InputKind::Key),
                    egui::Event::MouseWheel { .. } | egui::Event::Zoom(_) => Some(InputKind::Wheel),
                    _ => None,
                })
                .collect()
        });
        if kinds.is_empty() {
            return;
        }
        let now = (self.config.clock)();
        for kind in kinds {
            session.record_input(kind, now);
        }
    }

    /// The earnings view, the settings and the export window, when open.
    fn windows_ui(&mut self, ctx: &egui::Context) {
        if let Some(job) = &mut self.export {
            use crate::ui::export_job::ExportStatus;
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
        if self.show_earnings {
            let mut open = true;
            egui::Window::new("Earnings and time")
                .open(&mut open)
                .default_size([640.0, 600.0])
                .show(ctx, |ui| {
                    if self.session().is_some() && ui.button("Import a review file…").clicked() {
                        self.actions.push(Action::Command(UiCommand::ImportReview));
                    }
                    panels::earnings_ui(
                        ui,
                        &self.dashboard,
                        &self.settings.reference_wage,
                        &self.wage_curve,
                        &mut self.earnings_state,
                    );
                });
            self.show_earnings = open;
        }
        if self.show_settings {
            let mut open = true;
            let mut action = None;
            egui::Window::new("Settings")
                .open(&mut open)
                .collapsible(false)
                .show(ctx, |ui| {
                    action = panels::settings_ui(
                        ui,
                        &mut self.settings_form,
                        &self.settings,
                        &mut self.settings_error,
                    );
                });
            if !open {
                self.show_settings = false;
            }
            if let Some(action) = action {
                self.apply_settings_action(action);
            }
        }
    }

    fn central_ui(&mut self, ui: &mut egui::Ui) {
        if self.canvas.draft.is_none() {
            self.draft_started = None;
        }
        let session = match &self.opened {
            Opened::Failed { path, problems } => {
                egui::Frame::central_panel(ui.style()).show(ui, |ui| {
                    panels::problems_ui(ui, path, problems, &self.recent, &mut self.actions);
                });
                return;
            }
            Opened::Session(session) => session,
        };
        let task = session.task();
        let image = self.loader.get(&task.image_path);
        let bundle = session.bundle();
        let color_of = |label: &str| {
            bundle.label(label).map_or(Color32::LIGHT_GRAY, |l| {
                Color32::from_rgb(l.color[0], l.color[1], l.color[2])
            })
        };
        let input = CanvasInput {
            image: &image,
            image_size: egui::vec2(task.width as f32, task.height as f32),
            annotation: session.annotation(),
            color_of: &color_of,
        };
        let actions = self.canvas.ui(ui, &input);
        self.actions.extend(actions.into_iter().map(Action::Canvas));
        if matches!(
            self.canvas.draft,
            Some(Draft::Rect { .. } | Draft::Polygon { .. } | Draft::Extreme { .. })
        ) && self.draft_started.is_none()
        {
            self.draft_started = Some((self.config.clock)());
        }
    }

    /// Panels push actions here; they run after layout.
    pub(crate) fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    pub(crate) fn notices(&self) -> &[String] {
        &self.notices
    }

    pub(crate) fn current_label_index(&self) -> usize {
        self.current_label
    }

    pub(crate) fn recent(&self) -> &RecentBundles {
        &self.recent
    }

    pub(crate) fn help_open(&mut self) -> &mut bool {
        &mut self.show_help
    }

    pub(crate) fn skip_reason_mut(&mut self) -> Option<&mut String> {
        self.skip_reason.as_mut()
    }
}
