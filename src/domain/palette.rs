//! The colours labels get when a bundle states none, and the `#rrggbb` form bundles write them in.

/// Colours given to labels in order (then repeated): Tableau 10, chosen to be told apart easily, also
/// by most colour-blind workers, on photos.
pub const PALETTE: [[u8; 3]; 10] = [
    [0x1f, 0x77, 0xb4],
    [0xff, 0x7f, 0x0e],
    [0x2c, 0xa0, 0x2c],
    [0xd6, 0x27, 0x28],
    [0x94, 0x67, 0xbd],
    [0x8c, 0x56, 0x4b],
    [0xe3, 0x77, 0xc2],
    [0x7f, 0x7f, 0x7f],
    [0xbc, 0xbd, 0x22],
    [0x17, 0xbe, 0xcf],
];

/// The colour of the `index`-th label (0-based) when none is stated: the palette, repeated.
pub fn color_for(index: usize) -> [u8; 3] {
    PALETTE
        .get(index % PALETTE.len())
        .copied()
        .unwrap_or([0x80, 0x80, 0x80])
}

/// `#rrggbb` (either case) as RGB.
pub fn parse_hex(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    Some([channel(0)?, channel(2)?, channel(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_triples() {
        assert_eq!(parse_hex("#87CEeb"), Some([0x87, 0xce, 0xeb]));
        for bad in [
            "87ceeb", "#87cee", "#87ceebb", "#gggggg", "red", "#", "#ü1234",
        ] {
            assert_eq!(parse_hex(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_palette_repeats() {
        assert_eq!(color_for(0), PALETTE[0]);
        assert_eq!(color_for(10), PALETTE[0]);
        assert_eq!(color_for(13), PALETTE[3]);
    }
}
