//! A small element tree over `quick-xml`, enough for VOC and CVAT files, and escaping for writing them.

use quick_xml::events::Event;
use std::path::Path;

use super::FormatError;

/// One XML element: its name, attributes, text and children.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// The value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The deepest nesting read. VOC and CVAT files nest four or five deep; a file nesting thousands deep is
/// hostile, and dropping such a tree would exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Parses `text` into its root element. Errors name `file` and the byte position.
pub(crate) fn parse(text: &str, file: &Path) -> Result<Element, FormatError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let fail = |pos: u64, message: String| {
        FormatError::invalid(file, format!("XML error at byte {pos}: {message}"))
    };
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| fail(pos, e.to_string()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(fail(pos, "content after the root element".to_owned()));
            }
            Event::Start(_) if stack.len() >= MAX_DEPTH => {
                return Err(fail(
                    pos,
                    format!("elements nested deeper than {MAX_DEPTH}"),
                ));
            }
            Event::Start(start) => stack.push(element(&start, pos, &fail)?),
            Event::Empty(start) => {
                let e = element(&start, pos, &fail)?;
                close(e, &mut stack, &mut root);
            }
            Event::End(_) => {
                let Some(e) = stack.pop() else {
                    return Err(fail(pos, "closing tag without an opening one".to_owned()));
                };
                close(e, &mut stack, &mut root);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let content = t.xml10_content().map_err(|e| fail(pos, e.to_string()))?;
                    top.text.push_str(&content);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let resolved =
                        match r.resolve_char_ref().map_err(|e| fail(pos, e.to_string()))? {
                            Some(c) => c.to_string(),
                            None => {
                                let name = r.decode().map_err(|e| fail(pos, e.to_string()))?;
                                quick_xml::escape::resolve_predefined_entity(&name)
                                    .ok_or_else(|| fail(pos, format!("unknown entity &{name};")))?
                                    .to_owned()
                            }
                        };
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(FormatError::invalid(
            file,
            "XML ends before every element is closed",
        ));
    }
    root.ok_or_else(|| FormatError::invalid(file, "no XML element found"))
}

fn element(
    start: &quick_xml::events::BytesStart<'_>,
    pos: u64,
    fail: &impl Fn(u64, String) -> FormatError,
) -> Result<Element, FormatError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| fail(pos, e.to_string()))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| fail(pos, e.to_string()))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

fn close(e: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(e),
        None => *root = Some(e),
    }
}

/// `text` escaped for element content and attribute values.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_attributes_text_entities_and_nesting() {
        let xml = r#"<?xml version="1.0"?>
<!-- a comment -->
<a x="1 &amp; 2"><b>fish &amp; chips &#233;</b><c/><b>two</b></a>"#;
        let root = parse(xml, Path::new("t.xml")).unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attribute("x"), Some("1 & 2"));
        assert_eq!(root.child_text("b"), Some("fish & chips é"));
        assert_eq!(root.children_named("b").count(), 2);
        assert!(root.child("c").is_some());
    }

    #[test]
    fn a_million_nested_elements_are_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(1_000_000));
        let err = parse(&deep, Path::new("deep.xml")).unwrap_err().to_string();
        assert!(
            err.contains("deep.xml") && err.contains("deeper than"),
            "{err}"
        );
        let fine = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&fine, Path::new("fine.xml")).is_ok());
    }

    #[test]
    fn broken_xml_names_the_file() {
        let err = parse("<a><b></a>", Path::new("broken.xml")).unwrap_err();
        assert!(err.to_string().contains("broken.xml"), "{err}");
        let err = parse("", Path::new("empty.xml")).unwrap_err();
        assert!(err.to_string().contains("empty.xml"), "{err}");
    }

    #[test]
    fn escaping_covers_markup() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
