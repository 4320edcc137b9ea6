//! Bench: single-threaded throughput of the pipeline (no store) over a page set, next to a
//! baseline measured in the same run, so a figure can be read as a ratio on a noisy machine.
//!
//! Contract: every page is read into memory before any clock starts (I/O is not measured);
//! each measurement repeats whole passes over the set until it has run for at least the asked
//! time, and reports documents and input bytes (after gunzip) per second. The baseline is what
//! any tool must at least do with the bytes: a bare `scraper` parse for an HTML page, a SHA-256
//! pass plus a line split for a text page. Nothing here changes what the pipeline outputs.

use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::decode::sniff_kind;
use crate::model::{ContentKind, RawDocument};
use crate::pipeline;
use crate::rules::RuleSet;
use crate::source;

/// A page set held in memory.
pub struct PageSet {
    pub docs: Vec<RawDocument>,
    /// Each page's kind, sniffed once at load so the baseline does not pay for it.
    pub kinds: Vec<ContentKind>,
    /// Pages that could not be read, with the reason (not measured).
    pub unreadable: Vec<(String, String)>,
}

impl PageSet {
    pub fn bytes(&self) -> u64 {
        self.docs.iter().map(|d| d.bytes.len() as u64).sum()
    }

    /// How many pages sniff as HTML (the rest are text).
    pub fn html_pages(&self) -> usize {
        self.kinds
            .iter()
            .filter(|&&k| k == ContentKind::Html)
            .count()
    }
}

/// Loads pages. A folder with a `ground-truth.json` (an eval gold folder) is read as such, so
/// the pages carry their URLs and site rules apply as in `eval`; anything else is read as
/// `ingest` would read it.
pub fn load(paths: &[String]) -> PageSet {
    let mut set = PageSet {
        docs: Vec::new(),
        kinds: Vec::new(),
        unreadable: Vec::new(),
    };
    for p in paths {
        if Path::new(p).join("ground-truth.json").is_file() {
            match crate::eval::load_gold(Path::new(p)) {
                Ok(pages) => {
                    for page in pages {
                        let Some(path) = page.path else { continue };
                        let origin = path.display().to_string();
                        let read = std::fs::read(&path)
                            .map_err(|e| e.to_string())
                            .and_then(|b| {
                                source::gunzip_if_compressed(b, &origin).map_err(|e| e.to_string())
                            });
                        match read {
                            Ok(bytes) => set.docs.push(RawDocument {
                                origin,
                                url: page.url,
                                content_type: None,
                                bytes,
                                info: Default::default(),
                            }),
                            Err(e) => set.unreadable.push((origin, e)),
                        }
                    }
                }
                Err(e) => set.unreadable.push((p.clone(), e.to_string())),
            }
            continue;
        }
        for input in source::expand(std::slice::from_ref(p)) {
            match input.and_then(|i| i.read()) {
                Ok(doc) => set.docs.push(doc),
                Err(e) => set.unreadable.push((e.path().to_string(), e.to_string())),
            }
        }
    }
    set.kinds = set
        .docs
        .iter()
        .map(|d| sniff_kind(&String::from_utf8_lossy(&d.bytes)))
        .collect();
    set
}

/// One measurement: whole passes over the set.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub passes: usize,
    pub docs: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl Measure {
    pub fn docs_per_sec(&self) -> f64 {
        self.docs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Repeats `pass` over every page until `min` has elapsed (at least one pass).
fn repeat(
    set: &PageSet,
    min: Duration,
    mut pass: impl FnMut(&RawDocument, ContentKind),
) -> Measure {
    let bytes = set.bytes();
    let mut m = Measure {
        passes: 0,
        docs: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
    };
    while m.passes == 0 || m.elapsed < min {
        let started = Instant::now();
        for (doc, &kind) in set.docs.iter().zip(&set.kinds) {
            pass(doc, kind);
        }
        m.elapsed += started.elapsed();
        m.passes += 1;
        m.docs += set.docs.len() as u64;
        m.bytes += bytes;
    }
    m
}

/// The baseline: a bare `scraper` parse of each HTML page; a SHA-256 pass and a line split of
/// each text page.
pub fn baseline(set: &PageSet, min: Duration) -> Measure {
    repeat(set, min, |doc, kind| {
        let text = String::from_utf8_lossy(&doc.bytes);
        match kind {
            ContentKind::Html => {
                let html = scraper::Html::parse_document(&text);
                std::hint::black_box(&html);
            }
            ContentKind::Text => {
                let digest = Sha256::digest(&doc.bytes);
                std::hint::black_box(&digest);
                std::hint::black_box(text.lines().count());
            }
        }
    })
}

/// The pipeline up to (not including) the store, as `clean` runs it. Returns the measurement
/// and how many pages produced no article.
pub fn pipeline(set: &PageSet, rules: &RuleSet, min: Duration) -> (Measure, usize) {
    let mut no_article = 0;
    let m = repeat(set, min, |doc, _| {
        match pipeline::clean(doc, rules) {
            Ok(c) => {
                std::hint::black_box(&c);
            }
            Err(_) => no_article += 1,
        };
    });
    (m, no_article / m.passes.max(1))
}

/// The process's peak resident set size in KiB (Linux `VmHWM`), when the platform reports it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_whole_passes_until_the_minimum_time() {
        let set = PageSet {
            docs: vec![RawDocument {
                origin: "t".into(),
                url: None,
                content_type: None,
                bytes: b"Title\n\nA line of text.\n".to_vec(),
                info: Default::default(),
            }],
            kinds: vec![ContentKind::Text],
            unreadable: Vec::new(),
        };
        let m = baseline(&set, Duration::from_millis(5));
        assert!(m.passes >= 1 && m.docs == m.passes as u64);
        assert_eq!(m.bytes, m.docs * set.bytes());
        let rules = RuleSet::default();
        let (p, _) = pipeline(&set, &rules, Duration::ZERO);
        assert_eq!(p.passes, 1);
    }
}
