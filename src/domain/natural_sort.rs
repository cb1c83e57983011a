//! Natural ("human") ordering of names: `img2` before `img10`, `Beach` beside `beach`.
//!
//! Used to order the tasks of an image folder the way a file manager shows them, so a worker meets the
//! images in the order the requester saw them.

use std::cmp::Ordering;

/// Compares two names the way people read them.
///
/// Runs of ASCII digits compare by numeric value (of any length, so no overflow), other characters
/// compare case-insensitively, and characters that sort before `0` in ASCII (space, `-`, `.`) stay before
/// numbers while letters and `_` come after them. Names that tie this way (`a01` and `a1`, `A` and `a`) are ordered by their
/// bytes, so the result is a total order that is `Equal` only for equal strings: sorting is deterministic
/// and `sort` + `dedup` never merges two different names.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    Tokens::new(a).cmp(Tokens::new(b)).then_with(|| a.cmp(b))
}

/// One comparable piece of a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// A run of digits with its leading zeros removed (empty for a run of zeros).
    Number(&'a str),
    /// One character, lowercased.
    Char(char),
}

impl Token<'_> {
    /// Where the token's kind sorts: characters below `'0'`, then numbers, then every other character.
    /// Digits never appear as `Char`, so this keeps the ASCII intuition that `a-1` < `a1` < `aa`.
    fn class(self) -> u8 {
        match self {
            Token::Char(c) if c < '0' => 0,
            Token::Number(_) => 1,
            Token::Char(_) => 2,
        }
    }
}

impl Ord for Token<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // Without leading zeros, a longer run is a larger number; equal lengths compare digit by
            // digit. This handles numbers too long for any integer type.
            (Token::Number(x), Token::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
            (Token::Char(x), Token::Char(y)) => x.cmp(y),
            _ => self.class().cmp(&other.class()),
        }
    }
}

impl PartialOrd for Token<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The tokens of a name, produced lazily so comparing two names allocates nothing.
struct Tokens<'a> {
    rest: &'a str,
    lowercase: Option<std::char::ToLowercase>,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a str) -> Self {
        Tokens {
            rest: s,
            lowercase: None,
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        // A character can lowercase to several (`İ` gives two), so finish those first.
        if let Some(c) = self.lowercase.as_mut().and_then(Iterator::next) {
            return Some(Token::Char(c));
        }
        self.lowercase = None;
        let mut chars = self.rest.chars();
        let first = chars.next()?;
        if first.is_ascii_digit() {
            let end = self
                .rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(self.rest.len());
            let (digits, rest) = self.rest.split_at_checked(end)?;
            self.rest = rest;
            return Some(Token::Number(digits.trim_start_matches('0')));
        }
        self.rest = chars.as_str();
        let mut lower = first.to_lowercase();
        let c = lower.next().unwrap_or(first);
        self.lowercase = Some(lower);
        Some(Token::Char(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| natural_cmp(a, b));
        v
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(
            sorted(&["img10.jpg", "img2.jpg", "img1.jpg", "img100.jpg"]),
            ["img1.jpg", "img2.jpg", "img10.jpg", "img100.jpg"]
        );
    }

    #[test]
    fn case_is_ignored_then_used_to_break_ties() {
        assert_eq!(
            sorted(&["beach", "Cliff", "apple", "Beach"]),
            ["apple", "Beach", "beach", "Cliff"]
        );
    }

    #[test]
    fn leading_zeros_tie_on_value_and_break_by_bytes() {
        assert_eq!(natural_cmp("a01", "a1"), Ordering::Less);
        assert_eq!(natural_cmp("a1", "a01"), Ordering::Greater);
        assert_eq!(
            sorted(&["a2", "a01", "a1", "a002"]),
            ["a01", "a1", "a002", "a2"]
        );
    }

    #[test]
    fn punctuation_before_numbers_before_letters() {
        assert_eq!(sorted(&["a1", "aa", "a-1", "a"]), ["a", "a-1", "a1", "aa"]);
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        let big = format!("x{}", "9".repeat(60));
        let bigger = format!("x1{}", "0".repeat(60));
        assert_eq!(natural_cmp(&big, &bigger), Ordering::Less);
    }

    #[test]
    fn multi_char_lowercase_is_handled() {
        // U+0130 lowercases to two characters; it must not panic and must stay consistent.
        assert_eq!(natural_cmp("\u{130}", "\u{130}"), Ordering::Equal);
        assert_ne!(natural_cmp("\u{130}", "i"), Ordering::Equal);
    }

    fn name() -> impl Strategy<Value = String> {
        // Few distinct characters, so ties, digit runs and case collisions are common.
        proptest::string::string_regex("[aAbB0-9 ._\\-\u{130}]{0,8}").unwrap()
    }

    proptest! {
        #[test]
        fn equal_only_for_equal_strings(a in name(), b in name()) {
            prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
        }

        #[test]
        fn antisymmetric(a in name(), b in name()) {
            prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
        }

        #[test]
        fn transitive(a in name(), b in name(), c in name()) {
            let le = |x: &str, y: &str| natural_cmp(x, y) != Ordering::Greater;
            for (x, y, z) in [(&a, &b, &c), (&a, &c, &b), (&b, &a, &c), (&b, &c, &a), (&c, &a, &b), (&c, &b, &a)] {
                if le(x, y) && le(y, z) {
                    prop_assert!(le(x, z), "{x:?} <= {y:?} <= {z:?} but not {x:?} <= {z:?}");
                }
            }
        }

        #[test]
        fn numbers_order_by_value(x in 0u64..100_000, y in 0u64..100_000) {
            let (a, b) = (format!("img{x}.png"), format!("img{y}.png"));
            prop_assert_eq!(natural_cmp(&a, &b), x.cmp(&y));
        }
    }
}
