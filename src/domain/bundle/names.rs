//! How files of a bundle are named in problems: as the user can find them, not as the cache holds them.

use std::path::PathBuf;

/// Names files of a bundle for problems.
#[derive(Clone, Debug)]
pub enum FileNames {
    /// A folder, named by the path the user gave: `<folder>/<file>`.
    Folder(PathBuf),
    /// A zip, named by the path the user gave and the entry: `<zip>!/<prefix><file>`, where `prefix` is
    /// the top-level folder holding the bundle inside the zip (with its `/`), or empty.
    Zip {
        /// The zip as the user gave it.
        zip: PathBuf,
        /// The top-level folder inside the zip, with a trailing `/`, or empty.
        prefix: String,
    },
}

impl FileNames {
    /// The name of `rel`, a `/`-separated path inside the bundle.
    pub fn file(&self, rel: &str) -> String {
        match self {
            FileNames::Folder(folder) => folder.join(rel).display().to_string(),
            FileNames::Zip { zip, prefix } => format!("{}!/{prefix}{rel}", zip.display()),
        }
    }

    /// The name of the bundle itself.
    pub fn bundle(&self) -> String {
        match self {
            FileNames::Folder(folder) => folder.display().to_string(),
            FileNames::Zip { zip, .. } => zip.display().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_folder_and_zip_files() {
        let folder = FileNames::Folder(PathBuf::from("tasks/sky"));
        assert_eq!(
            folder.file("bundle.json"),
            format!("tasks/sky{}bundle.json", std::path::MAIN_SEPARATOR)
        );
        let zip = FileNames::Zip {
            zip: PathBuf::from("sky.zip"),
            prefix: "sky/".into(),
        };
        assert_eq!(zip.file("images/a.png"), "sky.zip!/sky/images/a.png");
        assert_eq!(zip.bundle(), "sky.zip");
    }
}
