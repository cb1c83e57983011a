//! One row per task for researchers: times at several idle thresholds, counts, outcome, reward and
//! review, as CSV or JSON lines. The columns are documented in `docs/worklog-format.md`.

use crate::domain::ledger::{Reviews, amount_text, secs};
use crate::domain::store::format_time;
use crate::domain::worklog::{
    EXPORT_IDLE_SECS, Event, Outcome, TaskTimes, WorkTimes, derive_times,
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

/// A task's status in the window's words (`TaskStatus`), read from the log: `submitted` or
/// `skipped` by its last outcome; else `in_progress` once anything on it changed (an edit, undo or
/// redo), and `new` until then, whether or not it was opened. The window marks a task the same way:
/// opening it writes nothing, its first change makes it in progress.
fn status_word(times: Option<&TaskTimes>) -> &'static str {
    match times {
        Some(t) if t.outcome != Outcome::Open => t.outcome.name(),
        Some(t) if t.edits + t.undos + t.redos > 0 => "in_progress",
        _ => "new",
    }
}

/// The columns of a task row, in order. Never renamed once shipped; new ones go at the end.
pub const TASK_COLUMNS: [&str; 41] = [
    "worker_id",
    "bundle_id",
    "task_id",
    "status",
    "review_status",
    "idle_threshold_secs",
    "wall_secs",
    "active_secs",
    "active_secs_30",
    "active_secs_100",
    "active_secs_180",
    "active_secs_300",
    "idle_secs",
    "instructions_secs",
    "instructions_before_work_secs",
    "regions",
    "regions_submitted",
    "vertices",
    "edits",
    "undos",
    "redos",
    "drawing_secs",
    "secs_per_region",
    "visits",
    "presses",
    "drags",
    "keys",
    "wheel",
    "moves",
    "reward",
    "currency",
    "bonus",
    "bonus_currency",
    "opened_at",
    "first_input_at",
    "finished_at",
    "skip_reason",
    "review_reason",
    "session_ids",
    "app_version",
    "review_imported_at",
];

/// One task's row: a value for each of [`TASK_COLUMNS`], in order.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRow {
    values: Vec<Value>,
}

impl TaskRow {
    /// The value of `column`, if it is one of [`TASK_COLUMNS`].
    pub fn get(&self, column: &str) -> Option<&Value> {
        let index = TASK_COLUMNS.iter().position(|c| *c == column)?;
        self.values.get(index)
    }

    /// The row as a JSON object, keys in column order; amounts are strings, durations numbers,
    /// missing values `null`.
    pub fn to_json(&self) -> Value {
        let map: Map<String, Value> = TASK_COLUMNS
            .iter()
            .zip(&self.values)
            .map(|(c, v)| ((*c).to_owned(), v.clone()))
            .collect();
        Value::Object(map)
    }

    /// The row as CSV fields: missing values are empty.
    pub fn to_fields(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

/// One row per task of bundle `bundle_id`: first the tasks of `task_ids` (the bundle's order; those
/// never opened have status `new`), then any other task the log mentions. Times are derived at
/// `idle_secs` and at each of [`EXPORT_IDLE_SECS`].
pub fn task_rows(
    bundle_id: &str,
    task_ids: &[String],
    events: &[Event],
    reviews: &Reviews,
    idle_secs: u64,
) -> Vec<TaskRow> {
    let main = derive_times(events, idle_secs.saturating_mul(1000));
    let at: Vec<WorkTimes> = EXPORT_IDLE_SECS
        .iter()
        .map(|s| derive_times(events, s * 1000))
        .collect();
    let sessions: HashMap<&str, (Option<&str>, Option<&str>)> = main
        .sessions
        .iter()
        .map(|s| {
            (
                s.session_id.as_str(),
                (s.worker_id.as_deref(), s.app_version.as_deref()),
            )
        })
        .collect();
    let mut ids: Vec<&str> = task_ids.iter().map(String::as_str).collect();
    for task in &main.tasks {
        if !ids.contains(&task.task_id.as_str()) {
            ids.push(&task.task_id);
        }
    }
    let empty = TaskTimes::default();
    ids.into_iter()
        .map(|id| {
            let times = main.task(id);
            let t = times.unwrap_or(&empty);
            let review = reviews.get(id);
            let status = status_word(times);
            let submitted = times.is_some_and(|t| t.outcome == Outcome::Submitted);
            let review_status = match (review, submitted) {
                (Some(r), _) => Some(r.status.name()),
                (None, true) => Some("pending"),
                (None, false) => None,
            };
            let mut workers: Vec<&str> = Vec::new();
            let mut version = None;
            for session in &t.session_ids {
                if let Some((worker, app)) = sessions.get(session.as_str()) {
                    if let Some(w) = worker
                        && !workers.contains(w)
                    {
                        workers.push(w);
                    }
                    version = app.or(version);
                }
            }
            let visited = times.is_some();
            let text = |s: Option<&str>| s.map_or(Value::Null, |s| s.into());
            let time = |t: Option<DateTime<Utc>>| t.map_or(Value::Null, |t| format_time(t).into());
            let duration =
                |ms: u64| -> Value { if visited { secs(ms).into() } else { 0.0.into() } };
            let mut values: Vec<Value> = vec![
                text((!workers.is_empty()).then(|| workers.join(";")).as_deref()),
                bundle_id.into(),
                id.into(),
                status.into(),
                text(review_status),
                idle_secs.into(),
                duration(t.wall_ms),
                duration(t.active_ms),
            ];
            for times_at in &at {
                values.push(duration(times_at.task(id).map_or(0, |t| t.active_ms)));
            }
            values.extend([
                duration(t.idle_ms()),
                duration(t.instructions_ms),
                duration(t.instructions_before_work_ms),
                t.regions.into(),
                t.regions_submitted.map_or(Value::Null, Value::from),
                t.vertices.into(),
                t.edits.into(),
                t.undos.into(),
                t.redos.into(),
                duration(t.drawing_ms),
                t.ms_per_region().map_or(Value::Null, |ms| secs(ms).into()),
                t.visits.into(),
                t.inputs.presses.into(),
                t.inputs.drags.into(),
                t.inputs.keys.into(),
                t.inputs.wheel.into(),
                t.inputs.moves.into(),
                t.reward
                    .filter(|_| submitted)
                    .map_or(Value::Null, |r| amount_text(r).into()),
                text(t.currency.as_deref().filter(|_| submitted)),
                review
                    .and_then(|r| r.bonus)
                    .map_or(Value::Null, |b| amount_text(b).into()),
                text(review.and_then(|r| r.bonus.and(r.currency.as_deref()))),
                time(t.opened_at),
                time(t.first_input_at),
                time(t.finished_at),
                text(t.skip_reason.as_deref()),
                text(review.and_then(|r| r.reason.as_deref())),
                text(
                    (!t.session_ids.is_empty())
                        .then(|| t.session_ids.join(";"))
                        .as_deref(),
                ),
                text(version),
                text(review.map(|r| r.imported_at.as_str())),
            ]);
            TaskRow { values }
        })
        .collect()
}

/// Writes `rows` as CSV with a header line (RFC 4180 quoting).
pub fn write_csv(rows: &[TaskRow], out: impl Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(TASK_COLUMNS)?;
    for row in rows {
        writer.write_record(row.to_fields())?;
    }
    writer.flush()
}

/// Writes `rows` as JSON lines: one object per line.
pub fn write_jsonl(rows: &[TaskRow], mut out: impl Write) -> std::io::Result<()> {
    for row in rows {
        out.write_all(row.to_json().to_string().as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Whether the file at `path` is an earlier output of [`write_csv`] or [`write_jsonl`] (its first line is
/// our CSV header, or a JSON object with our first columns), so that it may be replaced; anything else
/// (a journal, someone's notes) is not.
pub fn is_task_rows_file(path: &Path) -> bool {
    use std::io::BufRead;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    // A line longer than this is no header of ours.
    let mut reader = std::io::BufReader::new(file).take(64 * 1024);
    if reader.read_line(&mut first).is_err() {
        return false;
    }
    let first = first.trim_end();
    let header = TASK_COLUMNS.join(",");
    if first == header {
        return true;
    }
    serde_json::from_str::<Map<String, Value>>(first).is_ok_and(|object| {
        let keys: Vec<&str> = object.keys().map(String::as_str).take(4).collect();
        TASK_COLUMNS.get(..4) == Some(keys.as_slice())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_value_for_every_column() {
        let rows = task_rows("b", &["a".to_owned()], &[], &Reviews::new("b"), 100);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].values.len(), TASK_COLUMNS.len());
        assert_eq!(rows[0].get("status"), Some(&Value::from("new")));
        assert_eq!(rows[0].get("nope"), None);
        let mut out = Vec::new();
        write_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("worker_id,bundle_id,task_id,status,"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn our_csv_and_jsonl_are_recognised_and_a_journal_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let rows = task_rows("b", &["a".to_owned()], &[], &Reviews::new("b"), 100);
        let csv = dir.path().join("t.csv");
        write_csv(&rows, std::fs::File::create(&csv).unwrap()).unwrap();
        assert!(is_task_rows_file(&csv));
        let jsonl = dir.path().join("t.jsonl");
        write_jsonl(&rows, std::fs::File::create(&jsonl).unwrap()).unwrap();
        assert!(is_task_rows_file(&jsonl));
        let journal = dir.path().join("worklog.jsonl");
        std::fs::write(&journal, "{\"kind\":\"session_start\",\"at\":\"x\"}\n").unwrap();
        assert!(!is_task_rows_file(&journal));
        assert!(!is_task_rows_file(&dir.path().join("missing")));
    }
}
