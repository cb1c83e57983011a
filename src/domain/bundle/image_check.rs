//! Checking an image file by its content, from the header alone: what format it is and how many pixels
//! it declares. Nothing is decoded, so a file that claims 100000×100000 pixels costs a few hundred bytes
//! of reading, not gigabytes of memory.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use image::{ImageFormat, ImageReader};

/// The environment variable that raises the pixel limit (the command line flag is `--max-pixels`).
pub const MAX_PIXELS_ENV: &str = "CLICKWORK_MAX_PIXELS";

/// What the header of an image says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    /// The format found by content.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Why a file cannot be a task's image.
#[derive(Debug)]
pub enum ImageProblem {
    /// The file could not be read.
    Unreadable(io::Error),
    /// The content is not a format this build reads (PNG, JPEG, WebP, BMP, GIF).
    NotAnImage,
    /// The content starts like an image but its header is broken.
    BadHeader {
        /// The format its first bytes claim.
        format: ImageFormat,
        /// What the decoder said.
        reason: String,
    },
    /// The header declares more pixels than the limit.
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The limit in force.
        max_pixels: u64,
    },
}

impl fmt::Display for ImageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageProblem::Unreadable(e) => write!(f, "cannot be read ({e})"),
            ImageProblem::NotAnImage => {
                f.write_str("is not an image (its content is not PNG, JPEG, WebP, BMP or GIF, whatever its name says)")
            }
            ImageProblem::BadHeader { format, reason } => {
                write!(f, "starts like a {} image but its header is broken ({reason})", format_name(*format))
            }
            ImageProblem::TooLarge {
                width,
                height,
                max_pixels,
            } => write!(
                f,
                "is {width}×{height} = {} pixels, more than the limit of {max_pixels}; if you trust it, \
                 raise the limit with `--max-pixels N` on the command line or the environment variable \
                 {MAX_PIXELS_ENV}=N",
                u64::from(*width) * u64::from(*height)
            ),
        }
    }
}

/// A format's usual name.
fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Gif => "GIF",
        _ => "other",
    }
}

/// How much of a file is read to find its header, first: headers live in the first kilobytes, and a
/// bundle of 100,000 images is checked each time it opens (reading a megabyte each took 30 s). The
/// `image` crate's JPEG decoder reads all it is given before parsing, so it is given only this.
const HEADER_PREFIX_BYTES: u64 = 16 << 10;

/// How much more is read each time the header was not in what was read (a JPEG with a large EXIF
/// thumbnail, a PNG with big text chunks): then the whole file.
const HEADER_GROWTH: u64 = 16;

/// What is read of a WebP file at first (see [`check_image`]).
const WEBP_PREFIX_BYTES: u64 = 1 << 20;

/// The largest prefix tried before the whole file is read.
const HEADER_PREFIX_MAX: u64 = 4 << 20;

/// The format of a file by its first bytes, when it is one this build can read.
fn guess(start: &[u8]) -> Option<ImageFormat> {
    image::guess_format(start)
        .ok()
        .filter(ImageFormat::reading_enabled)
}

/// The format of the file at `path` by content, or `None` for anything this build cannot read.
pub fn sniff(path: &Path) -> io::Result<Option<ImageFormat>> {
    let mut start = Vec::with_capacity(32);
    File::open(path)?.take(32).read_to_end(&mut start)?;
    Ok(guess(&start))
}

/// The dimensions an image's header declares, as the image is shown: with its EXIF orientation applied
/// (a portrait photo stored sideways is taller than wide), since annotation coordinates live in that
/// space.
fn dimensions(reader: impl BufRead + Seek, format: ImageFormat) -> image::ImageResult<(u32, u32)> {
    use image::ImageDecoder;
    use image::metadata::Orientation;
    let mut reader = ImageReader::with_format(reader, format);
    // Only the header is read; the decoder's allocation limits guard decoding, which never happens
    // here, and would refuse a huge header before it could be measured against our own limit.
    reader.no_limits();
    let mut decoder = reader.into_decoder()?;
    let (width, height) = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok(match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    })
}

/// Reads the header of the image at `path` and checks it against `max_pixels`.
pub fn check_image(path: &Path, max_pixels: u64) -> Result<ImageInfo, ImageProblem> {
    let mut file = File::open(path).map_err(ImageProblem::Unreadable)?;
    let mut prefix = Vec::new();
    let mut want = HEADER_PREFIX_BYTES;
    let (format, (width, height)) = loop {
        let more = want.saturating_sub(prefix.len() as u64);
        file.by_ref()
            .take(more)
            .read_to_end(&mut prefix)
            .map_err(ImageProblem::Unreadable)?;
        let format = guess(&prefix).ok_or(ImageProblem::NotAnImage)?;
        // A WebP's EXIF orientation may sit after its pixels, and a short read would silently
        // miss it: WebP gets the megabyte the check always read.
        if format == ImageFormat::WebP && want < WEBP_PREFIX_BYTES {
            want = WEBP_PREFIX_BYTES;
            continue;
        }
        let whole_file_read = (prefix.len() as u64) < want;
        match dimensions(Cursor::new(&prefix), format) {
            Ok(size) => break (format, size),
            Err(e) if whole_file_read => return Err(bad_header(format, &e)),
            Err(_) if want < HEADER_PREFIX_MAX => {
                want = want.saturating_mul(HEADER_GROWTH).min(HEADER_PREFIX_MAX);
            }
            Err(_) => {
                file.seek(SeekFrom::Start(0))
                    .map_err(ImageProblem::Unreadable)?;
                let size =
                    dimensions(BufReader::new(file), format).map_err(|e| bad_header(format, &e))?;
                break (format, size);
            }
        }
    };
    if width == 0 || height == 0 {
        return Err(ImageProblem::BadHeader {
            format,
            reason: format!("it declares {width}×{height} pixels"),
        });
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(ImageProblem::TooLarge {
            width,
            height,
            max_pixels,
        });
    }
    Ok(ImageInfo {
        format,
        width,
        height,
    })
}

fn bad_header(format: ImageFormat, e: &image::ImageError) -> ImageProblem {
    ImageProblem::BadHeader {
        format,
        reason: e.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs;

    /// CRC-32 (IEEE), as PNG chunks need.
    pub(crate) fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
        out
    }

    /// A PNG whose header declares `width`×`height` grey pixels, with no real pixel data.
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &ihdr));
        png.extend(chunk(
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        png.extend(chunk(b"IEND", &[]));
        png
    }

    #[test]
    fn crc_matches_the_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn reads_dimensions_from_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jpg"); // The name lies; content decides.
        fs::write(&path, png_header(3, 2)).unwrap();
        let info = check_image(&path, 100).unwrap();
        assert_eq!(
            (info.format, info.width, info.height),
            (ImageFormat::Png, 3, 2)
        );
    }

    #[test]
    fn refuses_huge_headers_without_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.png");
        fs::write(&path, png_header(100_000, 100_000)).unwrap();
        let problem = check_image(&path, 268_435_456).unwrap_err();
        assert!(
            matches!(problem, ImageProblem::TooLarge { width: 100_000, .. }),
            "{problem:?}"
        );
        let message = problem.to_string();
        assert!(
            message.contains("--max-pixels") && message.contains(MAX_PIXELS_ENV),
            "{message}"
        );
        assert!(check_image(&path, 10_000_000_000).is_ok());
    }

    #[test]
    fn sizes_are_read_as_displayed_with_exif_orientation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portrait.jpg");
        std::fs::write(
            &path,
            crate::domain::image_decode::tests::sideways_jpeg(40, 20),
        )
        .unwrap();
        let info = check_image(&path, 1 << 28).unwrap();
        assert_eq!((info.width, info.height), (20, 40));
    }

    #[test]
    fn text_is_not_an_image() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        fs::write(&path, "just some text").unwrap();
        assert!(matches!(
            check_image(&path, 100),
            Err(ImageProblem::NotAnImage)
        ));
        assert_eq!(sniff(&path).unwrap(), None);
    }

    #[test]
    fn headers_past_the_first_megabyte_are_still_found() {
        // A PNG with a large text chunk before its pixels: the header check must read on.
        let mut png = png_header(5, 4);
        let iend_and_idat = png.split_off(33);
        png.extend(chunk(b"tEXt", &vec![b'a'; 3 << 20]));
        png.extend(iend_and_idat);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chatty.png");
        fs::write(&path, &png).unwrap();
        let info = check_image(&path, 100).unwrap();
        assert_eq!((info.width, info.height), (5, 4));
    }

    #[test]
    fn truncated_headers_are_broken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.png");
        fs::write(&path, &png_header(3, 2)[..20]).unwrap();
        assert!(matches!(
            check_image(&path, 100),
            Err(ImageProblem::BadHeader { .. })
        ));
    }
}
