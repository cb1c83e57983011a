//! The fuzz test's mutator: a seeded generator and the mutations it applies to real inputs.

use crate::common::Rng;

/// Pieces that break parsers: structure, huge and non-numbers, wrong types, odd text.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "-1",
    "0",
    "-0",
    "1e999",
    "-1e308",
    "NaN",
    "Infinity",
    "18446744073709551616",
    "-9223372036854775809",
    "1.7976931348623157e308",
    "4294967296",
    "\"x\"",
    "{}",
    "[]",
    "\"\\ud800\"",
    "\\u0000",
    "\u{0}",
    "\u{feff}",
    "\r\n",
    "\n",
    "<a>",
    "</a>",
    "<annotation>",
    "&amp;",
    "&#0;",
    "&#xFFFFFFFF;",
    "&unknown;",
    "<![CDATA[",
    "\"polygon\"",
    "\"rectangle\"",
    "\"points\"",
    "\"shape\"",
    "\"regions\"",
    "\"../../etc/passwd\"",
    "\"/abs/x.jpg\"",
    "\"C:\\\\x.jpg\"",
    "é",
    "\u{10FFFF}",
    ";",
    "=",
    "#",
    "- ",
    "  ",
];

/// One mutation of `bytes`, drawing on `seeds` for splices.
pub fn mutate_once(bytes: &mut Vec<u8>, seeds: &[Vec<u8>], rng: &mut Rng) {
    let len = bytes.len();
    match rng.below(10) {
        0 if len > 0 => {
            let at = rng.below(len);
            bytes[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            bytes[at] = [0, 0xff, b'"', b'{', b'[', b'-', b'9', b'e', b'<', b'\n'][rng.below(10)];
        }
        2 => bytes.truncate(rng.below(len + 1)),
        3 if len > 0 => {
            let from = rng.below(len);
            let to = (from + rng.below(64)).min(len);
            bytes.drain(from..to);
        }
        4 => {
            // Splice a run from any seed into a random place.
            let seed = &seeds[rng.below(seeds.len())];
            if !seed.is_empty() {
                let from = rng.below(seed.len());
                let to = (from + 1 + rng.below(256)).min(seed.len());
                let at = rng.below(len + 1);
                bytes.splice(at..at, seed[from..to].iter().copied());
            }
        }
        5 => {
            let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
            let at = rng.below(len + 1);
            bytes.splice(at..at, token.iter().copied());
        }
        6 => {
            // Deep nesting, of JSON or XML.
            let depth = 1 + rng.below(100_000);
            let (open, close): (&[u8], &[u8]) = if rng.below(2) == 0 {
                (b"[", b"]")
            } else {
                (b"<a>", b"</a>")
            };
            let at = rng.below(len + 1);
            let mut nest = open.repeat(depth);
            nest.extend(close.repeat(depth));
            bytes.splice(at..at, nest);
        }
        7 => {
            // A number replaced by a huge, negative or non-number.
            let digits: Vec<usize> = (0..len).filter(|&i| bytes[i].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let at = digits[rng.below(digits.len())];
                let end = (at..len)
                    .find(|&i| !bytes[i].is_ascii_digit() && bytes[i] != b'.')
                    .unwrap_or(len);
                let with = [
                    "1e309",
                    "-5",
                    "NaN",
                    "99999999999999999999",
                    "0",
                    "\"7\"",
                    "null",
                ];
                let with = with[rng.below(with.len())].as_bytes();
                bytes.splice(at..end, with.iter().copied());
            }
        }
        8 if len > 0 => {
            // Duplicate a run (repeated keys, repeated elements).
            let from = rng.below(len);
            let to = (from + 1 + rng.below(512)).min(len);
            let run = bytes[from..to].to_vec();
            bytes.splice(to..to, run);
        }
        _ => {
            // A string value replaced by another type.
            if let Some(at) = bytes.iter().position(|&b| b == b'"') {
                let at = at + rng.below(len - at);
                let with = ["123", "[]", "{}", "null", "true", "[[1,2]]"];
                let with = with[rng.below(with.len())].as_bytes();
                let end = (at + 1 + rng.below(16)).min(bytes.len());
                bytes.splice(at..end, with.iter().copied());
            }
        }
    }
}
