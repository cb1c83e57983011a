//! Writing a dataset in one or several formats into a folder, all at once or not at all, and never over
//! an input: the command line's `clickwork export` and `convert` and the window's Export… all go
//! through [`export_to_folder`].

use crate::domain::bundle::Bundle;
use crate::domain::formats::{
    Dataset, ExportFile, ExportOptions, FileContent, Format, safe_relative,
};
use crate::domain::safe_output::{MARKER, MARKER_CONTENT, OutputRefused, OutputRules, has_marker};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an export of `bundle`'s work under `data_dir` must keep away from: the data folder, the bundle's
/// folder and, for a zip bundle, the zip.
pub fn export_rules(bundle: &Bundle, data_dir: &Path) -> OutputRules {
    let mut rules = OutputRules::new()
        .protect(data_dir, "the data folder")
        .protect(&bundle.root, "the bundle");
    if bundle.source != bundle.root {
        rules = rules.protect(&bundle.source, "the bundle");
    }
    rules
}

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
    progress: impl FnMut(usize, usize),
) -> Result<Vec<String>, WriteError> {
    export_with_files(dataset, what, Vec::new(), out, progress)
}

/// Like [`export_to_folder`], with `extra` files written beside the formats' (a merge's agreement
/// figures and report), in the same one move.
pub fn export_with_files(
    dataset: &Dataset,
    what: &FolderExport<'_>,
    extra: Vec<ExportFile>,
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
    check_output_folder(out, force, rules)?;
    let out_abs = std::path::absolute(out).unwrap_or_else(|_| out.to_owned());
    let total = formats.len() + 1;
    let mut files: Vec<ExportFile> = extra;
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

/// Why an export folder could not be written. Each names the path.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The folder holds files already and `--force` was not given.
    #[error("{}: the folder is not empty; pass --force to replace it", path.display())]
    NotEmpty {
        /// The folder.
        path: PathBuf,
    },
    /// Something other than a folder is in the way.
    #[error("{}: exists and is not a folder", path.display())]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// A file of the export is named outside the folder (`../x`, `/x`, `C:\\x`): a name read from a label
    /// file that an importer let through. Nothing is written.
    #[error("{}: the export names a file outside it ({name:?}); nothing written", out.display())]
    NameOutside {
        /// The export folder.
        out: PathBuf,
        /// The file's name.
        name: String,
    },
    /// The folder is, holds or lies inside a protected place, or is not an earlier clickwork output.
    #[error(transparent)]
    Refused(#[from] OutputRefused),
    /// The operating system refused a read or write.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `files` as the folder `out`. Everything is written into a hidden temporary folder beside
/// `out`, then renamed into place, so `out` never holds half an export: a crash leaves the old folder
/// (or none) and a `.clickwork-export-*` folder that is safe to delete. `out` must pass `rules` (see
/// [`check_output_folder`]); the written folder carries the [`MARKER`] that lets a later `force` replace it.
pub fn write_tree(
    out: &Path,
    files: &[ExportFile],
    force: bool,
    rules: &OutputRules,
) -> Result<(), WriteError> {
    if let Some(file) = files.iter().find(|f| safe_relative(&f.path).is_none()) {
        return Err(WriteError::NameOutside {
            out: out.to_owned(),
            name: file.path.clone(),
        });
    }
    let existing = check_output_folder(out, force, rules)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".clickwork-export-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let marker = staging.path().join(MARKER);
    std::fs::write(&marker, MARKER_CONTENT).map_err(io(&marker))?;
    for file in files {
        let target = staging.path().join(&file.path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        match &file.content {
            FileContent::Bytes(bytes) => {
                let mut handle = std::fs::File::create(&target).map_err(io(&target))?;
                handle.write_all(bytes).map_err(io(&target))?;
                handle.sync_all().map_err(io(&target))?;
            }
            FileContent::CopyOf(source) => {
                // Name the side that failed: a missing image, or the output's disk (full, read-only).
                std::fs::copy(source, &target).map_err(|e| {
                    let failed = if source.is_file() { &target } else { source };
                    io(failed)(e)
                })?;
            }
        }
    }
    // The old folder moves into a second temporary folder first, so that a failed rename can put it back.
    let retired = if existing {
        let attic = tempfile::Builder::new()
            .prefix(".clickwork-replaced-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        let old = attic.path().join("old");
        std::fs::rename(out, &old).map_err(io(out))?;
        Some((attic, old))
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(source) = std::fs::rename(&staged, out) {
        if let Some((_, old)) = &retired {
            // Best effort: the error below is what the user needs to see.
            let _ = std::fs::rename(old, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(WriteError::Io {
            path: out.to_owned(),
            source,
        });
    }
    // Dropping the attic deletes the replaced export.
    drop(retired);
    // The rename is done; a failed folder sync only weakens durability, so it is not an error here.
    let _ = crate::domain::store::sync_dir(&parent);
    Ok(())
}

/// Checks that `out` may receive an output folder, before any work is done, and says whether it exists
/// (as a folder to replace). `out` must pass `rules` (never the data folder, the bundle or the input,
/// nor inside or around them); a non-empty folder is replaced only with `force`, and only when it is an
/// earlier clickwork output (it has the [`MARKER`]).
pub fn check_output_folder(
    out: &Path,
    force: bool,
    rules: &OutputRules,
) -> Result<bool, WriteError> {
    rules.check(out)?;
    let meta = match std::fs::metadata(out) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(out)(e)),
    };
    if !meta.is_dir() {
        return Err(WriteError::NotAFolder {
            path: out.to_owned(),
        });
    }
    let empty = std::fs::read_dir(out).map_err(io(out))?.next().is_none();
    if empty {
        return Ok(true);
    }
    if !has_marker(out) {
        return Err(OutputRefused::NotOurs {
            out: out.to_owned(),
        }
        .into());
    }
    if !force {
        return Err(WriteError::NotEmpty {
            path: out.to_owned(),
        });
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn none() -> OutputRules {
        OutputRules::new()
    }

    #[test]
    fn writes_nested_files_with_the_marker_and_leaves_no_temporary_folder() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("export");
        let files = vec![
            ExportFile::bytes("a/b.txt", b"hello".to_vec()),
            ExportFile::bytes("c.txt", b"x".to_vec()),
        ];
        write_tree(&out, &files, false, &none()).unwrap();
        assert_eq!(std::fs::read(out.join("a/b.txt")).unwrap(), b"hello");
        assert_eq!(listing(&out), vec![MARKER, "a", "c.txt"]);
        assert_eq!(listing(root.path()), vec!["export"]);
    }

    #[test]
    fn a_file_named_outside_the_export_stops_it_before_anything_is_written() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("export");
        for name in [
            "../escaped.txt",
            "/tmp/escaped.txt",
            "a/../../escaped.txt",
            "C:\\x.txt",
        ] {
            let files = vec![
                ExportFile::bytes("fine.txt", b"x".to_vec()),
                ExportFile::bytes(name, b"y".to_vec()),
            ];
            let err = write_tree(&out, &files, false, &none()).unwrap_err();
            assert!(
                matches!(err, WriteError::NameOutside { .. }),
                "{name}: {err}"
            );
            assert!(err.to_string().contains("outside"), "{err}");
        }
        assert!(listing(root.path()).is_empty());
    }

    #[test]
    fn an_earlier_export_is_replaced_only_with_force() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("export");
        write_tree(
            &out,
            &[ExportFile::bytes("old.txt", b"old".to_vec())],
            false,
            &none(),
        )
        .unwrap();
        let files = vec![ExportFile::bytes("new.txt", b"new".to_vec())];
        let err = write_tree(&out, &files, false, &none()).unwrap_err();
        assert!(matches!(err, WriteError::NotEmpty { .. }), "{err}");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(listing(&out), vec![MARKER, "old.txt"]);
        write_tree(&out, &files, true, &none()).unwrap();
        assert_eq!(listing(&out), vec![MARKER, "new.txt"]);
        assert_eq!(listing(root.path()), vec!["export"]);
    }

    #[test]
    fn force_never_replaces_a_folder_clickwork_did_not_write() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("photos");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("holiday.jpg"), b"jpeg").unwrap();
        let files = vec![ExportFile::bytes("new.txt", b"new".to_vec())];
        for force in [false, true] {
            let err = write_tree(&out, &files, force, &none()).unwrap_err();
            assert!(
                matches!(err, WriteError::Refused(OutputRefused::NotOurs { .. })),
                "{err}"
            );
            assert!(err.to_string().contains("did not write"), "{err}");
        }
        assert_eq!(listing(&out), vec!["holiday.jpg"]);
        assert_eq!(listing(root.path()), vec!["photos"]);
    }

    #[test]
    fn an_empty_folder_is_used_without_force() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("export");
        std::fs::create_dir(&out).unwrap();
        write_tree(&out, &[ExportFile::bytes("x", vec![1])], false, &none()).unwrap();
        assert_eq!(listing(&out), vec![MARKER, "x"]);
    }

    #[test]
    fn never_writes_around_or_inside_a_protected_folder() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        std::fs::create_dir_all(data.join("work")).unwrap();
        std::fs::write(data.join("work/log.jsonl"), b"{}").unwrap();
        let rules = OutputRules::new().protect(&data, "the data folder");
        for out in [root.path().to_owned(), data.clone(), data.join("work")] {
            let err = write_tree(&out, &[], true, &rules).unwrap_err();
            assert!(matches!(err, WriteError::Refused(_)), "{err}");
        }
        assert_eq!(listing(&data.join("work")), vec!["log.jsonl"]);
    }

    #[test]
    fn a_missing_image_fails_and_keeps_the_old_export() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("export");
        write_tree(&out, &[ExportFile::bytes("keep", vec![1])], false, &none()).unwrap();
        let files = vec![ExportFile::copy("img.jpg", root.path().join("nope.jpg"))];
        let err = write_tree(&out, &files, true, &none()).unwrap_err();
        assert!(err.to_string().contains("nope.jpg"), "{err}");
        assert_eq!(listing(&out), vec![MARKER, "keep"]);
        assert_eq!(listing(root.path()), vec!["export"]);
    }
}
