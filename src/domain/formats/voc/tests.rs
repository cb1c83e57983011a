use super::*;
use crate::domain::formats::FileContent;
use crate::domain::formats::test_data::{arb_dataset, assert_same_regions, p, sample};
use proptest::prelude::*;
use std::path::PathBuf;

fn read_back(xml_text: &str) -> (DatasetImage, ImportReport) {
    let element = xml::parse(xml_text, Path::new("a.xml")).unwrap();
    let mut report = ImportReport::default();
    let image = read_image(
        &element,
        Path::new("a.xml"),
        &Root::new(Path::new("/nowhere")),
        &mut report,
    );
    (image, report)
}

#[test]
fn boxes_are_one_based_integers_with_numeric_flags() {
    let ds = sample();
    let mut summary = ExportSummary::default();
    let text = annotation_xml(&ds.images[0], "china.jpg", None, &mut summary);
    assert_eq!((summary.regions, summary.skipped_points), (2, 1));
    assert!(text.contains("<filename>china.jpg</filename>"), "{text}");
    assert!(
        text.contains("<width>640</width>\n    <height>427</height>\n    <depth>3</depth>"),
        "{text}"
    );
    // The building (61.5, 27)-(372, 427): 62.0 rounds to... round(61.5) = 62, + 1.
    assert!(
        text.contains(
            "<xmin>63</xmin>\n      <ymin>28</ymin>\n      <xmax>372</xmax>\n      <ymax>427</ymax>"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "<truncated>0</truncated>\n    <difficult>0</difficult>\n    <occluded>1</occluded>"
        ),
        "{text}"
    );
    assert!(text.contains("<name>sky</name>"), "{text}");
    assert!(text.contains("<segmented>0</segmented>"), "{text}");
}

#[test]
fn the_export_lists_images_and_labels() {
    let ds = sample();
    let options = ExportOptions {
        copy_images: false,
        out_dir: "/out".into(),
    };
    let out = export(&ds, &options);
    let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Annotations/china.xml",
            "Annotations/empty.xml",
            "ImageSets/Main/default.txt",
            "labelmap.txt"
        ]
    );
    assert_eq!(out.files[2].as_bytes(), Some(&b"china\nempty\n"[..]));
    let labelmap = String::from_utf8(out.files[3].as_bytes().unwrap().to_vec()).unwrap();
    assert!(
        labelmap
            .starts_with("# label:color_rgb:parts:actions\nbackground:0,0,0::\nsky:74,144,217::\n"),
        "{labelmap}"
    );
}

#[test]
fn wild_xml_with_floats_and_missing_parts_is_read() {
    let text = r#"<annotation>
  <filename>0001.jpg</filename>
  <size><width>100</width><height>50</height><depth>3</depth></size>
  <object><name>dog</name><difficult>1</difficult><bndbox><xmin>10.5</xmin><ymin>0</ymin><xmax>120.2</xmax><ymax>30</ymax></bndbox></object>
  <object><name>cat</name></object>
  <object><bndbox><xmin>1</xmin></bndbox></object>
  <object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>x</xmax><ymax>3</ymax></bndbox></object>
</annotation>"#;
    let (image, report) = read_back(text);
    assert_eq!(image.regions.len(), 1);
    assert_eq!(
        image.regions[0].shape,
        Shape::rectangle(p(9.5, 0.0), p(100.0, 30.0))
    );
    assert_eq!(
        image.regions[0].attributes.get("difficult"),
        Some(&Value::Bool(true))
    );
    let text: Vec<String> = report.notes.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("clamped: a.xml: object 1 on 0001.jpg"), "{text:#?}");
    assert!(has("object 2 (cat): no <bndbox>"), "{text:#?}");
    assert!(has("object 3: no <name>"), "{text:#?}");
    assert!(has("object 4 (cat): <bndbox> lacks a numeric"), "{text:#?}");
}

#[test]
fn a_folder_without_labelmap_takes_labels_in_order_of_use() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("Annotations");
    std::fs::create_dir_all(&dir).unwrap();
    let object = |name: &str| {
        format!(
            "<object><name>{name}</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>"
        )
    };
    let size = "<size><width>10</width><height>10</height></size>";
    std::fs::write(
        dir.join("a.xml"),
        format!(
            "<annotation><filename>a.jpg</filename>{size}{}{}</annotation>",
            object("zebra"),
            object("ant")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("b.xml"),
        format!(
            "<annotation><filename>b.jpg</filename>{size}{}</annotation>",
            object("ant")
        ),
    )
    .unwrap();
    let (ds, report) = import(root.path()).unwrap();
    let names: Vec<&str> = ds.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["zebra", "ant"]);
    assert_eq!(ds.images.len(), 2);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Guessed && n.message.contains("no labelmap.txt"))
    );
    let err = import(&root.path().join("nothing")).unwrap_err();
    assert!(err.to_string().contains("nothing"), "{err}");
}

proptest! {
    #[test]
    fn export_then_import_gives_the_same_boxes_within_a_pixel(ds in arb_dataset()) {
        let mut back = Dataset { categories: ds.categories.clone(), images: Vec::new() };
        for image in &ds.images {
            let mut summary = ExportSummary::default();
            let (read, _) = read_back(&annotation_xml(image, &image.file_name, None, &mut summary));
            back.images.push(read);
        }
        assert_same_regions(&ds, &back, 1.0, |s| match s {
            Shape::Point { .. } => None,
            other => { let b = other.bbox(); Some(Shape::rectangle(b.min, b.max)) }
        })?;
    }
}

#[test]
fn boxes_under_a_pixel_keep_both_edges_within_a_pixel() {
    // Regression: (2071.8905, 2071.8933) became [2072, 2073], moving the top edge by 1.1 px.
    assert_eq!(voc_span(2071.8905, 2071.8933, 4000), (2072, 2072));
    assert_eq!(voc_span(10.2, 10.4, 100), (11, 11));
    assert_eq!(voc_span(0.0, 0.1, 100), (1, 1));
    assert_eq!(voc_span(99.9, 100.0, 100), (100, 100));
    assert_eq!(voc_span(61.5, 372.0, 640), (63, 372));
}

#[test]
fn without_copies_each_xml_points_at_its_image_relative_to_itself() {
    let mut ds = sample();
    ds.images[0].source = Some(PathBuf::from("/data/bundle/images/china.jpg"));
    let options = ExportOptions {
        copy_images: false,
        out_dir: PathBuf::from("/data/exports/voc"),
    };
    let exported = export(&ds, &options);
    let xml_file = exported
        .files
        .iter()
        .find(|f| f.path == "Annotations/china.xml")
        .unwrap();
    let FileContent::Bytes(bytes) = &xml_file.content else {
        panic!("the XML is written from memory");
    };
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("<path>../../../bundle/images/china.jpg</path>"),
        "{text}"
    );
    let copied = export(
        &ds,
        &ExportOptions {
            copy_images: true,
            ..options
        },
    );
    assert!(copied.files.iter().all(|f| match &f.content {
        FileContent::Bytes(b) => !String::from_utf8_lossy(b).contains("<path>"),
        FileContent::CopyOf(_) => true,
    }));
}
