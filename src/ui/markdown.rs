//! A small markdown renderer for bundle instructions: headings, paragraphs, bullet and numbered lists,
//! tables, `**bold**` and `` `code` ``. Enough for what requesters write; anything else shows as text.

use egui::text::LayoutJob;
use egui::{FontId, RichText, TextFormat};

/// Shows `markdown` in `ui`.
pub fn markdown_ui(ui: &mut egui::Ui, markdown: &str) {
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            ui.add_space(4.0);
        } else if let Some(text) = trimmed.strip_prefix("### ") {
            ui.label(RichText::new(text).strong());
        } else if let Some(text) = trimmed.strip_prefix("## ") {
            ui.add_space(2.0);
            ui.label(RichText::new(text).strong().size(16.0));
        } else if let Some(text) = trimmed.strip_prefix("# ") {
            ui.label(RichText::new(text).heading());
        } else if let Some(text) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            ui.horizontal_wrapped(|ui| {
                ui.label("•");
                inline_ui(ui, text);
            });
        } else if trimmed.starts_with('|') {
            // Table separator rows carry no content.
            if !trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                let cells: Vec<&str> = trimmed
                    .trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect();
                ui.horizontal_wrapped(|ui| {
                    for (i, cell) in cells.iter().enumerate() {
                        if i > 0 {
                            ui.label("—");
                        }
                        inline_ui(ui, cell);
                    }
                });
            }
        } else {
            ui.horizontal_wrapped(|ui| inline_ui(ui, trimmed));
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
        let after = &rest[start + marker.len()..];
        match after.find(marker) {
            Some(end) => {
                if start > 0 {
                    out.push((&rest[..start], Span::Plain));
                }
                out.push((&after[..end], kind));
                rest = &after[end + marker.len()..];
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
