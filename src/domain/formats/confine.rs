//! Label files are handed around by strangers, and the paths inside them (LabelMe's `imagePath`, COCO's
//! and CVAT's `file_name`, VIA's `filename`, VOC's `<filename>`) are theirs to write. A conversion follows
//! such a path only while it stays inside the dataset's folder, by name and through links: an absolute
//! path, a Windows drive or share, a `..` that climbs out, or a link to a file elsewhere is reported and
//! not followed, so converting (and `--copy-images`) never reads the worker's other files, and the
//! names an export writes never climb out of its folder.

use super::paths::slash_path;
use super::{ImportReport, NoteKind};
use crate::domain::canonical::CanonicalFolders;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The folder a dataset's files belong to.
#[derive(Clone, Debug)]
pub(crate) struct Root {
    /// Absolute, with `.` and `..` resolved by name.
    dir: PathBuf,
    /// Through links; `None` when the folder cannot be resolved (then nothing in it is followed).
    canonical: Option<PathBuf>,
    /// Each folder a file was checked in, and its canonical form: shared by clones and threads, so
    /// 10,000 label files in one folder cost one `lstat` each, not a walk of every component.
    folders: Arc<CanonicalFolders>,
}

impl Root {
    /// The folder `dir` itself.
    pub(crate) fn new(dir: &Path) -> Self {
        let dir = normalize(&absolute(dir));
        Root {
            canonical: dir.canonicalize().ok(),
            dir,
            folders: Arc::default(),
        }
    }

    /// The dataset a single label file belongs to: its folder, or that folder's parent when it is
    /// named `annotations` (COCO's and datumaro's layout, with the images in `../images/`).
    pub(crate) fn of_file(file: &Path) -> Self {
        let dir = normalize(&absolute(file));
        let dir = dir.parent().unwrap_or(&dir).to_owned();
        let named_annotations = dir
            .file_name()
            .is_some_and(|n| n.eq_ignore_ascii_case("annotations"));
        match dir.parent() {
            Some(parent) if named_annotations => Root::new(parent),
            _ => Root::new(&dir),
        }
    }

    /// The folder, absolute.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The first of `candidates` that is a file inside the folder, by name and through links, as an
    /// absolute path. A candidate that exists but leads outside (a link, `..`) is noted in `report`
    /// against `file` and skipped.
    pub(crate) fn find(
        &self,
        candidates: impl IntoIterator<Item = PathBuf>,
        report: &mut ImportReport,
        file: &Path,
    ) -> Option<PathBuf> {
        for candidate in candidates {
            let path = normalize(&absolute(&candidate));
            if !path.is_file() {
                continue;
            }
            match self.inside(&path) {
                Ok(()) => return Some(path),
                Err(target) => report.note(
                    NoteKind::Dropped,
                    file,
                    format!(
                        "{} leads outside {} (to {}); not read",
                        path.display(),
                        self.dir.display(),
                        target.display()
                    ),
                ),
            }
        }
        None
    }

    /// True when `path` is a file inside the folder, by name and through links (a side file such as
    /// `labels.txt`, which a link must not bring in from elsewhere).
    pub(crate) fn holds_file(&self, path: &Path) -> bool {
        path.is_file() && self.inside(path).is_ok()
    }

    /// True when `path` is a folder inside the folder, by name and through links.
    pub(crate) fn holds_dir(&self, path: &Path) -> bool {
        path.is_dir() && self.inside(path).is_ok()
    }

    /// `Ok` when the existing `path` resolves (through links) inside the folder; else where it leads.
    pub(crate) fn inside(&self, path: &Path) -> Result<(), PathBuf> {
        let lexical = normalize(&absolute(path));
        // Through links as the system walks `path` itself (a `..` after a link climbs from where the
        // link leads), not its normalized name.
        let real = self
            .real_path(&absolute(path))
            .unwrap_or_else(|| lexical.clone());
        match &self.canonical {
            Some(root) if lexical.starts_with(&self.dir) && real.starts_with(root) => Ok(()),
            _ => Err(real),
        }
    }

    /// Where the absolute `path` leads through links, as `canonicalize` says. On Linux a
    /// plain file (not a link) is its folder's canonical form (remembered) joined with its name; other
    /// systems also fix letter case and reserved names there, so they always ask the system.
    fn real_path(&self, path: &Path) -> Option<PathBuf> {
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return path.canonicalize().ok();
        };
        let plain_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
        if !cfg!(target_os = "linux") || !plain_file {
            return path.canonicalize().ok();
        }
        let canonical = self.folders.of(folder);
        match canonical {
            Some(folder) => Some(folder.join(name)),
            None => path.canonicalize().ok(),
        }
    }

    /// `name`, read from a label file in folder `base` and relative to it (it may climb with `..`), as a
    /// path, when it stays inside the folder by name; `None` for one that leads outside, is absolute
    /// elsewhere or names a Windows drive or share.
    pub(crate) fn follow(&self, base: &Path, name: &str) -> Option<PathBuf> {
        let name = name.replace('\\', "/");
        if is_drive(&name) || name.starts_with("//") || name.contains('\0') {
            return None;
        }
        let path = normalize(&absolute(&base.join(&name)));
        path.starts_with(&self.dir).then_some(path)
    }

    /// The `/`-separated name of `path` (inside the folder) relative to it.
    pub(crate) fn name_of(&self, path: &Path) -> Option<String> {
        let path = normalize(&absolute(path));
        path.strip_prefix(&self.dir).ok().map(slash_path)
    }
}

/// A name read from a label file, fit to keep in a dataset and to write below an export folder:
/// `/`-separated, relative, never climbing. A name that is absolute, names a Windows drive or share, or
/// climbs out with `..` keeps only its last part, and a note says so; `None` when not even that is a
/// usable name (the image is then left out).
pub(crate) fn confined_name(name: &str, report: &mut ImportReport, file: &Path) -> Option<String> {
    if let Some(safe) = safe_relative(name) {
        return Some(safe);
    }
    let last = name
        .rsplit(['/', '\\'])
        .next()
        .filter(|last| !last.is_empty() && *last != "." && *last != "..")
        .filter(|last| !is_drive(last));
    match last {
        Some(last) => {
            report.note(
                NoteKind::Guessed,
                file,
                format!(
                    "image name {name:?} points outside the dataset folder; not followed, looked for as {last:?}"
                ),
            );
            Some(last.to_owned())
        }
        None => {
            report.note(
                NoteKind::Dropped,
                file,
                format!("image name {name:?} is not a file name inside the dataset; left out"),
            );
            None
        }
    }
}

/// `name` as a relative `/`-separated path that stays below its folder, or `None`. `\` separates too
/// (label files made on Windows); `.` parts and doubled separators are dropped.
pub(crate) fn safe_relative(name: &str) -> Option<String> {
    let name = name.replace('\\', "/");
    if name.starts_with('/') || is_drive(&name) || name.contains('\0') {
        return None;
    }
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
}

/// `C:`, `C:\x`, `C:/x`: a Windows drive, absolute on the system that wrote it.
fn is_drive(name: &str) -> bool {
    let mut chars = name.chars();
    matches!((chars.next(), chars.next()), (Some(c), Some(':')) if c.is_ascii_alphabetic())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// `path` with `.` and `..` resolved by name (a `..` at the root stays at the root).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `..` after a link climbs from where the link leads, as the system walks it: a file there is
    /// outside, though the path's normalized name lies inside.
    #[cfg(unix)]
    #[test]
    fn a_climb_after_a_link_is_judged_where_the_system_goes() {
        #![allow(clippy::unwrap_used)]
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dataset");
        let outside = dir.path().join("elsewhere");
        std::fs::create_dir_all(root.join("in")).unwrap();
        std::fs::create_dir_all(outside.join("deep")).unwrap();
        std::fs::write(outside.join("secret.json"), "{}").unwrap();
        std::os::unix::fs::symlink(outside.join("deep"), root.join("in/link")).unwrap();
        std::fs::write(root.join("in/plain.json"), "{}").unwrap();
        let dataset = Root::new(&root);
        assert!(dataset.inside(&root.join("in/plain.json")).is_ok());
        let climbed = root.join("in/link/../secret.json");
        assert!(climbed.is_file());
        assert_eq!(
            dataset.inside(&climbed),
            Err(outside.canonicalize().unwrap().join("secret.json"))
        );
    }

    #[test]
    fn names_that_climb_are_absolute_or_name_a_drive_are_not_safe() {
        assert_eq!(
            safe_relative("images/a.jpg").as_deref(),
            Some("images/a.jpg")
        );
        assert_eq!(
            safe_relative("images\\a.jpg").as_deref(),
            Some("images/a.jpg")
        );
        assert_eq!(
            safe_relative("./images//a.jpg").as_deref(),
            Some("images/a.jpg")
        );
        for bad in [
            "../a.jpg",
            "images/../../a.jpg",
            "/etc/passwd",
            "\\\\server\\share\\a.jpg",
            "C:\\data\\a.jpg",
            "c:a.jpg",
            "",
            ".",
            "a\0b",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_unsafe_name_keeps_its_last_part_and_says_so() {
        let mut report = ImportReport::default();
        let file = Path::new("x.json");
        assert_eq!(
            confined_name("/home/me/.ssh/id_rsa", &mut report, file).as_deref(),
            Some("id_rsa")
        );
        assert_eq!(
            confined_name("C:\\data\\a.jpg", &mut report, file).as_deref(),
            Some("a.jpg")
        );
        assert_eq!(confined_name("../..", &mut report, file), None);
        assert_eq!(confined_name("C:", &mut report, file), None);
        assert_eq!(report.count(NoteKind::Guessed), 2);
        assert_eq!(report.count(NoteKind::Dropped), 2);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_found_inside_the_root_only_by_name_and_by_link() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.jpg");
        std::fs::write(&secret, b"not yours").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root_dir = dir.path().join("ds");
        std::fs::create_dir_all(root_dir.join("images")).unwrap();
        std::fs::write(root_dir.join("images/a.jpg"), b"x").unwrap();
        std::os::unix::fs::symlink(&secret, root_dir.join("images/link.jpg")).unwrap();
        std::fs::write(dir.path().join("beside.jpg"), b"x").unwrap();
        let root = Root::new(&root_dir);
        let mut report = ImportReport::default();
        let file = root_dir.join("x.json");
        let found = root.find(
            [root_dir.join("images/../images/a.jpg")],
            &mut report,
            &file,
        );
        assert_eq!(found, Some(root_dir.join("images/a.jpg")));
        assert_eq!(
            root.find([root_dir.join("images/link.jpg")], &mut report, &file),
            None
        );
        assert_eq!(
            root.find([root_dir.join("../beside.jpg")], &mut report, &file),
            None
        );
        assert_eq!(report.count(NoteKind::Dropped), 2, "{:?}", report.notes);
        assert_eq!(
            root.name_of(&root_dir.join("images/a.jpg")).as_deref(),
            Some("images/a.jpg")
        );
    }

    #[test]
    fn a_file_in_annotations_belongs_to_the_folder_above() {
        let root = Root::of_file(Path::new("/data/ds/annotations/instances_default.json"));
        assert_eq!(root.dir(), Path::new("/data/ds"));
        let root = Root::of_file(Path::new("/data/ds/labels.json"));
        assert_eq!(root.dir(), Path::new("/data/ds"));
        let base = Path::new("/data/ds/json");
        assert_eq!(
            root.follow(base, "../images/a.jpg"),
            Some(PathBuf::from("/data/ds/images/a.jpg"))
        );
        assert_eq!(root.follow(base, "../../other/a.jpg"), None);
        assert_eq!(root.follow(base, "/etc/passwd"), None);
        assert_eq!(root.follow(base, "C:\\data\\a.jpg"), None);
        assert_eq!(root.follow(base, "\\\\server\\share\\a.jpg"), None);
        assert_eq!(
            root.follow(base, "/data/ds/images/a.jpg"),
            Some(PathBuf::from("/data/ds/images/a.jpg"))
        );
    }
}
