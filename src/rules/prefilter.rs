//! A literal prefilter for the text rules: which rules could match a block, found with one
//! Aho-Corasick scan of the document's blocks instead of one regex search per rule and block.
//!
//! Most blocks match no rule, yet every rule's regex used to run on every block, and the regex
//! engines that handle Unicode word boundaries on non-ASCII text are the slow ones. Nearly every
//! rule pattern contains text that any match must contain: `we use cookies` needs `cookies`,
//! `^(see also|read more)\s*:` needs `see also` or `read more`. [`required`] reads that text off
//! the compiled pattern's syntax tree (lower-cased, as a set of alternatives); [`required_sets`]
//! reads several such sets off a sequence, all of which a match needs. [`TextIndex`] finds every
//! needle of a document at once and lists, per set, the blocks that hold one.
//!
//! Contract: a needle set is a *necessary* condition: if a pattern matches a block, the block's
//! lower-cased text contains one of the pattern's needles. The regex still decides; a pattern
//! whose necessary text cannot be read (a pure character class, `.{3}`) has no needles and runs
//! on every block. So the index changes speed, never a verdict.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Lower-case strings one of which every match of `pattern` contains, or `None` when no such
/// set can be read.
pub fn required(pattern: &str) -> Option<Vec<String>> {
    required_hir(&regex_syntax::parse(pattern).ok()?)
}

/// [`required`] for a parsed pattern.
pub fn required_hir(hir: &Hir) -> Option<Vec<String>> {
    required_sets(hir, 1).pop()
}

/// Up to `most` needle sets of which every match of `hir` contains one needle each: the most
/// selective ones, most selective first. A pattern that is a sequence of parts (`(?:[\w ]+)/
/// (?:Getty|AP)$`) has a set for each part it can read one off, and a block must hold one
/// needle of every set; two weak sets (`/`, `ap`) together let far fewer blocks through than
/// either.
pub fn required_sets(hir: &Hir, most: usize) -> Vec<Vec<String>> {
    let mut sets: Vec<Vec<String>> = candidates(hir)
        .into_iter()
        // An empty needle would admit every block: the same as having none.
        .filter(|set| !set.iter().any(String::is_empty))
        .collect();
    sets.sort_by_key(|set| std::cmp::Reverse(weight(set)));
    sets.dedup();
    sets.truncate(most);
    sets
}

/// How selective a needle set is: the length of its shortest needle.
fn weight(set: &[String]) -> usize {
    set.iter().map(|n| n.chars().count()).min().unwrap_or(0)
}

/// The most selective of [`candidates`].
fn needles(hir: &Hir) -> Option<Vec<String>> {
    candidates(hir).into_iter().max_by_key(|set| weight(set))
}

/// Needle sets each of which is necessary on its own: every match of `hir` contains one of the
/// needles of each set.
fn candidates(hir: &Hir) -> Vec<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => {
            literal_text(hir).map(|s| vec![s]).into_iter().collect()
        }
        HirKind::Capture(c) => candidates(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => candidates(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                let Some(set) = needles(a) else {
                    return Vec::new();
                };
                all.extend(set);
            }
            all.sort();
            all.dedup();
            vec![all]
        }
        HirKind::Concat(parts) => {
            // Every part is required. Runs of parts whose every match is known (literals, and
            // alternations of them) form longer needles: each string of the run's product
            // occurs whole in a match. Assertions consume nothing and do not break a run.
            let mut sets = Vec::new();
            let mut run: Vec<String> = vec![String::new()];
            let flush = |run: &mut Vec<String>, sets: &mut Vec<Vec<String>>| {
                if run.iter().any(|s| !s.is_empty()) {
                    sets.push(std::mem::replace(run, vec![String::new()]));
                }
            };
            for p in parts {
                if matches!(p.kind(), HirKind::Look(_)) {
                    continue;
                }
                match exact(p) {
                    Some(strings) if run.len() * strings.len() <= MAX_EXACT => {
                        run = product(&run, &strings);
                    }
                    Some(strings) => {
                        flush(&mut run, &mut sets);
                        run = strings;
                    }
                    None => {
                        flush(&mut run, &mut sets);
                        sets.extend(candidates(p));
                    }
                }
            }
            flush(&mut run, &mut sets);
            sets
        }
        _ => Vec::new(),
    }
}

/// The most strings [`exact`] lists, and a run of them in a sequence multiplies to.
const MAX_EXACT: usize = 64;

/// Every string `hir` matches (lower-cased, as needles are), when there are few: literals,
/// one-character classes, and sequences and alternations of them.
fn exact(hir: &Hir) -> Option<Vec<String>> {
    let strings = match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => vec![literal_text(hir)?],
        HirKind::Capture(c) => exact(&c.sub)?,
        HirKind::Concat(parts) => {
            let mut all = vec![String::new()];
            for p in parts {
                all = product(&all, &exact(p)?);
                if all.len() > MAX_EXACT {
                    return None;
                }
            }
            all
        }
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(exact(a)?);
            }
            all.sort();
            all.dedup();
            all
        }
        _ => return None,
    };
    (strings.len() <= MAX_EXACT).then_some(strings)
}

/// Every string of `heads` followed by every string of `tails`.
fn product(heads: &[String], tails: &[String]) -> Vec<String> {
    heads
        .iter()
        .flat_map(|h| tails.iter().map(move |t| format!("{h}{t}")))
        .collect()
}

/// The lower-case text a literal, or a class that is one character in any case (`[Kk]`, as
/// `(?i)k` compiles), always matches.
fn literal_text(hir: &Hir) -> Option<String> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(
            std::str::from_utf8(&lit.0)
                .ok()?
                .chars()
                .map(fold_case)
                .collect(),
        ),
        HirKind::Class(Class::Unicode(cls)) => {
            let mut one: Option<char> = None;
            let mut count = 0;
            for range in cls.ranges() {
                for c in range.start()..=range.end() {
                    count += 1;
                    if count > 4 {
                        return None;
                    }
                    let l = fold_case(c);
                    if one.is_some_and(|o| o != l) {
                        return None;
                    }
                    one = Some(l);
                }
            }
            one.map(String::from)
        }
        _ => None,
    }
}

/// The one character both needles and blocks are compared in: the lower case when it is one
/// character, with the long s folded to `s` (`(?i)s` also matches `ſ`, whose lower case is
/// itself). Applying the same map to both sides is what keeps needles a necessary condition.
fn fold_case(c: char) -> char {
    if c == 'ſ' {
        return 's';
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Needles, each with the users that asked for it, found all at once in a haystack (ASCII case
/// ignored, overlapping matches, so every needle present is reported). Both rule indexes use it.
#[derive(Debug, Clone)]
pub(crate) struct Needles<U> {
    ac: Option<AhoCorasick>,
    /// Per needle (pattern id), its users.
    users: Vec<Vec<U>>,
}

impl<U> Default for Needles<U> {
    fn default() -> Self {
        Needles {
            ac: None,
            users: Vec::new(),
        }
    }
}

impl<U> Needles<U> {
    /// Groups `(needle, user)` pairs by needle and builds the automaton (`kind`: `None` lets the
    /// crate choose). `Err` hands the users back when it cannot be built, which short literals
    /// from rule files never cause; the caller then tests those users everywhere.
    pub(crate) fn build(
        pairs: impl IntoIterator<Item = (String, U)>,
        kind: Option<AhoCorasickKind>,
    ) -> Result<Needles<U>, Vec<U>> {
        let mut needles: Vec<String> = Vec::new();
        let mut users: Vec<Vec<U>> = Vec::new();
        for (needle, user) in pairs {
            let at = needles
                .iter()
                .position(|x| *x == needle)
                .unwrap_or_else(|| {
                    needles.push(needle);
                    users.push(Vec::new());
                    needles.len() - 1
                });
            users[at].push(user);
        }
        if needles.is_empty() {
            return Ok(Needles::default());
        }
        match AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(kind)
            .match_kind(MatchKind::Standard)
            .build(&needles)
        {
            Ok(ac) => Ok(Needles {
                ac: Some(ac),
                users,
            }),
            Err(_) => Err(users.into_iter().flatten().collect()),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// The users of every needle found in `hay` (a user once per occurrence).
    pub(crate) fn users_in<'a>(&'a self, hay: &'a str) -> impl Iterator<Item = &'a U> + 'a {
        self.found_in(hay).flat_map(|(_, users)| users)
    }

    /// Every needle occurrence in `hay`: where it starts, and the needle's users.
    pub(crate) fn found_in<'a>(
        &'a self,
        hay: &'a str,
    ) -> impl Iterator<Item = (usize, &'a [U])> + 'a {
        self.ac
            .iter()
            .flat_map(move |ac| ac.find_overlapping_iter(hay))
            .map(move |m| (m.start(), self.users[m.pattern().as_usize()].as_slice()))
    }
}

/// Which text rules could match a block. Each rule pattern has a slot; a block's candidates are
/// the slots of patterns without needles plus those whose needle occurs in it.
#[derive(Debug, Clone, Default)]
pub struct TextIndex {
    always: Vec<usize>,
    /// Needles, each with the slots that use it.
    needles: Needles<usize>,
    slots: usize,
    /// Whether no needle character is the fold of another character, other than the ASCII
    /// letters (which the automaton matches in either case): then a block needs folding only
    /// where it holds one of the two non-ASCII characters that fold to ASCII letters.
    fold_free: bool,
}

impl TextIndex {
    /// Indexes one needle set per slot (`None`: tested on every block).
    pub fn build(sets: &[Option<Vec<String>>]) -> TextIndex {
        let mut index = TextIndex {
            slots: sets.len(),
            ..TextIndex::default()
        };
        index.fold_free = sets
            .iter()
            .flatten()
            .flatten()
            .all(|n| n.chars().all(|c| c.is_ascii() || !is_cased(c)));
        let mut pairs = Vec::new();
        for (slot, set) in sets.iter().enumerate() {
            match set {
                Some(set) => pairs.extend(set.iter().map(|n| (n.clone(), slot))),
                None => index.always.push(slot),
            }
        }
        // ASCII case folding in the automaton spares lower-casing ASCII blocks; blocks with
        // other characters are lower-cased first (see `candidates`). A DFA: overlapping search
        // cannot use the packed prefilters, and the needle set is small enough for a DFA.
        match Needles::build(pairs, Some(AhoCorasickKind::DFA)) {
            Ok(needles) => index.needles = needles,
            Err(slots) => index.always.extend(slots),
        }
        index
    }

    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Sets `out[slot]` (all `false` on entry, `slots()` long) for every slot that could match
    /// `text`.
    pub fn candidates(&self, text: &str, out: &mut [bool]) {
        for &s in &self.always {
            out[s] = true;
        }
        if self.needles.is_empty() {
            return;
        }
        for &s in self.needles.users_in(self.searchable(text).as_ref()) {
            out[s] = true;
        }
    }

    /// [`candidates`](Self::candidates) for every block of a document at once: the blocks are
    /// searched as one haystack, one per line, so the automaton starts once per document
    /// rather than once per block. A needle found inside a block is found there in the
    /// haystack too; one found across a line break (only a needle holding one could be) admits
    /// a block needlessly, never hides one.
    pub fn admitted<S: AsRef<str>>(&self, blocks: &[S]) -> Admitted {
        let mut admitted = Admitted::new(blocks.len(), self.slots);
        for &s in &self.always {
            admitted.admit_all(s);
        }
        if self.needles.is_empty() {
            return admitted;
        }
        let mut hay = String::with_capacity(blocks.iter().map(|b| b.as_ref().len() + 1).sum());
        let mut starts = Vec::with_capacity(blocks.len());
        for b in blocks {
            starts.push(hay.len());
            hay.push_str(&self.searchable(b.as_ref()));
            hay.push('\n');
        }
        // Matches come in the order they end, so the block of the next match is nearly always
        // the last one's or a later one: look forward from there before searching all.
        let mut block = 0;
        for (at, slots) in self.needles.found_in(&hay) {
            if starts.get(block).is_some_and(|&s| s <= at)
                && starts.get(block + 1).is_none_or(|&next| at < next)
            {
                // Still in the same block.
            } else {
                block = starts.partition_point(|&s| s <= at).saturating_sub(1);
            }
            for &s in slots {
                admitted.admit(s, block);
            }
        }
        admitted
    }

    /// `text` as the automaton must see it. It ignores ASCII case; other letters are folded
    /// first, unless no needle could be affected (no needle character is the fold of another
    /// one, and none of `K` (Kelvin) and `ſ`, which fold to ASCII letters, is in the block).
    fn searchable<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.is_ascii() || (self.fold_free && !folds_to_ascii(text)) {
            return Cow::Borrowed(text);
        }
        // The automaton ignores ASCII case, so only non-ASCII characters that fold to another
        // character are rewritten; most (punctuation, lower-case letters, scripts without case)
        // are their own fold, and the text between those that are not is copied as it is.
        let mut out: Option<String> = None;
        let mut copied = 0;
        for (at, c) in text.char_indices().filter(|(_, c)| !c.is_ascii()) {
            let folded = fold_case(c);
            if folded == c {
                continue;
            }
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..at]);
            out.push(folded);
            copied = at + c.len_utf8();
        }
        match out {
            None => Cow::Borrowed(text),
            Some(mut out) => {
                out.push_str(&text[copied..]);
                Cow::Owned(out)
            }
        }
    }
}

/// Whether `text` holds one of the two non-ASCII characters whose [`fold_case`] is an ASCII
/// letter: `K` (Kelvin sign, UTF-8 `E2 84 AA`) and `ſ` (long s, `C5 BF`).
fn folds_to_ascii(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr2_iter(0xE2, 0xC5, b).any(|at| {
        let rest = &b[at..];
        rest.starts_with("\u{212A}".as_bytes()) || rest.starts_with("ſ".as_bytes())
    })
}

/// Whether `c` has case: it or another character could change under [`fold_case`] into it.
/// A needle character without case is found as it is, so blocks need not be folded for it
/// (a test checks this against every character).
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || c.to_uppercase().ne([c]) || c.to_lowercase().ne([c])
}

/// Per slot, the blocks of a document it could match (see [`TextIndex::admitted`]): one bit per
/// block, a row of bits per slot that admits any block at all.
#[derive(Debug, Clone)]
pub struct Admitted {
    blocks: usize,
    /// `u64`s per row.
    words: usize,
    /// Per slot, where its row starts in `bits`; [`NO_ROW`] for a slot that admits no block.
    rows: Vec<usize>,
    bits: Vec<u64>,
}

/// The row of a slot that admits no block.
const NO_ROW: usize = usize::MAX;

impl Admitted {
    fn new(blocks: usize, slots: usize) -> Admitted {
        Admitted {
            blocks,
            words: blocks.div_ceil(64),
            rows: vec![NO_ROW; slots],
            bits: Vec::new(),
        }
    }

    /// Every block admitted for every slot: what no index at all lets through.
    pub fn everything(blocks: usize) -> Admitted {
        Admitted::new(blocks, 0)
    }

    /// The row of `slot`, made (empty) on first use.
    fn row_mut(&mut self, slot: usize) -> &mut [u64] {
        if self.rows[slot] == NO_ROW {
            self.rows[slot] = self.bits.len();
            self.bits.resize(self.bits.len() + self.words, 0);
        }
        let at = self.rows[slot];
        &mut self.bits[at..at + self.words]
    }

    fn admit(&mut self, slot: usize, block: usize) {
        self.row_mut(slot)[block / 64] |= 1 << (block % 64);
    }

    fn admit_all(&mut self, slot: usize) {
        let blocks = self.blocks;
        let row = self.row_mut(slot);
        row.fill(u64::MAX);
        if let Some(last) = row.last_mut().filter(|_| blocks % 64 != 0) {
            *last = (1 << (blocks % 64)) - 1;
        }
    }

    /// Whether `slot` could match block `block`; a slot the index does not know is always let
    /// through.
    pub fn get(&self, block: usize, slot: usize) -> bool {
        match self.rows.get(slot) {
            None => true,
            Some(&NO_ROW) => false,
            Some(&at) => self.bits[at + block / 64] & (1 << (block % 64)) != 0,
        }
    }

    /// The blocks, in order, that every one of `slots` could match: all of them for no slots
    /// (slots the index does not know are left out, as they admit every block).
    pub fn all_of<'a>(&'a self, slots: &[usize]) -> impl Iterator<Item = usize> + 'a {
        let mut rows = Vec::new();
        let mut none = false;
        for &s in slots {
            match self.rows.get(s) {
                None => {}
                Some(&NO_ROW) => none = true,
                Some(&at) => rows.push(at),
            }
        }
        let words = if none { 0 } else { self.words };
        let blocks = self.blocks;
        (0..words).flat_map(move |w| {
            let mut word = rows
                .iter()
                .fold(u64::MAX, |acc, &at| acc & self.bits[at + w]);
            if rows.is_empty() && w + 1 == words && blocks % 64 != 0 {
                word = (1 << (blocks % 64)) - 1;
            }
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros() as usize;
                    word &= word - 1;
                    w * 64 + bit
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &str) -> Option<Vec<String>> {
        required(p)
    }

    #[test]
    fn needles_are_read_from_patterns() {
        assert_eq!(
            req(r"(?i)\b(we|this (site|website)) uses? cookies\b"),
            Some(vec![" cookies".into()])
        );
        assert_eq!(
            req(r"(?i)^(see also|read more)\s*:\s*\S.{0,160}$"),
            Some(vec!["read more".into(), "see also".into()])
        );
        assert_eq!(
            req(r"(?i)^(?:Open in App)$"),
            Some(vec!["open in app".into()])
        );
        assert_eq!(req(r"^\d+ of \d+\b"), Some(vec![" of ".into()]));
        assert_eq!(req(r"(?i)^[\w .]{0,40}$"), None);
        assert_eq!(req(r"(?i)x?"), None);
        assert_eq!(req(r"(?i)(a|.+)"), None, "one alternative without text");
    }

    /// With ASCII needles only, blocks are searched unfolded except where a character that
    /// folds to an ASCII letter could hide a match.
    #[test]
    fn ascii_needles_still_see_kelvin_and_long_s() {
        let patterns = [r"(?i)\bcookies\b", r"(?i)^see also$", r"(?i)^café$"];
        let sets: Vec<_> = patterns[..2].iter().map(|p| required(p)).collect();
        let index = TextIndex::build(&sets);
        assert!(index.fold_free);
        for b in [
            "we use coo\u{212A}ies",
            "ſee alſo",
            "Nous aimons les COOKIES",
            "é",
        ] {
            let mut out = vec![false; index.slots()];
            index.candidates(b, &mut out);
            for (slot, p) in patterns[..2].iter().enumerate() {
                if regex::Regex::new(p).unwrap().is_match(b) {
                    assert!(out[slot], "{p} matches {b:?} but was filtered out");
                }
            }
        }
        let all = TextIndex::build(&patterns.iter().map(|p| required(p)).collect::<Vec<_>>());
        assert!(!all.fold_free);
    }

    /// Whatever the index admits must include every slot whose pattern matches.
    #[test]
    fn index_never_hides_a_match() {
        index_never_hides_a_match_in(false);
        index_never_hides_a_match_in(true);
    }

    /// Blocks checked one by one, or (`whole`) as one document.
    fn index_never_hides_a_match_in(whole: bool) {
        let patterns = [
            r"(?i)\bcookies\b",
            r"(?i)^(see also|read more)\s*:",
            r"(?i)^(?:ÉTÉ|Straße)$",
            r"(?i)^see also$",
            r"©",
            r"(?i)^[\w ]{0,5}$",
        ];
        let index = TextIndex::build(&patterns.iter().map(|p| required(p)).collect::<Vec<_>>());
        let blocks = [
            "We use COOKIES here",
            "See Also: more",
            "ÉTÉ",
            "straße",
            "ſee alſo",
            "SEE ALSO",
            "\u{212A}ookies are used: cookies",
            "© 2024 Example",
            "short",
            "nothing to see in this longer line",
        ];
        let admitted = index.admitted(&blocks);
        for (i, b) in blocks.iter().enumerate() {
            let mut out = vec![false; index.slots()];
            index.candidates(b, &mut out);
            for (slot, p) in patterns.iter().enumerate() {
                if regex::Regex::new(p).unwrap().is_match(b) {
                    let kept = if whole {
                        admitted.get(i, slot)
                    } else {
                        out[slot]
                    };
                    assert!(kept, "{p} matches {b:?} but was filtered out");
                }
                assert_eq!(admitted.get(i, slot), out[slot], "{p} on {b:?}");
            }
        }
        let mut out = vec![false; index.slots()];
        index.candidates("nothing to see in this longer line", &mut out);
        assert_eq!(out, [false, false, false, false, false, true]);
    }

    /// Blocks are searched unfolded when no needle character has case: that is sound only if
    /// every character that folds to something else folds to an ASCII letter (from the ASCII
    /// capitals, `K` or `ſ`, which are looked for) or to a character [`is_cased`] says has case.
    #[test]
    fn only_cased_characters_are_fold_targets() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let f = fold_case(c);
            if f == c {
                continue;
            }
            if f.is_ascii() {
                assert!(
                    c.is_ascii_uppercase() || folds_to_ascii(c.encode_utf8(&mut [0; 4])),
                    "{c:?} folds to {f:?} but blocks holding it are not folded"
                );
            } else {
                assert!(
                    is_cased(f),
                    "{c:?} folds to {f:?}, which is not counted as cased"
                );
            }
        }
        assert!(!is_cased('©') && !is_cased('/') && is_cased('é') && is_cased('ß'));
    }

    /// The bit rows give the same blocks as plain lists of them.
    #[test]
    fn admitted_rows_agree_with_lists() {
        for blocks in [0, 1, 63, 64, 65, 130] {
            let mut a = Admitted::new(blocks, 4);
            let mut lists: Vec<Vec<usize>> = vec![Vec::new(); 4];
            a.admit_all(3);
            lists[3] = (0..blocks).collect();
            for b in (0..blocks).filter(|b| b % 3 == 0) {
                a.admit(0, b);
                lists[0].push(b);
            }
            for b in (0..blocks).filter(|b| b % 2 == 0) {
                a.admit(1, b);
                lists[1].push(b);
            }
            let naive = |slots: &[usize]| -> Vec<usize> {
                (0..blocks)
                    .filter(|b| slots.iter().all(|&s| s >= 4 || lists[s].contains(b)))
                    .collect()
            };
            for slots in [
                &[][..],
                &[0],
                &[1],
                &[2],
                &[3],
                &[0, 1],
                &[0, 3],
                &[1, 2],
                &[7],
                &[1, 7],
            ] {
                assert_eq!(
                    a.all_of(slots).collect::<Vec<_>>(),
                    naive(slots),
                    "{blocks} {slots:?}"
                );
                for b in 0..blocks {
                    for &s in slots {
                        assert_eq!(a.get(b, s), s >= 4 || lists[s].contains(&b));
                    }
                }
            }
            let all = Admitted::everything(blocks);
            assert_eq!(all.all_of(&[0, 5]).count(), blocks);
        }
    }
}
