//! The fuzz targets' bodies and invariant checks. Each `fuzz_targets/<name>.rs` calls
//! `check_<name>`; `tests/fuzz_regressions.rs` in the main crate includes this file and runs the
//! same checks over the seed corpus and every committed crash reproducer, under `cargo test`.

use std::collections::HashMap;
use std::sync::LazyLock;

use deboiler::decode::decode;
use deboiler::limits::{html_depth, Limits};
use deboiler::model::{ContentKind, RawDocument, Verdict};
use deboiler::rules::RuleSet;
use deboiler::{content, dedup, extract, pipeline, strip};
use scraper::{Html, Node};

/// Inputs above this are skipped: html5ever's tree building is quadratic in nesting depth and a
/// few deep inputs would otherwise take most of a run's time.
pub const MAX_INPUT: usize = 64 * 1024;

/// The rule set compiled into the crate, with site rules, built once per process.
pub static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded(true).expect("shipped rules are valid"));

pub fn raw(bytes: Vec<u8>, content_type: Option<String>) -> RawDocument {
    RawDocument {
        origin: "fuzz".into(),
        url: None,
        content_type,
        bytes,
        info: Default::default(),
    }
}

/// Every non-whitespace character of the page's text nodes, in document order. Extraction only
/// ever takes text-node characters, skips some nodes and adds or drops only whitespace, so the
/// non-whitespace characters of its blocks, in order, are a subsequence of these.
pub fn dom_chars(html: &Html) -> Vec<char> {
    let mut out = Vec::new();
    for node in html.tree.root().descendants() {
        if let Node::Text(t) = node.value() {
            out.extend(t.chars().filter(|c| !c.is_whitespace()));
        }
    }
    out
}

/// Panics unless the non-whitespace characters of `blocks`, in order, are a subsequence of `hay`.
pub fn assert_char_subsequence<S: AsRef<str>>(blocks: &[S], hay: &[char]) {
    let mut rest = hay.iter();
    for (i, b) in blocks.iter().enumerate() {
        for c in b.as_ref().chars().filter(|c| !c.is_whitespace()) {
            assert!(
                rest.any(|h| *h == c),
                "block {i} `{}`: {c:?} is not a later character of the page text",
                b.as_ref()
            );
        }
    }
}

/// Panics unless the words of `blocks`, in order, are a subsequence of the words of `text`.
pub fn assert_word_subsequence<S: AsRef<str>>(blocks: &[S], text: &str) {
    let mut rest = text.split_whitespace();
    for (i, b) in blocks.iter().enumerate() {
        for w in b.as_ref().split_whitespace() {
            assert!(
                rest.any(|h| h == w),
                "block {i} `{}`: word `{w}` is not a later word of the input",
                b.as_ref()
            );
        }
    }
}

/// Arbitrary bytes → `decode::decode`. Bit 0 of the first byte says whether the first line is a
/// declared content type (as an HTTP header would give). Invariants: no panic; an `Ok` holds
/// non-blank text; the malformed count and first offset agree and the offset is inside the
/// input; valid UTF-8 that declares no charset and has no BOM and no NUL (NULs can make it
/// UTF-16) decodes to itself.
pub fn check_decode(data: &[u8]) {
    if data.is_empty() || data.len() > MAX_INPUT {
        return;
    }
    let (content_type, bytes) = if data[0] & 1 == 1 {
        let rest = &data[1..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let ct = String::from_utf8_lossy(&rest[..end]).into_owned();
        (Some(ct), rest[(end + 1).min(rest.len())..].to_vec())
    } else {
        (None, data[1..].to_vec())
    };
    let Ok(d) = decode(&raw(bytes.clone(), content_type.clone())) else {
        return;
    };
    assert!(!d.text.trim().is_empty());
    assert_eq!(d.bytes_in, bytes.len());
    assert_eq!(
        d.encoding.malformed == 0,
        d.encoding.first_malformed_at.is_none()
    );
    if let Some(at) = d.encoding.first_malformed_at {
        assert!(
            at < bytes.len(),
            "first malformed offset {at} past the input"
        );
    }
    if let Ok(s) = std::str::from_utf8(&bytes) {
        let declares = content_type.is_some() || s.to_ascii_lowercase().contains("charset");
        if !declares && !s.starts_with('\u{feff}') && !s.contains('\0') {
            assert_eq!(d.text, s, "valid UTF-8 without a declared charset changed");
            assert_eq!(d.encoding.malformed, 0);
        }
    }
}

/// Bytes → UTF-8 (lossy) → `Html::parse_document` → selector rules (`strip::mark_selectors`,
/// the embedded rule set) → `content::html::mark` → `extract::html::extract`. Invariants: no
/// panic; blocks are never empty; the characters (whitespace aside) of the kept blocks, and
/// of the removed blocks, in order, are a subsequence of the page's text-node characters; rule
/// and content marks only flag blocks, they never add or lose text.
pub fn check_html_extract(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    // The pipeline refuses deeper pages before parsing; so does this target.
    let max_depth = Limits::default().max_depth;
    if html_depth(&text, max_depth) > max_depth {
        return;
    }
    let html = Html::parse_document(&text);
    let active = RULES.for_document(None, &text);
    let mut marks = strip::mark_selectors(&html, &active);
    content::html::mark(&html, &mut marks);
    let blocks = extract::html::extract(&html, &marks);
    assert!(blocks.iter().all(|b| !b.text.is_empty()));
    // Text a selector rule removed is flushed after the kept text around it, so kept and removed
    // blocks are each, on their own, in page order.
    let page = dom_chars(&html);
    for removed in [false, true] {
        let texts: Vec<&str> = blocks
            .iter()
            .filter(|b| b.removed_by.is_some() == removed)
            .map(|b| b.text.as_str())
            .collect();
        assert_char_subsequence(&texts, &page);
    }
    // Marks flag blocks but never add or lose text.
    let chars = |texts: &mut dyn Iterator<Item = String>| {
        let mut v: Vec<char> = texts
            .flat_map(|t| t.chars().collect::<Vec<_>>())
            .filter(|c| !c.is_whitespace())
            .collect();
        v.sort_unstable();
        v
    };
    let marked = chars(&mut blocks.into_iter().map(|b| b.text));
    let plain = chars(
        &mut extract::html::extract(&html, &HashMap::new())
            .into_iter()
            .map(|b| b.text),
    );
    assert_eq!(marked, plain, "marks changed the extracted text");
}

/// Bytes → UTF-8 (lossy) → `extract::text::extract`. Invariants: no panic; the blocks' words
/// are exactly the input's words, in order (extraction loses and invents nothing); every block
/// is non-empty with a line number inside the input, lines and paragraphs never go backwards.
pub fn check_text_extract(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let blocks = extract::text::extract(&text);
    let got: Vec<&str> = blocks
        .iter()
        .flat_map(|b| b.text.split_whitespace())
        .collect();
    let want: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(got, want);
    // `\n`, `\r\n` and a lone `\r` each end a line.
    let lines = text.replace("\r\n", "\n").split(['\n', '\r']).count();
    let (mut line, mut para) = (0, 0);
    for b in &blocks {
        assert!(!b.text.is_empty());
        let l = b.line.expect("text blocks have a line number");
        assert!(l >= 1 && l <= lines, "line {l} of {lines}");
        assert!(l > line, "line numbers go backwards");
        assert!(b.paragraph >= para, "paragraphs go backwards");
        (line, para) = (l, b.paragraph);
    }
}

/// Arbitrary TOML text → `RuleSet::from_sources`, as a generic file and as a site file.
/// Invariants: no panic; an error list is never empty and every error renders; a valid set
/// selects rules for a document and runs its rules' examples without panicking.
pub fn check_rules_parse(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data).into_owned();
    for site in [false, true] {
        let sources = vec![("fuzz.toml".to_string(), site, text.clone())];
        match RuleSet::from_sources(sources, true) {
            Ok(set) => {
                let active = set.for_document(Some("https://example.com/a"), &text);
                assert!(active.rules.len() <= set.rules().count());
                let _ = strip::check_examples(&set);
            }
            Err(errors) => {
                assert!(!errors.0.is_empty());
                for e in &errors.0 {
                    let _ = e.to_string();
                }
            }
        }
    }
}

/// Arbitrary bytes → the whole `pipeline::clean` with the embedded rule set (site rules on).
/// Invariants: no panic; an error is a skip (the input is never "failed" by cleaning); a body is
/// non-empty and in order a subsequence of the input's text (words of the decoded text for text
/// input, text-node characters of the parsed page for HTML); kept verdicts match the body; the
/// article id is `dedup::body_id(body)` and cleaning the same input again gives the same article.
pub fn check_clean(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let doc = raw(data.to_vec(), None);
    let c = match pipeline::clean(&doc, &RULES) {
        Ok(c) => c,
        Err(e) => {
            assert!(e.is_skip(), "cleaning failed, not skipped: {e}");
            return;
        }
    };
    let a = &c.article;
    assert!(!a.body.is_empty());
    assert_eq!(
        c.decided
            .iter()
            .filter(|d| d.verdict == Verdict::Keep)
            .count(),
        a.body.len()
    );
    assert_eq!(a.id, dedup::body_id(&a.body));
    let decoded = decode(&doc).expect("decoded once already");
    assert_eq!(decoded.kind, a.kind);
    match a.kind {
        ContentKind::Text => assert_word_subsequence(&a.body, &decoded.text),
        ContentKind::Html => {
            assert_char_subsequence(&a.body, &dom_chars(&Html::parse_document(&decoded.text)))
        }
    }
    let again = pipeline::clean(&doc, &RULES).expect("cleaned once already");
    assert_eq!(again.article.id, a.id, "article id not stable");
    assert_eq!(again.article.body, a.body);
}
