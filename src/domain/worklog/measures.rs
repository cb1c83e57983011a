//! Published measures of working time, computed from the same raw log as our own: what another tool
//! or study would have reported for this work. Each rule and its source is in `docs/measures.md`.

use super::{Event, EventKind, derive_times};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::fmt;
use std::str::FromStr;

/// CVAT's longest gap between two events that still counts as work (`MAX_EVENT_DURATION`).
pub const CVAT_MAX_GAP_MS: u64 = 100_000;
/// ActivityWatch's default AFK timeout (aw-watcher-afk `timeout`).
pub const AFK_DEFAULT_SECS: u64 = 180;

/// A rule for measuring working time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// CVAT's "working time": each event adds the gap since the previous one when it is under
    /// 100 s, charged to the task of the previous event.
    Cvat,
    /// ActivityWatch's not-AFK time: a stretch without input of `secs` or more is away from keyboard
    /// from its start.
    Afk {
        /// The AFK timeout in seconds.
        secs: u64,
    },
    /// Hara et al. (CHI 2018): a task's time runs from its opening to its submission (or skip, or
    /// leaving it), idle or not; the ledger adds their wages over paid and over all time.
    Hara,
    /// clickwork's own active time at idle threshold `secs` (`--idle-secs`).
    Idle {
        /// The threshold in seconds.
        secs: u64,
    },
}

/// A rule name that is not one of ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown rule {:?}: expected cvat, hara, afk, afk=SECS or idle=SECS (SECS a whole \
             number from 1 to 86400)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRule {}

impl FromStr for Rule {
    type Err = UnknownRule;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.trim().to_ascii_lowercase();
        let secs = |value: &str| {
            value
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=86_400).contains(s))
                .ok_or_else(|| UnknownRule(text.to_owned()))
        };
        match lower.split_once('=') {
            None if lower == "cvat" => Ok(Rule::Cvat),
            None if lower == "hara" => Ok(Rule::Hara),
            None if lower == "afk" => Ok(Rule::Afk {
                secs: AFK_DEFAULT_SECS,
            }),
            Some(("afk", value)) => Ok(Rule::Afk { secs: secs(value)? }),
            Some(("idle", value)) => Ok(Rule::Idle { secs: secs(value)? }),
            _ => Err(UnknownRule(text.to_owned())),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Cvat => write!(f, "cvat"),
            Rule::Hara => write!(f, "hara"),
            Rule::Afk { secs } => write!(f, "afk={secs}"),
            Rule::Idle { secs } => write!(f, "idle={secs}"),
        }
    }
}

impl Rule {
    /// One line saying what the rule counts, for the report.
    pub fn definition(self) -> String {
        match self {
            Rule::Cvat => format!(
                "CVAT working time: each event adds the gap since the previous one if under {} s, \
                 charged to the previous event's task",
                CVAT_MAX_GAP_MS / 1000
            ),
            Rule::Hara => "Hara et al. (CHI 2018) task time: from opening a task to submitting, \
                 skipping or leaving it, idle or not; time with no task open is unpaid"
                .to_owned(),
            Rule::Afk { secs } => format!(
                "ActivityWatch not-AFK time: input gaps of {secs} s or more are away from keyboard"
            ),
            Rule::Idle { secs } => {
                format!("clickwork active time: gaps of {secs} s or more are idle")
            }
        }
    }
}

/// Working time by one rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Measure {
    /// Milliseconds in all, tasks and no task.
    pub total_ms: u64,
    /// Milliseconds per task, in order of first appearance in the log.
    pub tasks: Vec<(String, u64)>,
    /// Milliseconds charged to no task (between tasks, before the first one).
    pub no_task_ms: u64,
}

impl Measure {
    fn charge(&mut self, task_id: Option<&str>, ms: u64) {
        self.total_ms += ms;
        match task_id {
            None => self.no_task_ms += ms,
            Some(id) => match self.tasks.iter_mut().find(|(t, _)| t == id) {
                Some((_, total)) => *total += ms,
                None => self.tasks.push((id.to_owned(), ms)),
            },
        }
    }
}

impl Measure {
    /// The `report --rule` JSON object: `total_secs` and `tasks` at the top level.
    pub fn to_json(&self, bundle_id: &str, rule: Rule) -> Value {
        let tasks: Vec<Value> = self
            .tasks
            .iter()
            .map(|(task_id, ms)| json!({"task_id": task_id, "secs": secs(*ms)}))
            .collect();
        json!({
            "format": "clickwork-measure/1",
            "bundle_id": bundle_id,
            "rule": rule.to_string(),
            "definition": rule.definition(),
            "total_secs": secs(self.total_ms),
            "no_task_secs": secs(self.no_task_ms),
            "tasks": tasks,
        })
    }

    /// The same for people: the rule, the total, then one line per task.
    pub fn to_text(&self, heading: &str, rule: Rule) -> String {
        let mut out = format!(
            "{heading}\nrule:     {rule}: {}\ntotal:    {}\nno task:  {}\n",
            rule.definition(),
            hms(self.total_ms),
            hms(self.no_task_ms)
        );
        let width = self.tasks.iter().map(|(t, _)| t.len()).max().unwrap_or(0);
        for (task_id, ms) in &self.tasks {
            out.push_str(&format!("  {task_id:<width$}  {}\n", hms(*ms)));
        }
        out
    }
}

/// Milliseconds as seconds for JSON, to the millisecond.
pub fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// Milliseconds as `h:mm:ss` for people.
pub fn hms(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Working time in `events` (one bundle's journal, in file order) by `rule`.
pub fn measure(rule: Rule, events: &[Event]) -> Measure {
    match rule {
        Rule::Cvat => cvat(events),
        Rule::Hara => wall(events),
        Rule::Afk { secs } | Rule::Idle { secs } => ours(events, secs),
    }
}

fn ms_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    u64::try_from((to - from).num_milliseconds()).unwrap_or(0)
}

/// CVAT's `compute_working_time_per_ids` with each journal line as one event. An `input` line is an
/// aggregated event like CVAT's compressed `change:frame` ones: it starts at its first input and
/// lasts until its last, and that span counts whole. Calendar time (`at`) is used, as CVAT does;
/// sessions are not told apart.
fn cvat(events: &[Event]) -> Measure {
    let mut out = Measure::default();
    let Some(first) = events.first() else {
        return out;
    };
    let span = |event: &Event| match &event.kind {
        EventKind::Input { first_at, .. } => (*first_at, event.at),
        _ => (event.at, event.at),
    };
    let mut previous_end = span(first).0;
    let mut previous_task = first.task_id.as_deref();
    for event in events {
        let (start, end) = span(event);
        let mut working = 0;
        if start > previous_end {
            let gap = ms_between(previous_end, start);
            if gap < CVAT_MAX_GAP_MS {
                working += gap;
            }
            previous_end = start;
        }
        if end > previous_end {
            working += ms_between(previous_end, end);
            previous_end = end;
        }
        out.charge(previous_task, working);
        previous_task = event.task_id.as_deref();
    }
    out
}

/// Wall time per task (every visit, opening to leaving), and the rest of each session's wall time
/// as no task.
fn wall(events: &[Event]) -> Measure {
    let times = derive_times(events, super::DEFAULT_IDLE_SECS * 1000);
    let mut out = Measure::default();
    for task in &times.tasks {
        out.charge(Some(&task.task_id), task.wall_ms);
    }
    let on_tasks: u64 = times.tasks.iter().map(|t| t.wall_ms).sum();
    out.charge(None, times.wall_ms().saturating_sub(on_tasks));
    out
}

/// Our active time at threshold `secs`: what `report --idle-secs` counts.
fn ours(events: &[Event], secs: u64) -> Measure {
    let times = derive_times(events, secs.saturating_mul(1000));
    let mut out = Measure::default();
    for task in &times.tasks {
        out.charge(Some(&task.task_id), task.active_ms);
    }
    let no_task: u64 = times
        .sessions
        .iter()
        .map(|s| s.between_tasks_ms + s.instructions_before_work_ms)
        .sum();
    out.charge(None, no_task);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::worklog::{InputCounts, Stamp};
    use chrono::TimeZone;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap() + chrono::Duration::milliseconds(ms)
    }

    fn ev(ms: i64, task: Option<&str>, kind: EventKind) -> Event {
        let stamp = Stamp {
            at: at(ms),
            mono_ms: u64::try_from(ms).unwrap(),
        };
        Event::new(stamp, "s", task, kind)
    }

    fn input(from: i64, to: i64, task: &str) -> Event {
        ev(
            to,
            Some(task),
            EventKind::Input {
                first_at: at(from),
                first_mono_ms: u64::try_from(from).unwrap(),
                counts: InputCounts::default(),
            },
        )
    }

    fn opened(ms: i64, task: &str) -> Event {
        ev(
            ms,
            Some(task),
            EventKind::TaskOpened {
                status: "new".into(),
                regions: 0,
            },
        )
    }

    #[test]
    fn rules_parse_and_print_back() {
        for (text, rule) in [
            ("cvat", Rule::Cvat),
            ("Hara", Rule::Hara),
            ("CVAT", Rule::Cvat),
            ("afk", Rule::Afk { secs: 180 }),
            ("afk=60", Rule::Afk { secs: 60 }),
            ("idle=30", Rule::Idle { secs: 30 }),
        ] {
            assert_eq!(text.parse::<Rule>(), Ok(rule), "{text}");
        }
        assert_eq!(Rule::Afk { secs: 60 }.to_string(), "afk=60");
        for bad in ["hara2", "afk=", "afk=0", "idle=x", "idle", "cvat=1", ""] {
            assert!(bad.parse::<Rule>().is_err(), "{bad}");
        }
    }

    /// Worked by hand from CVAT's algorithm: gaps under 100 s count, to the previous event's task.
    #[test]
    fn cvat_counts_short_gaps_for_the_previous_events_task() {
        let events = vec![
            ev(
                0,
                None,
                EventKind::SessionStart {
                    format: "clickwork-worklog/1".into(),
                    app_version: "0".into(),
                    worker_id: "w".into(),
                    bundle_id: "b".into(),
                    os: "linux".into(),
                },
            ),
            opened(2_000, "a"), // +2 s, charged to no task (session_start has none)
            input(10_000, 15_000, "a"), // +8 s gap, +5 s span: 13 s to a
            ev(114_999, Some("a"), EventKind::Pause), // gap of 99.999 s: under 100 s, to a
            ev(214_999, Some("a"), EventKind::Resume), // exactly 100 s: not counted
            opened(220_000, "b"), // +5.001 s, charged to a (the previous event's task)
            input(230_000, 231_000, "b"), // 10 s + 1 s to b
            ev(231_500, None, EventKind::SessionEnd), // 0.5 s to b
        ];
        let m = measure(Rule::Cvat, &events);
        assert_eq!(m.no_task_ms, 2_000);
        assert_eq!(
            m.tasks,
            vec![
                ("a".to_owned(), 13_000 + 99_999 + 5_001),
                ("b".to_owned(), 11_500)
            ]
        );
        assert_eq!(m.total_ms, 2_000 + 118_000 + 11_500);
    }

    #[test]
    fn cvat_never_counts_time_backwards_and_an_empty_log_is_zero() {
        assert_eq!(measure(Rule::Cvat, &[]), Measure::default());
        // The wall clock set back 10 s between two events: the later event adds nothing.
        let events = vec![
            opened(20_000, "a"),
            opened(10_000, "a"),
            opened(25_000, "a"),
        ];
        let m = measure(Rule::Cvat, &events);
        assert_eq!(m.total_ms, 5_000);
    }

    #[test]
    fn afk_and_idle_are_our_active_time_at_their_threshold() {
        let events = vec![
            opened(0, "a"),
            input(0, 1_000, "a"),
            // 179 s without input: still at the keyboard under afk=180, away under idle=100.
            input(180_000, 181_000, "a"),
            ev(182_000, Some("a"), EventKind::TaskSkipped { reason: None }),
        ];
        let afk = measure(Rule::Afk { secs: 180 }, &events);
        assert_eq!(afk.tasks, vec![("a".to_owned(), 182_000)]);
        let idle = measure(Rule::Idle { secs: 100 }, &events);
        assert_eq!(idle.tasks, vec![("a".to_owned(), 3_000)]);
        assert_eq!(idle.total_ms, 3_000);
    }
}
