//! Bench: throughput and peak memory of the pipeline (no store, or into a store) over a page
//! set or a synthetic corpus made from one, on one thread and on many, next to a baseline
//! measured in the same run, so every figure can be read as a ratio on a noisy machine.
//!
//! Contract: a page set is read into memory before any clock starts, except in the `e2e`
//! measurement, whose clock includes reading and gunzipping every file (from the page cache)
//! as `ingest` does. A page-set measurement repeats whole passes until it has run for at least
//! the asked time; a synthetic measurement makes each document inside the clock (the `generate`
//! measurement shows what that costs) in one pass over N documents, never holding more than
//! one per thread. Throughput is documents and input bytes (after gunzip) per second. The
//! baseline is what any tool must at least do with the bytes: a bare `scraper` parse for an
//! HTML page, a SHA-256 pass plus a line split for a text page. Nothing here changes what the
//! pipeline outputs. [`run()`] runs each measurement in a fresh process of the same binary so
//! its peak RSS (`VmHWM`) is its own, not the high-water mark of everything before it.

mod run;
pub mod synth;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::decode::sniff_kind;
use crate::learn;
use crate::model::{ArticleRecord, ContentKind, RawDocument};
use crate::pipeline;
use crate::rules::RuleSet;
use crate::source;
use crate::store::{origin_now, Store};

pub use run::{ratios, run, Options, Report, MEASUREMENTS};
pub use synth::Synth;

/// Why a bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("no readable pages to measure{}", first_reason(.unreadable))]
    NoPages { unreadable: Vec<(String, String)> },
    #[error("unknown measurement `{0}` (known: {known})", known = MEASUREMENTS.join(", "))]
    UnknownMeasurement(String),
    #[error("measurement `{name}` {why}")]
    NotApplicable { name: String, why: &'static str },
    #[error("cannot run the store measurement: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("measurement `{name}` failed in its worker process: {detail}")]
    Worker { name: String, detail: String },
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

fn first_reason(unreadable: &[(String, String)]) -> String {
    unreadable
        .first()
        .map_or(String::new(), |(_, e)| format!(": {e}"))
}

impl BenchError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            BenchError::NoPages { .. } => Some(
                "the benchmark pages live in ../shared/bench (zyte/ as HTML, zyte-text/ as text); \
                 see ../shared/README.md",
            ),
            BenchError::UnknownMeasurement(_) | BenchError::NotApplicable { .. } => {
                Some("`deboiler bench --help` lists the measurements and when each applies")
            }
            _ => None,
        }
    }
}

/// A page set held in memory.
pub struct PageSet {
    pub docs: Vec<RawDocument>,
    /// Each page's kind, sniffed once at load so the baseline does not pay for it.
    pub kinds: Vec<ContentKind>,
    /// The file each page was read from (`None` for stdin), for the `e2e` measurement.
    pub files: Vec<Option<PathBuf>>,
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
        files: Vec::new(),
        unreadable: Vec::new(),
    };
    for p in paths {
        if Path::new(p).join("ground-truth.json").is_file() {
            match crate::eval::load_gold(Path::new(p)) {
                Ok(pages) => {
                    for page in pages {
                        let Some(path) = page.path else { continue };
                        match read_file(&path, page.url) {
                            Ok(doc) => {
                                set.docs.push(doc);
                                set.files.push(Some(path));
                            }
                            Err(e) => set.unreadable.push((path.display().to_string(), e)),
                        }
                    }
                }
                Err(e) => set.unreadable.push((p.clone(), e.to_string())),
            }
            continue;
        }
        for input in source::expand(std::slice::from_ref(p)) {
            let input = match input {
                Ok(input) => input,
                Err(e) => {
                    set.unreadable.push((e.path().to_string(), e.to_string()));
                    continue;
                }
            };
            // A plain file is one page and can be read again by `e2e`; a container (JSON
            // Lines, WARC) or stdin is read once, record by record, as `ingest` reads it.
            let file = match (&input, input.format(source::Format::Auto)) {
                (source::Input::File(f), source::Format::Document) => Some(f.clone()),
                _ => None,
            };
            for item in source::documents(vec![Ok(input)], &source::ReadOptions::default()) {
                match item {
                    source::SourceItem::Doc(doc) => {
                        set.docs.push(doc);
                        set.files.push(file.clone());
                    }
                    source::SourceItem::Failed(e) => {
                        set.unreadable.push((e.path().to_string(), e.to_string()))
                    }
                    source::SourceItem::Ignored { .. } => {}
                }
            }
        }
    }
    set.kinds = set
        .docs
        .iter()
        .map(|d| {
            d.info
                .kind
                .unwrap_or_else(|| sniff_kind(&String::from_utf8_lossy(&d.bytes)))
        })
        .collect();
    set
}

/// Reads and gunzips one page file, as `ingest` does.
fn read_file(path: &Path, url: Option<String>) -> Result<RawDocument, String> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{origin}`: {e}"))?;
    let bytes = source::gunzip_if_compressed(bytes, &origin).map_err(|e| e.to_string())?;
    Ok(RawDocument {
        origin,
        url,
        content_type: None,
        bytes,
        info: Default::default(),
    })
}

/// What a measurement runs over: the page set (whole passes, repeated) or N synthetic
/// documents (one pass, each made when it is needed).
pub enum Corpus<'a> {
    Pages(&'a PageSet),
    Synthetic { synth: &'a Synth, n: u64 },
}

impl Corpus<'_> {
    fn len(&self) -> u64 {
        match self {
            Corpus::Pages(set) => set.docs.len() as u64,
            Corpus::Synthetic { n, .. } => *n,
        }
    }

    /// Calls `f` with document `i`; a synthetic one is made here, inside the caller's clock.
    fn with<R>(&self, i: u64, f: impl FnOnce(u64, &RawDocument, ContentKind) -> R) -> R {
        match self {
            Corpus::Pages(set) => f(i, &set.docs[i as usize], set.kinds[i as usize]),
            Corpus::Synthetic { synth, .. } => f(i, &synth.doc(i), synth.kind(i)),
        }
    }
}

/// One measurement: whole passes over the corpus.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measure {
    pub passes: usize,
    pub docs: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Documents that produced no article (summed over passes).
    pub no_article: u64,
    /// Articles the store already held (the `store` measurement only).
    pub duplicates: u64,
}

impl Measure {
    pub fn docs_per_sec(&self) -> f64 {
        self.docs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `work` over every document of `corpus` on `threads` threads, repeating whole passes
/// over a page set until `min` has elapsed (at least one pass). `work` returns whether the
/// document produced an article.
pub fn measure(
    corpus: &Corpus,
    threads: usize,
    min: Duration,
    work: impl Fn(u64, &RawDocument, ContentKind) -> bool + Sync,
) -> Measure {
    let bytes = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let one = |i: u64| {
        corpus.with(i, |i, doc, kind| {
            bytes.fetch_add(doc.bytes.len() as u64, Ordering::Relaxed);
            if !work(i, doc, kind) {
                failed.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // One thread runs on the calling thread, with no pool: the single-thread figure has no
    // scheduling overhead in it.
    let pool = (threads > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .ok()
        })
        .flatten();
    let n = corpus.len();
    let mut m = Measure::default();
    let repeat = matches!(corpus, Corpus::Pages(_));
    while m.passes == 0 || (repeat && m.elapsed < min) {
        let started = Instant::now();
        match &pool {
            Some(pool) => pool.install(|| (0..n).into_par_iter().for_each(one)),
            None => (0..n).for_each(one),
        }
        m.elapsed += started.elapsed();
        m.passes += 1;
        m.docs += n;
    }
    m.bytes = bytes.into_inner();
    m.no_article = failed.into_inner();
    m
}

/// The baseline: a bare `scraper` parse of each HTML page; a SHA-256 pass and a line split of
/// each text page.
pub fn baseline(corpus: &Corpus, threads: usize, min: Duration) -> Measure {
    measure(corpus, threads, min, |_, doc, kind| {
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
        true
    })
}

/// The pipeline up to (not including) the store, as `clean` runs it.
pub fn pipeline(corpus: &Corpus, rules: &RuleSet, threads: usize, min: Duration) -> Measure {
    measure(corpus, threads, min, |_, doc, _| {
        std::hint::black_box(pipeline::clean(doc, rules)).is_ok()
    })
}

/// Only making the documents (for a synthetic corpus: what the other measurements pay for it).
pub fn generate(corpus: &Corpus, threads: usize) -> Measure {
    measure(corpus, threads, Duration::ZERO, |_, doc, _| {
        std::hint::black_box(doc);
        true
    })
}

/// Read + gunzip + pipeline, one thread: the page files are read inside the clock (from the
/// page cache after load) as `ingest` reads them.
pub fn end_to_end(set: &PageSet, rules: &RuleSet, min: Duration) -> Option<Measure> {
    if set.files.iter().any(Option::is_none) {
        return None;
    }
    let corpus = Corpus::Pages(set);
    Some(measure(&corpus, 1, min, |i, doc, _| {
        let Some(path) = &set.files[i as usize] else {
            return false;
        };
        read_file(path, doc.url.clone())
            .map(|mut raw| {
                raw.info = doc.info.clone();
                raw
            })
            .ok()
            .is_some_and(|raw| std::hint::black_box(pipeline::clean(&raw, rules)).is_ok())
    }))
}

/// Ingest into a fresh store at `dir`: the pipeline with the store's learned lines, then
/// `Store::put` of every article, flushed every 64 documents and at the end as `ingest` does.
/// One pass whatever `min` is (a second pass would only find duplicates). Opening the store is
/// outside the clock; the final flush is inside.
pub fn store(
    corpus: &Corpus,
    rules: &RuleSet,
    threads: usize,
    dir: &Path,
) -> Result<Measure, crate::store::StoreError> {
    let store = Store::open(dir)?;
    let error = std::sync::Mutex::new(None);
    let since_flush = AtomicUsize::new(0);
    let duplicates = AtomicU64::new(0);
    let started = Instant::now();
    let mut m = measure(corpus, threads, Duration::ZERO, |_, doc, _| {
        let Ok(c) = pipeline::clean_with(doc, rules, Some(&store)) else {
            return false;
        };
        let record = ArticleRecord::from_article(&c.article, origin_now(&doc.origin));
        let lines = c
            .site_key
            .clone()
            .map(|site| learn::lines_of(site, &c.decided));
        let put = store.put(&record, lines).and_then(|outcome| {
            if matches!(outcome, crate::store::PutOutcome::Duplicate { .. }) {
                duplicates.fetch_add(1, Ordering::Relaxed);
            }
            if since_flush.fetch_add(1, Ordering::Relaxed) % 64 == 63 {
                store.flush()
            } else {
                Ok(())
            }
        });
        if let Err(e) = put {
            if let Ok(mut slot) = error.lock() {
                slot.get_or_insert(e);
            }
        }
        true
    });
    store.flush()?;
    m.elapsed = started.elapsed();
    m.duplicates = duplicates.into_inner();
    if let Some(e) = error.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(m)
}

/// The process's peak resident set size in KiB (Linux `VmHWM`), when the platform reports it.
pub fn peak_rss_kib() -> Option<u64> {
    proc_status_kib("VmHWM:")
}

/// The process's resident set size now, in KiB (Linux `VmRSS`).
pub fn rss_kib() -> Option<u64> {
    proc_status_kib("VmRSS:")
}

fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The CPU model (`model name` in `/proc/cpuinfo`), when the platform reports it.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// One finished measurement as reported (and as a worker process hands it to its parent).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Measurement {
    pub name: String,
    pub threads: usize,
    pub passes: usize,
    pub docs: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub docs_per_s: f64,
    pub mb_per_s: f64,
    pub no_article: u64,
    /// Articles the store already held (`store` only): a synthetic corpus should have none.
    pub duplicates: u64,
    /// Peak RSS of the process that ran only this measurement (`None`: not reported, or the
    /// measurement ran in a process that had run others, so the figure would be cumulative).
    pub peak_rss_kib: Option<u64>,
    /// RSS once the page set or templates were loaded, before the clock started.
    pub loaded_rss_kib: Option<u64>,
}

impl Measurement {
    pub fn new(name: &str, threads: usize, m: &Measure) -> Measurement {
        Measurement {
            name: name.to_string(),
            threads,
            passes: m.passes,
            docs: m.docs,
            bytes: m.bytes,
            seconds: m.elapsed.as_secs_f64(),
            docs_per_s: m.docs_per_sec(),
            mb_per_s: m.mb_per_sec(),
            no_article: m.no_article / m.passes.max(1) as u64,
            duplicates: m.duplicates,
            peak_rss_kib: None,
            loaded_rss_kib: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_text_page() -> PageSet {
        PageSet {
            docs: vec![RawDocument {
                origin: "t".into(),
                url: None,
                content_type: None,
                bytes: b"Title\n\nA line of text.\n".to_vec(),
                info: Default::default(),
            }],
            kinds: vec![ContentKind::Text],
            files: vec![None],
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn measures_whole_passes_until_the_minimum_time() {
        let set = one_text_page();
        let corpus = Corpus::Pages(&set);
        let m = baseline(&corpus, 1, Duration::from_millis(5));
        assert!(m.passes >= 1 && m.docs == m.passes as u64);
        assert_eq!(m.bytes, m.docs * set.bytes());
        let rules = RuleSet::default();
        let p = pipeline(&corpus, &rules, 2, Duration::ZERO);
        assert_eq!(p.passes, 1);
        assert!(
            end_to_end(&set, &rules, Duration::ZERO).is_none(),
            "no file"
        );
    }

    #[test]
    fn a_synthetic_corpus_is_one_pass_on_any_number_of_threads() {
        let set = one_text_page();
        let synth = Synth::new(set.docs.iter().zip(set.kinds.iter().copied()), 1).expect("pages");
        let corpus = Corpus::Synthetic {
            synth: &synth,
            n: 9,
        };
        for threads in [1, 2] {
            let m = generate(&corpus, threads);
            assert_eq!((m.passes, m.docs), (1, 9));
            assert!(m.bytes >= 9 * set.bytes());
        }
    }
}
