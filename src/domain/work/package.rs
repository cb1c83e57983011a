//! Reading a worker's submission package back, as the requester does: every entry is checked against
//! the SHA-256 its `submission.json` lists (a package changed after `clickwork submit` wrote it is
//! refused, naming the entry), and only what scoring and merging need is kept in memory: the
//! summary, the annotation files and the raw work log (the COCO copy and the per-task CSV of a big
//! bundle are hundreds of megabytes nobody needs here).

use super::submission::SUBMISSION_FORMAT;
use crate::domain::bundle::{MAX_ENTRIES, MAX_UNPACKED_BYTES};
use crate::domain::store::AnnotationFile;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The package entry holding the raw work log.
pub const JOURNAL_ENTRY: &str = "worklog/worklog.jsonl";

/// A submission package whose entries matched its summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    /// The zip it was read from.
    pub path: PathBuf,
    /// The bundle the work was done on (the requester's, or a worker bundle cut from it).
    pub bundle_id: String,
    /// SHA-256 of that bundle's manifest, as the worker's copy had it.
    pub manifest_sha256: String,
    /// SHA-256 of the package's `submission.json`: the same package given twice has the same one.
    pub summary_sha256: String,
    /// The annotation files, by task id.
    pub annotations: HashMap<String, AnnotationFile>,
    /// The raw work log, when the worker's data folder had one.
    pub journal: Option<Vec<u8>>,
}

/// Why a package cannot be used; names the zip.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct PackageError {
    /// The zip.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the package at `zip`, checking every entry against the summary's hashes.
pub fn read_package(zip: &Path) -> Result<Package, PackageError> {
    crate::domain::io_guard::assert_off_ui_thread(zip);
    let fail = |message: String| PackageError {
        path: zip.to_owned(),
        message,
    };
    let file = std::fs::File::open(zip).map_err(|e| fail(format!("cannot be read ({e})")))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| fail(format!("is not a zip file ({e})")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(fail(format!(
            "has {} entries, more than the {MAX_ENTRIES} a package may have",
            archive.len()
        )));
    }
    // Every entry is hashed as it is read; only the summary and the annotation files are kept (the
    // COCO file and the work log of a big bundle are hundreds of megabytes nobody needs here).
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    let mut kept: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| fail(format!("entry {i} cannot be read ({e})")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned());
        let keep =
            name == "submission.json" || name == JOURNAL_ENTRY || name.starts_with("annotations/");
        let mut hash = Sha256::new();
        let mut bytes = Vec::new();
        let mut buffer = vec![0u8; 64 << 10];
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|e| fail(format!("{name} cannot be read ({e})")))?;
            if n == 0 {
                break;
            }
            let chunk = buffer.get(..n).unwrap_or_default();
            // A size the header states is not trusted: the bytes read are counted.
            total = total.saturating_add(n as u64);
            if total > MAX_UNPACKED_BYTES {
                return Err(fail(format!(
                    "unpacks to more than {MAX_UNPACKED_BYTES} bytes"
                )));
            }
            hash.update(chunk);
            if keep {
                bytes.extend_from_slice(chunk);
            }
        }
        let digest = hex(&hash.finalize());
        if keep {
            kept.insert(name.clone(), bytes);
        }
        hashes.insert(name, digest);
    }
    hashes.remove("submission.json");
    let summary_bytes = kept.remove("submission.json").ok_or_else(|| {
        fail("has no submission.json: it is not a clickwork submission".to_owned())
    })?;
    #[derive(serde::Deserialize)]
    struct Summary {
        format: String,
        bundle_id: String,
        manifest_sha256: String,
        entries_sha256: BTreeMap<String, String>,
    }
    let summary_sha256 = hex(&Sha256::digest(&summary_bytes));
    let summary: Summary = serde_json::from_slice(&summary_bytes)
        .map_err(|e| fail(format!("submission.json is not a submission summary ({e})")))?;
    if summary.format != SUBMISSION_FORMAT {
        return Err(fail(format!(
            "submission.json has format {:?}, not {SUBMISSION_FORMAT:?}",
            summary.format
        )));
    }
    for (name, actual) in &hashes {
        match summary.entries_sha256.get(name) {
            Some(expected) if expected == actual => {}
            Some(_) => {
                return Err(fail(format!(
                    "{name} is not what was packed (its SHA-256 differs from submission.json's): \
                     the package was changed after it was made"
                )));
            }
            None => {
                return Err(fail(format!(
                    "{name} is not listed in submission.json: the package was changed after it \
                     was made"
                )));
            }
        }
    }
    if let Some(missing) = summary
        .entries_sha256
        .keys()
        .find(|name| !hashes.contains_key(*name))
    {
        return Err(fail(format!(
            "{missing} is listed in submission.json but missing from the zip"
        )));
    }
    let journal = kept.remove(JOURNAL_ENTRY);
    let mut annotations = HashMap::new();
    for (name, bytes) in &kept {
        let Some(task) = name
            .strip_prefix("annotations/")
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let file: AnnotationFile = serde_json::from_slice(bytes)
            .map_err(|e| fail(format!("{name} is not an annotation file ({e})")))?;
        annotations.insert(task.to_owned(), file);
    }
    Ok(Package {
        path: zip.to_owned(),
        bundle_id: summary.bundle_id,
        manifest_sha256: summary.manifest_sha256,
        summary_sha256,
        annotations,
        journal,
    })
}
