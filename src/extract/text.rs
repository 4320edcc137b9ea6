//! Text dumps → blocks: one block per non-blank line.
//!
//! Lines are the unit because flattened pages put one page element per line (a menu item, a
//! button, a paragraph), and boilerplate sits on lines of its own. Blank lines group lines into
//! paragraphs; a paragraph whose lines look hard-wrapped (every line but the last of similar,
//! prose-like width) is joined back into one block so a wrapped paragraph is judged as a whole.
//! `\r\n` and a lone `\r` both end a line.

use crate::model::{Block, BlockKind};
use crate::norm::collapse_whitespace;

/// Lines narrower than this are never treated as hard-wrapped (menus, buttons, headings).
const WRAP_MIN: usize = 55;
/// Lines wider than this were not wrapped by a fixed-width tool.
const WRAP_MAX: usize = 90;

pub fn extract(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut group: Vec<(usize, String)> = Vec::new();
    let mut paragraph = 0;
    for (i, line) in lines(text).enumerate() {
        let clean = collapse_whitespace(line);
        if clean.is_empty() {
            if !group.is_empty() {
                flush(&mut group, paragraph, &mut blocks);
                paragraph += 1;
            }
        } else {
            group.push((i + 1, clean));
        }
    }
    flush(&mut group, paragraph, &mut blocks);
    blocks
}

/// Splits on `\n`, `\r\n` and lone `\r`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) => {
                let line = &rest[..i];
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

fn flush(group: &mut Vec<(usize, String)>, paragraph: usize, out: &mut Vec<Block>) {
    if group.is_empty() {
        return;
    }
    let block = |line: usize, text: String| Block {
        text,
        kind: BlockKind::Line,
        line: Some(line),
        paragraph,
        removed_by: None,
    };
    if looks_hard_wrapped(group) {
        let first = group[0].0;
        let joined = group
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(block(first, joined));
    } else {
        out.extend(group.drain(..).map(|(n, t)| block(n, t)));
    }
    group.clear();
}

fn looks_hard_wrapped(group: &[(usize, String)]) -> bool {
    group.len() >= 3
        && group[..group.len() - 1].iter().all(|(_, t)| {
            let n = t.chars().count();
            (WRAP_MIN..=WRAP_MAX).contains(&n) && !t.ends_with(['.', '!', '?', ':'])
        })
        && group[group.len() - 1].1.chars().count() <= WRAP_MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_paragraphs_and_line_endings() {
        let blocks = extract("Title\r\n\r\nOne\rTwo\n  \nThree   four\u{a0}five\n");
        let got: Vec<_> = blocks
            .iter()
            .map(|b| (b.text.as_str(), b.line.unwrap(), b.paragraph))
            .collect();
        assert_eq!(
            got,
            [
                ("Title", 1, 0),
                ("One", 3, 1),
                ("Two", 4, 1),
                ("Three four five", 6, 2)
            ]
        );
    }

    #[test]
    fn hard_wrapped_paragraphs_are_joined() {
        let text = "It was the best of times, it was the worst of times, it was\n\
                    the age of wisdom, it was the age of foolishness, it was the\n\
                    epoch of belief.\n\nMenu\nHome\nAbout\n";
        let blocks = extract(text);
        assert_eq!(blocks.len(), 4);
        assert!(
            blocks[0].text.starts_with("It was the best") && blocks[0].text.ends_with("belief.")
        );
        assert_eq!(blocks[0].line, Some(1));
        assert_eq!(blocks[1].text, "Menu");
    }
}
