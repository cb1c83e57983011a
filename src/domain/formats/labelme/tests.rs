use super::*;
use crate::domain::formats::test_data::{arb_dataset, assert_same_regions, p, sample};
use proptest::prelude::*;

fn read_back(bytes: &[u8], file: &Path) -> (DatasetImage, ImportReport) {
    let raw: RawFile = serde_json::from_slice(bytes).unwrap();
    let mut report = ImportReport::default();
    let mut missing = Vec::new();
    let image = read_one(
        raw,
        file,
        &Root::new(Path::new("/nowhere")),
        &mut report,
        &mut missing,
    );
    (image, report)
}

#[test]
fn files_have_every_key_labelme_needs() {
    let ds = sample();
    let mut summary = ExportSummary::default();
    let bytes = to_json(&ds.images[0], "../images/china.jpg".into(), &mut summary);
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["version"], VERSION);
    assert_eq!(json["flags"], serde_json::json!({}));
    assert_eq!(json["imagePath"], "../images/china.jpg");
    assert!(json["imageData"].is_null());
    assert_eq!(
        (json["imageWidth"].as_u64(), json["imageHeight"].as_u64()),
        (Some(640), Some(427))
    );
    let shapes = json["shapes"].as_array().unwrap();
    let types: Vec<&str> = shapes
        .iter()
        .map(|s| s["shape_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["polygon", "rectangle", "point"]);
    assert_eq!(
        shapes[1]["points"],
        serde_json::json!([[61.5, 27.0], [372.0, 427.0]])
    );
    assert_eq!(shapes[1]["flags"], serde_json::json!({"occluded": true}));
    assert!(shapes[1]["group_id"].is_null());
    assert_eq!(shapes[1]["description"], "");
    assert_eq!(summary.regions, 3);
}

#[test]
fn rectangles_are_written_top_left_first_and_clamped() {
    let ds = sample();
    let mut summary = ExportSummary::default();
    let bytes = to_json(&ds.images[1], "empty.png".into(), &mut summary);
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        json["shapes"][0]["points"],
        serde_json::json!([[10.0, 0.0], [30.0, 8.0]])
    );
    assert_eq!(summary.clamped_regions, 1);
}

#[test]
fn image_paths_point_at_the_bundle_or_at_the_copy() {
    let mut ds = sample();
    ds.images[0].source = Some("/work/bundle/images/china.jpg".into());
    let linked = export(
        &ds,
        &ExportOptions {
            copy_images: false,
            out_dir: "/work/out/labelme".into(),
        },
    );
    let json: Value = serde_json::from_slice(linked.files[0].as_bytes().unwrap()).unwrap();
    assert_eq!(json["imagePath"], "../../bundle/images/china.jpg");
    let copied = export(
        &ds,
        &ExportOptions {
            copy_images: true,
            out_dir: "/work/out".into(),
        },
    );
    let paths: Vec<&str> = copied.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["china.jpg", "china.json", "empty.json"]);
    let json: Value = serde_json::from_slice(copied.files[1].as_bytes().unwrap()).unwrap();
    assert_eq!(json["imagePath"], "china.jpg");
}

#[test]
fn wild_shapes_are_read_and_every_change_reported() {
    let text = r#"{"version": "4.5.6", "flags": {}, "imagePath": "..\\img\\a.jpg", "imageData": null,
      "imageHeight": 50, "imageWidth": 100,
      "shapes": [
        {"label": "car", "points": [[10, 10], [5, 2]], "shape_type": "rectangle", "flags": {"truncated": true}},
        {"label": "car", "points": [[0, 0], [10, 0], [10, 10], [0, 10]], "shape_type": "rectangle"},
        {"label": "road", "points": [[0, 0], [120, 0], [0, 10], [120, 10]], "shape_type": "polygon", "group_id": 3},
        {"label": "sign", "points": [[50, 25], [60, 25]], "shape_type": "circle"},
        {"label": "wire", "points": [[0, 0], [5, 5]], "shape_type": "line"},
        {"label": "stop", "points": [[1, 1], [2, 2]], "shape_type": "points"},
        {"label": "bad", "points": [[1, 1], [2, 2]], "shape_type": "polygon"},
        {"label": "eye", "points": [[3, 4]]}
      ]}"#;
    let (image, report) = read_back(text.as_bytes(), Path::new("/x/a.json"));
    let kinds: Vec<&str> = image
        .regions
        .iter()
        .map(|r| r.shape.kind().name())
        .collect();
    assert_eq!(
        kinds,
        [
            "rectangle",
            "rectangle",
            "polygon",
            "polygon",
            "point",
            "point"
        ]
    );
    assert_eq!(
        image.regions[0].shape,
        Shape::rectangle(p(10.0, 10.0), p(5.0, 2.0))
    );
    assert_eq!(
        image.regions[0].attributes.get("truncated"),
        Some(&Value::Bool(true))
    );
    assert_eq!(image.regions[3].shape.points().len(), 32);
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("shape 2 (car): a rectangle of 4 points; took their bounding box"),
        "{text:#?}"
    );
    assert!(has("clamped: /x/a.json: shape 3"), "{text:#?}");
    assert!(has("kept: /x/a.json: shape 3 on"), "{text:#?}");
    assert!(
        has("shape 4 (sign): circle imported as a 32-sided polygon"),
        "{text:#?}"
    );
    assert!(has("shape 5 (wire): shape type \"line\""), "{text:#?}");
    assert!(
        has("shape 6 (stop): 2 points imported as 2 point regions"),
        "{text:#?}"
    );
    assert!(
        has("shape 7 (bad): a polygon cannot have 2 points"),
        "{text:#?}"
    );
    assert!(
        has("shape 8 (eye): a polygon cannot have 1 points"),
        "{text:#?}"
    );
}

#[test]
fn a_folder_is_read_with_labels_txt_order_and_missing_images_reported() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::write(
        r.join("labels.txt"),
        "__ignore__\n_background_\ntree\nsky\n",
    )
    .unwrap();
    image::RgbImage::new(8, 6).save(r.join("a.png")).unwrap();
    let shape = |label: &str| {
        format!(r#"{{"label": "{label}", "points": [[1, 1]], "shape_type": "point"}}"#)
    };
    std::fs::write(
        r.join("a.json"),
        format!(
            r#"{{"shapes": [{}, {}], "imagePath": "a.png"}}"#,
            shape("sky"),
            shape("cat")
        ),
    )
    .unwrap();
    std::fs::write(
        r.join("b.json"),
        format!(
            r#"{{"shapes": [{}], "imagePath": "b.png", "imageWidth": 4, "imageHeight": 4}}"#,
            shape("tree")
        ),
    )
    .unwrap();
    std::fs::write(r.join("notes.json"), r#"{"hello": 1}"#).unwrap();
    let (ds, report) = import(r).unwrap();
    let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tree", "sky", "cat"]);
    assert_eq!(ds.images.len(), 2);
    assert_eq!((ds.images[0].width, ds.images[0].height), (8, 6));
    assert_eq!(ds.images[0].file_name, "a.png");
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("a.json: no imageWidth/imageHeight: took 8x6 from the image"),
        "{text:#?}"
    );
    assert!(has("notes.json: not a LabelMe file"), "{text:#?}");
    assert!(has("1 image file not found (b.png)"), "{text:#?}");
    assert!(has("used but not in labels.txt: cat"), "{text:#?}");
}

proptest! {
    #[test]
    fn export_then_import_gives_the_same_regions(ds in arb_dataset()) {
        let mut back = Dataset { categories: ds.categories.clone(), images: Vec::new() };
        for image in &ds.images {
            let mut summary = ExportSummary::default();
            let bytes = to_json(image, image.file_name.clone(), &mut summary);
            back.images.push(read_back(&bytes, Path::new("/x/a.json")).0);
        }
        assert_same_regions(&ds, &back, 1e-6, |s| Some(s.clone()))?;
    }
}
