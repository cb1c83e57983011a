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
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `relative` (a `/`-separated path from a label file) resolved against `dir`, refusing nothing:
/// label files in the wild point outside their folder on purpose.
pub(crate) fn resolve(dir: &Path, relative: &str) -> PathBuf {
    let relative = relative.replace('\\', "/");
    let joined = dir.join(&relative);
    std::path::absolute(&joined).unwrap_or(joined)
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
    }
}
