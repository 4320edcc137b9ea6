//! Text normalization shared by the stages: whitespace collapsing (extraction), typographic
//! folding (rule matching) and the canonical form that content hashes are computed over (dedup).

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Collapses every whitespace run (including NBSP and other Unicode spaces) to one space and
/// trims the ends.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Appends `s` to `out` with whitespace runs collapsed to one space, never starting `out` with a
/// space and never doubling one at the seam.
pub fn push_collapsed(out: &mut String, s: &str) {
    // Whole words are copied at once rather than char by char: this runs over every byte of
    // every text input.
    let mut pending_space = false;
    for (i, word) in s.split(char::is_whitespace).enumerate() {
        // Every piece after the first follows a whitespace character.
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

/// Folds typographic variants to what rule authors type: curly quotes to straight ones, en and
/// em dashes to `-`, the ellipsis character to `...`. Block text is already
/// whitespace-collapsed by extraction.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => out.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            '\u{a0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The canonical form two texts must share to count as the same content: Unicode NFC,
/// typographic quotes, dashes and spaces folded, whitespace collapsed, lower-cased.
pub fn canonical(text: &str) -> String {
    // Every block goes through here several times (dedup, repeats, headline echo, body id), so
    // the common cases skip work that cannot change them: ASCII is its own NFC and fold and
    // lower-cases byte by byte; text already in NFC (the quick check is exact when it says
    // `Yes`) needs no re-composition.
    if text.is_ascii() {
        // Blocks arrive collapsed from extraction; copying is then all that is left to do.
        let mut out = if is_collapsed_ascii(text) {
            text.to_string()
        } else {
            collapse_whitespace(text)
        };
        out.make_ascii_lowercase();
        return out;
    }
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return collapse_whitespace(&fold(text)).to_lowercase();
    }
    let nfc: String = text.nfc().collect();
    collapse_whitespace(&fold(&nfc)).to_lowercase()
}

/// Whether ASCII `text` is already what [`collapse_whitespace`] would make of it: no whitespace
/// but single spaces between words.
fn is_collapsed_ascii(text: &str) -> bool {
    let b = text.as_bytes();
    !b.first().is_some_and(u8::is_ascii_whitespace)
        && !b.last().is_some_and(u8::is_ascii_whitespace)
        && !b.iter().any(|&c| c.is_ascii_whitespace() && c != b' ')
        && memchr::memmem::find(b, b"  ").is_none()
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
            assert_eq!(is_collapsed_ascii(t), collapse_whitespace(t) == t, "{t:?}");
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
}
