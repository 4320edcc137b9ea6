//! Synthetic corpus: any number of distinct documents derived from a small set of template
//! pages, for measuring throughput and memory at a corpus size no page set on disk has.
//!
//! Contract: [`Synth::doc`] is a pure function of the seed, the templates and the document's
//! index, so the corpus is a stream — document `i` can be made on any thread, in any order,
//! and nothing but the templates is ever held (memory does not grow with N). Each document is
//! its template with local changes a real site's pages show between articles: neighbouring
//! paragraphs swap places, the digits in article text change, and a marker sentence carrying
//! the index ends every long paragraph (the article's text), so no two bodies hash alike,
//! dedup keeps every document, and learning a site's repeated lines does not eat the articles
//! (real articles of one site share their boilerplate, not their paragraphs). Boilerplate outside the paragraphs is left untouched, so rules
//! and learned site lines see the same repeated lines real dumps carry. All edits are on ASCII
//! bytes (`<`, `>`, digits), so a template in any ASCII-compatible charset stays valid.

use std::ops::Range;

use crate::model::{ContentKind, InputInfo, RawDocument};

/// Paragraphs with at least this many words are article text and get a marker...
const BODY_WORDS: usize = 12;
/// ... or this many bytes of text: scripts written without spaces (Japanese, Chinese) have
/// long paragraphs of few "words".
const BODY_BYTES: usize = 150;

/// Whether a paragraph reads as article text: long, or a sentence of a few words (a short
/// article's only paragraph is often one; menu entries and buttons do not end in a full stop).
fn is_article(words: usize, bytes: usize, text: &[u8]) -> bool {
    let sentence = [&b"."[..], b"!", b"?", "。".as_bytes()]
        .iter()
        .any(|end| text.trim_ascii_end().ends_with(end));
    words >= BODY_WORDS || bytes >= BODY_BYTES || (sentence && words >= 5)
}

/// Generates documents from templates; see the module docs.
pub struct Synth {
    templates: Vec<Template>,
    seed: u64,
}

struct Template {
    origin: String,
    url: Option<String>,
    content_type: Option<String>,
    kind: ContentKind,
    bytes: Vec<u8>,
    /// Paragraphs in byte order: `<p>` elements for HTML, body lines for text. Neighbours may
    /// swap places; what lies between them stays where it is.
    units: Vec<Range<usize>>,
    /// Byte offsets of the ASCII digits inside paragraph text (not inside tags), ascending.
    digits: Vec<usize>,
    /// Where marker sentences go, ascending: the end of every long paragraph's text (or of the
    /// longest text, when no paragraph is long).
    markers: Vec<usize>,
}

impl Synth {
    /// Templates are the documents given, each with its sniffed kind; `None` when there are none.
    pub fn new<'a>(
        templates: impl IntoIterator<Item = (&'a RawDocument, ContentKind)>,
        seed: u64,
    ) -> Option<Synth> {
        let templates: Vec<Template> = templates
            .into_iter()
            .map(|(doc, kind)| Template::new(doc, kind))
            .collect();
        (!templates.is_empty()).then_some(Synth { templates, seed })
    }

    pub fn templates(&self) -> usize {
        self.templates.len()
    }

    /// The kind of document `i` (its template's).
    pub fn kind(&self, i: u64) -> ContentKind {
        self.template(i).kind
    }

    fn template(&self, i: u64) -> &Template {
        // Round robin: every template is used equally often whatever N is.
        &self.templates[(i % self.templates.len() as u64) as usize]
    }

    /// Document `i`. Same seed, templates and `i` give the same bytes.
    pub fn doc(&self, i: u64) -> RawDocument {
        let t = self.template(i);
        let mut rng = SplitMix64::new(self.seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        // Neighbouring paragraphs swap with probability 1/2: the article changes, but its
        // shape (where the paragraphs are, how long they run) stays that of a real page.
        let mut order: Vec<usize> = (0..t.units.len()).collect();
        let mut k = 0;
        while k + 1 < order.len() {
            if rng.next() & 1 == 1 {
                order.swap(k, k + 1);
                k += 2;
            } else {
                k += 1;
            }
        }
        let marker = format!(" (Report {i}.)");
        let mut out = Vec::with_capacity(t.bytes.len() + marker.len() * t.markers.len());
        let mut at = 0;
        for (slot, &unit) in t.units.iter().zip(&order) {
            t.copy(&mut out, at..slot.start, &mut rng, &marker);
            t.copy(&mut out, t.units[unit].clone(), &mut rng, &marker);
            at = slot.end;
        }
        t.copy(&mut out, at..t.bytes.len(), &mut rng, &marker);
        RawDocument {
            origin: format!("synthetic/{i}/{}", t.origin),
            url: t.url.clone(),
            content_type: t.content_type.clone(),
            bytes: out,
            // The template's kind goes with it, so a page read from a container as text stays
            // text; no id, so every document is its own origin.
            info: InputInfo {
                kind: Some(t.kind),
                ..InputInfo::default()
            },
        }
    }

    /// Documents `0..n` in order, made one at a time.
    pub fn iter(&self, n: u64) -> impl Iterator<Item = RawDocument> + '_ {
        (0..n).map(|i| self.doc(i))
    }
}

impl Template {
    fn new(doc: &RawDocument, kind: ContentKind) -> Template {
        let bytes = doc.bytes.clone();
        let units = match kind {
            ContentKind::Html => paragraphs(&bytes),
            ContentKind::Text => body_lines(&bytes),
        };
        let html = kind == ContentKind::Html;
        let mut digits = Vec::new();
        let mut markers = Vec::new();
        let mut longest = (0, bytes.len());
        for u in &units {
            let mut in_tag = false;
            let mut text_len = 0;
            let mut words = 0;
            let mut in_word = false;
            let mut text_end = u.start;
            for (pos, &b) in bytes.iter().enumerate().take(u.end).skip(u.start) {
                if html && (b == b'<' || b == b'>') {
                    in_tag = b == b'<';
                    continue;
                }
                if in_tag {
                    continue;
                }
                if b.is_ascii_digit() {
                    digits.push(pos);
                }
                text_len += 1;
                text_end = pos + 1;
                let word_byte = !b.is_ascii_whitespace();
                words += usize::from(word_byte && !in_word);
                in_word = word_byte;
            }
            if is_article(words, text_len, &bytes[u.start..text_end]) {
                markers.push(text_end);
            }
            if text_len > longest.0 {
                longest = (text_len, text_end);
            }
        }
        if html {
            // Article text outside `<p>` (runs split by `<br>`, text in `<div>`s) gets markers
            // too, or pages written that way would repeat their bodies.
            let mut in_unit = units.iter().peekable();
            for run in text_runs(&bytes) {
                while in_unit.next_if(|u| u.end <= run.start).is_some() {}
                if in_unit.peek().is_some_and(|u| u.start < run.end) {
                    continue;
                }
                let text = &bytes[run.clone()];
                if is_article(words(text), text.trim_ascii().len(), text) {
                    markers.push(run.start + text.trim_ascii_end().len());
                }
                if text.len() > longest.0 && units.is_empty() {
                    longest = (text.len(), run.start + text.trim_ascii_end().len());
                }
            }
            markers.sort_unstable();
        }
        if markers.is_empty() {
            markers.push(longest.1);
        }
        Template {
            origin: doc.origin.clone(),
            url: doc.url.clone(),
            content_type: doc.content_type.clone(),
            kind,
            bytes,
            units,
            digits,
            markers,
        }
    }

    /// Appends `range` of the template to `out`, changing the digits listed in `digits` and
    /// inserting the marker where it belongs.
    fn copy(&self, out: &mut Vec<u8>, range: Range<usize>, rng: &mut SplitMix64, marker: &str) {
        let mut at = range.start;
        let first = self.digits.partition_point(|&d| d < range.start);
        let digits = self.digits[first..].iter().take_while(|&&d| d < range.end);
        // A marker belongs to the range its paragraph's text ends in (its end is exclusive of
        // the next range's start, so a marker at a boundary goes with the text before it).
        let first_mark = self.markers.partition_point(|&m| m <= range.start);
        let marks = self.markers[first_mark..]
            .iter()
            .take_while(|&&m| m <= range.end);
        let mut edits: Vec<(usize, bool)> = digits
            .map(|&d| (d, false))
            .chain(marks.map(|&m| (m, true)))
            .collect();
        // A marker and a digit never share a position (a marker follows text, a digit is text).
        edits.sort_unstable();
        for (pos, is_marker) in edits {
            out.extend_from_slice(&self.bytes[at..pos]);
            if is_marker {
                out.extend_from_slice(marker.as_bytes());
                at = pos;
            } else {
                out.push(b'0' + (rng.next() % 10) as u8);
                at = pos + 1;
            }
        }
        out.extend_from_slice(&self.bytes[at..range.end]);
    }
}

/// `<p>` elements (`<p>` or `<p …>` up to the next `</p>`), outermost and non-overlapping;
/// a `<p` opened before the previous one closed restarts the search there (HTML closes an open
/// `p` at the next `p`).
fn paragraphs(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut units = Vec::new();
    let mut i = 0;
    while let Some(start) = find_open_p(bytes, i) {
        let Some(close) = find_ci(bytes, start + 2, b"</p") else {
            break;
        };
        match find_open_p(bytes, start + 2).filter(|&next| next < close) {
            Some(next) => i = next,
            None => {
                let end = bytes[close..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(bytes.len(), |p| close + p + 1);
                units.push(start..end);
                i = end;
            }
        }
    }
    units
}

fn find_open_p(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let at = find_ci(bytes, i, b"<p")?;
        match bytes.get(at + 2) {
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r') => return Some(at),
            _ => i = at + 2,
        }
    }
}

/// ASCII case-insensitive search for `needle` in `bytes[from..]`.
fn find_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Runs of text between tags, outside `script`, `style` and `title` (whose text is code or
/// metadata, not article).
fn text_runs(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut i = 0;
    while let Some(gt) = bytes[i..].iter().position(|&b| b == b'>').map(|p| i + p) {
        let tag_start = bytes[..gt].iter().rposition(|&b| b == b'<').unwrap_or(0);
        let tag = &bytes[tag_start..gt];
        let not_text = [&b"<script"[..], b"<style", b"<title"]
            .iter()
            .any(|t| tag.len() >= t.len() && tag[..t.len()].eq_ignore_ascii_case(t));
        let end = bytes[gt + 1..]
            .iter()
            .position(|&b| b == b'<')
            .map_or(bytes.len(), |p| gt + 1 + p);
        if !not_text && bytes[gt + 1..end].iter().any(|b| !b.is_ascii_whitespace()) {
            runs.push(gt + 1..end);
        }
        i = end;
        if i >= bytes.len() {
            break;
        }
    }
    runs
}

fn words(text: &[u8]) -> usize {
    text.split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count()
}

/// Lines that read as article text ([`is_article`]), without their line break.
fn body_lines(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut units = Vec::new();
    let mut start = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let end = start + line.len();
        let content = start..end - usize::from(line.ends_with(b"\n"));
        let text = &bytes[content.clone()];
        if is_article(words(text), text.len(), text) {
            units.push(content);
        }
        start = end;
    }
    units
}

/// SplitMix64: a tiny, well-mixed generator; enough for reproducible variations.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn raw(bytes: &str) -> RawDocument {
        RawDocument {
            origin: "t".into(),
            url: None,
            content_type: None,
            bytes: bytes.as_bytes().to_vec(),
            info: InputInfo::default(),
        }
    }

    #[test]
    fn finds_paragraphs_and_restarts_at_an_unclosed_p() {
        let html = b"<div><p>one</p><pre>x</pre><p class=a>two<p>three</p><P>four</P></div>";
        let units: Vec<&[u8]> = paragraphs(html).into_iter().map(|r| &html[r]).collect();
        assert_eq!(
            units,
            vec![&b"<p>one</p>"[..], b"<p>three</p>", b"<P>four</P>"]
        );
    }

    #[test]
    fn changes_only_paragraph_digits_and_marks_the_longest_paragraph() {
        // No paragraph is long: the longest gets the only marker.
        let page =
            "<title>Page 2024</title><p>Short 11.</p><p>The <b x=\"5\">longest</b> one 42</p>";
        let synth = Synth::new([(&raw(page), ContentKind::Html)], 7).expect("a template");
        let doc = String::from_utf8(synth.doc(3).bytes).expect("ASCII in, ASCII out");
        assert!(doc.starts_with("<title>Page 2024</title>"), "{doc}");
        assert!(doc.contains("<b x=\"5\">"), "{doc}");
        assert!(doc.contains(" (Report 3.)</p>"), "{doc}");
        assert_eq!(doc.len(), page.len() + " (Report 3.)".len());
    }

    #[test]
    fn marks_every_long_paragraph() {
        let long = "word ".repeat(BODY_WORDS);
        let page = format!("<p>{long}</p><p>short</p><p>{long}</p>");
        let synth = Synth::new([(&raw(&page), ContentKind::Html)], 7).expect("a template");
        let doc = String::from_utf8(synth.doc(5).bytes).expect("ASCII in, ASCII out");
        assert_eq!(doc.matches(" (Report 5.)</p>").count(), 2, "{doc}");
        assert!(doc.contains("<p>short</p>"), "{doc}");
    }

    #[test]
    fn is_deterministic_and_random_access() {
        let text = "Header line\nThis body line has more than twelve words in it, so it counts as one.\n\
                    A second body line that also has well over twelve words, 2024 and 17 in it.\nFooter\n";
        let t = raw(text);
        let a = Synth::new([(&t, ContentKind::Text)], 1).expect("a template");
        let b = Synth::new([(&t, ContentKind::Text)], 1).expect("a template");
        let forward: Vec<Vec<u8>> = a.iter(20).map(|d| d.bytes).collect();
        // Made backwards by another generator: the same documents, so no state is carried.
        let backward: Vec<Vec<u8>> = (0..20).rev().map(|i| b.doc(i).bytes).collect();
        assert!(forward.iter().eq(backward.iter().rev()));
        let distinct: HashSet<&Vec<u8>> = forward.iter().collect();
        assert_eq!(distinct.len(), 20);
        let other = Synth::new([(&t, ContentKind::Text)], 2).expect("a template");
        assert_ne!(other.doc(0).bytes, forward[0]);
        assert!(String::from_utf8_lossy(&forward[0]).starts_with("Header line\n"));
    }
}
