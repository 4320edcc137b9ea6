//! Dedup: content hashes, and repeated blocks inside one document.
//!
//! Text is compared in its canonical form ([`canonical`]: NFC, typographic variants folded,
//! whitespace collapsed, lower case), so a caption repeated with a curly apostrophe instead of a
//! straight one still counts as a repeat. An article's id is the SHA-256 of its canonical body;
//! the store uses it to recognise the same article arriving from another file or another run.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::model::{Decided, Verdict};
use crate::norm::canonical;

/// The removal reason recorded for a repeated block.
pub const REPEAT: &str = "dedup.repeat";

/// Drops every kept block whose canonical text equals an earlier kept block's. Returns how many
/// blocks were dropped.
pub fn drop_repeats(decided: &mut [Decided]) -> usize {
    let mut seen = HashSet::new();
    let mut dropped = 0;
    for d in decided.iter_mut().filter(|d| d.is_kept()) {
        if !seen.insert(canonical(&d.block.text)) {
            d.verdict = Verdict::Drop(REPEAT.to_string());
            dropped += 1;
        }
    }
    dropped
}

/// The article id: lower-case hex SHA-256 over the canonical paragraphs, one per line.
pub fn body_id<S: AsRef<str>>(paragraphs: &[S]) -> String {
    let mut h = Sha256::new();
    for p in paragraphs {
        h.update(canonical(p.as_ref()).as_bytes());
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
        assert_eq!(drop_repeats(&mut d), 2);
        let kept: Vec<_> = d
            .iter()
            .filter(|d| d.is_kept())
            .map(|d| d.block.text.as_str())
            .collect();
        assert_eq!(kept, ["Photo: it\u{2019}s here", "Body."]);
        assert_eq!(d[2].verdict, Verdict::Drop(REPEAT.into()));
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
