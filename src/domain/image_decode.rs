//! Decoding a task's image for display: EXIF orientation applied, downscaled when it is larger than the
//! display can take, while annotation coordinates stay in full-resolution image pixels.

use crate::domain::pyramid::Pyramid;
use image::{DynamicImage, ImageDecoder, ImageReader};
use std::path::Path;

/// A decoded image ready to become a texture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedImage {
    /// Width of `rgba` in pixels.
    pub width: u32,
    /// Height of `rgba` in pixels.
    pub height: u32,
    /// Tightly packed RGBA, 8 bits a channel, `width * height * 4` bytes.
    pub rgba: Vec<u8>,
    /// The image's own size after orientation: the space annotation coordinates live in.
    pub full_width: u32,
    /// See `full_width`.
    pub full_height: u32,
}

impl DecodedImage {
    /// How many full-resolution pixels one displayed pixel spans (1.0 when not downscaled).
    pub fn downscale(&self) -> f64 {
        if self.width == 0 {
            1.0
        } else {
            f64::from(self.full_width) / f64::from(self.width)
        }
    }
}

/// Why an image could not be shown. The message names the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct DecodeError {
    /// The image file.
    pub path: std::path::PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Why a decoded image cannot be shown for its task: its size (`decoded`, as shown) is not the one
/// its header gave when the bundle was opened (`expected`), so the file was replaced since and the
/// task's regions, in the old image's pixels, would not fit it. `None` when the sizes agree.
pub fn size_changed(path: &Path, expected: (u32, u32), decoded: (u32, u32)) -> Option<String> {
    (expected != decoded).then(|| {
        format!(
            // Lines short enough for the canvas, which does not wrap.
            "{}:\nthe image is now {}×{} but was {}×{} when the bundle was opened:\nthe file was \
             replaced since. Open the bundle again\nso its work is checked against the new image.",
            path.display(),
            decoded.0,
            decoded.1,
            expected.0,
            expected.1
        )
    })
}

/// What the window gets to show an image: one texture's pixels, or a pyramid of tiles.
#[derive(Debug)]
pub enum Displayable {
    /// Small enough for one texture (downscaled when a side is over the texture limit).
    Whole(DecodedImage),
    /// Too large for one texture: shown tile by tile.
    Tiled(Pyramid),
}

/// Images of up to this many pixels become one texture when both sides fit the GPU's limit (a
/// 24-megapixel camera photo does); larger ones are tiled, since uploading one texture of hundreds of
/// megabytes would stall the window and hold the image twice.
pub const WHOLE_MAX_PIXELS: u64 = 32 << 20;

/// True when an image of `width`×`height` is shown as tiles rather than one texture: a side over
/// the texture limit `max_side`, or more pixels than `whole_max_pixels`.
pub fn is_tiled(width: u32, height: u32, max_side: u32, whole_max_pixels: u64) -> bool {
    width > max_side || height > max_side || u64::from(width) * u64::from(height) > whole_max_pixels
}

/// One pyramid is built at a time: two decoder threads each holding a 400-megapixel image would
/// double the memory a huge image needs.
static HUGE_DECODE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// An opened decoder with its limits set, and the image's orientation.
fn open(
    path: &Path,
    max_pixels: u64,
) -> Result<(Box<dyn ImageDecoder>, image::metadata::Orientation), DecodeError> {
    crate::domain::io_guard::assert_off_ui_thread(path);
    let fail = |message: String| DecodeError {
        path: path.to_owned(),
        message,
    };
    let reader = ImageReader::open(path)
        .map_err(|e| fail(format!("cannot open: {e}")))?
        .with_guessed_format()
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| fail(format!("not a readable image: {e}")))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(fail(format!(
            "{w}x{h} is more than {max_pixels} pixels (raise the limit with --max-pixels N)"
        )));
    }
    let mut limits = image::Limits::default();
    // RGBA at 16 bits a channel is the largest buffer a decoder may ask for.
    limits.max_alloc = Some(max_pixels.saturating_mul(8).max(64 << 20));
    decoder
        .set_limits(limits)
        .map_err(|e| fail(format!("cannot decode: {e}")))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    Ok((Box::new(decoder), orientation))
}

/// Decodes `path` for the window: as one texture when it has at most `whole_max_pixels` and both
/// sides fit `max_side`, else as a [`Pyramid`]. Images of more than `max_pixels` are refused.
pub fn decode_displayable(
    path: &Path,
    max_pixels: u64,
    max_side: u32,
    whole_max_pixels: u64,
) -> Result<Displayable, DecodeError> {
    let (decoder, orientation) = open(path, max_pixels)?;
    let (w, h) = decoder.dimensions();
    if !is_tiled(w, h, max_side, whole_max_pixels) {
        return whole(path, decoder, orientation, max_side).map(Displayable::Whole);
    }
    let _one_at_a_time = HUGE_DECODE.lock();
    let image = DynamicImage::from_decoder(decoder).map_err(|e| DecodeError {
        path: path.to_owned(),
        message: format!("cannot decode: {e}"),
    })?;
    Ok(Displayable::Tiled(Pyramid::new(image, orientation)))
}

/// Decodes `path`, honouring its EXIF orientation, refusing images of more than `max_pixels`, and
/// downscaling so that neither side exceeds `max_side` (the GPU texture limit).
pub fn decode_for_display(
    path: &Path,
    max_pixels: u64,
    max_side: u32,
) -> Result<DecodedImage, DecodeError> {
    let (decoder, orientation) = open(path, max_pixels)?;
    whole(path, decoder, orientation, max_side)
}

fn whole(
    path: &Path,
    decoder: Box<dyn ImageDecoder>,
    orientation: image::metadata::Orientation,
    max_side: u32,
) -> Result<DecodedImage, DecodeError> {
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| DecodeError {
        path: path.to_owned(),
        message: format!("cannot decode: {e}"),
    })?;
    img.apply_orientation(orientation);
    let (full_width, full_height) = (img.width(), img.height());
    let max_side = max_side.max(1);
    if full_width > max_side || full_height > max_side {
        img = img.resize(max_side, max_side, image::imageops::FilterType::Triangle);
    }
    let rgba = img.into_rgba8();
    Ok(DecodedImage {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
        full_width,
        full_height,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    #[test]
    fn an_image_replaced_by_one_of_another_size_is_named_with_both_sizes() {
        let path = Path::new("images/a.jpg");
        assert_eq!(size_changed(path, (640, 480), (640, 480)), None);
        let message = size_changed(path, (640, 480), (480, 640)).unwrap();
        assert!(
            message.contains("images/a.jpg")
                && message.contains("480×640")
                && message.contains("640×480"),
            "{message}"
        );
    }

    use super::*;

    fn write_png(path: &Path, w: u32, h: u32) {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([10, 20, 30, 255]));
        img.save(path).unwrap();
    }

    #[test]
    fn decodes_and_downscales_keeping_full_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        write_png(&path, 400, 200);
        let small = decode_for_display(&path, 1 << 28, 100).unwrap();
        assert_eq!((small.width, small.height), (100, 50));
        assert_eq!((small.full_width, small.full_height), (400, 200));
        assert_eq!(small.rgba.len(), 100 * 50 * 4);
        assert!((small.downscale() - 4.0).abs() < 1e-9);
        let full = decode_for_display(&path, 1 << 28, 4096).unwrap();
        assert_eq!((full.width, full.height), (400, 200));
    }

    /// A JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6).
    pub(crate) fn sideways_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 100, 50]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&img)
            .unwrap();
        let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = u16::try_from(app1.len() + 2).unwrap().to_be_bytes();
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1, len[0], len[1]]);
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn exif_orientation_is_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portrait.jpg");
        std::fs::write(&path, sideways_jpeg(40, 20)).unwrap();
        let img = decode_for_display(&path, 1 << 28, 4096).unwrap();
        assert_eq!((img.full_width, img.full_height), (20, 40));
        assert_eq!((img.width, img.height), (20, 40));
    }

    #[test]
    fn corrupt_and_missing_files_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.jpg");
        std::fs::write(&path, b"\xFF\xD8\xFF\xE0 this is not really a jpeg").unwrap();
        let err = decode_for_display(&path, 1 << 28, 4096)
            .unwrap_err()
            .to_string();
        assert!(err.contains("broken.jpg"), "{err}");
        let missing = dir.path().join("gone.png");
        let err = decode_for_display(&missing, 1 << 28, 4096)
            .unwrap_err()
            .to_string();
        assert!(err.contains("gone.png"), "{err}");
    }

    /// A real `format` image of 8×8, with the size in its header rewritten to `w`×`h` (the pixels
    /// stay 8×8: a lying header, as a decompression bomb or an image swapped after validation has).
    fn lying(format: image::ImageFormat, w: u32, h: u32) -> Vec<u8> {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            8,
            8,
            image::Rgb([9, 9, 9]),
        ));
        let mut bytes = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .unwrap();
        let (w16, h16) = (u16::try_from(w).unwrap(), u16::try_from(h).unwrap());
        match format {
            image::ImageFormat::Gif => {
                bytes[6..8].copy_from_slice(&w16.to_le_bytes());
                bytes[8..10].copy_from_slice(&h16.to_le_bytes());
            }
            image::ImageFormat::Bmp => {
                bytes[18..22].copy_from_slice(&w.to_le_bytes());
                bytes[22..26].copy_from_slice(&h.to_le_bytes());
            }
            image::ImageFormat::WebP => {
                // An extended file whose VP8X chunk declares the canvas (24 bits a side, minus one)
                // before the real 8×8 lossless frame.
                let mut vp8x = b"VP8X".to_vec();
                vp8x.extend_from_slice(&10u32.to_le_bytes());
                vp8x.extend_from_slice(&[0; 4]);
                vp8x.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
                vp8x.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
                let frame = bytes.split_off(12);
                bytes.extend(vp8x);
                bytes.extend(frame);
                let riff = u32::try_from(bytes.len() - 8).unwrap();
                bytes[4..8].copy_from_slice(&riff.to_le_bytes());
            }
            image::ImageFormat::Jpeg => {
                let sof = bytes.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
                bytes[sof + 5..sof + 7].copy_from_slice(&h16.to_be_bytes());
                bytes[sof + 7..sof + 9].copy_from_slice(&w16.to_be_bytes());
            }
            _ => unreachable!(),
        }
        bytes
    }

    #[test]
    fn a_lying_header_is_refused_at_decode_time_in_every_decoder() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "bomb.png",
                crate::domain::bundle::image_check::tests::png_header(100_000, 100_000),
            ),
            ("bomb.gif", lying(image::ImageFormat::Gif, 65_535, 65_535)),
            ("bomb.bmp", lying(image::ImageFormat::Bmp, 60_000, 60_000)),
            ("bomb.jpg", lying(image::ImageFormat::Jpeg, 65_000, 65_000)),
            ("bomb.webp", lying(image::ImageFormat::WebP, 16_384, 16_384)),
        ];
        for (name, bytes) in cases {
            // The bundle was checked with a harmless image; this one replaced it afterwards.
            let path = dir.path().join("swapped");
            std::fs::write(&path, &bytes).unwrap();
            let err = decode_for_display(&path, 10_000_000, 4096)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("swapped") && err.contains("more than 10000000 pixels"),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn an_image_over_the_texture_limit_is_tiled_and_every_pixel_is_in_its_tiles() {
        use crate::domain::pyramid::TILE;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.png");
        let img = image::RgbaImage::from_fn(1300, 600, |x, y| {
            image::Rgba([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8, 200])
        });
        img.save(&path).unwrap();
        // Both sides fit and it is small: one texture.
        let one = decode_displayable(&path, 1 << 28, 4096, 1 << 24).unwrap();
        assert!(matches!(one, Displayable::Whole(_)), "{one:?}");
        // A side over the GPU's limit, or more pixels than one texture should hold: tiles.
        for (max_side, whole_max) in [(1024, 1 << 24), (4096, 100_000)] {
            let Displayable::Tiled(pyramid) =
                decode_displayable(&path, 1 << 28, max_side, whole_max).unwrap()
            else {
                panic!("not tiled at {max_side}, {whole_max}");
            };
            assert_eq!(pyramid.size(), (1300, 600));
            let mut seen = 0;
            for id in pyramid.tiles_in(0, [0.0, 0.0, 1300.0, 600.0]) {
                let tile = pyramid.tile(id).unwrap();
                let [ix, iy, iw, ih] = tile.inner;
                for y in 0..ih {
                    for x in 0..iw {
                        let at = (((iy + y) * tile.width + ix + x) * 4) as usize;
                        let expected = img.get_pixel(id.col * TILE + x, id.row * TILE + y).0;
                        assert_eq!(tile.rgba[at..at + 4], expected);
                        seen += 1;
                    }
                }
            }
            assert_eq!(seen, 1300 * 600);
        }
        // EXIF orientation is applied to a tiled image too.
        let sideways = dir.path().join("portrait.jpg");
        std::fs::write(&sideways, sideways_jpeg(40, 20)).unwrap();
        let Displayable::Tiled(pyramid) = decode_displayable(&sideways, 1 << 28, 16, 100).unwrap()
        else {
            panic!("not tiled");
        };
        assert_eq!(pyramid.size(), (20, 40));
    }

    #[test]
    fn refuses_more_pixels_than_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        write_png(&path, 300, 300);
        let err = decode_for_display(&path, 10_000, 4096)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--max-pixels"), "{err}");
    }
}
