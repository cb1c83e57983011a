//! `clickwork report`, `worklog export` and `review import`: time and money. (Being built: see issue 4.)

use crate::domain::bundle::LoadOptions;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `clickwork report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The bundle to report on.
    pub bundle: PathBuf,
}

/// `clickwork worklog ...`.
#[derive(Debug, Subcommand)]
pub enum WorklogCommand {
    /// Export one row per task.
    Export {
        /// The bundle.
        bundle: PathBuf,
    },
}

/// `clickwork review ...`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Apply a review file.
    Import {
        /// The bundle.
        bundle: PathBuf,
        /// The review file (CSV or JSON).
        file: PathBuf,
    },
}

fn not_yet(what: &str) -> ExitCode {
    eprintln!("error: `clickwork {what}` is not available in this version yet");
    ExitCode::from(2)
}

/// Runs `clickwork report`.
pub fn report(_args: &ReportArgs, _data_dir: &Path, _options: &LoadOptions) -> ExitCode {
    not_yet("report")
}

/// Runs `clickwork worklog ...`.
pub fn worklog(_command: &WorklogCommand, _data_dir: &Path, _options: &LoadOptions) -> ExitCode {
    not_yet("worklog")
}

/// Runs `clickwork review ...`.
pub fn review(_command: &ReviewCommand, _data_dir: &Path, _options: &LoadOptions) -> ExitCode {
    not_yet("review")
}
