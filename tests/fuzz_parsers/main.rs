//! Every parser of files a worker or requester hands us, fed mutated real inputs (bit flips, truncations,
//! splices, deep nesting, huge numbers, NaN, wrong types): the manifest, the annotation file, the work
//! log, review files (CSV and JSON) and every importer. No case may panic or hang (each has a time
//! budget), and every refusal must name the file it refuses.
//!
//! `cargo test` runs 256 cases per parser. The long run, whose figures go in closing notes:
//! `CLICKWORK_FUZZ_CASES=100000 cargo test --release --test fuzz_parsers -- --nocapture`
//! (`CLICKWORK_FUZZ_SEED` picks another sequence). A case that fails is written to
//! `target/fuzz-failures/`; keep it under `tests/fuzz_cases/<parser>/` and it is replayed every run.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

#[path = "../common/mod.rs"]
mod common;
mod mutate;

use clickwork::domain::bundle::{Bundle, LoadOptions, load_bundle};
use clickwork::domain::formats::Format;
use clickwork::domain::ledger::{Reviews, ledger_entries, read_review_file};
use clickwork::domain::store::{Layout, read_annotation_at};
use clickwork::domain::worklog::{Rule, derive_times, measure, parse_journal};
use common::Rng;
use mutate::mutate_once;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// A parser under test: it reads the file at `file` (where each case's bytes are written) and says
/// whether it accepted it or why not.
struct Target {
    name: &'static str,
    /// The file each case replaces.
    file: PathBuf,
    /// Real inputs to mutate.
    seeds: Vec<Vec<u8>>,
    /// Reads `file` (and whatever lies around it); `Err` carries the message the user would see.
    parse: Arc<dyn Fn() -> Result<(), String> + Send + Sync>,
}

/// What happened to one parser's cases.
#[derive(Default)]
struct Tally {
    cases: usize,
    accepted: usize,
    refused: usize,
    panics: Vec<String>,
    hangs: Vec<String>,
    unnamed: Vec<String>,
    slowest: Duration,
}

/// How long one case may take before it counts as a hang (debug builds are slow; real cases take ms).
const BUDGET: Duration = Duration::from_secs(20);

/// Runs one case in its own thread under [`BUDGET`].
fn run_case(target: &Target, bytes: &[u8]) -> Result<Result<(), String>, &'static str> {
    std::fs::write(&target.file, bytes).unwrap();
    let (send, receive) = mpsc::channel();
    let parse = Arc::clone(&target.parse);
    let worker = std::thread::spawn(move || {
        let _ = send.send(parse());
    });
    match receive.recv_timeout(BUDGET) {
        Ok(outcome) => {
            let _ = worker.join();
            Ok(outcome)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("panicked"),
        Err(mpsc::RecvTimeoutError::Timeout) => Err("hung"),
    }
}

fn failures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures")
}

/// Runs `cases` mutated inputs (and the kept regression cases) through `target`.
fn fuzz(target: &Target, cases: usize, seed: u64) -> Tally {
    let mut tally = Tally::default();
    let name_shown = target
        .file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let kept = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_cases")
        .join(target.name);
    let mut regressions: Vec<Vec<u8>> = std::fs::read_dir(&kept)
        .map(|dir| {
            dir.filter_map(|e| std::fs::read(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    // The seeds themselves first: a parser that refuses its own real input is broken, not robust.
    for seed_bytes in &target.seeds {
        let outcome = run_case(target, seed_bytes);
        assert!(
            matches!(outcome, Ok(Ok(()))),
            "{}: the unmutated seed is not accepted: {outcome:?}",
            target.name
        );
    }
    let mut rng = Rng(seed ^ target.name.bytes().fold(0, |h, b| h * 31 + u64::from(b)));
    let total = regressions.len() + cases;
    for n in 0..total {
        let bytes = if let Some(kept) = regressions.pop() {
            kept
        } else {
            let mut bytes = target.seeds[rng.below(target.seeds.len())].clone();
            for _ in 0..1 + rng.below(4) {
                mutate_once(&mut bytes, &target.seeds, &mut rng);
            }
            bytes
        };
        // Kept before it runs: a case that aborts the whole process (an allocation failure, a stack
        // overflow) leaves its input here for a regression case.
        std::fs::create_dir_all(failures_dir()).unwrap();
        std::fs::write(
            failures_dir().join(format!("{}-current.bin", target.name)),
            &bytes,
        )
        .unwrap();
        let started = Instant::now();
        let outcome = run_case(target, &bytes);
        let took = started.elapsed();
        if took > tally.slowest {
            tally.slowest = took;
            std::fs::write(
                failures_dir().join(format!("{}-slowest.bin", target.name)),
                &bytes,
            )
            .unwrap();
        }
        tally.cases += 1;
        let keep = |why: &str| {
            let dir = failures_dir();
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{}-{seed}-{n}.bin", target.name));
            std::fs::write(&path, &bytes).unwrap();
            format!("case {n} {why}: kept as {}", path.display())
        };
        match outcome {
            Ok(Ok(())) => tally.accepted += 1,
            Ok(Err(message)) => {
                tally.refused += 1;
                if !message.contains(&name_shown) {
                    tally
                        .unnamed
                        .push(keep(&format!("refused without naming the file: {message}")));
                }
            }
            Err("hung") => {
                tally.hangs.push(keep("hung"));
                // The stuck thread still has the file; later cases would race it.
                break;
            }
            Err(_) => tally.panics.push(keep("panicked")),
        }
    }
    tally
}

/// The sample bundle's data folder with work on two tasks, its exports in every format (images
/// copied), and the other seeds, under one temporary folder.
struct Seeds {
    dir: tempfile::TempDir,
    bundle: Arc<Bundle>,
}

const SAMPLE: &str = "sample_tasks/landscapes";

fn annotation(task: &str, image: &str, size: (u32, u32), regions: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(&serde_json::json!({
        "format": "clickwork-annotation/1", "bundle_id": "landscapes-sample", "task_id": task,
        "image": {"path": image, "width": size.0, "height": size.1}, "status": "submitted",
        "regions": regions, "updated_at": "2026-11-28T16:05:12.345Z", "last_region_number": 6
    }))
    .unwrap()
}

fn china_annotation() -> Vec<u8> {
    annotation(
        "china",
        "images/sklearn_china_by_danielbuechele.jpg",
        (640, 427),
        serde_json::json!([
            {"id": "r1", "label": "sky", "shape": {"type": "polygon", "points": [[0.0, 0.0], [640.0, 0.0], [640.0, 138.5], [548.0, 152.0], [330.0, 204.0], [0.0, 146.0]]}, "attributes": {}},
            {"id": "r2", "label": "building", "shape": {"type": "rectangle", "points": [[372.0, 427.0], [61.5, 27.0]]}, "attributes": {"occluded": true}},
            {"id": "r4", "label": "water", "shape": {"type": "polygon", "points": [[330.0, 204.0], [556.0, 204.0], [524.0, 276.0], [372.0, 330.0]]}, "attributes": {}},
            {"id": "r6", "label": "tree", "shape": {"type": "point", "points": [[291.0, 223.5]]}, "attributes": {}}
        ]),
    )
}

impl Seeds {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let annotations = data.join("work/landscapes-sample/annotations");
        std::fs::create_dir_all(&annotations).unwrap();
        std::fs::write(annotations.join("china.json"), china_annotation()).unwrap();
        let sunset = annotation(
            "sunset",
            "images/sunset_by_Aitzol_Berasategi.jpg",
            (4272, 2848),
            serde_json::json!([{"id": "r1", "label": "mountain", "shape": {"type": "rectangle", "points": [[0.0, 1500.0], [4272.0, 2848.0]]}, "attributes": {}}]),
        );
        std::fs::write(annotations.join("sunset.json"), sunset).unwrap();
        let export = dir.path().join("export");
        let (code, out, err) = common::run(
            &[
                "export",
                SAMPLE,
                "--format",
                "all",
                "--status",
                "all",
                "--out",
                export.to_str().unwrap(),
                "--copy-images",
            ],
            &data,
        );
        assert_eq!(code, 0, "{out}{err}");
        let seg = dir.path().join("yolo-seg");
        let (code, out, err) = common::run(
            &[
                "export",
                SAMPLE,
                "--format",
                "yolo-seg",
                "--status",
                "all",
                "--out",
                seg.to_str().unwrap(),
                "--copy-images",
            ],
            &data,
        );
        assert_eq!(code, 0, "{out}{err}");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
        let bundle = load_bundle(&sample, &LoadOptions::new(dir.path().join("cache"))).unwrap();
        Seeds {
            dir,
            bundle: Arc::new(bundle),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// A copy of the sample bundle (images included) whose manifest the cases replace.
    fn manifest(&self) -> Target {
        let root = self.path("bundle");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE);
        std::fs::create_dir_all(root.join("images")).unwrap();
        for entry in std::fs::read_dir(sample.join("images")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), root.join("images").join(entry.file_name())).unwrap();
        }
        std::fs::copy(sample.join("instructions.md"), root.join("instructions.md")).unwrap();
        let seed = std::fs::read(sample.join("bundle.json")).unwrap();
        let cache = self.path("cache");
        let dir = root.clone();
        Target {
            name: "manifest",
            file: root.join("bundle.json"),
            seeds: vec![seed],
            parse: Arc::new(move || {
                load_bundle(&dir, &LoadOptions::new(cache.clone()))
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        }
    }

    fn annotation_file(&self) -> Target {
        let data = self.path("annotation-data");
        let paths = Layout::new(&data).workspace("landscapes-sample");
        let file = paths.annotation("china");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let bundle = Arc::clone(&self.bundle);
        Target {
            name: "annotation",
            file,
            seeds: vec![china_annotation()],
            parse: Arc::new(move || {
                let task = bundle.tasks.iter().find(|t| t.id == "china").unwrap();
                let read = read_annotation_at(&paths, "landscapes-sample", task)
                    .map_err(|e| e.to_string())?;
                // What the window does with a loaded file: measure and check every shape.
                for region in read.map(|f| f.annotation().regions).unwrap_or_default() {
                    let _ = (
                        region.shape.area(),
                        region.shape.issues(),
                        region.shape.bbox(),
                    );
                }
                Ok(())
            }),
        }
    }

    fn journal(&self) -> Target {
        let log = concat!(
            r#"{"kind":"session_start","at":"2026-11-28T09:00:00.000Z","mono_ms":0,"session_id":"5c0f1e9a7b3d2c41","format":"clickwork-worklog/1","app_version":"0.1.0","worker_id":"8d2f6a0c4e1b9d7f3a5c8e0b2d4f6a1c","bundle_id":"landscapes-sample","os":"linux"}"#,
            "\n",
            r#"{"kind":"bundle_opened","at":"2026-11-28T09:00:00.000Z","mono_ms":0,"session_id":"5c0f1e9a7b3d2c41","bundle_id":"landscapes-sample","title":"Landscapes","requester":"clickwork sample","reward":"0.05","currency":"USD","tasks":6,"manifest_sha256":"ab"}"#,
            "\n",
            r#"{"kind":"task_opened","at":"2026-11-28T09:00:00.000Z","mono_ms":0,"session_id":"5c0f1e9a7b3d2c41","task_id":"aitzgorri","status":"new","regions":0}"#,
            "\n",
            r#"{"kind":"input","at":"2026-11-28T09:00:46.904Z","mono_ms":46904,"session_id":"5c0f1e9a7b3d2c41","task_id":"aitzgorri","first_at":"2026-11-28T09:00:45.000Z","first_mono_ms":45000,"presses":1,"drags":1,"keys":0,"wheel":0,"moves":0}"#,
            "\n",
            r#"{"kind":"region_created","at":"2026-11-28T09:01:00.000Z","mono_ms":60000,"session_id":"5c0f1e9a7b3d2c41","task_id":"aitzgorri","region_id":"r1","label":"sky","shape":"polygon","vertices":4,"drawing_ms":12000}"#,
            "\n",
            r#"{"kind":"task_submitted","at":"2026-11-28T09:11:20.000Z","mono_ms":680000,"session_id":"5c0f1e9a7b3d2c41","task_id":"aitzgorri","regions":1,"reward":"0.05","currency":"USD"}"#,
            "\n",
            r#"{"kind":"task_opened","at":"2026-11-28T09:11:21.000Z","mono_ms":681000,"session_id":"5c0f1e9a7b3d2c41","task_id":"china","status":"new","regions":0}"#,
            "\n",
            r#"{"kind":"task_skipped","at":"2026-11-28T09:12:00.000Z","mono_ms":720000,"session_id":"5c0f1e9a7b3d2c41","task_id":"china"}"#,
            "\n",
        );
        let file = self.path("worklog.jsonl");
        let path = file.clone();
        Target {
            name: "journal",
            file,
            seeds: vec![log.as_bytes().to_vec()],
            parse: Arc::new(move || {
                let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
                let read = parse_journal(&bytes);
                // Everything derived from a log: times, every published measure, the ledger.
                let _ = derive_times(&read.events, 300_000);
                for rule in [
                    Rule::Cvat,
                    Rule::Afk { secs: 180 },
                    Rule::Hara,
                    Rule::Idle { secs: 0 },
                ] {
                    let _ = measure(rule, &read.events);
                }
                let _ = ledger_entries(
                    "landscapes-sample",
                    &read.events,
                    &Reviews::new("landscapes-sample"),
                );
                Ok(())
            }),
        }
    }

    fn review(&self, name: &'static str, file_name: &str, seed: &str) -> Target {
        let file = self.path(file_name);
        let path = file.clone();
        let bundle = Arc::clone(&self.bundle);
        Target {
            name,
            file,
            seeds: vec![seed.as_bytes().to_vec()],
            parse: Arc::new(move || {
                read_review_file(&path, &bundle)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }),
        }
    }

    /// Format `format` read from `input` (a file or folder of the export) while `file` is mutated.
    fn importer(&self, name: &'static str, format: Format, input: &str, file: &str) -> Target {
        self.importer_seeded(name, format, input, file, vec![self.read(file)])
    }

    fn importer_seeded(
        &self,
        name: &'static str,
        format: Format,
        input: &str,
        file: &str,
        seeds: Vec<Vec<u8>>,
    ) -> Target {
        let input = self.path(input);
        Target {
            name,
            file: self.path(file),
            seeds,
            parse: Arc::new(move || format.import(&input).map(drop).map_err(|e| e.to_string())),
        }
    }
}

/// A VIA 2 project of two sample images, as VIA writes one.
const VIA: &str = r#"{"_via_settings": {"core": {"default_filepath": ""}},
"_via_img_metadata": {
  "china.jpg427": {"filename": "sklearn_china_by_danielbuechele.jpg", "size": 427, "file_attributes": {},
    "regions": [{"shape_attributes": {"name": "polygon", "all_points_x": [0, 640, 640, 0], "all_points_y": [0, 0, 140, 146]},
                 "region_attributes": {"label": "sky"}},
                {"shape_attributes": {"name": "rect", "x": 61, "y": 27, "width": 311, "height": 400},
                 "region_attributes": {"label": {"building": true}}},
                {"shape_attributes": {"name": "ellipse", "cx": 300, "cy": 200, "rx": 20, "ry": 10, "theta": 0.3},
                 "region_attributes": {"label": "tree"}}]},
  "sunset.jpg1": {"filename": "sunset_by_Aitzol_Berasategi.jpg", "size": 1, "file_attributes": {},
    "regions": {"0": {"shape_attributes": {"name": "point", "cx": 10, "cy": 20}, "region_attributes": {"class": "sun"}}}}
}}"#;

fn targets(seeds: &Seeds) -> Vec<Target> {
    std::fs::write(seeds.path("export/coco/images/default/via.json"), VIA).unwrap();
    vec![
        seeds.manifest(),
        seeds.annotation_file(),
        seeds.journal(),
        seeds.review(
            "review-csv",
            "review.csv",
            "task_id,status,bonus,currency,reason\nchina,approved,0.10,USD,\"nice, clean\"\nsunset,rejected,,,blurry\n",
        ),
        seeds.review(
            "review-json",
            "review.json",
            r#"{"reviews": [{"task_id": "china", "status": "approved", "bonus": "0.10"}, {"task_id": "sunset", "status": "REJECTED", "reason": "blurry"}]}"#,
        ),
        seeds.importer(
            "coco",
            Format::Coco,
            "export/coco/annotations/instances_default.json",
            "export/coco/annotations/instances_default.json",
        ),
        seeds.importer(
            "labelme",
            Format::Labelme,
            "export/labelme",
            "export/labelme/sklearn_china_by_danielbuechele.json",
        ),
        seeds.importer(
            "labelme-file",
            Format::Labelme,
            "export/labelme/sunset_by_Aitzol_Berasategi.json",
            "export/labelme/sunset_by_Aitzol_Berasategi.json",
        ),
        seeds.importer(
            "yolo-labels",
            Format::YoloSeg,
            "yolo-seg",
            "yolo-seg/labels/train/sklearn_china_by_danielbuechele.txt",
        ),
        seeds.importer("yolo-yaml", Format::Yolo, "export/yolo", "export/yolo/data.yaml"),
        seeds.importer(
            "voc",
            Format::Voc,
            "export/voc",
            "export/voc/Annotations/sklearn_china_by_danielbuechele.xml",
        ),
        seeds.importer(
            "cvat",
            Format::Cvat,
            "export/cvat/annotations.xml",
            "export/cvat/annotations.xml",
        ),
        seeds.importer_seeded(
            "via",
            Format::Via,
            "export/coco/images/default/via.json",
            "export/coco/images/default/via.json",
            vec![VIA.as_bytes().to_vec()],
        ),
    ]
}

#[test]
fn every_parser_survives_mutated_real_inputs() {
    let cases: usize = std::env::var("CLICKWORK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let seed: u64 = std::env::var("CLICKWORK_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261203);
    let seeds = Seeds::new();
    let mut failures = Vec::new();
    println!("parser       cases  accepted  refused  panics  hangs  unnamed  slowest");
    // `CLICKWORK_FUZZ_ONLY=coco,voc` runs those parsers alone (a long run of one, a case to study).
    let only = std::env::var("CLICKWORK_FUZZ_ONLY").ok();
    for target in targets(&seeds) {
        if only
            .as_deref()
            .is_some_and(|only| !only.split(',').any(|n| n == target.name))
        {
            continue;
        }
        let tally = fuzz(&target, cases, seed);
        println!(
            "{:<12} {:>5}  {:>8}  {:>7}  {:>6}  {:>5}  {:>7}  {:>5} ms",
            target.name,
            tally.cases,
            tally.accepted,
            tally.refused,
            tally.panics.len(),
            tally.hangs.len(),
            tally.unnamed.len(),
            tally.slowest.as_millis()
        );
        for problem in tally
            .panics
            .iter()
            .chain(&tally.hangs)
            .chain(&tally.unnamed)
            .take(5)
        {
            failures.push(format!("{}: {problem}", target.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
