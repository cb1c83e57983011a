//! Writing a dataset in one or several formats into a folder, atomically: the command line's
//! `clickwork export` and the window's Export… both go through [`export_to_folder`].

use super::{Dataset, ExportFile, ExportOptions, Format, WriteError, write_tree};
use crate::domain::safe_output::OutputRules;
use std::path::Path;

/// What to write and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderExport<'a> {
    /// The formats to write.
    pub formats: &'a [Format],
    /// Each format in a subfolder named after it (`--format all`).
    pub nested: bool,
    /// Copy the images into the export.
    pub copy_images: bool,
    /// Replace a non-empty folder.
    pub force: bool,
    /// Places the output must keep away from (the bundle, the data folder, a conversion's input).
    pub rules: &'a OutputRules,
}

/// Exports `dataset` as `what` says into `out`, then writes the whole tree at once (see
/// [`write_tree`]: never over a non-empty folder without `force`, never over one clickwork did not
/// write, never at, around or inside a protected place).
/// `progress(done, total)` is called after each format is prepared and once more when the files are
/// written. Returns one summary line per format.
pub fn export_to_folder(
    dataset: &Dataset,
    what: &FolderExport<'_>,
    out: &Path,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<String>, WriteError> {
    let FolderExport {
        formats,
        nested,
        copy_images,
        force,
        rules,
    } = *what;
    // Refuse a bad target before the work of exporting.
    super::check_output_folder(out, force, rules)?;
    let out_abs = std::path::absolute(out).unwrap_or_else(|_| out.to_owned());
    let total = formats.len() + 1;
    let mut files: Vec<ExportFile> = Vec::new();
    let mut lines = Vec::new();
    for (done, format) in formats.iter().enumerate() {
        let out_dir = if nested {
            out_abs.join(format.name())
        } else {
            out_abs.clone()
        };
        let options = ExportOptions {
            copy_images,
            out_dir,
        };
        if let Some(exported) = format.export(dataset, &options) {
            lines.push(exported.summary.describe(*format));
            files.extend(exported.files.into_iter().map(|mut f| {
                if nested {
                    f.path = format!("{}/{}", format.name(), f.path);
                }
                f
            }));
        }
        progress(done + 1, total);
    }
    write_tree(out, &files, force, rules)?;
    progress(total, total);
    Ok(lines)
}
