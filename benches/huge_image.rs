//! `cargo bench --bench huge_image`: the huge-image figures of the scale issue, on an input it makes
//! itself: a 20000×20000 JPEG (400 megapixels, 4:2:0, quality 85; sky, a ridge, and a one-pixel
//! texture that only 1:1 shows), written once into the target folder by a child process (so that
//! the 1.2 GB it encodes from is not counted in this process's memory).
//!
//! It decodes the image as the window does (a pyramid of tiles), cuts the tiles a 1280×800 window's
//! canvas needs fitted and at 1:1 (as the tile threads do), and prints each time and the peak
//! resident memory.
// A benchmark prints its figures and stops at the first failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::peak_rss_mb;

use clickwork::domain::image_decode::{Displayable, WHOLE_MAX_PIXELS, decode_displayable};
use clickwork::domain::pyramid::{Pyramid, TileId};
use std::path::{Path, PathBuf};
use std::time::Instant;

const SIDE: u32 = 20_000;
/// The canvas of a 1280×800 window, in points (the side panels take the rest).
const CANVAS: (f64, f64) = (860.0, 730.0);

fn generate(path: &Path) {
    let ridge = |x: u32| {
        let x = f64::from(x) / f64::from(SIDE);
        (0.55 + 0.08 * (x * 17.0).sin() + 0.03 * (x * 131.0).sin()) * f64::from(SIDE)
    };
    let img = image::RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let fine = if (x + y) % 2 == 0 { 12 } else { 0 };
        if f64::from(y) < ridge(x) {
            let t = f64::from(y) / f64::from(SIDE);
            image::Rgb([
                (90.0 + 100.0 * t) as u8 + fine,
                (140.0 + 80.0 * t) as u8,
                (230.0 - 20.0 * t) as u8,
            ])
        } else {
            let rock = ((x / 3) ^ (y / 5)) % 40;
            image::Rgb([70 + rock as u8 + fine, 60 + rock as u8, 50 + rock as u8])
        }
    });
    let tmp = path.with_extension("part");
    let out = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    image::codecs::jpeg::JpegEncoder::new_with_quality(out, 85)
        .encode_image(&img)
        .unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Cuts every tile of `level` that a canvas showing `view` (full-resolution pixels) needs, as the
/// tile threads would, on all cores; returns how many.
fn cut(pyramid: &Pyramid, level: u8, view: [f64; 4]) -> usize {
    use rayon::prelude::*;
    let tiles: Vec<TileId> = pyramid.tiles_in(level, view);
    tiles
        .par_iter()
        .map(|id| {
            let t = pyramid.tile(*id).unwrap();
            let image = egui::ColorImage::from_rgba_unmultiplied(
                [t.width as usize, t.height as usize],
                &t.rgba,
            );
            std::hint::black_box(image);
        })
        .count()
}

fn main() {
    let path: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("huge-20000x20000.jpg");
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        generate(Path::new(&args[i + 1]));
        return;
    }
    if !path.exists() {
        let started = Instant::now();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .arg("--generate")
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        println!(
            "made {} ({} MB) in {:.1} s",
            path.display(),
            std::fs::metadata(&path).unwrap().len() >> 20,
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let Displayable::Tiled(pyramid) =
        decode_displayable(&path, 500_000_000, 16_384, WHOLE_MAX_PIXELS).unwrap()
    else {
        panic!("a 400-megapixel image should be tiled");
    };
    let decoded = started.elapsed();
    let (w, h) = pyramid.size();
    let zoom = (CANVAS.0 / f64::from(w)).min(CANVAS.1 / f64::from(h));
    let level = pyramid.level_for(zoom);
    let fitted = cut(&pyramid, level, [0.0, 0.0, f64::from(w), f64::from(h)]);
    let fitted_in = started.elapsed();
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let one_to_one = [
        cx - CANVAS.0 / 2.0,
        cy - CANVAS.1 / 2.0,
        cx + CANVAS.0 / 2.0,
        cy + CANVAS.1 / 2.0,
    ];
    let t = Instant::now();
    let actual = cut(&pyramid, 0, one_to_one);
    let actual_in = t.elapsed();
    println!(
        "{w}x{h} JPEG: decoded into {} levels ({} MB of pixels) in {:.2} s; fitted view (level {level}, \
         {fitted} tiles) ready at {:.2} s; 1:1 at the centre ({actual} full-resolution tiles) cut in \
         {:.0} ms; peak RSS {:.0} MB",
        pyramid.level_count(),
        pyramid.bytes() >> 20,
        decoded.as_secs_f64(),
        fitted_in.as_secs_f64(),
        actual_in.as_secs_f64() * 1000.0,
        peak_rss_mb()
    );
}
