//! What an exporter produces: files as relative paths and bytes, or images to copy. Writing them to
//! disk is the export use case's job (`domain::work::export`), not a codec's.

use std::path::PathBuf;

/// What a file of an export holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileContent {
    /// These bytes.
    Bytes(Vec<u8>),
    /// A copy of this file (an image).
    CopyOf(PathBuf),
}

/// One file of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportFile {
    /// Where it goes, relative to the export folder, `/`-separated.
    pub path: String,
    /// What it holds.
    pub content: FileContent,
}

impl ExportFile {
    /// A file holding `bytes`.
    pub fn bytes(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        ExportFile {
            path: path.into(),
            content: FileContent::Bytes(bytes),
        }
    }

    /// A copy of `source`.
    pub fn copy(path: impl Into<String>, source: PathBuf) -> Self {
        ExportFile {
            path: path.into(),
            content: FileContent::CopyOf(source),
        }
    }

    /// The bytes of a [`FileContent::Bytes`] file.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.content {
            FileContent::Bytes(bytes) => Some(bytes),
            FileContent::CopyOf(_) => None,
        }
    }
}
