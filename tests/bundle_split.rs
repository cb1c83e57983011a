//! `clickwork bundle split` run as a process on the sample bundle: every worker bundle validates,
//! every task is in as many of them as asked, the same seed gives the same plan, and what cannot be
//! done is refused with nothing written.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::run;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_tasks/landscapes");

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn split(out: &Path, data: &Path, seed: &str) -> (i32, String, String) {
    run(
        &[
            "bundle",
            "split",
            SAMPLE,
            "--tasks-per-bundle",
            "4",
            "--overlap",
            "2",
            "--seed",
            seed,
            "--out",
            out.to_str().unwrap(),
        ],
        data,
    )
}

#[test]
fn every_task_lands_in_overlap_worker_bundles_that_each_validate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("parts");
    let (code, stdout, stderr) = split(&out, &data, "7");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("3 worker bundles of 4 tasks"), "{stdout}");
    let plan = json(&out.join("split.json"));
    let original = json(&Path::new(SAMPLE).join("bundle.json"));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for part in plan["parts"].as_array().unwrap() {
        let folder = out.join(part["folder"].as_str().unwrap());
        let (code, _, stderr) = run(&["validate", folder.to_str().unwrap()], &data);
        assert_eq!(code, 0, "{stderr}");
        let manifest = json(&folder.join("bundle.json"));
        assert_eq!(manifest["id"], part["id"]);
        assert_eq!(manifest["labels"], original["labels"]);
        assert_eq!(manifest["reward"], original["reward"]);
        let ids: Vec<&str> = manifest["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        let planned: Vec<&str> = part["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(ids, planned);
        for task in manifest["tasks"].as_array().unwrap() {
            // Each task as the original has it (its image, hint, regions).
            let same = original["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["id"] == task["id"])
                .unwrap();
            assert_eq!(task, same);
            *seen
                .entry(task["id"].as_str().unwrap().to_owned())
                .or_default() += 1;
            assert!(folder.join(task["image"].as_str().unwrap()).is_file());
        }
        // The photos' credits travel with them.
        assert!(folder.join("LICENSES.md").is_file());
    }
    assert_eq!(seen.len(), 6);
    assert!(seen.values().all(|&n| n == 2), "{seen:?}");

    // The same seed gives the same plan; another seed another one.
    let again = dir.path().join("again");
    assert_eq!(split(&again, &data, "7").0, 0);
    assert_eq!(json(&again.join("split.json")), plan);
    let other = dir.path().join("other");
    assert_eq!(split(&other, &data, "8").0, 0);
    assert_ne!(json(&other.join("split.json"))["parts"], plan["parts"]);
}

#[test]
fn a_split_that_cannot_be_done_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("parts");
    let (code, _, stderr) = run(
        &[
            "bundle",
            "split",
            SAMPLE,
            "--tasks-per-bundle",
            "7",
            "--out",
            out.to_str().unwrap(),
        ],
        &data,
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("more than the bundle's 6 tasks"),
        "{stderr}"
    );
    assert!(!out.exists());
    // An existing output is left alone.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let (code, _, stderr) = split(&out, &data, "1");
    assert_eq!(code, 2);
    assert!(stderr.contains("exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    // A plain folder of images is pointed to `bundle new`.
    let (code, _, stderr) = run(
        &[
            "bundle",
            "split",
            &format!("{SAMPLE}/images"),
            "--tasks-per-bundle",
            "2",
            "--out",
            dir.path().join("p2").to_str().unwrap(),
        ],
        &data,
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("bundle new"), "{stderr}");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|n| n.contains("clickwork-split")),
        "{left:?}"
    );
}
