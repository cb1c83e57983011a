use super::*;
use crate::domain::formats::test_data::p;

/// VIA 1: regions as an object keyed by index, label in a `type` attribute.
const VIA1: &str = r#"{
  "a.png12345": {"fileref": "", "size": 12345, "filename": "a.png", "base64_img_data": "",
    "file_attributes": {},
    "regions": {
      "1": {"shape_attributes": {"name": "polygon", "all_points_x": [1, 9, 5], "all_points_y": [1, 1, 7]}, "region_attributes": {"type": "roof"}},
      "0": {"shape_attributes": {"name": "rect", "x": 2, "y": 3, "width": 4, "height": 20}, "region_attributes": {"type": "door", "state": "open"}}
    }}
}"#;

/// VIA 2 project: regions as a list, the label in a dropdown, an image that is not there.
const VIA2: &str = r#"{
  "_via_settings": {"core": {"default_filepath": "pics/"}},
  "_via_img_metadata": {
    "b.png-99": {"filename": "b.png", "size": 99, "file_attributes": {},
      "regions": [
        {"shape_attributes": {"name": "point", "cx": 3, "cy": 4}, "region_attributes": {"species": {"oak": true}}},
        {"shape_attributes": {"name": "circle", "cx": 10, "cy": 10, "r": 2}, "region_attributes": {"label": "knot"}},
        {"shape_attributes": {"name": "polyline", "all_points_x": [1, 2], "all_points_y": [1, 2]}, "region_attributes": {}},
        {"shape_attributes": {"name": "rect", "x": 1, "y": 1, "width": 2, "height": 2}, "region_attributes": {"a": 1}}
      ]},
    "c.png-1": {"filename": "c.png", "size": 1, "file_attributes": {}, "regions": []}
  },
  "_via_attributes": {"region": {}, "file": {}}
}"#;

#[test]
fn via1_regions_as_a_dict_are_read_in_index_order() {
    let dir = tempfile::tempdir().unwrap();
    image::RgbImage::new(10, 8)
        .save(dir.path().join("a.png"))
        .unwrap();
    let (ds, report) = parse(VIA1.as_bytes(), Path::new("via1.json"), dir.path()).unwrap();
    let image = &ds.images[0];
    assert_eq!((image.width, image.height), (10, 8));
    assert!(image.source.is_some());
    assert_eq!(image.regions[0].label, "door");
    assert_eq!(
        image.regions[0].shape,
        Shape::rectangle(p(2.0, 3.0), p(6.0, 8.0))
    );
    assert_eq!(
        image.regions[0].attributes.get("state"),
        Some(&Value::from("open"))
    );
    assert_eq!(image.regions[1].label, "roof");
    let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["door", "roof"]);
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("clamped: via1.json: a.png region 1"), "{text:#?}");
    assert!(has("labels in order of first use: door, roof"), "{text:#?}");
}

#[test]
fn via2_projects_guess_labels_and_sizes_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pics")).unwrap();
    image::RgbImage::new(20, 20)
        .save(dir.path().join("pics/b.png"))
        .unwrap();
    let (ds, report) = parse(VIA2.as_bytes(), Path::new("via2.json"), dir.path()).unwrap();
    assert_eq!(ds.images.len(), 2);
    let b = &ds.images[0];
    assert_eq!((b.width, b.height), (20, 20));
    let labels: Vec<&str> = b.regions.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["oak", "knot", "object"]);
    assert_eq!(b.regions[1].shape.points().len(), 32);
    assert_eq!((ds.images[1].width, ds.images[1].height), (1, 1));
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("b.png region 1: label taken from its only text attribute \"species\""),
        "{text:#?}"
    );
    assert!(
        has("b.png region 2: circle imported as a 32-sided polygon"),
        "{text:#?}"
    );
    assert!(
        has("dropped: via2.json: b.png region 3: shape \"polyline\""),
        "{text:#?}"
    );
    assert!(
        has("b.png region 4: no label attribute; labelled \"object\""),
        "{text:#?}"
    );
    assert!(has("c.png: VIA stores no image size"), "{text:#?}");
    assert!(has("1 image file not found (c.png)"), "{text:#?}");
}

#[test]
fn via3_and_non_objects_are_refused_naming_the_file() {
    let err = parse(
        br#"{"project": {}, "metadata": {}, "file": {}}"#,
        Path::new("v3.json"),
        Path::new("."),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("v3.json: a VIA 3 project"),
        "{err}"
    );
    let err = parse(b"[1, 2]", Path::new("list.json"), Path::new(".")).unwrap_err();
    assert!(
        err.to_string().starts_with("list.json: not a VIA file"),
        "{err}"
    );
}

#[test]
fn a_folder_with_one_json_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("project.json"), VIA1).unwrap();
    let (ds, _) = import(dir.path()).unwrap();
    assert_eq!(ds.images.len(), 1);
    std::fs::write(dir.path().join("other.json"), "{}").unwrap();
    let err = import(dir.path()).unwrap_err();
    assert!(err.to_string().contains("2 JSON files"), "{err}");
}
