//! Making a bundle from a folder of images (`clickwork bundle new`): the folder is opened as the
//! window would open it (its images in natural order, ids from their file names, every header
//! checked), then written out as a bundle with a manifest: labels with colours and hotkeys, a reward,
//! a title, instructions, and prefilled regions from a LabelMe folder or a COCO file. What is written
//! is opened and validated before it takes its place, so a bundle that would not open is never
//! left behind, and nothing that exists is overwritten.

use super::making::{
    MakeError, io, link_or_copy, parent_of, problems, put_in_place, refuse_existing,
};
use crate::domain::bundle::{LoadOptions, MANIFEST_FILE, Reward, Task, id_problem, load_bundle};
use crate::domain::palette::color_for;
use crate::domain::safe_output::OutputRules;
use crate::domain::store::atomic_write_with;
use rayon::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to make.
#[derive(Clone, Debug, Default)]
pub struct NewBundle {
    /// The folder of images (its top level, as a folder bundle).
    pub images: PathBuf,
    /// Label names in order; empty takes the folder's `labels.txt`, else one label `object`.
    pub labels: Vec<String>,
    /// Shown to the worker; `None` takes the folder's name.
    pub title: Option<String>,
    /// The bundle's id; `None` derives one from the title and the images (the same images and
    /// title give the same id).
    pub id: Option<String>,
    /// What a task pays.
    pub reward: Option<Reward>,
    /// A Markdown file, copied in as `instructions.md`.
    pub instructions: Option<PathBuf>,
    /// Regions drawn in advance: a folder of LabelMe files (`<image stem>.json`) or a COCO file.
    pub prefill: Option<PathBuf>,
    /// Hard-link the images instead of copying them, where the disk allows (a bundle of 100,000
    /// photos then takes no second copy of them; editing a source image in place changes the
    /// bundle's too).
    pub link: bool,
}

/// What was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    /// The bundle's id.
    pub id: String,
    /// Tasks, one per image.
    pub tasks: usize,
    /// Tasks given a prefill file.
    pub prefilled: usize,
    /// The labels, in order.
    pub labels: Vec<String>,
}

/// Parses `0.05USD`, `0.05 USD` or `USD 0.05` into a reward.
pub fn parse_reward(text: &str) -> Result<Reward, String> {
    let text = text.trim();
    let letters = |c: char| c.is_ascii_alphabetic();
    let (amount, currency) = if text.starts_with(letters) {
        let at = text.find(|c: char| !letters(c)).unwrap_or(text.len());
        let (currency, amount) = text.split_at(at);
        (amount.trim(), currency)
    } else {
        let at = text.find(letters).unwrap_or(text.len());
        let (amount, currency) = text.split_at(at);
        (amount.trim(), currency.trim())
    };
    let wrong = || format!("--reward {text:?}: write an amount and a currency, like 0.05USD");
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(wrong());
    }
    if amount.is_empty() || !amount.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(wrong());
    }
    let per_task = amount.parse().map_err(|_| wrong())?;
    Ok(Reward {
        per_task,
        currency: currency.to_owned(),
    })
}

/// Makes the bundle `spec` describes at `out`: a folder, or a zip when `out` ends in `.zip`.
pub fn new_bundle(spec: &NewBundle, out: &Path, options: &LoadOptions) -> Result<Made, MakeError> {
    let mut rules = OutputRules::new().keep_intact(&spec.images, "the images folder");
    for (place, what) in [
        (&spec.instructions, "the instructions file"),
        (&spec.prefill, "the prefill input"),
    ] {
        if let Some(place) = place {
            rules = rules.protect(place, what);
        }
    }
    rules.check(out)?;
    refuse_existing(out, "folder or zip")?;
    let folder = load_bundle(&spec.images, options).map_err(|e| MakeError::Input(problems(&e)))?;
    if folder.has_manifest {
        return Err(MakeError::Usage(format!(
            "{} is a bundle already (it has a {MANIFEST_FILE}): hand it out as it is, or cut it \
             with `clickwork bundle split`",
            spec.images.display()
        )));
    }
    let labels: Vec<String> = if spec.labels.is_empty() {
        folder.labels.iter().map(|l| l.name.clone()).collect()
    } else {
        spec.labels.clone()
    };
    let title = spec.title.clone().unwrap_or_else(|| folder.title.clone());
    let id = match &spec.id {
        Some(id) => id.clone(),
        None => derived_id(&title, &folder.tasks),
    };
    if let Some(problem) = id_problem(&id) {
        return Err(MakeError::Usage(format!("--id {id:?}: {problem}")));
    }
    let parent = parent_of(out)?;
    let zipped = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    // Written beside the output (same disk, so the folder is renamed into place), or for a zip
    // anywhere the system keeps temporary files.
    let staging = if zipped {
        tempfile::tempdir()
    } else {
        tempfile::Builder::new()
            .prefix(".clickwork-new-bundle-")
            .tempdir_in(parent)
    }
    .map_err(io(parent))?;
    let root = staging.path();
    let (prefills, copies) = write_files(spec, &folder.tasks, root)?;
    let tasks: Vec<Value> = folder
        .tasks
        .iter()
        .map(|task| {
            let mut entry = json!({"id": task.id, "image": format!("images/{}", task.image)});
            if let (Some(prefill), Some(object)) = (prefills.get(&task.id), entry.as_object_mut()) {
                object.insert("prefill".to_owned(), prefill.clone());
            }
            entry
        })
        .collect();
    let mut manifest = json!({
        "format": crate::domain::bundle::FORMAT,
        "id": id,
        "title": title,
    });
    if let Some(object) = manifest.as_object_mut() {
        if spec.instructions.is_some() {
            object.insert("instructions".to_owned(), json!("instructions.md"));
        }
        if let Some(reward) = &spec.reward {
            object.insert(
                "reward".to_owned(),
                json!({"per_task": reward.per_task.to_string(), "currency": reward.currency}),
            );
        }
        let labels: Vec<Value> = labels
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let [r, g, b] = color_for(i);
                let mut label = json!({"name": name, "color": format!("#{r:02x}{g:02x}{b:02x}")});
                if let (Some(object), true) = (label.as_object_mut(), i < 9) {
                    object.insert("hotkey".to_owned(), json!(i + 1));
                }
                label
            })
            .collect();
        object.insert("labels".to_owned(), Value::Array(labels));
        object.insert("tasks".to_owned(), Value::Array(tasks));
    }
    let manifest_path = root.join(MANIFEST_FILE);
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| MakeError::Io {
        path: manifest_path.clone(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&manifest_path, text).map_err(io(&manifest_path))?;
    // What the worker will open, opened first here.
    let check = LoadOptions {
        remember_headers: false,
        progress: None,
        ..options.clone()
    };
    let made = load_bundle(root, &check).map_err(|errors| {
        let staged = root.display().to_string();
        let shown = out.display().to_string();
        let mut messages: Vec<String> = errors
            .problems
            .iter()
            .map(|p| p.to_string().replace(&staged, &shown))
            .collect();
        for (name, source) in &copies {
            if messages.iter().any(|m| m.contains(name.as_str())) {
                messages.push(format!("({name} is a copy of {})", source.display()));
            }
        }
        MakeError::Invalid(format!(
            "the bundle would not open, so it was not written:\n{}",
            messages.join("\n")
        ))
    })?;
    if zipped {
        write_zip(root, out)?;
    } else {
        put_in_place(staging, out)?;
    }
    Ok(Made {
        id: made.id,
        tasks: made.tasks.len(),
        prefilled: prefills.len(),
        labels: made.labels.into_iter().map(|l| l.name).collect(),
    })
}

/// The slug of `title` and 8 hex digits of the images' names and sizes.
fn derived_id(title: &str, tasks: &[Task]) -> String {
    let mut hash = Sha256::new();
    for task in tasks {
        hash.update(task.image.as_bytes());
        hash.update(b"\t");
        hash.update(task.bytes.to_le_bytes());
        hash.update(b"\n");
    }
    let digest: String = hash
        .finalize()
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let slug = crate::domain::bundle::slugify(title);
    format!("{slug}-{digest}")
}

/// A prefilled task's `prefill` entries by task id, and each prefill file's name in the bundle with
/// the input it was copied from.
type Prefills = (HashMap<String, Value>, Vec<(String, PathBuf)>);

/// Copies the images (on all cores), the instructions and the prefill files into `root`.
fn write_files(spec: &NewBundle, tasks: &[Task], root: &Path) -> Result<Prefills, MakeError> {
    let images = root.join("images");
    std::fs::create_dir_all(&images).map_err(io(&images))?;
    tasks.par_iter().try_for_each(|task| {
        let to = images.join(&task.image);
        if spec.link {
            return link_or_copy(&task.image_path, &to);
        }
        std::fs::copy(&task.image_path, &to)
            .map(drop)
            .map_err(|source| MakeError::Io {
                path: task.image_path.clone(),
                source,
            })
    })?;
    if let Some(instructions) = &spec.instructions {
        std::fs::copy(instructions, root.join("instructions.md")).map_err(io(instructions))?;
    }
    let Some(prefill) = &spec.prefill else {
        return Ok((HashMap::new(), Vec::new()));
    };
    let mut copies = Vec::new();
    let folder = root.join("prefill");
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    let meta = std::fs::metadata(prefill).map_err(io(prefill))?;
    let mut entries = HashMap::new();
    if meta.is_dir() {
        // LabelMe saves `photo.json` beside `photo.jpg`.
        for task in tasks {
            let stem = Path::new(&task.image)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let from = prefill.join(format!("{stem}.json"));
            if !from.is_file() {
                continue;
            }
            let name = format!("{}.json", task.id);
            std::fs::copy(&from, folder.join(&name)).map_err(io(&from))?;
            copies.push((format!("prefill/{name}"), from.clone()));
            entries.insert(
                task.id.clone(),
                json!({"labelme": format!("prefill/{name}")}),
            );
        }
    } else {
        let bytes = std::fs::read(prefill).map_err(io(prefill))?;
        let names = coco_file_names(&bytes).map_err(|e| {
            MakeError::Usage(format!(
                "{}: not a COCO instances file ({e}); --prefill takes a COCO file or a folder of \
                 LabelMe files",
                prefill.display()
            ))
        })?;
        let to = folder.join("instances.json");
        std::fs::write(&to, &bytes).map_err(io(&to))?;
        copies.push(("prefill/instances.json".to_owned(), prefill.clone()));
        for task in tasks {
            // The bundle matches a COCO image to a task by the file name's final part.
            if names.get(task.image.as_str()) == Some(&1) {
                entries.insert(task.id.clone(), json!({"coco": "prefill/instances.json"}));
            }
        }
    }
    Ok((entries, copies))
}

/// How many COCO images have each final file-name part.
fn coco_file_names(bytes: &[u8]) -> Result<HashMap<String, usize>, String> {
    #[derive(serde::Deserialize)]
    struct Coco {
        images: Vec<Image>,
    }
    #[derive(serde::Deserialize)]
    struct Image {
        file_name: String,
    }
    let coco: Coco = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut names = HashMap::new();
    for image in coco.images {
        let last = image
            .file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_owned();
        *names.entry(last).or_insert(0) += 1;
    }
    Ok(names)
}

/// Packs the folder `root` into the zip `out` (written whole or not at all). Images are stored as
/// they are (already compressed); the rest is deflated.
fn write_zip(root: &Path, out: &Path) -> Result<(), MakeError> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let path = entry.map_err(io(&dir))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    atomic_write_with(out, |file| {
        let mut zip = zip::ZipWriter::new(file);
        let base = zip::write::SimpleFileOptions::default()
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        for path in &files {
            let name = path
                .strip_prefix(root)
                .map_err(std::io::Error::other)?
                .to_string_lossy()
                .replace('\\', "/");
            let method = if name.starts_with("images/") {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            zip.start_file(name, base.compression_method(method))
                .map_err(std::io::Error::other)?;
            let mut from = std::fs::File::open(path)?;
            std::io::copy(&mut from, &mut zip)?;
        }
        zip.finish().map_err(std::io::Error::other)?.flush()?;
        Ok(())
    })
    .map_err(io(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reward_is_an_amount_and_a_currency_either_way_round() {
        for text in ["0.05USD", "0.05 USD", "USD 0.05", "USD0.05", " 12EUR "] {
            let reward = parse_reward(text).unwrap();
            assert!(
                ["0.05", "12"].contains(&reward.per_task.to_string().as_str()),
                "{text}"
            );
            assert!(["USD", "EUR"].contains(&reward.currency.as_str()), "{text}");
        }
        for text in [
            "five",
            "0.05",
            "USD",
            "0,05USD",
            "-1USD",
            "0.05usd",
            "0.05 DOLLARS",
        ] {
            assert!(parse_reward(text).is_err(), "{text}");
        }
    }
}
