//! Whole-buffer gzip inflate through libdeflate, about twice the speed of the streaming zlib-rs
//! decoder on web pages (a fifth of the end-to-end time of a folder of `.html.gz` pages went to
//! inflating).
//!
//! Contract: [`gunzip`] gives exactly what the streaming decoder gives for the same bytes,
//! [`Gunzip::OverLimit`] when the output would pass the size limit (as the streaming decoder,
//! stopped one byte past the limit, would find), or [`Gunzip::Declined`], and the caller then
//! streams: corrupt data and trailing bytes keep the streaming path's wording.
//!
//! This is the crate's only `unsafe`: libdeflate's safe wrapper (`libdeflater`) has no way to
//! learn where a member ends, without which a second member would be dropped silently.

use libdeflate_sys as sys;
use std::ptr::NonNull;

/// The gzip header flag saying a CRC-16 of the header follows it (RFC 1952).
const FHCRC: u8 = 0x02;

/// What [`gunzip`] made of the bytes.
pub(super) enum Gunzip {
    Inflated(Vec<u8>),
    /// The output does not fit in `limit` bytes. Told apart from a decline so that a bomb is not
    /// inflated a second time, by the stream, to find the same thing.
    OverLimit,
    /// Corrupt, truncated or trailing data, or libdeflate could not start: the stream decides.
    Declined,
}

/// The gzip data in `bytes` inflated, every member in order, if its size is within `limit`.
pub(super) fn gunzip(bytes: &[u8], limit: u64) -> Gunzip {
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    // The last member's footer gives its size mod 2^32: exact for the usual single member. A
    // forged footer cannot make the first allocation larger than deflate's maximum ratio
    // (1032:1) allows for these bytes.
    let claimed = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes[at..].try_into().ok())
        .map_or(0, |size| u32::from_le_bytes(size) as usize);
    let first = claimed
        .max(1)
        .min(bytes.len().saturating_mul(1032))
        .min(cap);
    // Not zero-filled: libdeflate writes every byte it reports, and only those are kept.
    let mut out: Vec<u8> = Vec::with_capacity(first);
    let Some(decompressor) = Decompressor::new() else {
        return Gunzip::Declined;
    };
    let mut read = 0;
    while read < bytes.len() {
        // libdeflate skips a member's header CRC (FHCRC) without checking it; the stream checks
        // it, and what the stream refuses must not get through here.
        if bytes.get(read + 3).is_some_and(|flags| flags & FHCRC != 0) {
            return Gunzip::Declined;
        }
        match decompressor.member(&bytes[read..], &mut out) {
            Member::Done { read: r } => read += r,
            Member::NoRoom if out.capacity() < cap => {
                // At least some growth even from a tiny first guess, never past the limit.
                let grown = out.capacity().saturating_mul(2).max(4096).min(cap);
                out.reserve_exact(grown - out.len());
            }
            Member::NoRoom => return Gunzip::OverLimit,
            Member::Bad => return Gunzip::Declined,
        }
    }
    // The allocator may have given more capacity than asked for.
    if out.len() <= cap {
        Gunzip::Inflated(out)
    } else {
        Gunzip::OverLimit
    }
}

/// What inflating one member gave.
enum Member {
    /// The member ended after `read` input bytes (its footer included); its output was
    /// appended.
    Done { read: usize },
    /// The member's output does not fit the space left; nothing was appended.
    NoRoom,
    /// Not gzip, corrupt, truncated, or a footer that does not match.
    Bad,
}

/// An owned libdeflate decompressor (a few KB of tables; it keeps no state between calls).
struct Decompressor(NonNull<sys::libdeflate_decompressor>);

impl Decompressor {
    /// `None` when libdeflate could not allocate.
    fn new() -> Option<Decompressor> {
        // SAFETY: no preconditions; a null return (out of memory) is checked.
        NonNull::new(unsafe { sys::libdeflate_alloc_decompressor() }).map(Decompressor)
    }

    /// Inflates the gzip member at the start of `input` into `out`'s spare capacity and, on
    /// success, appends it.
    fn member(&self, input: &[u8], out: &mut Vec<u8>) -> Member {
        let spare = out.spare_capacity_mut();
        let (mut read, mut wrote) = (0usize, 0usize);
        // SAFETY: the decompressor is live (owned by self, freed only on drop) and used by one
        // call at a time (`Decompressor` is neither Send nor Sync); the input pointer and length
        // come from a live slice and libdeflate reads at most `input.len()` bytes; it writes at
        // most `spare.len()` bytes into the spare capacity, which needs no initialised contents;
        // the two out-parameters are locals.
        let result = unsafe {
            sys::libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                spare.as_mut_ptr().cast(),
                spare.len(),
                &mut read,
                &mut wrote,
            )
        };
        match result {
            // Checked rather than trusted: a count past the buffers would expose uninitialised
            // memory or misplace the next member, so treat it like bad data.
            sys::libdeflate_result_LIBDEFLATE_SUCCESS
                if read > 0 && read <= input.len() && wrote <= spare.len() =>
            {
                // SAFETY: libdeflate reported `wrote` bytes written at the start of the spare
                // capacity, and `wrote` fits in it (checked above).
                unsafe { out.set_len(out.len() + wrote) };
                Member::Done { read }
            }
            sys::libdeflate_result_LIBDEFLATE_INSUFFICIENT_SPACE => Member::NoRoom,
            _ => Member::Bad,
        }
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: the pointer came from libdeflate_alloc_decompressor and is freed only here.
        unsafe { sys::libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}
