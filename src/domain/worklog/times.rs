//! Task times derived from the work log: pure functions of the events and an idle threshold.
//!
//! Within a session, the time between two consecutive events (a *gap*, measured on the monotonic
//! clock) belongs to whatever was open when the gap began: a task, or nothing (between tasks). A gap
//! is *active* when it is shorter than the idle threshold T, the window had the focus and the clock was
//! not paused; otherwise it is idle. An `input` line stands for a burst of input whose inner gaps are
//! all under a second, so the span of the burst is active whatever T (T is at least a second).
//! Gaps of different sessions never mix, and nothing counts after a session's end or between sessions.

use crate::domain::worklog::{Event, EventKind, InputCounts, Stamp};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::ops::Range;

/// The idle threshold clickwork uses unless told otherwise, as CVAT does: 100 s.
pub const DEFAULT_IDLE_SECS: u64 = 100;

/// The thresholds every per-task export reports active time at (TimeMe.js 30 s, CVAT 100 s,
/// ActivityWatch 180 s, RescueTime 300 s), so results compare across tools.
pub const EXPORT_IDLE_SECS: [u64; 4] = [30, 100, 180, 300];

/// The smallest idle threshold that makes sense: the input bursts are coalesced at this granularity.
pub const MIN_IDLE_SECS: u64 = 1;

/// How a task's last visit ended, as the log tells it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Opened, never handed in nor skipped (or not yet).
    #[default]
    Open,
    /// Handed in (the last outcome in the log).
    Submitted,
    /// Passed over (the last outcome in the log).
    Skipped,
}

impl Outcome {
    /// The name used in exports: `open`, `submitted`, `skipped`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Submitted => "submitted",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One task's times and counts, summed over every visit in every session.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskTimes {
    /// The task.
    pub task_id: String,
    /// How many times it was opened.
    pub visits: u32,
    /// Milliseconds it was open.
    pub wall_ms: u64,
    /// Milliseconds of active gaps while it was open.
    pub active_ms: u64,
    /// Active milliseconds with the instructions open while it was open.
    pub instructions_ms: u64,
    /// The part of `instructions_ms` before the session's first work (edit, undo, submit or skip):
    /// reading instructions before work starts, which no task pays for.
    pub instructions_before_work_ms: u64,
    /// Regions drawn (every `region_created`, including ones later deleted or undone).
    pub regions: u32,
    /// Vertices placed: those of the regions drawn plus vertices inserted later.
    pub vertices: u32,
    /// Region edits: created, edited and deleted.
    pub edits: u32,
    /// Undos.
    pub undos: u32,
    /// Redos.
    pub redos: u32,
    /// Milliseconds spent drawing, as the window measured it, summed over regions and edits.
    pub drawing_ms: u64,
    /// Inputs of each kind.
    pub inputs: InputCounts,
    /// How it ended.
    pub outcome: Outcome,
    /// The worker's reason for the last skip.
    pub skip_reason: Option<String>,
    /// Regions handed in at the last submission.
    pub regions_submitted: Option<u32>,
    /// The reward recorded at the last submission.
    pub reward: Option<Decimal>,
    /// Its currency.
    pub currency: Option<String>,
    /// When it was first opened.
    pub opened_at: Option<DateTime<Utc>>,
    /// When the first input on it happened.
    pub first_input_at: Option<DateTime<Utc>>,
    /// When its last outcome (submission or skip) happened.
    pub finished_at: Option<DateTime<Utc>>,
    /// The sessions that visited it, in order.
    pub session_ids: Vec<String>,
}

impl TaskTimes {
    /// Milliseconds it was open but idle: `wall_ms - active_ms`.
    pub fn idle_ms(&self) -> u64 {
        self.wall_ms.saturating_sub(self.active_ms)
    }

    /// Active milliseconds per region drawn, if any was.
    pub fn ms_per_region(&self) -> Option<u64> {
        (self.regions > 0).then(|| self.active_ms / u64::from(self.regions))
    }
}

/// One session's times.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionTimes {
    /// The session.
    pub session_id: String,
    /// The worker's pseudonymous id, from `session_start`.
    pub worker_id: Option<String>,
    /// The app version, from `session_start`.
    pub app_version: Option<String>,
    /// Its first event's time.
    pub started_at: Option<DateTime<Utc>>,
    /// Its last event's time.
    pub last_at: Option<DateTime<Utc>>,
    /// True when it ended with `session_end` (else the app crashed or was killed).
    pub ended: bool,
    /// Milliseconds from its first event to its last.
    pub wall_ms: u64,
    /// Active milliseconds, whatever was open.
    pub active_ms: u64,
    /// Active milliseconds with no task open.
    pub between_tasks_ms: u64,
    /// Active milliseconds with the instructions open, no task open, before work started.
    pub instructions_before_work_ms: u64,
    /// Active milliseconds with the worker's administration open (earnings, settings).
    pub admin_ms: u64,
    /// Active milliseconds waiting for a task's image to decode.
    pub waiting_ms: u64,
}

/// Everything derived from a work log at one idle threshold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkTimes {
    /// The idle threshold used, in milliseconds.
    pub idle_ms: u64,
    /// Each task that appears in the log, in order of first appearance.
    pub tasks: Vec<TaskTimes>,
    /// Each session, in order of first appearance.
    pub sessions: Vec<SessionTimes>,
}

impl WorkTimes {
    /// The times of `task_id`, if it appears in the log.
    pub fn task(&self, task_id: &str) -> Option<&TaskTimes> {
        self.tasks.iter().find(|t| t.task_id == task_id)
    }

    /// The sum of every session's wall time.
    pub fn wall_ms(&self) -> u64 {
        self.sessions.iter().map(|s| s.wall_ms).sum()
    }

    /// The sum of every session's active time: all logged work, paid or not.
    pub fn active_ms(&self) -> u64 {
        self.sessions.iter().map(|s| s.active_ms).sum()
    }

    /// Active time with no task open, over every session.
    pub fn between_tasks_ms(&self) -> u64 {
        self.sessions.iter().map(|s| s.between_tasks_ms).sum()
    }

    /// Active milliseconds in the worker's administration, over all sessions.
    pub fn admin_ms(&self) -> u64 {
        self.sessions.iter().map(|s| s.admin_ms).sum()
    }

    /// Active milliseconds waiting for images, over all sessions.
    pub fn waiting_ms(&self) -> u64 {
        self.sessions.iter().map(|s| s.waiting_ms).sum()
    }

    /// Active time reading instructions before work started, over every session and task.
    pub fn instructions_before_work_ms(&self) -> u64 {
        let outside: u64 = self
            .sessions
            .iter()
            .map(|s| s.instructions_before_work_ms)
            .sum();
        let inside: u64 = self
            .tasks
            .iter()
            .map(|t| t.instructions_before_work_ms)
            .sum();
        outside + inside
    }
}

/// What was open in a session after its last event: the state a live clock continues from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionState {
    /// The open task.
    pub task_id: Option<String>,
    /// True while the instructions are shown.
    pub instructions_open: bool,
    /// False while the window does not have the focus.
    pub focused: bool,
    /// True while the worker has paused the clock.
    pub paused: bool,
    /// True while the worker's administration (earnings, settings) is open.
    pub admin: bool,
    /// True while the open task's image is being decoded.
    pub waiting: bool,
    /// True once work (an edit, undo, submission or skip) happened in the session.
    pub worked: bool,
    /// True after `session_end`.
    pub ended: bool,
    /// The last event's stamp.
    pub last: Option<Stamp>,
}

/// Derives every task's and session's times at idle threshold `idle_ms`.
pub fn derive_times(events: &[Event], idle_ms: u64) -> WorkTimes {
    derive_times_within(events, idle_ms, None)
}

/// Like [`derive_times`], counting only the gaps that begin within `window` (for a day's or a
/// month's time). Counts (regions, edits...) and outcomes are not limited by the window.
pub fn derive_times_within(
    events: &[Event],
    idle_ms: u64,
    window: Option<&Range<DateTime<Utc>>>,
) -> WorkTimes {
    let mut pass = Pass::new(idle_ms, window);
    for event in events {
        pass.event(event);
    }
    pass.finish()
}

/// The state of session `session_id` after its last event in `events`.
pub fn session_state(events: &[Event], session_id: &str) -> Option<SessionState> {
    let mut pass = Pass::new(DEFAULT_IDLE_SECS * 1000, None);
    for event in events.iter().filter(|e| e.session_id == session_id) {
        pass.event(event);
    }
    pass.states.remove(session_id)
}

/// Why a live task clock is or is not counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockState {
    /// Counting: the last event is less than T ago.
    Ticking,
    /// Stopped: nothing happened for T or more; the gap will count as idle.
    Idle,
    /// Stopped: the window does not have the focus.
    Unfocused,
    /// Stopped: the worker paused.
    Paused,
    /// Stopped: the task is not open (or the session ended).
    Closed,
}

/// A task's active time as a live display shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskClock {
    /// Active milliseconds up to the last event, over every visit.
    pub settled_ms: u64,
    /// Milliseconds since the last event, while that gap may still count (`Ticking`), else 0.
    pub pending_ms: u64,
    /// Why it is or is not counting.
    pub state: ClockState,
}

impl TaskClock {
    /// What to show: the settled time plus the current gap while it is counting.
    pub fn shown_ms(&self) -> u64 {
        self.settled_ms + self.pending_ms
    }
}

/// The live clock of `task_id` in session `session_id` at `now` (a stamp of the same session's clock).
pub fn task_clock(
    events: &[Event],
    session_id: &str,
    task_id: &str,
    now: Stamp,
    idle_ms: u64,
) -> TaskClock {
    settle_task_clock(events, session_id, task_id, idle_ms).at(now)
}

/// What a live clock needs from the log, computed once per new event: the task's active time up to
/// the last event, and the session's state after it. [`SettledClock::at`] is then cheap every frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettledClock {
    /// The task.
    pub task_id: String,
    /// The idle threshold, in milliseconds.
    pub idle_ms: u64,
    /// The task's active milliseconds up to the last event, over every visit.
    pub settled_ms: u64,
    /// The session's state after its last event.
    pub state: SessionState,
}

impl SettledClock {
    /// The clock at `now`.
    pub fn at(&self, now: Stamp) -> TaskClock {
        let state = &self.state;
        let gap_ms = state
            .last
            .map_or(0, |last| now.mono_ms.saturating_sub(last.mono_ms));
        let clock_state = if state.ended || state.task_id.as_deref() != Some(self.task_id.as_str())
        {
            ClockState::Closed
        } else if state.paused {
            ClockState::Paused
        } else if !state.focused {
            ClockState::Unfocused
        } else if gap_ms >= self.idle_ms {
            ClockState::Idle
        } else {
            ClockState::Ticking
        };
        TaskClock {
            settled_ms: self.settled_ms,
            pending_ms: if clock_state == ClockState::Ticking {
                gap_ms
            } else {
                0
            },
            state: clock_state,
        }
    }
}

/// Derives what the live clock of `task_id` in session `session_id` needs (one pass over the log).
pub fn settle_task_clock(
    events: &[Event],
    session_id: &str,
    task_id: &str,
    idle_ms: u64,
) -> SettledClock {
    let mut pass = Pass::new(idle_ms, None);
    for event in events {
        pass.event(event);
    }
    let state = pass.states.remove(session_id).unwrap_or_default();
    let settled_ms = pass.tasks.get(task_id).map_or(0, |t| t.active_ms);
    SettledClock {
        task_id: task_id.to_owned(),
        idle_ms,
        settled_ms,
        state,
    }
}

mod pass;
use pass::Pass;

#[cfg(test)]
mod tests;
