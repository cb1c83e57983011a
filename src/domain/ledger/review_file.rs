//! Reading a requester's review file (CSV with a header line, or JSON), checking every row before
//! anything is applied: each problem is reported with its line, and a file with any is refused whole.

use crate::domain::bundle::Bundle;
use crate::domain::json_location::{JsonPath, line_column, locate_all};
use crate::domain::money::{Amount, AmountError, Currency};
use crate::domain::store::StoreError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// A requester's verdict on a submitted task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// The work is accepted: the reward is due.
    Approved,
    /// The work is refused: no reward.
    Rejected,
}

impl ReviewStatus {
    /// Reads `approved` or `rejected`, in any case, spaces around ignored.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "approved" => Some(ReviewStatus::Approved),
            "rejected" => Some(ReviewStatus::Rejected),
            _ => None,
        }
    }

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            ReviewStatus::Approved => "approved",
            ReviewStatus::Rejected => "rejected",
        }
    }
}

/// One checked row of a review file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    /// The line the row starts on, from 1.
    pub line: usize,
    /// The task.
    pub task_id: String,
    /// The verdict.
    pub status: ReviewStatus,
    /// The bonus, with its currency.
    pub bonus: Option<(Decimal, String)>,
    /// The requester's reason.
    pub reason: Option<String>,
}

/// A row of a review file that cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// The line the row starts on, from 1.
    pub line: usize,
    /// The row's number, from 1 (the CSV header is not a row).
    pub row: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} (row {}): {}", self.line, self.row, self.message)
    }
}

/// Why a review file was not applied. Nothing of it was.
#[derive(Debug, thiserror::Error)]
pub enum ReviewImportError {
    /// The file could not be read, or the reviews could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file is not a review file at all (not CSV or JSON, no `task_id` or `status` column).
    #[error("{}: {message}", path.display())]
    File {
        /// The review file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Some rows are wrong; each is listed.
    #[error("{}: {} bad row(s), nothing was applied:\n{}", path.display(), bad_rows(problems), list(path, problems))]
    Rows {
        /// The review file.
        path: PathBuf,
        /// Every bad row.
        problems: Vec<RowProblem>,
    },
}

fn bad_rows(problems: &[RowProblem]) -> usize {
    problems.iter().map(|p| p.row).collect::<HashSet<_>>().len()
}

fn list(path: &Path, problems: &[RowProblem]) -> String {
    problems
        .iter()
        .map(|p| {
            format!(
                "  {}:{}: row {}: {}",
                path.display(),
                p.line,
                p.row,
                p.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A row as read, before checking: the fields as text.
#[derive(Clone, Debug, Default)]
struct RawRow {
    line: usize,
    row: usize,
    task_id: Option<String>,
    status: Option<String>,
    bonus: Option<String>,
    currency: Option<String>,
    reason: Option<String>,
    /// A JSON row that is not an object.
    is_not_object: bool,
}

/// Reads and checks the review file `file` against `bundle`: every row must name a task of the bundle
/// and a known status, with a well-formed bonus. Returns the rows, or every problem found.
pub fn read_review_file(file: &Path, bundle: &Bundle) -> Result<Vec<ReviewRow>, ReviewImportError> {
    crate::domain::io_guard::assert_off_ui_thread(file);
    let bytes = std::fs::read(file).map_err(|e| StoreError::io(file, e))?;
    let raw = parse_rows(file, &bytes)?;
    check_rows(file, raw, bundle)
}

fn file_error(path: &Path, message: impl Into<String>) -> ReviewImportError {
    ReviewImportError::File {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// JSON when the name ends in `.json`, or when it does not end in `.csv` and starts with `[` or `{`.
fn parse_rows(path: &Path, bytes: &[u8]) -> Result<Vec<RawRow>, ReviewImportError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let first = bytes
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let is_json = match extension.as_deref() {
        Some("json") => true,
        Some("csv") => false,
        _ => matches!(first, Some(b'[' | b'{')),
    };
    if is_json {
        json_rows(path, bytes)
    } else {
        csv_rows(path, bytes)
    }
}

fn csv_rows(path: &Path, bytes: &[u8]) -> Result<Vec<RawRow>, ReviewImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| file_error(path, format!("not a CSV file: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let (Some(task_col), Some(status_col)) = (column("task_id"), column("status")) else {
        return Err(file_error(
            path,
            format!(
                "the header line must name the columns task_id and status (found: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let (bonus_col, currency_col, reason_col) =
        (column("bonus"), column("currency"), column("reason"));
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| file_error(path, format!("not a CSV file: {e}")))?;
        // The csv crate's own line count skips blank lines; counting newlines before the record's first
        // byte gives the line an editor shows.
        let line = record.position().map_or(index + 2, |p| {
            let start = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            let start = start + leading_blank_lines(bytes.get(start..).unwrap_or_default());
            line_at(bytes, start)
        });
        let field = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::to_owned)
                .filter(|s| !s.is_empty())
        };
        rows.push(RawRow {
            line,
            row: index + 1,
            task_id: field(Some(task_col)),
            status: field(Some(status_col)),
            bonus: field(bonus_col),
            currency: field(currency_col),
            reason: field(reason_col),
            is_not_object: false,
        });
    }
    Ok(rows)
}

/// The line (from 1) that byte `offset` of `bytes` is on.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes
        .get(..offset)
        .map_or(1, |b| b.iter().filter(|&&c| c == b'\n').count() + 1)
}

/// How many bytes of blank lines `bytes` starts with.
fn leading_blank_lines(bytes: &[u8]) -> usize {
    let mut skipped = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) && line.ends_with(b"\n") {
            skipped += line.len();
        } else {
            break;
        }
    }
    skipped
}

/// A JSON review file: an array of row objects, or an object whose `reviews` key holds one. Keys are
/// matched in any case, as CSV headers are. Each row's line is found with the shared JSON locator.
fn json_rows(path: &Path, bytes: &[u8]) -> Result<Vec<RawRow>, ReviewImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| file_error(path, "not UTF-8 text"))?
        .trim_start_matches('\u{feff}');
    // A full parse first: a syntax error is reported with serde_json's line and column.
    let document: Value = serde_json::from_str(text)
        .map_err(|e| file_error(path, format!("not a JSON file: {e}")))?;
    let (items, base) = match &document {
        Value::Array(items) => Some((items, JsonPath::root())),
        Value::Object(map) => map
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("reviews"))
            .and_then(|(key, value)| match value {
                Value::Array(items) => Some((items, JsonPath::root().key(key))),
                _ => None,
            }),
        _ => None,
    }
    .ok_or_else(|| {
        file_error(
            path,
            "expected an array of reviews, or an object with a \"reviews\" array",
        )
    })?;
    let paths: Vec<JsonPath> = (0..items.len()).map(|i| base.index(i)).collect();
    let offsets = locate_all(text, &paths.iter().collect::<Vec<_>>());
    let rows = items
        .iter()
        .zip(offsets)
        .enumerate()
        .map(|(i, (value, offset))| {
            let mut raw = RawRow {
                line: offset.map_or(1, |o| line_column(text, o).0),
                row: i + 1,
                ..RawRow::default()
            };
            match value {
                Value::Object(map) => {
                    let text_of = |wanted: &str| {
                        let value = map
                            .iter()
                            .find(|(key, _)| key.trim().eq_ignore_ascii_case(wanted))
                            .map(|(_, value)| value);
                        match value {
                            Some(Value::String(s)) => {
                                Some(s.trim().to_owned()).filter(|s| !s.is_empty())
                            }
                            Some(Value::Number(n)) => Some(n.to_string()),
                            Some(Value::Null) | None => None,
                            Some(other) => Some(other.to_string()),
                        }
                    };
                    raw.task_id = text_of("task_id");
                    raw.status = text_of("status");
                    raw.bonus = text_of("bonus");
                    raw.currency = text_of("currency");
                    raw.reason = text_of("reason");
                }
                _ => raw.is_not_object = true,
            }
            raw
        })
        .collect();
    Ok(rows)
}

fn check_rows(
    path: &Path,
    raw: Vec<RawRow>,
    bundle: &Bundle,
) -> Result<Vec<ReviewRow>, ReviewImportError> {
    let tasks: HashSet<&str> = bundle.tasks.iter().map(|t| t.id.as_str()).collect();
    let default_currency = bundle.reward.as_ref().map(|r| r.currency.clone());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for raw in raw {
        let mut wrong = Vec::new();
        if raw.is_not_object {
            wrong.push("the row is not an object with task_id and status".to_owned());
        }
        match raw.task_id.as_deref() {
            None if raw.is_not_object => {}
            None => wrong.push("task_id is empty".to_owned()),
            Some(id) if !tasks.contains(id) => wrong.push(format!(
                "unknown task {id:?} (bundle {:?} has no such task)",
                bundle.id
            )),
            Some(id) => {
                if let Some(first) = seen.get(id) {
                    wrong.push(format!(
                        "task {id:?} is reviewed twice (first on line {first})"
                    ));
                } else {
                    seen.insert(id.to_owned(), raw.line);
                }
            }
        }
        let status = match raw.status.as_deref() {
            None if raw.is_not_object => None,
            None => {
                wrong.push("status is empty: expected approved or rejected".to_owned());
                None
            }
            Some(text) => {
                let status = ReviewStatus::parse(text);
                if status.is_none() {
                    wrong.push(format!(
                        "unknown status {text:?}: expected approved or rejected"
                    ));
                }
                status
            }
        };
        let currency = match raw.currency.as_deref().map(|c| (c, c.parse::<Currency>())) {
            Some((c, Err(_))) => {
                wrong.push(format!(
                    "currency {c:?} is not a three-letter ISO 4217 code like USD"
                ));
                None
            }
            Some((_, Ok(code))) => Some(code.into_string()),
            None => default_currency.clone(),
        };
        let bonus = match raw.bonus.as_deref().map(parse_bonus) {
            None => None,
            Some(Err(why)) => {
                wrong.push(format!(
                    "bonus {:?} {why}",
                    raw.bonus.as_deref().unwrap_or_default()
                ));
                None
            }
            Some(Ok(amount)) if amount.is_zero() => None,
            Some(Ok(amount)) => match &currency {
                Some(c) => Some((amount, c.clone())),
                None => {
                    wrong.push(
                        "a bonus needs a currency column: the bundle states no reward currency"
                            .to_owned(),
                    );
                    None
                }
            },
        };
        problems.extend(wrong.into_iter().map(|message| RowProblem {
            line: raw.line,
            row: raw.row,
            message,
        }));
        if let (Some(task_id), Some(status)) = (raw.task_id, status) {
            rows.push(ReviewRow {
                line: raw.line,
                task_id,
                status,
                bonus,
                reason: raw.reason,
            });
        }
    }
    if !problems.is_empty() {
        return Err(ReviewImportError::Rows {
            path: path.to_owned(),
            problems,
        });
    }
    Ok(rows)
}

/// A bonus as a person types it: surrounding spaces and a leading `+` are allowed.
fn parse_bonus(text: &str) -> Result<Decimal, AmountError> {
    let text = text.trim();
    text.strip_prefix('+')
        .unwrap_or(text)
        .parse::<Amount>()
        .map(|a| a.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_plain_non_negative_decimals() {
        assert_eq!(parse_bonus("0.012"), Ok(Decimal::new(12, 3)));
        assert_eq!(parse_bonus(" +2 "), Ok(Decimal::from(2)));
        assert_eq!(parse_bonus("-1"), Err(AmountError::Negative));
        for bad in ["", "1e3", "$1", "1.", ".5", "1,50", "abc"] {
            assert!(parse_bonus(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_rows_know_their_lines_in_both_shapes() {
        let array = "[\n  {\"task_id\": \"a\", \"status\": \"approved\"},\n\n  {\"task_id\": \"b\",\n   \"status\": \"rejected\", \"bonus\": 0.05}\n]\n";
        let rows = json_rows(Path::new("r.json"), array.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert_eq!(rows[1].bonus.as_deref(), Some("0.05"));
        let object = "{\"note\": {\"x\": [1, 2]},\n \"reviews\": [\n {\"task_id\": \"a\", \"status\": \"approved\"}\n ]}";
        let rows = json_rows(Path::new("r.json"), object.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 3);
        assert!(json_rows(Path::new("r.json"), b"{\"x\": 1}").is_err());
        assert!(json_rows(Path::new("r.json"), b"[1, ").is_err());
    }

    #[test]
    fn csv_rows_know_their_lines_and_columns_in_any_order() {
        let text = "\u{feff}Status,extra,TASK_ID,bonus\napproved,x,a,\n\n\"rejected\",\"multi\nline\",b,0.10\n";
        let rows = csv_rows(Path::new("r.csv"), text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].task_id.as_deref(), Some("a"));
        assert_eq!(rows[0].bonus, None);
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert_eq!(rows[1].bonus.as_deref(), Some("0.10"));
        let err = csv_rows(Path::new("r.csv"), b"id,verdict\na,approved\n").unwrap_err();
        assert!(err.to_string().contains("task_id and status"), "{err}");
    }
}
