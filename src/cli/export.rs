//! `clickwork export`, `convert` and `submit`: labels out and in. (Being built: see issue 5.)

use crate::domain::bundle::LoadOptions;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `clickwork export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bundle whose work to export.
    pub bundle: Option<PathBuf>,
}

/// Arguments of `clickwork convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// What to convert.
    pub input: Option<PathBuf>,
}

/// Arguments of `clickwork submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The bundle whose work to pack.
    pub bundle: Option<PathBuf>,
}

fn not_yet(what: &str) -> ExitCode {
    eprintln!("error: `clickwork {what}` is not available in this version yet");
    ExitCode::from(2)
}

/// Runs `clickwork export`.
pub fn export(_args: &ExportArgs, _data_dir: &Path, _options: &LoadOptions) -> ExitCode {
    not_yet("export")
}

/// Runs `clickwork convert`.
pub fn convert(_args: &ConvertArgs) -> ExitCode {
    not_yet("convert")
}

/// Runs `clickwork submit`.
pub fn submit(_args: &SubmitArgs, _data_dir: &Path, _options: &LoadOptions) -> ExitCode {
    not_yet("submit")
}
