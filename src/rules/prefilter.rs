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
            blocks: blocks.len(),
            by_slot: vec![Vec::new(); self.slots],
        };
        for &s in &self.always {
            admitted.by_slot[s] = (0..blocks.len()).collect();
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
                admitted.by_slot[s].push(b);
            }
        }
        for list in &mut admitted.by_slot {
            // Matches come in the order they end, so blocks nearly always come in order.
            list.sort_unstable();
            list.dedup();
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

/// Per slot, the blocks of a document it could match, in order (see [`TextIndex::admitted`]).
#[derive(Debug, Clone)]
pub struct Admitted {
    blocks: usize,
    by_slot: Vec<Vec<usize>>,
}

impl Admitted {
    /// Whether `slot` could match block `block`; a slot the index does not know is always let
    /// through.
    pub fn get(&self, block: usize, slot: usize) -> bool {
        self.by_slot
            .get(slot)
            .is_none_or(|list| list.binary_search(&block).is_ok())
    }

    /// The blocks, in order, that every one of `slots` could match: all of them for no slots.
    pub fn all_of(&self, slots: &[usize]) -> Vec<usize> {
        let mut lists = slots.iter().filter_map(|&s| self.by_slot.get(s));
        let Some(first) = lists.next() else {
            return (0..self.blocks).collect();
        };
        let mut out = first.clone();
        for list in lists {
            out.retain(|b| list.binary_search(b).is_ok());
        }
        out
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
