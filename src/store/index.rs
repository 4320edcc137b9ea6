//! The article index: article id → log location of its record, kept in buckets of the ids that
//! share their first [`BUCKET_BYTES`] bytes, one `sled` entry a bucket.
//!
//! Why buckets: with one `sled` entry per article (format 4), the index was most of a store's
//! memory growth. Ids are SHA-256 digests, so every commit touches index leaves all over the
//! tree, and `sled` keeps state for each touched page whatever its cache size. Measured on the
//! synthetic ingest (README, Performance): peak RSS grew 1.21–1.24× from 10k to 100k documents
//! with an entry per article, 1.10× with no article entries at all. A bucket holds about
//! `articles / 65536` entries: 1.5 at 100k, 15 at 1M, 150 (6 KB, rewritten on each insert into
//! it) at 10M.
//!
//! Format: key `A` + the id's first two bytes; value: the bucket's entries in id order, each the
//! id's other 30 bytes and the record's 12-byte log location. A bucket with no entries is
//! removed, never stored empty. Everything here works on plain byte values; the store stages
//! and applies them like any other entry.

/// Key prefix of a bucket.
pub(super) const PREFIX: u8 = b'A';
/// Id bytes in a bucket's key.
pub(super) const BUCKET_BYTES: usize = 2;
const SUFFIX: usize = 32 - BUCKET_BYTES;
/// A log location's length ([`super::log::Loc::encode`]).
const LOC: usize = 12;
const ENTRY: usize = SUFFIX + LOC;

/// The key of the bucket holding `id`.
pub(super) fn bucket_key(id: &[u8; 32]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + BUCKET_BYTES);
    k.push(PREFIX);
    k.extend_from_slice(&id[..BUCKET_BYTES]);
    k
}

/// The entries of the bucket stored under `key` with value `value`, as (id, location) in id
/// order, or `None` when the pair is not a well-formed bucket (a key of the wrong length, a
/// value that is empty, not whole entries, or not in strict id order): corruption.
pub(super) fn entries<'a>(key: &[u8], value: &'a [u8]) -> Option<Vec<([u8; 32], &'a [u8])>> {
    if key.len() != 1 + BUCKET_BYTES || value.is_empty() || value.len() % ENTRY != 0 {
        return None;
    }
    let mut out: Vec<([u8; 32], &[u8])> = Vec::with_capacity(value.len() / ENTRY);
    for entry in value.chunks_exact(ENTRY) {
        let mut id = [0u8; 32];
        id[..BUCKET_BYTES].copy_from_slice(&key[1..]);
        id[BUCKET_BYTES..].copy_from_slice(&entry[..SUFFIX]);
        if out.last().is_some_and(|(last, _)| *last >= id) {
            return None;
        }
        out.push((id, &entry[SUFFIX..]));
    }
    Some(out)
}

/// The location stored for `id` in the bucket value `value` (which must be `id`'s bucket).
/// `Err(())` when the value is not whole entries.
pub(super) fn find<'a>(value: &'a [u8], id: &[u8; 32]) -> Result<Option<&'a [u8]>, ()> {
    if value.len() % ENTRY != 0 {
        return Err(());
    }
    let suffix = &id[BUCKET_BYTES..];
    let n = value.len() / ENTRY;
    let at = |i: usize| &value[i * ENTRY..(i + 1) * ENTRY];
    // Entries are sorted: binary search over their suffixes.
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match at(mid)[..SUFFIX].cmp(suffix) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Ok(Some(&at(mid)[SUFFIX..])),
        }
    }
    Ok(None)
}

/// `value` (the bucket of `id`, `None` when it has no entries) with `id` set to `loc`, or
/// removed when `loc` is `None`: the new value, `None` when no entry is left. `Err(())` when
/// the value is not whole entries, or `loc` is not a location.
pub(super) fn set(
    value: Option<Vec<u8>>,
    id: &[u8; 32],
    loc: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, ()> {
    let mut value = value.unwrap_or_default();
    if value.len() % ENTRY != 0 || loc.is_some_and(|l| l.len() != LOC) {
        return Err(());
    }
    let suffix = &id[BUCKET_BYTES..];
    let n = value.len() / ENTRY;
    let pos = (0..n)
        .position(|i| &value[i * ENTRY..i * ENTRY + SUFFIX] >= suffix)
        .unwrap_or(n);
    let here = pos * ENTRY;
    let present = pos < n && &value[here..here + SUFFIX] == suffix;
    match (present, loc) {
        (true, Some(loc)) => value[here + SUFFIX..here + ENTRY].copy_from_slice(loc),
        (true, None) => {
            value.drain(here..here + ENTRY);
        }
        (false, Some(loc)) => {
            let mut entry = Vec::with_capacity(ENTRY);
            entry.extend_from_slice(suffix);
            entry.extend_from_slice(loc);
            value.splice(here..here, entry);
        }
        (false, None) => {}
    }
    Ok((!value.is_empty()).then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(first: u8, last: u8) -> [u8; 32] {
        let mut id = [7u8; 32];
        id[0] = first;
        id[31] = last;
        id
    }

    #[test]
    fn set_keeps_entries_sorted_and_find_reads_them() {
        let (a, b, c) = (id(1, 3), id(1, 1), id(1, 2));
        let mut v = None;
        for (i, x) in [a, b, c].iter().enumerate() {
            v = set(v, x, Some(&[i as u8; LOC])).unwrap();
        }
        let v = v.unwrap();
        let key = bucket_key(&a);
        let got: Vec<[u8; 32]> = entries(&key, &v).unwrap().iter().map(|e| e.0).collect();
        assert_eq!(got, vec![b, c, a]);
        assert_eq!(find(&v, &c).unwrap(), Some(&[2u8; LOC][..]));
        assert_eq!(find(&v, &id(1, 9)).unwrap(), None);
        // Replacing keeps one entry; removing the last entry leaves no bucket.
        let v = set(Some(v), &a, Some(&[9; LOC])).unwrap().unwrap();
        assert_eq!(v.len(), 3 * ENTRY);
        assert_eq!(find(&v, &a).unwrap(), Some(&[9u8; LOC][..]));
        let v = set(Some(v), &a, None).unwrap();
        let v = set(v, &b, None).unwrap();
        let v = set(v, &id(1, 9), None).unwrap();
        assert_eq!(set(v, &c, None).unwrap(), None);
    }

    #[test]
    fn malformed_buckets_are_refused() {
        let key = bucket_key(&id(1, 1));
        let one = set(None, &id(1, 1), Some(&[0; LOC])).unwrap().unwrap();
        assert!(entries(&key, &one).is_some());
        assert!(entries(&key, &one[1..]).is_none());
        assert!(entries(&key, &[]).is_none());
        assert!(entries(&key[..2], &one).is_none());
        let mut twice = one.clone();
        twice.extend_from_slice(&one);
        assert!(entries(&key, &twice).is_none(), "not in strict order");
        assert!(find(&one[1..], &id(1, 1)).is_err());
        assert!(set(Some(one[1..].to_vec()), &id(1, 1), None).is_err());
        assert!(set(None, &id(1, 1), Some(&[0; 3])).is_err());
    }
}
