//! Relative paths between folders, for label files that point at images elsewhere.

use std::path::{Component, Path, PathBuf};

/// The path that leads from folder `from` to `to`, both absolute (`../images/a.jpg`). When they share
/// no root (two Windows drives), `to` itself.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to_parts: Vec<Component<'_>> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.to_owned();
    }
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in to_parts.iter().skip(common) {
        path.push(part.as_os_str());
    }
    path
}

/// `path` written with `/` between its parts, as label files store paths on every platform.
pub(crate) fn slash_path(path: &Path) -> String {
    let mut out = String::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => out.push_str(&prefix.as_os_str().to_string_lossy()),
            Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// Image file extensions importers look for, lowercase.
pub(crate) const IMAGE_EXTENSIONS: [&str; 9] = [
    "jpg", "jpeg", "png", "bmp", "webp", "gif", "tif", "tiff", "jfif",
];

/// True when `path` has an image file extension.
pub(crate) fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The files under a dataset's folder.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// Every file, sorted, links to files inside the folder included.
    pub(crate) files: Vec<PathBuf>,
    /// Links that lead outside the folder (or nowhere), which are not followed.
    pub(crate) outside: Vec<PathBuf>,
}

impl Walk {
    /// Notes each link that was not followed in `report`.
    pub(crate) fn note_outside(&self, report: &mut super::ImportReport) {
        for link in &self.outside {
            let target = std::fs::read_link(link).unwrap_or_default();
            report.note(
                super::NoteKind::Dropped,
                link,
                format!(
                    "a link to {}, outside the dataset's folder; not read",
                    target.display()
                ),
            );
        }
    }
}

/// Every file under `root`, recursively, sorted, skipping hidden files and folders (a crash's
/// `.tmp-*` leftovers, `.git`). Links are followed only where they lead inside `root`, each folder once.
pub(crate) fn walk_files(root: &Path) -> std::io::Result<Walk> {
    let canonical_root = root.canonicalize()?;
    let mut walk = Walk::default();
    let mut seen = std::collections::HashSet::from([canonical_root.clone()]);
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                match path.canonicalize() {
                    Ok(target) if target.starts_with(&canonical_root) => {
                        if target.is_dir() {
                            if seen.insert(target) {
                                pending.push(path);
                            }
                        } else {
                            walk.files.push(path);
                        }
                    }
                    _ => walk.outside.push(path),
                }
            } else if kind.is_dir() {
                pending.push(path);
            } else {
                walk.files.push(path);
            }
        }
    }
    walk.files.sort();
    walk.outside.sort();
    Ok(walk)
}

/// The image beside `stem_path` (same path, any image extension), when there is one.
pub(crate) fn image_with_stem(stem_path: &Path) -> Option<PathBuf> {
    IMAGE_EXTENSIONS
        .iter()
        .flat_map(|ext| [ext.to_string(), ext.to_ascii_uppercase()])
        .map(|ext| {
            // Appended, not `with_extension`: a stem may hold dots of its own (`img.2024.01`).
            let mut name = stem_path.as_os_str().to_owned();
            name.push(".");
            name.push(ext);
            PathBuf::from(name)
        })
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_then_descend() {
        assert_eq!(
            relative_path(Path::new("/a/b/out"), Path::new("/a/c/images/x.jpg")),
            PathBuf::from("../../c/images/x.jpg")
        );
        assert_eq!(
            relative_path(Path::new("/a/out"), Path::new("/a/out/x.jpg")),
            PathBuf::from("x.jpg")
        );
        assert_eq!(slash_path(Path::new("../a/b.jpg")), "../a/b.jpg");
        assert_eq!(slash_path(Path::new("/data/out")), "/data/out");
    }
}
