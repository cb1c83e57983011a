//! `clickwork bundle new` and `split`: a requester's bundle from a folder of images, and worker
//! bundles cut from it.
//!
//! Exit codes: 0 made, 1 a problem with the input (an image, a prefill file: named in the message),
//! 2 a usage problem (an output that exists or would harm an input, a wrong argument).

use super::{print_err, print_out};
use crate::domain::bundle::LoadOptions;
use crate::domain::work::gold::score_package;
use crate::domain::work::new_bundle::{NewBundle, new_bundle, parse_reward};
use crate::domain::work::split::{PLAN_FILE, Split, split_bundle};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `clickwork bundle` does.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Make a bundle from a folder of images: one task per image, in natural order, ids from the
    /// file names; labels get colours and hotkeys 1-9. It is validated before it is written.
    New(NewArgs),
    /// Cut a bundle into worker bundles so that every task is in OVERLAP different ones (for
    /// agreement between workers), the same way for the same seed; writes split.json beside them.
    Split(SplitArgs),
}

/// `clickwork bundle split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    /// The bundle to cut (a folder with a bundle.json, or a .zip of one).
    pub bundle: PathBuf,
    /// Tasks in each worker bundle (the last may have fewer).
    #[arg(long, value_name = "N")]
    pub tasks_per_bundle: usize,
    /// How many different worker bundles each task is in.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub overlap: usize,
    /// Draws the order of the tasks; the same seed gives the same bundles.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Gold tasks (tasks with a `gold` truth) mixed into each worker bundle, at places drawn from
    /// the seed; they go out as plain tasks. Gold tasks are never dealt otherwise.
    #[arg(long, value_name = "G", default_value_t = 0)]
    pub gold_per_bundle: usize,
    /// A new folder for the worker bundles.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `clickwork bundle new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The folder of images (its top level).
    pub images: PathBuf,
    /// Where to write it: a new folder, or a new file ending in .zip.
    #[arg(long, value_name = "DIR|ZIP")]
    pub out: PathBuf,
    /// Label names, in order (comma-separated). Default: the folder's labels.txt, else "object".
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub labels: Vec<String>,
    /// What one task pays, like 0.05USD.
    #[arg(long, value_name = "AMOUNT")]
    pub reward: Option<String>,
    /// The title shown to the worker. Default: the folder's name.
    #[arg(long)]
    pub title: Option<String>,
    /// The bundle's id. Default: from the title and the images.
    #[arg(long)]
    pub id: Option<String>,
    /// A Markdown file of instructions, copied in.
    #[arg(long, value_name = "FILE.md")]
    pub instructions: Option<PathBuf>,
    /// Regions drawn in advance: a folder of LabelMe files (photo.json for photo.jpg) or a COCO
    /// instances file.
    #[arg(long, value_name = "DIR|FILE")]
    pub prefill: Option<PathBuf>,
    /// Hard-link the images instead of copying them where the disk allows (no second copy of a
    /// large set; editing a source image in place then changes the bundle's too).
    #[arg(long)]
    pub link: bool,
}

/// Runs `clickwork bundle …`.
pub fn bundle(command: &BundleCommand, options: &LoadOptions) -> ExitCode {
    match command {
        BundleCommand::New(args) => new(args, options),
        BundleCommand::Split(args) => split(args, options),
    }
}

fn split(args: &SplitArgs, options: &LoadOptions) -> ExitCode {
    let how = Split {
        tasks_per_bundle: args.tasks_per_bundle,
        overlap: args.overlap,
        seed: args.seed,
        gold_per_bundle: args.gold_per_bundle,
    };
    match split_bundle(&args.bundle, how, &args.out, options) {
        Ok(parts) => {
            let sizes: Vec<usize> = parts.iter().map(|p| p.tasks.len()).collect();
            let smallest = sizes.iter().min().copied().unwrap_or(0);
            let last = if smallest < args.tasks_per_bundle {
                format!(" (the last {smallest})")
            } else {
                String::new()
            };
            let gold = if args.gold_per_bundle > 0 {
                format!(" (and {} gold)", args.gold_per_bundle)
            } else {
                String::new()
            };
            print_out(&format!(
                "wrote {} worker bundles of {} tasks{last}{gold} to {}; every task is in {} of \
                 them; the plan is in {}\n",
                parts.len(),
                args.tasks_per_bundle,
                args.out.display(),
                args.overlap,
                args.out.join(PLAN_FILE).display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_err(&format!(
                "error: {e}
"
            ));
            ExitCode::from(e.exit_code())
        }
    }
}

fn new(args: &NewArgs, options: &LoadOptions) -> ExitCode {
    let reward = match args.reward.as_deref().map(parse_reward).transpose() {
        Ok(reward) => reward,
        Err(message) => {
            print_err(&format!("error: {message}\n"));
            return ExitCode::from(2);
        }
    };
    let labels: Vec<String> = args
        .labels
        .iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let spec = NewBundle {
        images: args.images.clone(),
        labels,
        title: args.title.clone(),
        id: args.id.clone(),
        reward,
        instructions: args.instructions.clone(),
        prefill: args.prefill.clone(),
        link: args.link,
    };
    match new_bundle(&spec, &args.out, options) {
        Ok(made) => {
            let prefilled = if made.prefilled > 0 {
                format!(", {} prefilled", made.prefilled)
            } else {
                String::new()
            };
            print_out(&format!(
                "wrote {}: bundle {:?}, {} task{}{prefilled}, labels {}\n",
                args.out.display(),
                made.id,
                made.tasks,
                if made.tasks == 1 { "" } else { "s" },
                made.labels.join(", ")
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_err(&format!(
                "error: {e}
"
            ));
            ExitCode::from(e.exit_code())
        }
    }
}

/// `clickwork review gold BUNDLE SUBMISSION --out FILE.csv`.
pub fn review_gold(
    bundle: &std::path::Path,
    submission: &std::path::Path,
    out: &std::path::Path,
    options: &LoadOptions,
) -> ExitCode {
    let rules = crate::domain::safe_output::OutputRules::new()
        .protect(bundle, "the bundle")
        .protect(submission, "the submission package");
    let ours = |path: &std::path::Path| {
        std::fs::read(path).is_ok_and(|b| b.starts_with(b"task_id,status,reason\n"))
    };
    if let Err(e) = rules.check_file(out, "a review file written by `review gold`", ours) {
        print_err(&format!("error: {e}\n"));
        return ExitCode::from(2);
    }
    let Ok(bundle) = super::load_or_report(bundle, options) else {
        return ExitCode::from(1);
    };
    let gold = bundle.tasks.iter().filter(|t| t.gold.is_some()).count();
    if gold == 0 {
        print_err(&format!(
            "error: bundle {:?} has no gold task (a task with a \"gold\" truth)\n",
            bundle.id
        ));
        return ExitCode::from(1);
    }
    let report = match score_package(&bundle, submission) {
        Ok(report) => report,
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            return ExitCode::from(1);
        }
    };
    if let Err(e) = crate::domain::store::atomic_write(out, report.review_csv().as_bytes()) {
        print_err(&format!("error: {}: {e}\n", out.display()));
        return ExitCode::from(2);
    }
    let passed = report.scores.iter().filter(|s| s.passed).count();
    let mut text = format!(
        "{}: {} gold task{} scored, {passed} passed (mean IoU per label at least {:.2}); wrote {}\n",
        report.bundle_id,
        report.scores.len(),
        if report.scores.len() == 1 { "" } else { "s" },
        report.pass_iou,
        out.display()
    );
    for score in &report.scores {
        text.push_str(&format!(
            "  {:<24} {:.2}  {}\n",
            score.task_id,
            score.mean,
            if score.passed { "approved" } else { "rejected" }
        ));
    }
    if !report.not_submitted.is_empty() {
        text.push_str(&format!(
            "  not submitted, not scored: {}\n",
            report.not_submitted.join(", ")
        ));
    }
    print_out(&text);
    ExitCode::SUCCESS
}
