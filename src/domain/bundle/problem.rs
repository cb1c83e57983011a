//! What is wrong with a bundle, said precisely enough to fix it: the file, the line and column, and why.

use std::fmt;

use crate::domain::json_location::{self, JsonPath};

/// One thing wrong with a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault, as the user would find it: a path under the folder they opened, or
    /// `<zip path>!/<entry>` inside a zip.
    pub file: String,
    /// The 1-based line in `file`, when the problem has one.
    pub line: Option<usize>,
    /// The 1-based column (in characters) on `line`.
    pub column: Option<usize>,
    /// What is wrong, in words a requester can act on.
    pub message: String,
}

impl Problem {
    /// A serde_json syntax error as a problem, without the position repeated in the message.
    pub(super) fn from_json_error(file: &str, e: &serde_json::Error) -> Problem {
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&position).unwrap_or(&full);
        if e.line() == 0 {
            return Problem::in_file(file, format!("invalid manifest: {message}"));
        }
        Problem::at(
            file,
            e.line(),
            Some(e.column()),
            format!("invalid JSON: {message}"),
        )
    }

    /// A problem with a whole file.
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at a position in a file.
    pub fn at(
        file: impl Into<String>,
        line: usize,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            line: Some(line),
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The `file:line:column:` prefix is what editors and terminals turn into a link.
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            (Some(line), None) => write!(f, "{}:{line}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found while loading a bundle; loading reports them all at once rather than stopping at
/// the first, so a requester can fix a bundle in one round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleErrors {
    /// The problems, grouped by file and in the order they appear in it.
    pub problems: Vec<Problem>,
}

impl BundleErrors {
    /// Errors holding one problem.
    pub fn single(problem: Problem) -> Self {
        BundleErrors {
            problems: vec![problem],
        }
    }
}

impl fmt::Display for BundleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BundleErrors {}

/// Collects problems while a bundle is checked. Problems in the manifest are recorded by JSON path and
/// given their line and column in one pass over the text at the end.
#[derive(Debug, Default)]
pub(crate) struct Report {
    problems: Vec<Problem>,
    /// Problems (by index into `problems`) still waiting for their position in the manifest.
    pending: Vec<(usize, JsonPath)>,
}

impl Report {
    /// Records a problem that already knows where it is.
    pub(crate) fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Records a problem with the manifest value at `path`; the message is prefixed with the path so it
    /// reads well even where no line is known.
    pub(crate) fn json(&mut self, file: &str, path: &JsonPath, message: impl fmt::Display) {
        let message = if path.is_root() {
            message.to_string()
        } else {
            format!("{path}: {message}")
        };
        self.pending.push((self.problems.len(), path.clone()));
        self.problems.push(Problem::in_file(file, message));
    }

    /// True when nothing was reported.
    pub(crate) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Gives manifest problems their line and column in `text`.
    pub(crate) fn resolve_json(&mut self, text: &str) {
        let pending = std::mem::take(&mut self.pending);
        let paths: Vec<&JsonPath> = pending.iter().map(|(_, path)| path).collect();
        let offsets = json_location::locate_all(text, &paths);
        for ((index, _), offset) in pending.iter().zip(offsets) {
            if let (Some(problem), Some(offset)) = (self.problems.get_mut(*index), offset) {
                let (line, column) = json_location::line_column(text, offset);
                problem.line = Some(line);
                problem.column = Some(column);
            }
        }
    }

    /// `Ok(value)` when nothing was reported, else every problem, ordered by file and position.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, BundleErrors> {
        if self.problems.is_empty() {
            return Ok(value);
        }
        Err(self.into_errors())
    }

    /// Every problem, ordered by file and position (a stable sort keeps the order found within a line).
    pub(crate) fn into_errors(self) -> BundleErrors {
        let mut problems = self.problems;
        problems.sort_by(|a, b| {
            (a.file.as_str(), a.line.unwrap_or(0), a.column.unwrap_or(0)).cmp(&(
                b.file.as_str(),
                b.line.unwrap_or(0),
                b.column.unwrap_or(0),
            ))
        });
        BundleErrors { problems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_what_is_known() {
        assert_eq!(
            Problem::at("b/bundle.json", 3, Some(7), "bad").to_string(),
            "b/bundle.json:3:7: bad"
        );
        assert_eq!(
            Problem::at("labels.txt", 2, None, "bad").to_string(),
            "labels.txt:2: bad"
        );
        assert_eq!(Problem::in_file("x.png", "bad").to_string(), "x.png: bad");
    }

    #[test]
    fn errors_print_one_problem_a_line() {
        let errors = BundleErrors {
            problems: vec![Problem::in_file("a", "one"), Problem::in_file("b", "two")],
        };
        assert_eq!(errors.to_string(), "a: one\nb: two");
    }

    #[test]
    fn json_problems_get_positions_and_sort() {
        let text = "{\n  \"id\": 5,\n  \"title\": 7\n}";
        let mut report = Report::default();
        report.json("m.json", &JsonPath::root().key("title"), "must be a string");
        report.json("m.json", &JsonPath::root().key("id"), "must be a string");
        report.push(Problem::in_file("a.png", "not an image"));
        report.resolve_json(text);
        let errors = report.finish(()).unwrap_err();
        let lines: Vec<String> = errors.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "a.png: not an image",
                "m.json:2:9: id: must be a string",
                "m.json:3:12: title: must be a string"
            ]
        );
    }
}
