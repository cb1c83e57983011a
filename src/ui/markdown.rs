//! A small markdown renderer for bundle instructions: headings, paragraphs, bullet and numbered lists,
//! tables, `**bold**` and `` `code` ``. Enough for what requesters write; anything else shows as text.

use egui::text::LayoutJob;
use egui::{FontId, RichText, TextFormat};

/// A block of the document: markdown soft-wraps paragraphs and list items over several lines.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    Heading(usize, String),
    Paragraph(String),
    Item(String, String),
    TableRow(Vec<String>),
}

/// Splits `markdown` into blocks, joining wrapped lines.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut open = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            open = false;
            continue;
        }
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        let heading = trimmed
            .get(hashes..)
            .filter(|rest| (1..=6).contains(&hashes) && rest.starts_with(' '));
        if let Some(text) = heading {
            out.push(Block::Heading(hashes, text.trim().to_owned()));
            open = false;
        } else if let Some(text) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            out.push(Block::Item("•".to_owned(), text.to_owned()));
            open = true;
        } else if let Some((number, text)) = numbered(trimmed) {
            out.push(Block::Item(number, text.to_owned()));
            open = true;
        } else if trimmed.starts_with('|') {
            // Separator rows (|---|:--|) carry no content.
            if !trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                let cells = trimmed
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_owned())
                    .collect();
                out.push(Block::TableRow(cells));
            }
            open = false;
        } else {
            match out.last_mut() {
                Some(Block::Paragraph(text) | Block::Item(_, text)) if open => {
                    text.push(' ');
                    text.push_str(trimmed);
                }
                _ => {
                    out.push(Block::Paragraph(trimmed.to_owned()));
                    open = true;
                }
            }
        }
    }
    out
}

/// `"12. text"` as `("12.", "text")`.
fn numbered(line: &str) -> Option<(String, &str)> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let rest = line.get(digits..)?.strip_prefix(". ")?;
    let number = line.get(..digits)?;
    (digits > 0).then(|| (format!("{number}."), rest))
}

/// Shows `markdown` in `ui`.
pub fn markdown_ui(ui: &mut egui::Ui, markdown: &str) {
    for block in blocks(markdown) {
        match block {
            Block::Heading(1, text) => {
                ui.label(RichText::new(text).heading());
            }
            Block::Heading(2, text) => {
                ui.add_space(4.0);
                ui.label(RichText::new(text).strong().size(16.0));
            }
            Block::Heading(_, text) => {
                ui.add_space(2.0);
                ui.label(RichText::new(text).strong());
            }
            Block::Paragraph(text) => {
                ui.add_space(2.0);
                inline_ui(ui, &text);
            }
            Block::Item(bullet, text) => {
                ui.horizontal_top(|ui| {
                    ui.label(bullet);
                    ui.vertical(|ui| inline_ui(ui, &text));
                });
            }
            Block::TableRow(cells) => {
                ui.horizontal_wrapped(|ui| {
                    for (i, cell) in cells.iter().enumerate() {
                        if i > 0 {
                            ui.label("|");
                        }
                        inline_ui(ui, cell);
                    }
                });
            }
        }
    }
}

/// One line of text with `**bold**` and `` `code` `` spans.
fn inline_ui(ui: &mut egui::Ui, text: &str) {
    let style = ui.style();
    let body = FontId::proportional(
        style
            .text_styles
            .get(&egui::TextStyle::Body)
            .map_or(14.0, |f| f.size),
    );
    let color = ui.visuals().text_color();
    let strong = ui.visuals().strong_text_color();
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    for (span, kind) in spans(text) {
        let format = match kind {
            Span::Plain => TextFormat::simple(body.clone(), color),
            Span::Bold => TextFormat::simple(body.clone(), strong),
            Span::Code => TextFormat::simple(FontId::monospace(body.size * 0.95), strong),
        };
        job.append(span, 0.0, format);
    }
    ui.label(job);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Span {
    Plain,
    Bold,
    Code,
}

/// Splits a line into plain, bold and code spans (markers removed; an unclosed marker stays text).
fn spans(text: &str) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let bold = rest.find("**");
        let code = rest.find('`');
        let (start, marker, kind) = match (bold, code) {
            (Some(b), Some(c)) if c < b => (c, "`", Span::Code),
            (Some(b), _) => (b, "**", Span::Bold),
            (None, Some(c)) => (c, "`", Span::Code),
            (None, None) => {
                out.push((rest, Span::Plain));
                break;
            }
        };
        let after = rest.get(start + marker.len()..).unwrap_or_default();
        let closed = after.find(marker).and_then(|end| {
            Some((
                rest.get(..start)?,
                after.get(..end)?,
                after.get(end + marker.len()..)?,
            ))
        });
        match closed {
            Some((before, inside, next)) => {
                if !before.is_empty() {
                    out.push((before, Span::Plain));
                }
                out.push((inside, kind));
                rest = next;
            }
            None => {
                out.push((rest, Span::Plain));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_join_into_one_paragraph_or_item() {
        let md = "# Title\n\nOne line\nwrapped.\n\n- item that\n  goes on\n- second\n2. numbered\n\n| a | b |\n|---|---|\n| 1 | 2 |";
        assert_eq!(
            blocks(md),
            vec![
                Block::Heading(1, "Title".into()),
                Block::Paragraph("One line wrapped.".into()),
                Block::Item("•".into(), "item that goes on".into()),
                Block::Item("•".into(), "second".into()),
                Block::Item("2.".into(), "numbered".into()),
                Block::TableRow(vec!["a".into(), "b".into()]),
                Block::TableRow(vec!["1".into(), "2".into()]),
            ]
        );
    }

    #[test]
    fn splits_bold_and_code() {
        assert_eq!(
            spans("press **R** then `Enter`."),
            vec![
                ("press ", Span::Plain),
                ("R", Span::Bold),
                (" then ", Span::Plain),
                ("Enter", Span::Code),
                (".", Span::Plain)
            ]
        );
        assert_eq!(spans("a ** b"), vec![("a ** b", Span::Plain)]);
    }
}
