//! A literal prefilter for the text rules: which rules could match a block, found with one
//! Aho-Corasick scan of the block instead of one regex search per rule.
//!
//! Most blocks match no rule, yet every rule's regex used to run on every block, and the regex
//! engines that handle Unicode word boundaries on non-ASCII text are the slow ones. Nearly every
//! rule pattern contains text that any match must contain: `we use cookies` needs `cookies`,
//! `^(see also|read more)\s*:` needs `see also` or `read more`. [`required`] reads that text off
//! the compiled pattern's syntax tree (lower-cased, as a set of alternatives); [`TextIndex`]
//! finds all of it in a block at once.
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
    let set = needles(hir)?;
    // An empty needle would admit every block: the same as having none.
    (!set.iter().any(String::is_empty)).then_some(set)
}

fn needles(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => literal_text(hir).map(|s| vec![s]),
        HirKind::Capture(c) => needles(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => needles(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(needles(a)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
        HirKind::Concat(parts) => {
            // Every part is required; runs of literal parts form longer needles. Keep the
            // candidate whose shortest needle is longest: it lets the fewest blocks through.
            let mut best: Option<Vec<String>> = None;
            let mut consider = |cand: Vec<String>| {
                let weight = |s: &Vec<String>| s.iter().map(|n| n.chars().count()).min();
                if best.as_ref().is_none_or(|b| weight(&cand) > weight(b)) {
                    best = Some(cand);
                }
            };
            let mut run = String::new();
            for p in parts {
                if let Some(text) = literal_text(p) {
                    run.push_str(&text);
                    continue;
                }
                if !run.is_empty() {
                    consider(vec![std::mem::take(&mut run)]);
                }
                if let Some(set) = needles(p) {
                    consider(set);
                }
            }
            if !run.is_empty() {
                consider(vec![run]);
            }
            best
        }
        _ => None,
    }
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
    /// Whether every needle is ASCII: then a block needs folding only where it holds one of
    /// the two non-ASCII characters that fold to ASCII letters.
    ascii_needles: bool,
}

impl TextIndex {
    /// Indexes one needle set per slot (`None`: tested on every block).
    pub fn build(sets: &[Option<Vec<String>>]) -> TextIndex {
        let mut index = TextIndex {
            slots: sets.len(),
            ..TextIndex::default()
        };
        index.ascii_needles = sets.iter().flatten().flatten().all(|n| n.is_ascii());
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
        let mut admitted = Admitted {
            slots: self.slots,
            row: self.slots.div_ceil(64),
            bits: Vec::new(),
        };
        admitted.bits = vec![0; admitted.row * blocks.len()];
        for b in 0..blocks.len() {
            for &s in &self.always {
                admitted.set(b, s);
            }
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
        for (at, slots) in self.needles.found_in(&hay) {
            let b = starts.partition_point(|&s| s <= at).saturating_sub(1);
            for &s in slots {
                admitted.set(b, s);
            }
        }
        admitted
    }

    /// `text` as the automaton must see it. It ignores ASCII case; other letters are folded
    /// first, unless no needle could be affected (ASCII needles, and none of `K` (Kelvin) and
    /// `ſ`, which fold to ASCII letters, in the block).
    fn searchable<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let folds_to_ascii = || {
            memchr::memmem::find(text.as_bytes(), "\u{212A}".as_bytes()).is_some()
                || memchr::memmem::find(text.as_bytes(), "ſ".as_bytes()).is_some()
        };
        if text.is_ascii() || (self.ascii_needles && !folds_to_ascii()) {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(text.chars().map(fold_case).collect())
        }
    }
}

/// Per block of a document, the slots that could match it (see [`TextIndex::admitted`]): one
/// bit per slot, a row of 64-bit words per block.
#[derive(Debug, Clone)]
pub struct Admitted {
    slots: usize,
    row: usize,
    bits: Vec<u64>,
}

impl Admitted {
    fn set(&mut self, block: usize, slot: usize) {
        self.bits[block * self.row + slot / 64] |= 1 << (slot % 64);
    }

    /// Whether `slot` could match block `block`; a slot the index does not know is always let
    /// through.
    pub fn get(&self, block: usize, slot: usize) -> bool {
        slot >= self.slots || self.bits[block * self.row + slot / 64] & (1 << (slot % 64)) != 0
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
        assert!(index.ascii_needles);
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
        assert!(!all.ascii_needles);
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
}
