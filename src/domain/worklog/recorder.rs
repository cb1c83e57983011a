//! One session's side of the work log: stamps events, coalesces input, and hands lines to the writer
//! thread. The session drives it; nothing here blocks on the disk except [`Recorder::end`] and
//! [`Recorder::flush`].

use crate::domain::bundle::Bundle;
use crate::domain::store::Access;
use crate::domain::worklog::{
    Event, EventKind, InputBurst, InputCoalescer, InputKind, JournalWriter, SessionClock, Stamp,
    WORKLOG_FORMAT, read_journal,
};
use crate::domain::worklog::{SettledClock, TaskClock, settle_task_clock};
use chrono::{DateTime, SubsecRound, Utc};
use std::path::PathBuf;
use std::sync::Mutex;

/// How far the wall clock must step from the session's before it is recorded: NTP's slow slewing and
/// a frame's jitter stay below it; a changed clock, a time-zone mistake or a wrong clock after sleep
/// does not.
pub const CLOCK_STEP_MS: i64 = 5_000;

/// Records one session's events into a bundle's journal, and keeps every event of the journal (earlier
/// sessions' too) in memory so times can be derived without reading the disk.
#[derive(Debug)]
pub struct Recorder {
    writer: JournalWriter,
    clock: SessionClock,
    session_id: String,
    worker_id: String,
    coalescer: InputCoalescer,
    /// The task the open input burst belongs to.
    burst_task: Option<String>,
    events: Vec<Event>,
    instructions_open: bool,
    focused: bool,
    paused: bool,
    /// The admin view open (`earnings`, `settings`), if any.
    admin: Option<String>,
    waiting: bool,
    /// The wall clock's offset from the session's clock as last recorded, in milliseconds.
    wall_offset_ms: i64,
    ended: bool,
    /// Nothing is recorded (see [`Recorder::start_with`]).
    read_only: bool,
    warnings: Vec<String>,
    /// The last live clock derived, valid while no event was added (the log only grows).
    clock_cache: Mutex<Option<(usize, SettledClock)>>,
}

impl Recorder {
    /// Starts a session on `bundle` at `now`: reads what the journal at `journal_path` already holds,
    /// then writes `session_start` and `bundle_opened`. Problems (unreadable lines) become warnings;
    /// an unreadable journal does not stop the work.
    pub fn start(
        journal_path: PathBuf,
        worker_id: &str,
        bundle: &Bundle,
        now: DateTime<Utc>,
    ) -> Recorder {
        Self::start_with(journal_path, worker_id, bundle, now, Access::ReadWrite)
    }

    /// Like [`Recorder::start`] with `access`: read-only, the journal is read and nothing is
    /// recorded, in memory or on disk, so times and earnings stay what the journal says.
    pub fn start_with(
        journal_path: PathBuf,
        worker_id: &str,
        bundle: &Bundle,
        now: DateTime<Utc>,
        access: Access,
    ) -> Recorder {
        let mut warnings = Vec::new();
        let events = match read_journal(&journal_path) {
            Ok(read) => {
                warnings.extend(read.describe_problems(&journal_path));
                read.events
            }
            Err(e) => {
                warnings.push(format!("could not read the work log: {e}"));
                Vec::new()
            }
        };
        let mut recorder = Recorder {
            writer: JournalWriter::new(journal_path),
            clock: SessionClock::new(now),
            session_id: crate::domain::ids::random_id(),
            worker_id: worker_id.to_owned(),
            coalescer: InputCoalescer::new(),
            burst_task: None,
            events,
            instructions_open: false,
            focused: true,
            paused: false,
            admin: None,
            waiting: false,
            wall_offset_ms: 0,
            ended: false,
            read_only: access == Access::ReadOnly,
            warnings,
            clock_cache: Mutex::new(None),
        };
        recorder.record(
            None,
            EventKind::SessionStart {
                format: WORKLOG_FORMAT.to_owned(),
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
                worker_id: worker_id.to_owned(),
                bundle_id: bundle.id.clone(),
                os: std::env::consts::OS.to_owned(),
            },
            now,
        );
        recorder.record(
            None,
            EventKind::BundleOpened {
                bundle_id: bundle.id.clone(),
                title: bundle.title.clone(),
                requester: bundle.requester.clone(),
                reward: bundle.reward.as_ref().map(|r| r.per_task),
                currency: bundle.reward.as_ref().map(|r| r.currency.clone()),
                tasks: bundle.tasks.len(),
                manifest_sha256: bundle.manifest_sha256.clone(),
            },
            now,
        );
        recorder
    }

    /// This session's id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The worker's pseudonymous id.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// The journal's path.
    pub fn journal_path(&self) -> &std::path::Path {
        self.writer.path()
    }

    /// Every event of the journal: earlier sessions' as read at the start, then this session's.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The stamp `now` gets in this session, without recording anything.
    pub fn peek(&self, now: DateTime<Utc>) -> Stamp {
        self.clock.peek(now)
    }

    /// The live clock of `task_id` at `now` with idle threshold `idle_ms`. The log is replayed only when
    /// an event was added since the last call (or the task or threshold changed), so calling this every
    /// frame is cheap.
    pub fn task_clock(&self, task_id: &str, now: DateTime<Utc>, idle_ms: u64) -> TaskClock {
        // A poisoned lock only means an earlier call panicked; the cache is then recomputed.
        let mut cache = self.clock_cache.lock().unwrap_or_else(|e| e.into_inner());
        let settled = match cache.take() {
            Some((len, settled))
                if len == self.events.len()
                    && settled.task_id == task_id
                    && settled.idle_ms == idle_ms =>
            {
                settled
            }
            _ => settle_task_clock(&self.events, &self.session_id, task_id, idle_ms),
        };
        let clock = settled.at(self.clock.peek(now));
        *cache = Some((self.events.len(), settled));
        clock
    }

    /// True once the session has ended; nothing more is recorded.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// True while the worker has paused.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// True while the instructions are recorded as shown.
    pub fn instructions_open(&self) -> bool {
        self.instructions_open
    }

    /// Records `kind` about `task_id` at `now`. Task boundaries are fsynced.
    pub fn record(&mut self, task_id: Option<&str>, kind: EventKind, now: DateTime<Utc>) {
        if self.ended {
            return;
        }
        // The burst in progress happened before this event, so it is written first.
        self.write_burst(None);
        let sync = kind.is_boundary();
        let stamp = self.clock.stamp(now);
        self.write(Event::new(stamp, &self.session_id, task_id, kind), sync);
    }

    /// Adds one input on `task_id` at `now` to the current burst; writes the burst when it is over.
    pub fn input(&mut self, task_id: Option<&str>, kind: InputKind, now: DateTime<Utc>) {
        if self.ended {
            return;
        }
        let stamp = self.clock.stamp(now);
        if self.coalescer.is_open() && self.burst_task.as_deref() != task_id {
            self.write_burst(None);
        }
        if let Some(burst) = self.coalescer.push(kind, stamp) {
            self.write_burst(Some(burst));
        }
        self.burst_task = task_id.map(str::to_owned);
    }

    /// Writes the input burst if it is over by `now` (no input for a second, or ten seconds long).
    /// Calling this now and then keeps the journal current; skipping it loses nothing.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        let stamp = self.clock.peek(now);
        if let Some(burst) = self.coalescer.poll(stamp) {
            self.write_burst(Some(burst));
        }
    }

    /// Records the instructions panel opening or closing (only a change is recorded).
    pub fn set_instructions(&mut self, open: bool, task_id: Option<&str>, now: DateTime<Utc>) {
        if open != self.instructions_open {
            self.instructions_open = open;
            let kind = if open {
                EventKind::InstructionsShown
            } else {
                EventKind::InstructionsHidden
            };
            self.record(task_id, kind, now);
        }
    }

    /// Records the window gaining or losing the focus (only a change is recorded).
    pub fn set_focus(&mut self, focused: bool, task_id: Option<&str>, now: DateTime<Utc>) {
        if focused != self.focused {
            self.focused = focused;
            let kind = if focused {
                EventKind::FocusGained
            } else {
                EventKind::FocusLost
            };
            self.record(task_id, kind, now);
        }
    }

    /// Records the worker's own administration opening (`view`: `earnings`, `settings`) or closing
    /// (`None`). Only a change is recorded; one view replacing another is a close and an open.
    pub fn set_admin(&mut self, view: Option<&str>, task_id: Option<&str>, now: DateTime<Utc>) {
        if view == self.admin.as_deref() {
            return;
        }
        if self.admin.take().is_some() {
            self.record(task_id, EventKind::AdminHidden, now);
        }
        if let Some(view) = view {
            self.admin = Some(view.to_owned());
            let kind = EventKind::AdminShown {
                view: view.to_owned(),
            };
            self.record(task_id, kind, now);
        }
    }

    /// Records that the open task's image is (`true`) or is no longer being waited for: the tool's
    /// wait, not the worker's. Only a change is recorded.
    pub fn set_waiting(&mut self, waiting: bool, task_id: Option<&str>, now: DateTime<Utc>) {
        if waiting != self.waiting {
            self.waiting = waiting;
            let kind = if waiting {
                EventKind::ImageWaiting
            } else {
                EventKind::ImageReady
            };
            self.record(task_id, kind, now);
        }
    }

    /// Compares the system's wall clock (`wall`) with the session's (`now`): a step of more than
    /// [`CLOCK_STEP_MS`] since the last one recorded is recorded as [`EventKind::ClockJumped`]. The
    /// session's stamps keep their steady count either way.
    pub fn note_wall_clock(
        &mut self,
        wall: DateTime<Utc>,
        task_id: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let offset_ms = (wall - now).num_milliseconds();
        if (offset_ms - self.wall_offset_ms).abs() > CLOCK_STEP_MS {
            self.wall_offset_ms = offset_ms;
            let kind = EventKind::ClockJumped {
                wall_at: wall.trunc_subsecs(3),
                offset_ms,
            };
            self.record(task_id, kind, now);
        }
    }

    /// Records a pause or a resume (only a change is recorded).
    pub fn set_paused(&mut self, paused: bool, task_id: Option<&str>, now: DateTime<Utc>) {
        if paused != self.paused {
            self.paused = paused;
            let kind = if paused {
                EventKind::Pause
            } else {
                EventKind::Resume
            };
            self.record(task_id, kind, now);
        }
    }

    /// Ends the session: writes the last burst and `session_end`, and waits until the journal is on
    /// disk. Later calls record nothing.
    pub fn end(&mut self, now: DateTime<Utc>) {
        if self.ended {
            return;
        }
        self.record(None, EventKind::SessionEnd, now);
        self.ended = true;
        self.writer.flush();
    }

    /// Blocks until every event so far is written and on disk.
    pub fn flush(&self) {
        self.writer.flush();
    }

    /// The events not on disk yet (kept in memory, tried again), or `None` when all are written.
    pub fn unsaved(&self) -> Option<crate::domain::store::Unsaved> {
        self.writer.unsaved()
    }

    /// Problems since the last call (unreadable journal lines), oldest first.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The first failure of each run of failed writes since the last call (what waits is
    /// [`Recorder::unsaved`]).
    pub fn take_write_failures(&mut self) -> Vec<String> {
        self.writer
            .take_errors()
            .into_iter()
            .map(|e| format!("could not write the work log: {e}"))
            .collect()
    }

    /// Writes `burst`, or else the open burst if any.
    fn write_burst(&mut self, burst: Option<InputBurst>) {
        let Some(burst) = burst.or_else(|| self.coalescer.take()) else {
            return;
        };
        let event = Event::new(
            burst.last,
            &self.session_id,
            self.burst_task.as_deref(),
            EventKind::Input {
                first_at: burst.first.at,
                first_mono_ms: burst.first.mono_ms,
                counts: burst.counts,
            },
        );
        self.write(event, false);
    }

    fn write(&mut self, event: Event, sync: bool) {
        if self.read_only {
            return;
        }
        self.writer.append(&event, sync);
        self.events.push(event);
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // Input gathered since the last event is real work: keep it even when the session was not
        // ended properly. Dropping the writer then finishes the queue.
        if !self.ended {
            self.write_burst(None);
        }
    }
}
