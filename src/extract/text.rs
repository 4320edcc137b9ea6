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
    // Lines of the current paragraph go straight into `blocks`, from `first` on; a paragraph
    // that turns out hard-wrapped is joined there when it ends.
    let mut first = 0;
    let mut paragraph = 0;
    for (i, line) in lines(text).enumerate() {
        let clean = collapse_whitespace(line);
        if clean.is_empty() {
            if blocks.len() > first {
                join_if_wrapped(&mut blocks, first);
                first = blocks.len();
                paragraph += 1;
            }
        } else {
            blocks.push(Block {
                text: clean,
                kind: BlockKind::Line,
                line: Some(i + 1),
                paragraph,
                removed_by: None,
            });
        }
    }
    join_if_wrapped(&mut blocks, first);
    blocks
}

/// Splits on `\n`, `\r\n` and lone `\r`. One search over the whole text: lines are short, and
/// starting a search per line costs more than the search.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut ends = memchr::memchr2_iter(b'\n', b'\r', b);
    let mut start = 0;
    std::iter::from_fn(move || {
        // The `\n` of a `\r\n` was found too: it ends no line of its own.
        for at in ends.by_ref() {
            if at < start {
                continue;
            }
            let line = &text[start..at];
            start = at + if b[at..].starts_with(b"\r\n") { 2 } else { 1 };
            return Some(line);
        }
        if start < b.len() {
            let line = &text[start..];
            start = b.len();
            return Some(line);
        }
        None
    })
}

/// Joins `blocks[first..]`, one paragraph's lines, into one block when they look hard-wrapped.
fn join_if_wrapped(blocks: &mut Vec<Block>, first: usize) {
    let group = &blocks[first..];
    if !looks_hard_wrapped(group) {
        return;
    }
    let len = group.iter().map(|b| b.text.len() + 1).sum::<usize>();
    let mut joined = String::with_capacity(len);
    for (k, b) in group.iter().enumerate() {
        if k > 0 {
            joined.push(' ');
        }
        joined.push_str(&b.text);
    }
    blocks.truncate(first + 1);
    blocks[first].text = joined;
}

fn looks_hard_wrapped(group: &[Block]) -> bool {
    group.len() >= 3
        && group[..group.len() - 1].iter().all(|b| {
            let t = &b.text;
            let n = t.chars().count();
            (WRAP_MIN..=WRAP_MAX).contains(&n) && !t.ends_with(['.', '!', '?', ':'])
        })
        && group[group.len() - 1].text.chars().count() <= WRAP_MAX
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

    /// The line splitter that started a search per line, kept as the reference.
    fn lines_one_search_each(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find(['\n', '\r']) {
                Some(i) => {
                    out.push(&rest[..i]);
                    let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                    rest = &rest[i + skip..];
                }
                None => {
                    out.push(rest);
                    rest = "";
                }
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn one_search_splits_like_one_search_per_line(text in "[ab\r\n]{0,24}") {
            proptest::prop_assert_eq!(lines(&text).collect::<Vec<_>>(), lines_one_search_each(&text));
        }
    }
}
