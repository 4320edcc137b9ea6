//! What judging needs to know about a line's words, read in one pass ([`LineWords::of`]), and
//! the function words of the languages it recognises ([`Stopwords`]): a table of short words
//! looked up eight bytes at a time, whose hits tell prose from lists and pick the document's
//! language.

use crate::swar::{bytes_below, bytes_eq, bytes_in, splat, HIGH_BITS};

/// Function words of a few languages; a prose line in a known language contains some.
pub struct Stopwords {
    /// Index into [`LANGS`].
    list: Option<usize>,
}

/// What the content heuristics need to know about a line's words, found in one pass over them.
#[derive(Clone, Copy, Debug, Default)]
pub struct LineWords {
    /// Whitespace-separated words.
    pub words: usize,
    /// Words starting with `@` or `#` (handles, hashtags).
    pub tagged: usize,
    /// Per language of [`LANGS`], how many words are its function words.
    pub(super) hits: [u32; LANGS.len()],
    /// Characters of scripts written without spaces (kana, CJK ideographs).
    pub(super) dense: usize,
    /// Whether the line holds a separator menus and breadcrumbs are joined with: `|`, `•`,
    /// `·`, `»`, `›`.
    pub(super) separator: bool,
}

/// The low `n` bytes of a `u64` (`n <= 8`).
pub(super) fn low_bytes(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0)
}

/// The bytes of eight that [`LineWords::of`] must look at (top bit set): those up to 0x20
/// (ASCII whitespace is among them), and the lead bytes of characters that may be whitespace or
/// of a dense script (0xC2, 0xE1..=0xE9). Every other byte is inside a word.
pub(super) fn boundary_candidates(x: u64) -> u64 {
    let high = x & HIGH_BITS;
    let low7 = x & !HIGH_BITS;
    let control = bytes_below(x, 0x21);
    // Among bytes of 0x80 and above, their low seven bits: 0x42 for 0xC2, 0x61..=0x69 for
    // 0xE1..=0xE9.
    let c2 = !(low7 ^ splat(0x42)).wrapping_add(splat(0x7F)) & HIGH_BITS;
    let wide = high & (c2 | bytes_in(low7, 0x61, 0x69));
    control | wide
}

/// The bytes `text[at..at + 8]`, little-endian, with those past `text`'s end read as `pad`.
pub(super) fn load8(b: &[u8], at: usize, pad: u8) -> u64 {
    let read = |at: usize| {
        b.get(at..at + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map(u64::from_le_bytes)
    };
    match read(at) {
        Some(x) => x,
        // Near the end of a line of eight bytes or more: its last eight, shifted down.
        None if at < b.len() && b.len() >= 8 => {
            let last = b.len() - 8;
            let tail = read(last).unwrap_or_default() >> (8 * (at - last));
            tail | (splat(pad) & !low_bytes(b.len() - at))
        }
        None => load_short(b.get(at..).unwrap_or_default(), pad),
    }
}

/// [`load8`] of a line shorter than eight bytes: out of line, so that the common paths need no
/// `memcpy` call and no registers saved for it.
#[cold]
#[inline(never)]
pub(super) fn load_short(rest: &[u8], pad: u8) -> u64 {
    let mut buf = [pad; 8];
    for (slot, &c) in buf.iter_mut().zip(rest) {
        *slot = c;
    }
    u64::from_le_bytes(buf)
}

/// The `len` (at most eight) bytes of `b` from `at` on, little-endian, zero-padded.
pub(super) fn load_word(b: &[u8], at: usize, len: usize) -> u64 {
    load8(b, at, 0) & low_bytes(len)
}

impl LineWords {
    /// One pass over the line's bytes, eight at a time: only bytes that may start whitespace
    /// (see [`boundary_candidates`]) are looked at one by one, and of the non-ASCII ones, only
    /// characters whose lead byte says they could be whitespace (U+0085, U+00A0, U+1680,
    /// U+2000..=U+205F, U+3000) or a dense-script character are decoded. Words therefore split
    /// exactly as `split_whitespace` splits them. Each word is then looked up as a function word
    /// ([`word_languages`]).
    pub fn of(text: &str) -> LineWords {
        let mut line = LineWords::default();
        let b = text.as_bytes();
        // Where the word being read starts: just after the last whitespace.
        let mut begin = 0;
        let mut at = 0;
        let mut bars = 0;
        while at < b.len() {
            // Padding with a letter adds no candidates.
            let x = load8(b, at, b'x');
            bars |= bytes_eq(x, b'|');
            let mut candidates = boundary_candidates(x);
            while candidates != 0 {
                let i = at + (candidates.trailing_zeros() / 8) as usize;
                candidates &= candidates - 1;
                let end = match b[i] {
                    c if c < 0x80 => {
                        if !is_ascii_space(c) {
                            continue;
                        }
                        i + 1
                    }
                    _ => {
                        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                            continue;
                        };
                        line.dense += usize::from(
                            matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'),
                        );
                        // The other separators start with the candidates' lead bytes too.
                        line.separator |= matches!(c, '•' | '·' | '»' | '›');
                        if !c.is_whitespace() {
                            continue;
                        }
                        i + c.len_utf8()
                    }
                };
                if i > begin {
                    line.add_word(text, begin, i);
                }
                begin = end;
            }
            at += 8;
        }
        if b.len() > begin {
            line.add_word(text, begin, b.len());
        }
        line.separator |= bars != 0;
        line
    }

    /// Counts the word `text[start..end]`; inlined into the scan, which calls it for every word.
    #[inline(always)]
    fn add_word(&mut self, text: &str, start: usize, end: usize) {
        let b = text.as_bytes();
        self.words += 1;
        self.tagged += usize::from(matches!(b[start], b'@' | b'#'));
        // Every word adds its languages' bits to the counts without a branch on them: which
        // words are function words is as unpredictable as the text.
        let langs = word_languages(text, start, end);
        for (i, h) in self.hits.iter_mut().enumerate() {
            *h += u32::from(langs >> i & 1);
        }
    }

    #[cfg(test)]
    pub(super) fn add(&mut self, word: &[u8], langs: u8) {
        self.words += 1;
        self.tagged += usize::from(matches!(word.first(), Some(b'@' | b'#')));
        for (i, h) in self.hits.iter_mut().enumerate() {
            *h += u32::from((langs >> i) & 1);
        }
    }
}

/// [`function_word_languages`] of the word `text[start..end]`, with fast answers for most
/// words: an ASCII word of at most [`KEY_BYTES`] bytes is trimmed, lower-cased and keyed eight
/// bytes at a time. No spelling of a function word is longer than that (see the
/// `longer_words_are_no_function_words` test), and trimming keeps every alphanumeric
/// character, so a word with two alphanumeric ASCII bytes more than that apart is none; nor is
/// a word with none of the bytes every spelling holds one of (see
/// `function_words_need_these_bytes`).
#[inline(always)]
pub(super) fn word_languages(text: &str, start: usize, end: usize) -> u8 {
    let b = text.as_bytes();
    let len = end - start;
    if len <= KEY_BYTES {
        let x = load_word(b, start, len);
        if x & HIGH_BITS == 0 {
            return ascii_key_languages(x);
        }
    } else if (b[start].is_ascii_alphanumeric() && b[start + KEY_BYTES].is_ascii_alphanumeric())
        || (b[end - 1].is_ascii_alphanumeric() && b[end - 1 - KEY_BYTES].is_ascii_alphanumeric())
    {
        return 0;
    }
    other_word_languages(text, start, end)
}

/// [`word_languages`] of the words its fast answers do not cover (non-ASCII ones, long ones
/// with punctuation). Kept out of line so that the common path stays small.
#[inline(never)]
pub(super) fn other_word_languages(text: &str, start: usize, end: usize) -> u8 {
    let Some(w) = text.get(start..end) else {
        return 0;
    };
    // A word of another script is settled by its first letter, which trimming keeps and which
    // lower-cases to none of the function words' characters (see
    // `other_scripts_spell_no_function_word`).
    if w.chars().next().is_some_and(is_other_script_letter) {
        return 0;
    }
    if !w.bytes().any(may_spell_function_word) {
        return 0;
    }
    latin1_word_languages(w.as_bytes()).unwrap_or_else(|| function_word_languages(w))
}

/// [`function_word_languages`] of a word whose letters are ASCII or Latin-1 (the accented
/// function words of the Romance languages and German), lower-cased bytewise: a Latin-1 letter
/// is 0xC3 and a byte, and its capitals (0x80..=0x9E but ×, 0x97) lower-case by adding 0x20 to
/// that byte. Curly apostrophes inside words ("don’t") are common too. `None` for words with
/// other characters, which take the general path.
pub(super) fn latin1_word_languages(w: &[u8]) -> Option<u8> {
    let kept = |c: &u8| c.is_ascii_alphanumeric() || *c >= 0x80;
    // ASCII punctuation around the word is trimmed. What is left is the trimmed word only if
    // it starts and ends with a letter or digit: a non-ASCII character there may be
    // punctuation that the general path trims.
    let Some(first) = w.iter().position(kept) else {
        return Some(0);
    };
    let last = w.iter().rposition(kept).unwrap_or(first);
    let core = &w[first..=last];
    let latin1_letter = |c: &u8| matches!(c, 0x80..=0x96 | 0x98..=0xB6 | 0xB8..=0xBF);
    let starts_with_letter = match core {
        [c, ..] if c.is_ascii_alphanumeric() => true,
        [0xC3, c, ..] => latin1_letter(c),
        _ => false,
    };
    let ends_with_letter = match core {
        [.., c] if c.is_ascii_alphanumeric() => true,
        [.., 0xC3, c] => latin1_letter(c),
        _ => false,
    };
    if !starts_with_letter || !ends_with_letter {
        return None;
    }
    if core.len() > MAX_FUNCTION_WORD {
        return Some(0);
    }
    let mut key = 0u64;
    let mut len = 0;
    let mut i = 0;
    while i < core.len() {
        let (byte, width) = match core[i] {
            c if c.is_ascii_alphanumeric() => (c.to_ascii_lowercase(), 1),
            0xC3 => match core.get(i + 1) {
                Some(&c @ 0x80..=0x9E) if c != 0x97 => (c + 0x20, 2),
                Some(&c @ (0x9F..=0xB6 | 0xB8..=0xBF)) => (c, 2),
                _ => return None,
            },
            // Inside the word, punctuation of U+2000..=U+203F (a curly apostrophe) stays as it
            // is; at its start it would be trimmed, which the general path does.
            0xE2 if i > 0 && core.get(i + 1) == Some(&0x80) && i + 2 < core.len() => {
                (core[i + 2], 3)
            }
            _ => return None,
        };
        for &lead in &core[i..i + width - 1] {
            if len >= KEY_BYTES {
                return Some(0);
            }
            key |= u64::from(lead) << (8 * len);
            len += 1;
        }
        if len >= KEY_BYTES {
            return Some(0);
        }
        key |= u64::from(byte) << (8 * len);
        len += 1;
        i += width;
    }
    Some(languages_of_key(key))
}

/// Letters of Cyrillic, kana, CJK ideographs and Hangul syllables.
pub(super) fn is_other_script_letter(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{481}' | '\u{48a}'..='\u{4ff}' | '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30fa}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}')
}

/// Whether a byte is one that any spelling of a function word (any case) holds at least one of:
/// ASCII letters and digits, the lead byte of Latin-1 letters (0xC3) and that of the Kelvin
/// sign (0xE2), which lower-cases to `k`.
pub(super) fn may_spell_function_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == 0xC3 || b == 0xE2
}

/// [`function_word_languages`] of an ASCII word of at most [`KEY_BYTES`] bytes, given as a
/// little-endian `u64` padded with zero bytes: trimmed to its first and last alphanumeric
/// byte and lower-cased, all eight bytes at once.
pub(super) fn ascii_key_languages(x: u64) -> u8 {
    let alnum = bytes_in(x, b'0', b'9') | bytes_in(x | splat(0x20), b'a', b'z');
    if alnum == 0 {
        return 0;
    }
    let first = (alnum.trailing_zeros() / 8) as usize;
    let last = ((63 - alnum.leading_zeros()) / 8) as usize;
    // Upper-case letters get the 0x20 bit, which is what `to_ascii_lowercase` adds.
    let lower = x | (bytes_in(x, b'A', b'Z') >> 2);
    languages_of_key((lower >> (8 * first)) & low_bytes(last - first + 1))
}

/// The ASCII characters `char::is_whitespace` accepts: tab, line feed, vertical tab, form feed,
/// carriage return and space.
pub(super) fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (9..=13).contains(&b)
}

/// `c.is_alphanumeric()`, without the Unicode tables for Latin-1 and basic Cyrillic letters
/// (trimming a word of those scripts asks about its first and last letter).
pub(super) fn is_alphanumeric(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | 'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ' => true,
        '\u{400}'..='\u{45f}' => true,
        c => c.is_alphanumeric(),
    }
}

/// [`languages_of`] a word as it stands in a line (any case, punctuation around it). Runs for
/// every word of every line, so words are trimmed and lower-cased on the stack, and a word
/// longer than any function word is not lower-cased at all.
pub(super) fn function_word_languages(w: &str) -> u8 {
    // Trimming ASCII punctuation bytewise first, then whatever non-ASCII is left, trims the
    // same characters as one `trim_matches`.
    let w = w.trim_matches(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric());
    let w = if w.starts_with(|c: char| !c.is_ascii()) || w.ends_with(|c: char| !c.is_ascii()) {
        w.trim_matches(|c: char| !is_alphanumeric(c))
    } else {
        w
    };
    if w.len() > MAX_FUNCTION_WORD {
        return 0;
    }
    let mut buf = [0u8; KEY_BYTES];
    let mut len = 0;
    if w.is_ascii() {
        let Some(lower) = buf.get_mut(..w.len()) else {
            return 0;
        };
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        len = w.len();
    } else {
        // Per character lower-casing differs from `str::to_lowercase` only for a final capital
        // sigma, and no function word holds a sigma in either form.
        for c in w.chars().flat_map(char::to_lowercase) {
            let Some(slot) = buf.get_mut(len..len + c.len_utf8()) else {
                return 0;
            };
            c.encode_utf8(slot);
            len += c.len_utf8();
        }
    }
    languages_of(&buf[..len])
}

/// Longer (in bytes) than any word of the function-word lists, in any case.
pub(super) const MAX_FUNCTION_WORD: usize = 16;
/// At least as long (in bytes) as every lower-case function word: each fits one `u64` key.
pub(super) const KEY_BYTES: usize = 8;

/// A lower-case word of at most [`KEY_BYTES`] bytes as one integer (zero-padded; a word never
/// ends in a zero byte, so no two words share a key).
pub(super) fn key(word: &[u8]) -> Option<u64> {
    let mut buf = [0u8; KEY_BYTES];
    buf.get_mut(..word.len())?.copy_from_slice(word);
    Some(u64::from_le_bytes(buf))
}

/// The languages (bit `i` for `LANGS[i]`) whose function-word list holds the lower-case
/// `word`: one look-up in a small open-addressing table instead of a scan of every list (it
/// runs for nearly every word of every line).
pub(super) fn languages_of(word: &[u8]) -> u8 {
    key(word).map_or(0, languages_of_key)
}

/// Every function word's languages, by [`key`]; built by the compiler, so looking a word up
/// costs no check of whether the table is ready.
pub(super) static INDEX: WordTable = WordTable::build();

/// [`languages_of`] the word whose [`key`] is `k`: the four slots of its bucket are compared
/// at once, so the look-up has no branch that depends on the word.
pub(super) fn languages_of_key(k: u64) -> u8 {
    let bucket = WordTable::bucket(k);
    let (keys, langs) = (&INDEX.keys[bucket], &INDEX.langs[bucket]);
    let mut found = 0;
    for (&key, &l) in keys.iter().zip(langs) {
        found |= if key == k { l } else { 0 };
    }
    found
}

/// Buckets of [`WordTable`]: one per value of a `u8`, so a bucket number needs no bounds check.
pub(super) const WORD_BUCKETS: usize = 256;
/// Slots per bucket. The function words fill at most four of any bucket under the table's hash
/// (the table is built by the compiler, which refuses a fuller bucket).
pub(super) const WORD_WAYS: usize = 4;

/// Function-word keys (see [`key`]; 0 marks a free slot, which no word's key is) with their
/// language bits, each in the bucket of its multiplicative hash.
pub(super) struct WordTable {
    keys: [[u64; WORD_WAYS]; WORD_BUCKETS],
    langs: [[u8; WORD_WAYS]; WORD_BUCKETS],
}

impl WordTable {
    /// The table of every word of [`LANGS`] ([`key`], spelled out for a `const fn`).
    const fn build() -> WordTable {
        let mut index = WordTable {
            keys: [[0; WORD_WAYS]; WORD_BUCKETS],
            langs: [[0; WORD_WAYS]; WORD_BUCKETS],
        };
        let mut lang = 0;
        while lang < LANGS.len() {
            let list = LANGS[lang];
            let mut n = 0;
            while n < list.len() {
                let w = list[n].as_bytes();
                // Every function word fits (`function_words_fit_the_stack_buffer`).
                if w.len() <= KEY_BYTES {
                    let mut k = 0u64;
                    let mut i = 0;
                    while i < w.len() {
                        k |= (w[i] as u64) << (8 * i);
                        i += 1;
                    }
                    let bucket = WordTable::bucket(k);
                    let mut slot = 0;
                    while index.keys[bucket][slot] != 0 && index.keys[bucket][slot] != k {
                        slot += 1;
                        // A compile-time error: a new word needs a bigger table or another
                        // multiplier.
                        assert!(slot < WORD_WAYS, "a function-word bucket overflows");
                    }
                    index.keys[bucket][slot] = k;
                    index.langs[bucket][slot] |= 1 << lang;
                }
                n += 1;
            }
            lang += 1;
        }
        index
    }

    /// The bucket of key `k`: the top byte of a multiplicative hash.
    const fn bucket(k: u64) -> usize {
        (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8 as usize
    }
}

pub(super) const EN: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its",
    "that", "this", "these", "those", "he", "she", "they", "we", "you", "i", "his", "her", "their",
    "our", "not", "will", "would", "can", "could", "said", "which", "who", "than", "there", "into",
    "about", "after", "also", "more", "if", "when", "what", "so", "do", "does",
];
pub(super) const ES: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "en", "con", "por", "para",
    "que", "es", "son", "fue", "se", "su", "sus", "al", "lo", "como", "más", "pero", "no", "ha",
    "este", "esta", "sobre", "entre",
];
pub(super) const PT: &[&str] = &[
    "o", "a", "os", "as", "um", "uma", "e", "ou", "de", "do", "da", "dos", "das", "em", "no", "na",
    "nos", "nas", "com", "por", "para", "que", "é", "foi", "se", "seu", "sua", "ao", "como",
    "mais", "mas", "não", "pelo", "pela",
];
pub(super) const FR: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "et", "ou", "de", "du", "en", "dans", "avec", "par",
    "pour", "que", "qui", "est", "sont", "été", "se", "sa", "son", "ses", "au", "aux", "ce",
    "cette", "plus", "mais", "ne", "pas", "sur", "il", "elle",
];
pub(super) const DE: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "und", "oder", "von", "zu", "im",
    "in", "mit", "auf", "für", "ist", "sind", "war", "wurde", "sich", "sein", "nicht", "auch",
    "als", "wie", "bei", "nach", "es", "er", "sie", "dass",
];
pub(super) const IT: &[&str] = &[
    "il", "lo", "la", "i", "gli", "le", "un", "una", "e", "o", "di", "del", "della", "in", "con",
    "per", "che", "è", "sono", "era", "si", "suo", "sua", "al", "come", "più", "ma", "non", "nel",
    "nella", "da",
];
pub(super) const NL: &[&str] = &[
    "de", "het", "een", "en", "of", "van", "in", "op", "met", "voor", "dat", "die", "is", "zijn",
    "was", "werd", "zich", "niet", "ook", "als", "bij", "naar", "er", "hij", "zij", "aan",
];
pub(super) const LANGS: &[&[&str]] = &[EN, ES, PT, FR, DE, IT, NL];
/// The index of [`EN`] in [`LANGS`].
pub(super) const EN_LIST: usize = 0;

impl Stopwords {
    /// Picks the language list that covers the text (its lines' [`LineWords`]) best; none if
    /// no list covers at least a tenth of its words (another script or language: the signal is
    /// then not used).
    pub fn for_lines<'a>(lines: impl Iterator<Item = &'a LineWords>) -> Stopwords {
        let mut hits = [0usize; LANGS.len()];
        let mut total = 0usize;
        for line in lines {
            total += line.words;
            for (h, &n) in hits.iter_mut().zip(&line.hits) {
                *h += n as usize;
            }
        }
        let best = (0..LANGS.len()).max_by_key(|&i| hits[i]);
        Stopwords {
            list: best.filter(|&i| hits[i] * 10 >= total.max(1)),
        }
    }

    /// Whether a line has the function-word density of running text (always true when no
    /// language list applies).
    pub fn plausible(&self, line: &LineWords, percent: usize) -> bool {
        let Some(lang) = self.list else { return true };
        line.hits[lang] as usize * 100 >= line.words * percent
    }
}
