//! Store: article records in an embedded `sled` database plus an append-only record log, in one
//! directory (no server).
//!
//! Format 5. Large values (article records as JSON, a document's learned lines) are appended to
//! `records.log` in the store directory, each entry a length, a CRC-32 and the bytes; `sled`
//! holds one tree (`store`) of small index entries, keyed by a one-byte type prefix:
//! * `A` + the first two bytes of article ids → the log locations of the JSON
//!   [`ArticleRecord`]s of the articles whose ids start so (a bucket; see `index`). Format 4
//!   had an entry per article (`a` + id), which opening upgrades in place.
//! * `o` + origin (input path, or a record of one) → article id (32 bytes); origins read from
//!   standard input are not indexed (see [`Store::put_encoded`])
//! * `f` + origin → JSON [`FailureRecord`] for inputs that were skipped or failed (an origin in
//!   standard input gets `0` and a sequence number after it: one entry per run, never replaced)
//! * `r` + run number (big-endian u64) → JSON [`RunSummary`]
//! * `s` + site key → documents counted, the log locations of their lines (the site's line
//!   table is the sum of those entries; see [`crate::learn`]) and the lines at or above
//!   [`crate::learn::MIN_SHARE`] of the site's documents (what cleaning acts on)
//! * `p` + log offset (big-endian u64) → log locations (12 bytes each) of the [`SiteLines`] of
//!   documents whose counts are not yet in their site's entries: one entry per commit, keyed by
//!   its first document's offset (format 3 wrote one per document, which format 4 reads as a list
//!   of one and so opens in place)
//! * `L` → how many bytes of `records.log` the index has committed (big-endian u64): written
//!   with every commit, so that a log found shorter on opening (truncated, replaced, deleted)
//!   is refused as corrupt instead of serving other entries at the old offsets. Stores written
//!   before it was added have none until their next commit; older binaries ignore it.
//! * `V` → the format version
//!
//! Writes are staged in memory (later writes to a key replace earlier ones, and reads see them)
//! and applied by [`Store::flush`] as one atomic `sled` batch, after the log entries they point
//! at are synced: a crash leaves every document of a batch with its record, origin index entry,
//! cleared failure and pending lines, or none of them, and never an index entry pointing past
//! what reached the disk. Writes are durable only after [`Store::flush`]; callers report success
//! after it returns. A record that changes (a new origin) is appended again; the old copy stays
//! in the log unreferenced. Errors keep lock contention, corruption and I/O apart so the CLI can
//! say what to do about each.
//!
//! Learned counts: a document's lines are written to the log with it, listed under a pending key
//! (one per commit: two index writes per document cost as much as the rest of storing it), and
//! join the counts that cleaning reads only at [`Store::merge_pending`], which the pipeline calls
//! at fixed points of the input order, so what a document sees does not depend on which parallel
//! worker finished first. Merging is in memory and needs only the lines' hashes; every
//! [`CHECKPOINT_MERGES`] merges (and at the end of a run, [`Store::checkpoint`]) the changed
//! sites' entries take the merged documents' log locations and the merged pending keys are
//! removed, in the same batch, so nothing is rewritten to the log: a site's line table is never
//! more than its counted documents' entries ([`crate::learn::MAX_DOCS`], plus what the epochs in flight
//! add). After a crash the pending entries are merged again at the next ingest. Cleaning reads a
//! site's document count and its frequent lines from memory; a site's full counts are held only
//! while it is still counting documents and got some since the last checkpoint, and are read
//! back from its entries (hashes only) when it gets more.
//!
//! Submodules: `log` (the record log and its entry locations), `index` (the article index's
//! buckets) and `learned` (learned counts: the lines' log form, sites, merging, checkpoints and
//! the [`LineStats`](crate::learn::LineStats) view).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

mod index;
mod learned;
mod log;

pub use learned::PreparedLines;
use learned::{decode_lines, decode_locs, Learned, Site, Unmerged};
use log::{drop_cached, Loc, Log, LogError};

use crate::learn::SiteLines;
use crate::model::{ArticleRecord, Origin};

/// How long to keep retrying a held lock: a process killed a moment ago may still hold it.
const LOCK_WAIT: Duration = Duration::from_millis(800);
/// Page cache size. sled keeps pages in memory up to this (its default is 1 GiB), so the cache,
/// not the data, sets how far the index's memory grows: with 16 MiB an ingest's resident memory
/// kept growing until the index outgrew it (about 60k articles), and 2 MiB cost no measurable
/// CPU at 100k (the index's pages are in the OS page cache, and a document needs two lookups).
/// `sled`'s memory still grows with the index whatever the cache: a test program putting this
/// store's two index entries per document, in batches of 256, grew from 33 to 66 MiB between
/// 20k and 100k documents with this cache.
const CACHE_BYTES: u64 = 2 * 1024 * 1024;
/// The on-disk format this version reads and writes.
pub const FORMAT: u32 = 5;
/// The older formats this version opens, upgrading them in place: format 4 had an article
/// index entry per article (`a` + id), and format 3 also one document per pending entry (which
/// reads as a list of one).
const UPGRADES_FROM: &[&[u8]] = &[b"3", b"4"];
/// Merges between writes of the changed sites' entries.
pub const CHECKPOINT_MERGES: u64 = 4;
/// The record log's file name inside the store directory.
const LOG_FILE: &str = "records.log";

/// Format 4's article index entries: `a` + id → log location.
const OLD_ARTICLE: u8 = b'a';
const ORIGIN: u8 = b'o';
const FAILURE: u8 = b'f';
const RUN: u8 = b'r';
const SITE: u8 = b's';
const PENDING: u8 = b'p';
const VERSION_KEY: &[u8] = b"V";
const LOG_LEN_KEY: &[u8] = b"L";

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
    /// A store written by another deboiler version, in a layout this one does not read.
    #[error("store `{path}` has on-disk format {found}; this deboiler reads format {FORMAT}")]
    Format { path: String, found: String },
    /// A command that reads the store was pointed at a folder that does not exist.
    #[error("no store at `{path}`")]
    Missing { path: String },
    /// The folder holds other files and no store: opening it would write one among them.
    #[error("`{path}` is not a deboiler store: it is a folder with other files in it")]
    NotAStore { path: String },
    /// The path names a file: a store is a folder.
    #[error("`{path}` is a file, not a store folder")]
    NotAFolder { path: String },
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
    /// When it was recorded, in UTC: `YYYY-MM-DDTHH:MM:SS.mmmZ`, or whole seconds in entries
    /// older builds wrote. Two runs' failures from standard input have the same
    /// origin and often the same reason; this is what tells them apart.
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

type Writes = HashMap<Vec<u8>, Option<Vec<u8>>>;

/// Writes not yet applied to `sled` (see the module docs).
#[derive(Default)]
struct Staged {
    writes: Writes,
    /// Documents put since the last merge: pending entry, log location, site and line hashes.
    unmerged: Vec<Unmerged>,
    /// The pending entry being filled: its key's offset and the locations listed so far. It is
    /// staged when a commit starts or a merge takes the documents, so an entry's documents are
    /// merged all at once and its removal at a checkpoint never drops an unmerged one.
    batch: Option<(u64, Vec<u8>)>,
    /// The commit [`Store::start_commit`] started, until it is known to have finished.
    inflight: Option<Inflight>,
    /// Some failure entry may exist (the store had one when opened, or one was put since):
    /// until then a stored document has no failure to clear, and its batch no removal to
    /// carry.
    failures: bool,
}

impl Staged {
    /// Stages the pending entry being filled.
    fn close_batch(&mut self) {
        if let Some((offset, locs)) = self.batch.take() {
            self.writes
                .insert(key(PENDING, &offset.to_be_bytes()), Some(locs));
        }
    }
}

/// A commit running on its own thread: sync the log, apply the batch, flush `sled`. Reads see
/// its writes until it has finished.
struct Inflight {
    writes: Arc<Writes>,
    thread: std::thread::JoinHandle<Result<(), StoreError>>,
}

impl Inflight {
    fn join(self, path: &str) -> Result<(), StoreError> {
        self.thread.join().unwrap_or_else(|_| {
            Err(StoreError::Other {
                path: path.to_string(),
                detail: "the commit thread panicked".into(),
            })
        })
    }
}

/// A `sled` batch of staged writes.
fn batch_of(writes: &Writes) -> sled::Batch {
    let mut batch = sled::Batch::default();
    for (k, v) in writes {
        match v {
            Some(v) => batch.insert(k.as_slice(), v.as_slice()),
            None => batch.remove(k.as_slice()),
        }
    }
    batch
}

pub struct Store {
    db: sled::Db,
    tree: sled::Tree,
    path: String,
    log: Log,
    staged: Mutex<Staged>,
    learned: RwLock<Option<Learned>>,
    /// Origins moved to another article since the store was opened, and articles removed for
    /// having no origin left ([`Store::recleaned`]).
    moved: AtomicUsize,
    removed: AtomicUsize,
}

/// An article id's 32 bytes; ids are hex SHA-256 digests ([`crate::dedup::body_id`]).
fn id_bytes(id: &str) -> Option<[u8; 32]> {
    let hex = id.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Lower-case hex of stored id bytes.
fn id_hex(raw: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(raw.len() * 2);
    for b in raw {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Why [`upgrade_index`] failed.
enum Upgrade {
    Sled(sled::Error),
    /// The key of an article entry that is not one.
    Bad(Vec<u8>),
}

/// Moves format 4's article entries (`a` + id → location) into buckets ([`index`]) and marks
/// the store as this format, in one atomic batch: a crash leaves the old format, opened and
/// upgraded again next time. Holds the whole index in memory once (42 bytes an article).
fn upgrade_index(tree: &sled::Tree) -> Result<(), Upgrade> {
    let mut batch = sled::Batch::default();
    let mut bucket: Option<(Vec<u8>, Vec<u8>)> = None;
    // The scan is in id order, so each bucket's entries come together and in order.
    for kv in tree.scan_prefix([OLD_ARTICLE]) {
        let (k, v) = kv.map_err(Upgrade::Sled)?;
        let id: [u8; 32] = k[1..].try_into().map_err(|_| Upgrade::Bad(k.to_vec()))?;
        let bkey = index::bucket_key(&id);
        let value = match bucket.take() {
            Some((open, value)) if open == bkey => Some(value),
            Some((open, value)) => {
                batch.insert(open, value);
                None
            }
            None => None,
        };
        let value = index::set(value, &id, Some(&v))
            .map_err(|()| Upgrade::Bad(k.to_vec()))?
            .unwrap_or_default();
        bucket = Some((bkey, value));
        batch.remove(k);
    }
    if let Some((k, v)) = bucket {
        batch.insert(k, v);
    }
    batch.insert(VERSION_KEY, FORMAT.to_string().as_bytes());
    tree.apply_batch(batch).map_err(Upgrade::Sled)
}

fn key(kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(kind);
    k.extend_from_slice(rest);
    k
}

impl Store {
    /// Opens the store at `path`, which must exist: [`StoreError::Missing`] otherwise (an empty
    /// folder included), so that a mistyped `--db` on a command that only reads is not taken
    /// for an empty store, nor made one.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        refuse_file(path)?;
        if !is_store(path) {
            let display = path.display().to_string();
            return Err(if is_store_or_empty(path) {
                StoreError::Missing { path: display }
            } else {
                StoreError::NotAStore { path: display }
            });
        }
        Store::open(path)
    }

    /// Opens (or creates) the store at `path`, retrying briefly if another process holds it.
    /// A store in another on-disk format is [`StoreError::Format`]; a folder with other files
    /// and no store in it is [`StoreError::NotAStore`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        refuse_file(path)?;
        let display = path.display().to_string();
        if !is_store_or_empty(path) {
            return Err(StoreError::NotAStore { path: display });
        }
        let started = Instant::now();
        let db = loop {
            match sled::Config::new()
                .path(path)
                .cache_capacity(CACHE_BYTES)
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
        let tree = db.open_tree("store").map_err(|e| map_sled(&display, e))?;
        match tree.get(VERSION_KEY).map_err(|e| map_sled(&display, e))? {
            Some(v) if v.as_ref() == FORMAT.to_string().as_bytes() => {}
            Some(v) if UPGRADES_FROM.contains(&v.as_ref()) => {
                upgrade_index(&tree).map_err(|e| match e {
                    Upgrade::Sled(e) => map_sled(&display, e),
                    Upgrade::Bad(key) => StoreError::Corrupt {
                        path: display.clone(),
                        detail: format!(
                            "format 4 article entry `{}` is not an id and a log location",
                            String::from_utf8_lossy(&key)
                        ),
                    },
                })?;
            }
            Some(v) => {
                return Err(StoreError::Format {
                    path: display,
                    found: String::from_utf8_lossy(&v).into_owned(),
                })
            }
            None => {
                // Format 1 kept articles in a tree of their own.
                let names = db.tree_names();
                if names.iter().any(|n| n.as_ref() == b"articles") {
                    return Err(StoreError::Format {
                        path: display,
                        found: "1".into(),
                    });
                }
                tree.insert(VERSION_KEY, FORMAT.to_string().as_bytes())
                    .map_err(|e| map_sled(&display, e))?;
            }
        }
        let log = Log::open(&path.join(LOG_FILE)).map_err(|source| StoreError::Io {
            path: display.clone(),
            source,
        })?;
        if let Some(v) = tree.get(LOG_LEN_KEY).map_err(|e| map_sled(&display, e))? {
            let committed = <[u8; 8]>::try_from(v.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt {
                    path: display.clone(),
                    detail: "the committed log length does not decode".into(),
                })?;
            // Longer is fine: appends after the last commit, which nothing points at.
            if log.len() < committed {
                return Err(StoreError::Corrupt {
                    path: display,
                    detail: format!(
                        "`{LOG_FILE}` holds {} bytes, but the index points at records up to byte \
                         {committed}: the log was truncated, replaced or deleted",
                        log.len()
                    ),
                });
            }
        }
        let failures = match tree.scan_prefix([FAILURE]).next() {
            Some(kv) => kv.map(|_| true).map_err(|e| map_sled(&display, e))?,
            None => false,
        };
        Ok(Store {
            db,
            tree,
            path: display,
            log,
            staged: Mutex::new(Staged {
                failures,
                ..Staged::default()
            }),
            learned: RwLock::new(None),
            moved: AtomicUsize::new(0),
            removed: AtomicUsize::new(0),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn staged(&self) -> MutexGuard<'_, Staged> {
        self.staged.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sled(&self, e: sled::Error) -> StoreError {
        map_sled(&self.path, e)
    }

    /// [`Store::log_error`] naming what the entry holds: `record `…``, `learned lines of site
    /// `…``.
    fn log_error_of(&self, what: &str, e: LogError) -> StoreError {
        match e {
            LogError::Damaged(detail) => StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("{what}: {detail}"),
            },
            e => self.log_error(e),
        }
    }

    fn log_error(&self, e: LogError) -> StoreError {
        match e {
            LogError::Io(source) => StoreError::Io {
                path: self.path.clone(),
                source,
            },
            LogError::Damaged(detail) => StoreError::Corrupt {
                path: self.path.clone(),
                detail,
            },
        }
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, what: &str, key: &[u8]) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!(
                "{what} under `{}` does not decode",
                String::from_utf8_lossy(key)
            ),
        }
    }

    /// The value of `key` with staged and committing writes applied.
    fn get_staged(&self, st: &Staged, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let committing = st.inflight.as_ref().and_then(|i| i.writes.get(key));
        match st.writes.get(key).or(committing) {
            Some(v) => Ok(v.clone()),
            None => Ok(self
                .tree
                .get(key)
                .map_err(|e| self.sled(e))?
                .map(|v| v.to_vec())),
        }
    }

    /// The log location of article `id`'s record, with staged and committing writes applied.
    fn article_loc(&self, st: &Staged, id: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        let bkey = index::bucket_key(id);
        let Some(bucket) = self.get_staged(st, &bkey)? else {
            return Ok(None);
        };
        match index::find(&bucket, id) {
            Ok(loc) => Ok(loc.map(<[u8]>::to_vec)),
            Err(()) => Err(self.bad_bucket(&bkey)),
        }
    }

    /// Stages article `id`'s index entry: the location of its record, or (`None`) its removal.
    fn stage_article(
        &self,
        st: &mut Staged,
        id: &[u8; 32],
        loc: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let bkey = index::bucket_key(id);
        let bucket = self.get_staged(st, &bkey)?;
        let value = index::set(bucket, id, loc).map_err(|()| self.bad_bucket(&bkey))?;
        st.writes.insert(bkey, value);
        Ok(())
    }

    fn bad_bucket(&self, bkey: &[u8]) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!(
                "the article index bucket for ids starting `{}` does not decode",
                id_hex(&bkey[1..])
            ),
        }
    }

    /// Every article's id and record location, in id order, from the applied index.
    fn article_locs(&self) -> impl Iterator<Item = Result<([u8; 32], Vec<u8>), StoreError>> + '_ {
        self.article_locs_from(&[])
    }

    /// [`Store::article_locs`] of the ids starting with `prefix`.
    fn article_locs_from(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<([u8; 32], Vec<u8>), StoreError>> + '_ {
        let bucket = &prefix[..prefix.len().min(index::BUCKET_BYTES)];
        let prefix = prefix.to_vec();
        self.tree
            .scan_prefix(key(index::PREFIX, bucket))
            .flat_map(move |kv| {
                // One bucket's entries, or the error in their place.
                let bucket = kv.map_err(|e| self.sled(e)).and_then(|(k, v)| {
                    let entries = index::entries(&k, &v).ok_or_else(|| self.bad_bucket(&k))?;
                    Ok(entries
                        .into_iter()
                        .filter(|(id, _)| id.starts_with(&prefix))
                        .map(|(id, loc)| Ok((id, loc.to_vec())))
                        .collect::<Vec<_>>())
                });
                bucket.unwrap_or_else(|e| vec![Err(e)])
            })
    }

    /// The log entry a location value points at; `what` names it in a damage report.
    fn read_at(&self, what: &str, loc: &[u8]) -> Result<Vec<u8>, StoreError> {
        let loc = Loc::decode(loc).ok_or_else(|| StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!("{what}: its log location does not decode"),
        })?;
        self.log.read(loc).map_err(|e| self.log_error_of(what, e))
    }

    /// The record of the article with these id bytes, stored at `loc`. A record that decodes
    /// but is another article's (the index points into a log it was not written with) is
    /// corruption, not that article.
    fn read_record(&self, id: &[u8], loc: &[u8]) -> Result<ArticleRecord, StoreError> {
        let hex = id_hex(id);
        let bytes = self.read_at(&format!("record `{hex}`"), loc)?;
        let record: ArticleRecord =
            serde_json::from_slice(&bytes).map_err(|e| self.bad(&hex, e))?;
        if record.id != hex {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("record under `{hex}` has id `{}`", record.id),
            });
        }
        Ok(record)
    }

    fn append_record(&self, record: &ArticleRecord) -> Result<Vec<u8>, StoreError> {
        let bytes = serde_json::to_vec(record).map_err(|e| self.bad(&record.id, e))?;
        Ok(self.log.append(&bytes).map_err(|e| self.io(e))?.encode())
    }

    /// Applies the staged writes as one atomic batch, after syncing the log they point into
    /// (and after the commit in flight, if any).
    fn apply(&self) -> Result<(), StoreError> {
        let mut st = self.staged();
        if let Some(i) = st.inflight.take() {
            i.join(&self.path)?;
        }
        st.close_batch();
        if st.writes.is_empty() {
            return Ok(());
        }
        let len = self.log.sync().map_err(|e| self.io(e))?;
        st.writes
            .insert(LOG_LEN_KEY.to_vec(), Some(len.to_be_bytes().to_vec()));
        let batch = batch_of(&st.writes);
        st.writes.clear();
        self.tree.apply_batch(batch).map_err(|e| self.sled(e))
    }

    /// Starts making every write so far durable, on a thread of its own (sync the log, apply
    /// the staged writes as one atomic batch, flush `sled`), so the caller can go on putting
    /// documents meanwhile; [`Store::commit_done`] says when it has finished. Waits for the
    /// commit started before, if it is still running: one runs at a time, in order.
    pub fn start_commit(&self) -> Result<(), StoreError> {
        let mut st = self.staged();
        if let Some(i) = st.inflight.take() {
            i.join(&self.path)?;
        }
        let (file, len) = self.log.seal().map_err(|e| self.io(e))?;
        st.close_batch();
        if !st.writes.is_empty() {
            // Synced by the commit thread before the batch that carries it is applied.
            st.writes
                .insert(LOG_LEN_KEY.to_vec(), Some(len.to_be_bytes().to_vec()));
        }
        let writes = Arc::new(std::mem::take(&mut st.writes));
        let (tree, db, path) = (self.tree.clone(), self.db.clone(), self.path.clone());
        let mine = writes.clone();
        let thread = std::thread::Builder::new()
            .name("store-commit".into())
            .spawn(move || {
                file.sync_data().map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })?;
                drop_cached(&file, len);
                if !mine.is_empty() {
                    tree.apply_batch(batch_of(&mine))
                        .map_err(|e| map_sled(&path, e))?;
                }
                db.flush().map(|_| ()).map_err(|e| map_sled(&path, e))
            })
            .map_err(|e| self.io(e))?;
        st.inflight = Some(Inflight { writes, thread });
        Ok(())
    }

    /// Whether the commit [`Store::start_commit`] started has finished (true when none is
    /// running), waiting for it when `wait`. Its error, if it failed.
    pub fn commit_done(&self, wait: bool) -> Result<bool, StoreError> {
        let mut st = self.staged();
        match st.inflight.take() {
            None => Ok(true),
            Some(i) if !wait && !i.thread.is_finished() => {
                st.inflight = Some(i);
                Ok(false)
            }
            Some(i) => i.join(&self.path).map(|()| true),
        }
    }

    /// Stores a record, or adds its origin to the stored record with the same id, atomically
    /// with the origin index and clearing any earlier failure of that origin. If the origin was
    /// stored before under another id (it was re-cleaned with other rules, or the file changed),
    /// it is moved: the old record loses it, and is deleted if that was its last origin. An
    /// origin in standard input ([`crate::source::is_stream_origin`]) is neither indexed nor
    /// moved, and clears no failure: it names nothing a later run can read again.
    ///
    /// `lines` are the document's contribution to its site's learned counts; they are counted
    /// once per new origin of a newly stored article, at the next [`Store::merge_pending`].
    pub fn put(
        &self,
        record: &ArticleRecord,
        lines: Option<SiteLines>,
    ) -> Result<PutOutcome, StoreError> {
        let json = serde_json::to_vec(record).map_err(|e| self.bad(&record.id, e))?;
        let lines = lines.map(PreparedLines::of);
        self.put_encoded(&record.id, &record.origins, json, lines)
    }

    /// [`Store::put`] of a record already encoded as JSON (`json`, with id `id` and origins
    /// `origins`) and of lines already encoded, as a worker thread can prepare them.
    pub fn put_encoded(
        &self,
        id: &str,
        origins: &[Origin],
        json: Vec<u8>,
        lines: Option<PreparedLines>,
    ) -> Result<PutOutcome, StoreError> {
        let raw = id_bytes(id).ok_or_else(|| StoreError::BadRecord {
            path: self.path.clone(),
            key: id.to_string(),
            detail: "an article id is 64 hex digits".into(),
        })?;
        let id = &raw[..];
        let mut st = self.staged();
        // Each origin's index entry, looked up once: `None` for an origin read from standard
        // input, which is a place in one run's stream, not an input a later run can read again.
        // Indexed, line 5 of tomorrow's stream would take over (and delete) the article line 5
        // of today's made; the record keeps such an origin all the same.
        let indexed = origins
            .iter()
            .map(|o| {
                (!crate::source::is_stream_origin(&o.source))
                    .then(|| self.get_staged(&st, &key(ORIGIN, o.source.as_bytes())))
                    .transpose()
            })
            .collect::<Result<Vec<Option<Option<Vec<u8>>>>, StoreError>>()?;
        // The origin index maps an origin only to the article whose record lists it, so when it
        // maps every origin here to this article there is nothing to add: re-ingesting the same
        // inputs (after a rule change, most are unchanged) reads no record.
        let all_listed = !indexed.is_empty()
            && indexed
                .iter()
                .all(|e| matches!(e, Some(Some(to)) if to.as_slice() == id));
        let outcome = match self.article_loc(&st, &raw)? {
            Some(_) if all_listed => PutOutcome::Duplicate { new_origin: false },
            Some(loc) => match self.read_record(id, &loc) {
                Ok(mut existing) => {
                    let mut new_origin = false;
                    for origin in origins {
                        if !existing.origins.iter().any(|x| x.source == origin.source) {
                            existing.origins.push(origin.clone());
                            new_origin = true;
                        }
                    }
                    if new_origin {
                        let loc = self.append_record(&existing)?;
                        self.stage_article(&mut st, &raw, Some(&loc))?;
                    }
                    PutOutcome::Duplicate { new_origin }
                }
                // The same article, freshly cleaned, replaces a record that no longer reads
                // back, rather than failing this and every later document of the run.
                Err(e) if is_damage(&e) => {
                    tracing::warn!(
                        "{e}; replaced by the record just cleaned (origins only the damaged \
                         record listed are lost: re-ingest them)"
                    );
                    let loc = self.log.append(&json).map_err(|e| self.io(e))?;
                    self.stage_article(&mut st, &raw, Some(&loc.encode()))?;
                    PutOutcome::Stored
                }
                Err(e) => return Err(e),
            },
            None => {
                let loc = self.log.append(&json).map_err(|e| self.io(e))?;
                self.stage_article(&mut st, &raw, Some(&loc.encode()))?;
                PutOutcome::Stored
            }
        };
        let mut new_origin = false;
        for (origin, entry) in origins.iter().zip(indexed) {
            let Some(previous) = entry else {
                new_origin = true;
                continue;
            };
            if previous.as_deref() != Some(id) {
                st.writes
                    .insert(key(ORIGIN, origin.source.as_bytes()), Some(id.to_vec()));
            }
            new_origin |= previous.is_none();
            if st.failures {
                clear_failure(&mut st, &origin.source);
            }
            // Re-cleaning an input (new rules, edited file) moves its origin to the new
            // article; an article left without origins is gone from every input.
            if let Some(old) = previous.filter(|old| old.as_slice() != id) {
                let old: [u8; 32] = old.as_slice().try_into().map_err(|_| {
                    self.corrupt("an origin entry", &key(ORIGIN, origin.source.as_bytes()))
                })?;
                if let Some(loc) = self.article_loc(&st, &old)? {
                    let mut rec = match self.read_record(&old, &loc) {
                        Ok(rec) => rec,
                        // The old record cannot lose the origin it no longer reads back with;
                        // the origin moves all the same, and `verify` keeps reporting it.
                        Err(e) if is_damage(&e) => {
                            tracing::warn!(
                                "{e}; `{}` moved to `{}` without updating it",
                                origin.source,
                                id_hex(id)
                            );
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    rec.origins.retain(|x| x.source != origin.source);
                    self.moved.fetch_add(1, Ordering::Relaxed);
                    if rec.origins.is_empty() {
                        self.removed.fetch_add(1, Ordering::Relaxed);
                        self.stage_article(&mut st, &old, None)?;
                    } else {
                        let loc = self.append_record(&rec)?;
                        self.stage_article(&mut st, &old, Some(&loc))?;
                    }
                }
            }
        }
        if let (PutOutcome::Stored, true, Some(lines)) = (&outcome, new_origin, lines) {
            let loc = self.log.append(&lines.bytes).map_err(|e| self.io(e))?;
            let (batch, locs) = st.batch.get_or_insert_with(|| (loc.offset, Vec::new()));
            let batch = *batch;
            locs.extend_from_slice(&loc.encode());
            st.unmerged.push(Unmerged {
                batch,
                loc,
                site: lines.site,
                hashes: lines.hashes,
            });
        }
        Ok(outcome)
    }

    /// Inputs whose origin moved to another article since the store was opened (re-cleaned
    /// with other rules, or changed), and the old articles removed because no input gives them
    /// any more. A count that surprises (every input of a re-run) points at changed options.
    pub fn recleaned(&self) -> (usize, usize) {
        (
            self.moved.load(Ordering::Relaxed),
            self.removed.load(Ordering::Relaxed),
        )
    }

    /// Records that an input was skipped or failed, replacing an earlier entry for it. An
    /// input from standard input replaces nothing: `-:5` of today's stream is not `-:5` of
    /// yesterday's, so each gets an entry of its own (and, since it cannot be read again, none
    /// is ever cleared).
    pub fn put_failure(&self, failure: &FailureRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(failure).map_err(|e| self.bad(&failure.origin, e))?;
        let mut k = key(FAILURE, failure.origin.as_bytes());
        let stream = crate::source::is_stream_origin(&failure.origin);
        if stream {
            // After the origin, so a stream's entries list together, oldest first.
            let seq = self.db.generate_id().map_err(|e| self.sled(e))?;
            k.push(0);
            k.extend_from_slice(&seq.to_be_bytes());
        }
        let mut st = self.staged();
        if st.failures && !stream {
            // A record's failure says its container opened: the container's own entry (from a
            // run that could not open it) no longer holds.
            if let Some(container) = crate::source::record_container(&failure.origin) {
                st.writes.insert(key(FAILURE, container.as_bytes()), None);
            }
        }
        st.failures = true;
        st.writes.insert(k, Some(bytes));
        Ok(())
    }

    pub fn put_run(&self, run: &RunSummary) -> Result<(), StoreError> {
        let id = self.db.generate_id().map_err(|e| self.sled(e))?;
        let bytes = serde_json::to_vec(run).map_err(|e| self.bad("run", e))?;
        self.staged()
            .writes
            .insert(key(RUN, &id.to_be_bytes()), Some(bytes));
        Ok(())
    }

    /// Makes every write so far durable. Nothing counts as committed before this returns.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.apply()?;
        self.db.flush().map(|_| ()).map_err(|e| self.sled(e))
    }

    /// The article with this id, or the single article whose id starts with this prefix.
    pub fn get(&self, prefix: &str) -> Result<ArticleRecord, StoreError> {
        let prefix = prefix.trim().to_ascii_lowercase();
        let nibbles: Option<Vec<u8>> = prefix.bytes().map(nibble).collect();
        let Some(nibbles) = nibbles.filter(|n| !n.is_empty() && n.len() <= 64) else {
            return Err(StoreError::NotFound(prefix));
        };
        // Keys hold bytes: an odd digit count leaves the last digit to match by hand.
        let bytes: Vec<u8> = nibbles
            .chunks_exact(2)
            .map(|p| (p[0] << 4) | p[1])
            .collect();
        let odd = (nibbles.len() % 2 == 1).then(|| nibbles[nibbles.len() - 1]);
        self.apply()?;
        let mut hits = self.article_locs_from(&bytes).filter(|kv| match (odd, kv) {
            (Some(n), Ok((id, _))) => id[bytes.len()] >> 4 == n,
            _ => true,
        });
        let (id, loc) = match hits.next() {
            Some(kv) => kv?,
            None => return Err(StoreError::NotFound(prefix)),
        };
        let short = |id: &[u8; 32]| id_hex(&id[..6]);
        let more: Vec<String> = hits
            .take(4)
            .filter_map(Result::ok)
            .map(|(id, _)| short(&id))
            .collect();
        if !more.is_empty() {
            let mut candidates = vec![short(&id)];
            candidates.extend(more);
            return Err(StoreError::Ambiguous { prefix, candidates });
        }
        self.read_record(&id, &loc)
    }

    /// Every stored article, in id order.
    pub fn articles(&self) -> impl Iterator<Item = Result<ArticleRecord, StoreError>> + '_ {
        let applied = self.apply().err().map(Err);
        applied
            .into_iter()
            .chain(self.article_locs().map(move |kv| {
                let (id, loc) = kv?;
                self.read_record(&id, &loc)
            }))
    }

    /// The article id an origin was stored under, if any.
    pub fn article_for_origin(&self, origin: &str) -> Result<Option<String>, StoreError> {
        self.apply()?;
        Ok(self
            .tree
            .get(key(ORIGIN, origin.as_bytes()))
            .map_err(|e| self.sled(e))?
            .map(|v| id_hex(&v)))
    }

    pub fn failures(&self) -> impl Iterator<Item = Result<FailureRecord, StoreError>> + '_ {
        let applied = self.apply().err().map(Err);
        applied
            .into_iter()
            .chain(self.tree.scan_prefix([FAILURE]).map(move |kv| {
                let (k, v) = kv.map_err(|e| self.sled(e))?;
                serde_json::from_slice(&v)
                    .map_err(|e| self.bad(&String::from_utf8_lossy(&k[1..]), e))
            }))
    }

    pub fn runs(&self) -> impl Iterator<Item = Result<RunSummary, StoreError>> + '_ {
        let applied = self.apply().err().map(Err);
        applied
            .into_iter()
            .chain(self.tree.scan_prefix([RUN]).map(move |kv| {
                let (_, v) = kv.map_err(|e| self.sled(e))?;
                serde_json::from_slice(&v).map_err(|e| self.bad("run", e))
            }))
    }

    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        self.apply()?;
        let count = |kind: u8| self.tree.scan_prefix([kind]).keys().count();
        Ok(StoreStats {
            articles: self.article_locs().count(),
            origins: count(ORIGIN),
            failures: count(FAILURE),
            runs: count(RUN),
            size_on_disk: self.db.size_on_disk().map_err(|e| self.sled(e))? + self.log.len(),
        })
    }

    /// Checks that every record decodes, is stored under its own id, that every origin points
    /// at a stored article, and that every pending entry and site table reads back whole.
    /// Returns the problems found (empty when healthy).
    pub fn verify(&self) -> Result<Vec<String>, StoreError> {
        self.apply()?;
        let mut problems = Vec::new();
        for kv in self.article_locs() {
            let (raw, loc) = match kv {
                Ok(entry) => entry,
                Err(e @ StoreError::Corrupt { .. }) => {
                    problems.push(e.to_string());
                    continue;
                }
                Err(e) => return Err(e),
            };
            let id = id_hex(&raw);
            if let Err(e) = self.read_record(&raw, &loc) {
                problems.push(format!("record `{id}` does not read back: {e}"));
            }
        }
        let st = Staged::default();
        for kv in self.tree.scan_prefix([ORIGIN]) {
            let (k, v) = kv.map_err(|e| self.sled(e))?;
            let stored = match <[u8; 32]>::try_from(v.as_ref()) {
                Ok(id) => matches!(self.article_loc(&st, &id), Ok(Some(_))),
                Err(_) => false,
            };
            if !stored {
                problems.push(format!(
                    "origin `{}` points at missing article `{}`",
                    String::from_utf8_lossy(&k[1..]),
                    id_hex(&v)
                ));
            }
        }
        for kv in self.tree.scan_prefix([PENDING]) {
            let (k, v) = kv.map_err(|e| self.sled(e))?;
            let Some(locs) = decode_locs(&v) else {
                problems.push(format!("{}", self.corrupt("a pending entry", &k)));
                continue;
            };
            for loc in locs {
                if let Err(e) = self
                    .log
                    .read(loc)
                    .map_err(|e| self.log_error(e))
                    .and_then(|b| decode_lines(&b).ok_or_else(|| self.corrupt("pending lines", &k)))
                {
                    problems.push(format!("pending lines do not read back: {e}"));
                }
            }
        }
        for kv in self.tree.scan_prefix([SITE]) {
            let (k, v) = kv.map_err(|e| self.sled(e))?;
            let site = String::from_utf8_lossy(&k[1..]).into_owned();
            if let Err(e) = Site::decode(&v)
                .ok_or_else(|| self.corrupt("a site entry", &k))
                .and_then(|s| self.table(&site, &s))
            {
                problems.push(format!("learned lines of `{site}` do not read back: {e}"));
            }
        }
        Ok(problems)
    }

    /// SHA-256 over every article record (ids and JSON records, in id order), as hex: equal
    /// checksums mean identical article records. Re-ingesting the same inputs leaves it
    /// unchanged; origins index, failures and run metadata are not part of it.
    pub fn checksum(&self) -> Result<String, StoreError> {
        use sha2::{Digest, Sha256};
        self.apply()?;
        let mut h = Sha256::new();
        for kv in self.article_locs() {
            let (raw, loc) = kv?;
            let id = id_hex(&raw);
            let bytes = self.read_at(&format!("record `{id}`"), &loc)?;
            h.update((id.len() as u64).to_be_bytes());
            h.update(id.as_bytes());
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(&bytes);
        }
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    fn bad(&self, key: &str, e: serde_json::Error) -> StoreError {
        StoreError::BadRecord {
            path: self.path.clone(),
            key: key.to_string(),
            detail: e.to_string(),
        }
    }
}

impl Drop for Store {
    /// A commit still running finishes before the store closes.
    fn drop(&mut self) {
        if let Some(i) = self.staged().inflight.take() {
            if let Err(e) = i.join(&self.path) {
                tracing::error!("{e}");
            }
        }
    }
}

/// A new origin entry stamped now.
pub fn origin_now(source: &str) -> Origin {
    Origin {
        source: source.to_string(),
        ingested_at: crate::time::now_rfc3339(),
        id: None,
        url: None,
    }
}

/// Whether `path` is a store: `sled` keeps its configuration in a `conf` file at the top of
/// every database folder.
fn is_store(path: &Path) -> bool {
    path.join("conf").is_file()
}

/// Whether `path` is missing, a store, or a folder with nothing in it but dot-files (a
/// `.gitkeep`, a `.DS_Store`).
/// [`StoreError::NotAFolder`] when `path` names something other than a folder (sled would
/// fail on it with a bare "Not a directory").
fn refuse_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_dir() => Err(StoreError::NotAFolder {
            path: path.display().to_string(),
        }),
        _ => Ok(()),
    }
}

fn is_store_or_empty(path: &Path) -> bool {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            is_store(path)
                || entries
                    .filter_map(Result::ok)
                    .all(|e| e.file_name().to_string_lossy().starts_with('.'))
        }
        // Missing (it will be created), or unreadable (opening it says why).
        Err(_) => true,
    }
}

/// sled 0.34 reports a held lock as a plain I/O error whose message names the lock.
/// Stages the removal of `origin`'s failure entry and, for a record of a container
/// (`file:LINE`, `file@OFFSET`), of the container's: a run that could not open the file records
/// its failure under the file itself, and only records of it are ever stored. The origin's
/// shape decides, without a look at the file system: this runs for every stored document.
fn clear_failure(st: &mut Staged, origin: &str) {
    st.writes.insert(key(FAILURE, origin.as_bytes()), None);
    if let Some(container) = crate::source::record_container(origin) {
        st.writes.insert(key(FAILURE, container.as_bytes()), None);
    }
}

/// Whether `e` says stored data does not read back (as opposed to I/O or lock trouble).
fn is_damage(e: &StoreError) -> bool {
    matches!(e, StoreError::Corrupt { .. } | StoreError::BadRecord { .. })
}

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
    use crate::learn::LineStats;
    use crate::model::{ContentKind, EncodingInfo, EncodingSource, Metadata};
    use std::io::Write;

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
        store.put(&record(&a, "a.txt"), Some(lines("x"))).unwrap();
        store.put(&record(&b, "b.txt"), Some(lines("y"))).unwrap();
        store.put(&record(&b, "c.txt"), Some(lines("y"))).unwrap();
        assert_eq!(store.site_docs("example.com"), 0, "not merged yet");
        store.merge_pending().unwrap();
        assert_eq!(store.site_docs("example.com"), 2);
        store.merge_pending().unwrap();
        assert_eq!(
            store.site_docs("example.com"),
            2,
            "a second merge adds nothing"
        );
        store.checkpoint().unwrap();
        assert_eq!(
            store.learned_lines("example.com").unwrap(),
            [("Menu".to_string(), 2), ("x".to_string(), 2)]
        );
        // Below `learn::MIN_DOCS` documents no line counts for cleaning.
        assert_eq!(store.line_docs("example.com", &[1; 8]), 0);
    }

    /// Cleaning reads the frequent lines' exact counts, and 0 for the rest; they follow the
    /// site's growing document count from merge to merge.
    #[test]
    fn frequent_lines_follow_the_counts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let lines = |i: usize| SiteLines {
            site: "example.com".into(),
            lines: if i < 5 {
                vec![([1; 8], "Menu".into()), ([2; 8], format!("story {i}"))]
            } else {
                vec![([2; 8], format!("story {i}"))]
            },
        };
        for i in 0..6 {
            let rec = record(&format!("{i:02}").repeat(32), &format!("{i}.txt"));
            store.put(&rec, Some(lines(i))).unwrap();
        }
        store.merge_pending().unwrap();
        assert_eq!(store.site_docs("example.com"), 6);
        assert_eq!(store.line_docs("example.com", &[1; 8]), 5);
        assert_eq!(store.line_docs("example.com", &[2; 8]), 6);
        for i in 6..12 {
            let rec = record(&format!("{i:02}").repeat(32), &format!("{i}.txt"));
            store.put(&rec, Some(lines(i))).unwrap();
        }
        store.merge_pending().unwrap();
        assert_eq!(store.site_docs("example.com"), 12);
        assert_eq!(
            store.line_docs("example.com", &[1; 8]),
            0,
            "5 of 12 is under the share"
        );
        assert_eq!(store.line_docs("example.com", &[2; 8]), 12);
        let mut found = Vec::new();
        store.lines_docs("example.com", &[[2; 8], [1; 8], [3; 8]], &mut found);
        assert_eq!(found, [12, 0, 0]);
    }

    /// Puts documents `ids` of `example.com`, each with the one line `Menu`.
    fn put_menu_docs(store: &Store, ids: std::ops::Range<usize>) {
        let lines = SiteLines {
            site: "example.com".into(),
            lines: vec![([1; 8], "Menu".into())],
        };
        for i in ids {
            let rec = record(&format!("{i:064}"), &format!("{i}.txt"));
            store.put(&rec, Some(lines.clone())).unwrap();
        }
    }

    /// Lines a run left pending (flushed, never checkpointed) are merged by the next merge,
    /// once: after a checkpoint and another reopen they are in the site's table, not pending.
    #[test]
    fn pending_lines_survive_a_crash_and_merge_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = Store::open(&path).unwrap();
            put_menu_docs(&store, 0..5);
            store.flush().unwrap();
            // Dropped without a merge: what a kill after the commit leaves.
        }
        for _ in 0..2 {
            let store = Store::open(&path).unwrap();
            store.merge_pending().unwrap();
            assert_eq!(store.site_docs("example.com"), 5);
            assert_eq!(store.line_docs("example.com", &[1; 8]), 5);
            store.checkpoint().unwrap();
            store.flush().unwrap();
            assert!(store.verify().unwrap().is_empty());
            assert_eq!(
                store.learned_lines("example.com").unwrap(),
                [("Menu".to_string(), 5)]
            );
        }
    }

    /// Pending entries are one per commit and close when a merge takes their documents: a
    /// checkpoint removes the entries it merged, never one listing a document it did not.
    #[test]
    fn pending_entries_follow_commits_and_merges() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let pending = |store: &Store| store.tree.scan_prefix([PENDING]).count();
        {
            let store = Store::open(&path).unwrap();
            put_menu_docs(&store, 0..3);
            store.flush().unwrap();
            assert_eq!(
                pending(&store),
                1,
                "one entry for the commit's three documents"
            );
            put_menu_docs(&store, 3..5);
            store.merge_pending().unwrap();
            store.checkpoint().unwrap();
            put_menu_docs(&store, 5..6);
            store.flush().unwrap();
            assert_eq!(
                pending(&store),
                1,
                "only the unmerged sixth document is pending"
            );
            assert_eq!(store.site_docs("example.com"), 5);
            // Dropped without a merge: what a kill after the commit leaves.
        }
        let store = Store::open(&path).unwrap();
        store.merge_pending().unwrap();
        assert_eq!(store.site_docs("example.com"), 6);
        assert_eq!(store.line_docs("example.com", &[1; 8]), 6);
        assert!(store.verify().unwrap().is_empty());
    }

    /// A format 3 store (a pending entry per document) opens as format 4, and its pending
    /// lines merge once.
    #[test]
    fn a_format_3_store_opens_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = Store::open(&path).unwrap();
            put_menu_docs(&store, 0..5);
            store.flush().unwrap();
            // Rewrite the commit's entry as format 3 had it: one entry per document.
            let (k, v) = store.tree.scan_prefix([PENDING]).next().unwrap().unwrap();
            store.tree.remove(&k).unwrap();
            for loc in decode_locs(&v).unwrap() {
                let k = key(PENDING, &loc.offset.to_be_bytes());
                store.tree.insert(k, loc.encode()).unwrap();
            }
            to_format_4(&store);
            store.tree.insert(VERSION_KEY, "3").unwrap();
            store.db.flush().unwrap();
            assert_eq!(store.tree.scan_prefix([PENDING]).count(), 5);
        }
        for _ in 0..2 {
            let store = Store::open(&path).unwrap();
            assert_eq!(&*store.tree.get(VERSION_KEY).unwrap().unwrap(), b"5");
            assert_eq!(store.articles().count(), 5);
            store.merge_pending().unwrap();
            assert_eq!(store.site_docs("example.com"), 5);
            assert_eq!(store.line_docs("example.com", &[1; 8]), 5);
            store.checkpoint().unwrap();
            store.flush().unwrap();
            assert_eq!(store.tree.scan_prefix([PENDING]).count(), 0);
            assert!(store.verify().unwrap().is_empty());
        }
    }

    /// Rewrites `store`'s article index as format 4 had it: an entry per article, `a` + id.
    fn to_format_4(store: &Store) {
        store.flush().unwrap();
        let mut batch = sled::Batch::default();
        for kv in store.tree.scan_prefix([index::PREFIX]) {
            let (k, v) = kv.unwrap();
            for (id, loc) in index::entries(&k, &v).unwrap() {
                batch.insert(key(OLD_ARTICLE, &id), loc);
            }
            batch.remove(k);
        }
        batch.insert(VERSION_KEY, "4");
        store.tree.apply_batch(batch).unwrap();
        store.db.flush().unwrap();
    }

    /// A format 4 store opens with its article entries moved into buckets: the same articles,
    /// the same checksum, prefix lookups and origins still resolve, and it takes new ones.
    #[test]
    fn a_format_4_store_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let ids: Vec<String> = (0..300u32)
            .map(|i| crate::dedup::body_id(&[format!("paragraph {i}")]))
            .collect();
        let (before, ids) = {
            let store = Store::open(&path).unwrap();
            for (i, id) in ids.iter().enumerate() {
                store.put(&record(id, &format!("{i}.txt")), None).unwrap();
            }
            store.flush().unwrap();
            let before = store.checksum().unwrap();
            to_format_4(&store);
            assert_eq!(store.tree.scan_prefix([OLD_ARTICLE]).count(), 300);
            (before, ids)
        };
        for round in 0..2 {
            let store = Store::open(&path).unwrap();
            assert_eq!(&*store.tree.get(VERSION_KEY).unwrap().unwrap(), b"5");
            assert_eq!(store.tree.scan_prefix([OLD_ARTICLE]).count(), 0);
            assert_eq!(store.checksum().unwrap(), before, "round {round}");
            assert_eq!(store.stats().unwrap().articles, 300);
            assert!(store.verify().unwrap().is_empty());
            assert_eq!(store.get(&ids[7][..9]).unwrap().id, ids[7]);
            assert_eq!(
                store.article_for_origin("7.txt").unwrap().as_deref(),
                Some(ids[7].as_str())
            );
        }
        // The index is keyed by bucket, not by id.
        let store = Store::open(&path).unwrap();
        assert!(store
            .tree
            .scan_prefix([index::PREFIX])
            .keys()
            .all(|k| k.unwrap().len() == 1 + index::BUCKET_BYTES));
    }

    /// A damaged index bucket is corruption, named by its id prefix: `verify` lists it, and a
    /// lookup into it fails rather than taking its bytes for a location.
    #[test]
    fn a_damaged_index_bucket_is_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let id = "ab".repeat(32);
        store.put(&record(&id, "a.txt"), None).unwrap();
        store.flush().unwrap();
        let bkey = index::bucket_key(&id_bytes(&id).unwrap());
        store.tree.insert(&bkey, &[1u8; 41][..]).unwrap();
        let problems = store.verify().unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("bucket for ids starting `abab`")),
            "{problems:?}"
        );
        assert!(matches!(store.get(&id), Err(StoreError::Corrupt { .. })));
        let again = store.put(&record(&id, "b.txt"), None);
        assert!(
            matches!(again, Err(StoreError::Corrupt { .. })),
            "{again:?}"
        );
    }

    /// Damages the store at `path` by flipping a bit of byte `at` of its record log (20 is
    /// inside the first record's JSON, past its 8-byte entry header).
    fn flip_log_byte(path: &Path, at: usize) {
        let log = path.join(LOG_FILE);
        let mut bytes = std::fs::read(&log).unwrap();
        bytes[at] ^= 0x20;
        std::fs::write(&log, bytes).unwrap();
    }

    #[test]
    fn a_log_shorter_than_the_index_says_is_refused_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = Store::open(&path).unwrap();
            store.put(&record(&"ab".repeat(32), "a.txt"), None).unwrap();
            store.flush().unwrap();
        }
        // Appends after the last commit (a torn write) leave the log longer: still opens.
        let log = path.join(LOG_FILE);
        let len = std::fs::metadata(&log).unwrap().len();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(b"torn")
            .unwrap();
        drop(Store::open(&path).unwrap());
        // A log that lost committed bytes, or one deleted (recreated empty), is refused: new
        // appends would take the offsets old index entries point at.
        for keep in [len - 1, 0] {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&log)
                .unwrap()
                .set_len(keep)
                .unwrap();
            match Store::open(&path) {
                Err(StoreError::Corrupt { detail, .. }) => {
                    assert!(detail.contains(&format!("holds {keep} bytes")), "{detail}");
                    assert!(
                        detail.contains("truncated, replaced or deleted"),
                        "{detail}"
                    );
                }
                other => panic!("expected corruption, got {:?}", other.err()),
            }
        }
        std::fs::remove_file(&log).unwrap();
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_record_found_under_another_id_is_corruption_not_that_article() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (a, b) = ("ab".repeat(32), "cd".repeat(32));
        store.put(&record(&a, "a.txt"), None).unwrap();
        store.flush().unwrap();
        // The index entry of `b` points at `a`'s record, as after a log swap.
        let loc = {
            let st = store.staged();
            store
                .article_loc(&st, &id_bytes(&a).unwrap())
                .unwrap()
                .unwrap()
        };
        {
            let mut st = store.staged();
            store
                .stage_article(&mut st, &id_bytes(&b).unwrap(), Some(&loc))
                .unwrap();
        }
        store.flush().unwrap();
        match store.get(&b) {
            Err(StoreError::Corrupt { detail, .. }) => {
                assert!(
                    detail.contains(&format!("record under `{b}` has id `{a}`")),
                    "{detail}"
                )
            }
            other => panic!("expected corruption, got {other:?}"),
        }
        let problems = store.verify().unwrap();
        assert!(
            problems.iter().any(|p| p.contains("has id")),
            "{problems:?}"
        );
    }

    #[test]
    fn an_origin_moves_off_a_damaged_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (id, other) = ("ab".repeat(32), "cd".repeat(32));
        {
            let store = Store::open(&path).unwrap();
            store.put(&record(&id, "a.txt"), None).unwrap();
            store.put(&record(&other, "c.txt"), None).unwrap();
            store.flush().unwrap();
        }
        flip_log_byte(&path, 20);
        let store = Store::open(&path).unwrap();
        // `a.txt` re-cleaned into another article: its origin moves, the damaged record it can
        // no longer be taken off stays as it is (and `verify` still reports it).
        let moved = "ef".repeat(32);
        assert_eq!(
            store.put(&record(&moved, "a.txt"), None).unwrap(),
            PutOutcome::Stored
        );
        store.flush().unwrap();
        assert_eq!(store.article_for_origin("a.txt").unwrap(), Some(moved));
        assert_eq!(store.verify().unwrap().len(), 1);
        assert_eq!(store.get(&other).unwrap().origins[0].source, "c.txt");
    }

    #[test]
    fn a_damaged_record_is_named_by_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let id = "ab".repeat(32);
        {
            let store = Store::open(&path).unwrap();
            store.put(&record(&id, "a.txt"), None).unwrap();
            store.flush().unwrap();
        }
        flip_log_byte(&path, 20);
        let store = Store::open(&path).unwrap();
        match store.get(&id) {
            Err(StoreError::Corrupt { detail, .. }) => {
                assert!(
                    detail.starts_with(&format!("record `{id}`: log entry at 0")),
                    "{detail}"
                )
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    /// Writes an old store's marks with `write` into a fresh sled db, then opens it as a store:
    /// the format it was refused as.
    fn refused_format(write: impl FnOnce(&sled::Db)) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let db = sled::open(&path).unwrap();
            write(&db);
            db.flush().unwrap();
        }
        match Store::open(&path) {
            Err(StoreError::Format { found, .. }) => found,
            other => panic!("expected a format error, got {:?}", other.err()),
        }
    }

    /// A store written in format 1 (a tree per kind) is refused with a typed error.
    #[test]
    fn a_format_1_store_is_refused() {
        let found = refused_format(|db| {
            db.open_tree("articles").unwrap().insert("x", "y").unwrap();
        });
        assert_eq!(found, "1");
    }

    /// A store written in format 2 (whole line tables rewritten to the log) is refused too.
    #[test]
    fn a_format_2_store_is_refused() {
        let found = refused_format(|db| {
            db.open_tree("store")
                .unwrap()
                .insert(VERSION_KEY, "2")
                .unwrap();
        });
        assert_eq!(found, "2");
    }

    /// A damaged log entry is reported as corruption, never decoded.
    #[test]
    fn a_damaged_record_is_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let id = "ab".repeat(32);
        {
            let store = Store::open(&path).unwrap();
            store.put(&record(&id, "a.txt"), None).unwrap();
            store.flush().unwrap();
        }
        let len = std::fs::metadata(path.join(LOG_FILE)).unwrap().len();
        flip_log_byte(&path, len as usize - 3);
        let store = Store::open(&path).unwrap();
        assert!(matches!(store.get(&id), Err(StoreError::Corrupt { .. })));
        assert_eq!(store.verify().unwrap().len(), 1);
        // The same input again is settled by the origin index without reading the record; a
        // new origin (or one read from stdin, which is not indexed) needs the record, finds it
        // damaged, and puts the freshly cleaned record in its place instead of failing the run.
        assert_eq!(
            store.put(&record(&id, "a.txt"), None).unwrap(),
            PutOutcome::Duplicate { new_origin: false }
        );
        assert_eq!(
            store.put(&record(&id, "-:1"), None).unwrap(),
            PutOutcome::Stored
        );
        store.flush().unwrap();
        assert_eq!(store.get(&id).unwrap().origins[0].source, "-:1");
        assert!(store.verify().unwrap().is_empty());
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

    #[test]
    fn a_container_that_opens_clears_its_own_failure() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let failure = |origin: &str| FailureRecord {
            origin: origin.into(),
            outcome: "failed".into(),
            reason: "does not exist".into(),
            at: "now".into(),
        };
        let listed = |store: &Store| -> Vec<String> {
            store.failures().map(|f| f.unwrap().origin).collect()
        };
        // A run that could not open the file records it under the file; the next run stores
        // one of its records and fails another: neither is the file's failure any more.
        store.put_failure(&failure("later.jsonl")).unwrap();
        store.put_failure(&failure("other.warc")).unwrap();
        store
            .put(&record(&"c".repeat(64), "later.jsonl:1"), None)
            .unwrap();
        store.put_failure(&failure("other.warc@120")).unwrap();
        assert_eq!(listed(&store), ["other.warc@120"]);
    }
}
