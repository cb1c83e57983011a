//! Decoding a task's image for display: EXIF orientation applied, downscaled when it is larger than the
//! display can take, while annotation coordinates stay in full-resolution image pixels.

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

/// Decodes `path`, honouring its EXIF orientation, refusing images of more than `max_pixels`, and
/// downscaling so that neither side exceeds `max_side` (the GPU texture limit).
pub fn decode_for_display(
    path: &Path,
    max_pixels: u64,
    max_side: u32,
) -> Result<DecodedImage, DecodeError> {
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
    let mut img =
        DynamicImage::from_decoder(decoder).map_err(|e| fail(format!("cannot decode: {e}")))?;
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
