//! Pipeline: the only module that knows the order of the stages.
//!
//! [`clean`] takes one raw document through decode → extract → strip → dedup → metadata and
//! returns the article plus every block's verdict. [`ingest`] runs a batch through `clean` and
//! into the store, giving every input exactly one [`Outcome`] and counting them in a
//! [`RunSummary`]. A bad input never stops a batch: it becomes `Skipped` or `Failed` and is
//! recorded in the store. Outcomes are reported only after the store has flushed them.
//!
//! [`Limits`] bound the work per document: size limits are enforced by the source, nesting depth
//! and line length are checked on the decoded text before parsing or splitting, and the time
//! budget between stages. Exceeding a limit is a [`DocError::Limit`], recorded as a skip.

use std::time::Instant;

use tracing::{debug, debug_span, info_span, warn};

use crate::decode::{self, DecodeError};
use crate::learn::{self, LineStats};
use crate::limits::{self, LimitExceeded, Limits};
use crate::model::{Article, ContentKind, Decided, Marks, RawDocument, Removal, Verdict};
use crate::norm::Canonicals;
use crate::rules::RuleSet;
use crate::source::{Input, ReadOptions, SourceError};
use crate::store::{RunSummary, Store, StoreError};
use crate::{content, dedup, extract, metadata, strip};

mod run;
mod sink;

pub use run::{run, Report, RunOptions};
pub use sink::{record_of, DiscardSink, JsonlSink, Sink, StoreSink};

/// Why one document produced no article.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("no article text left: rules, dedup and metadata took all {removed} blocks")]
    NoArticle { removed: usize },
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stage panicked on this document (a bug); the run goes on without it.
    #[error("internal error while cleaning (please report this input): {0}")]
    Panic(String),
}

impl DocError {
    /// Skips are inputs with nothing to store (empty, binary, all boilerplate, over a limit);
    /// everything else is a failure.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            DocError::Decode(_)
                | DocError::NoArticle { .. }
                | DocError::Limit(_)
                | DocError::Source(SourceError::Limit { .. })
        )
    }
}

/// A cleaned document: the article and the verdict on every block, for `--explain`.
#[derive(Debug)]
pub struct Cleaned {
    pub article: Article,
    pub decided: Vec<Decided>,
    /// Names of the sites whose rule files applied.
    pub sites: Vec<String>,
    /// The URL the input gave for the document (JSONL `--url-field`, `WARC-Target-URI`): where
    /// it was fetched, kept on the record's origin. The article's own URL (`metadata.url`)
    /// prefers the page's canonical one.
    pub url: Option<String>,
    /// The site the document's lines are counted under (URL host or matched site rule).
    pub site_key: Option<String>,
    /// What the document adds to its site's learned counts: set when cleaning read learned
    /// counts and the site has fewer than [`learn::MAX_DOCS`] documents counted.
    pub lines: Option<learn::LineRefs>,
}

/// Runs one document through every stage up to (not including) the store.
pub fn clean(raw: &RawDocument, rules: &RuleSet) -> Result<Cleaned, DocError> {
    clean_with(raw, rules, None)
}

/// [`clean`], also dropping lines that `learned` counts say the document's site repeats on
/// most of its pages.
pub fn clean_with(
    raw: &RawDocument,
    rules: &RuleSet,
    learned: Option<&dyn LineStats>,
) -> Result<Cleaned, DocError> {
    clean_limited(raw, rules, learned, &Limits::default())
}

/// Measures a document's time against its budget at stage boundaries.
struct Budget<'a> {
    started: Instant,
    limits: &'a Limits,
}

impl Budget<'_> {
    /// `Err` once the document has used its time budget; called after each stage, so the
    /// message names the stage that used it up.
    fn check(&self, stage: &'static str) -> Result<(), LimitExceeded> {
        let elapsed = self.started.elapsed();
        if elapsed > self.limits.time_budget {
            return Err(LimitExceeded::Time {
                stage,
                elapsed_ms: elapsed.as_millis(),
                budget_ms: self.limits.time_budget.as_millis(),
            });
        }
        Ok(())
    }
}

/// [`clean_with`] under explicit [`Limits`]: a document over one of them is a
/// [`DocError::Limit`]. The raw bytes' size limits are the source's job ([`Input::read_limited`]);
/// an oversized [`RawDocument`] built by a caller is refused here too.
pub fn clean_limited(
    raw: &RawDocument,
    rules: &RuleSet,
    learned: Option<&dyn LineStats>,
    limits: &Limits,
) -> Result<Cleaned, DocError> {
    let _doc = info_span!("doc", origin = %raw.origin).entered();
    let budget = Budget {
        started: Instant::now(),
        limits,
    };
    if raw.bytes.len() as u64 > limits.max_input_bytes {
        return Err(LimitExceeded::InputSize {
            size: raw.bytes.len() as u64,
            limit: limits.max_input_bytes,
        }
        .into());
    }
    let mut decoded = debug_span!("decode").in_scope(|| decode::decode(raw))?;
    if let Some(kind) = raw.info.kind {
        // The container said what it is (a JSONL `text` field): no sniffing.
        decoded.kind = kind;
    }
    budget.check("decode")?;
    // Both checks run before the expensive stages they protect: html5ever's tree building is
    // quadratic in nesting depth, and a text line is the unit every text stage works on. The
    // lean page (one linear scan) has the same tags and a quarter of the bytes, so depth is
    // measured on it.
    let mut lean = None;
    match decoded.kind {
        ContentKind::Html => {
            let page = lean.insert(extract::lean::page(&decoded.text, rules.css.keep()));
            let depth = limits::html_depth(page, limits.max_depth);
            if depth > limits.max_depth {
                return Err(LimitExceeded::Depth {
                    depth,
                    limit: limits.max_depth,
                }
                .into());
            }
        }
        ContentKind::Text => {
            if let Some((line, len)) = limits::long_line(&decoded.text, limits.max_line_bytes) {
                return Err(LimitExceeded::LineLength {
                    line,
                    len,
                    limit: limits.max_line_bytes,
                }
                .into());
            }
        }
    }
    if decoded.encoding.malformed > 0 {
        warn!(
            malformed = decoded.encoding.malformed,
            first_at = decoded.encoding.first_malformed_at,
            encoding = %decoded.encoding.encoding,
            "invalid byte sequences replaced"
        );
    }
    let active = rules.for_document(decoded.url.as_deref(), &decoded.text);
    let site_names: Vec<String> = active.sites.iter().map(|s| s.name.clone()).collect();
    let site_key = learn::site_key(decoded.url.as_deref(), &site_names);
    // Lines are counted for a site's first documents only; their hashes are taken once, for
    // both the learned lookups and the counts.
    let counting = match (&site_key, learned) {
        (Some(site), Some(stats)) => stats.site_docs(site) < learn::MAX_DOCS,
        _ => false,
    };
    let mut hashes: Option<learn::Hashes> = None;
    let mut apply_learned = |decided: &mut Vec<Decided>, forms: &Canonicals| {
        if let (Some(site), Some(stats)) = (&site_key, learned) {
            debug_span!("learned").in_scope(|| {
                // Taken from the canonical forms that judging and dedup reuse: of every line
                // when they are counted, else of the kept lines the lookups need.
                if counting || stats.site_docs(site) >= learn::MIN_DOCS {
                    hashes = Some(learn::Hashes::of(decided, forms, counting));
                }
                learn::apply_with(decided, site, stats, hashes.as_ref())
            });
        }
    };
    // From the strip stage on, the blocks and their texts are fixed: their canonical forms are
    // computed once, by the first stage that compares blocks, and shared.
    let forms;
    let (mut decided, mut meta) = match decoded.kind {
        ContentKind::Html => {
            let page = lean.as_deref().unwrap_or(&decoded.text);
            let html = debug_span!("parse").in_scope(|| extract::parse::document(page));
            budget.check("parse")?;
            let mut marks: Marks =
                debug_span!("select").in_scope(|| strip::mark_selectors(&html, &active));
            budget.check("select")?;
            debug_span!("content").in_scope(|| content::html::mark(&html, &mut marks));
            budget.check("content")?;
            let blocks = debug_span!("extract").in_scope(|| extract::html::extract(&html, &marks));
            budget.check("extract")?;
            let mut decided = debug_span!("strip").in_scope(|| strip::apply(blocks, &active));
            budget.check("strip")?;
            forms = Canonicals::new(decided.len());
            apply_learned(&mut decided, &forms);
            let meta =
                debug_span!("metadata").in_scope(|| metadata::from_html(&html, &active.sites));
            (decided, meta)
        }
        ContentKind::Text => {
            let blocks = debug_span!("extract").in_scope(|| extract::text::extract(&decoded.text));
            budget.check("extract")?;
            let mut decided = debug_span!("strip").in_scope(|| strip::apply(blocks, &active));
            budget.check("strip")?;
            forms = Canonicals::new(decided.len());
            apply_learned(&mut decided, &forms);
            debug_span!("content").in_scope(|| content::text::judge(&mut decided, &forms));
            budget.check("content")?;
            (decided, Default::default())
        }
    };
    debug_span!("dedup").in_scope(|| dedup::drop_repeats(&mut decided, &forms));
    budget.check("dedup")?;
    debug_span!("metadata").in_scope(|| match decoded.kind {
        ContentKind::Text => meta = metadata::from_text(&mut decided, &active.sites, true, &forms),
        ContentKind::Html => {
            // Markup wins; header lines in the body fill what the markup left out.
            metadata::mark_title_block(&mut decided, &meta, decoded.kind, &forms);
            let lines = metadata::from_text(&mut decided, &active.sites, false, &forms);
            if meta.authors.is_empty() {
                meta.authors = lines.authors;
            }
            meta.published = meta.published.take().or(lines.published);
            meta.site = meta.site.take().or(lines.site);
        }
    });
    budget.check("metadata")?;
    // The markup's canonical URL may be relative, empty or not a web address at all.
    meta.url = metadata::resolve_url(meta.url.take(), decoded.url.as_deref())
        .or_else(|| decoded.url.clone());
    let body: Vec<String> = decided
        .iter()
        .filter(|d| d.is_kept())
        .map(|d| d.block.text.clone())
        .collect();
    let removed: Vec<Removal> = decided
        .iter()
        .filter_map(|d| match &d.verdict {
            Verdict::Keep => None,
            Verdict::Drop(rule) | Verdict::Meta(rule) => Some(Removal {
                rule: rule.clone(),
                text: d.block.text.clone(),
                line: d.block.line,
            }),
        })
        .collect();
    if body.is_empty() {
        return Err(DocError::NoArticle {
            removed: removed.len(),
        });
    }
    debug!(kept = body.len(), removed = removed.len(), "cleaned");
    let lines = match (&site_key, counting) {
        (Some(site), true) => Some(learn::line_refs(site.clone(), &decided, hashes.as_ref())),
        _ => None,
    };
    Ok(Cleaned {
        lines,
        site_key,
        article: Article {
            id: dedup::kept_body_id(&decided, &forms),
            metadata: meta,
            body,
            removed,
            kind: decoded.kind,
            encoding: decoded.encoding,
            bytes_in: decoded.bytes_in,
        },
        decided,
        sites: site_names,
        url: decoded.url,
    })
}

/// What happened to one input in an ingest run.
#[derive(Debug)]
pub enum Outcome {
    Stored {
        id: String,
    },
    /// Same body as a stored article; the origin was added to it.
    Duplicate {
        id: String,
    },
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
}

/// Ingests a batch under the default [`Limits`]; see [`ingest_limited`].
pub fn ingest(
    inputs: Vec<Result<Input, SourceError>>,
    rules: &RuleSet,
    store: &Store,
    report: impl FnMut(&str, &Outcome),
) -> Result<RunSummary, StoreError> {
    ingest_limited(inputs, rules, store, &Limits::default(), report)
}

/// Ingests a batch into `store` on one worker thread; [`run()`] with a [`StoreSink`] is the
/// general form. `report` is called once per input, in input order, after the input's writes
/// are flushed. Returns the run's counts; an `Err` means the store itself failed (for example
/// it could not flush), not that some input was bad.
pub fn ingest_limited(
    inputs: Vec<Result<Input, SourceError>>,
    rules: &RuleSet,
    store: &Store,
    limits: &Limits,
    mut report: impl FnMut(&str, &Outcome),
) -> Result<RunSummary, StoreError> {
    let opts = RunOptions {
        jobs: 1,
        read: ReadOptions {
            limits: limits.clone(),
            ..ReadOptions::default()
        },
        ..RunOptions::default()
    };
    let mut sink = StoreSink::new(store)?;
    run(
        inputs,
        rules,
        Some(store),
        &mut sink,
        &opts,
        |r: &Report| report(r.origin, r.outcome),
    )
}
