//! The work log: the raw timing events of every session on a bundle, in an append-only JSON-lines
//! journal, `<data>/work/<bundle-id>/worklog.jsonl`, and the task times derived from it.
//!
//! The journal is the source of truth: times are always recomputed from it (for any idle threshold),
//! never stored. Its format is documented in `docs/worklog-format.md`.

mod clock;
mod coalesce;
mod event;
mod journal;
mod measures;
mod recorder;
mod times;

pub use clock::SessionClock;
pub use coalesce::{InputBurst, InputCoalescer};
pub use event::{Event, EventKind, InputCounts, InputKind, Stamp};
pub use journal::{
    JournalFile, JournalRead, JournalWriter, LineProblem, parse_journal, read_journal,
};
pub use measures::{
    AFK_DEFAULT_SECS, CVAT_MAX_GAP_MS, Measure, Rule, UnknownRule, hms, measure, secs,
};
pub use recorder::Recorder;
pub use times::{
    ClockState, DEFAULT_IDLE_SECS, EXPORT_IDLE_SECS, MIN_IDLE_SECS, Outcome, SessionState,
    SessionTimes, SettledClock, TaskClock, TaskTimes, WorkTimes, derive_times, derive_times_within,
    session_state, settle_task_clock, task_clock,
};

/// The value of `format` in every `session_start` line.
pub const WORKLOG_FORMAT: &str = "clickwork-worklog/1";
