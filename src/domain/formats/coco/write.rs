//! Writing COCO: the instances JSON, serialized per image on all cores, and the export's files.

use super::{ANNOTATIONS_PATH, SUBSET};
use crate::domain::formats::{
    Dataset, ExportFile, ExportOptions, ExportSummary, Exported, clamp_shape,
};
use crate::domain::geometry::{Rect, Shape};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Serialize)]
struct Info {
    description: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct CategoryOut<'a> {
    id: usize,
    name: &'a str,
    supercategory: &'static str,
}

#[derive(Serialize)]
struct ImageOut<'a> {
    id: usize,
    file_name: &'a str,
    width: u32,
    height: u32,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    id: usize,
    image_id: usize,
    category_id: usize,
    segmentation: [Vec<f64>; 1],
    area: f64,
    bbox: [f64; 4],
    iscrowd: u8,
    #[serde(skip_serializing_if = "Map::is_empty")]
    attributes: &'a Map<String, Value>,
}

/// One image's annotations, serialized: `{…},{…}`, and how many of its regions were clamped.
struct Fragment {
    json: Vec<u8>,
    clamped: usize,
    ok: bool,
}

/// The COCO JSON of `dataset`, naming each image by `names` (one per image), and what it holds.
///
/// Written as serde_json writes `{"info", "licenses", "categories", "images", "annotations"}` in one go,
/// byte for byte, but each image's annotations are clamped, measured and serialized on all cores and
/// then joined into one buffer of the right size (growing one 50 MB buffer by doubling was a third of
/// a 10,000-image conversion).
pub fn to_json(dataset: &Dataset, names: &[String]) -> (Vec<u8>, ExportSummary) {
    let mut summary = ExportSummary::default();
    let categories: Vec<CategoryOut> = dataset
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| CategoryOut {
            id: i + 1,
            name: &c.name,
            supercategory: "",
        })
        .collect();
    let indices = dataset.category_indices();
    let images: Vec<ImageOut> = dataset
        .images
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (image, name))| ImageOut {
            id: i + 1,
            file_name: name,
            width: image.width,
            height: image.height,
        })
        .collect();
    let images_in = dataset.images.get(..images.len()).unwrap_or(&[]);
    // Annotation ids run over all images in order, so each image's first id is known before any is
    // serialized. A region is written when its label is a category and it is not a point.
    let mut first_ids = Vec::with_capacity(images_in.len());
    let mut next_id = 1;
    for image in images_in {
        first_ids.push(next_id);
        for region in &image.regions {
            if indices.contains_key(region.label.as_str()) {
                match region.shape {
                    Shape::Point { .. } => summary.skipped_points += 1,
                    _ => next_id += 1,
                }
            }
        }
    }
    let fragments: Vec<Fragment> = images_in
        .par_iter()
        .zip(first_ids.par_iter())
        .enumerate()
        .map(|(i, (image, first_id))| {
            let mut fragment = Fragment {
                json: Vec::new(),
                clamped: 0,
                ok: true,
            };
            let mut id = *first_id;
            for region in &image.regions {
                let Some(category) = indices.get(region.label.as_str()) else {
                    continue;
                };
                let (shape, moved) = clamp_shape(&region.shape, image.width, image.height);
                let vertices = match &shape {
                    Shape::Point { .. } => continue,
                    Shape::Rectangle { corners } => Rect::from_corners(corners[0], corners[1])
                        .corners()
                        .to_vec(),
                    Shape::Polygon { points } => points.clone(),
                };
                if moved > 0 {
                    fragment.clamped += 1;
                }
                let bbox = shape.bbox();
                if !fragment.json.is_empty() {
                    fragment.json.push(b',');
                }
                let annotation = AnnotationOut {
                    id,
                    image_id: i + 1,
                    category_id: category + 1,
                    segmentation: [vertices.iter().flat_map(|p| [p.x, p.y]).collect()],
                    area: shape.area(),
                    bbox: [bbox.min.x, bbox.min.y, bbox.width(), bbox.height()],
                    iscrowd: 0,
                    attributes: &region.attributes,
                };
                fragment.ok &= serde_json::to_writer(&mut fragment.json, &annotation).is_ok();
                id += 1;
            }
            fragment
        })
        .collect();
    summary.images = images.len();
    summary.regions = next_id - 1;
    summary.clamped_regions = fragments.iter().map(|f| f.clamped).sum();
    let mut head = Vec::new();
    let info = Info {
        description: "exported by clickwork",
        version: "1.0",
    };
    let mut ok = fragments.iter().all(|f| f.ok);
    head.extend_from_slice(b"{\"info\":");
    ok &= serde_json::to_writer(&mut head, &info).is_ok();
    head.extend_from_slice(b",\"licenses\":[],\"categories\":");
    ok &= serde_json::to_writer(&mut head, &categories).is_ok();
    head.extend_from_slice(b",\"images\":");
    ok &= serde_json::to_writer(&mut head, &images).is_ok();
    head.extend_from_slice(b",\"annotations\":[");
    // Serialising plain structs of numbers and strings cannot fail; an empty file would show if it did.
    if !ok {
        return (Vec::new(), summary);
    }
    let size = head.len() + fragments.iter().map(|f| f.json.len() + 1).sum::<usize>() + 3;
    let mut bytes = Vec::with_capacity(size);
    bytes.append(&mut head);
    let mut first = true;
    for fragment in fragments.iter().filter(|f| !f.json.is_empty()) {
        if !first {
            bytes.push(b',');
        }
        first = false;
        bytes.extend_from_slice(&fragment.json);
    }
    bytes.extend_from_slice(b"]}\n");
    (bytes, summary)
}

/// The COCO export of `dataset`: the JSON, and with `copy_images` the images under `images/default/`.
pub fn export(dataset: &Dataset, options: &ExportOptions) -> Exported {
    let names = dataset.flat_names();
    let (json, mut summary) = to_json(dataset, &names);
    let mut files = vec![ExportFile::bytes(ANNOTATIONS_PATH, json)];
    if options.copy_images {
        for (image, name) in dataset.images.iter().zip(&names) {
            match &image.source {
                Some(source) => files.push(ExportFile::copy(
                    format!("images/{SUBSET}/{name}"),
                    source.clone(),
                )),
                None => summary.missing_images.push(image.file_name.clone()),
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Exported { files, summary }
}
