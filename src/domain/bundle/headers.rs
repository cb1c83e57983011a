//! Header checks of a whole bundle's images at once: in parallel, and through a cache so a bundle
//! opened again is not read again. The cache lives in the app's cache folder, one file per bundle
//! folder, keyed by each image's path, byte size and modification time, and on Unix its inode,
//! device and status-change time: a file rewritten in place is read again, even by a tool that
//! keeps its size and modification time. Only images that passed are cached, with their size in
//! pixels; the pixel limit is applied again each time, since it may have changed.

use super::image_check::{ImageProblem, check_image};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The value of the cache file's `format` key; a file of another format, or written by another
/// version (which may read sizes otherwise), is ignored and replaced.
const CACHE_FORMAT: &str = concat!("clickwork-image-headers/2 ", env!("CARGO_PKG_VERSION"));

/// What a header check found: the image's size in pixels (as shown) and its byte size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The file's size in bytes.
    pub bytes: u64,
}

/// One image as the cache remembers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    bytes: u64,
    /// Modification time in nanoseconds since 1970 (0 when the system gives none).
    modified_ns: u128,
    /// See [`identity`].
    identity: u64,
    width: u32,
    height: u32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    format: String,
    /// By path relative to the bundle folder.
    images: HashMap<String, Entry>,
}

/// The header cache of one bundle folder.
#[derive(Debug)]
pub struct HeaderCache {
    file: Option<PathBuf>,
    root: PathBuf,
    known: HashMap<String, Entry>,
    /// What this run checked: written back, so images no longer in the bundle drop out.
    seen: std::sync::Mutex<HashMap<String, Entry>>,
    /// How many headers this run read from their files (the others came from the cache).
    read: std::sync::atomic::AtomicUsize,
}

/// The size and modification time of `path`, as the cache keys it.
fn stamp(path: &Path) -> std::io::Result<(u64, u128, u64)> {
    let meta = std::fs::metadata(path)?;
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok((meta.len(), modified_ns, identity(&meta)))
}

/// What else tells a rewritten file apart where the system has it: the inode, the device and the
/// status-change time, which tools that keep the modification time (`exiftool -P`, `cp -p`,
/// `rsync -a`, unzip) cannot keep.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> u64 {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (meta.ino(), meta.dev(), meta.ctime(), meta.ctime_nsec()).hash(&mut hasher);
    hasher.finish()
}

/// What else tells a rewritten file apart (nothing portable here).
#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> u64 {
    0
}

impl HeaderCache {
    /// The cache of the bundle folder `root` under `cache_dir` (`None`: no cache, every header is
    /// read). An unreadable cache file is ignored: it only costs the reading it would have saved.
    pub fn open(cache_dir: Option<&Path>, root: &Path) -> HeaderCache {
        let file = cache_dir.map(|dir| {
            let key = super::sha256_hex(root.to_string_lossy().as_bytes());
            dir.join("image-headers")
                .join(format!("{}.json", key.get(..16).unwrap_or(&key)))
        });
        let known = file
            .as_deref()
            .and_then(|file| std::fs::read(file).ok())
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|cache| cache.format == CACHE_FORMAT)
            .map(|cache| cache.images)
            .unwrap_or_default();
        HeaderCache {
            file,
            root: root.to_owned(),
            known,
            seen: std::sync::Mutex::default(),
            read: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Checks the header of the image at `path` (inside the bundle folder) against `max_pixels`,
    /// from the cache when the file is unchanged.
    pub fn check(&self, path: &Path, max_pixels: u64) -> Result<Header, ImageProblem> {
        let (bytes, modified_ns, identity) = stamp(path).map_err(ImageProblem::Unreadable)?;
        let key = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let cached = self
            .known
            .get(&key)
            .filter(|e| e.bytes == bytes && e.modified_ns == modified_ns && e.identity == identity)
            .copied();
        let entry = match cached {
            Some(entry) => entry,
            None => {
                self.read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let info = check_image(path, u64::MAX)?;
                Entry {
                    bytes,
                    modified_ns,
                    identity,
                    width: info.width,
                    height: info.height,
                }
            }
        };
        // A poisoned lock only means another check panicked; the map is still whole.
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, entry);
        if u64::from(entry.width) * u64::from(entry.height) > max_pixels {
            return Err(ImageProblem::TooLarge {
                width: entry.width,
                height: entry.height,
                max_pixels,
            });
        }
        Ok(Header {
            width: entry.width,
            height: entry.height,
            bytes,
        })
    }

    /// How many headers were read from their files so far (not answered by the cache).
    #[cfg(test)]
    pub fn headers_read(&self) -> usize {
        self.read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Writes what this run checked, when it differs from what was read. A failure is logged and
    /// costs nothing but the next run's reading.
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        let seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner()));
        // Nothing checked (a manifest that did not parse): the cache stays as it was.
        if seen.is_empty() || seen == self.known {
            return;
        }
        let cache = CacheFile {
            format: CACHE_FORMAT.to_owned(),
            images: seen,
        };
        // Written whole or not at all (a temporary file renamed); no fsync: a cache lost in a power
        // cut only costs reading the headers again.
        let written = (|| -> std::io::Result<()> {
            let dir = file.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".tmp-")
                .suffix(".part")
                .tempfile_in(dir)?;
            let mut out = std::io::BufWriter::new(tmp.as_file_mut());
            serde_json::to_writer(&mut out, &cache).map_err(std::io::Error::other)?;
            std::io::Write::flush(&mut out)?;
            drop(out);
            tmp.persist(file).map_err(|e| e.error)?;
            Ok(())
        })();
        if let Err(e) = written {
            log::warn!("image header cache not saved: {}: {e}", file.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bundle::image_check::tests::png_header;

    /// A bundle folder holding one `width`×`height` PNG, and where its cache goes.
    fn bundle_with_one_png(
        width: u32,
        height: u32,
    ) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (root, cache) = (dir.path().join("bundle"), dir.path().join("cache"));
        std::fs::create_dir_all(&root).unwrap();
        let image = root.join("a.png");
        std::fs::write(&image, png_header(width, height)).unwrap();
        (dir, root, cache, image)
    }

    fn cache_file(cache: &Path) -> PathBuf {
        let dir = cache.join("image-headers");
        std::fs::read_dir(&dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
    }

    #[test]
    fn a_cached_header_is_used_while_the_file_is_unchanged() {
        let (_dir, root, cache, image) = bundle_with_one_png(30, 20);
        let headers = HeaderCache::open(Some(&cache), &root);
        assert_eq!(headers.check(&image, 1000).unwrap().width, 30);
        assert_eq!(headers.headers_read(), 1);
        headers.save();
        let written = std::fs::metadata(cache_file(&cache))
            .unwrap()
            .modified()
            .unwrap();

        let headers = HeaderCache::open(Some(&cache), &root);
        let header = headers.check(&image, 1000).unwrap();
        assert_eq!((header.width, header.height), (30, 20));
        assert_eq!(headers.headers_read(), 0, "answered by the cache");
        // The pixel limit is applied again to what the cache knows.
        assert!(matches!(
            headers.check(&image, 100),
            Err(ImageProblem::TooLarge { width: 30, .. })
        ));
        headers.save();
        let unchanged = std::fs::metadata(cache_file(&cache))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(
            written, unchanged,
            "nothing new: the cache file is not rewritten"
        );
    }

    #[test]
    fn a_file_rewritten_with_its_size_and_time_kept_is_read_again() {
        // What `exiftool -P` or `cp -p` of another image does: same length, same modification time.
        let (_dir, root, cache, image) = bundle_with_one_png(30, 20);
        let headers = HeaderCache::open(Some(&cache), &root);
        headers.check(&image, 1000).unwrap();
        headers.save();
        let modified = std::fs::metadata(&image).unwrap().modified().unwrap();
        std::fs::write(&image, png_header(20, 30)).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&image)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let headers = HeaderCache::open(Some(&cache), &root);
        let header = headers.check(&image, 1000).unwrap();
        #[cfg(unix)]
        assert_eq!((header.width, header.height), (20, 30));
        #[cfg(not(unix))]
        let _ = header;
    }

    #[test]
    fn an_image_rewritten_in_place_is_read_again() {
        let (_dir, root, cache, image) = bundle_with_one_png(3, 2);
        let headers = HeaderCache::open(Some(&cache), &root);
        assert_eq!(headers.check(&image, 1000).unwrap().width, 3);
        headers.save();
        let mut bigger = png_header(50, 40);
        bigger.extend_from_slice(&[0; 100]);
        std::fs::write(&image, &bigger).unwrap();
        let headers = HeaderCache::open(Some(&cache), &root);
        let header = headers.check(&image, 10_000).unwrap();
        assert_eq!(
            (header.width, header.height, header.bytes),
            (50, 40, bigger.len() as u64)
        );
    }

    #[test]
    fn an_unreadable_cache_file_only_costs_the_reading() {
        let (_dir, root, cache, image) = bundle_with_one_png(3, 2);
        let headers = HeaderCache::open(Some(&cache), &root);
        headers.check(&image, 1000).unwrap();
        headers.save();
        std::fs::write(cache_file(&cache), b"{not json").unwrap();
        let headers = HeaderCache::open(Some(&cache), &root);
        assert_eq!(headers.check(&image, 1000).unwrap().height, 2);
        headers.save();
        let again: serde_json::Value =
            serde_json::from_slice(&std::fs::read(cache_file(&cache)).unwrap()).unwrap();
        assert_eq!(again["format"], CACHE_FORMAT);
    }
}
