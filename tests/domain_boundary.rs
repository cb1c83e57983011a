//! The domain stays UI-free: no file under `src/domain/` may mention egui or eframe.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn domain_never_imports_egui_or_eframe() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() >= 5,
        "expected the domain's files under {}",
        root.display()
    );
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            // Comments may name the UI crates (to say they are not used); code may not.
            std::fs::read_to_string(f).unwrap().lines().any(|line| {
                let code = line.trim_start();
                !code.starts_with("//") && (code.contains("egui") || code.contains("eframe"))
            })
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "UI crates mentioned in the domain: {offenders:?}"
    );
}
