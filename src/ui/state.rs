//! What the window shows, split by owner so that each panel gets only what it draws: [`Workbench`]
//! (the open session, the settings, the money, the recent bundles: domain state the app changes
//! through its jobs and actions) and [`ViewState`] (the canvas and what is open, typed or selected:
//! the window's own state). Panels read these and push [`Action`]s; the app applies them after layout.

use crate::domain::annotation::TaskStatus;
use crate::domain::bundle::Bundle;
use crate::domain::dashboard::Dashboard;
use crate::domain::ledger::WorkspaceLog;
use crate::domain::session::Session;
use crate::domain::settings::Settings;
use crate::domain::store::{RecentBundles, Unsaved};
use crate::ui::canvas::{Canvas, CanvasAction};
use crate::ui::command::UiCommand;
use crate::ui::forms::{EarningsState, SettingsForm};
use egui::Color32;
use rust_decimal::Decimal;
use std::path::PathBuf;

/// What the window shows: an open bundle, one being opened, or why it could not be opened.
pub enum Opened {
    /// A bundle is being opened in the background.
    Opening(Option<PathBuf>),
    /// A bundle is open.
    Session(Box<Session>),
    /// The bundle could not be opened: every problem, each naming its file.
    Failed {
        /// The bundle asked for.
        path: PathBuf,
        /// What is wrong with it.
        problems: Vec<String>,
        /// Another window holds the data folder: the bundle may be opened read-only.
        held_elsewhere: bool,
    },
}

/// The money the top bar and the earnings view show, recomputed when a task is finished or the
/// settings change.
#[derive(Default)]
pub struct Money {
    /// Totals, wages and the goal.
    pub dashboard: Dashboard,
    /// The effective wage over this session, for its chart.
    pub wage_curve: Vec<(f64, Decimal)>,
    /// Work logs of the other bundles, read when a bundle opens (the open one's is in its session).
    pub other_logs: Vec<WorkspaceLog>,
}

/// The domain state the window works on.
pub struct Workbench {
    /// The bundle open (or opening, or failed).
    pub opened: Opened,
    /// The worker's settings: their one owner (sessions are given the worker id from here).
    pub settings: Settings,
    /// Earnings and wages.
    pub money: Money,
    /// The bundles opened recently.
    pub recent: RecentBundles,
}

impl Workbench {
    /// The open session, if a bundle is open.
    pub fn session(&self) -> Option<&Session> {
        match &self.opened {
            Opened::Session(session) => Some(session),
            Opened::Opening(_) | Opened::Failed { .. } => None,
        }
    }

    /// The open session, to change it.
    pub fn session_mut(&mut self) -> Option<&mut Session> {
        match &mut self.opened {
            Opened::Session(session) => Some(session),
            Opened::Opening(_) | Opened::Failed { .. } => None,
        }
    }
}

/// A short message in the status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// True for something that went wrong.
    pub is_error: bool,
}

/// Which windows and panels are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    /// The keyboard help (F1).
    pub help: bool,
    /// The instructions panel.
    pub instructions: bool,
    /// The earnings and time view (F2).
    pub earnings: bool,
    /// The settings (F3).
    pub settings: bool,
}

/// What a path typed by the worker is for (when no file dialog is available, or by choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    /// A bundle folder to open.
    OpenFolder,
    /// A zipped bundle to open.
    OpenZip,
    /// The folder to export labels into.
    ExportLabels,
    /// A review file to import.
    ImportReview,
    /// The zip to export the worker's data to.
    ExportMyData,
}

impl PathPurpose {
    /// What the path field asks for.
    pub fn prompt(self) -> &'static str {
        match self {
            PathPurpose::OpenFolder => "The bundle folder to open:",
            PathPurpose::OpenZip => "The zipped bundle to open:",
            PathPurpose::ExportLabels => {
                "The folder to export the labels into (a new folder is made in it):"
            }
            PathPurpose::ImportReview => "The review file (CSV or JSON) to import:",
            PathPurpose::ExportMyData => "The zip file to write your data to:",
        }
    }
}

/// The path field shown when the worker types a path instead of picking one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPrompt {
    /// What the path is for.
    pub purpose: PathPurpose,
    /// What is typed.
    pub text: String,
    /// Why the field is shown (no file dialog on this system), if it was not asked for.
    pub note: Option<String>,
}

/// The window's own state.
#[derive(Default)]
pub struct ViewState {
    /// The canvas: view, tool, draft, selection.
    pub canvas: Canvas,
    /// The label new regions get (an index into the bundle's labels).
    pub current_label: usize,
    /// The status line's message.
    pub message: Option<Message>,
    /// Things to tell the worker until dismissed (a changed bundle, a failed save).
    pub notices: Vec<String>,
    /// Which windows are open.
    pub shown: Shown,
    /// The settings being typed.
    pub settings_form: SettingsForm,
    /// Why the typed settings cannot be saved.
    pub settings_error: Option<String>,
    /// How the earnings table is sorted.
    pub earnings: EarningsState,
    /// The skip dialog's reason, while it is open.
    pub skip_reason: Option<String>,
    /// The path field, while it is open.
    pub path_prompt: Option<PathPrompt>,
    /// The rendered instructions (CommonMark), kept between frames.
    pub markdown: egui_commonmark::CommonMarkCache,
    /// What has not reached the disk yet (a full disk, a read-only or deleted folder), as of this frame.
    pub unsaved: Option<Unsaved>,
    /// Where closing the window stands while work is unsaved.
    pub closing: Closing,
    /// Which tasks the task list shows.
    pub task_filter: crate::domain::task_list::TaskFilter,
    /// The task list's "go to" box.
    pub task_jump: String,
    /// Scroll the task list to the open task at the next frame, if it is out of view.
    pub scroll_to_task: bool,
    /// The task list's rows laid out in the last frame.
    pub task_rows_shown: std::ops::Range<usize>,
}

/// Closing the window while some work is not on disk yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Closing {
    /// Nobody asked to close, or everything was saved.
    #[default]
    No,
    /// The worker asked to close; the window asks whether to lose the unsaved work.
    Asking,
    /// The worker chose to close anyway.
    Anyway,
}

impl ViewState {
    /// Sets the status line.
    pub fn say(&mut self, text: impl Into<String>, is_error: bool) {
        self.message = Some(Message {
            text: text.into(),
            is_error,
        });
    }
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
    /// Open the bundle at the path read-only: another window holds the data folder.
    OpenReadOnly(PathBuf),
    /// Open the bundle at the path for work once the data folder is free (kept read-only until).
    OpenForWork(PathBuf),
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
    /// Store these settings.
    SaveSettings(Box<Settings>),
    /// Write the worker's data to a zip the worker picks.
    ExportMyData,
    /// Delete the worker's data (confirmed).
    DeleteMyData,
    /// Use the path typed in the path field.
    UsePath(PathPurpose, PathBuf),
    /// Close the path field.
    ClosePathPrompt,
    /// Pick the file or folder with the system's dialog instead of typing it.
    BrowseInstead(PathPurpose),
    /// Close the window although some work is not saved.
    CloseAnyway,
    /// Keep the window open (the close dialog's other answer).
    KeepOpen,
}

/// `color` (RGB, as bundles give it) for painting.
pub fn rgb(color: [u8; 3]) -> Color32 {
    Color32::from_rgb(color[0], color[1], color[2])
}

/// The colour of label `name` in `bundle` (grey for a label the bundle does not have).
pub fn label_color(bundle: &Bundle, name: &str) -> Color32 {
    bundle
        .label(name)
        .map_or(Color32::LIGHT_GRAY, |l| rgb(l.color))
}

/// How a task status reads in lists and the top bar ("in progress").
pub fn status_text(status: TaskStatus) -> String {
    status.name().replace('_', " ")
}
