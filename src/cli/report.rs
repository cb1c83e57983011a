//! `clickwork report`, `worklog export` and `review import`: what the work took and what it paid.
//! Everything is read from the work log and reviews in the bundle's workspace; nothing here writes to
//! the workspace except `review import`.

use crate::domain::bundle::{Bundle, LoadOptions};
use crate::domain::ledger::{
    Period, WorkspaceLog, bundle_report, hara_wages, import_reviews, period_range,
};
use crate::domain::settings::Settings;
use crate::domain::store::{DataLock, Layout, atomic_write_with};
use crate::domain::work::{export_rules, is_task_rows_file, task_rows, write_csv, write_jsonl};
use crate::domain::worklog::{DEFAULT_IDLE_SECS, Outcome, Rule, derive_times, measure};
use chrono::{Local, Utc};
use clap::{Args, Subcommand, ValueEnum};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How `clickwork report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Lines for a person to read.
    Text,
    /// One JSON object (documented in docs/worklog-format.md).
    Json,
}

/// Which span `clickwork report` covers, in the local time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportPeriod {
    /// Everything logged.
    All,
    /// Since midnight.
    Today,
    /// Since Monday midnight.
    Week,
    /// Since the first of the month.
    Month,
}

/// Arguments of `clickwork report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The bundle to report on (a folder or a .zip).
    pub bundle: PathBuf,
    /// Gaps between events of T seconds or more count as idle. Default: the worker's setting, else 100.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_secs: Option<u64>,
    /// Text for people or JSON for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Limit the report to a period of the local calendar.
    #[arg(long, value_enum, default_value_t = ReportPeriod::All)]
    pub period: ReportPeriod,
    /// Instead of the full report, the working time by a published rule: cvat (CVAT's working
    /// time), hara (Hara et al. 2018: opening to submitting, with wages), afk (ActivityWatch's,
    /// 180 s), afk=SECS, or idle=SECS (ours). See docs/measures.md.
    #[arg(long, value_name = "RULE", conflicts_with = "idle_secs")]
    pub rule: Option<Rule>,
}

/// How `clickwork worklog export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Arguments of `clickwork worklog export`.
#[derive(Debug, Args)]
pub struct WorklogExportArgs {
    /// The bundle (a folder or a .zip).
    pub bundle: PathBuf,
    /// The idle threshold of the `active_secs` and `idle_secs` columns, in seconds. Default: the
    /// worker's setting, else 100. (The active_secs_30/100/180/300 columns are always there.)
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_secs: Option<u64>,
    /// The file format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write, or - for standard output. Never inside the bundle or the data folder; an
    /// existing file is replaced (atomically) only when it is an earlier work-log export.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `clickwork worklog ...`.
#[derive(Debug, Subcommand)]
pub enum WorklogCommand {
    /// Export one row per task: times at several idle thresholds, counts, outcome, reward, review.
    Export(WorklogExportArgs),
}

/// `clickwork review ...`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Apply a requester's review file: a CSV with a header line, or a JSON array of objects, with
    /// task_id, status (approved or rejected), and optionally bonus, currency and reason. Every row is
    /// checked first; if any is wrong, each is reported with its line and nothing is applied.
    Import {
        /// The bundle (a folder or a .zip).
        bundle: PathBuf,
        /// The review file (CSV or JSON).
        file: PathBuf,
    },
    /// Score a worker's gold tasks: from the requester's bundle (which holds each gold task's
    /// truth) and the worker's submission package, write the review file the worker imports
    /// (approved when the mean IoU per label reaches the bundle's gold_pass_iou, else rejected,
    /// with the scores as reason).
    Gold {
        /// The requester's bundle, with the gold tasks' truth.
        bundle: PathBuf,
        /// The worker's submission package (from `clickwork submit`).
        submission: PathBuf,
        /// The review file to write (CSV).
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
    },
}

/// Runs `clickwork report`.
pub fn report(args: &ReportArgs, data_dir: &Path, options: &LoadOptions) -> ExitCode {
    let Some(bundle) = load(&args.bundle, options) else {
        return ExitCode::from(1);
    };
    let Some(log) = read_log(data_dir, &bundle) else {
        return ExitCode::from(1);
    };
    if let Some(rule) = args.rule {
        return report_rule(args, rule, &bundle, &log);
    }
    let settings = settings(data_dir);
    let idle_secs = args
        .idle_secs
        .or(settings.as_ref().map(|s| s.idle_secs))
        .unwrap_or(DEFAULT_IDLE_SECS)
        .max(1);
    let period = match args.period {
        ReportPeriod::All => None,
        ReportPeriod::Today => Some(Period::Today),
        ReportPeriod::Week => Some(Period::ThisWeek),
        ReportPeriod::Month => Some(Period::ThisMonth),
    };
    let window = period.map(|p| period_range(p, Utc::now(), &Local));
    let mut report = bundle_report(
        &bundle.id,
        &log.events,
        &log.reviews,
        idle_secs * 1000,
        window.as_ref(),
    );
    report.tasks_total = Some(bundle.tasks.len());
    report.title = Some(bundle.title.clone());
    report.requester.clone_from(&bundle.requester);
    let reference = settings.map(|s| s.reference_wage).unwrap_or_default();
    let text = match args.format {
        ReportFormat::Text => report.to_text(Some(&reference)),
        ReportFormat::Json => {
            let json = report.to_json(Some(&reference));
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            )
        }
    };
    // A closed stdout (piped into `head`) is not worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// `report --rule`: one measure of the whole log.
fn report_rule(args: &ReportArgs, rule: Rule, bundle: &Bundle, log: &WorkspaceLog) -> ExitCode {
    if args.period != ReportPeriod::All {
        eprintln!("error: --rule measures the whole work log; leave out --period");
        return ExitCode::from(2);
    }
    let measured = measure(rule, &log.events);
    let hara = (rule == Rule::Hara).then(|| hara_wages(&bundle.id, &log.events, &log.reviews));
    let text = match args.format {
        ReportFormat::Text => {
            let mut text = measured.to_text(&format!("{} ({})", bundle.title, bundle.id), rule);
            if let Some(hara) = &hara {
                text.push_str(&hara.text());
            }
            text
        }
        ReportFormat::Json => {
            let mut json = measured.to_json(&bundle.id, rule);
            if let (Some(hara), Some(object)) = (&hara, json.as_object_mut()) {
                object.extend(
                    hara.json_fields()
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v)),
                );
            }
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            )
        }
    };
    // A closed stdout (piped into `head`) is not worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// Runs `clickwork worklog ...`.
pub fn worklog(command: &WorklogCommand, data_dir: &Path, options: &LoadOptions) -> ExitCode {
    let WorklogCommand::Export(args) = command;
    let Some(bundle) = load(&args.bundle, options) else {
        return ExitCode::from(1);
    };
    let Some(log) = read_log(data_dir, &bundle) else {
        return ExitCode::from(1);
    };
    let idle_secs = args
        .idle_secs
        .or(settings(data_dir).map(|s| s.idle_secs))
        .unwrap_or(DEFAULT_IDLE_SECS)
        .max(1);
    if args.out != Path::new("-") {
        let rules = export_rules(&bundle, data_dir);
        if let Err(e) = rules.check_file(&args.out, "a work-log export", is_task_rows_file) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let task_ids: Vec<String> = bundle.tasks.iter().map(|t| t.id.clone()).collect();
    let rows = task_rows(&bundle.id, &task_ids, &log.events, &log.reviews, idle_secs);
    let write = |out: &mut dyn Write| match args.format {
        ExportFormat::Csv => write_csv(&rows, out),
        ExportFormat::Jsonl => write_jsonl(&rows, out),
    };
    let result = if args.out == Path::new("-") {
        write(&mut std::io::stdout().lock())
    } else {
        atomic_write_with(&args.out, |file| write(file))
    };
    match result {
        Ok(()) => {
            if args.out != Path::new("-") {
                eprintln!("wrote {} task rows to {}", rows.len(), args.out.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", args.out.display());
            ExitCode::from(1)
        }
    }
}

/// Runs `clickwork review ...`.
pub fn review(command: &ReviewCommand, data_dir: &Path, options: &LoadOptions) -> ExitCode {
    let (bundle, file) = match command {
        ReviewCommand::Import { bundle, file } => (bundle, file),
        ReviewCommand::Gold {
            bundle,
            submission,
            out,
        } => return super::bundle::review_gold(bundle, submission, out, options),
    };
    // It writes the workspace: never while a window (or another import) may write it too. A data
    // folder that does not exist holds no work (said below) and is not made just to be locked.
    let _lock = match data_dir
        .exists()
        .then(|| DataLock::acquire(data_dir, "review import", Utc::now()))
    {
        None => None,
        Some(Ok(lock)) => Some(lock),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let Some(bundle) = load(bundle, options) else {
        return ExitCode::from(1);
    };
    let Some(log) = read_log(data_dir, &bundle) else {
        return ExitCode::from(1);
    };
    let submitted: HashSet<String> = derive_times(&log.events, DEFAULT_IDLE_SECS * 1000)
        .tasks
        .into_iter()
        .filter(|t| t.outcome == Outcome::Submitted)
        .map(|t| t.task_id)
        .collect();
    match import_reviews(&log.dir, &bundle, file, &submitted, Utc::now()) {
        Ok(summary) => {
            for warning in &summary.warnings {
                eprintln!("warning: {warning}");
            }
            println!(
                "applied {} review(s) from {}: {} approved, {} rejected ({} replaced an earlier review); kept in {}",
                summary.applied,
                file.display(),
                summary.approved,
                summary.rejected,
                summary.replaced,
                summary.reviews_path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Loads the bundle, or prints every problem and returns `None`.
fn load(path: &Path, options: &LoadOptions) -> Option<Bundle> {
    super::load_or_report(path, options).ok()
}

/// Reads the bundle's work log and reviews; warns about skipped lines; `None` after printing an error.
fn read_log(data_dir: &Path, bundle: &Bundle) -> Option<WorkspaceLog> {
    let dir = Layout::new(data_dir).workspace(&bundle.id).dir().to_owned();
    match WorkspaceLog::load(&dir, &bundle.id) {
        Ok((log, warnings)) => {
            for warning in warnings {
                eprintln!("warning: {warning}");
            }
            if log.events.is_empty() {
                eprintln!(
                    "note: no work logged yet for bundle {} in {}",
                    bundle.id,
                    dir.display()
                );
            }
            Some(log)
        }
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// The worker's settings if there are readable ones; the commands never create them.
fn settings(data_dir: &Path) -> Option<Settings> {
    match Settings::load(data_dir) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("warning: {e}; using the default settings");
            None
        }
    }
}
