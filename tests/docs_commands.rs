//! The example commands of README.md and docs/ run as written (with `path/to/bundle` standing for the
//! sample bundle) against the real binary, and each exits 0 with the output it promises. A command
//! renamed or a flag dropped breaks this test before it breaks a new user.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use chrono::{Duration, TimeZone, Utc};
use clickwork::domain::annotation::Region;
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use common::worker_id;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_tasks/landscapes");

/// The commands of the ```sh blocks of `doc` that start with `prefix`, as argument lists, with the
/// shell comment cut off.
fn commands(doc: &str, prefix: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(doc)).unwrap();
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        let Some(rest) = line.strip_prefix(prefix).filter(|_| in_block) else {
            continue;
        };
        let command = rest.split(" #").next().unwrap_or_default();
        out.push(words(command));
    }
    out
}

/// `command` split into words as a shell would, for the docs' needs: spaces, and "double quotes".
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// One submitted task in `data`, so that report, export and submit have work to show.
fn some_work(data: &Path) {
    let bundle = load_bundle(Path::new(SAMPLE), &LoadOptions::new(data.join("cache"))).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    let (mut session, _) = Session::open(bundle, data, Saver::new(), &worker_id(data), t0).unwrap();
    let region = Region::new(
        session.new_region_id(),
        "sky",
        Shape::rectangle(Point::new(0.0, 0.0), Point::new(100.0, 80.0)),
    );
    let add = Edit::AddRegion {
        region,
        index: None,
    };
    session.apply(add, t0 + Duration::seconds(20)).unwrap();
    session.submit(t0 + Duration::seconds(30)).unwrap();
    session.end(t0 + Duration::seconds(31));
    session.flush();
}

fn run(args: &[String], cwd: &Path, data: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .args(args)
        .current_dir(cwd)
        .env("CLICKWORK_DATA_DIR", data)
        .env_remove("CLICKWORK_MAX_PIXELS")
        .output()
        .unwrap();
    let stderr = common::text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    (
        out.status.code().unwrap_or(-1),
        format!("{}{stderr}", common::text(&out.stdout)),
    )
}

#[test]
fn the_readme_and_docs_example_commands_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("work");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&cwd).unwrap();
    some_work(&data);
    // The README's review file: the requester approves the task done above.
    std::fs::write(
        cwd.join("review.csv"),
        "task_id,status\naitzgorri,approved\n",
    )
    .unwrap();

    let mut listed = commands("README.md", "cargo run --release -- ");
    listed.extend(commands("docs/bundle-format.md", "clickwork "));
    listed.extend(commands("docs/requester.md", "clickwork "));
    let mut ran = Vec::new();
    let mut window = 0;
    for mut args in listed {
        for arg in &mut args {
            if arg == "path/to/bundle" {
                *arg = SAMPLE.to_owned();
            }
            if arg == "path/to/images" {
                *arg = format!("{SAMPLE}/images");
            }
        }
        let first = args.first().cloned().unwrap_or_default();
        if Path::new(&first).exists() {
            // `cargo run --release -- BUNDLE` opens the window: there is no display to open it on.
            window += 1;
            continue;
        }
        if first == "convert" && !cwd.join("in").exists() {
            // The README's `in/` is any LabelMe folder: the one the export above wrote.
            std::fs::rename(cwd.join("labels/labelme"), cwd.join("in")).unwrap();
        }
        let (code, output) = run(&args, &cwd, &data);
        assert_eq!(code, 0, "{args:?}:\n{output}");
        ran.push(first);
    }
    assert_eq!(window, 1, "the README opens one bundle in the window");
    assert_eq!(
        ran,
        [
            "validate", "report", "report", "worklog", "review", "export", "convert", "submit",
            "merge", "bundle", "bundle", "--help", "validate", "bundle", "validate", "bundle"
        ]
    );
    for promised in [
        "tasks.csv",
        "labels/coco",
        "labels/yolo",
        "out",
        "work.zip",
        "merged/agreement.json",
        "merged/report.md",
        "new-bundle/bundle.json",
        "skies.zip",
        "parts/split.json",
        "worker-bundles/part04/bundle.json",
        "parts/part03/bundle.json",
    ] {
        assert!(cwd.join(promised).exists(), "{promised} was not written");
    }
    let reviews =
        std::fs::read_to_string(data.join("work/landscapes-sample/reviews.json")).unwrap();
    assert!(reviews.contains("approved"), "{reviews}");
}
