use super::*;
use crate::domain::formats::test_data::{arb_dataset, assert_same_regions, p, sample};
use proptest::prelude::*;

fn png(path: &Path, w: u32, h: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::new(w, h).save(path).unwrap();
}

#[test]
fn detection_lines_are_normalised_centre_boxes_with_six_decimals() {
    let ds = sample();
    let (text, written, points, clamped) =
        label_file(&ds.images[0], &ds.category_indices(), Task::Detect);
    assert_eq!((written, points, clamped), (2, 1, 0));
    let lines: Vec<&str> = text.lines().collect();
    // The sky polygon's box: x 0-640, y 0-146 of 640x427.
    assert_eq!(lines[0], "0 0.500000 0.170960 1.000000 0.341920");
    // The building: (61.5, 27)-(372, 427).
    assert_eq!(lines[1], "1 0.338672 0.531616 0.485156 0.936768");
}

#[test]
fn segmentation_lines_give_every_vertex_and_rectangles_as_corners() {
    let ds = sample();
    let (text, _, _, clamped) = label_file(&ds.images[1], &ds.category_indices(), Task::Segment);
    assert_eq!(clamped, 1);
    // (30, -2)-(10, 8) in 32x16, clamped to y >= 0.
    assert_eq!(
        text,
        "2 0.312500 0.000000 0.937500 0.000000 0.937500 0.500000 0.312500 0.500000\n"
    );
}

#[test]
fn data_yaml_names_every_class_in_order() {
    let ds = sample();
    let yaml = data_yaml(&ds, Path::new("/data/out"), Task::Detect);
    assert!(
        yaml.contains("path: \"/data/out\"\ntrain: images/train\nval: images/train\n"),
        "{yaml}"
    );
    assert!(
        yaml.ends_with("names:\n  0: \"sky\"\n  1: \"building\"\n  2: \"tree\"\n"),
        "{yaml}"
    );
    assert_eq!(
        parse_yaml_names(&yaml).unwrap().unwrap(),
        vec!["sky", "building", "tree"]
    );
}

#[test]
fn every_image_gets_a_label_file_even_without_regions() {
    let mut ds = sample();
    ds.images[1].regions.clear();
    let options = ExportOptions {
        copy_images: false,
        out_dir: "/out".into(),
    };
    let out = export(&ds, &options, Task::Detect);
    let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "data.yaml",
            "labels/train/china.txt",
            "labels/train/empty.txt"
        ]
    );
    assert_eq!(out.files[2].as_bytes(), Some(&b""[..]));
}

#[test]
fn yaml_names_in_the_forms_datasets_use() {
    assert_eq!(
        parse_yaml_names("path: ../x\nnames: ['a b', \"c\", d]  # three\n")
            .unwrap()
            .unwrap(),
        vec!["a b", "c", "d"]
    );
    assert_eq!(
        parse_yaml_names("names:\n  - person\n  - 'bi#cycle'\nnc: 2\n")
            .unwrap()
            .unwrap(),
        vec!["person", "bi#cycle"]
    );
    assert_eq!(
        parse_yaml_names("names:\n  0: person\n  2: car # comment\ntrain: x\n")
            .unwrap()
            .unwrap(),
        vec!["person", "class-1", "car"]
    );
    assert_eq!(parse_yaml_names("train: x\n"), Ok(None));
    // Found by the fuzz test: a corrupt index once asked for 10^12 classes and aborted the process.
    let err = parse_yaml_names("names:\n  0: sky\n  999999999999: cloud\n").unwrap_err();
    assert!(err.contains("999999999999"), "{err}");
}

#[test]
fn a_wild_dataset_is_read_and_every_change_reported() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::write(r.join("dataset.yaml"), "names:\n  0: person\n  1: car\n").unwrap();
    png(&r.join("images/val/a.png"), 200, 100);
    png(&r.join("images/val/background.png"), 20, 10);
    std::fs::create_dir_all(r.join("labels/val")).unwrap();
    std::fs::write(
        r.join("labels/val/a.txt"),
        "0 0.5 0.5 0.2 0.4\n\
         1 0.1 0.1 0.3 0.1 0.2 0.3 0.1 0.1\n\
         4 0.5 0.5 1.4 0.2\n\
         1 0.5 0.5 0.1 0.1 0.93\n\
         x 1 2 3 4\n\
         0 0.5 0.5\n\
         99999999 0.5 0.5 0.1 0.1\n",
    )
    .unwrap();
    std::fs::write(r.join("labels/val/orphan.txt"), "0 0.5 0.5 0.1 0.1\n").unwrap();
    let (ds, report) = import(r).unwrap();
    let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["person", "car", "class-2", "class-3", "class-4"]);
    assert_eq!(ds.images.len(), 2);
    let a = &ds.images[0];
    assert_eq!(a.file_name, "images/val/a.png");
    assert_eq!((a.width, a.height), (200, 100));
    assert_eq!(a.regions.len(), 4);
    assert_eq!(
        a.regions[0].shape,
        Shape::rectangle(p(80.0, 30.0), p(120.0, 70.0))
    );
    assert_eq!(a.regions[1].shape.kind().name(), "polygon");
    assert_eq!(a.regions[2].label, "class-4");
    assert_eq!(
        a.regions[2].shape,
        Shape::rectangle(p(0.0, 40.0), p(200.0, 60.0))
    );
    assert!(ds.images[1].regions.is_empty());
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("orphan.txt: no image of the same name"), "{text:#?}");
    assert!(has("line 3: class 4 has no name"), "{text:#?}");
    assert!(
        has("clamped") && has("line 3 on images/val/a.png: 2 points"),
        "{text:#?}"
    );
    assert!(has("line 4: a sixth value"), "{text:#?}");
    assert!(has("line 5: class \"x\" is not a number"), "{text:#?}");
    assert!(has("line 6: 2 numbers after the class"), "{text:#?}");
    assert!(
        has("line 7: class 99999999 is far past the 5 named classes"),
        "{text:#?}"
    );
}

fn round_trip(ds: &Dataset, task: Task) -> Dataset {
    let indices = ds.category_indices();
    let mut back = Dataset {
        categories: ds.categories.clone(),
        images: Vec::new(),
    };
    for image in &ds.images {
        let (text, ..) = label_file(image, &indices, task);
        let mut read = DatasetImage {
            regions: Vec::new(),
            ..image.clone()
        };
        let mut report = ImportReport::default();
        read_lines(&text, Path::new("x.txt"), &mut read, &mut back, &mut report);
        back.images.push(read);
    }
    back
}

proptest! {
    // Six decimals of a coordinate normalised by the image size: within half a millionth of the size.
    #[test]
    fn segmentation_round_trips_within_the_precision_of_six_decimals(ds in arb_dataset()) {
        let back = round_trip(&ds, Task::Segment);
        for (a, b) in ds.images.iter().zip(&back.images) {
            let tolerance = 0.5e-6 * f64::from(a.width.max(a.height)) + 1e-9;
            let one = Dataset { categories: ds.categories.clone(), images: vec![a.clone()] };
            let other = Dataset { categories: back.categories.clone(), images: vec![b.clone()] };
            assert_same_regions(&one, &other, tolerance, |s| match s {
                Shape::Point { .. } => None,
                other => Some(other.clone()),
            })?;
        }
    }

    #[test]
    fn detection_round_trips_as_bounding_boxes(ds in arb_dataset()) {
        let back = round_trip(&ds, Task::Detect);
        for (a, b) in ds.images.iter().zip(&back.images) {
            // The centre and size are each rounded, so an edge moves by up to two roundings.
            let tolerance = 1e-6 * f64::from(a.width.max(a.height)) + 1e-9;
            let one = Dataset { categories: ds.categories.clone(), images: vec![a.clone()] };
            let other = Dataset { categories: back.categories.clone(), images: vec![b.clone()] };
            assert_same_regions(&one, &other, tolerance, |s| match s {
                Shape::Point { .. } => None,
                other => { let b = other.bbox(); Some(Shape::rectangle(b.min, b.max)) }
            })?;
        }
    }
}

#[test]
fn a_box_wholly_outside_the_image_is_left_out_and_said_so() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::write(r.join("data.yaml"), "names: [person]\n").unwrap();
    png(&r.join("images/a.png"), 200, 100);
    std::fs::create_dir_all(r.join("labels")).unwrap();
    // The first box is inside; the second lies wholly right of the image (cx 1.5).
    std::fs::write(
        r.join("labels/a.txt"),
        "0 0.5 0.5 0.2 0.4\n0 1.5 0.5 0.2 0.4\n",
    )
    .unwrap();
    let (ds, report) = import(r).unwrap();
    assert_eq!(ds.images[0].regions.len(), 1, "no zero-width box is kept");
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    assert!(
        text.iter().any(|t| t.contains("dropped")
            && t.contains("line 2 on images/a.png: lies wholly outside the 200x100 image")),
        "{text:#?}"
    );
}
