//! Where a command may write: the rules that keep every output away from the inputs it was made from.
//!
//! An output (an export folder, a converted dataset, a submission zip, a work-log CSV, the worker's
//! data zip) may never be, contain or lie inside a protected place: the data folder, the bundle (its
//! folder and its zip), or the input of a conversion. And a folder is replaced only when clickwork wrote
//! it before, which it tells by the [`MARKER`] file it leaves in every output folder; a file is replaced
//! only when it is recognisably the same command's output. So no flag and no typo can make a command
//! delete a worker's hours or a requester's images.

use std::path::{Component, Path, PathBuf};

/// The file clickwork writes into every output folder it creates, so that `--force` can tell an
/// earlier export (safe to replace) from a folder of someone's files (never replaced).
pub const MARKER: &str = ".clickwork-output";

/// The marker's content: fixed, so that exports stay byte-for-byte deterministic.
pub const MARKER_CONTENT: &str =
    "This folder was written by clickwork. `--force` may replace it whole.\n";

/// How an output path stands to a protected place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The output is the protected place itself.
    Is,
    /// The output lies inside it.
    Inside,
    /// The output contains it.
    Contains,
}

/// Why an output path was refused. Each names the output and what it would have harmed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputRefused {
    /// The output is, contains or lies inside a protected place.
    #[error("{}: {} {what} ({}); write the output somewhere else", out.display(), relation_words(*relation), place.display())]
    Protected {
        /// The output path as given.
        out: PathBuf,
        /// What the protected place is ("the data folder", "the bundle", "the input").
        what: String,
        /// The protected place.
        place: PathBuf,
        /// How the two stand.
        relation: Relation,
    },
    /// A non-empty folder without clickwork's marker: `--force` does not replace what clickwork did not
    /// write.
    #[error(
        "{}: the folder holds files that clickwork did not write; choose a new or empty folder (--force replaces only an earlier clickwork output)",
        out.display()
    )]
    NotOurs {
        /// The folder.
        out: PathBuf,
    },
    /// An existing file that is not this command's earlier output.
    #[error("{}: exists and is not {expected}; choose another file name or remove it first", out.display())]
    NotOurFile {
        /// The file.
        out: PathBuf,
        /// What the command writes ("a clickwork submission zip").
        expected: String,
    },
}

fn relation_words(relation: Relation) -> &'static str {
    match relation {
        Relation::Is => "is",
        Relation::Inside => "lies inside",
        Relation::Contains => "contains",
    }
}

/// The places an output must keep away from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputRules {
    /// Each place, what it is, and whether an output may lie inside it.
    protected: Vec<(PathBuf, String, bool)>,
}

impl OutputRules {
    /// No protected place yet.
    pub fn new() -> Self {
        OutputRules::default()
    }

    /// Adds `place` (a folder or a file, existing or not) under the name `what`.
    #[must_use]
    pub fn protect(mut self, place: &Path, what: &str) -> Self {
        self.protected
            .push((resolve(place), what.to_owned(), false));
        self
    }

    /// Adds `place`, which an output may not be or contain but may lie inside (a folder of input
    /// images: a new folder beside them harms none of them).
    #[must_use]
    pub fn keep_intact(mut self, place: &Path, what: &str) -> Self {
        self.protected.push((resolve(place), what.to_owned(), true));
        self
    }

    /// Checks that `out` is not, does not contain and does not lie inside any protected place.
    pub fn check(&self, out: &Path) -> Result<(), OutputRefused> {
        let out_abs = resolve(out);
        for (place, what, inside_ok) in &self.protected {
            let relation = if out_abs == *place {
                Some(Relation::Is)
            } else if !inside_ok && out_abs.starts_with(place) {
                Some(Relation::Inside)
            } else if place.starts_with(&out_abs) {
                Some(Relation::Contains)
            } else {
                None
            };
            if let Some(relation) = relation {
                return Err(OutputRefused::Protected {
                    out: out.to_owned(),
                    what: what.clone(),
                    place: place.clone(),
                    relation,
                });
            }
        }
        Ok(())
    }

    /// Checks a file output: the protected places, then, when `out` exists and is not empty, that
    /// `is_ours` recognises it as this command's earlier output (`expected` says what that is).
    pub fn check_file(
        &self,
        out: &Path,
        expected: &str,
        is_ours: impl FnOnce(&Path) -> bool,
    ) -> Result<(), OutputRefused> {
        self.check(out)?;
        let existing = std::fs::metadata(out).is_ok_and(|m| !m.is_file() || m.len() > 0);
        if existing && !is_ours(out) {
            return Err(OutputRefused::NotOurFile {
                out: out.to_owned(),
                expected: expected.to_owned(),
            });
        }
        Ok(())
    }
}

/// Whether the folder `dir` carries clickwork's output marker.
pub fn has_marker(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

/// `path` made absolute with every symbolic link in its existing part resolved and `.`/`..` removed,
/// so that two spellings of one place compare equal even when the place does not exist yet.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    // The longest existing ancestor is canonicalised (resolving links); the rest cannot hold links, as
    // it does not exist, so it is normalised by its components.
    let mut existing = absolute.as_path();
    let mut rest: Vec<Component<'_>> = Vec::new();
    let base = loop {
        if let Ok(canonical) = existing.canonicalize() {
            break canonical;
        }
        let Some(parent) = existing.parent() else {
            break PathBuf::new();
        };
        if let Some(last) = existing.components().next_back() {
            rest.push(last);
        }
        existing = parent;
    };
    let mut out = base;
    for component in rest.into_iter().rev() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_may_not_be_contain_or_lie_inside_a_protected_place() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        std::fs::create_dir_all(data.join("work")).unwrap();
        let rules = OutputRules::new().protect(&data, "the data folder");
        let inside = rules.check(&data.join("work")).unwrap_err();
        assert!(matches!(
            inside,
            OutputRefused::Protected {
                relation: Relation::Inside,
                ..
            }
        ));
        assert!(inside.to_string().contains("the data folder"), "{inside}");
        let is = rules.check(&data).unwrap_err();
        assert!(matches!(
            is,
            OutputRefused::Protected {
                relation: Relation::Is,
                ..
            }
        ));
        let contains = rules.check(root.path()).unwrap_err();
        assert!(matches!(
            contains,
            OutputRefused::Protected {
                relation: Relation::Contains,
                ..
            }
        ));
        // A new folder inside, spelled with `..` and `.`, is still inside.
        let spelled = data.join("nope/../work/./new");
        assert!(rules.check(&spelled).is_err());
        rules.check(&root.path().join("export")).unwrap();
        rules.check(&root.path().join("data-export")).unwrap();
    }

    #[test]
    fn an_output_may_lie_inside_a_folder_kept_intact_but_not_be_or_contain_it() {
        let root = tempfile::tempdir().unwrap();
        let images = root.path().join("images");
        std::fs::create_dir_all(&images).unwrap();
        let rules = OutputRules::new().keep_intact(&images, "the input's images");
        rules.check(&images.join("out")).unwrap();
        assert!(rules.check(&images).is_err());
        assert!(rules.check(root.path()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_into_a_protected_place_is_seen_through() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::os::unix::fs::symlink(&data, root.path().join("link")).unwrap();
        let rules = OutputRules::new().protect(&data, "the data folder");
        assert!(rules.check(&root.path().join("link/out")).is_err());
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_it_is_ours() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("out.csv");
        let rules = OutputRules::new();
        rules.check_file(&file, "a CSV", |_| false).unwrap();
        std::fs::write(&file, b"someone's notes").unwrap();
        let err = rules.check_file(&file, "a CSV", |_| false).unwrap_err();
        assert!(err.to_string().contains("is not a CSV"), "{err}");
        rules.check_file(&file, "a CSV", |_| true).unwrap();
        // An empty file holds nothing to lose.
        std::fs::write(&file, b"").unwrap();
        rules.check_file(&file, "a CSV", |_| false).unwrap();
    }
}
