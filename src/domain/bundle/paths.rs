//! Paths written in a manifest (images, the instructions file) are relative to the bundle and must stay
//! inside it, even through symlinks: a bundle is handed out by strangers, and opening one must never read
//! the worker's other files.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a path written in a manifest cannot be used.
#[derive(Debug)]
pub enum PathProblem {
    /// The path is an empty string.
    Empty,
    /// The path is longer than any file system takes ([`MAX_PATH_BYTES`]).
    TooLong(usize),
    /// The path uses `\`; bundles are shared between systems, so only `/` separates folders.
    Backslash,
    /// The path is absolute (`/x`, `C:\x`, `C:/x`).
    Absolute,
    /// The path has a `..` component.
    ParentDir,
    /// Nothing exists at the path.
    Missing,
    /// The path names a folder or another non-file.
    NotAFile,
    /// The path resolves, through a symlink, to somewhere outside the bundle.
    Outside(PathBuf),
    /// The file system refused (permissions, a loop of links...).
    Unreadable(io::Error),
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::Empty => f.write_str("is empty"),
            PathProblem::TooLong(len) => write!(
                f,
                "is {len} bytes long; a path may have at most {MAX_PATH_BYTES}"
            ),
            PathProblem::Backslash => f.write_str("uses `\\`; separate folders with `/`"),
            PathProblem::Absolute => {
                f.write_str("is absolute; write it relative to the bundle folder")
            }
            PathProblem::ParentDir => {
                f.write_str("uses `..` to leave the bundle folder; files must be inside it")
            }
            PathProblem::Missing => f.write_str("does not exist"),
            PathProblem::NotAFile => f.write_str("is not a file"),
            PathProblem::Outside(target) => write!(
                f,
                "is a link to a file outside the bundle folder, which is not allowed: {}",
                target.display()
            ),
            PathProblem::Unreadable(e) => write!(f, "cannot be read ({e})"),
        }
    }
}

/// The longest path a manifest may name, in bytes: Linux's `PATH_MAX`. Longer is no real file, and
/// resolving a hostile megabyte-long one part by part would take seconds.
pub const MAX_PATH_BYTES: usize = 4096;

/// The components of a relative `/`-separated path, without empty and `.` components.
pub fn relative_components(rel: &str) -> Result<Vec<&str>, PathProblem> {
    if rel.is_empty() {
        return Err(PathProblem::Empty);
    }
    if rel.len() > MAX_PATH_BYTES {
        return Err(PathProblem::TooLong(rel.len()));
    }
    let mut chars = rel.chars();
    let drive_letter =
        matches!((chars.next(), chars.next()), (Some(c), Some(':')) if c.is_ascii_alphabetic());
    if rel.starts_with('/') || drive_letter {
        return Err(PathProblem::Absolute);
    }
    if rel.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    let parts: Vec<&str> = rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(PathProblem::ParentDir);
    }
    if parts.is_empty() {
        return Err(PathProblem::NotAFile);
    }
    Ok(parts)
}

/// The canonical path of the file `rel` inside `root` (which must be canonical), refusing anything that
/// leaves `root` by name or by link.
pub fn resolve_inside(root: &Path, rel: &str) -> Result<PathBuf, PathProblem> {
    let parts = relative_components(rel)?;
    let mut joined = root.to_path_buf();
    for part in &parts {
        joined.push(part);
    }
    let canonical = match joined.canonicalize() {
        Ok(path) => path,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(PathProblem::Missing),
        Err(e) => return Err(PathProblem::Unreadable(e)),
    };
    if !canonical.starts_with(root) {
        return Err(PathProblem::Outside(canonical));
    }
    match canonical.metadata() {
        Ok(meta) if meta.is_file() => Ok(canonical),
        Ok(_) => Err(PathProblem::NotAFile),
        Err(e) => Err(PathProblem::Unreadable(e)),
    }
}

/// Resolves many paths inside one root as [`resolve_inside`] does, canonicalizing each folder once: a
/// bundle of 100,000 images in a few folders then costs one `lstat` per image instead of a walk of
/// every component. Anything unusual (a link, a missing file) is resolved the careful way.
pub struct Resolver<'a> {
    root: &'a Path,
    /// Each folder met, joined under the root, and its canonical form (`None`: it could not be had).
    folders: crate::domain::canonical::CanonicalFolders,
}

impl<'a> Resolver<'a> {
    /// A resolver for files inside `root` (canonical).
    pub fn new(root: &'a Path) -> Self {
        Resolver {
            root,
            folders: crate::domain::canonical::CanonicalFolders::default(),
        }
    }

    /// The canonical path of the file `rel` inside the root; the same answer as [`resolve_inside`].
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, PathProblem> {
        // Elsewhere the canonical form also fixes a name's letter case (macOS, Windows) and Windows
        // names reserved or ending in a dot: only the careful way gives the same answer there.
        if !cfg!(target_os = "linux") {
            return resolve_inside(self.root, rel);
        }
        let parts = relative_components(rel)?;
        let Some((name, folders)) = parts.split_last() else {
            return resolve_inside(self.root, rel);
        };
        let mut folder = self.root.to_path_buf();
        folder.extend(folders);
        let canonical = self.folders.of(&folder);
        match canonical {
            Some(folder) if folder.starts_with(self.root) => {
                let file = folder.join(name);
                match std::fs::symlink_metadata(&file) {
                    Ok(meta) if meta.is_file() => Ok(file),
                    // A link (to be followed and checked), or not a plain file: the careful way says.
                    _ => resolve_inside(self.root, rel),
                }
            }
            _ => resolve_inside(self.root, rel),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn relative_paths_are_split() {
        assert_eq!(
            relative_components("a/./b//c.jpg").unwrap(),
            ["a", "b", "c.jpg"]
        );
        assert!(matches!(relative_components(""), Err(PathProblem::Empty)));
        assert!(matches!(
            relative_components("/etc/x"),
            Err(PathProblem::Absolute)
        ));
        assert!(matches!(
            relative_components("C:/x"),
            Err(PathProblem::Absolute)
        ));
        assert!(matches!(
            relative_components("c:x"),
            Err(PathProblem::Absolute)
        ));
        assert!(matches!(
            relative_components("a\\b"),
            Err(PathProblem::Backslash)
        ));
        assert!(matches!(
            relative_components("../x"),
            Err(PathProblem::ParentDir)
        ));
        assert!(matches!(
            relative_components("a/../../x"),
            Err(PathProblem::ParentDir)
        ));
        assert!(matches!(
            relative_components("./"),
            Err(PathProblem::NotAFile)
        ));
    }

    #[test]
    fn a_megabyte_long_path_is_refused_at_once() {
        // Found by the fuzz test: 177,000 `</a>` in an image path took 26 s to resolve part by part.
        let rel = format!("images/{}", "<a></a>".repeat(177_000));
        let problem = relative_components(&rel).unwrap_err();
        assert!(matches!(problem, PathProblem::TooLong(_)), "{problem:?}");
        assert!(problem.to_string().contains("4096"), "{problem}");
        assert!(relative_components(&"a/".repeat(2000)).is_ok());
    }

    #[test]
    fn resolves_files_inside_only() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir(root.join("img")).unwrap();
        fs::write(root.join("img/a.png"), b"x").unwrap();
        fs::write(outside.path().join("secret.png"), b"x").unwrap();
        assert_eq!(
            resolve_inside(&root, "img/a.png").unwrap(),
            root.join("img/a.png")
        );
        assert!(matches!(
            resolve_inside(&root, "img/b.png"),
            Err(PathProblem::Missing)
        ));
        assert!(matches!(
            resolve_inside(&root, "img"),
            Err(PathProblem::NotAFile)
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                outside.path().join("secret.png"),
                root.join("img/link.png"),
            )
            .unwrap();
            std::os::unix::fs::symlink(root.join("img/a.png"), root.join("img/inner.png")).unwrap();
            assert!(matches!(
                resolve_inside(&root, "img/link.png"),
                Err(PathProblem::Outside(_))
            ));
            assert!(resolve_inside(&root, "img/inner.png").is_ok());
        }
    }

    #[test]
    // On Linux, where the resolver takes its short way (elsewhere it is `resolve_inside` itself).
    fn the_resolver_answers_as_resolve_inside_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        fs::create_dir_all(root.join("images/sub")).unwrap();
        fs::write(root.join("images/a.png"), b"a").unwrap();
        fs::write(root.join("images/sub/b.png"), b"b").unwrap();
        fs::write(dir.path().join("outside.png"), b"o").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("outside.png"), root.join("images/out.png"))
                .unwrap();
            std::os::unix::fs::symlink(root.join("images/a.png"), root.join("images/in.png"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
        }
        let root = root.canonicalize().unwrap();
        let resolver = Resolver::new(&root);
        for rel in [
            "images/a.png",
            "images/./sub//b.png",
            "images/missing.png",
            "images/sub",
            "images/out.png",
            "images/in.png",
            "up/outside.png",
            "nope/a.png",
            "../x.png",
            "/etc/passwd",
        ] {
            for _ in 0..2 {
                let careful = format!("{:?}", resolve_inside(&root, rel));
                assert_eq!(format!("{:?}", resolver.resolve(rel)), careful, "{rel}");
            }
        }
    }
}
