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
    let mut blocks = Paragraphs::default();
    let suspects = uncollapsed_spans(text);
    let mut next_suspect = 0;
    for (i, (start, line)) in lines(text).enumerate() {
        // Most lines of a dump are already collapsed. A line is known to be when it has no
        // space at either end and no span with a byte where it is not overlaps it; only the
        // others are collapsed (and checked again) one by one.
        let end = start + line.len();
        while suspects
            .get(next_suspect)
            .is_some_and(|&k| (k + 1) * SCAN <= start)
        {
            next_suspect += 1;
        }
        let clean = !line.starts_with(' ')
            && !line.ends_with(' ')
            && suspects.get(next_suspect).is_none_or(|&k| k * SCAN >= end);
        let clean = if clean {
            line.to_string()
        } else {
            collapse_whitespace(line)
        };
        blocks.push(i + 1, clean);
    }
    blocks.finish()
}

/// The blocks of a document as its lines arrive. Lines of the current paragraph go straight
/// into `blocks`, from `first` on; a paragraph that turns out hard-wrapped is joined there when
/// it ends.
#[derive(Default)]
struct Paragraphs {
    blocks: Vec<Block>,
    first: usize,
    paragraph: usize,
}

impl Paragraphs {
    /// Adds line `line` (1-based), collapsed: a blank one ends the paragraph.
    fn push(&mut self, line: usize, text: String) {
        if text.is_empty() {
            if self.blocks.len() > self.first {
                join_if_wrapped(&mut self.blocks, self.first);
                self.first = self.blocks.len();
                self.paragraph += 1;
            }
        } else {
            self.blocks.push(Block {
                text,
                kind: BlockKind::Line,
                line: Some(line),
                paragraph: self.paragraph,
                removed_by: None,
            });
        }
    }

    /// The blocks, the last paragraph joined if it is hard-wrapped.
    fn finish(mut self) -> Vec<Block> {
        join_if_wrapped(&mut self.blocks, self.first);
        self.blocks
    }
}

/// How many bytes [`uncollapsed_spans`] tests at once: two SSE2 registers' worth, which the
/// compiler turns the byte loop into.
const SCAN: usize = 32;

/// Whether the byte `c`, followed by `d`, may be where a line is not collapsed: an ASCII
/// whitespace byte other than a space and the line ends (tab, vertical tab, form feed), the
/// lead byte of a character that may be non-ASCII whitespace (0xC2: U+0085, U+00A0; 0xE1:
/// U+1680; 0xE2: U+2000 to U+205F; 0xE3: U+3000), or the first of two spaces. (`&` and `|`,
/// not `&&` and `||`: no branch per byte, so the loop below vectorises.)
fn suspect(c: u8, d: u8) -> bool {
    (c == b'\t')
        | (c == 0x0b)
        | (c == 0x0c)
        | (c == 0xC2)
        | (c.wrapping_sub(0xE1) < 3)
        | ((c == b' ') & (d == b' '))
}

/// [`suspect`] with the two bytes after `c` looked at too: the lead bytes stay suspect only
/// where the bytes after them may still make whitespace (U+0085 and U+00A0 are C2 85 and C2 A0,
/// U+1680 is E1 9A 80, U+2000 to U+200A, U+2028, U+2029 and U+202F are E2 80 80 to E2 80 8A
/// and E2 80 A8 to E2 80 AF, U+205F is E2 81 9F, U+3000 is E3 80 80). Quotes, dashes, bullets
/// and the ellipsis (E2 80 8B to E2 80 A7) are the non-ASCII characters of most dumps: a span
/// that only has those is cleared without decoding them.
fn suspect_near(c: u8, d: u8, e: u8) -> bool {
    (c == b'\t')
        | (c == 0x0b)
        | (c == 0x0c)
        | ((c == b' ') & (d == b' '))
        | ((c == 0xC2) & ((d == 0x85) | (d == 0xA0)))
        | ((c == 0xE1) & (d == 0x9A))
        | ((c == 0xE2) & (d == 0x80) & !(0x8B..=0xA7).contains(&e))
        | ((c == 0xE2) & (d == 0x81) & (e == 0x9F))
        | ((c == 0xE3) & (d == 0x80) & (e == 0x80))
}

/// Whether the byte at `at` is where a line is not collapsed: [`suspect`], and where it is a
/// lead byte, the character it starts is whitespace.
fn uncollapsed_at(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    match b[at] {
        b'\t' | 0x0b | 0x0c => true,
        b' ' => b.get(at + 1) == Some(&b' '),
        0xC2 | 0xE1..=0xE3 => text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_whitespace),
        _ => false,
    }
}

/// The indices `k` of the spans `k * SCAN..(k + 1) * SCAN` of `text` holding a byte where a
/// line is not collapsed ([`uncollapsed_at`]), in order. One pass over the whole text, `SCAN`
/// bytes at a time: a check per line paid a call and a ragged tail per line, and lines are
/// short. Only spans with a [`suspect`] byte (typographic quotes and dashes share the lead
/// byte of the Unicode spaces) are looked at byte by byte.
fn uncollapsed_spans(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let Some(after) = b.get(1..) else {
        return spans;
    };
    let mut check = |k: usize| {
        let at = k * SCAN;
        // A whole span with two bytes after it is first tested again, all at once, with
        // [`suspect_near`]; the rest, or where that finds something, byte by byte.
        if let (Some(c), Some(d), Some(e)) = (
            b.get(at..at + SCAN),
            b.get(at + 1..at + 1 + SCAN),
            b.get(at + 2..at + 2 + SCAN),
        ) {
            let near = c
                .iter()
                .zip(d)
                .zip(e)
                .fold(false, |any, ((&c, &d), &e)| any | suspect_near(c, d, e));
            if !near {
                return;
            }
        }
        if (at..(at + SCAN).min(b.len())).any(|at| uncollapsed_at(text, at)) {
            spans.push(k);
        }
    };
    // Each span is tested with the byte after it, for a pair of spaces across the border.
    let mut k = 0;
    for (c, d) in b.chunks_exact(SCAN).zip(after.chunks_exact(SCAN)) {
        if c.iter()
            .zip(d)
            .fold(false, |any, (&c, &d)| any | suspect(c, d))
        {
            check(k);
        }
        k += 1;
    }
    // The rest, whose last byte has no byte after it.
    if k * SCAN < b.len() {
        check(k);
    }
    spans
}

/// Splits on `\n`, `\r\n` and lone `\r`, giving each line with its byte offset. One search over the whole text: lines are short, and
/// starting a search per line costs more than the search.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut ends = memchr::memchr2_iter(b'\n', b'\r', b);
    let mut start = 0;
    std::iter::from_fn(move || {
        // The `\n` of a `\r\n` was found too: it ends no line of its own.
        for at in ends.by_ref() {
            if at < start {
                continue;
            }
            let line = (start, &text[start..at]);
            start = at + if b[at..].starts_with(b"\r\n") { 2 } else { 1 };
            return Some(line);
        }
        if start < b.len() {
            let line = (start, &text[start..]);
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
            let got: Vec<&str> = lines(&text).map(|(_, line)| line).collect();
            proptest::prop_assert_eq!(got, lines_one_search_each(&text));
        }
    }

    /// [`extract`] as it was first written: every line collapsed (and checked) on its own.
    fn extract_collapsing_each_line(text: &str) -> Vec<Block> {
        let mut blocks = Paragraphs::default();
        for (i, line) in lines_one_search_each(text).into_iter().enumerate() {
            blocks.push(i + 1, collapse_whitespace(line));
        }
        blocks.finish()
    }

    fn texts(blocks: &[Block]) -> Vec<(&str, Option<usize>, usize)> {
        blocks
            .iter()
            .map(|b| (b.text.as_str(), b.line, b.paragraph))
            .collect()
    }

    #[test]
    fn every_character_near_a_space_lead_byte_is_judged_right() {
        // Every character whose UTF-8 form starts with a byte that spaces start with, inside a
        // line and at either end, at every offset of the first span and across its border.
        let leads = [
            '\u{80}'..='\u{ff}',
            '\u{1600}'..='\u{16ff}',
            '\u{2000}'..='\u{20ff}',
            '\u{3000}'..='\u{30ff}',
        ];
        let tail = "z".repeat(70);
        for c in leads.into_iter().flatten() {
            for pad in 0..=33 {
                let pad = "y".repeat(pad);
                for text in [
                    format!("{pad}a{c}b\n{tail}"),
                    format!("{pad}{c}x\n{tail}"),
                    format!("{pad}\n{c}x\n{tail}"),
                    format!("{pad}\nx{c}\n{tail}"),
                ] {
                    assert_eq!(
                        texts(&extract(&text)),
                        texts(&extract_collapsing_each_line(&text)),
                        "{text:?}"
                    );
                }
            }
        }
    }

    /// Text mostly of one letter, so that most spans hold at most one of the other characters:
    /// those the scan looks for, and some that share their bytes.
    fn dump_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let others = vec![
            '\t', '\r', '\x0b', '\x0c', '\x1f', '\u{85}', '\u{a0}', '\u{a9}', '\u{1680}',
            '\u{1681}', '\u{2009}', '\u{200b}', '\u{2019}', '\u{2028}', '\u{202f}', '\u{2030}',
            '\u{205f}', '\u{3000}', '\u{3001}',
        ];
        proptest::collection::vec(
            prop_oneof![
                40 => Just('a'),
                8 => Just(' '),
                3 => Just('\n'),
                2 => proptest::sample::select(others),
            ],
            0..200,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest::proptest! {
        /// Lines known collapsed from the whole-text scan are what collapsing each gives.
        #[test]
        fn scanning_the_text_agrees_with_collapsing_each_line(text in dump_text()) {
            let (fast, plain) = (extract(&text), extract_collapsing_each_line(&text));
            proptest::prop_assert_eq!(texts(&fast), texts(&plain));
        }
    }
}
