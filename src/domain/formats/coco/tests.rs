use super::*;
use crate::domain::formats::ExportOptions;
use crate::domain::formats::test_data::{arb_dataset, assert_same_regions, p, sample};
use proptest::prelude::*;

fn json_of(dataset: &Dataset) -> Value {
    let (bytes, _) = to_json(dataset, &dataset.flat_names());
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn ids_start_at_one_and_categories_follow_the_bundle() {
    let json = json_of(&sample());
    let names: Vec<&str> = json["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sky", "building", "tree"]);
    assert_eq!(json["categories"][0]["id"], 1);
    assert_eq!(json["images"][0]["id"], 1);
    assert_eq!(json["images"][0]["file_name"], "china.jpg");
    assert_eq!(json["images"][1]["width"], 32);
    let anns = json["annotations"].as_array().unwrap();
    let ids: Vec<u64> = anns.iter().map(|a| a["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert!(anns.iter().all(|a| a["iscrowd"] == 0));
}

#[test]
fn a_rectangle_is_its_four_corners_with_bbox_and_area() {
    let json = json_of(&sample());
    let building = &json["annotations"][1];
    assert_eq!(building["category_id"], 2);
    assert_eq!(
        building["segmentation"],
        serde_json::json!([[61.5, 27.0, 372.0, 27.0, 372.0, 427.0, 61.5, 427.0]])
    );
    assert_eq!(
        building["bbox"],
        serde_json::json!([61.5, 27.0, 310.5, 400.0])
    );
    assert_eq!(building["area"], 310.5 * 400.0);
    assert_eq!(building["attributes"]["occluded"], true);
    let sky = &json["annotations"][0];
    assert_eq!(sky["segmentation"][0].as_array().unwrap().len(), 8);
    assert!(
        sky.get("attributes").is_none(),
        "empty attributes are left out"
    );
}

#[test]
fn points_are_skipped_and_out_of_image_regions_clamped_and_counted() {
    let ds = sample();
    let (bytes, summary) = to_json(&ds, &ds.flat_names());
    assert_eq!(summary.skipped_points, 1);
    assert_eq!(summary.clamped_regions, 1);
    assert_eq!(summary.regions, 3);
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    // (30, -2)-(10, 8) in a 32x16 image: y clamped to 0.
    assert_eq!(
        json["annotations"][2]["bbox"],
        serde_json::json!([10.0, 0.0, 20.0, 8.0])
    );
}

#[test]
fn export_is_deterministic_and_copies_images_under_images_default() {
    let mut ds = sample();
    ds.images[0].source = Some("/somewhere/china.jpg".into());
    let options = ExportOptions {
        copy_images: true,
        out_dir: "/out".into(),
    };
    let a = export(&ds, &options);
    assert_eq!(a, export(&ds, &options));
    let paths: Vec<&str> = a.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, [ANNOTATIONS_PATH, "images/default/china.jpg"]);
    assert_eq!(a.summary.missing_images, ["images/empty.png"]);
}

/// A hand-written file with what real files contain: ids from 0, an undeclared category, points
/// outside the image, a self-intersecting polygon, two polygons in one annotation, an RLE crowd, a
/// 4-number segmentation, an annotation on no image.
const WILD: &str = r#"{
  "images": [{"id": 0, "file_name": "street/0001.jpg", "width": 100, "height": 50},
             {"id": 7, "file_name": "0002.jpg"}],
  "categories": [{"id": 0, "name": "car", "supercategory": "vehicle"}, {"id": 3, "name": "person"}],
  "annotations": [
    {"id": 0, "image_id": 0, "category_id": 0, "segmentation": [[10, 10, 120, 10, 120, 40, 10, 40]], "bbox": [10, 10, 110, 30], "area": 3300, "iscrowd": 0},
    {"id": 1, "image_id": 0, "category_id": 3, "segmentation": [[0, 0, 10, 10, 10, 0, 0, 10]], "bbox": [0, 0, 10, 10], "area": 0, "iscrowd": 0},
    {"id": 2, "image_id": 0, "category_id": 9, "segmentation": [[1, 1, 5, 1, 3, 4], [20, 20, 30, 20, 25, 28]], "bbox": [1, 1, 29, 27], "iscrowd": 0},
    {"id": 3, "image_id": 0, "category_id": 0, "segmentation": {"counts": [0, 10], "size": [50, 100]}, "bbox": [50, 5, 10, 10], "iscrowd": 1},
    {"id": 4, "image_id": 7, "category_id": 3, "segmentation": [[2, 3, 4, 5]], "bbox": [2, 3, 4, 5], "iscrowd": 0},
    {"id": 5, "image_id": 99, "category_id": 3, "bbox": [0, 0, 1, 1]}
  ]
}"#;

#[test]
fn wild_files_are_read_and_every_change_reported() {
    let (ds, report) = parse(WILD.as_bytes(), Path::new("wild.json")).unwrap();
    let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["car", "person", "category-9"]);
    assert_eq!(ds.images.len(), 2);
    let first = &ds.images[0];
    // The 4-corner polygon is a rectangle, clamped to the 100-wide image.
    assert_eq!(
        first.regions[0].shape,
        Shape::rectangle(p(10.0, 10.0), p(100.0, 40.0))
    );
    assert_eq!(first.regions[1].shape.kind().name(), "polygon");
    assert_eq!(first.regions[2].label, "category-9");
    assert_eq!(first.regions[3].label, "category-9");
    assert_eq!(
        first.regions[4].shape,
        Shape::rectangle(p(50.0, 5.0), p(60.0, 15.0))
    );
    assert_eq!(first.regions.len(), 5);
    // No size in the file: guessed from the extent of its one box.
    assert_eq!((ds.images[1].width, ds.images[1].height), (6, 8));
    assert_eq!(
        ds.images[1].regions[0].shape,
        Shape::rectangle(p(2.0, 3.0), p(6.0, 8.0))
    );
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("clamped: wild.json: annotation 0 on street/0001.jpg: 1 point"),
        "{text:#?}"
    );
    assert!(has("kept: wild.json: annotation 1"), "{text:#?}");
    assert!(
        has("added: wild.json: annotation 2: category_id 9"),
        "{text:#?}"
    );
    assert!(
        has("annotation 2: 2 polygons imported as 2 regions"),
        "{text:#?}"
    );
    assert!(
        has("annotation 3: RLE mask imported as its bbox"),
        "{text:#?}"
    );
    assert!(
        has("annotation 4: a 4-number segmentation read as a box"),
        "{text:#?}"
    );
    assert!(
        has("dropped: wild.json: annotation 5: image_id 99"),
        "{text:#?}"
    );
    assert!(has("image 0002.jpg has no width or height"), "{text:#?}");
}

#[test]
fn broken_json_names_the_file() {
    let err = parse(b"{\"images\": [", Path::new("bad/instances.json")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("bad/instances.json: not COCO JSON"),
        "{err}"
    );
}

#[test]
fn import_finds_images_in_datumaro_layout() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("annotations")).unwrap();
    std::fs::create_dir_all(root.path().join("images/default")).unwrap();
    std::fs::write(root.path().join("images/default/a.jpg"), b"not really").unwrap();
    let json = r#"{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4},{"id":2,"file_name":"b.jpg","width":4,"height":4}],"annotations":[],"categories":[]}"#;
    let path = root.path().join("annotations/instances_default.json");
    std::fs::write(&path, json).unwrap();
    let (ds, report) = import(&path).unwrap();
    assert!(
        ds.images[0]
            .source
            .as_ref()
            .unwrap()
            .ends_with("images/default/a.jpg")
    );
    assert!(ds.images[1].source.is_none());
    assert!(
        report.notes[0]
            .message
            .contains("1 image file not found (b.jpg)"),
        "{:?}",
        report.notes
    );
}

proptest! {
    #[test]
    fn export_then_import_gives_the_same_regions(ds in arb_dataset()) {
        let (bytes, _) = to_json(&ds, &ds.flat_names());
        let (back, _) = parse(&bytes, Path::new("x.json")).unwrap();
        assert_same_regions(&ds, &back, 1e-6, |s| match s {
            Shape::Point { .. } => None,
            other => Some(other.clone()),
        })?;
    }
}

/// The JSON joined from per-image pieces is exactly what serde_json writes for the same document:
/// compact, in order, one newline at the end.
#[test]
fn the_joined_json_is_what_serde_json_writes_for_it() {
    let dataset = sample();
    let (bytes, _) = to_json(&dataset, &dataset.flat_names());
    let mut again = serde_json::to_vec(&json_of(&dataset)).unwrap();
    again.push(b'\n');
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        String::from_utf8(again).unwrap()
    );
    let empty = Dataset::default();
    let (bytes, _) = to_json(&empty, &[]);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        "{\"info\":{\"description\":\"exported by clickwork\",\"version\":\"1.0\"},\
         \"licenses\":[],\"categories\":[],\"images\":[],\"annotations\":[]}\n"
    );
}
