//! Dedup: content hashes, and repeated blocks inside one document.
//!
//! Text is compared in its canonical form ([`canonical`]: NFC, typographic variants folded,
//! whitespace collapsed, lower case), so a caption repeated with a curly apostrophe instead of a
//! straight one still counts as a repeat. An article's id is the SHA-256 of its canonical body;
//! the store uses it to recognise the same article arriving from another file or another run.

use fxhash::FxHashSet;
use sha2::{Digest, Sha256};

use crate::model::{Decided, Verdict};
use crate::norm::{canonical, Canonicals};

/// The removal reason recorded for a repeated block.
pub const REPEAT: &str = "dedup.repeat";

/// Drops every kept block whose canonical text equals an earlier kept block's. Returns how many
/// blocks were dropped. `forms`: the blocks' canonical forms (see [`Canonicals`]).
pub fn drop_repeats(decided: &mut [Decided], forms: &Canonicals) -> usize {
    let mut seen = FxHashSet::with_capacity_and_hasher(decided.len(), Default::default());
    let mut dropped = 0;
    for (i, d) in decided.iter_mut().enumerate().filter(|(_, d)| d.is_kept()) {
        if !seen.insert(forms.get(i, &d.block.text)) {
            d.verdict = Verdict::Drop(REPEAT.into());
            dropped += 1;
        }
    }
    dropped
}

/// The article id: lower-case hex SHA-256 over the canonical paragraphs, one per line.
pub fn body_id<S: AsRef<str>>(paragraphs: &[S]) -> String {
    hash_lines(paragraphs.iter().map(|p| canonical(p.as_ref())))
}

/// [`body_id`] of the kept blocks' texts, from their canonical forms in `forms`.
pub fn kept_body_id(decided: &[Decided], forms: &Canonicals) -> String {
    hash_lines(
        decided
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_kept())
            .map(|(i, d)| forms.get(i, &d.block.text)),
    )
}

fn hash_lines<S: AsRef<str>>(canonical_lines: impl Iterator<Item = S>) -> String {
    let mut h = Sha256::new();
    for line in canonical_lines {
        h.update(line.as_ref().as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, BlockKind};

    fn decided(texts: &[&str]) -> Vec<Decided> {
        texts
            .iter()
            .map(|t| {
                let block = Block {
                    text: t.to_string(),
                    kind: BlockKind::Line,
                    line: None,
                    paragraph: 0,
                    removed_by: None,
                };
                Decided::new(block, Verdict::Keep)
            })
            .collect()
    }

    #[test]
    fn repeats_are_dropped_after_the_first() {
        let mut d = decided(&[
            "Photo: it\u{2019}s here",
            "Body.",
            "photo: it's  here",
            "Body.",
        ]);
        assert_eq!(drop_repeats(&mut d, &Canonicals::new(3)), 2);
        let kept: Vec<_> = d
            .iter()
            .filter(|d| d.is_kept())
            .map(|d| d.block.text.as_str())
            .collect();
        assert_eq!(kept, ["Photo: it\u{2019}s here", "Body."]);
        assert_eq!(d[2].verdict, Verdict::Drop(REPEAT.into()));
        let body: Vec<&str> = kept;
        assert_eq!(kept_body_id(&d, &Canonicals::new(4)), body_id(&body));
    }

    #[test]
    fn body_id_ignores_cosmetic_differences() {
        let a = body_id(&["Hello \u{201c}world\u{201d}", "Second."]);
        let b = body_id(&["hello  \"World\"", "second."]);
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(a, body_id(&["Hello world Second."]));
        assert_eq!(
            body_id::<&str>(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
