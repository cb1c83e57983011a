//! The work log: the raw timing events of every session on a bundle, in an append-only JSON-lines
//! journal, `<data>/work/<bundle-id>/worklog.jsonl`, and the task times derived from it.
//!
//! The journal is the source of truth: times are always recomputed from it (for any idle threshold),
//! never stored. Its format is documented in `docs/worklog-format.md`.

mod clock;
mod coalesce;
mod event;
mod export;
mod journal;
mod recorder;
mod times;

pub use clock::SessionClock;
pub use coalesce::{InputBurst, InputCoalescer};
pub use event::{Event, EventKind, InputCounts, InputKind, Stamp};
pub use export::{TASK_COLUMNS, TaskRow, is_task_rows_file, task_rows, write_csv, write_jsonl};
pub use journal::{
    JournalFile, JournalRead, JournalWriter, LineProblem, parse_journal, read_journal,
};
pub use recorder::Recorder;
pub use times::{
    ClockState, DEFAULT_IDLE_SECS, EXPORT_IDLE_SECS, MIN_IDLE_SECS, Outcome, SessionState,
    SessionTimes, SettledClock, TaskClock, TaskTimes, WorkTimes, derive_times, derive_times_within,
    session_state, settle_task_clock, task_clock,
};

use std::path::{Path, PathBuf};

/// The value of `format` in every `session_start` line.
pub const WORKLOG_FORMAT: &str = "clickwork-worklog/1";

/// The journal's file name inside a bundle's workspace folder.
pub const WORKLOG_FILE: &str = "worklog.jsonl";

/// The journal of the workspace at `workspace_dir` (`<data>/work/<bundle-id>`).
pub fn journal_path(workspace_dir: &Path) -> PathBuf {
    workspace_dir.join(WORKLOG_FILE)
}

/// The workspace folder of bundle `bundle_id` under `data_dir`, as the store lays it out.
pub fn workspace_dir(data_dir: &Path, bundle_id: &str) -> PathBuf {
    data_dir.join("work").join(bundle_id)
}
