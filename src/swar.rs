//! Byte tests eight at a time ("SIMD within a register"), shared by the text stages' hot loops
//! (whitespace checks in [`crate::norm`], the line-word scan in [`crate::content::text`]).
//!
//! Eight bytes of text are read as one little-endian `u64` (byte `i` is bits `8i..8i + 8`). Each
//! test leaves its answer in the top bit of every byte ([`HIGH_BITS`]): `count_ones` counts the
//! matching bytes and `trailing_zeros() / 8` finds the first. Every test is exact byte by byte:
//! no sum carries into the next byte (the tests below check each against the bytewise answer).

/// Eight copies of a byte, one per byte of a `u64`.
pub const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// The top bit of every byte: where the tests leave their answers.
pub const HIGH_BITS: u64 = splat(0x80);

/// The top bit of every byte of `x` that equals `c`.
pub const fn bytes_eq(x: u64, c: u8) -> u64 {
    let z = x ^ splat(c);
    // A byte is zero when neither its low seven bits carry into the top one nor it has it.
    !((z & !HIGH_BITS).wrapping_add(!HIGH_BITS) | z) & HIGH_BITS
}

/// The top bit of every byte of `x` below `n` (`n <= 0x80`).
pub const fn bytes_below(x: u64, n: u8) -> u64 {
    // A byte without its top bit is below `n` when adding `0x80 - n` leaves that bit clear.
    !x & !(x & !HIGH_BITS).wrapping_add(splat(0x80 - n)) & HIGH_BITS
}

/// For eight bytes of at most 0x7F each: the top bit of every byte in `lo..=hi` (`lo >= 1`).
/// Adding `0x80 - lo` sets a byte's top bit exactly when it is at least `lo`, adding
/// `0x7F - hi` exactly when it is above `hi`.
pub const fn bytes_in(x: u64, lo: u8, hi: u8) -> u64 {
    x.wrapping_add(splat(0x80 - lo)) & !x.wrapping_add(splat(0x7F - hi)) & HIGH_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte `b` at position `at` among seven neighbours `fill`, and whether the test marked
    /// exactly the bytes `want` accepts.
    fn agrees(test: impl Fn(u64) -> u64, want: impl Fn(u8) -> bool, fill: u8) {
        for at in 0..8 {
            for b in 0..=255u8 {
                let mut bytes = [fill; 8];
                bytes[at] = b;
                let got = test(u64::from_le_bytes(bytes));
                for (i, &c) in bytes.iter().enumerate() {
                    assert_eq!(got >> (8 * i + 7) & 1 == 1, want(c), "{bytes:?} at {i}");
                }
                assert_eq!(got & !HIGH_BITS, 0);
            }
        }
    }

    #[test]
    fn equality_and_below_are_exact_for_every_byte() {
        for fill in [0x00, b' ', b'a', 0x7F, 0x80, 0xFF] {
            for c in [0x00, b' ', b'|', 0x7F, 0x80, 0xC2, 0xFF] {
                agrees(|x| bytes_eq(x, c), |b| b == c, fill);
            }
            for n in [0x01, 0x20, 0x21, 0x80] {
                agrees(|x| bytes_below(x, n), |b| b < n, fill);
            }
        }
    }

    #[test]
    fn ranges_are_exact_for_every_ascii_byte() {
        for at in 0..8 {
            for b in 0..=0x7Fu8 {
                let mut bytes = [b'x'; 8];
                bytes[at] = b;
                for (lo, hi) in [(b'0', b'9'), (b'A', b'Z'), (b'a', b'z'), (0x01, 0x7F)] {
                    let got = bytes_in(u64::from_le_bytes(bytes), lo, hi);
                    for (i, &c) in bytes.iter().enumerate() {
                        let want = (lo..=hi).contains(&c);
                        assert_eq!(got >> (8 * i + 7) & 1 == 1, want, "{bytes:?} {lo}..={hi}");
                    }
                }
            }
        }
    }
}
