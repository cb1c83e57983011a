//! The command line: `clickwork [PATH]` opens the window; subcommands work headless. Each subcommand
//! lives in its own file; this one parses and dispatches.

// The command line's job is to print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bundle;
mod export;
mod merge;
mod report;

use crate::domain::bundle::{Bundle, LoadOptions, MAX_PIXELS_ENV, Progress, load_bundle};
use crate::domain::store::{Layout, resolve_data_dir};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// clickwork: draw and tag regions on task images, offline, keyboard first.
#[derive(Debug, Parser)]
#[command(
    name = "clickwork",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A subcommand; without one the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The bundle to open in the window (a folder or a .zip). Default: the last bundle, else the bundled
    /// sample tasks.
    pub path: Option<PathBuf>,

    /// Where clickwork keeps the worker's data. Default: $CLICKWORK_DATA_DIR, else the platform's data
    /// folder (~/.local/share/clickwork on Linux).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Refuse images whose header declares more pixels than this (checked without decoding).
    /// Default: $CLICKWORK_MAX_PIXELS, else 500000000 (about 22000×22000).
    #[arg(long, global = true, value_name = "N")]
    pub max_pixels: Option<u64>,
}

/// The headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a bundle: print a summary and exit 0, or print every problem to stderr and exit 1.
    Validate {
        /// The bundle: a folder (with a bundle.json, or just images) or a .zip of one.
        path: PathBuf,
    },
    /// Make bundles (a requester's side).
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// Export a bundle's labels for training (COCO, YOLO, Pascal VOC, LabelMe, CVAT).
    Export(export::ExportArgs),
    /// Convert labels between formats, without a bundle.
    Convert(export::ConvertArgs),
    /// Pack what a worker hands back to the requester into one zip.
    Submit(export::SubmitArgs),
    /// Merge many workers' submission packages into one dataset, with their agreement
    /// (agreement.json, report.md) and a consensus by majority vote or STAPLE.
    Merge(merge::MergeArgs),
    /// Summarise the time and earnings of a bundle's work.
    Report(report::ReportArgs),
    /// The work log: export per-task times for analysis.
    #[command(subcommand)]
    Worklog(report::WorklogCommand),
    /// Apply a requester's review (approved / rejected tasks, bonuses).
    #[command(subcommand)]
    Review(report::ReviewCommand),
}

impl Cli {
    /// The data folder these arguments select (flag, then environment, then platform default).
    pub fn data_dir(&self) -> Result<PathBuf, crate::domain::store::StoreError> {
        resolve_data_dir(
            self.data_dir.clone(),
            std::env::var_os(crate::domain::store::DATA_DIR_ENV),
        )
    }

    /// The pixel limit: `--max-pixels`, else the environment variable (empty counts as unset, as
    /// for the data folder's), else the default.
    pub fn max_pixels(&self) -> Result<u64, String> {
        if let Some(n) = self.max_pixels {
            return Ok(n);
        }
        match std::env::var(MAX_PIXELS_ENV) {
            Ok(text) if !text.trim().is_empty() => text
                .trim()
                .parse()
                .map_err(|_| format!("{MAX_PIXELS_ENV}={text:?} is not a whole number of pixels")),
            _ => Ok(LoadOptions::DEFAULT_MAX_PIXELS),
        }
    }

    /// Bundle loading options for these arguments, caching zips under `data_dir`.
    pub fn load_options(&self, data_dir: &Path) -> Result<LoadOptions, String> {
        Ok(LoadOptions {
            max_pixels: self.max_pixels()?,
            cache_dir: Layout::new(data_dir).cache(),
            remember_headers: false,
            progress: None,
        })
    }
}

impl Cli {
    /// What the window needs to start, from these arguments: the data folder, the bundle asked for,
    /// the loading options and the system clock.
    pub fn app_config(&self) -> Result<crate::ui::AppConfig, String> {
        let data_dir = self.data_dir().map_err(|e| e.to_string())?;
        let load_options = LoadOptions {
            remember_headers: true,
            ..self.load_options(&data_dir)?
        };
        Ok(crate::ui::AppConfig {
            load_options,
            bundle_path: self.path.clone(),
            data_dir,
            clock: crate::domain::clock::system_clock(),
            wall_clock: Some(crate::domain::clock::wall_clock()),
        })
    }
}

/// Runs a subcommand and returns the process exit code: 0 success, 1 a problem with the input, 2 a
/// usage or environment problem.
pub fn run(cli: &Cli, command: &Command) -> ExitCode {
    let data_dir = match cli.data_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let options = match cli.load_options(&data_dir) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Validate { path } => validate(path, &options),
        Command::Bundle(command) => bundle::bundle(command, &options),
        Command::Export(args) => export::export(args, &data_dir, &options),
        Command::Convert(args) => export::convert(args),
        Command::Submit(args) => export::submit(args, &data_dir, &options),
        Command::Merge(args) => merge::merge_command(args, &options),
        Command::Report(args) => report::report(args, &data_dir, &options),
        Command::Worklog(command) => report::worklog(command, &data_dir, &options),
        Command::Review(command) => report::review(command, &data_dir, &options),
    }
}

fn validate(path: &Path, options: &LoadOptions) -> ExitCode {
    // On a terminal, a bundle that takes a while shows how far the image check has got.
    let progress = std::io::stderr()
        .is_terminal()
        .then(|| std::sync::Arc::new(Progress::default()));
    let options = LoadOptions {
        progress: progress.clone(),
        ..options.clone()
    };
    let loaded = match progress {
        Some(progress) => with_progress_line(&progress, || load_or_report(path, &options)),
        None => load_or_report(path, &options),
    };
    match loaded {
        Ok(bundle) => {
            print_out(&summary(&bundle));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// Runs `work`, and while it runs (after the first half second, so a small bundle prints nothing)
/// keeps a line on standard error saying how many images are checked, erased when done.
fn with_progress_line<T>(progress: &Progress, work: impl FnOnce() -> T) -> T {
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = std::time::Instant::now();
            let mut shown = false;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let (checked, total) = progress.get();
                if started.elapsed() >= std::time::Duration::from_millis(500) && total > 0 {
                    let line = if checked < total {
                        format!(
                            "checking images: {} of {}",
                            thousands(checked as u64),
                            thousands(total as u64)
                        )
                    } else {
                        format!(
                            "{} images checked; checking the tasks",
                            thousands(total as u64)
                        )
                    };
                    print_err(&format!("\r\x1b[2K{line}"));
                    shown = true;
                }
            }
            if shown {
                // Erase the line: the summary or the problems follow.
                print_err("\r\x1b[2K");
            }
        });
        let result = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    })
}

/// Writes `text` to standard output; a closed stdout (piped into `head`) is not worth a panic.
fn print_out(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Writes `text` to standard error.
fn print_err(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Loads the bundle at `path`, or prints every problem it has and gives exit code 1.
fn load_or_report(path: &Path, options: &LoadOptions) -> Result<Bundle, ExitCode> {
    load_bundle(path, options).map_err(|errors| {
        let count = errors.problems.len();
        let plural = if count == 1 { "" } else { "s" };
        let mut text = format!("error: {}: {count} problem{plural}\n", path.display());
        for problem in &errors.problems {
            text.push_str(&format!("{problem}\n"));
        }
        print_err(&text);
        ExitCode::from(1)
    })
}

/// A human summary of a valid bundle, as `clickwork validate` prints it.
pub fn summary(bundle: &Bundle) -> String {
    let mut lines: Vec<(&str, String)> =
        vec![("title", bundle.title.clone()), ("id", bundle.id.clone())];
    if let Some(requester) = &bundle.requester {
        lines.push(("requester", requester.clone()));
    }
    let pixels: u64 = bundle
        .tasks
        .iter()
        .map(|t| u64::from(t.width) * u64::from(t.height))
        .sum();
    // Small images still show a size: 4,800 pixels rather than 0.0 megapixels.
    let size = if pixels < 1_000_000 {
        format!("{} pixels", thousands(pixels))
    } else {
        format!("{:.1} megapixels", pixels as f64 / 1e6)
    };
    lines.push(("tasks", format!("{} ({size} in all)", bundle.tasks.len())));
    let labels: Vec<String> = bundle
        .labels
        .iter()
        .map(|l| match bundle.hotkey_of(&l.name) {
            Some(key) => format!("{} [{key}]", l.name),
            None => l.name.clone(),
        })
        .collect();
    lines.push(("labels", labels.join(", ")));
    let tools: Vec<&str> = bundle.tools.iter().map(|t| t.name()).collect();
    lines.push(("tools", tools.join(", ")));
    lines.push((
        "reward",
        match &bundle.reward {
            Some(reward) => format!("{} {} per task", reward.per_task, reward.currency),
            None => "none stated".to_owned(),
        },
    ));
    if bundle.min_regions > 0 {
        lines.push(("min regions", format!("{} per task", bundle.min_regions)));
    }
    if let Some(secs) = bundle.estimated_seconds_per_task {
        lines.push(("estimate", format!("{secs} s per task")));
    }
    let gold = bundle.tasks.iter().filter(|t| t.gold.is_some()).count();
    if gold > 0 {
        lines.push((
            "gold",
            format!(
                "{gold} task{} (pass at a mean IoU of {:.2}); hand out the parts of `bundle split`, \
                 not this bundle",
                if gold == 1 { "" } else { "s" },
                bundle.gold_pass_iou
            ),
        ));
    }
    let mut out = format!("ok: {}\n", bundle.source.display());
    for (key, value) in lines {
        // One column for every value, however long the key.
        out.push_str(&format!("{:<12} {value}\n", format!("{key}:")));
    }
    out
}

/// `n` with a comma between thousands: `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
