//! The fuzz targets' bodies and invariant checks. Each `fuzz_targets/<name>.rs` calls
//! `check_<name>`; `tests/fuzz_regressions.rs` in the main crate includes this file and runs the
//! same checks over the seed corpus and every committed crash reproducer, under `cargo test`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use deboiler::decode::decode;
use deboiler::limits::{html_depth, Limits};
use deboiler::model::{ContentKind, RawDocument, Verdict};
use deboiler::pipeline::{DiscardSink, Report, RunOptions};
use deboiler::rules::RuleSet;
use deboiler::source::{self, Input, JsonlFields, ReadOptions, SourceItem};
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

/// The fuzz input as an HTML page (UTF-8, lossy), or `None` when it is over the input cap or
/// nests deeper than the pipeline lets through to the parser.
fn html_input(data: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if data.len() > MAX_INPUT {
        return None;
    }
    let text = String::from_utf8_lossy(data);
    let max_depth = Limits::default().max_depth;
    (html_depth(&text, max_depth) <= max_depth).then_some(text)
}

/// `html_parse`: the page as UTF-8 (lossy) and its lean form, each parsed by deboiler's byte
/// tokenizer feeding html5ever's tree builder and by `Html::parse_document`: the two trees
/// (every node, attribute, text and the quirks mode) must be the same.
pub fn check_html_parse(data: &[u8]) {
    let Some(text) = html_input(data) else {
        return;
    };
    let lean = extract::lean::page(&text, RULES.css.keep());
    for page in [&*text, &*lean] {
        let ours = extract::parse::outline(&extract::parse::document(page));
        let theirs = extract::parse::outline(&Html::parse_document(page));
        assert_eq!(ours, theirs, "page: {page:?}");
    }
}

/// Bytes → UTF-8 (lossy) → `Html::parse_document` → selector rules (`strip::mark_selectors`,
/// the embedded rule set) → `content::html::mark` → `extract::html::extract`. Invariants: no
/// panic; blocks are never empty; the characters (whitespace aside) of the kept blocks, and
/// of the removed blocks, in order, are a subsequence of the page's text-node characters; rule
/// and content marks only flag blocks, they never add or lose text.
pub fn check_html_extract(data: &[u8]) {
    let Some(text) = html_input(data) else {
        return;
    };
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
        &mut extract::html::extract(&html, &Default::default())
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

/// Container items read at most per input: far more than a 64 KiB input can frame, so reaching
/// it means reading does not terminate.
const MAX_ITEMS: usize = 1 << 20;
/// Documents of a container that go on through `pipeline::clean_limited` (cleaning dominates
/// the time per input; the reader is what these targets are about).
const MAX_CLEANED: usize = 4;

/// A scratch file holding `bytes` under `name`, removed on drop. Unique per call, so the
/// checks may run on several test threads at once.
pub struct Scratch {
    dir: PathBuf,
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str, bytes: &[u8]) -> Scratch {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "deboiler-fuzz-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("scratch file");
        Scratch { dir, path }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory")
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).expect("in memory")
}

/// One item of a container as the checks see it.
pub struct Item {
    pub origin: String,
    /// `None` for an ignored record; `Some(Ok)` a document, `Some(Err)` a failed record.
    pub doc: Option<Result<RawDocument, String>>,
}

/// Reads `path` through `source::documents` (the CLI's reader) and checks what holds for any
/// container: reading terminates, every item names the container in its origin, failures have
/// a one-line message without control characters, documents respect the input limit. Returns
/// the items.
pub fn read_container(path: &std::path::Path, opts: &ReadOptions) -> Vec<Item> {
    let mut items = Vec::new();
    for item in source::documents(vec![Ok(Input::File(path.to_path_buf()))], opts) {
        assert!(items.len() < MAX_ITEMS, "reading does not terminate");
        items.push(match item {
            SourceItem::Doc(d) => {
                assert!(
                    d.bytes.len() as u64 <= opts.limits.max_input_bytes,
                    "{}: a {}-byte document over the {}-byte limit",
                    d.origin,
                    d.bytes.len(),
                    opts.limits.max_input_bytes
                );
                Item {
                    origin: d.origin.clone(),
                    doc: Some(Ok(d)),
                }
            }
            SourceItem::Failed(e) => {
                let msg = e.to_string();
                assert!(!msg.trim().is_empty(), "{}: empty message", e.path());
                // A line break would split the one-line `deboiler failures` listing.
                assert!(
                    !msg.contains(char::is_control),
                    "{}: control character in the message: {msg:?}",
                    e.path()
                );
                Item {
                    origin: e.path().to_string(),
                    doc: Some(Err(msg)),
                }
            }
            SourceItem::Ignored { origin, kind } => {
                assert!(!kind.is_empty(), "{origin}: ignored without a kind");
                Item { origin, doc: None }
            }
        });
    }
    items
}

/// The first [`MAX_CLEANED`] documents through `pipeline::clean_limited`: one `Ok` or `Err`
/// each, never a panic, and an error is a skip (cleaning a readable document never fails).
/// Containers with few records also go through the whole `pipeline::run`: one report per
/// document or failed record, in order, with the reader's origins.
pub fn clean_items(path: &std::path::Path, items: &[Item], opts: &ReadOptions) {
    for item in items.iter().take(MAX_CLEANED) {
        let Some(Ok(doc)) = &item.doc else { continue };
        match pipeline::clean_limited(doc, &RULES, None, &opts.limits) {
            Ok(c) => assert!(!c.article.body.is_empty()),
            Err(e) => assert!(
                e.is_skip(),
                "{}: cleaning failed, not skipped: {e}",
                doc.origin
            ),
        }
    }
    let outcomes: Vec<&str> = items
        .iter()
        .filter(|i| i.doc.is_some())
        .map(|i| i.origin.as_str())
        .collect();
    if outcomes.len() > MAX_CLEANED {
        return;
    }
    let run = RunOptions {
        jobs: 1,
        read: opts.clone(),
        ..RunOptions::default()
    };
    let mut reported = Vec::new();
    let summary = pipeline::run(
        vec![Ok(Input::File(path.to_path_buf()))],
        &RULES,
        None,
        &mut DiscardSink,
        &run,
        |r: &Report| reported.push(r.origin.to_string()),
    )
    .expect("the discard sink cannot fail");
    assert_eq!(
        reported, outcomes,
        "one report per document or failed record"
    );
    assert_eq!(
        summary.stored + summary.duplicates + summary.skipped + summary.failed,
        outcomes.len()
    );
}

/// The bytes the reader sees in `file`: gzip and zstd are found by their magic bytes, as the
/// reader finds them. `None` when the stream is damaged (the reader stops at the damage).
fn decompressed(file: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let limit = 16 << 20;
    if file.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(file)
            .take(limit)
            .read_to_end(&mut out)
            .ok()?;
    } else if file.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        zstd::stream::read::Decoder::new(file)
            .ok()?
            .take(limit)
            .read_to_end(&mut out)
            .ok()?;
    } else {
        out = file.to_vec();
    }
    Some(out)
}

/// `N` or `N+M` (decimal, no sign, no leading `+`) → `(N, M)`.
fn warc_offset(at: &str) -> Option<(u64, u64)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (outer, inner) = match at.split_once('+') {
        Some((o, i)) => (o, Some(i)),
        None => (at, None),
    };
    if !digits(outer) || !inner.is_none_or(digits) {
        return None;
    }
    let inner = match inner {
        Some(i) => {
            let i: u64 = i.parse().ok()?;
            // `+0` is never written: the record is then addressed by its member alone.
            (i > 0).then_some(i)?
        }
        None => 0,
    };
    Some((outer.parse().ok()?, inner))
}

/// Arbitrary bytes → a WARC container file → `source::documents` → (a few documents)
/// `pipeline::clean_limited` and `pipeline::run`. The first byte picks how the rest is stored:
/// bits 0-1 as is in `.warc`, as is in `.warc.gz` (gzip when it has the magic, else read
/// plain), gzipped one member per record in `.warc.gz` (members start before each `WARC/1.`),
/// or zstd-compressed in `.warc.zst`; bit 2 a small input limit (300 bytes) instead of 64 KiB.
/// Invariants: no panic; reading terminates; every item's origin is `path@N` or `path@N+M`
/// with N inside the file (inside the decompressed stream for zstd) and M > 0, and origins
/// strictly increase; documents are within the input limit; failures have a one-line message
/// without control characters;
/// cleaning gives one `Ok`/skip per document, and `pipeline::run` one report per document or
/// failed record.
pub fn check_warc(data: &[u8]) {
    if data.is_empty() || data.len() > MAX_INPUT {
        return;
    }
    let rest = &data[1..];
    // Offsets count in the file, except in a zstd stream (found by its magic, whatever the
    // name), where they count in the decompressed bytes.
    let raw_span = || match rest.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        true => decompressed(rest).map_or(usize::MAX, |d| d.len()),
        false => rest.len(),
    };
    let (name, file, span) = match data[0] & 3 {
        0 => ("in.warc", rest.to_vec(), raw_span()),
        1 => ("in.warc.gz", rest.to_vec(), raw_span()),
        2 => {
            let mut file = Vec::new();
            let mut from = 0;
            for i in 1..=rest.len() {
                if i == rest.len() || rest[i..].starts_with(b"WARC/1.") {
                    file.extend(gzip(&rest[from..i]));
                    from = i;
                }
            }
            let len = file.len();
            ("in.warc.gz", file, len)
        }
        _ => ("in.warc.zst", zstd(rest), rest.len()),
    };
    let max_input_bytes = if data[0] & 4 == 0 { 64 * 1024 } else { 300 };
    let opts = ReadOptions {
        limits: Limits {
            max_input_bytes,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let scratch = Scratch::new(name, &file);
    let items = read_container(&scratch.path, &opts);
    let prefix = format!("{}@", scratch.path.display());
    let mut last: Option<(u64, u64)> = None;
    for item in &items {
        let at = item
            .origin
            .strip_prefix(&prefix)
            .and_then(warc_offset)
            .unwrap_or_else(|| panic!("origin `{}` is not {prefix}N[+M]", item.origin));
        assert!(
            (at.0 as usize) < span.max(1),
            "origin `{}` past the {span} bytes of input",
            item.origin
        );
        assert!(
            last.is_none_or(|l| at > l),
            "origin `{}` does not come after {last:?}",
            item.origin
        );
        last = Some(at);
    }
    clean_items(&scratch.path, &items, &opts);
}

/// Arbitrary bytes → a JSON Lines container file → `source::documents` → (a few documents)
/// `pipeline::clean_limited` and `pipeline::run`. The first byte picks: bits 0-1 how the rest
/// is stored (as is in `.jsonl`, gzipped in `.jsonl.gz`, zstd in `.jsonl.zst`, as is in
/// `.jsonl.gz`); bit 2 a small line limit (300 bytes) instead of 64 KiB; bit 3 the content
/// field `body` forced to text instead of the default fields. Invariants: no panic; reading
/// terminates; every item's origin is `path:LINE`, lines strictly increase and stay within the
/// decompressed text's lines; documents are within the limit; failures have a one-line
/// message; cleaning gives one `Ok`/skip per document, and `pipeline::run` one report per
/// document or failed line.
pub fn check_jsonl(data: &[u8]) {
    if data.is_empty() || data.len() > MAX_INPUT {
        return;
    }
    let rest = &data[1..];
    let (name, file) = match data[0] & 3 {
        0 => ("in.jsonl", rest.to_vec()),
        1 => ("in.jsonl.gz", gzip(rest)),
        2 => ("in.jsonl.zst", zstd(rest)),
        _ => ("in.jsonl.gz", rest.to_vec()),
    };
    // The text the lines are counted in (the reader decompresses by magic, whatever the name).
    let text = decompressed(&file);
    let max_input_bytes = if data[0] & 4 == 0 { 64 * 1024 } else { 300 };
    let jsonl = if data[0] & 8 == 0 {
        JsonlFields::default()
    } else {
        JsonlFields {
            content: Some("body".into()),
            kind: Some(ContentKind::Text),
            ..JsonlFields::default()
        }
    };
    let opts = ReadOptions {
        limits: Limits {
            max_input_bytes,
            ..Limits::default()
        },
        jsonl,
        ..ReadOptions::default()
    };
    let scratch = Scratch::new(name, &file);
    let items = read_container(&scratch.path, &opts);
    let prefix = format!("{}:", scratch.path.display());
    let lines = text.map(|t| t.iter().filter(|&&b| b == b'\n').count() + 1);
    let mut last = 0usize;
    for item in &items {
        assert!(
            item.doc.is_some(),
            "{}: JSON Lines ignore nothing",
            item.origin
        );
        let line: usize = item
            .origin
            .strip_prefix(&prefix)
            .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| panic!("origin `{}` is not {prefix}LINE", item.origin));
        assert!(line > last, "line {line} after line {last}");
        if let Some(lines) = lines {
            assert!(line <= lines, "line {line} of {lines}");
        }
        last = line;
    }
    clean_items(&scratch.path, &items, &opts);
}

/// Arbitrary bytes → `source::decompress_limited`, which inflates gzip in one call to libdeflate
/// (the crate's only `unsafe`) and falls back to the streaming zlib-rs decoder. Invariant: the
/// answer is the streaming decoder's, byte for byte: the same output within the limit, an error
/// where it errs, the limit error where it inflates past the limit. Inputs that are not gzip
/// pass through unchanged (or go to zstd) and are not compared.
pub fn check_gunzip(data: &[u8]) {
    const LIMIT: u64 = 1 << 20;
    if source::Compression::of(data) != source::Compression::Gzip {
        return;
    }
    let got = source::decompress_limited(data.to_vec(), "fuzz.gz", LIMIT);
    let mut want = Vec::new();
    let streamed = flate2::read::MultiGzDecoder::new(data)
        .take(LIMIT + 1)
        .read_to_end(&mut want);
    match (got, streamed) {
        (Ok(got), Ok(_)) => assert!(got == want, "output differs from the streaming decoder"),
        (Err(source::SourceError::Limit { .. }), Ok(_)) => {
            assert!(want.len() as u64 > LIMIT, "limit error within the limit")
        }
        (Err(source::SourceError::Gzip { .. }), Err(_)) => {}
        (got, streamed) => panic!(
            "decompress_limited {:?} but the stream gave {:?}",
            got.map(|g| g.len()),
            streamed
        ),
    }
}
