//! A huge image as a pyramid of tiles: the decoded pixels once, in the file's own orientation, and
//! levels each half the size of the one below, down to one tile. The window shows the tiles in view
//! at the level the zoom needs, so a 400-megapixel photo is shown whole at once and every one of its
//! pixels at 1:1, without a texture larger than the GPU takes or a second copy of the image.
//!
//! Coordinates outside this module are full-resolution pixels of the image as displayed (EXIF
//! orientation applied); the orientation is applied here, tile by tile, rather than to the whole
//! image (rotating 400 megapixels would hold them twice).

use image::metadata::Orientation;
use rayon::prelude::*;

/// A tile's side, in pixels of its level: small enough that cutting and uploading one is a
/// millisecond's work, large enough that a screen needs a few dozen.
pub const TILE: u32 = 512;

/// Pixels of texture around a tile's own, copied from its neighbours, so that filtering at the
/// tile's edge blends with them (no seams between tiles).
const BORDER: u32 = 1;

/// One tile: its level (0 is full resolution) and its column and row at that level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// 0 is full resolution; each level halves both sides.
    pub level: u8,
    /// Column, from the left.
    pub col: u32,
    /// Row, from the top.
    pub row: u32,
}

/// A tile's pixels, ready to become a texture.
#[derive(Clone, Debug, PartialEq)]
pub struct TilePixels {
    /// Width of `rgba`, its border included.
    pub width: u32,
    /// Height of `rgba`, its border included.
    pub height: u32,
    /// Tightly packed RGBA (not premultiplied).
    pub rgba: Vec<u8>,
    /// The tile's own pixels inside `rgba`: left, top, width, height.
    pub inner: [u32; 4],
    /// What those pixels cover of the full-resolution image: left, top, right, bottom.
    pub covers: [f64; 4],
}

/// One level's pixels, in the file's orientation.
#[derive(Debug)]
struct Level {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

/// A decoded image as levels of tiles.
#[derive(Debug)]
pub struct Pyramid {
    /// Full-resolution width as displayed.
    width: u32,
    /// Full-resolution height as displayed.
    height: u32,
    /// 3 (RGB) or 4 (RGBA): an image without alpha keeps a quarter less.
    channels: usize,
    orientation: Orientation,
    levels: Vec<Level>,
}

impl Pyramid {
    /// Builds the levels of `image` (its pixels as stored in the file) shown with `orientation`.
    /// 8-bit RGB and RGBA images are taken without a copy; others are converted once.
    pub fn new(image: image::DynamicImage, orientation: Orientation) -> Pyramid {
        let (channels, width, height, data) = if image.color().has_alpha() {
            let rgba = image.into_rgba8();
            (4, rgba.width(), rgba.height(), rgba.into_raw())
        } else {
            let rgb = image.into_rgb8();
            (3, rgb.width(), rgb.height(), rgb.into_raw())
        };
        let mut levels = vec![Level {
            width,
            height,
            data,
        }];
        while let Some(last) = levels.last() {
            if last.width <= TILE && last.height <= TILE {
                break;
            }
            let next = halve(last, channels);
            levels.push(next);
        }
        let (width, height) = if swaps_sides(orientation) {
            (height, width)
        } else {
            (width, height)
        };
        Pyramid {
            width,
            height,
            channels,
            orientation,
            levels,
        }
    }

    /// The full-resolution size as displayed: the space annotation coordinates live in.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// How many levels there are (the last one fits in one tile).
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// Bytes of pixels held, all levels together.
    pub fn bytes(&self) -> usize {
        self.levels.iter().map(|l| l.data.len()).sum()
    }

    /// The size of `level` as displayed, in its own pixels.
    fn level_size(&self, level: usize) -> Option<(u32, u32)> {
        let l = self.levels.get(level)?;
        Some(if swaps_sides(self.orientation) {
            (l.height, l.width)
        } else {
            (l.width, l.height)
        })
    }

    /// The level to show when one full-resolution pixel spans `screen_pixels` physical pixels: the
    /// coarsest whose pixels are still no larger than a screen pixel, so nothing is lost to the
    /// level and at 1:1 or closer every source pixel is shown.
    pub fn level_for(&self, screen_pixels: f64) -> u8 {
        let top = self.levels.len().saturating_sub(1);
        if screen_pixels.is_nan() || screen_pixels <= 0.0 || screen_pixels >= 1.0 {
            return 0;
        }
        let level = (1.0 / screen_pixels).log2().floor();
        let level = if level.is_finite() { level as usize } else { 0 };
        u8::try_from(level.min(top)).unwrap_or(u8::MAX)
    }

    /// The tiles of `level` that cover `visible` (left, top, right, bottom in full-resolution
    /// pixels), row by row.
    pub fn tiles_in(&self, level: u8, visible: [f64; 4]) -> Vec<TileId> {
        let Some((w, h)) = self.level_size(usize::from(level)) else {
            return Vec::new();
        };
        let span = f64::from(TILE) * f64::from(1u32 << level.min(31));
        let range = |lo: f64, hi: f64, side: u32| {
            let count = side.div_ceil(TILE);
            let first = (lo / span).floor().max(0.0);
            let last = (hi / span).ceil().min(f64::from(count));
            (first as u32)..(last.max(0.0) as u32)
        };
        // Only the part of the view on the image asks for tiles.
        let [x0, y0, x1, y1] = visible;
        let (x0, x1) = (x0.max(0.0), x1.min(f64::from(self.width)));
        let (y0, y1) = (y0.max(0.0), y1.min(f64::from(self.height)));
        if x0.is_nan() || y0.is_nan() || x0 >= x1 || y0 >= y1 {
            return Vec::new();
        }
        let cols = range(x0, x1, w);
        range(y0, y1, h)
            .flat_map(|row| cols.clone().map(move |col| TileId { level, col, row }))
            .collect()
    }

    /// The tile that holds `id`'s place one level coarser (to show while `id` is being cut).
    pub fn parent(&self, id: TileId) -> Option<TileId> {
        let level = id.level.checked_add(1)?;
        (usize::from(level) < self.levels.len()).then_some(TileId {
            level,
            col: id.col / 2,
            row: id.row / 2,
        })
    }

    /// The pixels of tile `id` with a border from its neighbours, orientation applied; `None` when the
    /// level has no such tile.
    pub fn tile(&self, id: TileId) -> Option<TilePixels> {
        let level = self.levels.get(usize::from(id.level))?;
        let (w, h) = self.level_size(usize::from(id.level))?;
        let x0 = id.col.checked_mul(TILE)?;
        let y0 = id.row.checked_mul(TILE)?;
        if x0 >= w || y0 >= h {
            return None;
        }
        let x1 = x0.saturating_add(TILE).min(w);
        let y1 = y0.saturating_add(TILE).min(h);
        let (bx0, by0) = (x0.saturating_sub(BORDER), y0.saturating_sub(BORDER));
        let (bx1, by1) = (
            x1.saturating_add(BORDER).min(w),
            y1.saturating_add(BORDER).min(h),
        );
        let rgba = self.cut(level, [bx0, by0, bx1, by1]);
        let scale = f64::from(1u32 << id.level.min(31));
        let clamp = |v: u32, side: u32| (f64::from(v) * scale).min(f64::from(side));
        Some(TilePixels {
            width: bx1 - bx0,
            height: by1 - by0,
            rgba,
            inner: [x0 - bx0, y0 - by0, x1 - x0, y1 - y0],
            covers: [
                clamp(x0, self.width),
                clamp(y0, self.height),
                clamp(x1, self.width),
                clamp(y1, self.height),
            ],
        })
    }

    /// RGBA of the displayed rectangle `[x0, y0, x1, y1)` of `level`.
    fn cut(&self, level: &Level, [x0, y0, x1, y1]: [u32; 4]) -> Vec<u8> {
        let c = self.channels;
        let (sw, sh) = (level.width, level.height);
        let mut out = Vec::with_capacity((x1 - x0) as usize * (y1 - y0) as usize * 4);
        let push = |out: &mut Vec<u8>, sx: u32, sy: u32| {
            let at = (sy as usize * sw as usize + sx as usize) * c;
            match level.data.get(at..at + c) {
                Some(px) => {
                    out.extend_from_slice(px);
                    if c == 3 {
                        out.push(u8::MAX);
                    }
                }
                None => out.extend_from_slice(&[0, 0, 0, 0]),
            }
        };
        for y in y0..y1 {
            for x in x0..x1 {
                let (sx, sy) = source_of(self.orientation, x, y, sw, sh);
                push(&mut out, sx, sy);
            }
        }
        out
    }
}

/// True when `orientation` turns the image a quarter (its width becomes its height).
fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// The stored pixel shown at (`x`, `y`) of an image stored as `sw`×`sh`, as `image`'s
/// `apply_orientation` would place it.
fn source_of(orientation: Orientation, x: u32, y: u32, sw: u32, sh: u32) -> (u32, u32) {
    let (right, bottom) = (sw.saturating_sub(1), sh.saturating_sub(1));
    match orientation {
        Orientation::NoTransforms => (x, y),
        Orientation::Rotate90 => (y, bottom.saturating_sub(x)),
        Orientation::Rotate180 => (right.saturating_sub(x), bottom.saturating_sub(y)),
        Orientation::Rotate270 => (right.saturating_sub(y), x),
        Orientation::FlipHorizontal => (right.saturating_sub(x), y),
        Orientation::FlipVertical => (x, bottom.saturating_sub(y)),
        Orientation::Rotate90FlipH => (y, x),
        Orientation::Rotate270FlipH => (right.saturating_sub(y), bottom.saturating_sub(x)),
    }
}

/// The next level: each pixel the mean of a 2×2 block (an odd last row or column averages what it
/// has), rows computed on all cores.
fn halve(level: &Level, c: usize) -> Level {
    let width = level.width.div_ceil(2);
    let height = level.height.div_ceil(2);
    let src_row = level.width as usize * c;
    let out_row = width as usize * c;
    let mut data = vec![0u8; out_row * height as usize];
    let rows: Vec<&[u8]> = level.data.chunks(src_row.max(1)).collect();
    data.par_chunks_mut(out_row.max(1))
        .enumerate()
        .for_each(|(y, out)| {
            let top = rows.get(2 * y).copied().unwrap_or_default();
            let bottom = rows.get(2 * y + 1).copied().unwrap_or(top);
            for ((o, t), b) in out
                .chunks_exact_mut(c)
                .zip(top.chunks(2 * c))
                .zip(bottom.chunks(2 * c))
            {
                let (t0, t1) = pair(t, c);
                let (b0, b1) = pair(b, c);
                for ((((o, &a), &b), &d), &e) in o.iter_mut().zip(t0).zip(t1).zip(b0).zip(b1) {
                    let sum = u16::from(a) + u16::from(b) + u16::from(d) + u16::from(e) + 2;
                    *o = u8::try_from(sum / 4).unwrap_or(u8::MAX);
                }
            }
        });
    Level {
        width,
        height,
        data,
    }
}

/// Two neighbouring pixels, or one twice at an odd row's end.
fn pair(block: &[u8], c: usize) -> (&[u8], &[u8]) {
    if block.len() >= 2 * c {
        block.split_at(c)
    } else {
        (block, block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, GenericImageView, RgbImage, RgbaImage};
    use proptest::prelude::*;

    /// An image where every pixel differs from its neighbours.
    fn noisy(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = x
                .wrapping_mul(2_654_435_761)
                .wrapping_add(y.wrapping_mul(40_503));
            image::Rgb([(v >> 3) as u8, (v >> 11) as u8, (x ^ y) as u8])
        })
    }

    const ORIENTATIONS: [Orientation; 8] = [
        Orientation::NoTransforms,
        Orientation::Rotate90,
        Orientation::Rotate180,
        Orientation::Rotate270,
        Orientation::FlipHorizontal,
        Orientation::FlipVertical,
        Orientation::Rotate90FlipH,
        Orientation::Rotate270FlipH,
    ];

    /// Every level-0 tile's own pixels, put back together.
    fn reassembled(p: &Pyramid) -> RgbaImage {
        let (w, h) = p.size();
        let mut out = RgbaImage::new(w, h);
        for id in p.tiles_in(0, [0.0, 0.0, f64::from(w), f64::from(h)]) {
            let tile = p.tile(id).unwrap();
            let [ix, iy, iw, ih] = tile.inner;
            for y in 0..ih {
                for x in 0..iw {
                    let at = (((iy + y) * tile.width + ix + x) * 4) as usize;
                    let px = image::Rgba(tile.rgba[at..at + 4].try_into().unwrap());
                    out.put_pixel(id.col * TILE + x, id.row * TILE + y, px);
                }
            }
        }
        out
    }

    #[test]
    fn at_full_resolution_the_tiles_hold_every_pixel_as_displayed_in_every_orientation() {
        let stored = noisy(1100, 700);
        for orientation in ORIENTATIONS {
            let pyramid = Pyramid::new(DynamicImage::ImageRgb8(stored.clone()), orientation);
            let mut shown = DynamicImage::ImageRgb8(stored.clone());
            shown.apply_orientation(orientation);
            assert_eq!(pyramid.size(), shown.dimensions(), "{orientation:?}");
            assert!(
                reassembled(&pyramid) == shown.to_rgba8(),
                "{orientation:?}: the tiles are not the image"
            );
        }
    }

    #[test]
    fn a_tile_border_is_its_neighbours_pixels() {
        let pyramid = Pyramid::new(
            DynamicImage::ImageRgb8(noisy(700, 1100)),
            Orientation::Rotate90,
        );
        let whole = reassembled(&pyramid);
        let id = TileId {
            level: 0,
            col: 1,
            row: 0,
        };
        let tile = pyramid.tile(id).unwrap();
        // A middle column's tile has a border left and right, none above (the image's edge).
        assert_eq!(tile.inner, [1, 0, TILE, TILE]);
        assert_eq!((tile.width, tile.height), (TILE + 2, TILE + 1));
        for y in 0..tile.height {
            for x in 0..tile.width {
                let at = ((y * tile.width + x) * 4) as usize;
                let expected = whole.get_pixel(TILE - 1 + x, y).0;
                assert_eq!(tile.rgba[at..at + 4], expected, "({x}, {y})");
            }
        }
        assert_eq!(tile.covers, [512.0, 0.0, 1024.0, 512.0]);
    }

    #[test]
    fn each_level_halves_the_one_below_down_to_one_tile() {
        let pyramid = Pyramid::new(
            DynamicImage::ImageRgb8(noisy(2049, 600)),
            Orientation::NoTransforms,
        );
        let sizes: Vec<(u32, u32)> = (0..pyramid.level_count())
            .map(|l| pyramid.level_size(l).unwrap())
            .collect();
        assert_eq!(sizes, [(2049, 600), (1025, 300), (513, 150), (257, 75)]);
        assert_eq!(
            pyramid.bytes(),
            (2049 * 600 + 1025 * 300 + 513 * 150 + 257 * 75) * 3
        );
        // The last tile of a coarser level covers up to the image's edge, not past it.
        let last = pyramid.tiles_in(1, [0.0, 0.0, 2049.0, 600.0]);
        assert_eq!(last.len(), 3);
        let edge = pyramid.tile(*last.last().unwrap()).unwrap();
        assert_eq!(edge.covers, [2048.0, 0.0, 2049.0, 600.0]);
    }

    #[test]
    fn a_coarser_pixel_is_the_mean_of_the_four_below() {
        let img = RgbaImage::from_fn(3, 3, |x, y| {
            image::Rgba([(x * 100) as u8, (y * 100) as u8, 7, 255])
        });
        let below = Level {
            width: 3,
            height: 3,
            data: img.into_raw(),
        };
        let level = halve(&below, 4);
        assert_eq!((level.width, level.height), (2, 2));
        // (0 + 100 + 0 + 100 + 2) / 4 = 50; the odd last column and row average what they have.
        assert_eq!(
            level.data,
            [
                50, 50, 7, 255, 200, 50, 7, 255, 50, 200, 7, 255, 200, 200, 7, 255
            ]
        );
    }

    #[test]
    fn the_level_follows_the_zoom_and_never_drops_pixels_at_one_to_one() {
        let pyramid = Pyramid::new(
            DynamicImage::ImageRgb8(noisy(4000, 3000)),
            Orientation::NoTransforms,
        );
        assert_eq!(pyramid.level_count(), 4);
        assert_eq!(pyramid.level_for(2.0), 0);
        assert_eq!(pyramid.level_for(1.0), 0);
        assert_eq!(pyramid.level_for(0.99), 0);
        assert_eq!(pyramid.level_for(0.5), 1);
        assert_eq!(pyramid.level_for(0.3), 1);
        assert_eq!(pyramid.level_for(0.2), 2);
        assert_eq!(pyramid.level_for(0.001), 3);
        assert_eq!(pyramid.level_for(0.0), 0);
        assert_eq!(pyramid.level_for(f64::NAN), 0);
        // A view of 1000×600 image pixels at full resolution needs the tiles it touches.
        let tiles = pyramid.tiles_in(0, [100.0, 500.0, 1100.0, 1100.0]);
        let cols: Vec<u32> = tiles.iter().filter(|t| t.row == 0).map(|t| t.col).collect();
        assert_eq!(cols, [0, 1, 2]);
        assert_eq!(tiles.len(), 9);
        assert!(pyramid.tiles_in(0, [-50.0, -50.0, -1.0, -1.0]).is_empty());
        assert!(pyramid.tiles_in(9, [0.0, 0.0, 10.0, 10.0]).is_empty());
        let tile = TileId {
            level: 0,
            col: 5,
            row: 3,
        };
        assert_eq!(
            pyramid.parent(tile),
            Some(TileId {
                level: 1,
                col: 2,
                row: 1
            })
        );
        assert_eq!(
            pyramid.parent(TileId {
                level: 3,
                col: 0,
                row: 0
            }),
            None
        );
        assert_eq!(
            pyramid.tile(TileId {
                level: 0,
                col: 8,
                row: 0
            }),
            None
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn tiles_cover_the_view_and_every_level_is_the_displayed_image(
            w in 1u32..1300, h in 1u32..1300, o in 0usize..8,
            x0 in -100.0f64..1400.0, y0 in -100.0f64..1400.0, dx in 0.0f64..900.0, dy in 0.0f64..900.0,
        ) {
            let orientation = ORIENTATIONS[o];
            let pyramid = Pyramid::new(DynamicImage::ImageRgb8(noisy(w, h)), orientation);
            let (dw, dh) = pyramid.size();
            for level in 0..pyramid.level_count() {
                let level = u8::try_from(level).unwrap();
                let view = [x0, y0, x0 + dx, y0 + dy];
                for id in pyramid.tiles_in(level, view) {
                    let tile = pyramid.tile(id).unwrap();
                    let [l, t, r, b] = tile.covers;
                    // Each tile listed touches the view and lies in the image.
                    prop_assert!(l <= view[2] && r >= view[0] && t <= view[3] && b >= view[1]);
                    prop_assert!(r <= f64::from(dw) && b <= f64::from(dh));
                    prop_assert_eq!(tile.rgba.len(), (tile.width * tile.height * 4) as usize);
                }
            }
            // The coarsest level fits in one tile, which covers the whole image.
            let top = u8::try_from(pyramid.level_count() - 1).unwrap();
            let all = pyramid.tiles_in(top, [0.0, 0.0, f64::from(dw), f64::from(dh)]);
            prop_assert_eq!(all.len(), 1);
            prop_assert_eq!(pyramid.tile(all[0]).unwrap().covers, [0.0, 0.0, f64::from(dw), f64::from(dh)]);
        }
    }
}
