//! `clickwork export`, `convert` and `submit`: labels out and in, and the worker's submission package.
//!
//! Exit codes, as for every subcommand: 0 done, 1 a problem with the input (a bundle, an annotation or a
//! label file, named in the message), 2 a usage or environment problem (a non-empty output folder
//! without `--force`, a folder that cannot be written).

use super::{load_or_report, print_err, print_out};
use crate::domain::bundle::{Bundle, LoadOptions};
use crate::domain::formats::{Dataset, Format, ImportReport, NoteKind};
use crate::domain::safe_output::OutputRules;
use crate::domain::work::{
    FolderExport, StatusFilter, WriteError, check_output_folder, dataset_from_workspace,
    export_rules, export_to_folder, submission,
};
use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A format to write: one of the domain's formats, or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One format, into the output folder itself.
    One(Format),
    /// coco/, yolo/, voc/, labelme/ and cvat/ subfolders.
    All,
}

/// The choices `--format` and `--to` offer: every exportable format, then `all`.
const EXPORT_CHOICES: [ExportFormat; 7] = [
    ExportFormat::One(Format::EXPORTS[0]),
    ExportFormat::One(Format::EXPORTS[1]),
    ExportFormat::One(Format::EXPORTS[2]),
    ExportFormat::One(Format::EXPORTS[3]),
    ExportFormat::One(Format::EXPORTS[4]),
    ExportFormat::One(Format::EXPORTS[5]),
    ExportFormat::All,
];

impl ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &EXPORT_CHOICES
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            ExportFormat::One(format) => {
                PossibleValue::new(format.name()).help(format.description())
            }
            ExportFormat::All => {
                PossibleValue::new("all").help("coco/, yolo/, voc/, labelme/ and cvat/ subfolders")
            }
        })
    }
}

impl ExportFormat {
    /// The formats to write, and whether each goes into its own subfolder.
    pub(super) fn formats(self) -> (Vec<Format>, bool) {
        match self {
            ExportFormat::One(format) => (vec![format], false),
            ExportFormat::All => (Format::ALL_EXPORTS.to_vec(), true),
        }
    }
}

/// A format to read (`convert --from`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportFormat(pub Format);

const IMPORT_CHOICES: [ImportFormat; 6] = [
    ImportFormat(Format::IMPORTS[0]),
    ImportFormat(Format::IMPORTS[1]),
    ImportFormat(Format::IMPORTS[2]),
    ImportFormat(Format::IMPORTS[3]),
    ImportFormat(Format::IMPORTS[4]),
    ImportFormat(Format::IMPORTS[5]),
];

impl ValueEnum for ImportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &IMPORT_CHOICES
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(self.0.description()))
    }
}

/// Which tasks to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Only submitted tasks.
    Submitted,
    /// Every task (those never opened with the bundle's prefilled regions).
    All,
}

/// Arguments of `clickwork export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The bundle whose work to export (a folder or a .zip). Default: the bundled sample tasks.
    pub bundle: Option<PathBuf>,
    /// The format to write.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The folder to write: new or empty, or an earlier clickwork export with --force. Never inside or
    /// around the bundle or the data folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Which tasks to export.
    #[arg(long, value_enum, default_value = "submitted")]
    pub status: StatusArg,
    /// Copy the images into the export instead of pointing at them.
    #[arg(long)]
    pub copy_images: bool,
    /// Replace an earlier clickwork export in the output folder.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `clickwork convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The format of IN.
    #[arg(long, value_enum)]
    pub from: ImportFormat,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// What to convert: a file or a folder, as the format naturally is.
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The folder to write: new or empty, or an earlier clickwork output with --force. Never inside or
    /// around IN or its images.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// Copy the images into the output instead of pointing at them.
    #[arg(long)]
    pub copy_images: bool,
    /// Replace an earlier clickwork output in the output folder.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `clickwork submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The bundle whose work to pack (a folder or a .zip). Default: the bundled sample tasks.
    pub bundle: Option<PathBuf>,
    /// The zip file to write. Never inside the bundle or the data folder.
    #[arg(long, value_name = "FILE.zip")]
    pub out: PathBuf,
    /// Replace an earlier submission zip.
    #[arg(long)]
    pub force: bool,
}

/// The bundle asked for, else the bundled sample; its problems printed when it does not load.
fn open_bundle(path: Option<&Path>, options: &LoadOptions) -> Result<Bundle, ExitCode> {
    let path = path.map_or_else(crate::domain::bundle::sample_bundle_path, Path::to_path_buf);
    load_or_report(&path, options)
}

/// A refused or occupied `--out` is a usage error (2); the system failing a write (a full disk, a
/// folder it may not write) is an I/O error (1), named with its file like every other; so is an input
/// whose names would lead the export outside its folder.
pub(super) fn write_failed(e: &WriteError) -> ExitCode {
    print_err(&format!("error: {e}\n"));
    match e {
        WriteError::Io { .. } | WriteError::NameOutside { .. } => ExitCode::from(1),
        WriteError::NotEmpty { .. } | WriteError::NotAFolder { .. } | WriteError::Refused(_) => {
            ExitCode::from(2)
        }
    }
}

/// Exports `dataset` as `target` into `out`; returns the summary lines.
fn write_export(
    dataset: &Dataset,
    target: ExportFormat,
    out: &Path,
    copy_images: bool,
    force: bool,
    rules: &OutputRules,
) -> Result<Vec<String>, ExitCode> {
    let (list, nested) = target.formats();
    let what = FolderExport {
        formats: &list,
        nested,
        copy_images,
        force,
        rules,
    };
    export_to_folder(dataset, &what, out, |_, _| {}).map_err(|e| write_failed(&e))
}

/// Runs `clickwork export`.
pub fn export(args: &ExportArgs, data_dir: &Path, options: &LoadOptions) -> ExitCode {
    let bundle = match open_bundle(args.bundle.as_deref(), options) {
        Ok(bundle) => bundle,
        Err(code) => return code,
    };
    let rules = export_rules(&bundle, data_dir);
    if let Err(e) = check_output_folder(&args.out, args.force, &rules) {
        return write_failed(&e);
    }
    let filter = match args.status {
        StatusArg::Submitted => StatusFilter::Submitted,
        StatusArg::All => StatusFilter::All,
    };
    let work = match dataset_from_workspace(&bundle, data_dir, filter) {
        Ok(work) => work,
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            return ExitCode::from(1);
        }
    };
    for warning in &work.warnings {
        print_err(&format!("warning: {warning}\n"));
    }
    let lines = match write_export(
        &work.dataset,
        args.format,
        &args.out,
        args.copy_images,
        args.force,
        &rules,
    ) {
        Ok(lines) => lines,
        Err(code) => return code,
    };
    let status = match filter {
        StatusFilter::Submitted => "submitted",
        StatusFilter::All => "all",
    };
    let mut text = format!(
        "exported {} task(s) of {} (status {status}; {} left out) to {}\n",
        work.dataset.images.len(),
        bundle.id,
        work.left_out,
        args.out.display()
    );
    for line in lines {
        text.push_str(&format!("  {line}\n"));
    }
    if work.dataset.images.is_empty() && filter == StatusFilter::Submitted {
        text.push_str("  no task is submitted yet; --status all exports every task\n");
    }
    print_out(&text);
    ExitCode::SUCCESS
}

/// The import report as lines for the terminal: every note, up to `per_kind` of each kind, then a count
/// of the rest.
pub fn describe_report(report: &ImportReport, per_kind: usize) -> String {
    let mut shown: BTreeMap<NoteKind, usize> = BTreeMap::new();
    let mut text = String::new();
    for note in &report.notes {
        let count = shown.entry(note.kind).or_default();
        *count += 1;
        if *count <= per_kind {
            text.push_str(&format!("  {note}\n"));
        }
    }
    for (kind, count) in shown {
        if count > per_kind {
            text.push_str(&format!(
                "  ... and {} more {} note(s)\n",
                count - per_kind,
                kind.name()
            ));
        }
    }
    text
}

/// Runs `clickwork convert`.
pub fn convert(args: &ConvertArgs) -> ExitCode {
    // A bad OUT is said before the work of reading IN.
    let input_rules = OutputRules::new().protect(&args.input, "the input");
    if let Err(e) = check_output_folder(&args.output, args.force, &input_rules) {
        return write_failed(&e);
    }
    let from = args.from.0;
    let (dataset, report) = match from.import(&args.input) {
        Ok(read) => read,
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            return ExitCode::from(1);
        }
    };
    let regions: usize = dataset.images.iter().map(|i| i.regions.len()).sum();
    let mut text = format!(
        "read {} image(s), {} region(s), {} label(s) from {} ({from})\n",
        dataset.images.len(),
        regions,
        dataset.categories.len(),
        args.input.display()
    );
    if !report.notes.is_empty() {
        let counts: Vec<String> = [
            NoteKind::Clamped,
            NoteKind::Dropped,
            NoteKind::Guessed,
            NoteKind::Added,
            NoteKind::Kept,
        ]
        .into_iter()
        .filter(|k| report.count(*k) > 0)
        .map(|k| format!("{} {}", report.count(k), k.name()))
        .collect();
        text.push_str(&format!("notes: {}\n", counts.join(", ")));
        text.push_str(&describe_report(&report, 20));
    }
    // The images an input points at are part of it, wherever they are.
    let image_dirs: std::collections::BTreeSet<&Path> = dataset
        .images
        .iter()
        .filter_map(|i| i.source.as_deref().and_then(Path::parent))
        .collect();
    let rules = image_dirs.into_iter().fold(input_rules, |rules, dir| {
        rules.keep_intact(dir, "the input's images")
    });
    let lines = match write_export(
        &dataset,
        args.to,
        &args.output,
        args.copy_images,
        args.force,
        &rules,
    ) {
        Ok(lines) => lines,
        Err(code) => {
            print_out(&text);
            return code;
        }
    };
    text.push_str(&format!("wrote {}\n", args.output.display()));
    for line in lines {
        text.push_str(&format!("  {line}\n"));
    }
    print_out(&text);
    ExitCode::SUCCESS
}

/// Runs `clickwork submit`.
pub fn submit(args: &SubmitArgs, data_dir: &Path, options: &LoadOptions) -> ExitCode {
    let bundle = match open_bundle(args.bundle.as_deref(), options) {
        Ok(bundle) => bundle,
        Err(code) => return code,
    };
    let rules = export_rules(&bundle, data_dir);
    if let Err(e) = rules.check(&args.out) {
        print_err(&format!("error: {e}\n"));
        return ExitCode::from(2);
    }
    if args.out.is_dir() {
        print_err(&format!(
            "error: {}: is a folder; --out names the zip file to write, e.g. {}\n",
            args.out.display(),
            args.out.join("submission.zip").display()
        ));
        return ExitCode::from(2);
    }
    if args.out.exists() && !args.force {
        print_err(&format!(
            "error: {}: exists; pass --force to replace it\n",
            args.out.display()
        ));
        return ExitCode::from(2);
    }
    if let Err(e) = rules.check_file(
        &args.out,
        "a clickwork submission zip",
        submission::is_submission_zip,
    ) {
        print_err(&format!("error: {e}\n"));
        return ExitCode::from(2);
    }
    let package = match submission::build(&bundle, data_dir) {
        Ok(package) => package,
        Err(e) => {
            print_err(&format!("error: {e}\n"));
            return ExitCode::from(1);
        }
    };
    for warning in &package.warnings {
        print_err(&format!("warning: {warning}\n"));
    }
    if package.is_empty() {
        print_err(&format!(
            "error: the data folder {} holds no work on bundle {} (no annotation file, no work log); \
             is --data-dir (or CLICKWORK_DATA_DIR) the folder the work was done in? Nothing was written.\n",
            data_dir.display(),
            bundle.id
        ));
        return ExitCode::from(1);
    }
    if package.finished() == 0 {
        print_err(&format!(
            "warning: no task of {} is submitted or skipped yet; the package holds unfinished work only\n",
            bundle.id
        ));
    }
    if let Err(e) = submission::write_zip(&args.out, &package) {
        print_err(&format!("error: {}: {e}\n", args.out.display()));
        return ExitCode::from(1);
    }
    let mut text = format!("wrote {}\n", args.out.display());
    text.push_str(&package.describe());
    print_out(&text);
    ExitCode::SUCCESS
}
