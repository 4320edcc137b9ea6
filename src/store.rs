//! Store: article records in an embedded `sled` database (one directory, no server).
//!
//! Trees:
//! * `articles`: article id (64 hex chars) → JSON [`ArticleRecord`]
//! * `origins`: origin (input path) → article id
//! * `failures`: origin → JSON [`FailureRecord`] for inputs that were skipped or failed
//! * `runs`: run number (big-endian u64) → JSON [`RunSummary`]
//! * `sites`: site key → documents counted (big-endian u64)
//! * `site_lines`: site key, NUL, 8-byte line hash → documents containing the line (big-endian
//!   u64) followed by the line's text (see [`crate::learn`])
//! * `pending_docs`: article id → JSON [`SiteLines`] of a document stored since the last
//!   [`Store::merge_pending`]. A document's lines go there, as one write in its transaction;
//!   they join the counts that cleaning reads only when the pipeline merges them at a fixed point
//!   of the input order, so what a document sees does not depend on which parallel worker
//!   finished first. (One write per document rather than one counter update per line: counting
//!   in the document's transaction made storing about five times slower than cleaning.)
//!
//! One document's writes (its record or the origin added to an existing record, its origin
//! index entry, clearing an old failure) happen in one `sled` transaction, so a crash leaves
//! either all of them or none. Writes are durable only after [`Store::flush`]; callers report
//! success after it returns. Errors keep lock contention, corruption and I/O apart so the CLI can
//! say what to do about each.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use crate::learn::{LineStats, SiteLines};
use crate::model::{ArticleRecord, Origin};

/// How long to keep retrying a held lock: a process killed a moment ago may still hold it.
const LOCK_WAIT: Duration = Duration::from_millis(800);
/// Page cache size; sled's default (1 GiB) is far more than a batch ingest needs. Measured with
/// `just store-cost 10000`: peak RSS ~110 MiB for a 10k-article ingest.
const CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Pending documents merged per transaction: large enough that shared lines are summed before
/// they are written, small enough to keep a transaction's working set modest.
const MERGE_DOCS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "store `{path}` is locked by another process (another `deboiler` run is probably using it)"
    )]
    Locked { path: String },
    #[error("store `{path}` is corrupt: {detail}")]
    Corrupt { path: String, detail: String },
    #[error("store `{path}`: I/O error: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("store `{path}`: {detail}")]
    Other { path: String, detail: String },
    #[error("no article with id or id prefix `{0}`")]
    NotFound(String),
    #[error("id prefix `{prefix}` matches several articles: {}", candidates.join(", "))]
    Ambiguous {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error("record `{key}` in store `{path}` cannot be decoded: {detail}")]
    BadRecord {
        path: String,
        key: String,
        detail: String,
    },
}

/// What [`Store::put`] did with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new article.
    Stored,
    /// An article with the same body was already stored. `new_origin` says whether this
    /// origin was added to its record (false when the same input was ingested before).
    Duplicate { new_origin: bool },
}

/// Why an input produced no article; kept so `failures` can list and retry them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    pub origin: String,
    /// `skipped` or `failed`.
    pub outcome: String,
    pub reason: String,
    pub at: String,
}

/// Counts for one run; stored in `runs` and printed at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub read: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub skipped: usize,
    pub failed: usize,
    pub bytes_in: u64,
    /// Bytes of clean body text produced.
    pub bytes_out: u64,
    pub started_at: String,
    pub finished_at: String,
    /// Container records that are not documents (WARC `request`, `metadata`, a non-HTML
    /// response…), by type.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub ignored: std::collections::BTreeMap<String, u64>,
}

/// Store-wide counts for `deboiler stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoreStats {
    pub articles: usize,
    pub origins: usize,
    pub failures: usize,
    pub runs: usize,
    pub size_on_disk: u64,
}

pub struct Store {
    db: sled::Db,
    path: String,
    articles: sled::Tree,
    origins: sled::Tree,
    failures: sled::Tree,
    runs: sled::Tree,
    sites: sled::Tree,
    site_lines: sled::Tree,
    pending_docs: sled::Tree,
}

type TxError = ConflictableTransactionError<StoreError>;

impl Store {
    /// Opens (or creates) the store at `path`, retrying briefly if another process holds it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let display = path.display().to_string();
        let started = Instant::now();
        let db = loop {
            match sled::Config::new()
                .path(path)
                .cache_capacity(CACHE_BYTES)
                // Records are written once and read rarely; sled's log-structured store keeps
                // ~3x the logical bytes on disk in its default mode, LowSpace trims that ~7%.
                .mode(sled::Mode::LowSpace)
                .open()
            {
                Ok(db) => break db,
                Err(e) if is_lock_error(&e) => {
                    if started.elapsed() >= LOCK_WAIT {
                        return Err(StoreError::Locked { path: display });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(map_sled(&display, e)),
            }
        };
        let tree = |name: &str| db.open_tree(name).map_err(|e| map_sled(&display, e));
        Ok(Store {
            articles: tree("articles")?,
            origins: tree("origins")?,
            failures: tree("failures")?,
            runs: tree("runs")?,
            sites: tree("sites")?,
            site_lines: tree("site_lines")?,
            pending_docs: tree("pending_docs")?,
            path: display.clone(),
            db,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Stores a record, or adds its origin to the stored record with the same id, atomically
    /// with the origin index and clearing any earlier failure of that origin. If the origin was
    /// stored before under another id (it was re-cleaned with other rules, or the file changed),
    /// it is moved: the old record loses it, and is deleted if that was its last origin.
    ///
    /// `lines` are the document's contribution to its site's learned counts; they are counted
    /// once per new origin of a newly stored article, in the same transaction.
    pub fn put(
        &self,
        record: &ArticleRecord,
        lines: Option<&SiteLines>,
    ) -> Result<PutOutcome, StoreError> {
        let key = record.id.as_bytes();
        let fresh = serde_json::to_vec(record).map_err(|e| self.bad(&record.id, e))?;
        let trees = (
            &self.articles,
            &self.origins,
            &self.failures,
            &self.pending_docs,
        );
        let pending_lines = match lines {
            Some(l) => Some(serde_json::to_vec(l).map_err(|e| self.bad(&record.id, e))?),
            None => None,
        };
        // Site lines go to the pending tree (see the module docs).
        let result = trees.transaction(|(a, o, f, pending)| {
            let outcome = match a.get(key)? {
                Some(bytes) => {
                    let mut existing: ArticleRecord = serde_json::from_slice(&bytes)
                        .map_err(|e| TxError::Abort(self.bad(&record.id, e)))?;
                    let mut new_origin = false;
                    for origin in &record.origins {
                        if !existing.origins.iter().any(|x| x.source == origin.source) {
                            existing.origins.push(origin.clone());
                            new_origin = true;
                        }
                    }
                    if new_origin {
                        let bytes = serde_json::to_vec(&existing)
                            .map_err(|e| TxError::Abort(self.bad(&record.id, e)))?;
                        a.insert(key, bytes)?;
                    }
                    PutOutcome::Duplicate { new_origin }
                }
                None => {
                    a.insert(key, fresh.as_slice())?;
                    PutOutcome::Stored
                }
            };
            let mut new_origin = false;
            for origin in &record.origins {
                let previous = o.insert(origin.source.as_bytes(), key)?;
                new_origin |= previous.is_none();
                f.remove(origin.source.as_bytes())?;
                // Re-cleaning an input (new rules, edited file) moves its origin to the new
                // article; an article left without origins is gone from every input.
                if let Some(old) = previous.filter(|old| old.as_ref() != key) {
                    if let Some(bytes) = a.get(&old)? {
                        let mut rec: ArticleRecord =
                            serde_json::from_slice(&bytes).map_err(|e| {
                                TxError::Abort(self.bad(&String::from_utf8_lossy(&old), e))
                            })?;
                        rec.origins.retain(|x| x.source != origin.source);
                        if rec.origins.is_empty() {
                            a.remove(&old)?;
                        } else {
                            let bytes = serde_json::to_vec(&rec)
                                .map_err(|e| TxError::Abort(self.bad(&rec.id, e)))?;
                            a.insert(&old, bytes)?;
                        }
                    }
                }
            }
            if let (PutOutcome::Stored, true, Some(lines)) = (&outcome, new_origin, &pending_lines)
            {
                pending.insert(key, lines.as_slice())?;
            }
            Ok(outcome)
        });
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => map_sled(&self.path, e),
        })
    }

    /// Adds the lines of documents stored since the last merge to the counts cleaning reads
    /// ([`LineStats`]), [`MERGE_DOCS`] documents per
    /// transaction: each document is either merged (and gone from `pending_docs`) or still
    /// pending after a crash, never both. Counts are summed in memory per transaction, so a line
    /// that many documents share costs one counter update, not one per document.
    pub fn merge_pending(&self) -> Result<(), StoreError> {
        loop {
            let mut keys = Vec::with_capacity(MERGE_DOCS);
            for kv in self.pending_docs.iter().keys().take(MERGE_DOCS) {
                keys.push(kv.map_err(|e| map_sled(&self.path, e))?);
            }
            if keys.is_empty() {
                return Ok(());
            }
            let trees = (&self.pending_docs, &self.sites, &self.site_lines);
            let result = trees.transaction(|(pending, sites, site_lines)| {
                let mut docs: std::collections::HashMap<String, u64> = Default::default();
                let mut lines: std::collections::HashMap<Vec<u8>, (u64, String)> =
                    Default::default();
                for k in &keys {
                    let Some(v) = pending.remove(k)? else {
                        continue;
                    };
                    let doc: SiteLines = serde_json::from_slice(&v)
                        .map_err(|e| TxError::Abort(self.bad(&String::from_utf8_lossy(k), e)))?;
                    for (hash, text) in doc.lines {
                        lines
                            .entry(line_key(&doc.site, &hash))
                            .or_insert((0, text))
                            .0 += 1;
                    }
                    *docs.entry(doc.site).or_insert(0) += 1;
                }
                for (site, add) in &docs {
                    let n = sites.get(site.as_bytes())?.map_or(0, |v| be_u64(&v));
                    sites.insert(site.as_bytes(), &(n + add).to_be_bytes())?;
                }
                for (k, (add, text)) in &lines {
                    let n = site_lines.get(k.as_slice())?.map_or(0, |v| be_u64(&v));
                    let mut v = (n + add).to_be_bytes().to_vec();
                    v.extend_from_slice(text.as_bytes());
                    site_lines.insert(k.as_slice(), v)?;
                }
                Ok(())
            });
            result.map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => map_sled(&self.path, e),
            })?;
        }
    }

    /// Records that an input was skipped or failed (replacing an earlier entry for it).
    pub fn put_failure(&self, failure: &FailureRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(failure).map_err(|e| self.bad(&failure.origin, e))?;
        self.failures
            .insert(failure.origin.as_bytes(), bytes)
            .map_err(|e| map_sled(&self.path, e))?;
        Ok(())
    }

    pub fn put_run(&self, run: &RunSummary) -> Result<(), StoreError> {
        let id = self.db.generate_id().map_err(|e| map_sled(&self.path, e))?;
        let bytes = serde_json::to_vec(run).map_err(|e| self.bad("run", e))?;
        self.runs
            .insert(id.to_be_bytes(), bytes)
            .map_err(|e| map_sled(&self.path, e))?;
        Ok(())
    }

    /// Sites with learned counts and how many documents each has, most documents first.
    pub fn learned_sites(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut out = Vec::new();
        for kv in self.sites.iter() {
            let (k, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            out.push((String::from_utf8_lossy(&k).into_owned(), be_u64(&v)));
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// A site's counted lines `(text, documents)`, most frequent first.
    pub fn learned_lines(&self, site: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let mut prefix = site.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for kv in self.site_lines.scan_prefix(&prefix) {
            let (_, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            if v.len() >= 8 {
                out.push((String::from_utf8_lossy(&v[8..]).into_owned(), be_u64(&v)));
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Makes every write so far durable. Nothing counts as committed before this returns.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db
            .flush()
            .map(|_| ())
            .map_err(|e| map_sled(&self.path, e))
    }

    /// The article with this id, or the single article whose id starts with this prefix.
    pub fn get(&self, prefix: &str) -> Result<ArticleRecord, StoreError> {
        let prefix = prefix.trim().to_ascii_lowercase();
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound(prefix));
        }
        let mut hits = self.articles.scan_prefix(prefix.as_bytes());
        let first = match hits.next() {
            Some(kv) => kv.map_err(|e| map_sled(&self.path, e))?,
            None => return Err(StoreError::NotFound(prefix)),
        };
        let more: Vec<String> = hits
            .take(4)
            .filter_map(Result::ok)
            .map(|(k, _)| String::from_utf8_lossy(&k[..12.min(k.len())]).into_owned())
            .collect();
        if !more.is_empty() {
            let mut candidates =
                vec![String::from_utf8_lossy(&first.0[..12.min(first.0.len())]).into_owned()];
            candidates.extend(more);
            return Err(StoreError::Ambiguous { prefix, candidates });
        }
        self.decode(&first.0, &first.1)
    }

    /// Every stored article, in id order.
    pub fn articles(&self) -> impl Iterator<Item = Result<ArticleRecord, StoreError>> + '_ {
        self.articles.iter().map(move |kv| {
            let (k, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            self.decode(&k, &v)
        })
    }

    /// The article id an origin was stored under, if any.
    pub fn article_for_origin(&self, origin: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .origins
            .get(origin.as_bytes())
            .map_err(|e| map_sled(&self.path, e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn failures(&self) -> impl Iterator<Item = Result<FailureRecord, StoreError>> + '_ {
        self.failures.iter().map(move |kv| {
            let (k, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            serde_json::from_slice(&v).map_err(|e| self.bad(&String::from_utf8_lossy(&k), e))
        })
    }

    pub fn runs(&self) -> impl Iterator<Item = Result<RunSummary, StoreError>> + '_ {
        self.runs.iter().map(move |kv| {
            let (_, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            serde_json::from_slice(&v).map_err(|e| self.bad("run", e))
        })
    }

    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        Ok(StoreStats {
            articles: self.articles.len(),
            origins: self.origins.len(),
            failures: self.failures.len(),
            runs: self.runs.len(),
            size_on_disk: self
                .db
                .size_on_disk()
                .map_err(|e| map_sled(&self.path, e))?,
        })
    }

    /// Checks that every record decodes, is stored under its own id, and that every origin
    /// points at a stored article. Returns the problems found (empty when healthy).
    pub fn verify(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        for kv in self.articles.iter() {
            let (k, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            match serde_json::from_slice::<ArticleRecord>(&v) {
                Ok(r) if r.id.as_bytes() == &*k => {}
                Ok(r) => problems.push(format!(
                    "record under `{}` has id `{}`",
                    String::from_utf8_lossy(&k),
                    r.id
                )),
                Err(e) => problems.push(format!(
                    "record `{}` does not decode: {e}",
                    String::from_utf8_lossy(&k)
                )),
            }
        }
        for kv in self.origins.iter() {
            let (k, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            if !self
                .articles
                .contains_key(&v)
                .map_err(|e| map_sled(&self.path, e))?
            {
                problems.push(format!(
                    "origin `{}` points at missing article `{}`",
                    String::from_utf8_lossy(&k),
                    String::from_utf8_lossy(&v)
                ));
            }
        }
        Ok(problems)
    }

    /// SHA-256 over every article record (keys and values, in key order), as hex: equal
    /// checksums mean identical article records. Re-ingesting the same inputs leaves it
    /// unchanged; origins index, failures and run metadata are not part of it.
    pub fn checksum(&self) -> Result<String, StoreError> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for kv in self.articles.iter() {
            let (k, v) = kv.map_err(|e| map_sled(&self.path, e))?;
            h.update((k.len() as u64).to_be_bytes());
            h.update(&k);
            h.update((v.len() as u64).to_be_bytes());
            h.update(&v);
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    fn decode(&self, key: &[u8], value: &[u8]) -> Result<ArticleRecord, StoreError> {
        serde_json::from_slice(value).map_err(|e| self.bad(&String::from_utf8_lossy(key), e))
    }

    fn bad(&self, key: &str, e: serde_json::Error) -> StoreError {
        StoreError::BadRecord {
            path: self.path.clone(),
            key: key.to_string(),
            detail: e.to_string(),
        }
    }
}

impl LineStats for Store {
    fn site_docs(&self, site: &str) -> u64 {
        self.sites
            .get(site.as_bytes())
            .ok()
            .flatten()
            .map_or(0, |v| be_u64(&v))
    }

    fn line_docs(&self, site: &str, hash: &[u8; 8]) -> u64 {
        self.site_lines
            .get(line_key(site, hash))
            .ok()
            .flatten()
            .map_or(0, |v| be_u64(&v))
    }
}

fn line_key(site: &str, hash: &[u8; 8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(site.len() + 9);
    k.extend_from_slice(site.as_bytes());
    k.push(0);
    k.extend_from_slice(hash);
    k
}

/// The big-endian u64 at the start of a value; 0 if the value is too short (never written so).
fn be_u64(v: &[u8]) -> u64 {
    v.get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_be_bytes)
}

/// A new origin entry stamped now.
pub fn origin_now(source: &str) -> Origin {
    Origin {
        source: source.to_string(),
        ingested_at: crate::time::now_rfc3339(),
        id: None,
    }
}

/// sled 0.34 reports a held lock as a plain I/O error whose message names the lock.
fn is_lock_error(e: &sled::Error) -> bool {
    match e {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock")
        }
        _ => false,
    }
}

fn map_sled(path: &str, e: sled::Error) -> StoreError {
    let path = path.to_string();
    match e {
        sled::Error::Io(source) => StoreError::Io { path, source },
        sled::Error::Corruption { at, .. } => StoreError::Corrupt {
            path,
            detail: format!("corrupted data at {at:?}"),
        },
        other => StoreError::Other {
            path,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContentKind, EncodingInfo, EncodingSource, Metadata};

    fn record(id: &str, origin: &str) -> ArticleRecord {
        ArticleRecord {
            id: id.to_string(),
            metadata: Metadata {
                title: Some("T".into()),
                ..Metadata::default()
            },
            body: vec!["Body.".into()],
            removed: vec![],
            origins: vec![origin_now(origin)],
            kind: ContentKind::Text,
            encoding: EncodingInfo {
                encoding: "UTF-8".into(),
                source: EncodingSource::Detected,
                malformed: 0,
                first_malformed_at: None,
                overridden: None,
            },
            ingested_at: "2024-01-01T00:00:00Z".into(),
            extra: Default::default(),
        }
    }

    #[test]
    fn put_dedups_by_id_and_tracks_origins() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let id = "ab".repeat(32);
        assert_eq!(
            store.put(&record(&id, "a.txt"), None).unwrap(),
            PutOutcome::Stored
        );
        assert_eq!(
            store.put(&record(&id, "b.txt"), None).unwrap(),
            PutOutcome::Duplicate { new_origin: true }
        );
        assert_eq!(
            store.put(&record(&id, "a.txt"), None).unwrap(),
            PutOutcome::Duplicate { new_origin: false }
        );
        store.flush().unwrap();
        let got = store.get("ABAB").unwrap();
        assert_eq!(
            got.origins
                .iter()
                .map(|o| o.source.as_str())
                .collect::<Vec<_>>(),
            ["a.txt", "b.txt"]
        );
        assert_eq!(store.article_for_origin("b.txt").unwrap(), Some(id));
        assert!(store.verify().unwrap().is_empty());
    }

    /// Line counts join what cleaning reads only at a merge, summed over the merged documents,
    /// and a document counted once is never counted again (a duplicate adds nothing).
    #[test]
    fn site_lines_count_after_merge_once_per_document() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let lines = |extra: &str| SiteLines {
            site: "example.com".into(),
            lines: vec![([1; 8], "Menu".into()), (*b"uniqueXY", extra.into())],
        };
        let (a, b) = ("aa".repeat(32), "bb".repeat(32));
        store.put(&record(&a, "a.txt"), Some(&lines("x"))).unwrap();
        store.put(&record(&b, "b.txt"), Some(&lines("y"))).unwrap();
        store.put(&record(&b, "c.txt"), Some(&lines("y"))).unwrap();
        assert_eq!(store.site_docs("example.com"), 0, "not merged yet");
        store.merge_pending().unwrap();
        assert_eq!(store.site_docs("example.com"), 2);
        assert_eq!(store.line_docs("example.com", &[1; 8]), 2);
        assert_eq!(store.line_docs("example.com", b"uniqueXY"), 2);
        store.merge_pending().unwrap();
        assert_eq!(
            store.site_docs("example.com"),
            2,
            "a second merge adds nothing"
        );
    }

    #[test]
    fn re_cleaning_an_origin_moves_it_to_the_new_article() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (old, new) = ("a".repeat(64), "b".repeat(64));
        store.put(&record(&old, "x.txt"), None).unwrap();
        store.put(&record(&old, "y.txt"), None).unwrap();
        store.put(&record(&new, "x.txt"), None).unwrap();
        assert_eq!(store.get(&old).unwrap().origins.len(), 1);
        store.put(&record(&new, "y.txt"), None).unwrap();
        assert!(matches!(store.get(&old), Err(StoreError::NotFound(_))));
        assert_eq!(store.get(&new).unwrap().origins.len(), 2);
        assert!(store.verify().unwrap().is_empty());
    }

    #[test]
    fn prefixes_resolve_or_explain() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store
            .put(&record(&format!("aa{}", "0".repeat(62)), "1"), None)
            .unwrap();
        store
            .put(&record(&format!("ab{}", "0".repeat(62)), "2"), None)
            .unwrap();
        assert!(matches!(store.get("a"), Err(StoreError::Ambiguous { .. })));
        assert!(store.get("ab").is_ok());
        assert!(matches!(store.get("ff"), Err(StoreError::NotFound(_))));
        assert!(matches!(store.get("zz"), Err(StoreError::NotFound(_))));
    }

    #[test]
    fn a_success_clears_an_earlier_failure() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store
            .put_failure(&FailureRecord {
                origin: "x.txt".into(),
                outcome: "failed".into(),
                reason: "boom".into(),
                at: "now".into(),
            })
            .unwrap();
        assert_eq!(store.failures().count(), 1);
        store.put(&record(&"c".repeat(64), "x.txt"), None).unwrap();
        assert_eq!(store.failures().count(), 0);
    }
}
