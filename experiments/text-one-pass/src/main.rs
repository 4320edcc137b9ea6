//! An experiment, not part of deboiler (session 11 of issue 6; figures in
//! docs/performance.md): how fast could a text dump be cleaned if every per-line fact were
//! computed in one pass over the document's bytes, the rules' literals found by one
//! Aho-Corasick scan over the whole document, judging read only the facts, and strings were
//! made only for the output?
//!
//! The semantics are deboiler's text path cut down: the generic rule files' literals and
//! regexes (needles read off the regexes roughly), function words of the same seven languages,
//! the same classes and scores, the same region search, repeats by a 64-bit hash, a SHA-256 body
//! id, and the kept and removed lines copied out as deboiler's article holds them. Left out:
//! metadata, comment sections, headline echo, trailing lists, title-case teasers by function
//! word, Unicode case folding and NFC. It is therefore an upper bound on what such a design
//! gains, not a replacement.
//!
//! Run from the repository root:
//! `cargo run --release --manifest-path experiments/text-one-pass/Cargo.toml -- ../shared/bench/zyte-text/text rules/generic 2`

use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use fxhash::{FxHashMap, FxHashSet};
use regex::Regex;
use sha2::{Digest, Sha256};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

include!("langs.rs");

const ENDS_SENTENCE: u16 = 1;
const HAS_COLON: u16 = 2;
const FOUR_DIGITS: u16 = 4;
const URL: u16 = 8;
const NON_ASCII: u16 = 16;
const SEPARATOR: u16 = 32;
const HAS_DIGIT: u16 = 64;

#[derive(Clone, Copy, Default)]
struct Facts {
    start: u32,
    end: u32,
    words: u16,
    tagged: u16,
    caps_first8: u8,
    letters_first8: u8,
    upper: u16,
    lower: u16,
    hits: [u8; 7],
    flags: u16,
    hash: u64,
}

/// Function words keyed by their lower-case bytes (<= 8) in a u64.
struct Table {
    keys: Vec<u64>,
    langs: Vec<u8>,
    mask: usize,
}

impl Table {
    fn new() -> Table {
        let mut m: FxHashMap<u64, u8> = FxHashMap::default();
        for (i, l) in LANGS.iter().enumerate() {
            for w in l.iter() {
                let b = w.as_bytes();
                if b.len() <= 8 && w.is_ascii() {
                    let mut k = 0u64;
                    for (j, &c) in b.iter().enumerate() {
                        k |= (c as u64) << (8 * j);
                    }
                    *m.entry(k).or_default() |= 1 << i;
                }
            }
        }
        let size = (m.len() * 4).next_power_of_two();
        let mut t = Table {
            keys: vec![0; size],
            langs: vec![0; size],
            mask: size - 1,
        };
        for (k, l) in m {
            let mut s = slot(k, t.mask);
            while t.keys[s] != 0 {
                s = (s + 1) & t.mask;
            }
            t.keys[s] = k;
            t.langs[s] = l;
        }
        t
    }

    #[inline(always)]
    fn get(&self, k: u64) -> u8 {
        let mut s = slot(k, self.mask);
        loop {
            let x = self.keys[s];
            if x == k {
                return self.langs[s];
            }
            if x == 0 {
                return 0;
            }
            s = (s + 1) & self.mask;
        }
    }
}

#[inline(always)]
fn slot(k: u64, mask: usize) -> usize {
    (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

// Byte classes.
const C_SPACE: u8 = 1;
const C_UPPER: u8 = 2;
const C_LOWER: u8 = 3;
const C_DIGIT: u8 = 4;
const C_PUNCT: u8 = 5;
const C_HIGH: u8 = 6;

static CLASS: [u8; 256] = {
    let mut t = [C_PUNCT; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c == b' ' || c == b'\t' || c == b'\r' {
            C_SPACE
        } else if c.is_ascii_uppercase() {
            C_UPPER
        } else if c.is_ascii_lowercase() {
            C_LOWER
        } else if c.is_ascii_digit() {
            C_DIGIT
        } else if c >= 0x80 {
            C_HIGH
        } else {
            C_PUNCT
        };
        i += 1;
    }
    t
};

#[inline(always)]
fn lower8(x: u64) -> u64 {
    // ASCII upper-case letters get 0x20.
    let h = 0x8080_8080_8080_8080u64;
    let ge_a = (x | h).wrapping_sub(0x4141_4141_4141_4141) & h; // >= 'A' (for bytes < 0x80)
    let gt_z = (x | h).wrapping_sub(0x5B5B_5B5B_5B5B_5B5B) & h; // >= '['
    let upper = ge_a & !gt_z & !(x & h);
    x | (upper >> 2)
}

fn line_hash(b: &[u8]) -> u64 {
    let mut h: u64 = 0x243F_6A88_85A3_08D3 ^ b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let x = lower8(u64::from_le_bytes(c.try_into().unwrap()));
        h = (h.rotate_left(23) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    let r = chunks.remainder();
    if !r.is_empty() {
        let mut buf = [0u8; 8];
        buf[..r.len()].copy_from_slice(r);
        h = (h.rotate_left(23) ^ lower8(u64::from_le_bytes(buf)))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h ^ (h >> 29)
}

/// One pass over a line's bytes.
fn facts_of(doc: &[u8], start: usize, end: usize, table: &Table) -> Facts {
    let b = &doc[start..end];
    let mut f = Facts {
        start: start as u32,
        end: end as u32,
        ..Default::default()
    };
    let mut in_word = false;
    let mut key = 0u64;
    let mut klen = 0u32; // bytes of the current word's key; > 8 = too long
    let mut word_start_class = 0u8;
    let mut digits_run = 0u32;
    let mut flags = 0u16;
    let mut words = 0u16;
    let mut caps_first8 = 0u8;
    let mut letters_first8 = 0u8;
    let mut hits = [0u8; 7];
    let mut upper = 0u16;
    let mut lower = 0u16;
    let mut tagged = 0u16;
    let finish = |key: u64, klen: u32, words: u16, hits: &mut [u8; 7]| {
        if klen >= 1 && klen <= 8 && words > 0 {
            let l = table.get(key);
            for (i, h) in hits.iter_mut().enumerate() {
                *h += (l >> i) & 1;
            }
        }
    };
    for (i, &c) in b.iter().enumerate() {
        let cl = CLASS[c as usize];
        if cl == C_SPACE {
            if in_word {
                finish(key, klen, words, &mut hits);
                in_word = false;
            }
            digits_run = 0;
            continue;
        }
        if !in_word {
            in_word = true;
            words += 1;
            key = 0;
            klen = 0;
            word_start_class = cl;
            tagged += (c == b'@' || c == b'#') as u16;
            if words <= 8 && (cl == C_UPPER || cl == C_LOWER) {
                letters_first8 += 1;
                caps_first8 += (cl == C_UPPER) as u8;
            }
        }
        let _ = word_start_class;
        match cl {
            C_UPPER | C_LOWER | C_DIGIT => {
                upper += (cl == C_UPPER) as u16;
                lower += (cl == C_LOWER) as u16;
                if klen < 9 {
                    key |= ((c | if cl == C_UPPER { 0x20 } else { 0 }) as u64) << (8 * (klen & 7));
                    klen += 1;
                }
                if cl == C_DIGIT {
                    digits_run += 1;
                    flags |= HAS_DIGIT;
                    if digits_run == 4 {
                        flags |= FOUR_DIGITS;
                    }
                } else {
                    digits_run = 0;
                }
            }
            C_HIGH => {
                flags |= NON_ASCII;
                digits_run = 0;
                klen = 9;
                // Separators • · » › start with 0xE2 / 0xC2.
                if c == 0xC2 && matches!(b.get(i + 1), Some(0xB7 | 0xBB)) {
                    flags |= SEPARATOR;
                }
                if c == 0xE2
                    && b.get(i + 1) == Some(&0x80)
                    && matches!(b.get(i + 2), Some(0xA2 | 0xBA))
                {
                    flags |= SEPARATOR;
                }
            }
            _ => {
                digits_run = 0;
                match c {
                    b':' => {
                        flags |= HAS_COLON;
                        if b.get(i + 1) == Some(&b'/') && b.get(i + 2) == Some(&b'/') {
                            flags |= URL;
                        }
                    }
                    b'|' => flags |= SEPARATOR,
                    _ => {}
                }
                // Punctuation inside a word: leading/trailing punctuation is trimmed from the
                // key; inner punctuation spoils it.
                if klen > 0 && klen < 9 {
                    klen = 10; // may be trailing: fix below
                }
            }
        }
    }
    if in_word {
        finish(key, klen, words, &mut hits);
    }
    // ends_sentence: last char not a closing quote/bracket.
    let last = b
        .iter()
        .rev()
        .find(|&&c| !matches!(c, b'"' | b'\'' | b')' | b']' | b'*'));
    if matches!(last, Some(b'.' | b'!' | b'?' | b':' | b';')) {
        flags |= ENDS_SENTENCE;
    }
    if eq_any_www(b) {
        flags |= URL;
    }
    f.words = words;
    f.tagged = tagged;
    f.caps_first8 = caps_first8;
    f.letters_first8 = letters_first8;
    f.upper = upper;
    f.lower = lower;
    f.hits = hits;
    f.flags = flags;
    f.hash = line_hash(b);
    f
}

const H: u64 = 0x8080_8080_8080_8080;
const L1: u64 = 0x0101_0101_0101_0101;
#[inline(always)]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    // bytes (< 0x80) within lo..=hi get 0x80
    let ge = (x | H).wrapping_sub(L1 * lo as u64) & H;
    let gt = (x | H).wrapping_sub(L1 * (hi as u64 + 1)) & H;
    ge & !gt & !(x & H)
}
#[inline(always)]
fn eq_byte(x: u64, c: u8) -> u64 {
    let y = x ^ (L1 * c as u64);
    !(((y & !H).wrapping_add(!H)) | y) & H
}
static SPREAD: [u64; 128] = {
    let mut t = [0u64; 128];
    let mut i = 0;
    while i < 128 {
        let mut v = 0u64;
        let mut b = 0;
        while b < 7 {
            if i >> b & 1 == 1 {
                v |= 1 << (8 * b);
            }
            b += 1;
        }
        t[i] = v;
        i += 1;
    }
    t
};

fn eq_any_www(b: &[u8]) -> bool {
    memchr::memchr_iter(b'w', b).any(|i| b[i..].starts_with(b"www."))
}
/// The facts of one line, eight bytes at a time; words looked up by position.
fn facts_fast(doc: &[u8], start: usize, end: usize, table: &Table, mode: Mode) -> Facts {
    let b = &doc[start..end];
    let n = b.len();
    let mut f = Facts {
        start: start as u32,
        end: end as u32,
        ..Default::default()
    };
    let mut flags = 0u16;
    let (mut upper, mut lower) = (0u32, 0u32);
    let mut hits_packed = 0u64;
    let mut words = 0u32;
    let mut caps_first8 = 0u32;
    let mut letters_first8 = 0u32;
    let mut tagged = 0u32;
    let mut prev_space = true;
    let mut word_start = 0usize;
    let mut at = 0;
    let load = |at: usize| -> u64 {
        if at + 8 <= n {
            u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
        } else {
            let mut buf = [b' '; 8];
            buf[..n - at].copy_from_slice(&b[at..]);
            u64::from_le_bytes(buf)
        }
    };
    let lookup = |ws: usize, we: usize, hits_packed: &mut u64| {
        if mode == Mode::NoLookup {
            return;
        }
        let len = we - ws;
        if len <= 8 {
            let x = if ws + 8 <= n {
                u64::from_le_bytes(b[ws..ws + 8].try_into().unwrap())
            } else {
                let mut buf = [0u8; 8];
                buf[..n - ws].copy_from_slice(&b[ws..]);
                u64::from_le_bytes(buf)
            };
            let x = x & (u64::MAX >> (64 - 8 * len as u32));
            if x & H == 0 {
                let lw = lower8(x);
                let alnum = in_range(lw, b'a', b'z') | in_range(lw, b'0', b'9');
                if alnum != 0 {
                    let first = alnum.trailing_zeros() / 8;
                    let last = (63 - alnum.leading_zeros()) / 8;
                    let key = (lw >> (8 * first)) & (u64::MAX >> (56 - 8 * (last - first)));
                    *hits_packed += SPREAD[table.get(key) as usize & 127];
                }
            }
        }
    };
    while at < n {
        let x = load(at);
        let high = x & H;
        let space = eq_byte(x, b' ') | eq_byte(x, b'\t');
        let up = in_range(x, b'A', b'Z');
        let lo = in_range(x, b'a', b'z');
        let dg = in_range(x, b'0', b'9');
        upper += up.count_ones();
        lower += lo.count_ones();
        if high != 0 {
            flags |= NON_ASCII;
        }
        if eq_byte(x, b':') != 0 {
            flags |= HAS_COLON;
        }
        if eq_byte(x, b'|') != 0 {
            flags |= SEPARATOR;
        }
        if dg != 0 {
            flags |= HAS_DIGIT;
            if dg & (dg >> 8) & (dg >> 16) & (dg >> 24) != 0 {
                flags |= FOUR_DIGITS;
            }
        }
        // Word starts: a non-space byte after a space.
        let nonspace = !space & H;
        let prev = (space << 8) | if prev_space { 0x80 } else { 0 };
        let mut starts = nonspace & prev;
        let mut ends = space & (nonspace << 8); // a space right after a non-space
        if at == 0 && !prev_space {
            starts = 0;
        }
        if mode == Mode::CountOnly {
            let st = starts
                & if at + 8 > n {
                    u64::MAX >> (64 - 8 * (n - at) as u32)
                } else {
                    u64::MAX
                };
            words += st.count_ones();
            prev_space = (space >> 56) & 0x80 != 0;
            at += 8;
            continue;
        }
        // Walk boundaries in order.
        loop {
            let s_pos = if starts != 0 {
                starts.trailing_zeros()
            } else {
                64
            };
            let e_pos = if ends != 0 { ends.trailing_zeros() } else { 64 };
            if s_pos == 64 && e_pos == 64 {
                break;
            }
            if e_pos < s_pos {
                ends &= ends - 1;
                let we = at + (e_pos / 8) as usize;
                lookup(word_start, we, &mut hits_packed);
            } else {
                starts &= starts - 1;
                let ws = at + (s_pos / 8) as usize;
                if ws >= n {
                    break;
                }
                word_start = ws;
                words += 1;
                let c = b[ws];
                tagged += (c == b'@' || c == b'#') as u32;
                if words <= 8 && c.is_ascii_alphabetic() {
                    letters_first8 += 1;
                    caps_first8 += c.is_ascii_uppercase() as u32;
                }
            }
        }
        prev_space = (space >> 56) & 0x80 != 0;
        at += 8;
    }
    if !prev_space && words > 0 {
        lookup(word_start, n, &mut hits_packed);
    }
    let last = b
        .iter()
        .rev()
        .find(|&&c| !matches!(c, b'"' | b'\'' | b')' | b']' | b'*'));
    if matches!(last, Some(b'.' | b'!' | b'?' | b':' | b';')) {
        flags |= ENDS_SENTENCE;
    }
    if flags & HAS_COLON != 0 && b.windows(3).any(|w| w == b"://") {
        flags |= URL;
    }
    if eq_any_www(b) {
        flags |= URL;
    }
    f.words = words as u16;
    f.tagged = tagged as u16;
    f.caps_first8 = caps_first8 as u8;
    f.letters_first8 = letters_first8 as u8;
    f.upper = upper as u16;
    f.lower = lower as u16;
    for i in 0..7 {
        f.hits[i] = (hits_packed >> (8 * i)) as u8;
    }
    f.flags = flags;
    if mode == Mode::Full {
        f.hash = line_hash(b);
    }
    f
}

/// Which facts a pass computes: `Scalar` is a byte-at-a-time loop over a class table; the
/// others read eight bytes at a time, `Full` with the function-word lookups and the line hash,
/// `NoHash` without the hash, `NoLookup` walking the words without looking them up, and
/// `CountOnly` counting word starts branch-free without walking them.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Scalar,
    Full,
    NoHash,
    NoLookup,
    CountOnly,
}

fn facts(doc: &[u8], table: &Table, out: &mut Vec<Facts>) {
    facts_with(doc, table, out, Mode::Full)
}

fn facts_with(doc: &[u8], table: &Table, out: &mut Vec<Facts>, mode: Mode) {
    out.clear();
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', doc).chain(std::iter::once(doc.len())) {
        let mut s = start;
        let mut e = nl;
        while s < e && matches!(doc[s], b' ' | b'\t' | b'\r') {
            s += 1;
        }
        while e > s && matches!(doc[e - 1], b' ' | b'\t' | b'\r') {
            e -= 1;
        }
        if e > s {
            out.push(if mode == Mode::Scalar {
                facts_of(doc, s, e, table)
            } else {
                facts_fast(doc, s, e, table, mode)
            });
        }
        start = nl + 1;
        if start > doc.len() {
            break;
        }
    }
}

/// Rules: needles in one AC; each needle maps to rules; equals as hashes.
struct Rules {
    ac: AhoCorasick,
    needle_rule: Vec<u32>,
    regexes: Vec<Option<(Regex, usize)>>,
    /// The rule id of each pattern (kept for debugging the prototype's verdicts).
    #[allow(dead_code)]
    ids: Vec<String>,
    equals: FxHashMap<u64, u32>,
}

fn load_rules(dir: &str) -> Rules {
    let mut needles: Vec<String> = Vec::new();
    let mut needle_rule = Vec::new();
    let mut regexes = Vec::new();
    let mut ids = Vec::new();
    let mut equals = FxHashMap::default();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let v: toml::Value = toml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let Some(rules) = v.get("rule").and_then(|r| r.as_array()) else {
            continue;
        };
        for r in rules {
            let id = r["id"].as_str().unwrap().to_string();
            let mut pats = Vec::new();
            for key in ["drop", "cut_after", "cut_before"] {
                if let Some(t) = r.get(key) {
                    pats.push(t.clone());
                }
            }
            if let Some(t) = r.get("range") {
                for k in ["start", "end"] {
                    if let Some(x) = t.get(k) {
                        pats.push(x.clone());
                    }
                }
            }
            for pat in pats {
                let ri = ids.len() as u32;
                ids.push(id.clone());
                let list = |k: &str| -> Vec<String> {
                    match pat.get(k) {
                        Some(toml::Value::String(s)) => vec![s.clone()],
                        Some(toml::Value::Array(a)) => a
                            .iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect(),
                        _ => vec![],
                    }
                };
                let max = pat
                    .get("max_chars")
                    .and_then(|m| m.as_integer())
                    .unwrap_or(100_000) as usize;
                for e in list("equals") {
                    equals.insert(line_hash(e.as_bytes()), ri);
                }
                for k in ["starts_with", "ends_with", "contains"] {
                    for s in list(k) {
                        needles.push(s.to_lowercase());
                        needle_rule.push(ri);
                    }
                }
                let res = list("regex");
                if !res.is_empty() {
                    let joined = format!("(?i)(?:{})", res.join(")|(?:"));
                    regexes.push(Regex::new(&joined).ok().map(|r| (r, max)));
                    // Required literal: the longest run of letters in each alternative (rough).
                    for s in &res {
                        let mut best = String::new();
                        let mut cur = String::new();
                        let mut in_class = false;
                        let mut esc = false;
                        for ch in s.chars() {
                            if esc {
                                esc = false;
                                cur.clear();
                                continue;
                            }
                            match ch {
                                '\\' => esc = true,
                                '[' => in_class = true,
                                ']' => in_class = false,
                                c if c.is_alphabetic() && !in_class => {
                                    cur.push(c.to_ascii_lowercase());
                                    if cur.len() > best.len() {
                                        best = cur.clone();
                                    }
                                    continue;
                                }
                                _ => {}
                            }
                            cur.clear();
                        }
                        if best.len() >= 3 {
                            needles.push(best);
                            needle_rule.push(ri);
                        }
                    }
                } else {
                    regexes.push(None);
                }
            }
        }
    }
    while regexes.len() < ids.len() {
        regexes.push(None);
    }
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&needles)
        .unwrap();
    eprintln!(
        "rules: {} patterns, {} needles, {} equals",
        ids.len(),
        needles.len(),
        equals.len()
    );
    Rules {
        ac,
        needle_rule,
        regexes,
        ids,
        equals,
    }
}

/// Per line, the rule index that removes it (u32::MAX = none).
fn apply_rules(
    doc: &[u8],
    lines: &[Facts],
    rules: &Rules,
    out: &mut Vec<u32>,
    cands: &mut Vec<(u32, u32)>,
) {
    out.clear();
    out.resize(lines.len(), u32::MAX);
    for (k, f) in lines.iter().enumerate() {
        if let Some(&r) = rules.equals.get(&f.hash) {
            out[k] = r;
        }
    }
    // One scan over the document; match positions to lines by walking forward.
    cands.clear();
    let mut li = 0usize;
    for m in rules.ac.find_overlapping_iter(doc) {
        let pos = m.start() as u32;
        while li < lines.len() && lines[li].end <= pos {
            li += 1;
        }
        if li < lines.len() && lines[li].start <= pos {
            cands.push((li as u32, rules.needle_rule[m.pattern().as_usize()]));
        }
    }
    cands.sort_unstable();
    cands.dedup();
    for &(li, r) in cands.iter() {
        let f = &lines[li as usize];
        if out[li as usize] != u32::MAX {
            continue;
        }
        let text = &doc[f.start as usize..f.end as usize];
        let hit = match &rules.regexes[r as usize] {
            Some((re, max)) => {
                text.len() <= *max && std::str::from_utf8(text).map_or(false, |t| re.is_match(t))
            }
            None => true,
        };
        if hit {
            out[li as usize] = r;
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Prose,
    Short,
    Teaser,
    Chrome,
    Barrier,
}

struct Output {
    kept: Vec<String>,
    removed: Vec<(&'static str, String, usize)>,
    id: String,
}

static DATE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b|\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b").unwrap()
});

fn clean(
    doc: &[u8],
    table: &Table,
    rules: &Rules,
    barriers: &FxHashSet<u64>,
    scratch: &mut Scratch,
) -> Option<Output> {
    std::str::from_utf8(doc).ok()?;
    facts(doc, table, &mut scratch.lines);
    let lines = &scratch.lines;
    apply_rules(doc, lines, rules, &mut scratch.rule_of, &mut scratch.cands);
    // Language.
    let mut hits = [0usize; 7];
    let mut total = 0;
    for (f, &r) in lines.iter().zip(&scratch.rule_of) {
        if r == u32::MAX {
            total += f.words as usize;
            for (h, &n) in hits.iter_mut().zip(&f.hits) {
                *h += n as usize;
            }
        }
    }
    let best = (0..7)
        .max_by_key(|&i| hits[i])
        .filter(|&i| hits[i] * 10 >= total.max(1));
    let plausible = |f: &Facts, pct: usize| {
        best.map_or(true, |l| f.hits[l] as usize * 100 >= f.words as usize * pct)
    };
    scratch.class.clear();
    scratch.scores.clear();
    for (f, &r) in lines.iter().zip(&scratch.rule_of) {
        let n = f.words as usize;
        let ends = f.flags & ENDS_SENTENCE != 0;
        let letters = f.upper as usize + f.lower as usize;
        let class = if barriers.contains(&f.hash) {
            Class::Barrier
        } else if (f.flags & URL != 0 && n < 12)
            || f.tagged as usize * 3 > n.max(1)
            || (n < 20 && f.flags & SEPARATOR != 0)
            || (f.flags & NON_ASCII == 0
                && (letters == 0
                    || (n > 8 && letters >= 6 && f.upper as usize * 10 >= letters * 8)))
            || (n <= 8 && !ends && f.flags & FOUR_DIGITS != 0 && {
                let t = unsafe {
                    std::str::from_utf8_unchecked(&doc[f.start as usize..f.end as usize])
                };
                DATE.is_match(t)
            })
            || (n >= 20 && !plausible(f, 15) && f.flags & HAS_COLON == 0)
        {
            Class::Chrome
        } else if n >= 5
            && f.letters_first8 >= 5
            && f.caps_first8 as usize * 10 >= f.letters_first8 as usize * 8
        {
            Class::Teaser
        } else if n >= 8 && ((ends && plausible(f, 8)) || (n >= 25 && plausible(f, 15))) {
            Class::Prose
        } else if n >= 8 {
            Class::Teaser
        } else {
            Class::Short
        };
        let class = if r != u32::MAX && class != Class::Barrier {
            Class::Chrome
        } else {
            class
        };
        let score = match class {
            Class::Prose => (n as f32).min(80.0),
            Class::Short => -3.0,
            Class::Teaser => -8.0,
            Class::Chrome => -6.0,
            Class::Barrier => -30.0,
        };
        scratch.class.push(class);
        scratch.scores.push(score);
    }
    // Repeated short lines are chrome.
    scratch.counts.clear();
    for (f, c) in lines.iter().zip(&scratch.class) {
        if *c != Class::Prose && *c != Class::Barrier {
            *scratch.counts.entry(f.hash).or_default() += 1;
        }
    }
    for k in 0..lines.len() {
        let c = scratch.class[k];
        if c != Class::Prose
            && c != Class::Barrier
            && scratch.counts.get(&lines[k].hash).is_some_and(|&n| n > 1)
        {
            scratch.class[k] = Class::Chrome;
            scratch.scores[k] = scratch.scores[k].min(-6.0);
        }
    }
    // Isolated prose.
    for k in 0..lines.len() {
        let p = |j: Option<usize>| {
            j.and_then(|j| scratch.class.get(j))
                .is_some_and(|c| *c == Class::Prose)
        };
        if scratch.class[k] == Class::Prose && !p(k.checked_sub(1)) && !p(Some(k + 1)) {
            scratch.scores[k] *= 0.35;
        }
    }
    // Best run.
    let (mut best_sum, mut range) = (0.0f32, None);
    let (mut sum, mut s0) = (0.0f32, 0);
    for (i, &s) in scratch.scores.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            s0 = i;
        }
        sum += s;
        if sum > best_sum {
            best_sum = sum;
            range = Some((s0, i));
        }
    }
    let (a, b) = range?;
    // Verdicts, dedup, output.
    let mut out = Output {
        kept: Vec::new(),
        removed: Vec::new(),
        id: String::new(),
    };
    scratch.seen.clear();
    let mut h = Sha256::new();
    for (k, f) in lines.iter().enumerate() {
        let text = unsafe { std::str::from_utf8_unchecked(&doc[f.start as usize..f.end as usize]) };
        let reason: Option<&'static str> = if scratch.rule_of[k] != u32::MAX {
            Some("rule")
        } else if k < a || k > b {
            Some("content.outside-article")
        } else {
            match scratch.class[k] {
                Class::Prose => None,
                Class::Short
                    if scratch.class[k + 1..=b]
                        .iter()
                        .take(3)
                        .any(|c| *c == Class::Prose)
                        || f.flags & ENDS_SENTENCE != 0 =>
                {
                    None
                }
                Class::Short => Some("content.stray-short"),
                Class::Teaser => Some("content.teaser"),
                _ => Some("content.chrome"),
            }
        };
        let reason = match reason {
            None if !scratch.seen.insert(f.hash) => Some("dedup.repeat"),
            r => r,
        };
        match reason {
            Some(r) => out.removed.push((r, text.to_string(), k + 1)),
            None => {
                // Canonical form for the id: ASCII lower-case (non-ASCII copied as is here).
                scratch.buf.clear();
                scratch
                    .buf
                    .extend(text.bytes().map(|c| c.to_ascii_lowercase()));
                h.update(&scratch.buf);
                h.update(b"\n");
                out.kept.push(text.to_string());
            }
        }
    }
    let d = h.finalize();
    out.id = d.iter().map(|b| format!("{b:02x}")).collect();
    Some(out)
}

#[derive(Default)]
struct Scratch {
    lines: Vec<Facts>,
    rule_of: Vec<u32>,
    cands: Vec<(u32, u32)>,
    class: Vec<Class>,
    scores: Vec<f32>,
    counts: FxHashMap<u64, u32>,
    seen: FxHashSet<u64>,
    buf: Vec<u8>,
}

/// Times `f` over every document, whole passes for at least `secs`; the fastest of three
/// rounds, printed as ms a pass, MB/s and the ratio to `base` (MB/s of the baseline).
fn time(
    name: &str,
    docs: &[Vec<u8>],
    bytes: usize,
    secs: f64,
    base: f64,
    mut f: impl FnMut(&[u8]),
) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut passes = 0;
        while t0.elapsed().as_secs_f64() < secs {
            for d in docs {
                f(d);
            }
            passes += 1;
        }
        best = best.min(t0.elapsed().as_secs_f64() / passes as f64);
    }
    let mbs = bytes as f64 / best / 1e6;
    let ratio = if base > 0.0 {
        format!("{:.3}", mbs / base)
    } else {
        "1".into()
    };
    println!(
        "{name:<44} {:7.2} ms {mbs:8.1} MB/s  {ratio:>6}",
        best * 1e3
    );
    mbs
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(rules_dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: text-one-pass PAGES_DIR RULES_DIR [SECONDS]");
        std::process::exit(2);
    };
    let secs: f64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let docs: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let table = Table::new();
    let rules = load_rules(rules_dir);
    let barriers: FxHashSet<u64> = [
        "related",
        "related articles",
        "related stories",
        "comments",
        "most read",
        "most popular",
        "recommended",
        "more stories",
        "you may also like",
        "read more",
        "trending",
    ]
    .iter()
    .map(|s| line_hash(s.as_bytes()))
    .collect();
    println!(
        "{} documents, {bytes} bytes; 300 MB/s is {:.2} ms a pass",
        docs.len(),
        bytes as f64 / 300e6 * 1e3
    );
    println!(
        "{:<44} {:>10} {:>13}  {:>6}",
        "measurement", "a pass", "", "ratio"
    );
    let mut sink = 0u64;
    let base = time(
        "baseline: SHA-256 + counting lines",
        &docs,
        bytes,
        secs,
        0.0,
        |d| {
            let mut h = Sha256::new();
            h.update(d);
            sink ^= h.finalize()[0] as u64 + memchr::memchr_iter(b'\n', d).count() as u64;
        },
    );
    time("line split", &docs, bytes, secs, base, |d| {
        let (mut n, mut start) = (0, 0);
        for nl in memchr::memchr_iter(b'\n', d) {
            n += (nl > start) as u64;
            start = nl + 1;
        }
        sink ^= n;
    });
    let mut lines = Vec::new();
    for (name, mode) in [
        (
            "facts: 8 bytes at a time, words counted only",
            Mode::CountOnly,
        ),
        ("facts: + walking each word", Mode::NoLookup),
        ("facts: + function-word lookups", Mode::NoHash),
        ("facts: + 64-bit line hash (all facts)", Mode::Full),
        ("facts: all, a byte at a time", Mode::Scalar),
    ] {
        time(name, &docs, bytes, secs, base, |d| {
            facts_with(d, &table, &mut lines, mode);
            sink ^= lines.len() as u64;
        });
    }
    time(
        "rules: one Aho-Corasick scan of the document",
        &docs,
        bytes,
        secs,
        base,
        |d| {
            sink ^= rules.ac.find_overlapping_iter(d).count() as u64;
        },
    );
    let mut scratch = Scratch::default();
    time(
        "facts + rules (scan, regexes, exact lines)",
        &docs,
        bytes,
        secs,
        base,
        |d| {
            facts(d, &table, &mut scratch.lines);
            apply_rules(
                d,
                &scratch.lines,
                &rules,
                &mut scratch.rule_of,
                &mut scratch.cands,
            );
            sink ^= scratch.rule_of.iter().filter(|&&r| r != u32::MAX).count() as u64;
        },
    );
    time(
        "whole prototype (+ judge, dedup, id, output)",
        &docs,
        bytes,
        secs,
        base,
        |d| {
            if let Some(o) = clean(d, &table, &rules, &barriers, &mut scratch) {
                sink ^= o.id.len() as u64 + o.kept.len() as u64 + o.removed.len() as u64;
            }
        },
    );
    let (mut kept, mut removed, mut by_rules) = (0, 0, 0);
    for d in &docs {
        if let Some(o) = clean(d, &table, &rules, &barriers, &mut scratch) {
            kept += o.kept.len();
            removed += o.removed.len();
            by_rules += o.removed.iter().filter(|r| r.0 == "rule").count();
        }
    }
    println!(
        "prototype output: {kept} lines kept, {removed} removed ({by_rules} by rules) [{sink}]"
    );
}
