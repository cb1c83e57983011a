//! What `bundle new` and `bundle split` share: their error, a bundle's problems as lines, the
//! refusal of an output that exists, and a staged folder renamed into place.

use crate::domain::bundle::BundleErrors;
use crate::domain::safe_output::OutputRefused;
use std::path::{Path, PathBuf};

/// Why no bundle was made. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum MakeError {
    /// An input (the images folder, the bundle to split) has problems, each naming its file.
    #[error("{0}")]
    Input(String),
    /// What would have been written does not validate; the message says what and why.
    #[error("{0}")]
    Invalid(String),
    /// The output is refused (it would harm an input).
    #[error("{0}")]
    Refused(#[from] OutputRefused),
    /// An argument is wrong, or the output exists.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl MakeError {
    /// The command's exit code: 1 for a problem with the input, 2 for a usage problem.
    pub fn exit_code(&self) -> u8 {
        match self {
            MakeError::Input(_) | MakeError::Invalid(_) | MakeError::Io { .. } => 1,
            MakeError::Refused(_) | MakeError::Usage(_) => 2,
        }
    }
}

/// Every problem of `errors`, a line each.
pub(super) fn problems(errors: &BundleErrors) -> String {
    errors
        .problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Turns an I/O error on `path` into a [`MakeError`].
pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> MakeError + '_ {
    move |source| MakeError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Refuses an `out` that exists, whatever it is: nothing is ever overwritten.
pub(super) fn refuse_existing(out: &Path, what: &str) -> Result<(), MakeError> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(MakeError::Usage(format!(
            "{} exists: give a new {what}, so nothing is overwritten",
            out.display()
        )));
    }
    Ok(())
}

/// The folder `out` goes in, made if needed.
pub(super) fn parent_of(out: &Path) -> Result<&Path, MakeError> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    Ok(parent)
}

/// Renames the finished `staging` folder (beside `out`, on the same disk) to `out`; on failure it
/// is removed.
pub(super) fn put_in_place(staging: tempfile::TempDir, out: &Path) -> Result<(), MakeError> {
    let kept = staging.keep();
    std::fs::rename(&kept, out).map_err(|source| {
        let _ = std::fs::remove_dir_all(&kept);
        MakeError::Io {
            path: out.to_owned(),
            source,
        }
    })
}

/// Hard links `from` to `to` when the disk allows, else copies it.
pub(super) fn link_or_copy(from: &Path, to: &Path) -> Result<(), MakeError> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(io(from))?;
    }
    Ok(())
}
