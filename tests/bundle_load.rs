//! Loading bundles through the library: the real sample bundle, the same bundle zipped, hostile zips,
//! huge image headers, image folders without a manifest, and every broken fixture.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

#[path = "fixtures/cases.rs"]
mod cases;

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use clickwork::domain::bundle::{Bundle, BundleErrors, LoadOptions, Progress, load_bundle};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_tasks")
        .join("landscapes")
}

fn load(path: &Path, cache: &Path) -> Result<Bundle, BundleErrors> {
    load_bundle(path, &LoadOptions::new(cache.to_path_buf()))
}

/// The sizes of the sample photos, read from their JPEG headers.
const SAMPLE_TASKS: [(&str, u32, u32); 6] = [
    ("aitzgorri", 3088, 2056),
    ("picosdeeuropa", 3264, 2448),
    ("sunset", 4272, 2848),
    ("life", 3088, 2056),
    ("bridge", 4352, 2448),
    ("china", 640, 427),
];

fn ids_and_sizes(bundle: &Bundle) -> Vec<(String, u32, u32)> {
    bundle
        .tasks
        .iter()
        .map(|t| (t.id.clone(), t.width, t.height))
        .collect()
}

#[test]
fn the_sample_bundle_loads() {
    let cache = tempfile::tempdir().unwrap();
    let bundle = load(&sample_dir(), cache.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bundle.id, "landscapes-sample");
    assert!(bundle.has_manifest);
    assert_eq!(bundle.labels.len(), 8);
    assert_eq!(
        bundle.label_for_hotkey(1).map(|l| l.name.as_str()),
        Some("sky")
    );
    let expected: Vec<(String, u32, u32)> = SAMPLE_TASKS
        .iter()
        .map(|(id, w, h)| (id.to_string(), *w, *h))
        .collect();
    assert_eq!(ids_and_sizes(&bundle), expected);
    for task in &bundle.tasks {
        assert!(
            task.image_path.starts_with(&bundle.root),
            "{}",
            task.image_path.display()
        );
        assert!(task.image_path.is_file());
    }
    let instructions = bundle.instructions.as_deref().unwrap_or_default();
    assert!(
        instructions.starts_with('#'),
        "instructions are read from the .md file: {instructions:?}"
    );
    let reward = bundle.reward.as_ref().unwrap();
    assert_eq!(
        (reward.per_task.to_string(), reward.currency.as_str()),
        ("0.05".to_owned(), "USD")
    );
    let manifest = fs::read(sample_dir().join("bundle.json")).unwrap();
    assert_eq!(bundle.manifest_sha256, sha256_hex(&manifest));
    // Loading a folder writes nothing to the cache (unless asked to remember the image headers).
    assert_eq!(fs::read_dir(cache.path()).unwrap().count(), 0);
}

/// Zips every file under `dir` into `zip_path`, under `prefix` (`""` or `"folder/"`). Stored, not
/// deflated: the photos are JPEGs already, and deflating megabytes in a debug build is slow.
#[test]
fn the_progress_counter_counts_every_image_of_a_manifest_and_of_a_folder() {
    let temp = tempfile::tempdir().unwrap();
    let progress = std::sync::Arc::new(Progress::default());
    let options = LoadOptions {
        progress: Some(progress.clone()),
        ..LoadOptions::new(temp.path().join("cache"))
    };
    let bundle = load_bundle(&sample_dir(), &options).unwrap();
    assert_eq!(progress.get(), (bundle.tasks.len(), bundle.tasks.len()));
    // A folder of images only: the same count, started afresh.
    let folder = temp.path().join("photos");
    fs::create_dir(&folder).unwrap();
    for task in bundle.tasks.iter().take(2) {
        fs::copy(
            &task.image_path,
            folder.join(task.image_path.file_name().unwrap()),
        )
        .unwrap();
    }
    load_bundle(&folder, &options).unwrap();
    assert_eq!(progress.get(), (2, 2));
}

fn zip_folder(dir: &Path, zip_path: &Path, prefix: &str) {
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = ZipWriter::new(File::create(zip_path).unwrap());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap();
            let name: Vec<String> = rel
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            zip.start_file(format!("{prefix}{}", name.join("/")), options)
                .unwrap();
            zip.write_all(&fs::read(&path).unwrap()).unwrap();
        }
    }
    zip.finish().unwrap();
}

#[test]
fn the_zipped_sample_loads_the_same_tasks() {
    let temp = tempfile::tempdir().unwrap();
    let cache = temp.path().join("cache");
    let from_folder = load(&sample_dir(), &cache).unwrap();
    for prefix in ["", "landscapes/"] {
        let zip_path = temp.path().join(format!("sample{}.zip", prefix.len()));
        zip_folder(&sample_dir(), &zip_path, prefix);
        let from_zip = load(&zip_path, &cache).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids_and_sizes(&from_zip), ids_and_sizes(&from_folder));
        assert_eq!(from_zip.manifest_sha256, from_folder.manifest_sha256);
        assert_eq!(from_zip.id, from_folder.id);
        assert_eq!(from_zip.instructions, from_folder.instructions);
        assert_eq!(from_zip.source, zip_path);
        assert!(
            from_zip
                .root
                .starts_with(cache.join("zip").canonicalize().unwrap())
        );
        // A second load reuses the extraction.
        let again = load(&zip_path, &cache).unwrap();
        assert_eq!(again.root, from_zip.root);
    }
    // Two complete extractions, no partial folder left behind.
    let extractions: Vec<_> = fs::read_dir(cache.join("zip"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(extractions.len(), 2, "{extractions:?}");
    assert!(
        extractions.iter().all(|name| name.len() == 16),
        "{extractions:?}"
    );
}

/// Every path under `dir`, to compare before and after.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn hostile_zip_entries_are_refused_and_nothing_is_written() {
    let temp = tempfile::tempdir().unwrap();
    // The zip sits two levels down so that `../` entries would land inside `temp`, where we can look.
    let work = temp.path().join("a").join("b");
    fs::create_dir_all(&work).unwrap();
    let cache = work.join("cache");
    let absolute_target = temp.path().join("absolute-evil.jpg");
    let png = fs::read(cases::fixtures_dir().join("bad-json/images/a.png")).unwrap();
    let evil_entries = [
        "../evil.jpg".to_owned(),
        "landscapes/../../evil2.jpg".to_owned(),
        absolute_target.to_string_lossy().into_owned(),
    ];
    for (i, evil) in evil_entries.iter().enumerate() {
        let zip_path = work.join(format!("evil{i}.zip"));
        let mut zip = ZipWriter::new(File::create(&zip_path).unwrap());
        for name in [
            "landscapes/bundle.json",
            "landscapes/images/a.png",
            evil.as_str(),
        ] {
            zip.start_file(name, SimpleFileOptions::default()).unwrap();
            zip.write_all(&png).unwrap();
        }
        zip.finish().unwrap();
        let before = tree(temp.path());
        let errors = load(&zip_path, &cache).unwrap_err();
        assert_eq!(errors.problems.len(), 1, "{errors}");
        let problem = &errors.problems[0];
        assert_eq!(problem.file, format!("{}!/{evil}", zip_path.display()));
        assert!(problem.message.contains("refusing to extract"), "{problem}");
        assert_eq!(
            tree(temp.path()),
            before,
            "loading {evil} changed the file system"
        );
        assert!(!cache.exists());
    }
    assert!(!absolute_target.exists());
}

#[test]
fn symlink_entries_in_a_zip_are_refused() {
    let temp = tempfile::tempdir().unwrap();
    let zip_path = temp.path().join("links.zip");
    let mut zip = ZipWriter::new(File::create(&zip_path).unwrap());
    zip.add_symlink(
        "sky/images/a.png",
        "/etc/passwd",
        SimpleFileOptions::default(),
    )
    .unwrap();
    zip.finish().unwrap();
    let errors = load(&zip_path, &temp.path().join("cache")).unwrap_err();
    assert_eq!(errors.problems.len(), 1, "{errors}");
    assert!(
        errors.problems[0]
            .file
            .ends_with("links.zip!/sky/images/a.png"),
        "{errors}"
    );
    assert!(
        errors.problems[0].message.contains("symbolic link"),
        "{errors}"
    );
}

/// CRC-32 (IEEE 802.3), as PNG chunks carry.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG that claims `width`×`height` RGB pixels and carries (almost) none.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn a_huge_png_header_is_refused_without_decoding() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("huge");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("huge.png"), png_header_only(100_000, 100_000)).unwrap();
    // Decoding would need 30 GB; the check reads the 33-byte header and stops.
    let errors = load(&folder, &temp.path().join("cache")).unwrap_err();
    assert_eq!(errors.problems.len(), 1, "{errors}");
    let message = errors.to_string();
    assert!(message.contains("huge.png"), "{message}");
    assert!(message.contains("100000×100000"), "{message}");
    assert!(
        message.contains("--max-pixels") && message.contains("CLICKWORK_MAX_PIXELS"),
        "{message}"
    );

    // Raising the limit lets it through (it is never decoded here either).
    let options = LoadOptions {
        max_pixels: 10_000_000_000,
        ..LoadOptions::new(temp.path().join("cache"))
    };
    let bundle = load_bundle(&folder, &options).unwrap();
    assert_eq!(
        (bundle.tasks[0].width, bundle.tasks[0].height),
        (100_000, 100_000)
    );
}

#[test]
fn an_image_folder_without_manifest_loads_in_natural_order() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("Holiday Photos");
    fs::create_dir(&folder).unwrap();
    let png = png_header_only(4, 3);
    for name in ["img10.png", "img2.png", "IMG1.png", "img1.png"] {
        fs::write(folder.join(name), &png).unwrap();
    }
    // Not images, whatever their names: ignored.
    fs::write(folder.join("img3.png"), "a text file").unwrap();
    fs::write(folder.join("notes.md"), "# notes").unwrap();
    fs::write(
        folder.join("labels.txt"),
        "# Things to outline\nsky\n\nmountain\n  cloud\n",
    )
    .unwrap();
    let bundle = load(&folder, &temp.path().join("cache")).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = bundle.tasks.iter().map(|t| t.id.as_str()).collect();
    // `IMG1.png` and `img1.png` would share one annotation file on a case-insensitive file system.
    // The number goes before the extension, so the id still reads as the file it is.
    assert_eq!(ids, ["IMG1.png", "img1-2.png", "img2.png", "img10.png"]);
    assert_eq!(bundle.tasks[1].image, "img1.png");
    assert!(bundle.tasks.iter().all(|t| (t.width, t.height) == (4, 3)));
    let labels: Vec<&str> = bundle.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(labels, ["sky", "mountain", "cloud"]);
    let mut colors: Vec<[u8; 3]> = bundle.labels.iter().map(|l| l.color).collect();
    colors.dedup();
    assert_eq!(colors.len(), 3, "each label gets its own colour");
    assert_eq!(
        bundle.label_for_hotkey(3).map(|l| l.name.as_str()),
        Some("cloud")
    );
    assert_eq!(bundle.title, "Holiday Photos");
    let digest = sha256_hex(folder.canonicalize().unwrap().to_string_lossy().as_bytes());
    assert_eq!(bundle.id, format!("holiday-photos-{}", &digest[..8]));
    assert!(!bundle.has_manifest);
}

/// A bundle whose tasks prefill from a LabelMe file and from a shared COCO file, as a requester
/// preparing correction tasks from another tool's output would write it.
#[test]
fn tasks_prefill_from_labelme_and_coco_files() {
    use clickwork::domain::geometry::{Point, Shape};

    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("review");
    fs::create_dir_all(folder.join("images")).unwrap();
    fs::create_dir_all(folder.join("prefill")).unwrap();
    for name in ["alps.png", "pyrenees.png", "tatra.png"] {
        fs::write(folder.join("images").join(name), png_header_only(640, 480)).unwrap();
    }
    // As labelme 5 saves it: a rectangle as 2 corners, flags per shape, imagePath beside the images.
    fs::write(
        folder.join("prefill/alps.json"),
        r#"{
  "version": "5.5.0",
  "flags": {},
  "shapes": [
    {"label": "sky", "points": [[0.0, 0.0], [640.0, 180.5]], "group_id": null,
     "description": "", "shape_type": "rectangle", "flags": {"occluded": false}},
    {"label": "mountain", "points": [[0.0, 400.0], [210.0, 150.0], [460.0, 390.0]],
     "group_id": null, "description": "", "shape_type": "polygon", "flags": {}},
    {"label": "hut", "points": [[300.0, 350.0]], "group_id": null, "description": "",
     "shape_type": "point", "flags": {}}
  ],
  "imagePath": "../images/alps.png",
  "imageData": null,
  "imageHeight": 480,
  "imageWidth": 640
}"#,
    )
    .unwrap();
    // As a detector's export: ids from 0, images named by a folder of the exporter's own.
    fs::write(
        folder.join("prefill/instances.json"),
        r#"{
  "info": {"description": "detector run 14"},
  "images": [
    {"id": 0, "file_name": "val/pyrenees.png", "width": 640, "height": 480},
    {"id": 1, "file_name": "val/tatra.png", "width": 640, "height": 480},
    {"id": 2, "file_name": "val/unused.png", "width": 640, "height": 480}
  ],
  "categories": [
    {"id": 0, "name": "sky", "supercategory": ""},
    {"id": 1, "name": "mountain", "supercategory": ""}
  ],
  "annotations": [
    {"id": 0, "image_id": 0, "category_id": 1, "bbox": [10.0, 200.0, 300.0, 150.0],
     "segmentation": [[10.0, 350.0, 160.0, 200.0, 310.0, 350.0]], "area": 22500.0, "iscrowd": 0},
    {"id": 1, "image_id": 0, "category_id": 0, "bbox": [0.0, 0.0, 640.0, 120.0],
     "segmentation": [], "area": 76800.0, "iscrowd": 0},
    {"id": 2, "image_id": 2, "category_id": 0, "bbox": [1.0, 1.0, 2.0, 2.0],
     "segmentation": [], "area": 4.0, "iscrowd": 0}
  ]
}"#,
    )
    .unwrap();
    fs::write(
        folder.join("bundle.json"),
        r##"{
  "format": "clickwork-bundle/1",
  "id": "review-1",
  "title": "Check the detector's outlines",
  "labels": [
    {"name": "sky", "color": "#4a90d9"},
    {"name": "mountain", "color": "#f08a2b"},
    {"name": "hut", "color": "#e055e0"}
  ],
  "tasks": [
    {"id": "alps", "image": "images/alps.png", "prefill": {"labelme": "prefill/alps.json"}},
    {"id": "pyrenees", "image": "images/pyrenees.png", "prefill": {"coco": "prefill/instances.json"}},
    {"id": "tatra", "image": "images/tatra.png", "prefill": {"coco": "prefill/instances.json"}}
  ]
}"##,
    )
    .unwrap();

    let bundle = load(&folder, &temp.path().join("cache")).unwrap_or_else(|e| panic!("{e}"));
    let p = Point::new;
    let summary = |id: &str| -> Vec<(String, String, Shape)> {
        bundle
            .task(id)
            .unwrap()
            .regions
            .iter()
            .map(|r| (r.id.clone(), r.label.clone(), r.shape.clone()))
            .collect()
    };
    let owned = |id: &str, label: &str, shape: Shape| (id.to_owned(), label.to_owned(), shape);
    assert_eq!(
        summary("alps"),
        [
            owned("r1", "sky", Shape::rectangle(p(0.0, 0.0), p(640.0, 180.5))),
            owned(
                "r2",
                "mountain",
                Shape::Polygon {
                    points: vec![p(0.0, 400.0), p(210.0, 150.0), p(460.0, 390.0)]
                }
            ),
            owned(
                "r3",
                "hut",
                Shape::Point {
                    at: p(300.0, 350.0)
                }
            ),
        ]
    );
    let alps = bundle.task("alps").unwrap();
    assert_eq!(
        alps.regions[0].attributes.get("occluded"),
        Some(&serde_json::Value::Bool(false))
    );
    assert_eq!(
        summary("pyrenees"),
        [
            owned(
                "r1",
                "mountain",
                Shape::Polygon {
                    points: vec![p(10.0, 350.0), p(160.0, 200.0), p(310.0, 350.0)]
                }
            ),
            owned("r2", "sky", Shape::rectangle(p(0.0, 0.0), p(640.0, 120.0))),
        ]
    );
    // An image of the file without annotations prefills nothing.
    assert_eq!(summary("tatra"), []);
}

#[test]
fn every_fixture_folder_has_a_case() {
    let mut folders: Vec<String> = fs::read_dir(cases::fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut names: Vec<String> = cases::CASES.iter().map(|c| c.name.to_owned()).collect();
    names.sort();
    assert_eq!(folders, names);
    assert!(names.len() >= 15);
}

#[test]
fn every_fixture_reports_all_its_problems() {
    let cache = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases::CASES {
        let prepared = cases::prepare(case.name);
        let errors = match load(&prepared.path, cache.path()) {
            Ok(_) => {
                failures.push(format!("{}: loaded without problems", case.name));
                continue;
            }
            Err(errors) => errors,
        };
        let text = errors.to_string();
        if errors.problems.len() != case.problems {
            failures.push(format!(
                "{}: {} problems, expected {}:\n{text}",
                case.name,
                errors.problems.len(),
                case.problems
            ));
        }
        for needle in case.expect {
            if !text.contains(needle) {
                failures.push(format!(
                    "{}: no problem mentions {needle:?}:\n{text}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
