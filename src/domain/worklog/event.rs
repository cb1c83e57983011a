//! One line of the work log: when it happened, in which session and task, and what happened.

use crate::domain::store::format_time;
use chrono::{DateTime, SubsecRound, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// When an event happened, twice: UTC time for calendars, monotonic milliseconds since the session
/// started for durations (it never goes backwards, even when the system clock does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// UTC time, to the millisecond.
    pub at: DateTime<Utc>,
    /// Milliseconds since the session started.
    pub mono_ms: u64,
}

/// What one pointer or keyboard action was, as the window reports it to the work log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A pointer button went down.
    Press,
    /// The pointer moved with a button held. The window may report every frame of a drag: consecutive
    /// reports count as one drag.
    Drag,
    /// A key went down.
    Key,
    /// The wheel or a touchpad scrolled or zoomed (one report per frame that scrolled).
    Wheel,
    /// The pointer moved with no button held. Consecutive reports count as one movement.
    Move,
}

/// How many inputs of each kind a burst of input held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputCounts {
    /// Pointer button presses.
    #[serde(default)]
    pub presses: u32,
    /// Drags (a drag reported over many frames counts once).
    #[serde(default)]
    pub drags: u32,
    /// Key presses.
    #[serde(default)]
    pub keys: u32,
    /// Frames that scrolled or zoomed with the wheel.
    #[serde(default)]
    pub wheel: u32,
    /// Pointer movements without a button held (a movement over many frames counts once).
    #[serde(default)]
    pub moves: u32,
}

impl InputCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &InputCounts) {
        self.presses = self.presses.saturating_add(other.presses);
        self.drags = self.drags.saturating_add(other.drags);
        self.keys = self.keys.saturating_add(other.keys);
        self.wheel = self.wheel.saturating_add(other.wheel);
        self.moves = self.moves.saturating_add(other.moves);
    }

    /// The sum of every count.
    pub fn total(&self) -> u64 {
        [self.presses, self.drags, self.keys, self.wheel, self.moves]
            .iter()
            .map(|&n| u64::from(n))
            .sum()
    }
}

/// What happened, with the fields of each kind. The `kind` key of a line names the variant in
/// snake_case; `docs/worklog-format.md` describes every field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A session began: the first line a session writes.
    SessionStart {
        /// The work log's format, `clickwork-worklog/1`.
        format: String,
        /// The clickwork version that wrote the session.
        app_version: String,
        /// The worker's pseudonymous id (random, made on first run).
        worker_id: String,
        /// The bundle worked on.
        bundle_id: String,
        /// The operating system family (`linux`, `macos`, `windows`).
        #[serde(default)]
        os: String,
    },
    /// The session ended properly (the window closed or another bundle was opened).
    SessionEnd,
    /// The bundle was opened: what it was then.
    BundleOpened {
        /// The bundle's id.
        bundle_id: String,
        /// Its title.
        #[serde(default)]
        title: String,
        /// Who hands it out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requester: Option<String>,
        /// What one task pays, a decimal string.
        #[serde(
            default,
            with = "rust_decimal::serde::str_option",
            skip_serializing_if = "Option::is_none"
        )]
        reward: Option<Decimal>,
        /// The reward's ISO 4217 currency.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<String>,
        /// How many tasks the bundle has.
        #[serde(default)]
        tasks: usize,
        /// The manifest's SHA-256, to tell versions of a bundle apart.
        #[serde(default)]
        manifest_sha256: String,
    },
    /// The instructions panel opened.
    InstructionsShown,
    /// The instructions panel closed.
    InstructionsHidden,
    /// A task was opened (its image shown); each opening starts a visit.
    TaskOpened {
        /// The task's status before this opening (`new`, `in_progress`, `submitted`, `skipped`).
        #[serde(default)]
        status: String,
        /// Regions it had when opened.
        #[serde(default)]
        regions: usize,
    },
    /// The worker opened their own administration (the earnings view, the settings): unpaid time of
    /// its own, not the task's.
    AdminShown {
        /// `earnings` or `settings`.
        #[serde(default)]
        view: String,
    },
    /// The administration view closed.
    AdminHidden,
    /// The open task's image is being decoded: the tool's wait, not the worker's.
    ImageWaiting,
    /// The image is shown (or failed to decode): the wait is over.
    ImageReady,
    /// The worker turned to the open task (a press on the image, a tool or label picked), once per
    /// visit before its first edit: reading the instructions ends here.
    WorkStarted,
    /// A burst of input: counts from `first_at` to `at`.
    Input {
        /// When the burst's first input happened.
        #[serde(with = "time_ms")]
        first_at: DateTime<Utc>,
        /// The first input's monotonic time.
        first_mono_ms: u64,
        /// How many inputs of each kind.
        #[serde(flatten)]
        counts: InputCounts,
    },
    /// A region was drawn.
    RegionCreated {
        /// Its id within the task.
        region_id: String,
        /// Its label.
        label: String,
        /// `rectangle`, `polygon` or `point`.
        shape: String,
        /// How many vertices were placed.
        vertices: usize,
        /// Milliseconds from the first click of the drawing to its end, as the window measured it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drawing_ms: Option<u64>,
    },
    /// A region was changed (moved, reshaped, relabeled, a vertex moved, inserted or deleted).
    RegionEdited {
        /// Which region.
        region_id: String,
        /// The edit's name (`move region`, `insert vertex`, ...).
        edit: String,
        /// Milliseconds the change took, when the window measured it (a drag).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drawing_ms: Option<u64>,
    },
    /// A region was deleted.
    RegionDeleted {
        /// Which region.
        region_id: String,
    },
    /// An edit was undone.
    Undo {
        /// The undone edit's name.
        edit: String,
        /// The region it touched.
        region_id: String,
    },
    /// An undone edit was redone.
    Redo {
        /// The redone edit's name.
        edit: String,
        /// The region it touched.
        region_id: String,
    },
    /// The task was handed in.
    TaskSubmitted {
        /// Regions handed in.
        regions: usize,
        /// What the task pays, a decimal string (the bundle's reward at the time).
        #[serde(
            default,
            with = "rust_decimal::serde::str_option",
            skip_serializing_if = "Option::is_none"
        )]
        reward: Option<Decimal>,
        /// The reward's currency.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        currency: Option<String>,
    },
    /// The worker passed the task over.
    TaskSkipped {
        /// The reason the worker gave, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// At opening, the task's image was found changed since work on it began.
    ImageChanged {
        /// The image path, relative to the bundle.
        image: String,
        /// True when the work was kept (the file was re-encoded at the same path and size in pixels);
        /// false when it was set aside (another image or another size).
        kept: bool,
    },
    /// The system's wall clock was found stepped away from the session's (a manual change, a time
    /// zone or NTP correction, a laptop waking with a wrong clock). Stamps keep counting steadily from
    /// the session's start, so durations are unaffected; this records what the wall clock said.
    ClockJumped {
        /// What the system's wall clock read at this moment.
        wall_at: DateTime<Utc>,
        /// The wall clock minus this event's `at`, in milliseconds (negative: set back).
        offset_ms: i64,
    },
    /// The window lost the keyboard focus (the worker switched to another program).
    FocusLost,
    /// The window got the focus back.
    FocusGained,
    /// The worker paused the clock (a break).
    Pause,
    /// The worker resumed after a pause.
    Resume,
    /// A kind this version does not know (written by a newer clickwork); it still marks a moment.
    #[serde(other)]
    Unknown,
}

impl EventKind {
    /// The `kind` value written in the file.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::SessionStart { .. } => "session_start",
            EventKind::SessionEnd => "session_end",
            EventKind::BundleOpened { .. } => "bundle_opened",
            EventKind::InstructionsShown => "instructions_shown",
            EventKind::InstructionsHidden => "instructions_hidden",
            EventKind::TaskOpened { .. } => "task_opened",
            EventKind::WorkStarted => "work_started",
            EventKind::AdminShown { .. } => "admin_shown",
            EventKind::AdminHidden => "admin_hidden",
            EventKind::ImageWaiting => "image_waiting",
            EventKind::ImageReady => "image_ready",
            EventKind::Input { .. } => "input",
            EventKind::RegionCreated { .. } => "region_created",
            EventKind::RegionEdited { .. } => "region_edited",
            EventKind::RegionDeleted { .. } => "region_deleted",
            EventKind::Undo { .. } => "undo",
            EventKind::Redo { .. } => "redo",
            EventKind::TaskSubmitted { .. } => "task_submitted",
            EventKind::TaskSkipped { .. } => "task_skipped",
            EventKind::ImageChanged { .. } => "image_changed",
            EventKind::ClockJumped { .. } => "clock_jumped",
            EventKind::FocusLost => "focus_lost",
            EventKind::FocusGained => "focus_gained",
            EventKind::Pause => "pause",
            EventKind::Resume => "resume",
            EventKind::Unknown => "unknown",
        }
    }

    /// True for the kinds after which the journal is fsynced: the task boundaries and the session's
    /// start and end, so a crash loses at most the input of the task being worked on.
    pub fn is_boundary(&self) -> bool {
        matches!(
            self,
            EventKind::SessionStart { .. }
                | EventKind::SessionEnd
                | EventKind::BundleOpened { .. }
                | EventKind::TaskOpened { .. }
                | EventKind::TaskSubmitted { .. }
                | EventKind::TaskSkipped { .. }
        )
    }
}

/// One line of the work log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// UTC time, to the millisecond.
    pub at: DateTime<Utc>,
    /// Milliseconds since the session started (monotonic).
    pub mono_ms: u64,
    /// The session that wrote it.
    pub session_id: String,
    /// The task it concerns, where one does.
    pub task_id: Option<String>,
    /// What happened.
    pub kind: EventKind,
}

/// The keys every line has besides its kind's own, as read.
#[derive(Deserialize)]
struct RawEvent {
    #[serde(with = "time_ms")]
    at: DateTime<Utc>,
    mono_ms: u64,
    session_id: String,
    #[serde(default)]
    task_id: Option<String>,
    #[serde(flatten)]
    kind: EventKind,
}

impl Event {
    /// An event at `stamp` (its time is cut to the millisecond, as it is written).
    pub fn new(stamp: Stamp, session_id: &str, task_id: Option<&str>, kind: EventKind) -> Self {
        Event {
            at: stamp.at.trunc_subsecs(3),
            mono_ms: stamp.mono_ms,
            session_id: session_id.to_owned(),
            task_id: task_id.map(str::to_owned),
            kind,
        }
    }

    /// When it happened.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            at: self.at,
            mono_ms: self.mono_ms,
        }
    }

    /// The JSON object of the line, keys in a fixed order: `kind`, `at`, `mono_ms`, `session_id`,
    /// `task_id`, then the kind's own fields.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("kind".into(), self.kind.name().into());
        out.insert("at".into(), format_time(self.at).into());
        out.insert("mono_ms".into(), self.mono_ms.into());
        out.insert("session_id".into(), self.session_id.clone().into());
        if let Some(task) = &self.task_id {
            out.insert("task_id".into(), task.clone().into());
        }
        // Serializing plain data to a Value cannot fail; an empty object would only lose the fields.
        if let Ok(Value::Object(fields)) = serde_json::to_value(&self.kind) {
            for (key, value) in fields {
                if key != "kind" {
                    out.insert(key, value);
                }
            }
        }
        Value::Object(out)
    }

    /// The line as written: compact JSON and a newline.
    pub fn to_line(&self) -> String {
        let mut line = self.to_json().to_string();
        line.push('\n');
        line
    }

    /// Parses one line (without its newline).
    pub fn parse(line: &str) -> Result<Event, serde_json::Error> {
        let raw: RawEvent = serde_json::from_str(line)?;
        Ok(Event {
            at: raw.at,
            mono_ms: raw.mono_ms,
            session_id: raw.session_id,
            task_id: raw.task_id,
            kind: raw.kind,
        })
    }
}

/// UTC times as every clickwork file writes them: RFC 3339 with milliseconds and a `Z`.
mod time_ms {
    use crate::domain::store::format_time;
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_time(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn stamp(ms: u64) -> Stamp {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        Stamp {
            at: t0 + chrono::Duration::milliseconds(ms as i64),
            mono_ms: ms,
        }
    }

    #[test]
    fn every_kind_round_trips_through_a_line() {
        let kinds = vec![
            EventKind::SessionStart {
                format: "clickwork-worklog/1".into(),
                app_version: "0.1.0".into(),
                worker_id: "w-1".into(),
                bundle_id: "b".into(),
                os: "linux".into(),
            },
            EventKind::SessionEnd,
            EventKind::BundleOpened {
                bundle_id: "b".into(),
                title: "B".into(),
                requester: Some("lab".into()),
                reward: Some(Decimal::new(12, 3)),
                currency: Some("USD".into()),
                tasks: 3,
                manifest_sha256: "ab".into(),
            },
            EventKind::InstructionsShown,
            EventKind::InstructionsHidden,
            EventKind::TaskOpened {
                status: "new".into(),
                regions: 0,
            },
            EventKind::WorkStarted,
            EventKind::AdminShown {
                view: "settings".into(),
            },
            EventKind::AdminHidden,
            EventKind::ImageWaiting,
            EventKind::ImageReady,
            EventKind::Input {
                first_at: stamp(5).at,
                first_mono_ms: 5,
                counts: InputCounts {
                    presses: 1,
                    drags: 2,
                    keys: 3,
                    wheel: 4,
                    moves: 5,
                },
            },
            EventKind::RegionCreated {
                region_id: "r1".into(),
                label: "sky".into(),
                shape: "polygon".into(),
                vertices: 5,
                drawing_ms: Some(4200),
            },
            EventKind::RegionEdited {
                region_id: "r1".into(),
                edit: "move vertex".into(),
                drawing_ms: None,
            },
            EventKind::RegionDeleted {
                region_id: "r1".into(),
            },
            EventKind::Undo {
                edit: "delete region".into(),
                region_id: "r1".into(),
            },
            EventKind::Redo {
                edit: "delete region".into(),
                region_id: "r1".into(),
            },
            EventKind::TaskSubmitted {
                regions: 2,
                reward: Some(Decimal::new(5, 2)),
                currency: Some("USD".into()),
            },
            EventKind::TaskSkipped {
                reason: Some("blurry".into()),
            },
            EventKind::TaskSkipped { reason: None },
            EventKind::ClockJumped {
                wall_at: stamp(7).at - chrono::Duration::hours(1),
                offset_ms: -3_600_000,
            },
            EventKind::FocusLost,
            EventKind::FocusGained,
            EventKind::Pause,
            EventKind::Resume,
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let event = Event::new(stamp(i as u64 * 10), "s1", Some("t1"), kind);
            let line = event.to_line();
            assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
            assert!(line.starts_with(&format!("{{\"kind\":\"{}\"", event.kind.name())));
            let back = Event::parse(line.trim_end()).unwrap();
            assert_eq!(back, event, "{line}");
        }
    }

    #[test]
    fn amounts_are_strings_and_times_have_millis() {
        let event = Event::new(
            Stamp {
                at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
                    + chrono::Duration::nanoseconds(123_456_789),
                mono_ms: 7,
            },
            "s",
            Some("t"),
            EventKind::TaskSubmitted {
                regions: 1,
                reward: Some(Decimal::new(12, 3)),
                currency: Some("USD".into()),
            },
        );
        assert_eq!(
            event.to_line(),
            "{\"kind\":\"task_submitted\",\"at\":\"2026-01-02T03:04:05.123Z\",\"mono_ms\":7,\
             \"session_id\":\"s\",\"task_id\":\"t\",\"regions\":1,\"reward\":\"0.012\",\
             \"currency\":\"USD\"}\n"
        );
    }

    #[test]
    fn unknown_kinds_and_keys_are_read_not_refused() {
        let event = Event::parse(
            r#"{"kind":"gaze_tracked","at":"2026-01-02T03:04:05.000Z","mono_ms":9,"session_id":"s","x":1}"#,
        )
        .unwrap();
        assert_eq!(event.kind, EventKind::Unknown);
        assert_eq!(event.mono_ms, 9);
        let extra = Event::parse(
            r#"{"kind":"pause","at":"2026-01-02T03:04:05.000Z","mono_ms":9,"session_id":"s","why":"tea"}"#,
        )
        .unwrap();
        assert_eq!(extra.kind, EventKind::Pause);
        assert!(
            Event::parse(r#"{"kind":"pause","at":"yesterday","mono_ms":9,"session_id":"s"}"#)
                .is_err()
        );
    }
}
