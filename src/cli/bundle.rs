//! `clickwork bundle new`: a requester's bundle from a folder of images.
//!
//! Exit codes: 0 made, 1 a problem with the input (an image, a prefill file: named in the message),
//! 2 a usage problem (an output that exists or would harm an input, a wrong argument).

use super::{print_err, print_out};
use crate::domain::bundle::LoadOptions;
use crate::domain::work::new_bundle::{NewBundle, NewBundleError, new_bundle, parse_reward};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `clickwork bundle` does.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Make a bundle from a folder of images: one task per image, in natural order, ids from the
    /// file names; labels get colours and hotkeys 1-9. It is validated before it is written.
    New(NewArgs),
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
