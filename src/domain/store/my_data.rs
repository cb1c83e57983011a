//! The worker's own data, as a whole: export it to one zip ("Export my data") or delete it ("Delete my
//! data"). The data never leaves the machine unless the worker carries the zip away.

use crate::domain::safe_output::OutputRules;
use crate::domain::store::{Layout, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes every file of the worker's data under `data_dir` into the zip `out` (atomically: a failed
/// export leaves no half-written zip). Returns how many files were written.
/// The zip may not lie inside the data folder (it would hold itself, and "Delete my data" would not
/// remove it).
pub fn export_my_data(data_dir: &Path, out: &Path) -> Result<usize, StoreError> {
    OutputRules::new()
        .protect(data_dir, "the data folder")
        .check(out)?;
    let mut files = Vec::new();
    for path in Layout::new(data_dir).worker_data() {
        collect(&path, &mut files)?;
    }
    files.sort();
    let mut count = 0;
    crate::domain::store::atomic_write_with(out, |file| {
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for path in &files {
            let Ok(relative) = path.strip_prefix(data_dir) else {
                continue;
            };
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            zip.start_file(name, options)
                .map_err(std::io::Error::other)?;
            zip.write_all(&std::fs::read(path)?)?;
            count += 1;
        }
        zip.finish().map_err(std::io::Error::other)?;
        Ok(())
    })
    .map_err(|e| StoreError::io(out, e))?;
    Ok(count)
}

/// Deletes the worker's data under `data_dir` (work, settings, recent list) and the zip cache. Returns
/// what was removed.
pub fn delete_my_data(data_dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    crate::domain::io_guard::assert_off_ui_thread(data_dir);
    let mut removed = Vec::new();
    let layout = Layout::new(data_dir);
    for path in layout.worker_data().into_iter().chain([layout.cache()]) {
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&path, e)),
        }
    }
    Ok(removed)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), StoreError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(path, e)),
    };
    if meta.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| StoreError::io(path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| StoreError::io(path, e))?;
            collect(&entry.path(), out)?;
        }
    } else if meta.is_file() {
        out.push(path.to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(data: &Path) {
        std::fs::create_dir_all(data.join("work/b/annotations")).unwrap();
        std::fs::create_dir_all(data.join("cache/zip/abc")).unwrap();
        std::fs::write(data.join("work/b/annotations/t.json"), b"{}").unwrap();
        std::fs::write(data.join("work/b/worklog.jsonl"), b"{}\n").unwrap();
        std::fs::write(data.join("settings.json"), b"{}").unwrap();
        std::fs::write(data.join("cache/zip/abc/img.png"), b"x").unwrap();
    }

    #[test]
    fn export_holds_the_workers_files_and_not_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        seed(&data);
        let out = dir.path().join("mine.zip");
        assert_eq!(export_my_data(&data, &out).unwrap(), 3);
        let zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "settings.json",
                "work/b/annotations/t.json",
                "work/b/worklog.jsonl"
            ]
        );
    }

    #[test]
    fn delete_removes_work_settings_and_cache_only() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        seed(&data);
        std::fs::write(data.join("unrelated.txt"), b"keep").unwrap();
        let removed = delete_my_data(&data).unwrap();
        assert_eq!(removed.len(), 3);
        assert!(
            !data.join("work").exists()
                && !data.join("cache").exists()
                && !data.join("settings.json").exists()
        );
        assert!(data.join("unrelated.txt").exists());
        assert!(
            delete_my_data(&data).unwrap().is_empty(),
            "deleting twice is fine"
        );
    }
}
