//! Text normalization shared by the stages: whitespace collapsing (extraction), typographic
//! folding (rule matching) and the canonical form that content hashes are computed over (dedup).
//! [`Canonicals`] holds a document's canonical forms so that the stages comparing blocks
//! (judging, dedup, the article id) compute each one once.

use std::borrow::Cow;
use std::cell::OnceCell;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::swar::{bytes_below, bytes_eq, HIGH_BITS};

/// Collapses every whitespace run (including NBSP and other Unicode spaces) to one space and
/// trims the ends.
pub fn collapse_whitespace(s: &str) -> String {
    // Most lines of a dump are already collapsed: then one scan and a copy do.
    if is_collapsed(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Appends `s` to `out` with whitespace runs collapsed to one space, never starting `out` with a
/// space and never doubling one at the seam.
pub fn push_collapsed(out: &mut String, s: &str) {
    // Runs over every text node of every page: bytes are classified by a table, words joined by
    // single spaces are copied as one run, and a character is decoded only where its lead byte
    // says it could be non-ASCII whitespace.
    let b = s.as_bytes();
    // The length of the whitespace character at `i`, or 0.
    let space_at = |i: usize| match SPACE_CLASS[usize::from(b[i])] {
        WORD => 0,
        ASCII_SPACE => 1,
        _ => s
            .get(i..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
    };
    let mut pending_space = false;
    let mut i = 0;
    while i < b.len() {
        let len = space_at(i);
        if len > 0 {
            pending_space = true;
            i += len;
            continue;
        }
        let start = i;
        loop {
            while i < b.len() && space_at(i) == 0 {
                i += 1;
            }
            // A single space with a word byte after it is already collapsed: the run goes on.
            if b.get(i) == Some(&b' ')
                && b.get(i + 1)
                    .is_some_and(|&c| SPACE_CLASS[usize::from(c)] == WORD)
            {
                i += 1;
                continue;
            }
            break;
        }
        push_word(out, &s[start..i], pending_space);
        pending_space = false;
    }
    if pending_space && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Appends one word of [`push_collapsed`]'s input, after a space if whitespace came before it
/// and `out` does not start or already end with one.
fn push_word(out: &mut String, word: &str, pending_space: bool) {
    if word.is_empty() {
        return;
    }
    if pending_space && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(word);
}

/// What [`push_collapsed`] needs to know about a byte: part of a word, ASCII whitespace (the
/// characters `char::is_whitespace` accepts below 0x80), or the lead byte of a character that
/// may be whitespace (U+0085 and U+00A0: 0xC2; U+1680: 0xE1; U+2000 to U+205F: 0xE2; U+3000:
/// 0xE3). Every other byte, including those inside multi-byte characters, is a word byte.
const WORD: u8 = 0;
const ASCII_SPACE: u8 = 1;
const MAYBE_SPACE: u8 = 2;
static SPACE_CLASS: [u8; 256] = {
    let mut t = [WORD; 256];
    t[b' ' as usize] = ASCII_SPACE;
    let mut c = 9;
    while c <= 13 {
        t[c] = ASCII_SPACE;
        c += 1;
    }
    t[0xC2] = MAYBE_SPACE;
    t[0xE1] = MAYBE_SPACE;
    t[0xE2] = MAYBE_SPACE;
    t[0xE3] = MAYBE_SPACE;
    t
};

/// Folds typographic variants to what rule authors type: curly quotes to straight ones, en and
/// em dashes to `-`, the ellipsis character to `...`. Block text is already
/// whitespace-collapsed by extraction.
pub fn fold(text: &str) -> Cow<'_, str> {
    // Every character that folds is U+00A0 or in U+2000..=U+2212, whose UTF-8 forms start with
    // 0xC2 and 0xE2: text without those bytes (ASCII, most other scripts) is its own fold.
    // Most lines are ASCII, and the ASCII check is cheaper than a search on a short line.
    if text.is_ascii() || memchr::memchr2(0xC2, 0xE2, text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    // Only characters starting with those two bytes can change: the text between them is
    // copied as it is.
    let mut out = String::with_capacity(text.len() + 2);
    let mut copied = 0;
    for at in memchr::memchr2_iter(0xC2, 0xE2, text.as_bytes()) {
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            continue;
        };
        out.push_str(&text[copied..at]);
        match fold_char(c) {
            Folded::Char(f) => out.push(f),
            Folded::Ellipsis => out.push_str("..."),
        }
        copied = at + c.len_utf8();
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// What [`fold`] makes of one character.
enum Folded {
    Char(char),
    Ellipsis,
}

fn fold_char(c: char) -> Folded {
    Folded::Char(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2026}' => return Folded::Ellipsis,
        '\u{a0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => ' ',
        c => c,
    })
}

/// The canonical form two texts must share to count as the same content: Unicode NFC,
/// typographic quotes, dashes and spaces folded, whitespace collapsed, lower-cased, and in NFC
/// still after lower-casing (so that it is its own canonical form).
pub fn canonical(text: &str) -> String {
    // Every block goes through here several times (dedup, repeats, headline echo, body id), so
    // the common cases skip work that cannot change them: ASCII is its own NFC and fold and
    // lower-cases byte by byte; text already in NFC (the quick check is exact when it says
    // `Yes`) needs no re-composition.
    // Blocks arrive collapsed from extraction, and nearly all their characters are ASCII,
    // Latin-1, basic Cyrillic or typographic punctuation: that case is one pass.
    if let Some(out) = collapsed_starters(text) {
        return out;
    }
    if text.is_ascii() {
        let mut out = collapse_whitespace(text);
        out.make_ascii_lowercase();
        return out;
    }
    // `str::to_lowercase` gives a final capital sigma its word-final form, which a character
    // by character pass cannot; text with one takes the general path.
    let nfc = non_ascii(text).all(|(_, c)| is_nfc_starter(c))
        || is_nfc_quick(text.chars()) == IsNormalized::Yes;
    if nfc && !text.contains('\u{3a3}') {
        if is_collapsed(text) {
            return fold_lower_collapsed(text);
        }
        return fold_collapse_lower(text);
    }
    let nfc: String = text.nfc().collect();
    let lower = collapse_whitespace(&fold(&nfc)).to_lowercase();
    // Lower-casing can make a pair composable that was not: `W` + U+030A has no precomposed
    // form, `w` + U+030A is `ẘ`. Composing again keeps the form its own canonical form.
    if is_nfc_quick(lower.chars()) == IsNormalized::Yes {
        lower
    } else {
        lower.nfc().collect()
    }
}

/// [`canonical`] of text whose ASCII whitespace is already collapsed and whose characters
/// [`lower_starters`] knows, in one pass over its bytes; `None` for any other text.
fn collapsed_starters(text: &str) -> Option<String> {
    if !spacing(text.as_bytes()).ascii_collapsed {
        return None;
    }
    lower_starters(text)
}

/// [`canonical`] of text whose ASCII whitespace is collapsed (see [`Spacing`]), on its UTF-8
/// bytes, for the scripts dumps are full of: Latin-1 and basic Cyrillic letters are lower-cased
/// by their last byte (or, for Cyrillic, the lead byte too), the typographic punctuation is
/// folded by its last byte, CJK ideographs and Hangul syllables (which have no case and never
/// combine with these neighbours, so the text stays NFC) are copied, and the no-break and
/// typographic spaces (common in Russian and French text) are collapsed with the ASCII spaces
/// next to them. `None` at the first other character; the caller then takes the general path.
fn lower_starters(text: &str) -> Option<String> {
    if text.is_ascii() {
        return Some(text.to_ascii_lowercase());
    }
    let b = text.as_bytes();
    // The result is never longer: every character keeps or loses bytes but the ellipsis, which
    // keeps three.
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let run = ascii_run(&b[i..]);
        if run > 0 {
            // The text's ASCII spaces are single and inside it; one right after a non-ASCII
            // space joins that space's run. (The text does not start with an ASCII space:
            // `out` is empty here only after leading non-ASCII spaces.)
            let skip =
                usize::from(b[i] == b' ' && out.as_bytes().last().is_none_or(|&c| c == b' '));
            let from = out.len();
            out.push_str(text.get(i + skip..i + run)?);
            out[from..].make_ascii_lowercase();
            i += run;
            continue;
        }
        let next = |k: usize| b.get(i + k).copied();
        let space = match (b[i], next(1), next(2)) {
            // U+0085, U+00A0; U+2000..=U+200A, U+2028, U+2029, U+202F; U+205F; U+3000.
            (0xC2, Some(0x85 | 0xA0), _) => 2,
            (0xE2, Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF))
            | (0xE2, Some(0x81), Some(0x9F))
            | (0xE3, Some(0x80), Some(0x80)) => 3,
            _ => 0,
        };
        if space > 0 {
            // One space for a run of whitespace, none at the start (nor, below, at the end).
            if out.as_bytes().last().is_some_and(|&c| c != b' ') {
                out.push(' ');
            }
            i += space;
            continue;
        }
        // The character's code point from its two bytes, for the two-byte cases.
        let two = |c1: u8| (u32::from(b[i] & 0x1F) << 6) | u32::from(c1 & 0x3F);
        let lower = match b[i] {
            // U+00A1..=U+00BF (no case); U+0080..=U+009F are controls.
            0xC2 => {
                next(1).filter(|&c| c >= 0xA1)?;
                None
            }
            // U+00C0..=U+00DE but the multiplication sign move up 0x20.
            0xC3 => match next(1)? {
                c1 @ 0x80..=0x9E if c1 != 0x97 => Some(two(c1) + 0x20),
                _ => None,
            },
            // U+0400..=U+040F lower to U+0450..=U+045F, U+0410..=U+042F to U+0430..=U+044F.
            0xD0 => match next(1)? {
                c1 @ 0x80..=0x8F => Some(two(c1) + 0x50),
                c1 @ 0x90..=0xAF => Some(two(c1) + 0x20),
                _ => None,
            },
            // U+0440..=U+045F, lower case already.
            0xD1 => {
                next(1).filter(|&c| c <= 0x9F)?;
                None
            }
            // General punctuation (U+2000..=U+207F, E2 80 and E2 81; its spaces are taken
            // above): dashes, quotes, primes and the ellipsis fold, the rest is copied; so is
            // the numero sign, the trade mark sign, and the minus sign, which folds.
            0xE2 => {
                let folded = match (next(1)?, next(2)?) {
                    (0x80, 0x90..=0x95) | (0x88, 0x92) => "-",
                    (0x80, 0x98..=0x9B | 0xB2) => "'",
                    (0x80, 0x9C..=0x9F | 0xB3) => "\"",
                    (0x80, 0xA6) => "...",
                    (0x80 | 0x81, _) | (0x84, 0x96 | 0xA2) => text.get(i..i + 3)?,
                    _ => return None,
                };
                out.push_str(folded);
                i += 3;
                continue;
            }
            0xE4..=0xED => {
                let c = text.get(i..)?.chars().next()?;
                if !matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}') {
                    return None;
                }
                None
            }
            _ => return None,
        };
        let len = if b[i] >= 0xE0 { 3 } else { 2 };
        match lower {
            Some(code) => out.push(char::from_u32(code)?),
            None => out.push_str(text.get(i..i + len)?),
        }
        i += len;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    Some(out)
}

/// What one pass over a text's bytes says about its spacing: whether its ASCII whitespace is
/// already collapsed (no space at either end, no tab, line feed, vertical tab, form feed or
/// carriage return, no two spaces in a row), and whether it has any non-ASCII byte (only then
/// can it hold other whitespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Spacing {
    ascii_collapsed: bool,
    non_ascii: bool,
}

/// [`Spacing`] of `b`, eight bytes at a time: this runs over every line twice (extraction and
/// the canonical form), and most lines pass every check, so nothing stops early. A control byte
/// (below 0x20, rare in text) sends the line to an exact byte-by-byte check of the whitespace
/// ones among them.
fn spacing(b: &[u8]) -> Spacing {
    let edges = b.first() == Some(&b' ') || b.last() == Some(&b' ');
    let (mut high, mut control, mut double) = (0u64, 0u64, 0u64);
    // The space bit of the last byte of the previous word, for a pair across words.
    let mut carry = 0u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(w);
        let x = u64::from_le_bytes(buf);
        high |= x;
        control |= bytes_below(x, 0x20);
        let spaces = bytes_eq(x, b' ');
        // `spaces >> 8` pairs byte i with byte i + 1; the first byte pairs with the carry.
        double |= (spaces & (spaces >> 8)) | (spaces & carry);
        carry = (spaces >> 56) & 0x80;
    }
    let mut prev_space = carry != 0;
    let mut tail_double = false;
    let mut tail_control = false;
    for &c in words.remainder() {
        high |= u64::from(c);
        tail_control |= c < 0x20;
        tail_double |= prev_space && c == b' ';
        prev_space = c == b' ';
    }
    let non_ascii = high & HIGH_BITS != 0;
    let mut collapsed = !edges && double == 0 && !tail_double;
    if collapsed && (control != 0 || tail_control) {
        collapsed = !b.iter().any(|c| (9..=13).contains(c));
    }
    Spacing {
        ascii_collapsed: collapsed,
        non_ascii,
    }
}

/// Characters that are NFC on their own and never combine with a neighbour (canonical combining
/// class 0): Latin-1, basic Cyrillic and the typographic punctuation dumps are full of. Text of
/// only these is NFC without the quick check's table look-ups.
fn is_nfc_starter(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{a0}'..='\u{ff}' | '\u{400}'..='\u{45f}' | '\u{2010}'..='\u{2027}')
}

/// `c.to_lowercase()` for one character, without the Unicode tables for Latin-1 and basic
/// Cyrillic.
fn push_lower(out: &mut String, c: char) {
    let shifted = |by: u32| char::from_u32(c as u32 + by).unwrap_or(c);
    match c {
        'A'..='Z' => out.push(c.to_ascii_lowercase()),
        'À'..='Þ' if c != '×' => out.push(shifted(0x20)),
        '\u{410}'..='\u{42f}' => out.push(shifted(0x20)),
        '\u{400}'..='\u{40f}' => out.push(shifted(0x50)),
        '\0'..='\u{ff}' | '\u{430}'..='\u{45f}' => out.push(c),
        c => out.extend(c.to_lowercase()),
    }
}

/// `collapse_whitespace(&fold(text)).to_lowercase()` in one pass and one allocation, for text
/// without a capital sigma. Folding turns spaces into spaces and nothing else into one, and
/// lower-casing never makes or removes a space, so the three steps commute character by character.
/// Runs of ASCII are copied and lower-cased a word at a time; only other characters are decoded.
fn fold_collapse_lower(text: &str) -> String {
    // The ASCII whitespace characters: tab, line feed, vertical tab, form feed, carriage return
    // and space.
    let ascii_space = |c: u8| c == b' ' || (9..=13).contains(&c);
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii() {
            if ascii_space(b[i]) {
                pending_space = !out.is_empty();
                i += 1;
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii() && !ascii_space(b[i]) {
                i += 1;
            }
            let from = out.len();
            out.push_str(&text[start..i]);
            out[from..].make_ascii_lowercase();
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match fold_char(c) {
            Folded::Char(f) => push_lower(&mut out, f),
            Folded::Ellipsis => out.push_str("..."),
        }
    }
    out
}

/// How many bytes `b` starts with are ASCII: sixteen at a time while they all are.
fn ascii_run(b: &[u8]) -> usize {
    let mut i = 0;
    while b.len() - i >= 16 && b[i..i + 16].iter().fold(0u8, |any, &c| any | c) < 0x80 {
        i += 16;
    }
    i + b[i..]
        .iter()
        .position(|&c| c >= 0x80)
        .unwrap_or(b.len() - i)
}

/// The non-ASCII characters of `text` with their byte offsets. ASCII is skipped sixteen bytes
/// at a time: in most lines the other characters are a few quotes and dashes.
fn non_ascii(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let b = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let at = i + ascii_run(b.get(i..)?);
        let c = text.get(at..)?.chars().next()?;
        i = at + c.len_utf8();
        Some((at, c))
    })
}

/// [`fold_collapse_lower`] of text that [`is_collapsed`] accepts: its whitespace is single
/// ASCII spaces between words already, and no character folds to a space (those that do are
/// whitespace), so only folding and lower-casing are left.
fn fold_lower_collapsed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, c) in non_ascii(text) {
        let from = out.len();
        out.push_str(&text[copied..at]);
        out[from..].make_ascii_lowercase();
        match fold_char(c) {
            Folded::Char(f) => push_lower(&mut out, f),
            Folded::Ellipsis => out.push_str("..."),
        }
        copied = at + c.len_utf8();
    }
    let from = out.len();
    out.push_str(&text[copied..]);
    out[from..].make_ascii_lowercase();
    out
}

/// The canonical forms of one document's blocks, each computed the first time a stage asks for
/// it. Block `i`'s form is only ever asked for with block `i`'s text, which no stage changes once
/// the blocks are decided on.
#[derive(Debug, Default)]
pub struct Canonicals {
    forms: Vec<OnceCell<String>>,
}

impl Canonicals {
    /// Room for `blocks` blocks.
    pub fn new(blocks: usize) -> Canonicals {
        Canonicals {
            forms: vec![OnceCell::new(); blocks],
        }
    }

    /// [`canonical`]`(text)`, where `text` is block `i`'s text; computed afresh for a block
    /// beyond the `blocks` this was made for.
    pub fn get(&self, i: usize, text: &str) -> Cow<'_, str> {
        match self.forms.get(i) {
            Some(cell) => Cow::Borrowed(cell.get_or_init(|| canonical(text))),
            None => Cow::Owned(canonical(text)),
        }
    }
}

/// Whether `text` is already what [`collapse_whitespace`] would make of it: no whitespace but
/// single ASCII spaces between words. The checks run over whole lines without stopping early,
/// which lets them run many bytes at a time; characters are decoded only in text that holds a
/// byte non-ASCII whitespace starts with.
fn is_collapsed(text: &str) -> bool {
    let b = text.as_bytes();
    let Spacing {
        ascii_collapsed,
        non_ascii,
    } = spacing(b);
    if !ascii_collapsed {
        return false;
    }
    if !non_ascii {
        return true;
    }
    // The other whitespace characters are U+0085 and U+00A0 (0xC2 …), U+1680 (0xE1 …),
    // U+2000 to U+205F (0xE2 …) and U+3000 (0xE3 …).
    // Those bytes only ever start a character: only the characters they start are decoded.
    let space_at = |at: usize| {
        text.get(at..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_whitespace)
    };
    !memchr::memchr3_iter(0xC2, 0xE1, 0xE2, b).any(space_at)
        && !memchr::memchr_iter(0xE3, b).any(space_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_all_unicode_spaces() {
        assert_eq!(collapse_whitespace("  a\u{a0}\u{2009} b\n\tc  "), "a b c");
        let mut s = String::from("x");
        push_collapsed(&mut s, " y ");
        push_collapsed(&mut s, " z");
        assert_eq!(s, "x y z");
    }

    #[test]
    fn collapsed_check_agrees_with_collapsing() {
        for t in ["a b", " a", "a ", "a  b", "a\tb", "a\x0cb", "", "ab"] {
            assert_eq!(
                spacing(t.as_bytes()).ascii_collapsed,
                collapse_whitespace(t) == t,
                "{t:?}"
            );
        }
    }

    #[test]
    fn collapsed_check_agrees_with_collapsing_unicode() {
        for t in [
            "a b",
            " a",
            "a\u{a0}",
            "\u{3000}a",
            "é b",
            "é  b",
            "é\u{2009}b",
            "a\x0bb",
            "а б",
            "\u{85}",
            "x\u{200b}y",
            "",
        ] {
            assert_eq!(is_collapsed(t), push_collapsed_reference(t) == t, "{t:?}");
        }
    }

    #[test]
    fn collapsed_check_knows_every_space() {
        for c in '\0'..='\u{3100}' {
            let t = format!("a{c}b");
            assert_eq!(is_collapsed(&t), push_collapsed_reference(&t) == t, "{c:?}");
        }
    }

    fn push_collapsed_reference(t: &str) -> String {
        let mut out = String::new();
        push_collapsed(&mut out, t);
        out.trim_end().to_string()
    }

    #[test]
    fn fast_character_paths_agree_with_the_tables() {
        use unicode_normalization::char::canonical_combining_class;
        for c in ('\0'..='\u{3000}').filter(|&c| is_nfc_starter(c)) {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
        for c in '\0'..='\u{600}' {
            let mut fast = String::new();
            push_lower(&mut fast, c);
            assert_eq!(fast, c.to_lowercase().to_string(), "{c:?}");
        }
    }

    /// The characters [`lower_starters`] takes: the starters other than U+00A0 (Latin-1, basic
    /// Cyrillic, U+2010..=U+2027), the rest of general punctuation, a few signs, CJK ideographs,
    /// Hangul syllables and whitespace but the Ogham space mark.
    fn bytewise(c: char) -> bool {
        (is_nfc_starter(c) && c != '\u{a0}')
            || matches!(
                c,
                '\u{2000}'..='\u{207f}'
                    | '\u{2116}'
                    | '\u{2122}'
                    | '\u{2212}'
                    | '\u{4e00}'..='\u{9fff}'
                    | '\u{ac00}'..='\u{d7a3}'
            )
            || (c.is_whitespace() && c != '\u{1680}')
    }

    /// [`lower_starters`] against the steps for every character of the blocks it reads by their
    /// bytes (and their neighbours), between ASCII and next to itself; and it takes exactly the
    /// starters other than U+00A0, and the CJK ideographs and Hangul syllables.
    #[test]
    fn bytewise_lowering_agrees_with_the_steps_for_every_character() {
        let blocks = [
            0x80..0x800u32,
            0x1600..0x1700,
            0x2000..0x2300,
            0x3000..0x3100,
            0x4dff..0x4e02,
            0x9ffe..0xa001,
            0xabff..0xac02,
            0xd7a2..0xd7a5,
        ];
        for c in blocks.into_iter().flatten().filter_map(char::from_u32) {
            let t = format!("{c}Ab{c}{c}z {c}x{c} y {c}");
            let want = bytewise(c);
            assert_eq!(lower_starters(&t).is_some(), want, "{c:?}");
            if let Some(fast) = lower_starters(&t) {
                let nfc: String = t.nfc().collect();
                assert_eq!(
                    fast,
                    collapse_whitespace(&fold(&nfc)).to_lowercase(),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn one_pass_canonical_agrees_with_the_steps() {
        for t in [
            "  Caf\u{e9}\u{a0}\u{2014} \u{201c}OK\u{201d}\u{2026} ",
            "\u{130}stanbul \u{212a}elvin",
            "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}\u{2009}\u{43c}\u{438}\u{440}",
            "\u{1e9e}tra\u{df}e\t\u{3000}x",
        ] {
            assert_eq!(
                fold_collapse_lower(t),
                collapse_whitespace(&fold(t)).to_lowercase(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn fold_copies_what_does_not_fold() {
        let reference = |t: &str| {
            let mut out = String::new();
            for c in t.chars() {
                match fold_char(c) {
                    Folded::Char(f) => out.push(f),
                    Folded::Ellipsis => out.push_str("..."),
                }
            }
            out
        };
        for t in [
            "plain ascii",
            "It\u{2019}s \u{201c}here\u{201d}\u{2026} \u{2014} ok",
            "\u{a0}\u{a9}\u{2212}x\u{2122}\u{2033}",
            "caf\u{e9} \u{2009}end\u{2026}",
            "\u{2026}",
            "",
        ] {
            assert_eq!(fold(t), reference(t), "{t:?}");
        }
    }

    #[test]
    fn collapsed_fast_path_agrees_with_the_steps() {
        for t in [
            "It\u{2019}s \u{201c}Here\u{201d}\u{2026} \u{2014} OK",
            "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442} \u{43c}\u{438}\u{440} \u{c9}T\u{c9}",
            "A long run of ASCII text before one \u{e9} and another long run of ASCII AFTER it",
            "\u{e9}",
            "\u{212a}elvin \u{130}stanbul \u{1e9e}",
            "plain",
        ] {
            assert!(is_collapsed(t), "{t:?}");
            assert_eq!(
                fold_lower_collapsed(t),
                collapse_whitespace(&fold(t)).to_lowercase(),
                "{t:?}"
            );
            let all: Vec<(usize, char)> = t.char_indices().filter(|(_, c)| !c.is_ascii()).collect();
            assert_eq!(non_ascii(t).collect::<Vec<_>>(), all, "{t:?}");
        }
    }

    #[test]
    fn canonical_folds_variants() {
        assert_eq!(
            canonical("  Xi tells Blinken \u{2018}very good\u{2019}\u{a0}"),
            "xi tells blinken 'very good'"
        );
        assert_eq!(
            canonical("Cafe\u{301} \u{2014} OK"),
            canonical("Caf\u{e9} - ok")
        );
    }

    #[test]
    fn spacing_sees_a_double_space_at_every_offset() {
        for len in 2..26 {
            for at in 1..len - 1 {
                let mut b = vec![b'a'; len];
                b[at] = b' ';
                assert!(spacing(&b).ascii_collapsed, "{len} {at}");
                if at + 2 < len {
                    b[at + 1] = b' ';
                    assert!(!spacing(&b).ascii_collapsed, "{len} {at}");
                }
            }
        }
    }

    proptest::proptest! {
        /// The word-at-a-time spacing scan agrees with a byte-by-byte one, at every alignment
        /// (the bytes are drawn from those it looks for).
        #[test]
        fn spacing_agrees_with_a_bytewise_scan(
            b in proptest::collection::vec(proptest::prop_oneof![
                6 => proptest::strategy::Just(b'a'),
                3 => proptest::strategy::Just(b' '),
                1 => proptest::sample::select(
                    vec![b'\t', b'\n', b'\r', 0x0b, 0x0c, 0x1f, 0x08, 0x0e, 0x80, 0xe2]),
            ], 0..40)
        ) {
            let reference = Spacing {
                ascii_collapsed: b.first() != Some(&b' ')
                    && b.last() != Some(&b' ')
                    && !b.iter().any(|c| (9..=13).contains(c))
                    && !b.windows(2).any(|w| w == b"  "),
                non_ascii: b.iter().any(|&c| c >= 0x80),
            };
            proptest::prop_assert_eq!(spacing(&b), reference);
        }
    }

    /// `push_collapsed` as it was written first: a split on `char::is_whitespace`.
    fn push_collapsed_by_split(out: &mut String, s: &str) {
        let mut pending_space = false;
        for (i, word) in s.split(char::is_whitespace).enumerate() {
            pending_space |= i > 0;
            if word.is_empty() {
                continue;
            }
            if pending_space && !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(word);
        }
        if pending_space && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }

    #[test]
    fn push_collapsed_knows_every_space() {
        for c in '\0'..='\u{3100}' {
            for before in ["", "x", "x "] {
                let t = format!("a{c}b{c}");
                let (mut fast, mut split) = (before.to_string(), before.to_string());
                push_collapsed(&mut fast, &t);
                push_collapsed_by_split(&mut split, &t);
                assert_eq!(fast, split, "{c:?} after {before:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn push_collapsed_agrees_with_a_split(
            before in "[a ]{0,2}",
            t in "[ab \t\n\u{85}\u{a0}\u{a9}\u{1680}\u{2009}\u{2019}\u{3000}\u{3042}]{0,12}"
        ) {
            let (mut fast, mut split) = (before.clone(), before);
            push_collapsed(&mut fast, &t);
            push_collapsed_by_split(&mut split, &t);
            proptest::prop_assert_eq!(fast, split);
        }
    }

    proptest::proptest! {
        /// The one-pass route gives what the steps give, and takes every collapsed line of
        /// starters; the characters are drawn from what decides each branch.
        #[test]
        fn one_pass_route_agrees_with_the_steps(
            t in "[a-zA-Z \t.\u{a0}\u{c0}-\u{ff}\u{85}\u{400}-\u{460}\u{2010}-\u{2028}\u{3a3}\u{301}\u{130}\u{3000}\u{4e00}\u{ac00}\u{d7a3}\u{d7a4}\u{1100}\u{1161}\u{11a8}\u{3099}\u{2009}\u{200b}\u{202f}\u{205f}\u{1680}\u{2212}\u{2116}\u{212a}\u{2126}\u{2032}\u{2070}]{0,12}"
        ) {
            let nfc: String = t.nfc().collect();
            // Lower-casing can leave marks out of canonical order (`İ` + U+3099): composed again.
            let steps: String = collapse_whitespace(&fold(&nfc)).to_lowercase().nfc().collect();
            proptest::prop_assert_eq!(&canonical(&t), &steps);
            if let Some(fast) = collapsed_starters(&t) {
                proptest::prop_assert_eq!(&fast, &steps);
            }
            let starters = t.chars().all(|c| bytewise(c) || (c.is_ascii_whitespace() || c == '\u{b}'));
            proptest::prop_assert_eq!(
                collapsed_starters(&t).is_some(),
                starters && spacing(t.as_bytes()).ascii_collapsed
            );
        }
    }
}
