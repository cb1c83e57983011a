//! The application: `logic()` takes what background work finished and ticks the clock; `ui()` only
//! lays out (`layout.rs` and the panels), panels pushing [`Action`]s that [`actions`] applies after
//! layout; [`finished`] takes what background work hands back. Opening a bundle, task files, saves,
//! exports and the worker's data all go through background threads ([`jobs`], the session's writer,
//! the image loader), and the frame marks its thread so that a debug build panics on any file I/O
//! there (`domain::io_guard`).

mod actions;
mod dialogs;
mod finished;
mod jobs;
mod layout;

use crate::domain::dashboard::{Dashboard, dashboard, wage_curve};
use crate::domain::edit::Edit;
use crate::domain::io_guard::mark_ui_thread;
use crate::domain::ledger::WorkspaceLog;
use crate::domain::session::Session;
use crate::domain::settings::Settings;
use crate::domain::store::RecentBundles;
use crate::domain::worklog::{ClockState, InputKind};
use crate::ui::AppConfig;
use crate::ui::canvas::Canvas;
use crate::ui::export_job::{ExportJob, ExportStatus};
use crate::ui::image_loader::{ImageLoader, ImageState};
use crate::ui::panels;
use crate::ui::state::{Action, Closing, Message, Money, Opened, ViewState, Workbench};
use chrono::{DateTime, Utc};
use dialogs::Dialogs;
use jobs::Jobs;
use std::path::PathBuf;
use std::time::Duration;

/// What the work log last heard from the window, to record only changes.
#[derive(Clone, Copy, Debug, Default)]
struct Logged {
    /// The window had the focus.
    unfocused: bool,
    /// The instructions panel was open.
    instructions: bool,
    /// When the shape being drawn was started, for the work log's drawing time.
    draft_started: Option<DateTime<Utc>>,
    /// Where the launch-to-photo time stands.
    first_photo: FirstPhoto,
}

/// The first photo painted: not yet, painted (its size; the time is logged at the next frame, once
/// this one is on screen), or logged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum FirstPhoto {
    #[default]
    NotYet,
    Painted(u32, u32),
    Logged,
}

/// The clickwork window.
pub struct App {
    config: AppConfig,
    work: Workbench,
    view: ViewState,
    loader: ImageLoader,
    jobs: Jobs,
    dialogs: Dialogs,
    /// The export running or last finished, shown in its own window.
    export: Option<ExportJob>,
    logged: Logged,
    /// Prefetching waits for a frame, when the GPU's texture limit is known.
    prefetch_pending: bool,
    actions: Vec<Action>,
    /// The window's title, as last sent to the window.
    title: String,
    ctx: egui::Context,
}

impl App {
    /// Creates the app and starts opening the bundle `config` asks for (else the last one, else the
    /// sample) in the background; the window shows that it is opening until it is.
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> Self {
        let _mark = mark_ui_thread();
        let ctx = cc.egui_ctx.clone();
        // Images in instructions load (and decode) on egui_extras' own threads.
        egui_extras::install_image_loaders(&ctx);
        let wake = |ctx: &egui::Context| {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        let loader = ImageLoader::new(config.load_options.max_pixels, wake(&ctx));
        let mut jobs = Jobs::new(
            config.data_dir.clone(),
            config.load_options.clone(),
            config.clock.clone(),
            wake(&ctx),
        );
        jobs.open(config.bundle_path.clone(), None, None);
        let now = (config.clock)();
        App {
            work: Workbench {
                opened: Opened::Opening(config.bundle_path.clone()),
                // Placeholder until the opening job has read the worker's settings.
                settings: Settings::new(now),
                money: Money::default(),
                recent: RecentBundles::default(),
            },
            view: ViewState::default(),
            config,
            loader,
            jobs,
            dialogs: Dialogs::default(),
            export: None,
            logged: Logged::default(),
            prefetch_pending: false,
            actions: Vec::new(),
            title: "clickwork".to_owned(),
            ctx,
        }
    }

    /// The open session, if a bundle is open.
    pub fn session(&self) -> Option<&Session> {
        self.work.session()
    }

    /// The problems that kept the last bundle from opening.
    pub fn problems(&self) -> &[String] {
        match &self.work.opened {
            Opened::Failed { problems, .. } => problems,
            Opened::Session(_) | Opened::Opening(_) => &[],
        }
    }

    /// The canvas: view, tool, draft, selection.
    pub fn canvas(&self) -> &Canvas {
        &self.view.canvas
    }

    /// The status line's message.
    pub fn message(&self) -> Option<&Message> {
        self.view.message.as_ref()
    }

    /// The name of the label new regions get.
    pub fn current_label(&self) -> Option<&str> {
        self.session()?
            .bundle()
            .labels
            .get(self.view.current_label)
            .map(|l| l.name.as_str())
    }

    /// True while the instructions panel is open.
    pub fn instructions_visible(&self) -> bool {
        self.view.shown.instructions
    }

    /// True while the earnings and time view is open.
    pub fn earnings_visible(&self) -> bool {
        self.view.shown.earnings
    }

    /// The earnings numbers the top bar and the earnings view show.
    pub fn dashboard(&self) -> &Dashboard {
        &self.work.money.dashboard
    }

    /// The worker's settings.
    pub fn settings(&self) -> &Settings {
        &self.work.settings
    }

    /// True while background work the window waits on is running: a bundle opening, a job, a task
    /// file being read, an export.
    pub fn busy(&self) -> bool {
        self.jobs.busy()
            || matches!(self.work.opened, Opened::Opening(_))
            || self.session().is_some_and(|s| s.pending_task().is_some())
            || self.export.as_ref().is_some_and(ExportJob::is_running)
    }

    /// Waits up to `timeout` for the background jobs to finish and takes their results (tests and
    /// benchmarks; the window takes them each frame without waiting).
    pub fn wait_for_jobs(&mut self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while self.jobs.busy() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.jobs.wait(left) {
                Some(done) => self.on_done(done),
                None => return false,
            }
        }
        true
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

    /// Shows images of more than `pixels` as tiles, the current one included (tests tile a small
    /// image with it instead of generating a huge one).
    pub fn tile_images_above(&mut self, pixels: u64) {
        self.loader.set_whole_max_pixels(pixels);
        if let Some(path) = self.session().map(|s| s.task().image_path.clone()) {
            self.loader.forget(&path);
        }
    }

    /// How many images the loader holds as pyramids (tests check that a huge image is let go).
    pub fn pyramids_held(&self) -> usize {
        self.loader.pyramids_held()
    }

    /// Blocks until the tiles the canvas asked for have arrived, up to `timeout` (tests and
    /// benchmarks).
    pub fn wait_for_tiles(&mut self, timeout: Duration) -> bool {
        let ctx = self.ctx.clone();
        self.loader.wait_for_tiles(&ctx, timeout)
    }

    /// Blocks until the current task's image is decoded or failed, up to `timeout` (tests and
    /// benchmarks).
    pub fn wait_for_image(&mut self, timeout: Duration) -> bool {
        let Some(path) = self.session().map(|s| s.task().image_path.clone()) else {
            return true;
        };
        let ctx = self.ctx.clone();
        self.loader.wait_for(&ctx, &path, timeout)
    }

    /// Blocks until every save so far is on disk (tests; the app flushes on exit by itself).
    pub fn flush(&self) {
        if let Some(session) = self.session() {
            session.flush();
        }
    }

    /// The open task's active time as the top bar shows it, and whether it is counting.
    pub fn task_clock(&self) -> Option<(u64, ClockState)> {
        let now = (self.config.clock)();
        let clock = self
            .session()?
            .task_clock(now, self.work.settings.idle_ms());
        Some((clock.shown_ms(), clock.state))
    }

    /// Applies `edit` to the open task as if the worker had made it (one undo step, saved).
    pub fn apply_edit(&mut self, edit: Edit) {
        self.edit(edit);
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
        self.export = Some(ExportJob::start(
            bundle,
            self.config.data_dir.clone(),
            out,
            move || ctx.request_repaint(),
        ));
    }

    /// The export's status, if one was started (tests wait on it).
    pub fn wait_for_export(&mut self, timeout: Duration) -> Option<ExportStatus> {
        self.export.as_mut().map(|job| job.wait(timeout).clone())
    }

    /// Applies a requester's review file to the open bundle in the background (all rows or none).
    pub fn import_review(&mut self, path: PathBuf) {
        if let Some(session) = self.work.session() {
            self.jobs
                .import_review(session.saver(), session.review_import(), path);
        }
    }

    /// Recomputes the earnings numbers: other bundles from their logs as read at open, the open one
    /// from its session (the journal on disk may lag its writer thread).
    fn refresh_money(&mut self) {
        let now = (self.config.clock)();
        let money = &mut self.work.money;
        let mut logs = money.other_logs.clone();
        let mut current = None;
        if let Opened::Session(session) = &self.work.opened {
            let log = WorkspaceLog {
                bundle_id: session.bundle().id.clone(),
                dir: session.workspace().dir().to_owned(),
                events: session.worklog().events().to_vec(),
                reviews: session.reviews().clone(),
            };
            current = Some((log.clone(), session.worklog().session_id().to_owned()));
            logs.push(log);
        }
        let settings = &self.work.settings;
        money.dashboard = dashboard(&logs, settings, now, &chrono::Local);
        money.wage_curve = current
            .map(|(log, session_id)| {
                wage_curve(
                    &log,
                    &session_id,
                    &settings.reference_wage.currency,
                    settings.idle_ms(),
                )
            })
            .unwrap_or_default();
    }

    fn set_title(&mut self, title: &str) {
        self.title = title.to_owned();
        self.ctx
            .send_viewport_cmd(egui::ViewportCommand::Title(title.to_owned()));
    }

    /// The window's title, as last set.
    pub fn title(&self) -> &str {
        &self.title
    }

    fn prefetch(&mut self) {
        let Some(session) = self.session() else {
            return;
        };
        let tasks = &session.bundle().tasks;
        let here = session.task_index();
        // An image shown as tiles is not decoded ahead: its pyramid may hold gigabytes beside the
        // current one.
        let loader = &self.loader;
        let path_of = |i: usize| {
            tasks
                .get(i)
                .filter(|t| !loader.would_tile(t.width, t.height))
                .map(|t| t.image_path.clone())
        };
        let mut ahead: Vec<PathBuf> = Vec::new();
        if let Some(next) = session.next_unfinished() {
            ahead.extend(path_of(next));
        }
        for i in [here + 1, here.wrapping_sub(1)] {
            ahead.extend(path_of(i));
        }
        let current = session.task().image_path.clone();
        self.loader.keep_only_and_prefetch(&current, &ahead);
    }

    /// Feeds this frame's raw input to the work log (coalesced there into bursts).
    fn record_input(&mut self, ctx: &egui::Context) {
        let Some(session) = self.work.session_mut() else {
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
}

impl App {
    /// Closing while work is unsaved would lose it: the window stays open and asks first.
    fn guard_close(&mut self, ctx: &egui::Context) {
        let asked = ctx.input(|i| i.viewport().close_requested());
        match (&self.view.unsaved, self.view.closing) {
            // Everything landed while the worker was being asked: close, as they wanted.
            (None, Closing::Asking) => {
                self.view.closing = Closing::No;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            (None, _) => self.view.closing = Closing::No,
            (Some(_), Closing::Anyway) => {}
            (Some(unsaved), closing) => {
                if asked {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                    self.view.closing = Closing::Asking;
                }
                if closing == Closing::Asking || asked {
                    panels::unsaved_close_ui(ctx, unsaved, &mut self.actions);
                }
            }
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // Closing the window ends the session in the work log; queued saves finish as it drops.
        let now = (self.config.clock)();
        if let Some(session) = self.work.session_mut() {
            session.end(now);
        }
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let _mark = mark_ui_thread();
        for done in self.jobs.poll() {
            self.on_done(done);
        }
        if let Some(picked) = self.dialogs.poll() {
            self.on_picked(picked);
        }
        let now = (self.config.clock)();
        let idle_ms = self.work.settings.idle_ms();
        let shown_instructions = self.view.shown.instructions;
        let admin = if self.view.shown.earnings {
            Some("earnings")
        } else if self.view.shown.settings {
            Some("settings")
        } else {
            None
        };
        let mut switched = false;
        if let Some(session) = self.work.session_mut() {
            match session.poll(now) {
                Ok(opened) => switched = opened,
                Err(e) => self.view.say(format!("could not open the task: {e}"), true),
            }
            self.view.notices.extend(session.take_warnings());
            // A failed write is told by the "Not saved yet" line while it waits, not by a notice
            // that would outlive it; the log keeps the first of each run.
            for failure in session.take_write_failures() {
                log::warn!("{failure}");
            }
            let unsaved = session.unsaved();
            if self.view.unsaved.is_some() && unsaved.is_none() {
                self.view.notices.push(
                    "Saved: the changes that could not be written are on disk now.".to_owned(),
                );
            }
            if unsaved.is_some() {
                // The work log's writer has no way to wake the window; look again when it retries.
                ctx.request_repaint_after(crate::domain::store::RETRY_EVERY);
            }
            self.view.unsaved = unsaved;
            let unfocused = !ctx.input(|i| i.viewport().focused).unwrap_or(true);
            if unfocused != self.logged.unfocused {
                session.focus_changed(!unfocused, now);
                self.logged.unfocused = unfocused;
            }
            if shown_instructions != self.logged.instructions {
                if shown_instructions {
                    session.instructions_shown(now);
                } else {
                    session.instructions_hidden(now);
                }
                self.logged.instructions = shown_instructions;
            }
            session.admin_changed(admin, now);
            if let Some(wall) = &self.config.wall_clock {
                session.wall_clock(wall(), now);
            }
            session.tick(now);
            // A ticking clock is the one thing that repaints an idle window, once a second; once the
            // worker is idle past the threshold it stops, and so does the CPU.
            if session.task_clock(now, idle_ms).state == ClockState::Ticking {
                ctx.request_repaint_after(Duration::from_secs(1));
            }
        }
        if switched {
            self.task_opened();
        }
        self.loader.set_max_side(ctx.input(|i| i.max_texture_side));
        if std::mem::take(&mut self.prefetch_pending) {
            self.prefetch();
        }
        if self.loader.poll(ctx) {
            ctx.request_repaint();
        }
        // Only a decode in progress is a wait: a failed image is not, and neither is a state the
        // loader has not reached, which must never turn the worker's idle time into the tool's.
        let waiting = self.session().is_some_and(|s| {
            matches!(
                self.loader.peek(&s.task().image_path),
                Some(ImageState::Loading)
            )
        });
        if let Some(session) = self.work.session_mut() {
            session.image_waiting(waiting, now);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let _mark = mark_ui_thread();
        // `RUST_LOG=clickwork::ui=debug` prints what each frame cost (the frame time we measure by).
        if let Some(cpu) = frame.info().cpu_usage {
            log::debug!("previous frame: {:.2} ms of CPU", cpu * 1000.0);
        }
        let ctx = ui.ctx().clone();
        if let FirstPhoto::Painted(w, h) = self.logged.first_photo {
            self.logged.first_photo = FirstPhoto::Logged;
            log::info!(
                "first photo on screen {} ms after launch ({w}×{h})",
                crate::ui::launched_at().elapsed().as_millis()
            );
        }
        self.record_input(&ctx);
        self.read_keys(&ctx);
        let clock = self.task_clock();
        panels::top_bar_ui(ui, &self.work, &self.view, clock, &mut self.actions);
        panels::status_bar_ui(ui, &self.work, &self.view);
        if let Some(session) = self.work.session() {
            panels::left_panel_ui(ui, session, &self.view, &mut self.actions);
            panels::right_panel_ui(ui, session, &mut self.view, &mut self.actions);
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| self.central_ui(ui));
        panels::help_ui(&ctx, &mut self.view.shown.help);
        if let Some(reason) = &mut self.view.skip_reason {
            panels::skip_dialog_ui(&ctx, reason, &mut self.actions);
        }
        if let Some(prompt) = &mut self.view.path_prompt {
            panels::path_prompt_ui(&ctx, prompt, &mut self.actions);
        }
        self.guard_close(&ctx);
        self.windows_ui(&ctx);
        self.apply_actions();
    }
}
