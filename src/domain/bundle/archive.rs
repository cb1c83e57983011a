//! Zip bundles: checked entry by entry, then extracted into a cache folder the app owns and read like a
//! folder. Nothing is ever written outside `<cache_dir>/zip/`.
//!
//! The extraction goes to a temporary sibling folder that is renamed into place only when complete, so a
//! crash or a full disk never leaves a half-extracted bundle that a later run would trust; a complete
//! extraction is reused (its name is the zip's content hash, so a changed zip gets a new one).

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::manifest::MANIFEST_FILE;
use super::names::FileNames;
use super::problem::{BundleErrors, Problem, Report};

/// Most bytes a zip may unpack to (zip bombs unpack a few kilobytes into terabytes).
pub const MAX_UNPACKED_BYTES: u64 = 8 << 30;

/// Most entries a zip may hold.
pub const MAX_ENTRIES: usize = 100_000;

/// The limits a zip is held to; a parameter so tests can use small ones.
#[derive(Clone, Copy, Debug)]
struct Limits {
    entries: usize,
    bytes: u64,
}

const LIMITS: Limits = Limits {
    entries: MAX_ENTRIES,
    bytes: MAX_UNPACKED_BYTES,
};

/// How partial extractions in `<cache_dir>/zip/` are named; never a complete extraction's name (hex).
const PARTIAL_PREFIX: &str = ".partial-";

/// Folders that zip tools add and that are never part of a bundle.
const JUNK_TOP_FOLDERS: [&str; 1] = ["__MACOSX"];

/// A zip extracted into the cache.
#[derive(Clone, Debug)]
pub struct Extracted {
    /// The canonical folder holding the bundle: the extraction, or its single top-level folder.
    pub root: PathBuf,
    /// That top-level folder's name with a trailing `/`, or empty when the bundle is at the zip's root.
    pub prefix: String,
}

/// True when the file at `path` starts like a zip archive.
pub fn looks_like_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    let read = File::open(path).and_then(|mut f| f.read_exact(&mut magic));
    read.is_ok() && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06")
}

/// Extracts the zip at `zip_path` (named `shown` in problems) into `<cache_dir>/zip/<hash>/`, or reuses
/// that folder when an earlier run completed it.
pub fn extract(zip_path: &Path, shown: &Path, cache_dir: &Path) -> Result<Extracted, BundleErrors> {
    let shown_zip = shown.display().to_string();
    let fail = |message: String| BundleErrors::single(Problem::in_file(&shown_zip, message));
    let mut file = File::open(zip_path).map_err(|e| fail(format!("cannot be read ({e})")))?;
    let digest = hash_file(&mut file).map_err(|e| fail(format!("cannot be read ({e})")))?;
    let zip_cache = cache_dir.join("zip");
    let target = zip_cache.join(digest.get(..16).unwrap_or(&digest));
    if !target.is_dir() {
        let mut archive = ZipArchive::new(file)
            .map_err(|e| fail(format!("is not a readable zip archive ({e})")))?;
        let entries = check_entries(&archive, shown, LIMITS)?;
        fs::create_dir_all(&zip_cache).map_err(|e| {
            fail(format!(
                "cannot create the cache folder {} ({e})",
                zip_cache.display()
            ))
        })?;
        remove_stale_partials(&zip_cache);
        let partial = tempfile::Builder::new()
            .prefix(PARTIAL_PREFIX)
            .tempdir_in(&zip_cache)
            .map_err(|e| {
                fail(format!(
                    "cannot create a folder in {} ({e})",
                    zip_cache.display()
                ))
            })?;
        unpack(&mut archive, &entries, partial.path(), shown)?;
        let partial = partial.keep();
        if let Err(e) = fs::rename(&partial, &target) {
            // Another run may have finished the same zip first; its copy is as good as ours.
            let _ignored = fs::remove_dir_all(&partial);
            if !target.is_dir() {
                return Err(fail(format!(
                    "cannot move the extraction into {} ({e})",
                    target.display()
                )));
            }
        }
    }
    let target = target.canonicalize().map_err(|e| {
        fail(format!(
            "cannot open the extraction in {} ({e})",
            target.display()
        ))
    })?;
    Ok(bundle_root(&target))
}

/// Partial extractions older than this were left by a run that crashed or was killed.
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Best effort: removes partial extractions that a crashed run left behind, so the cache does not grow
/// forever. Recent ones may belong to another running instance and are left alone.
fn remove_stale_partials(zip_cache: &Path) {
    let Ok(items) = fs::read_dir(zip_cache) else {
        return;
    };
    for item in items.filter_map(Result::ok) {
        let is_partial = item
            .file_name()
            .to_string_lossy()
            .starts_with(PARTIAL_PREFIX);
        let age = item
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok());
        if is_partial
            && age.is_some_and(|age| age > STALE_PARTIAL)
            && let Err(e) = fs::remove_dir_all(item.path())
        {
            log::warn!(
                "cannot remove a stale partial extraction ({e}): {}",
                item.path().display()
            );
        }
    }
}

fn hash_file(file: &mut File) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(buffer.get(..read).unwrap_or_default());
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(super::hex(&hasher.finalize()))
}

/// An entry to extract: its index and safe relative path.
struct Entry {
    index: usize,
    path: PathBuf,
    is_dir: bool,
    size: u64,
}

/// Checks every entry's path, kind and size before anything is written; all problems are reported.
fn check_entries(
    archive: &ZipArchive<File>,
    shown: &Path,
    limits: Limits,
) -> Result<Vec<Entry>, BundleErrors> {
    let shown_zip = shown.display().to_string();
    if archive.len() > limits.entries {
        return Err(BundleErrors::single(Problem::in_file(
            shown_zip,
            format!(
                "holds {} entries; a bundle may hold at most {}",
                archive.len(),
                limits.entries
            ),
        )));
    }
    let mut report = Report::default();
    let mut entries = Vec::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = match archive.by_index_data(index) {
            Ok(entry) => entry,
            Err(e) => {
                report.push(Problem::in_file(
                    &shown_zip,
                    format!("entry {index} cannot be read ({e})"),
                ));
                continue;
            }
        };
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned());
        let at = format!("{shown_zip}!/{name}");
        let has_parent = Path::new(&name)
            .components()
            .any(|c| c == Component::ParentDir)
            || name.split(['/', '\\']).any(|part| part == "..");
        // zip's `enclosed_name` quietly makes `/x` relative; a bundle with such an entry was built wrongly
        // or maliciously, so it is refused like `..`.
        let mut chars = name.chars();
        let drive =
            matches!((chars.next(), chars.next()), (Some(c), Some(':')) if c.is_ascii_alphabetic());
        let absolute = drive || name.starts_with(['/', '\\']);
        let Some(path) = entry.enclosed_name().filter(|_| !has_parent && !absolute) else {
            let why = if has_parent {
                "uses `..`; entries must stay inside the archive's folder"
            } else {
                "has an absolute path; entries must be relative"
            };
            report.push(Problem::in_file(
                at,
                format!("entry {why}; refusing to extract the zip"),
            ));
            continue;
        };
        if entry.is_symlink() {
            report.push(Problem::in_file(
                at,
                "is a symbolic link; bundles may not contain links; refusing to extract the zip",
            ));
            continue;
        }
        if entry.encrypted() {
            report.push(Problem::in_file(
                at,
                "is encrypted; bundles may not be password-protected",
            ));
            continue;
        }
        let first = path.components().next();
        if matches!(first, Some(Component::Normal(top)) if JUNK_TOP_FOLDERS.iter().any(|j| top == *j))
        {
            continue;
        }
        total = total.saturating_add(entry.size());
        entries.push(Entry {
            index,
            path,
            is_dir: entry.is_dir(),
            size: entry.size(),
        });
    }
    if total > limits.bytes {
        report.push(Problem::in_file(
            &shown_zip,
            format!(
                "unpacks to {total} bytes, more than the limit of {} bytes",
                limits.bytes
            ),
        ));
    }
    report.finish(entries)
}

/// Writes the checked entries under `dest`, holding each to the size it declares.
fn unpack(
    archive: &mut ZipArchive<File>,
    entries: &[Entry],
    dest: &Path,
    shown: &Path,
) -> Result<(), BundleErrors> {
    let shown_zip = shown.display().to_string();
    let mut report = Report::default();
    for entry in entries {
        let at = format!("{shown_zip}!/{}", entry.path.display());
        let out_path = dest.join(&entry.path);
        if entry.is_dir {
            if let Err(e) = fs::create_dir_all(&out_path) {
                report.push(Problem::in_file(at, format!("cannot be extracted ({e})")));
            }
            continue;
        }
        if let Err(why) = unpack_file(archive, entry, &out_path) {
            report.push(Problem::in_file(at, why));
        }
    }
    report.finish(())
}

fn unpack_file(
    archive: &mut ZipArchive<File>,
    entry: &Entry,
    out_path: &Path,
) -> Result<(), String> {
    if let Some(parent) = out_path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("cannot be extracted ({e})"))?;
    }
    let mut reader = archive
        .by_index(entry.index)
        .map_err(|e| format!("cannot be read from the zip ({e})"))?;
    // `create_new`: two entries with one name would otherwise overwrite each other silently.
    let mut out = File::options()
        .write(true)
        .create_new(true)
        .open(out_path)
        .map_err(|e| format!("cannot be extracted ({e})"))?;
    // An entry may lie about its size; one byte past the declared size proves it did.
    let copied = io::copy(
        &mut (&mut reader).take(entry.size.saturating_add(1)),
        &mut out,
    )
    .map_err(|e| format!("is damaged ({e})"))?;
    if copied > entry.size {
        return Err(format!(
            "unpacks to more than the {} bytes it declares; refusing to extract the zip",
            entry.size
        ));
    }
    Ok(())
}

/// The folder holding the bundle inside an extraction: the extraction itself when it has a manifest or
/// more than one visible item, else its single top-level folder.
fn bundle_root(extraction: &Path) -> Extracted {
    let at_root = Extracted {
        root: extraction.to_path_buf(),
        prefix: String::new(),
    };
    if extraction.join(MANIFEST_FILE).exists() {
        return at_root;
    }
    let Ok(items) = fs::read_dir(extraction) else {
        return at_root;
    };
    let visible: Vec<_> = items
        .filter_map(Result::ok)
        .filter(|item| !item.file_name().to_string_lossy().starts_with('.'))
        .collect();
    match visible.as_slice() {
        [only] if only.path().is_dir() => Extracted {
            root: only.path(),
            prefix: format!("{}/", only.file_name().to_string_lossy()),
        },
        _ => at_root,
    }
}

/// How the files of an extracted zip are named in problems.
pub fn file_names(shown: &Path, extracted: &Extracted) -> FileNames {
    FileNames::Zip {
        zip: shown.to_path_buf(),
        prefix: extracted.prefix.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, data) in files {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn extracts_once_and_finds_the_top_folder() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("b.zip");
        write_zip(
            &zip_path,
            &[
                ("sky/bundle.json", b"{}"),
                ("sky/images/a.png", b"x"),
                ("__MACOSX/sky/._a", b"x"),
            ],
        );
        let cache = dir.path().join("cache");
        let first = extract(&zip_path, &zip_path, &cache).unwrap();
        assert_eq!(first.prefix, "sky/");
        assert!(first.root.join("images/a.png").is_file());
        let extraction = first.root.parent().unwrap();
        assert!(!extraction.join("__MACOSX").exists());
        // Reused: a marker left in the extraction survives the second call.
        fs::write(first.root.join("marker"), b"").unwrap();
        let second = extract(&zip_path, &zip_path, &cache).unwrap();
        assert!(second.root.join("marker").exists());
        // No partial folder is left behind.
        let leftovers: Vec<_> = fs::read_dir(cache.join("zip")).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn bundle_at_the_zip_root() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("b.zip");
        write_zip(&zip_path, &[("bundle.json", b"{}"), ("a/x.png", b"x")]);
        let extracted = extract(&zip_path, &zip_path, &dir.path().join("cache")).unwrap();
        assert_eq!(extracted.prefix, "");
        assert!(extracted.root.join(MANIFEST_FILE).is_file());
    }

    #[test]
    fn unsafe_entries_are_all_reported_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("evil.zip");
        write_zip(
            &zip_path,
            &[
                ("ok.png", b"x"),
                ("../evil.png", b"x"),
                ("/abs/evil2.png", b"x"),
                ("a/../../evil3.png", b"x"),
            ],
        );
        let cache = dir.path().join("cache");
        let errors = extract(&zip_path, &zip_path, &cache).unwrap_err();
        let text = errors.to_string();
        assert_eq!(errors.problems.len(), 3, "{text}");
        for name in ["../evil.png", "/abs/evil2.png", "a/../../evil3.png"] {
            assert!(text.contains(name), "{name} not named in {text}");
        }
        assert!(!cache.exists());
        assert!(!dir.path().parent().unwrap().join("evil.png").exists());
    }

    #[test]
    fn symlink_entries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("link.zip");
        let mut zip = zip::ZipWriter::new(File::create(&zip_path).unwrap());
        zip.add_symlink("img.png", "/etc/passwd", SimpleFileOptions::default())
            .unwrap();
        zip.finish().unwrap();
        let errors = extract(&zip_path, &zip_path, &dir.path().join("cache")).unwrap_err();
        assert!(errors.to_string().contains("img.png"), "{errors}");
        assert!(errors.to_string().contains("symbolic link"), "{errors}");
    }

    #[test]
    fn too_many_entries_or_bytes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("big.zip");
        write_zip(
            &zip_path,
            &[("a", &[0; 600]), ("b", &[0; 600]), ("c", b"x")],
        );
        let archive = ZipArchive::new(File::open(&zip_path).unwrap()).unwrap();
        let few = Limits {
            entries: 2,
            bytes: 10_000,
        };
        let errors = check_entries(&archive, &zip_path, few).err().unwrap();
        assert!(errors.to_string().contains("3 entries"), "{errors}");
        let small = Limits {
            entries: 10,
            bytes: 1000,
        };
        let errors = check_entries(&archive, &zip_path, small).err().unwrap();
        assert!(
            errors.to_string().contains("unpacks to 1201 bytes"),
            "{errors}"
        );
    }

    /// Sets the uncompressed size of the only entry of a zip to `size`, as a zip bomb would lie.
    fn patch_uncompressed_size(zip: &mut [u8], size: u32) {
        let find = |zip: &[u8], sig: &[u8]| zip.windows(4).position(|w| w == sig).unwrap();
        let local = find(zip, b"PK\x03\x04");
        zip[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
        let central = find(zip, b"PK\x01\x02");
        zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
    }

    #[test]
    fn an_entry_larger_than_it_declares_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("liar.zip");
        write_zip(&zip_path, &[("data.bin", &[7; 100_000])]);
        let mut bytes = fs::read(&zip_path).unwrap();
        patch_uncompressed_size(&mut bytes, 10);
        fs::write(&zip_path, &bytes).unwrap();
        let cache = dir.path().join("cache");
        let errors = extract(&zip_path, &zip_path, &cache).unwrap_err();
        // The zip crate notices first; our own cap on each entry's size is the second guard.
        let text = errors.to_string();
        assert!(
            text.contains("data.bin") && text.contains("declare"),
            "{text}"
        );
        // The partial extraction is gone.
        assert_eq!(fs::read_dir(cache.join("zip")).unwrap().count(), 0);
    }

    #[test]
    fn garbage_is_not_a_zip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zip");
        fs::write(&path, b"PK\x03\x04 but nothing more").unwrap();
        assert!(looks_like_zip(&path));
        assert!(extract(&path, &path, &dir.path().join("cache")).is_err());
    }
}
