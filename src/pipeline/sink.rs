//! Sinks: where [`super::run()`] puts cleaned documents, always in input order.
//!
//! [`StoreSink`] writes the store (staged, applied as one atomic batch and durable at
//! [`Sink::commit`]); [`JsonlSink`] writes article records as JSON Lines to any writer, with no
//! store at all, dropping an article already emitted in this run (an in-memory set of the ids'
//! first 128 bits: memory grows by about 35 bytes per distinct article, the table's slack
//! included); [`DiscardSink`] keeps nothing (for measuring the pipeline). A sink's error stops
//! the run: it is the output failing, not an input.

use std::io::Write;

use fxhash::FxHashSet;

use crate::model::{ArticleRecord, InputInfo, Origin};
use crate::store::{
    origin_now, FailureRecord, PreparedLines, PutOutcome, RunSummary, Store, StoreError,
};

use super::Cleaned;

/// Receives the results of a run in input order.
pub trait Sink {
    type Error: std::error::Error;
    /// What a worker thread makes of a cleaned document for this sink (its encoded record),
    /// so that work is spread over the workers instead of falling on the one writer thread.
    type Prepared: Send;

    /// Runs on a worker thread, in any order; the result goes to [`Sink::put`]. It may take
    /// what it consumes out of `cleaned` (memory is freed fastest by the thread that allocated
    /// it).
    fn prepare(origin: &str, info: &InputInfo, cleaned: &mut Cleaned) -> Self::Prepared;

    /// Takes one cleaned document, with what [`Sink::prepare`] made of it.
    fn put(
        &mut self,
        origin: &str,
        info: &InputInfo,
        cleaned: &mut Cleaned,
        prepared: Self::Prepared,
    ) -> Result<PutOutcome, Self::Error>;

    /// Takes one input that produced no article.
    fn put_failure(&mut self, failure: &FailureRecord) -> Result<(), Self::Error>;

    /// Makes everything put so far durable; outcomes are reported only after it returns.
    fn commit(&mut self) -> Result<(), Self::Error>;

    /// Starts making everything put so far durable, possibly in the background: the outcomes
    /// are reported once [`Sink::commit_done`] says it finished. At most one runs at a time.
    fn start_commit(&mut self) -> Result<(), Self::Error> {
        self.commit()
    }

    /// Whether the commit last started has finished, waiting for it when `wait`.
    fn commit_done(&mut self, wait: bool) -> Result<bool, Self::Error> {
        let _ = wait;
        Ok(true)
    }

    /// Called at fixed points of the input order (and at the end): what the documents put so
    /// far taught about their sites becomes visible to the cleaning of later documents.
    fn end_epoch(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Called once after the last document, before the final commit.
    fn finish(&mut self, summary: &RunSummary) -> Result<(), Self::Error> {
        let _ = summary;
        Ok(())
    }
}

/// The record stored for a cleaned document: its origin carries the container's id for it,
/// and the container's pass-through fields become the record's `extra`.
pub fn record_of(origin: &str, info: &InputInfo, cleaned: &Cleaned) -> ArticleRecord {
    let mut o = origin_now(origin);
    o.id = info.id.clone();
    o.url = cleaned.url.clone();
    let mut record = ArticleRecord::from_article(&cleaned.article, o);
    record.extra = info.extra.clone();
    record
}

/// Writes into the store.
pub struct StoreSink<'a> {
    store: &'a Store,
}

impl<'a> StoreSink<'a> {
    /// Merges counts a crashed run left pending, so this run starts from all it learned.
    pub fn new(store: &'a Store) -> Result<StoreSink<'a>, StoreError> {
        store.merge_pending()?;
        store.checkpoint()?;
        Ok(StoreSink { store })
    }
}

impl Sink for StoreSink<'_> {
    type Error = StoreError;
    /// The record's origin entry, the record as JSON and the document's learned lines as the
    /// store's log holds them.
    type Prepared = Result<(Origin, Vec<u8>, Option<PreparedLines>), serde_json::Error>;

    fn prepare(origin: &str, info: &InputInfo, cleaned: &mut Cleaned) -> Self::Prepared {
        let record = record_of(origin, info, cleaned);
        let json = serde_json::to_vec(&record)?;
        let origin = record
            .origins
            .into_iter()
            .next()
            .unwrap_or_else(|| origin_now(origin));
        let lines = cleaned.lines.take();
        let lines = lines.map(|refs| PreparedLines::of_refs(refs, &cleaned.decided));
        Ok((origin, json, lines))
    }

    fn put(
        &mut self,
        _: &str,
        _: &InputInfo,
        cleaned: &mut Cleaned,
        prepared: Self::Prepared,
    ) -> Result<PutOutcome, StoreError> {
        let _s = tracing::debug_span!("store").entered();
        let id = &cleaned.article.id;
        let (origin, json, lines) = prepared.map_err(|e| StoreError::BadRecord {
            path: self.store.path().to_string(),
            key: id.clone(),
            detail: e.to_string(),
        })?;
        // Cleaning took the lines when the site had fewer than `learn::MAX_DOCS` documents
        // counted; merged counts lag by at most one merge epoch, so a site may pass the cap by
        // that much.
        self.store
            .put_encoded(id, std::slice::from_ref(&origin), json, lines)
    }

    fn put_failure(&mut self, failure: &FailureRecord) -> Result<(), StoreError> {
        self.store.put_failure(failure)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.store.flush()
    }

    fn start_commit(&mut self) -> Result<(), StoreError> {
        self.store.start_commit()
    }

    fn commit_done(&mut self, wait: bool) -> Result<bool, StoreError> {
        self.store.commit_done(wait)
    }

    fn end_epoch(&mut self) -> Result<(), StoreError> {
        self.store.merge_pending()
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), StoreError> {
        self.store.checkpoint()?;
        self.store.put_run(summary)
    }
}

/// Writes article records as JSON Lines, each distinct article once.
pub struct JsonlSink<W: Write> {
    out: W,
    /// The first 128 bits of each emitted article's id. Half the id halves the set, which is
    /// the only part of a filter run that grows with the input; two distinct bodies sharing
    /// 128 bits of SHA-256 are about 10^-21 likely among a billion articles.
    emitted: FxHashSet<u128>,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W) -> Self {
        JsonlSink {
            out,
            emitted: FxHashSet::default(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The first 128 bits of an article id (see [`JsonlSink::emitted`]): of a hex SHA-256 id, its
/// first 32 digits; any other id (never expected) is hashed first.
fn id_key(id: &str) -> u128 {
    let hex = id.as_bytes();
    if hex.len() == 64 && hex.iter().all(u8::is_ascii_hexdigit) {
        if let Some(k) = id.get(..32).and_then(|h| u128::from_str_radix(h, 16).ok()) {
            return k;
        }
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(id.as_bytes());
    let mut head = [0u8; 16];
    head.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(head)
}

impl<W: Write> Sink for JsonlSink<W> {
    type Error = std::io::Error;
    /// The record as one JSON line.
    type Prepared = Result<Vec<u8>, serde_json::Error>;

    fn prepare(origin: &str, info: &InputInfo, cleaned: &mut Cleaned) -> Self::Prepared {
        let mut line = serde_json::to_vec(&record_of(origin, info, cleaned))?;
        line.push(b'\n');
        Ok(line)
    }

    fn put(
        &mut self,
        _: &str,
        _: &InputInfo,
        cleaned: &mut Cleaned,
        prepared: Self::Prepared,
    ) -> Result<PutOutcome, std::io::Error> {
        if !self.emitted.insert(id_key(&cleaned.article.id)) {
            return Ok(PutOutcome::Duplicate { new_origin: true });
        }
        self.out.write_all(&prepared?)?;
        Ok(PutOutcome::Stored)
    }

    fn put_failure(&mut self, _: &FailureRecord) -> Result<(), std::io::Error> {
        Ok(())
    }

    fn commit(&mut self) -> Result<(), std::io::Error> {
        self.out.flush()
    }
}

/// Keeps nothing: every article counts as stored.
#[derive(Debug, Default)]
pub struct DiscardSink;

impl Sink for DiscardSink {
    type Error = std::convert::Infallible;
    type Prepared = ();

    fn prepare(_: &str, _: &InputInfo, _: &mut Cleaned) {}

    fn put(
        &mut self,
        _: &str,
        _: &InputInfo,
        _: &mut Cleaned,
        (): (),
    ) -> Result<PutOutcome, Self::Error> {
        Ok(PutOutcome::Stored)
    }

    fn put_failure(&mut self, _: &FailureRecord) -> Result<(), Self::Error> {
        Ok(())
    }

    fn commit(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_are_the_ids_first_half() {
        let id = "00112233445566778899aabbccddeeff".repeat(2);
        assert_eq!(id_key(&id), 0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
        let upper = id.to_uppercase();
        assert_eq!(id_key(&upper), id_key(&id));
        // Not a hex id (never made by the pipeline): hashed, so still spread over the keys.
        let odd = format!("{}zz", &id[..62]);
        assert_ne!(id_key(&odd), id_key(&id));
        assert_ne!(id_key("a"), id_key("b"));
    }
}
