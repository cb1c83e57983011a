//! `clickwork merge`: many workers' submission packages into one dataset, with `agreement.json`
//! and `report.md` beside it.
//!
//! Exit codes: 0 merged, 1 a problem with an input (a package that is not one, was changed, or is
//! of another bundle: named in the message), 2 a usage problem (an output that exists or would
//! harm an input).

use super::export::{ExportFormat, write_failed};
use super::{load_or_report, print_err, print_out};
use crate::domain::bundle::LoadOptions;
use crate::domain::formats::ExportFile;
use crate::domain::natural_sort::natural_cmp;
use crate::domain::safe_output::OutputRules;
use crate::domain::work::merge::{MergeInput, Method, merge};
use crate::domain::work::package::{Package, PackageError, read_package};
use crate::domain::work::{FolderExport, export_with_files};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Which consensus goes into the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConsensusArg {
    /// Per label, the area more than half of a task's workers cover (boxes and points: per object).
    Majority,
    /// Per label, STAPLE's estimate of the true area (Warfield et al. 2004).
    Staple,
}

/// Arguments of `clickwork merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Submission packages (from `clickwork submit`), or folders of them (every .zip at their top).
    #[arg(required = true, value_name = "SUBMISSION.zip|DIR")]
    pub inputs: Vec<PathBuf>,
    /// The format of the merged dataset.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The folder to write: the dataset, agreement.json and report.md. New or empty, or an earlier
    /// clickwork output with --force.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The requester's bundle: keeps its label order and colours, points the dataset at its
    /// images, scores gold tasks, and checks each package was made on it.
    #[arg(long, value_name = "BUNDLE")]
    pub bundle: Option<PathBuf>,
    /// Which consensus goes into the dataset.
    #[arg(long, value_enum, default_value = "majority")]
    pub consensus: ConsensusArg,
    /// Consensus pieces smaller than this many square pixels are dropped.
    #[arg(long, value_name = "PX", default_value_t = 4.0)]
    pub min_area: f64,
    /// Copy the images into the dataset (needs --bundle).
    #[arg(long)]
    pub copy_images: bool,
    /// Replace an earlier clickwork output in the folder.
    #[arg(long)]
    pub force: bool,
}

/// The zips `inputs` name: files as given, folders' top-level `.zip` files in natural order.
fn package_paths(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|e| format!("{}: cannot be listed ({e})", input.display()))?;
            let mut zips: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("zip"))
                })
                .collect();
            if zips.is_empty() {
                return Err(format!("{}: holds no .zip file", input.display()));
            }
            zips.sort_by(|a, b| natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
            out.extend(zips);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// Runs `clickwork merge`.
pub fn merge_command(args: &MergeArgs, options: &LoadOptions) -> ExitCode {
    let paths = match package_paths(&args.inputs) {
        Ok(paths) => paths,
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            return ExitCode::from(1);
        }
    };
    let bundle = match &args.bundle {
        Some(path) => match load_or_report(path, options) {
            Ok(b) => Some(b),
            Err(code) => return code,
        },
        None => None,
    };
    if args.copy_images && bundle.is_none() {
        print_err("error: --copy-images needs --bundle (the images are in the bundle)\n");
        return ExitCode::from(2);
    }
    let mut rules = OutputRules::new();
    for input in args.inputs.iter().chain(&paths) {
        rules = rules.protect(input, "an input");
    }
    if let Some(b) = &bundle {
        rules = rules.protect(&b.root, "the bundle");
        if b.source != b.root {
            rules = rules.protect(&b.source, "the bundle");
        }
    }
    // Refuse a bad target before reading thousands of packages.
    if let Err(e) = crate::domain::work::check_output_folder(&args.out, args.force, &rules) {
        return write_failed(&e);
    }
    // Each package is hashed entry by entry: in parallel, they are independent.
    let read: Vec<Result<Package, PackageError>> =
        paths.par_iter().map(|p| read_package(p)).collect();
    let mut packages = Vec::with_capacity(read.len());
    let mut failed = false;
    for r in read {
        match r {
            Ok(p) => packages.push(p),
            Err(e) => {
                print_err(&format!("error: {e}\n"));
                failed = true;
            }
        }
    }
    if failed {
        return ExitCode::from(1);
    }
    let merged = match merge(MergeInput {
        packages,
        bundle: bundle.as_ref(),
        method: match args.consensus {
            ConsensusArg::Majority => Method::Majority,
            ConsensusArg::Staple => Method::Staple,
        },
        min_area: args.min_area.max(0.0),
    }) {
        Ok(m) => m,
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            return ExitCode::from(1);
        }
    };
    for w in &merged.warnings {
        print_err(&format!("warning: {w}\n"));
    }
    let mut agreement = match serde_json::to_vec_pretty(&merged.agreement_json()) {
        Ok(bytes) => bytes,
        Err(e) => {
            print_err(&format!("error: agreement.json cannot be written ({e})\n"));
            return ExitCode::from(1);
        }
    };
    agreement.push(b'\n');
    let extra = vec![
        ExportFile::bytes("agreement.json", agreement),
        ExportFile::bytes("report.md", merged.report_markdown().into_bytes()),
    ];
    let (formats, nested) = args.format.formats();
    let what = FolderExport {
        formats: &formats,
        nested,
        copy_images: args.copy_images,
        force: args.force,
        rules: &rules,
    };
    match export_with_files(&merged.dataset, &what, extra, &args.out, |_, _| {}) {
        Ok(lines) => {
            print_out(&merged.terminal_summary());
            for line in lines {
                print_out(&format!("{line}\n"));
            }
            print_out(&format!(
                "wrote {} (the dataset, agreement.json and report.md)\n",
                display(&args.out)
            ));
            ExitCode::SUCCESS
        }
        Err(e) => write_failed(&e),
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
