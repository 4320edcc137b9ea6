//! Learned counts inside the store (the design is in the parent module's docs): the log form of
//! a document's lines ([`PreparedLines`], pending entries' location lists), what the store knows
//! of each site ([`Site`]), merging documents' lines at the pipeline's fixed points
//! ([`Store::merge_pending`]), writing the changed sites' entries ([`Store::checkpoint`]), the
//! tables `rules suggest` reads, and the [`LineStats`] view cleaning reads.

use std::collections::{HashMap, HashSet};

use super::log::{Loc, Reader};
use super::{key, Store, StoreError, CHECKPOINT_MERGES, PENDING, SITE};
use crate::learn::{self, LineRefs, LineStats, SiteLines};
use crate::model::Decided;

fn put_text(v: &mut Vec<u8>, s: &str) {
    v.extend_from_slice(&(s.len() as u32).to_be_bytes());
    v.extend_from_slice(s.as_bytes());
}

fn encode_lines(lines: &SiteLines) -> Vec<u8> {
    encode_line_list(
        &lines.site,
        lines.lines.iter().map(|(h, t)| (h, t.as_str())),
    )
}

/// The log form of a site's name and its `(hash, text)` lines.
fn encode_line_list<'a>(
    site: &str,
    lines: impl ExactSizeIterator<Item = (&'a [u8; 8], &'a str)> + Clone,
) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + lines.clone().map(|l| 12 + l.1.len()).sum::<usize>());
    put_text(&mut v, site);
    v.extend_from_slice(&(lines.len() as u32).to_be_bytes());
    for (hash, text) in lines {
        v.extend_from_slice(hash);
        put_text(&mut v, text);
    }
    v
}

pub(super) fn decode_lines(v: &[u8]) -> Option<SiteLines> {
    let mut r = Reader(v);
    let site = r.text()?;
    let n = r.u32()?;
    let mut lines = Vec::with_capacity((n as usize).min(v.len() / 12));
    for _ in 0..n {
        lines.push((r.hash()?, r.text()?));
    }
    Some(SiteLines { site, lines })
}

/// The site and line hashes of an encoded [`SiteLines`], without its texts: all that merging
/// counts needs.
fn decode_hashes(v: &[u8]) -> Option<(String, Vec<[u8; 8]>)> {
    let mut r = Reader(v);
    let site = r.text()?;
    let n = r.u32()?;
    let mut hashes = Vec::with_capacity((n as usize).min(v.len() / 12));
    for _ in 0..n {
        hashes.push(r.hash()?);
        let len = r.u32()? as usize;
        r.take(len)?;
    }
    Some((site, hashes))
}

/// A document's learned lines as the store appends them, encoded by [`PreparedLines::of`] on a
/// worker thread so the writer only copies bytes.
#[derive(Debug, Clone)]
pub struct PreparedLines {
    pub(super) site: String,
    pub(super) hashes: Vec<[u8; 8]>,
    pub(super) bytes: Vec<u8>,
}

impl PreparedLines {
    /// The lines `refs` names, their texts read from `decided` (the blocks the references were
    /// taken of): the same bytes as [`PreparedLines::of`] the owned lines.
    pub fn of_refs(refs: LineRefs, decided: &[Decided]) -> PreparedLines {
        let lines: Vec<(&[u8; 8], &str)> = refs
            .lines
            .iter()
            .filter_map(|(h, i)| Some((h, decided.get(*i)?.block.text.as_str())))
            .collect();
        PreparedLines {
            hashes: lines.iter().map(|l| *l.0).collect(),
            bytes: encode_line_list(&refs.site, lines.iter().copied()),
            site: refs.site,
        }
    }

    pub fn of(lines: SiteLines) -> PreparedLines {
        PreparedLines {
            hashes: lines.lines.iter().map(|l| l.0).collect(),
            bytes: encode_lines(&lines),
            site: lines.site,
        }
    }
}

/// A fast hasher for the in-memory learned maps: their keys are site names and line hashes
/// (SipHash values already), not attacker-chosen values a DoS-resistant hash must defend.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // FxHash's multiply-rotate step over 8-byte words.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

type Fast = std::hash::BuildHasherDefault<FastHasher>;
type FastMap<K, V> = HashMap<K, V, Fast>;

/// What the store knows of one site's learned counts.
#[derive(Default)]
pub(super) struct Site {
    docs: u64,
    /// The log entries of the documents counted (checkpointed or merged since): their sum is the
    /// site's line table.
    parts: Vec<Loc>,
    /// Lines at or above the share of documents that makes them boilerplate.
    hot: FastMap<[u8; 8], u64>,
    /// Every line's count, while the site is counting documents.
    /// (u32: a count is at most the documents counted, [`learn::MAX_DOCS`] plus the epochs in
    /// flight.)
    counts: Option<FastMap<[u8; 8], u32>>,
    /// Changed since the last checkpoint.
    dirty: bool,
}

impl Site {
    fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(16 + 12 * self.parts.len() + 16 * self.hot.len());
        v.extend_from_slice(&self.docs.to_be_bytes());
        v.extend_from_slice(&(self.parts.len() as u32).to_be_bytes());
        for loc in &self.parts {
            v.extend_from_slice(&loc.encode());
        }
        let mut hot: Vec<_> = self.hot.iter().collect();
        hot.sort();
        v.extend_from_slice(&(hot.len() as u32).to_be_bytes());
        for (hash, n) in hot {
            v.extend_from_slice(hash);
            v.extend_from_slice(&n.to_be_bytes());
        }
        v
    }

    pub(super) fn decode(v: &[u8]) -> Option<Site> {
        let mut r = Reader(v);
        let docs = r.u64()?;
        let n = r.u32()?;
        let mut parts = Vec::with_capacity((n as usize).min(v.len() / 12));
        for _ in 0..n {
            parts.push(Loc::decode(r.take(12)?)?);
        }
        let n = r.u32()?;
        let mut hot =
            FastMap::with_capacity_and_hasher((n as usize).min(v.len() / 16), Fast::default());
        for _ in 0..n {
            hot.insert(r.hash()?, r.u64()?);
        }
        Some(Site {
            docs,
            parts,
            hot,
            ..Site::default()
        })
    }

    /// The lines cleaning acts on, from the full counts (unchanged when they are not loaded).
    /// `changed`: the lines counted since the last call, when `docs_before` documents were
    /// counted. The share a line needs only grows with the documents, so a line that was not
    /// counted again can leave the frequent lines but never join them: only when the site
    /// has just reached [`learn::MIN_DOCS`] are all its counts scanned.
    fn rehot(&mut self, docs_before: u64, changed: &[[u8; 8]]) {
        let Some(counts) = &self.counts else {
            return;
        };
        let docs = self.docs;
        if docs < learn::MIN_DOCS {
            self.hot = FastMap::default();
        } else if docs_before < learn::MIN_DOCS {
            self.hot = counts
                .iter()
                .filter(|(_, n)| learn::is_frequent(u64::from(**n), docs))
                .map(|(h, n)| (*h, u64::from(*n)))
                .collect();
        } else {
            self.hot.retain(|h, n| {
                *n = counts.get(h).map_or(*n, |c| u64::from(*c));
                learn::is_frequent(*n, docs)
            });
            for h in changed {
                if let Some(c) = counts.get(h) {
                    if learn::is_frequent(u64::from(*c), docs) {
                        self.hot.insert(*h, u64::from(*c));
                    }
                }
            }
        }
    }
}

/// Learned counts as cleaning sees them (see the module docs).
#[derive(Default)]
pub(super) struct Learned {
    sites: FastMap<String, Site>,
    /// Pending entries left by an earlier run have been merged.
    recovered: bool,
    /// Pending entries (by the offset in their key) merged since the last checkpoint.
    merged: Vec<u64>,
    merges: u64,
}

/// A document's lines not yet merged into its site's counts.
pub(super) struct Unmerged {
    /// The offset in the key of the pending entry that lists it.
    pub(super) batch: u64,
    pub(super) loc: Loc,
    pub(super) site: String,
    pub(super) hashes: Vec<[u8; 8]>,
}

/// The locations a pending entry lists (format 3's single location is a list of one).
pub(super) fn decode_locs(v: &[u8]) -> Option<Vec<Loc>> {
    if v.is_empty() || v.len() % 12 != 0 {
        return None;
    }
    v.chunks_exact(12).map(Loc::decode).collect()
}

impl Store {
    /// Learned counts, loaded on first use.
    fn learned(&self) -> Result<std::sync::RwLockWriteGuard<'_, Option<Learned>>, StoreError> {
        let mut g = self.learned.write().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            let mut l = Learned::default();
            for kv in self.tree.scan_prefix([SITE]) {
                let (k, v) = kv.map_err(|e| self.sled(e))?;
                let site = Site::decode(&v).ok_or_else(|| self.corrupt("a site entry", &k))?;
                l.sites
                    .insert(String::from_utf8_lossy(&k[1..]).into_owned(), site);
            }
            *g = Some(l);
        }
        Ok(g)
    }

    /// A site's counts, summed over its documents' log entries. `name`: the site's key, for
    /// damage reports.
    fn counts_of(&self, name: &str, site: &Site) -> Result<FastMap<[u8; 8], u32>, StoreError> {
        let mut counts = FastMap::default();
        let what = format!("learned lines of site `{name}`");
        for loc in &site.parts {
            let bytes = self
                .log
                .read(*loc)
                .map_err(|e| self.log_error_of(&what, e))?;
            let (_, hashes) = decode_hashes(&bytes)
                .ok_or_else(|| self.corrupt("learned lines", name.as_bytes()))?;
            for h in hashes {
                let n: &mut u32 = counts.entry(h).or_default();
                *n = n.saturating_add(1);
            }
        }
        Ok(counts)
    }

    /// A site's line table, `(text, documents)` per counted line. `name`: the site's key, for
    /// damage reports.
    pub(super) fn table(&self, name: &str, site: &Site) -> Result<Vec<(String, u64)>, StoreError> {
        let mut table: FastMap<[u8; 8], (String, u64)> = FastMap::default();
        let what = format!("learned lines of site `{name}`");
        for loc in &site.parts {
            let bytes = self
                .log
                .read(*loc)
                .map_err(|e| self.log_error_of(&what, e))?;
            let lines = decode_lines(&bytes)
                .ok_or_else(|| self.corrupt("learned lines", name.as_bytes()))?;
            for (h, text) in lines.lines {
                table.entry(h).or_insert_with(|| (text, 0)).1 += 1;
            }
        }
        Ok(table.into_values().collect())
    }

    /// Adds the lines of documents stored since the last merge (and, on the first merge of a
    /// process, those an interrupted run left pending) to the counts cleaning reads. Every
    /// [`CHECKPOINT_MERGES`] merges the changed sites' entries are staged for writing
    /// ([`Store::checkpoint`]).
    pub fn merge_pending(&self) -> Result<(), StoreError> {
        let mut guard = self.learned()?;
        let Some(l) = guard.as_mut() else {
            return Ok(());
        };
        let mut docs = {
            let mut st = self.staged();
            st.close_batch();
            std::mem::take(&mut st.unmerged)
        };
        if !l.recovered {
            l.recovered = true;
            let known: HashSet<u64> = docs.iter().map(|u| u.batch).collect();
            let mut left = Vec::new();
            for kv in self.tree.scan_prefix([PENDING]) {
                let (k, v) = kv.map_err(|e| self.sled(e))?;
                let batch = Reader(&k[1..])
                    .u64()
                    .ok_or_else(|| self.corrupt("a pending key", &k))?;
                if known.contains(&batch) {
                    continue;
                }
                let locs = decode_locs(&v).ok_or_else(|| self.corrupt("a log location", &k))?;
                for loc in locs {
                    let bytes = self.log.read(loc).map_err(|e| {
                        self.log_error_of(&format!("pending learned lines (entry `p{batch}`)"), e)
                    })?;
                    let (site, hashes) =
                        decode_hashes(&bytes).ok_or_else(|| self.corrupt("pending lines", &k))?;
                    left.push(Unmerged {
                        batch,
                        loc,
                        site,
                        hashes,
                    });
                }
            }
            left.append(&mut docs);
            docs = left;
        }
        if docs.is_empty() {
            return Ok(());
        }
        // Per touched site: documents counted before this merge, lines counted in it.
        let mut touched: FastMap<String, (u64, Vec<[u8; 8]>)> = FastMap::default();
        for doc in docs {
            if !l.sites.contains_key(&doc.site) {
                l.sites.insert(doc.site.clone(), Site::default());
            }
            let Some(site) = l.sites.get_mut(&doc.site) else {
                continue;
            };
            if site.counts.is_none() {
                site.counts = Some(self.counts_of(&doc.site, site)?);
            }
            let counts = site.counts.get_or_insert_with(FastMap::default);
            let (_, changed) = touched
                .entry(doc.site)
                .or_insert_with(|| (site.docs, Vec::new()));
            site.docs += 1;
            site.dirty = true;
            site.parts.push(doc.loc);
            for hash in doc.hashes {
                let n = counts.entry(hash).or_insert(0);
                *n = n.saturating_add(1);
                changed.push(hash);
            }
            if l.merged.last() != Some(&doc.batch) {
                l.merged.push(doc.batch);
            }
        }
        for (name, (before, changed)) in &touched {
            if let Some(site) = l.sites.get_mut(name) {
                site.rehot(*before, changed);
            }
        }
        l.merges += 1;
        if l.merges % CHECKPOINT_MERGES == 0 {
            self.checkpoint_learned(l);
        }
        Ok(())
    }

    /// Stages the learned counts merged since the last checkpoint: each changed site's entry
    /// (documents, their log locations, frequent lines) is written and the merged pending entries
    /// are removed, in the batch the next [`Store::flush`] applies.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut guard = self.learned()?;
        if let Some(l) = guard.as_mut() {
            self.checkpoint_learned(l);
        }
        Ok(())
    }

    fn checkpoint_learned(&self, l: &mut Learned) {
        let mut writes = Vec::new();
        for (name, site) in l.sites.iter_mut() {
            if !site.dirty {
                // Counts are kept only for sites still getting documents: memory holds the
                // counts of the sites merged since the last checkpoint, not of every site seen.
                site.counts = None;
                continue;
            }
            if site.docs >= learn::MAX_DOCS {
                site.counts = None;
            }
            site.dirty = false;
            writes.push((key(SITE, name.as_bytes()), site.encode()));
        }
        let mut st = self.staged();
        for (k, v) in writes {
            st.writes.insert(k, Some(v));
        }
        for offset in l.merged.drain(..) {
            st.writes.insert(key(PENDING, &offset.to_be_bytes()), None);
        }
    }

    /// Sites with learned counts and how many documents each has, most documents first.
    pub fn learned_sites(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.apply()?;
        let mut out = Vec::new();
        for kv in self.tree.scan_prefix([SITE]) {
            let (k, v) = kv.map_err(|e| self.sled(e))?;
            let site = Site::decode(&v).ok_or_else(|| self.corrupt("a site entry", &k))?;
            out.push((String::from_utf8_lossy(&k[1..]).into_owned(), site.docs));
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// A site's counted lines `(text, documents)`, most frequent first.
    pub fn learned_lines(&self, site: &str) -> Result<Vec<(String, u64)>, StoreError> {
        self.apply()?;
        let k = key(SITE, site.as_bytes());
        let Some(v) = self.tree.get(&k).map_err(|e| self.sled(e))? else {
            return Ok(Vec::new());
        };
        let entry = Site::decode(&v).ok_or_else(|| self.corrupt("a site entry", &k))?;
        let mut out = self.table(site, &entry)?;
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// Runs `f` on the learned counts (loaded on first use); `None` when they cannot be read.
    fn with_learned<R>(&self, f: impl FnOnce(&Learned) -> R) -> Option<R> {
        {
            let g = self.learned.read().unwrap_or_else(|p| p.into_inner());
            if let Some(l) = g.as_ref() {
                return Some(f(l));
            }
        }
        match self.learned() {
            Ok(g) => g.as_ref().map(f),
            Err(e) => {
                tracing::warn!("learned site counts unavailable: {e}");
                None
            }
        }
    }
}

/// Counts as cleaning reads them: a site's merged document count, and for a line the documents
/// containing it, exact for the lines at or above [`learn::MIN_SHARE`] (the only ones cleaning
/// acts on) and 0 for the rest.
impl LineStats for Store {
    fn site_docs(&self, site: &str) -> u64 {
        self.with_learned(|l| l.sites.get(site).map_or(0, |s| s.docs))
            .unwrap_or(0)
    }

    fn line_docs(&self, site: &str, hash: &[u8; 8]) -> u64 {
        self.with_learned(|l| {
            l.sites
                .get(site)
                .and_then(|s| s.hot.get(hash).copied())
                .unwrap_or(0)
        })
        .unwrap_or(0)
    }

    fn lines_docs(&self, site: &str, hashes: &[[u8; 8]], out: &mut Vec<u64>) {
        let found = self.with_learned(|l| match l.sites.get(site) {
            Some(s) => out.extend(hashes.iter().map(|h| s.hot.get(h).copied().unwrap_or(0))),
            None => out.extend(hashes.iter().map(|_| 0)),
        });
        if found.is_none() {
            out.extend(hashes.iter().map(|_| 0));
        }
    }
}
