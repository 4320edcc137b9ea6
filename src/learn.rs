//! Learn: boilerplate that a site repeats on most of its pages.
//!
//! Menus, footers and promos recur word for word on every page of a site, while article text
//! does not. The store keeps, per site, how many documents were ingested and in how many of them
//! each short line occurred (keyed by a 64-bit hash of the line's canonical form). When a site has
//! enough documents, a line found in a large share of them is dropped as
//! `learned.site-boilerplate`, and `deboiler rules suggest <site>` turns the same counts into a
//! draft rule file for a human to review. A site is known from the document's URL host, or from
//! a site rule file whose signature matched. Counting stops at [`MAX_DOCS`] documents per site:
//! the counts are a sample of the site's first pages, which bounds the store's line table.

use crate::model::{Decided, Verdict};
use crate::norm::{canonical, Canonicals};

/// The removal reason for learned boilerplate.
pub const LEARNED: &str = "learned.site-boilerplate";
/// A site needs this many documents before its counts are trusted.
pub const MIN_DOCS: u64 = 5;
/// A line is boilerplate when it occurs in at least this share of the site's documents.
pub const MIN_SHARE: f64 = 0.5;
/// Documents counted per site. A site's template shows in its first few hundred pages; counting
/// every page of a large crawl kept a counter for every distinct line of every article (10M at
/// 100k documents), which made storing several times slower than cleaning and grew the store's
/// memory with the corpus. Past this many counted documents a site's counts stay as they are.
pub const MAX_DOCS: u64 = 200;
/// Only lines up to this long are counted: boilerplate is menus and labels, not paragraphs.
pub const MAX_LINE_CHARS: usize = 200;

/// What a document contributes to its site's counts: each distinct short line once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SiteLines {
    pub site: String,
    /// `(line hash, line text)`, distinct by hash.
    pub lines: Vec<([u8; 8], String)>,
}

/// Read access to learned counts; the store implements it.
pub trait LineStats {
    /// How many documents of `site` were counted; 0 if none.
    fn site_docs(&self, site: &str) -> u64;
    /// In how many of them the line with this hash occurred.
    fn line_docs(&self, site: &str, hash: &[u8; 8]) -> u64;
    /// [`LineStats::line_docs`] of each of `hashes`, appended to `out` in order: a document's
    /// lines looked up at once, so an implementation can find the site once.
    fn lines_docs(&self, site: &str, hashes: &[[u8; 8]], out: &mut Vec<u64>) {
        out.extend(hashes.iter().map(|h| self.line_docs(site, h)));
    }
}

/// The site key of a document: its URL host, else the first matching site rule's name.
pub fn site_key(url: Option<&str>, site_names: &[String]) -> Option<String> {
    url.and_then(crate::rules::host_of)
        .or_else(|| site_names.first().map(|s| s.to_lowercase()))
}

/// A line's 8-byte hash: SipHash-1-3 under fixed keys over its canonical form. The store keeps
/// these, so the hash is a fixed algorithm, the same on every platform and run (not `std`'s
/// unspecified default hasher); a keyed PRF spreads lines as evenly as SHA-256 did for this
/// use, at a fraction of its cost on lines this short.
pub fn line_hash(text: &str) -> [u8; 8] {
    canonical_hash(&canonical(text))
}

/// [`line_hash`] of a line already in canonical form.
pub fn canonical_hash(canonical: &str) -> [u8; 8] {
    use std::hash::Hasher;
    let mut h = siphasher::sip::SipHasher13::new_with_keys(LINE_KEYS.0, LINE_KEYS.1);
    h.write(canonical.as_bytes());
    h.finish().to_le_bytes()
}

/// The line hash's keys (`"deboiler"`, `"lines v3"`): constant, since hashes are stored.
const LINE_KEYS: (u64, u64) = (0x6465_626f_696c_6572, 0x6c69_6e65_7320_7633);

/// Whether a line is short enough to be counted.
fn countable(text: &str) -> bool {
    // Bytes bound characters from above: most lines are decided without counting.
    // (A character is at most four bytes.)
    text.len() <= MAX_LINE_CHARS
        || (text.len() <= 4 * MAX_LINE_CHARS && text.chars().count() <= MAX_LINE_CHARS)
}

/// The distinct short lines of a document, whatever their verdict: boilerplate is learnt from
/// what rules already remove too, so a site rule can later be suggested for it.
pub fn lines_of(site: String, decided: &[Decided]) -> SiteLines {
    lines_with(site, decided, None)
}

/// A document's [`SiteLines`] by reference: each distinct line's hash with the index of the
/// block whose text it is. Cleaning hands these on, and the store encodes the texts straight
/// from the blocks, so the lines of a counted document are not copied into strings of their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineRefs {
    pub site: String,
    /// `(line hash, block index)`, distinct by hash, in hash order.
    pub lines: Vec<([u8; 8], usize)>,
}

impl LineRefs {
    /// The lines with their texts, `decided` being the blocks the references were taken of.
    pub fn to_lines(&self, decided: &[Decided]) -> SiteLines {
        SiteLines {
            site: self.site.clone(),
            lines: self
                .lines
                .iter()
                .filter_map(|&(h, i)| Some((h, decided.get(i)?.block.text.clone())))
                .collect(),
        }
    }
}

/// [`lines_of`], reusing the line hashes [`Hashes::of`] took of the same blocks.
pub fn lines_with(site: String, decided: &[Decided], hashes: Option<&Hashes>) -> SiteLines {
    line_refs(site, decided, hashes).to_lines(decided)
}

/// [`lines_with`] by reference.
pub fn line_refs(site: String, decided: &[Decided], hashes: Option<&Hashes>) -> LineRefs {
    // Hashes as big-endian integers sort as the bytes do, and compare in one instruction.
    let mut seen: Vec<(u64, usize)> = Vec::with_capacity(decided.len());
    for (i, d) in decided.iter().enumerate() {
        let t = &d.block.text;
        let hash = match hashes.and_then(|h| h.get(i, t)) {
            Some(known) => known,
            None => countable(t).then(|| line_hash(t)),
        };
        if let Some(h) = hash {
            seen.push((u64::from_be_bytes(h), i));
        }
    }
    // Of lines with the same hash, the first one's text is kept.
    seen.sort_unstable();
    seen.dedup_by_key(|e| e.0);
    LineRefs {
        site,
        lines: seen
            .into_iter()
            .map(|(h, i)| (h.to_be_bytes(), i))
            .collect(),
    }
}

/// The line hashes of a document's countable blocks, taken once for both [`apply_with`] and
/// [`lines_with`]. Each is kept with its text's address and length: a block whose text was
/// replaced in between is hashed again, never matched to a stale hash. A block too long to
/// count is kept as such (`None` hash), so it is not measured again.
#[derive(Debug, Default)]
pub struct Hashes(Vec<Option<Taken>>);

/// What [`Hashes`] took of one block: its text's address and length, and its line hash (`None`
/// for a line too long to count).
type Taken = (usize, usize, Option<[u8; 8]>);

impl Hashes {
    /// The hashes of every countable block (`all`), or of the kept ones only (all that
    /// [`apply_with`] looks up), from the canonical forms the later stages share.
    pub fn of(decided: &[Decided], forms: &Canonicals, all: bool) -> Hashes {
        Hashes(
            decided
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let t = &d.block.text;
                    (all || d.is_kept()).then(|| {
                        let h = countable(t).then(|| canonical_hash(&forms.get(i, t)));
                        (t.as_ptr() as usize, t.len(), h)
                    })
                })
                .collect(),
        )
    }

    /// What was taken of block `i` if it was taken of this very text: its hash, or `None` for
    /// a line too long to count.
    fn get(&self, i: usize, text: &str) -> Option<Option<[u8; 8]>> {
        match self.0.get(i) {
            Some(Some((ptr, len, h))) if *ptr == text.as_ptr() as usize && *len == text.len() => {
                Some(*h)
            }
            _ => None,
        }
    }
}

/// Whether a line in `n` of a site's `docs` documents is frequent enough to be boilerplate.
pub fn is_frequent(n: u64, docs: u64) -> bool {
    n as f64 >= MIN_SHARE * docs as f64
}

/// Drops kept blocks that the site's counts mark as boilerplate. Returns how many.
pub fn apply(decided: &mut [Decided], site: &str, stats: &dyn LineStats) -> usize {
    apply_with(decided, site, stats, None)
}

/// [`apply`], reusing the line hashes [`Hashes::of`] took of the same blocks.
pub fn apply_with(
    decided: &mut [Decided],
    site: &str,
    stats: &dyn LineStats,
    hashes: Option<&Hashes>,
) -> usize {
    let docs = stats.site_docs(site);
    if docs < MIN_DOCS {
        return 0;
    }
    let mut looked_up = Vec::new();
    let mut wanted = Vec::new();
    for (i, d) in decided.iter().enumerate().filter(|(_, d)| d.is_kept()) {
        let hash = match hashes.and_then(|h| h.get(i, &d.block.text)) {
            Some(Some(h)) => h,
            Some(None) => continue,
            None if !countable(&d.block.text) => continue,
            None => line_hash(&d.block.text),
        };
        looked_up.push(i);
        wanted.push(hash);
    }
    let mut found = Vec::with_capacity(wanted.len());
    stats.lines_docs(site, &wanted, &mut found);
    let mut dropped = 0;
    for (i, n) in looked_up.into_iter().zip(found) {
        if is_frequent(n, docs) {
            decided[i].verdict = Verdict::Drop(LEARNED.into());
            dropped += 1;
        }
    }
    dropped
}

/// A draft site rule file from learned lines `(text, documents)`, most frequent first.
pub fn suggest(site: &str, docs: u64, lines: &[(String, u64)], min_share: f64) -> String {
    let picked: Vec<&(String, u64)> = lines
        .iter()
        .filter(|(t, n)| *n as f64 >= min_share * docs as f64 && !t.trim().is_empty())
        .collect();
    let id_base: String = site
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let quote = |t: &str| toml::Value::String(t.to_string()).to_string();
    let mut out = format!(
        "# Draft rules for `{site}`, learned from {docs} documents.\n\
         # Each line below occurred in at least {:.0}% of them. Review before use: delete lines\n\
         # that are article text, then save as rules/sites/{id_base}.toml.\n\n\
         [site]\nname = {}\nhosts = [{}]\n\
         # For dumps without URLs, add `signatures = [\"…\"]`: text that identifies the site.\n\n",
        min_share * 100.0,
        quote(site),
        quote(site)
    );
    if picked.is_empty() {
        out.push_str("# No line is frequent enough yet.\n");
        return out;
    }
    out.push_str(&format!(
        "[[rule]]\nid = \"{id_base}.learned\"\ndescription = \"Lines repeated on most {site} pages (learned from {docs} documents)\"\ndrop = {{ equals = [\n"
    ));
    for (t, n) in &picked {
        out.push_str(&format!("  {},  # {n}/{docs}\n", quote(t)));
    }
    out.push_str("] }\n");
    out.push_str(&format!("strips = [{}]\n", quote(&picked[0].0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Counts {
        docs: u64,
        lines: HashMap<[u8; 8], u64>,
    }

    impl LineStats for Counts {
        fn site_docs(&self, _: &str) -> u64 {
            self.docs
        }
        fn line_docs(&self, _: &str, h: &[u8; 8]) -> u64 {
            self.lines.get(h).copied().unwrap_or(0)
        }
    }

    fn decided(doc: &str) -> Vec<Decided> {
        text::extract(doc)
            .into_iter()
            .map(|block| Decided::new(block, Verdict::Keep))
            .collect()
    }

    #[test]
    fn lines_common_to_most_pages_are_dropped() {
        let mut counts = Counts::default();
        for i in 0..6 {
            let doc =
                format!("Menu\nMost read\nStory number {i} is about something else entirely.\n");
            counts.docs += 1;
            for (h, _) in lines_of("ex".into(), &decided(&doc)).lines {
                *counts.lines.entry(h).or_default() += 1;
            }
        }
        let mut d = decided("Menu\nA brand new story about the harbour.\nMost read");
        assert_eq!(apply(&mut d, "ex", &counts), 2);
        assert_eq!(d[0].verdict, Verdict::Drop(LEARNED.into()));
        assert!(d[1].is_kept());
        counts.docs = 3;
        let mut d = decided("Menu");
        assert_eq!(
            apply(&mut d, "ex", &counts),
            0,
            "too few documents to trust"
        );
    }

    #[test]
    fn suggestions_are_a_valid_rule_file() {
        let draft = suggest(
            "example.com",
            10,
            &[
                ("Menu".into(), 10),
                ("Sign in \"now\"".into(), 7),
                ("Rare".into(), 1),
            ],
            0.5,
        );
        assert!(draft.contains("\"Menu\",  # 10/10"));
        assert!(!draft.contains("Rare"));
        let set = crate::rules::RuleSet::from_sources(
            vec![("rules/sites/example.com.toml".into(), true, draft)],
            true,
        )
        .unwrap();
        assert!(crate::strip::check_examples(&set).is_empty());
    }
}
