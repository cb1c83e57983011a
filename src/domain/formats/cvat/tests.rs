use super::*;
use crate::domain::formats::test_data::{arb_dataset, assert_same_regions, p, sample};
use proptest::prelude::*;

fn xml_of(ds: &Dataset) -> String {
    let mut summary = ExportSummary::default();
    to_xml(ds, &ds.flat_names(), &mut summary)
}

#[test]
fn every_label_is_declared_in_meta_with_its_attributes() {
    let text = xml_of(&sample());
    assert!(
        text.starts_with(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>"
        ),
        "{text}"
    );
    for name in ["sky", "building", "tree"] {
        assert!(
            text.contains(&format!("<label>\n          <name>{name}</name>")),
            "{name}: {text}"
        );
    }
    assert!(text.contains("<color>#4a90d9</color>"), "{text}");
    // `occluded` is CVAT's own flag, not a declared attribute.
    assert!(!text.contains("<name>occluded</name>"), "{text}");
}

#[test]
fn shapes_map_to_box_polygon_and_points() {
    let text = xml_of(&sample());
    assert!(
        text.contains(r#"<image id="0" name="china.jpg" width="640" height="427">"#),
        "{text}"
    );
    assert!(text.contains(r#"<box label="building" source="manual" occluded="1" z_order="0" xtl="61.5" ytl="27" xbr="372" ybr="427">"#), "{text}");
    assert!(text.contains(r#"<polygon label="sky" source="manual" occluded="0" z_order="0" points="0,0;640,0;640,138.5;0,146">"#), "{text}");
    assert!(
        text.contains(
            r#"<points label="tree" source="manual" occluded="0" z_order="0" points="100.25,200">"#
        ),
        "{text}"
    );
}

#[test]
fn attributes_are_declared_and_read_back_with_their_types() {
    let mut ds = sample();
    let region = &mut ds.images[0].regions[0];
    region
        .attributes
        .insert("visibility".into(), serde_json::json!(0.5));
    region
        .attributes
        .insert("note".into(), serde_json::json!("a < b & c"));
    region
        .attributes
        .insert("crowd".into(), serde_json::json!(false));
    let text = xml_of(&ds);
    assert!(text.contains("<name>visibility</name>\n              <mutable>False</mutable>\n              <input_type>number</input_type>"), "{text}");
    assert!(
        text.contains(r#"<attribute name="note">a &lt; b &amp; c</attribute>"#),
        "{text}"
    );
    let (back, _) = parse(&text, Path::new("a.xml")).unwrap();
    let attributes = &back.images[0].regions[0].attributes;
    assert_eq!(attributes.get("visibility"), Some(&serde_json::json!(0.5)));
    assert_eq!(
        attributes.get("note"),
        Some(&serde_json::json!("a < b & c"))
    );
    assert_eq!(attributes.get("crowd"), Some(&serde_json::json!(false)));
    assert_eq!(
        back.images[0].regions[1].attributes.get("occluded"),
        Some(&Value::Bool(true))
    );
}

#[test]
fn wild_files_are_read_and_every_change_reported() {
    let text = r#"<?xml version="1.0"?>
<annotations>
  <version>1.1</version>
  <meta><project><labels><label><name>car</name><color>#ff0000</color></label></labels></project></meta>
  <image id="0" name="a.jpg" width="100" height="50">
    <box label="car" occluded="0" xtl="-5" ytl="10" xbr="20.5" ybr="30" rotation="45"/>
    <polygon label="truck" points="0,0;10,10;10,0;0,10"/>
    <points label="car" points="1,2;3,4"/>
    <polyline label="car" points="1,2;3,4"/>
    <tag label="car"/>
    <polygon label="car" points="1,2;3,4"/>
  </image>
  <image id="1" name="b.jpg"/>
  <track id="0" label="car"/>
</annotations>"#;
    let (ds, report) = parse(text, Path::new("t.xml")).unwrap();
    let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["car", "truck"]);
    assert_eq!(ds.categories[0].color, Some([255, 0, 0]));
    assert_eq!(ds.images.len(), 1);
    let kinds: Vec<&str> = ds.images[0]
        .regions
        .iter()
        .map(|r| r.shape.kind().name())
        .collect();
    assert_eq!(kinds, ["rectangle", "polygon", "point", "point"]);
    assert_eq!(
        ds.images[0].regions[0].shape,
        Shape::rectangle(p(0.0, 10.0), p(20.5, 30.0))
    );
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("1 <track> element(s)"), "{text:#?}");
    assert!(has("<box> 1 of image a.jpg: rotation ignored"), "{text:#?}");
    assert!(has("clamped: t.xml: <box> 1"), "{text:#?}");
    assert!(
        has("added: t.xml: <polygon> 2 of image a.jpg: label \"truck\""),
        "{text:#?}"
    );
    assert!(has("kept: t.xml: <polygon> 2"), "{text:#?}");
    assert!(
        has("<points> 3 of image a.jpg: 2 points imported as 2 point regions"),
        "{text:#?}"
    );
    assert!(
        has("<polyline> 4 of image a.jpg: <polyline> has no region kind"),
        "{text:#?}"
    );
    assert!(has("<tag> 5"), "{text:#?}");
    assert!(
        has("<polygon> 6 of image a.jpg: points are not a list of at least 3"),
        "{text:#?}"
    );
    assert!(
        has("image b.jpg: no width or height; left out"),
        "{text:#?}"
    );
}

#[test]
fn another_root_element_is_an_error_naming_the_file() {
    let err = parse("<annotation/>", Path::new("voc.xml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("voc.xml: the root element is <annotation>"),
        "{err}"
    );
}

proptest! {
    #[test]
    fn export_then_import_gives_the_same_regions(ds in arb_dataset()) {
        let (back, _) = parse(&xml_of(&ds), Path::new("a.xml")).unwrap();
        assert_same_regions(&ds, &back, 1e-6, |s| Some(s.clone()))?;
    }
}
