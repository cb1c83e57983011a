//! `clickwork validate` run as a process: the sample bundle passes, every broken fixture fails with exit
//! code 1 and names what is wrong, usage errors exit 2, and nothing panics.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

#[path = "fixtures/cases.rs"]
mod cases;

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `clickwork validate <args>` from the crate root with a fresh data folder and no pixel limit
/// from the environment.
fn validate(args: &[&str], data_dir: &Path) -> Output {
    let all: Vec<&str> = std::iter::once("validate")
        .chain(args.iter().copied())
        .collect();
    common::clickwork(&all, data_dir)
}

use common::text;

#[test]
fn the_sample_bundle_is_valid() {
    let data = tempfile::tempdir().unwrap();
    let output = validate(&["sample_tasks/landscapes"], data.path());
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&output.stderr)
    );
    assert!(
        stdout.contains("Landscapes: outline sky, clouds and mountains"),
        "{stdout}"
    );
    let tasks_line = stdout
        .lines()
        .find(|l| l.starts_with("tasks:"))
        .unwrap_or_default();
    assert!(tasks_line.contains('6'), "{stdout}");
    for label in [
        "sky", "cloud", "mountain", "snow", "tree", "water", "building", "grass",
    ] {
        assert!(
            stdout.contains(label),
            "label {label} missing from:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("0.05") && stdout.contains("USD"),
        "{stdout}"
    );
}

#[test]
fn every_fixture_fails_and_names_the_problem() {
    let data = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases::CASES {
        let prepared = cases::prepare(case.name);
        // Fixtures are named relative to the crate root, as a requester would type them.
        let relative = format!("tests/fixtures/{}", case.name);
        let arg = if prepared.path.starts_with(cases::fixtures_dir()) {
            relative.clone()
        } else {
            prepared.path.display().to_string()
        };
        let output = validate(&[&arg], data.path());
        let stderr = text(&output.stderr);
        if output.status.code() != Some(1) {
            failures.push(format!(
                "{}: exit code {:?}, expected 1:\n{stderr}",
                case.name,
                output.status.code()
            ));
            continue;
        }
        let plural = if case.problems == 1 { "" } else { "s" };
        let header = format!("error: {arg}: {} problem{plural}", case.problems);
        if stderr.lines().next() != Some(header.as_str()) {
            failures.push(format!(
                "{}: first line is not {header:?}:\n{stderr}",
                case.name
            ));
        }
        if stderr.lines().count() != case.problems + 1 {
            failures.push(format!(
                "{}: expected one line a problem:\n{stderr}",
                case.name
            ));
        }
        for needle in case.expect {
            if !stderr.contains(needle) {
                failures.push(format!(
                    "{}: stderr does not mention {needle:?}:\n{stderr}",
                    case.name
                ));
            }
        }
        if !output.stdout.is_empty() {
            failures.push(format!(
                "{}: printed to stdout:\n{}",
                case.name,
                text(&output.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_pixel_limit_can_be_raised_by_flag_or_environment() {
    let data = tempfile::tempdir().unwrap();
    let huge = "tests/fixtures/huge-png-header";
    // Only the huge image is wrong in that fixture, so raising the limit makes it valid.
    let flag = validate(&[huge, "--max-pixels", "10000000000"], data.path());
    assert_eq!(flag.status.code(), Some(0), "{}", text(&flag.stderr));

    let env = Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["validate", huge, "--data-dir"])
        .arg(data.path())
        .env("CLICKWORK_MAX_PIXELS", "10000000000")
        .output()
        .unwrap();
    assert_eq!(env.status.code(), Some(0), "{}", text(&env.stderr));

    let lowered = validate(
        &["sample_tasks/landscapes", "--max-pixels", "1000"],
        data.path(),
    );
    assert_eq!(lowered.status.code(), Some(1));
    assert_eq!(
        text(&lowered.stderr).lines().count(),
        7,
        "{}",
        text(&lowered.stderr)
    );
}

#[test]
fn a_hostile_zip_fails_and_names_the_entry() {
    let temp = tempfile::tempdir().unwrap();
    let zip_path = temp.path().join("evil.zip");
    let mut zip = zip::ZipWriter::new(File::create(&zip_path).unwrap());
    for name in ["b/bundle.json", "../evil.jpg"] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"{}").unwrap();
    }
    zip.finish().unwrap();
    let data = temp.path().join("data");
    let output = validate(&[&zip_path.display().to_string()], &data);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("evil.zip!/../evil.jpg"), "{stderr}");
    assert!(!temp.path().join("evil.jpg").exists());
}

#[test]
fn a_zipped_fixture_names_files_inside_the_zip() {
    let temp = tempfile::tempdir().unwrap();
    let zip_path = temp.path().join("missing.zip");
    let fixture = cases::fixtures_dir().join("missing-image");
    let mut zip = zip::ZipWriter::new(File::create(&zip_path).unwrap());
    for rel in ["bundle.json", "images/a.png"] {
        zip.start_file(
            format!("missing-image/{rel}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&std::fs::read(fixture.join(rel)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let data = temp.path().join("data");
    let output = validate(&[&zip_path.display().to_string()], &data);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("missing.zip!/missing-image/bundle.json:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("missing.zip!/missing-image/images/gone.png"),
        "{stderr}"
    );
    // The extraction lives in the data folder's cache.
    assert!(data.join("cache").join("zip").is_dir());
}

#[test]
fn usage_errors_exit_2() {
    let data = tempfile::tempdir().unwrap();
    for args in [&[][..], &["sample_tasks/landscapes", "--no-such-flag"][..]] {
        let output = validate(args, data.path());
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&output.stderr)
        );
    }
}

#[test]
fn an_empty_max_pixels_variable_counts_as_unset() {
    let data = tempfile::tempdir().unwrap();
    let run = |value: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_clickwork"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["validate", "sample_tasks/landscapes", "--data-dir"])
            .arg(data.path())
            .env("CLICKWORK_MAX_PIXELS", value)
            .output()
            .unwrap()
    };
    assert_eq!(run("").status.code(), Some(0), "empty: the default limit");
    assert_eq!(run("  ").status.code(), Some(0), "blank: the default limit");
    let small = run("100");
    assert_eq!(small.status.code(), Some(1), "a set limit still applies");
    assert!(String::from_utf8_lossy(&small.stderr).contains("--max-pixels"));
    let bad = run("lots");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("CLICKWORK_MAX_PIXELS=\"lots\""));
}

#[test]
fn the_summary_gives_small_bundles_a_size_and_lines_up_every_value() {
    let data = tempfile::tempdir().unwrap();
    let root = data.path().join("small");
    common::write_bundle(
        &root,
        &serde_json::json!({
            "format": "clickwork-bundle/1",
            "id": "small",
            "title": "Small",
            "requester": "A lab",
            "labels": [{"name": "sky", "color": "#4a90d9"}],
            "tasks": [{"id": "a", "image": "a.png"}, {"id": "b", "image": "b.png"}]
        }),
        (80, 30),
    );
    let (code, stdout, stderr) = common::run(&["validate", root.to_str().unwrap()], data.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2 (4,800 pixels in all)"), "{stdout}");
    let columns: Vec<usize> = stdout
        .lines()
        .skip(1)
        .map(|l| {
            l.find(": ").map_or(0, |i| {
                i + 2 + l[i + 2..].len() - l[i + 2..].trim_start().len()
            })
        })
        .collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{stdout}");
}
