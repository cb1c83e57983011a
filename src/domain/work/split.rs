//! Cutting a bundle into worker bundles (`clickwork bundle split`) so that every task is in `overlap`
//! different ones, for agreement between workers, the same way every time for the same seed.
//!
//! The tasks are put in an order drawn from the seed (each task's place is the SHA-256 of the seed
//! and its id, so the order depends on nothing else), that order is laid out `overlap` times end to
//! end, and the line is cut into pieces of `tasks_per_bundle`. Any `tasks_per_bundle` neighbours in
//! that line are different tasks (the line repeats with a period of the task count), so no worker
//! bundle holds a task twice and each task lands in `overlap` different bundles. Each worker bundle
//! keeps the task ids, labels, reward and instructions of the original, and is validated before any
//! is written.

use super::making::{
    MakeError, io, link_or_copy, parent_of, problems, put_in_place, refuse_existing,
};
use crate::domain::bundle::{Bundle, LoadOptions, MANIFEST_FILE, load_bundle};
use crate::domain::safe_output::OutputRules;
use rayon::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The file in the output folder that records which tasks went into which worker bundle.
pub const PLAN_FILE: &str = "split.json";

/// How to cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// Tasks in each worker bundle (the last may have fewer).
    pub tasks_per_bundle: usize,
    /// How many worker bundles each task is in.
    pub overlap: usize,
    /// Draws the order; the same seed gives the same bundles.
    pub seed: u64,
    /// Gold tasks mixed into each worker bundle (at places drawn from the seed).
    pub gold_per_bundle: usize,
}

/// One worker bundle of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Its bundle id (the original's and the part's number).
    pub id: String,
    /// Its folder's name in the output.
    pub folder: String,
    /// Its task ids, in order, the gold ones among them.
    pub tasks: Vec<String>,
    /// Which of them are gold tasks (the worker bundle does not say).
    pub gold: Vec<String>,
}

/// SHA-256 of the seed and `parts`, the key that orders things "at random" reproducibly.
fn drawn(seed: u64, parts: &[&[u8]]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(seed.to_le_bytes());
    for part in parts {
        hash.update(part);
        hash.update([0]);
    }
    hash.finalize().to_vec()
}

/// Which tasks (by id) go into which worker bundle of `bundle_id`: `ids` are dealt, and
/// `gold_per_bundle` of the `gold` ids are mixed into each bundle.
pub fn plan(
    bundle_id: &str,
    ids: &[String],
    gold: &[String],
    split: Split,
) -> Result<Vec<Part>, MakeError> {
    let n = ids.len();
    let Split {
        tasks_per_bundle: per,
        overlap,
        seed,
        gold_per_bundle,
    } = split;
    if gold_per_bundle > gold.len() {
        return Err(MakeError::Usage(format!(
            "--gold-per-bundle {gold_per_bundle} is more than the bundle's {} gold task{}",
            gold.len(),
            if gold.len() == 1 { "" } else { "s" }
        )));
    }
    if per == 0 || overlap == 0 {
        return Err(MakeError::Usage(
            "--tasks-per-bundle and --overlap must be at least 1".to_owned(),
        ));
    }
    if per > n {
        let kind = if gold.is_empty() { "" } else { " non-gold" };
        return Err(MakeError::Usage(format!(
            "--tasks-per-bundle {per} is more than the bundle's {n}{kind} task{}",
            if n == 1 { "" } else { "s" }
        )));
    }
    // At least `overlap` parts, since `per <= n`: each copy of a task can have its own.
    let parts = (n * overlap).div_ceil(per);
    let mut order: Vec<(Vec<u8>, &String)> = ids
        .iter()
        .map(|id| (drawn(seed, &[id.as_bytes()]), id))
        .collect();
    order.sort();
    let mut gold_order: Vec<(Vec<u8>, &String)> = gold
        .iter()
        .map(|id| (drawn(seed, &[b"gold", id.as_bytes()]), id))
        .collect();
    gold_order.sort();
    let line: Vec<&String> = order.iter().map(|(_, id)| *id).collect();
    let width = parts.to_string().len().max(2);
    let mut out = Vec::with_capacity(parts);
    let cycle = line.iter().cycle().take(n * overlap).collect::<Vec<_>>();
    for (i, chunk) in cycle.chunks(per).enumerate() {
        let number = format!("{:0width$}", i + 1);
        let mut tasks: Vec<String> = chunk.iter().map(|id| (**id).clone()).collect();
        // Consecutive gold tasks in their drawn order, going round: distinct within a bundle, and
        // used evenly across bundles.
        let picks: Vec<String> = (0..gold_per_bundle)
            .filter_map(|j| gold_order.get((i * gold_per_bundle + j) % gold_order.len().max(1)))
            .map(|(_, id)| (*id).clone())
            .collect();
        for id in &picks {
            let key = drawn(seed, &[number.as_bytes(), id.as_bytes()]);
            let at = key.iter().take(8).fold(0usize, |a, b| {
                a.wrapping_mul(256).wrapping_add(usize::from(*b))
            }) % (tasks.len() + 1);
            tasks.insert(at, id.clone());
        }
        out.push(Part {
            id: format!("{bundle_id}-part{number}"),
            folder: format!("part{number}"),
            tasks,
            gold: picks,
        });
    }
    Ok(out)
}

/// Splits the bundle at `source` into worker bundles under the new folder `out`, with `split.json`
/// beside them. Returns the plan.
pub fn split_bundle(
    source: &Path,
    split: Split,
    out: &Path,
    options: &LoadOptions,
) -> Result<Vec<Part>, MakeError> {
    OutputRules::new()
        .protect(source, "the bundle being split")
        .check(out)?;
    refuse_existing(out, "folder")?;
    let bundle = load_bundle(source, options).map_err(|e| MakeError::Input(problems(&e)))?;
    if !bundle.has_manifest {
        return Err(MakeError::Usage(format!(
            "{} is a folder of images without a {MANIFEST_FILE}: make it a bundle first with \
             `clickwork bundle new`",
            source.display()
        )));
    }
    let manifest_path = bundle.root.join(MANIFEST_FILE);
    let mut template: Value = std::fs::read(&manifest_path)
        .map_err(io(&manifest_path))
        .and_then(|bytes| {
            // The check above accepts a byte order mark; so does this.
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            serde_json::from_slice(body).map_err(|e| MakeError::Io {
                path: manifest_path.clone(),
                source: std::io::Error::other(e),
            })
        })?;
    let ids: Vec<String> = bundle
        .tasks
        .iter()
        .filter(|t| t.gold.is_none())
        .map(|t| t.id.clone())
        .collect();
    let gold: Vec<String> = bundle
        .tasks
        .iter()
        .filter(|t| t.gold.is_some())
        .map(|t| t.id.clone())
        .collect();
    let parts = plan(&bundle.id, &ids, &gold, split)?;
    let parent = parent_of(out)?;
    let staging = tempfile::Builder::new()
        .prefix(".clickwork-split-")
        .tempdir_in(parent)
        .map_err(io(parent))?;
    let check = LoadOptions {
        remember_headers: false,
        progress: None,
        ..options.clone()
    };
    // The manifest's tasks by id, and the rest of it: each part takes the rest and its own tasks,
    // rather than copying 100,000 tasks to keep a thousand.
    let mut all_tasks = Vec::new();
    if let Some(object) = template.as_object_mut() {
        if let Some(Value::Array(tasks)) =
            object.insert("tasks".to_owned(), Value::Array(Vec::new()))
        {
            all_tasks = tasks;
        }
        // Nothing in a worker bundle says it has gold tasks.
        object.remove("gold_pass_iou");
    }
    let truth = truth_files(&bundle.root, &all_tasks)?;
    let shared = shared_files(&bundle, &truth)?;
    let by_id: HashMap<&str, &Value> = all_tasks
        .iter()
        .filter_map(|t| Some((t.get("id").and_then(Value::as_str)?, t)))
        .collect();
    // Parts on all cores: linking and checking them is the disk's and the kernel's work.
    parts.par_iter().enumerate().try_for_each(|(i, part)| {
        let root = staging.path().join(&part.folder);
        write_part(
            &bundle,
            (&template, &by_id),
            &shared,
            part,
            (i + 1, parts.len()),
            &root,
        )?;
        load_bundle(&root, &check).map(drop).map_err(|errors| {
            MakeError::Invalid(format!(
                "a worker bundle would not open, so none was written:\n{}",
                problems(&errors)
            ))
        })
    })?;
    let plan_json = json!({
        "bundle": bundle.id,
        "tasks": ids.len(),
        "tasks_per_bundle": split.tasks_per_bundle,
        "overlap": split.overlap,
        "seed": split.seed,
        "gold_per_bundle": split.gold_per_bundle,
        "parts": parts.iter().map(|p| json!({"id": p.id, "folder": p.folder, "tasks": p.tasks, "gold": p.gold})).collect::<Vec<_>>(),
    });
    let plan_path = staging.path().join(PLAN_FILE);
    let text = serde_json::to_vec_pretty(&plan_json).map_err(|e| MakeError::Io {
        path: plan_path.clone(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&plan_path, text).map_err(io(&plan_path))?;
    put_in_place(staging, out)?;
    Ok(parts)
}

/// The bundle's files that are neither a task's image, nor a gold truth file (`truth`), nor the
/// manifest (instructions, prefill files, credits), relative to its root: every worker bundle gets
/// them.
fn shared_files(bundle: &Bundle, truth: &HashSet<PathBuf>) -> Result<Vec<PathBuf>, MakeError> {
    let images: HashSet<&Path> = bundle
        .tasks
        .iter()
        .map(|t| t.image_path.as_path())
        .chain(truth.iter().map(PathBuf::as_path))
        .collect();
    let mut found = Vec::new();
    let mut stack = vec![bundle.root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io(&path))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && !images.contains(path.as_path())
                && path != bundle.root.join(MANIFEST_FILE)
                && let Ok(relative) = path.strip_prefix(&bundle.root)
            {
                found.push(relative.to_path_buf());
            }
            // Links are left out: the bundle's checks refuse links out of it anyway.
        }
    }
    Ok(found)
}

/// The files the gold tasks among the manifest's `tasks` take their truth from, which no worker bundle may carry; refused when a
/// task's prefill uses one too (the worker would be handed the answer).
fn truth_files(root: &Path, tasks: &[Value]) -> Result<HashSet<PathBuf>, MakeError> {
    let files_of = |key: &str| -> HashSet<PathBuf> {
        tasks
            .iter()
            .filter_map(|t| t.get(key))
            .flat_map(|o| ["labelme", "coco"].map(|format| o.get(format).and_then(Value::as_str)))
            .flatten()
            .map(|rel| root.join(rel))
            .collect()
    };
    let truth = files_of("gold");
    if let Some(both) = files_of("prefill").intersection(&truth).next() {
        return Err(MakeError::Usage(format!(
            "{} is both a gold truth and a prefill file: a worker bundle would carry the answer; \
             give the gold tasks a file of their own",
            both.display()
        )));
    }
    Ok(truth)
}

/// Writes worker bundle `part` (number `k` of `of`) into `root`: the `shared` files, the images of
/// its tasks, and the original manifest (`template`, without its tasks; `tasks` by id) with only its
/// tasks, its own id and its title numbered.
fn write_part(
    bundle: &Bundle,
    (template, tasks): (&Value, &HashMap<&str, &Value>),
    shared: &[PathBuf],
    part: &Part,
    (k, of): (usize, usize),
    root: &Path,
) -> Result<(), MakeError> {
    std::fs::create_dir_all(root).map_err(io(root))?;
    for relative in shared {
        link_or_copy(&bundle.root.join(relative), &root.join(relative))?;
    }
    let keep: HashSet<&str> = part.tasks.iter().map(String::as_str).collect();
    for task in bundle.tasks.iter().filter(|t| keep.contains(t.id.as_str())) {
        let to = root.join(&task.image);
        if std::fs::symlink_metadata(&to).is_err() {
            link_or_copy(&task.image_path, &to)?;
        }
    }
    let mut manifest = template.clone();
    if let Some(object) = manifest.as_object_mut() {
        object.insert("id".to_owned(), json!(part.id));
        let title = object
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        object.insert(
            "title".to_owned(),
            json!(format!("{title} (part {k} of {of})")),
        );
        let tasks: Vec<Value> = part
            .tasks
            .iter()
            .filter_map(|id| tasks.get(id.as_str()).map(|t| (*t).clone()))
            .map(|mut task| {
                // A gold task goes out as a plain one: its truth stays with the requester.
                if let Some(object) = task.as_object_mut() {
                    object.remove("gold");
                }
                task
            })
            .collect();
        object.insert("tasks".to_owned(), Value::Array(tasks));
    }
    let path = root.join(MANIFEST_FILE);
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| MakeError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&path, text).map_err(io(&path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("t{i}")).collect()
    }

    proptest! {
        #[test]
        fn every_task_is_in_overlap_different_bundles_of_the_size_asked(
            n in 1usize..60, per in 1usize..60, overlap in 1usize..5, seed in any::<u64>(),
        ) {
            let split = Split { tasks_per_bundle: per, overlap, seed, gold_per_bundle: 0 };
            let Ok(parts) = plan("b", &ids(n), &[], split) else {
                // Refused only when it cannot be done.
                prop_assert!(per > n);
                return Ok(());
            };
            for (i, part) in parts.iter().enumerate() {
                let unique: HashSet<&String> = part.tasks.iter().collect();
                prop_assert_eq!(unique.len(), part.tasks.len(), "a task twice in one bundle");
                if i + 1 < parts.len() {
                    prop_assert_eq!(part.tasks.len(), per);
                }
            }
            for id in ids(n) {
                let holding = parts.iter().filter(|p| p.tasks.contains(&id)).count();
                prop_assert_eq!(holding, overlap);
            }
            // The same seed, the same plan.
            prop_assert_eq!(plan("b", &ids(n), &[], split).ok(), Some(parts));
        }
    }

    fn split(per: usize, overlap: usize, seed: u64, gold: usize) -> Split {
        Split {
            tasks_per_bundle: per,
            overlap,
            seed,
            gold_per_bundle: gold,
        }
    }

    #[test]
    fn another_seed_deals_the_tasks_otherwise_and_parts_are_numbered_in_order() {
        let a = plan("b", &ids(40), &[], split(10, 2, 1, 0)).unwrap();
        let b = plan("b", &ids(40), &[], split(10, 2, 2, 0)).unwrap();
        assert_eq!(a.len(), 8);
        assert_ne!(a, b);
        assert_eq!(a[0].id, "b-part01");
        assert_eq!(a[7].folder, "part08");
        let err = plan("b", &ids(5), &[], split(6, 1, 0, 0)).unwrap_err();
        assert!(
            err.to_string().contains("more than the bundle's 5 tasks"),
            "{err}"
        );
        assert!(plan("b", &ids(4), &[], split(4, 2, 0, 0)).is_ok());
        assert!(
            plan("b", &ids(4), &[], split(4, 3, 0, 0)).is_ok(),
            "3 copies of 4 tasks in bundles of 4 make 3 bundles"
        );
    }

    #[test]
    fn gold_tasks_are_mixed_into_every_bundle_evenly_and_never_dealt() {
        let gold: Vec<String> = (0..3).map(|i| format!("g{i}")).collect();
        let parts = plan("b", &ids(30), &gold, split(10, 2, 5, 2)).unwrap();
        assert_eq!(parts.len(), 6);
        let mut uses: HashMap<&String, usize> = HashMap::new();
        for part in &parts {
            assert_eq!(part.tasks.len(), 12, "10 dealt and 2 gold");
            assert_eq!(part.gold.len(), 2);
            assert_ne!(part.gold[0], part.gold[1]);
            for g in &part.gold {
                assert!(part.tasks.contains(g));
                *uses.entry(g).or_default() += 1;
            }
            let dealt = part.tasks.iter().filter(|t| t.starts_with('t')).count();
            assert_eq!(dealt, 10);
        }
        // 12 gold places over 3 gold tasks: 4 each.
        assert!(uses.values().all(|&n| n == 4), "{uses:?}");
        // Not always at the same place in a bundle.
        let places: HashSet<usize> = parts
            .iter()
            .map(|p| p.tasks.iter().position(|t| *t == p.gold[0]).unwrap())
            .collect();
        assert!(places.len() > 1, "{places:?}");
        let err = plan("b", &ids(30), &gold, split(10, 1, 5, 4)).unwrap_err();
        assert!(err.to_string().contains("3 gold tasks"), "{err}");
    }
}
