//! `clickwork bundle new` and `split`: a requester's bundle from a folder of images, and worker
//! bundles cut from it.
//!
//! Exit codes: 0 made, 1 a problem with the input (an image, a prefill file: named in the message),
//! 2 a usage problem (an output that exists or would harm an input, a wrong argument).

use super::{print_err, print_out};
use crate::domain::bundle::LoadOptions;
use crate::domain::work::new_bundle::{NewBundle, NewBundleError, new_bundle, parse_reward};
use crate::domain::work::split::{PLAN_FILE, Split, SplitError, split_bundle};
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
            print_out(&format!(
                "wrote {} worker bundles of {} tasks{last} to {}; every task is in {} of them; \
                 the plan is in {}\n",
                parts.len(),
                args.tasks_per_bundle,
                args.out.display(),
                args.overlap,
                args.out.join(PLAN_FILE).display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            let code = match e {
                SplitError::Bundle(_) | SplitError::Invalid(_) | SplitError::Io { .. } => 1,
                SplitError::Refused(_) | SplitError::Usage(_) => 2,
            };
            ExitCode::from(code)
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
            print_err(&format!("error: {e}\n"));
            let code = match e {
                NewBundleError::Images(_)
                | NewBundleError::Invalid(_)
                | NewBundleError::Io { .. } => 1,
                NewBundleError::Refused(_) | NewBundleError::Usage(_) => 2,
            };
            ExitCode::from(code)
        }
    }
}
