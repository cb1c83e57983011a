//! Finding where a value sits in JSON source text, so a semantic problem (a duplicate task id, a bad
//! colour) can name a line and column like a syntax error does.
//!
//! serde_json reports positions only for syntax and type errors of a typed parse. Crates that keep spans
//! for every value exist, but none is well kept and in the dependency tree, and the need is small: walk
//! the text once, following keys and indices, and note the byte offset where each wanted value starts.
//! The text has already been parsed by serde_json when this runs, so the walker can be simple; it is
//! still written to never panic and to give up (return `None`) on anything it does not understand.

use std::collections::{HashMap, HashSet};
use std::fmt;

/// One step of a path into a JSON document: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// A key of an object.
    Key(String),
    /// A position in an array, from 0.
    Index(usize),
}

/// A path from the root of a JSON document to one value, written like `tasks[3].id`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct JsonPath(Vec<Step>);

impl JsonPath {
    /// The whole document.
    pub fn root() -> Self {
        JsonPath(Vec::new())
    }

    /// This path followed by an object key.
    pub fn key(&self, key: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_owned()));
        JsonPath(steps)
    }

    /// This path followed by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        JsonPath(steps)
    }

    /// True for the path of the whole document.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => f.write_str(key)?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// The byte offset in `text` where the value at each of `paths` starts, in the same order; `None` for a
/// path that is not in the document. One pass over the text however many paths are asked for.
///
/// When an object repeats a key, the last occurrence wins, as it does in serde_json's maps.
pub fn locate_all(text: &str, paths: &[&JsonPath]) -> Vec<Option<usize>> {
    let wanted: HashSet<&[Step]> = paths.iter().map(|p| p.0.as_slice()).collect();
    let max_depth = paths.iter().map(|p| p.0.len()).max().unwrap_or(0);
    let mut walker = Walker {
        bytes: text.as_bytes(),
        pos: 0,
        path: Vec::new(),
        wanted,
        max_depth,
        found: HashMap::new(),
    };
    // A walk that stops early still keeps what it found before the point it did not understand.
    let _complete = walker.value();
    paths
        .iter()
        .map(|p| walker.found.get(p.0.as_slice()).copied())
        .collect()
}

/// The 1-based line and column of a byte offset, counting columns in characters as editors do.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Deeper than serde_json's own limit (128), so any text serde_json accepted is walked in full.
const MAX_DEPTH: usize = 256;

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: Vec<Step>,
    wanted: HashSet<&'a [Step]>,
    max_depth: usize,
    found: HashMap<Vec<Step>, usize>,
}

impl Walker<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn consume_byte(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Walks one value starting at (or after whitespace before) the current position.
    fn value(&mut self) -> Option<()> {
        self.skip_whitespace();
        if self.path.len() <= self.max_depth && self.wanted.contains(self.path.as_slice()) {
            self.found.insert(self.path.clone(), self.pos);
        }
        if self.path.len() > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(drop),
            _ => self.scalar(),
        }
    }

    fn object(&mut self) -> Option<()> {
        self.consume_byte(b'{')?;
        self.skip_whitespace();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.skip_whitespace();
            let key = self.string()?;
            self.consume_byte(b':')?;
            self.path.push(Step::Key(key));
            let walked = self.value();
            self.path.pop();
            walked?;
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<()> {
        self.consume_byte(b'[')?;
        self.skip_whitespace();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        let mut index = 0;
        loop {
            self.path.push(Step::Index(index));
            let walked = self.value();
            self.path.pop();
            walked?;
            index += 1;
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Numbers, `true`, `false`, `null`: everything up to the next delimiter.
    fn scalar(&mut self) -> Option<()> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                break;
            }
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    /// Reads a string literal and returns its decoded text (needed to compare keys).
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let escape = self.peek()?;
                    self.pos += 1;
                    let decoded = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(decoded.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            let rest = self.bytes.get(self.pos..)?;
            if rest.starts_with(b"\\u") {
                self.pos += 2;
                let second = self.hex4()?;
                if (0xDC00..0xE000).contains(&second) {
                    let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return Some(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
            }
            return Some(char::REPLACEMENT_CHARACTER);
        }
        Some(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let value = u32::from_str_radix(text, 16).ok()?;
        self.pos += 4;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn locate(text: &str, path: &JsonPath) -> Option<(usize, usize)> {
        let offset = locate_all(text, &[path])[0]?;
        Some(line_column(text, offset))
    }

    const MANIFEST: &str = r#"{
  "title": "Skies",
  "tasks": [
    {"id": "a", "image": "a.jpg"},
    { "id" : "b",
      "image": "b.jpg" }
  ],
  "we\"ird\u0041": [1, [2, {"x": null}]]
}"#;

    #[test]
    fn finds_values_by_key_and_index() {
        let tasks = JsonPath::root().key("tasks");
        assert_eq!(locate(MANIFEST, &JsonPath::root()), Some((1, 1)));
        assert_eq!(
            locate(MANIFEST, &JsonPath::root().key("title")),
            Some((2, 12))
        );
        assert_eq!(locate(MANIFEST, &tasks), Some((3, 12)));
        assert_eq!(
            locate(MANIFEST, &tasks.index(0).key("image")),
            Some((4, 26))
        );
        assert_eq!(locate(MANIFEST, &tasks.index(1).key("id")), Some((5, 14)));
        assert_eq!(
            locate(MANIFEST, &tasks.index(1).key("image")),
            Some((6, 16))
        );
    }

    #[test]
    fn decodes_escaped_keys() {
        let path = JsonPath::root().key("we\"irdA").index(1).index(1).key("x");
        assert_eq!(locate(MANIFEST, &path), Some((8, 34)));
    }

    #[test]
    fn absent_paths_are_none() {
        let tasks = JsonPath::root().key("tasks");
        assert_eq!(locate(MANIFEST, &tasks.index(2)), None);
        assert_eq!(locate(MANIFEST, &tasks.index(0).key("hint")), None);
        assert_eq!(
            locate(MANIFEST, &JsonPath::root().key("title").index(0)),
            None
        );
    }

    #[test]
    fn repeated_keys_point_at_the_last_one() {
        let text = r#"{"a": 1, "a": 2}"#;
        assert_eq!(locate(text, &JsonPath::root().key("a")), Some((1, 15)));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"é\": \"ü\", \"k\": 1}";
        assert_eq!(locate(text, &JsonPath::root().key("k")), Some((1, 17)));
    }

    #[test]
    fn garbage_gives_none_without_panicking() {
        for text in [
            "",
            "{",
            "[1,",
            "{\"a\" 1}",
            "\"\\u12",
            "{\"a\":[}",
            "\"\\uD800\\u",
        ] {
            let _ = locate_all(text, &[&JsonPath::root().key("a")]);
        }
    }

    #[test]
    fn paths_display_like_code() {
        let path = JsonPath::root().key("tasks").index(3).key("id");
        assert_eq!(path.to_string(), "tasks[3].id");
        assert_eq!(JsonPath::root().index(0).to_string(), "[0]");
    }

    /// Every path in `value`, with the value found there.
    fn all_paths(value: &Value, here: JsonPath, out: &mut Vec<(JsonPath, Value)>) {
        out.push((here.clone(), value.clone()));
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    all_paths(item, here.index(i), out);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    all_paths(v, here.key(k), out);
                }
            }
            _ => {}
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\é\u{1F600}\n]{0,4}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
                prop::collection::vec(("[a-z\"\u{1F600}]{0,3}", inner), 0..5)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Parsing the text from the located offset gives back the value at that path, in compact and
        /// pretty printing alike.
        #[test]
        fn located_offsets_start_the_right_value(value in json_value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let mut paths = Vec::new();
            all_paths(&value, JsonPath::root(), &mut paths);
            let refs: Vec<&JsonPath> = paths.iter().map(|(p, _)| p).collect();
            let offsets = locate_all(&text, &refs);
            for ((path, expected), offset) in paths.iter().zip(offsets) {
                let offset = offset.unwrap_or_else(|| panic!("{path} not found in {text}"));
                let mut stream = serde_json::Deserializer::from_str(&text[offset..]).into_iter::<Value>();
                let found = stream.next().unwrap().unwrap();
                prop_assert_eq!(&found, expected, "at {}", path);
            }
        }
    }
}
