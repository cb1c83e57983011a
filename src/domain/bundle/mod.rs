//! Task bundles: what a requester hands out, opened from a folder or a zip and checked once.
//!
//! Parse, don't validate: the manifest is read into raw serde types that accept any JSON
//! ([`manifest`]'s types), then checked in one pass that collects every problem with its file, line and
//! column ([`validate`]); a [`Bundle`] exists only when there was none. A plain folder of images is a
//! bundle too ([`folder`]), and a zip is extracted into the app's cache and read as a folder
//! ([`archive`]). The format is documented for requesters in `docs/bundle-format.md`.

mod archive;
mod field;
mod folder;
mod gold;
mod headers;
mod ids;
pub(crate) mod image_check;
mod manifest;
mod model;
mod names;
mod paths;
mod prefill;
mod problem;
mod tasks;
mod validate;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use archive::{MAX_ENTRIES, MAX_UNPACKED_BYTES};
pub use folder::{DEFAULT_LABEL, LABELS_FILE};
pub use ids::{MAX_ID_LEN, id_problem, slugify};
pub use image_check::MAX_PIXELS_ENV;
pub use manifest::{FORMAT, MANIFEST_FILE};
pub use model::{Bundle, Label, Reward, Task};
pub use problem::{BundleErrors, Problem};

use names::FileNames;

/// How bundles are opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Images whose header declares more pixels than this are refused (without being decoded).
    pub max_pixels: u64,
    /// A folder the app owns; zips are extracted under `<cache_dir>/zip/`, and image headers read
    /// are remembered under `<cache_dir>/image-headers/`.
    pub cache_dir: PathBuf,
    /// Whether the image headers read are written to the cache for the next opening. The window
    /// does; commands that only read (`validate`, `export`, `report`) use the cache and leave the
    /// data folder as it was.
    pub remember_headers: bool,
    /// Counts the image headers checked, for a progress line (`validate` on a terminal).
    pub progress: Option<std::sync::Arc<Progress>>,
}

/// How far the checking of a bundle's images has got, updated from every thread that checks one.
#[derive(Debug, Default)]
pub struct Progress {
    done: std::sync::atomic::AtomicUsize,
    total: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// Images checked so far, and how many there are to check (0 until known).
    pub fn get(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.done.load(Relaxed), self.total.load(Relaxed))
    }

    pub(crate) fn start(&self, total: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.done.store(0, Relaxed);
        self.total.store(total, Relaxed);
    }

    pub(crate) fn one_done(&self) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Two counters are the same counter only when they are one object.
impl PartialEq for Progress {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Progress {}

impl LoadOptions {
    /// 500 megapixels (about 22000×22000): what the window's tiled pyramid shows within 2.5 GB. An
    /// RGB image is held at 3 bytes a pixel once, plus a third for its coarser levels (4 bytes a
    /// pixel, 2 GB here), plus the tiles' textures (192 MiB at most); larger images would exhaust a
    /// worker's 4–8 GB laptop.
    pub const DEFAULT_MAX_PIXELS: u64 = 500_000_000;

    /// Options with the default pixel limit.
    pub fn new(cache_dir: PathBuf) -> Self {
        LoadOptions {
            max_pixels: Self::DEFAULT_MAX_PIXELS,
            cache_dir,
            remember_headers: false,
            progress: None,
        }
    }
}

/// The sample bundle shipped with clickwork: beside the sources when run with cargo, else beside the
/// executable.
pub fn sample_bundle_path() -> PathBuf {
    let from_sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_tasks/landscapes");
    if from_sources.exists() {
        return from_sources;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("sample_tasks/landscapes")))
        .unwrap_or(from_sources)
}

/// Where an opened bundle lives, shared by the manifest and image-folder loaders.
struct Opened<'a> {
    /// What the user opened (absolute).
    source: &'a Path,
    /// The canonical folder holding the bundle's files.
    root: &'a Path,
    /// How files are named in problems.
    names: &'a FileNames,
    /// The pixel limit in force.
    max_pixels: u64,
    /// Image headers checked before, and what this opening checks.
    headers: headers::HeaderCache,
    /// Counts the images checked, when someone shows it.
    progress: Option<std::sync::Arc<Progress>>,
}

impl Opened<'_> {
    /// `total` images are about to be checked.
    fn progress_start(&self, total: usize) {
        if let Some(progress) = &self.progress {
            progress.start(total);
        }
    }

    /// One more image is checked.
    fn progress_one(&self) {
        if let Some(progress) = &self.progress {
            progress.one_done();
        }
    }
}

/// Opens the bundle at `path`: a folder (with or without `bundle.json`), a `bundle.json` file (its folder
/// is opened), or a `.zip` of such a folder. Every problem found is returned at once.
pub fn load_bundle(path: &Path, options: &LoadOptions) -> Result<Bundle, BundleErrors> {
    crate::domain::io_guard::assert_off_ui_thread(path);
    let shown = path.display().to_string();
    let fail = |message: String| BundleErrors::single(Problem::in_file(&shown, message));
    let meta = path.metadata().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail("does not exist".to_owned()),
        _ => fail(format!("cannot be read ({e})")),
    })?;
    let absolute =
        std::path::absolute(path).map_err(|e| fail(format!("cannot be resolved ({e})")))?;
    if meta.is_dir() {
        return load_folder(&absolute, path, options);
    }
    if path.file_name().is_some_and(|name| name == MANIFEST_FILE) {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let absolute = absolute
            .parent()
            .map_or_else(|| absolute.clone(), Path::to_path_buf);
        return load_folder(&absolute, folder, options);
    }
    if archive::looks_like_zip(path) {
        return load_zip(&absolute, path, options);
    }
    Err(fail(format!(
        "is not a bundle: open a folder, a .zip of a folder, or a {MANIFEST_FILE}"
    )))
}

/// A folder bundle; `shown` is the folder as the user named it.
fn load_folder(
    absolute: &Path,
    shown: &Path,
    options: &LoadOptions,
) -> Result<Bundle, BundleErrors> {
    let root = absolute.canonicalize().map_err(|e| {
        BundleErrors::single(Problem::in_file(
            shown.display().to_string(),
            format!("cannot be read ({e})"),
        ))
    })?;
    let names = FileNames::Folder(shown.to_path_buf());
    let opened = Opened {
        source: absolute,
        root: &root,
        names: &names,
        max_pixels: options.max_pixels,
        headers: headers::HeaderCache::open(Some(&options.cache_dir), &root),
        progress: options.progress.clone(),
    };
    let loaded = if root.join(MANIFEST_FILE).exists() {
        validate::from_manifest(&opened)
    } else {
        let title = folder_title(&root);
        folder::from_images(&opened, &title, &root)
    };
    if options.remember_headers {
        opened.headers.save();
    }
    loaded
}

/// A zip bundle; `shown` is the zip as the user named it.
fn load_zip(absolute: &Path, shown: &Path, options: &LoadOptions) -> Result<Bundle, BundleErrors> {
    let extracted = archive::extract(absolute, shown, &options.cache_dir)?;
    let names = archive::file_names(shown, &extracted);
    let opened = Opened {
        source: absolute,
        root: &extracted.root,
        names: &names,
        max_pixels: options.max_pixels,
        // An extraction's files never change: its headers need no cache.
        headers: headers::HeaderCache::open(None, &extracted.root),
        progress: options.progress.clone(),
    };
    if extracted.root.join(MANIFEST_FILE).exists() {
        return validate::from_manifest(&opened);
    }
    // The id follows the zip's location, as a folder's follows the folder's.
    let identity = absolute
        .canonicalize()
        .unwrap_or_else(|_| absolute.to_path_buf());
    let title = match extracted.prefix.strip_suffix('/') {
        Some(top) if !top.is_empty() => top.to_owned(),
        _ => absolute
            .file_stem()
            .map_or_else(|| "bundle".to_owned(), |s| s.to_string_lossy().into_owned()),
    };
    folder::from_images(&opened, &title, &identity)
}

fn folder_title(root: &Path) -> String {
    root.file_name().map_or_else(
        || "bundle".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests;
