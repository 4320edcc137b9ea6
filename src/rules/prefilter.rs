//! A literal prefilter for the text rules: which rules could match a block, found with one
//! scan of the document's blocks instead of one regex search per rule and block.
//!
//! Most blocks match no rule, yet every rule's regex used to run on every block, and the regex
//! engines that handle Unicode word boundaries on non-ASCII text are the slow ones. Nearly every
//! rule pattern contains text that any match must contain: `we use cookies` needs `cookies`.
//! [`required`] reads that text off the compiled pattern's syntax tree (lower-cased, as a set
//! of alternatives); [`required_sets`] reads several such sets off a sequence, all of which a
//! match needs. A pattern anchored at the start needs more: `^(see also|read more)\s*:` needs a
//! block that *starts* with `see also` or `read more`, which [`required_prefixes`] reads
//! ([`required_suffixes`] for the end). [`TextIndex`] finds every needle, prefix and suffix of
//! a document in one pass (`PairScan`) and marks, per condition, the blocks that meet it.
//!
//! Contract: a condition is *necessary*: if a pattern matches a block, the block's lower-cased
//! text contains one of the pattern's needles (starts with one of its prefixes, ends with one
//! of its suffixes). The regex still decides; a pattern whose necessary text cannot be read (a
//! pure character class, `.{3}`) has no condition and runs on every block. So the index
//! changes speed, never a verdict; leaving a condition out only admits more blocks.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

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

/// Lower-case strings one of which every match of `hir` starts with, when every match starts
/// at the start of the text (`^`, not `(?m)^`) and such strings can be read: `^(see
/// also|more)\s*:` gives `see also` and `more`, `^(?:Open in App)$` gives `open in app`. A block
/// that starts with none of them cannot match, which is a far narrower condition than holding
/// one of them anywhere.
pub fn required_prefixes(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Capture(c) => required_prefixes(&c.sub),
        HirKind::Concat(parts) => {
            let first = parts
                .iter()
                .position(|p| !matches!(p.kind(), HirKind::Look(_)))?;
            let anchored = parts[..first]
                .iter()
                .any(|p| matches!(p.kind(), HirKind::Look(Look::Start)));
            if !anchored {
                return None;
            }
            let set = leading(&parts[first..])?;
            (!set.iter().any(String::is_empty)).then_some(set)
        }
        _ => None,
    }
}

/// Strings (lower-cased) one of which every match of the sequence `parts` starts with: the
/// product of its leading parts whose every match is known, then the leading strings of the
/// first part that is not; `None` when not even one character can be read.
fn leading(parts: &[Hir]) -> Option<Vec<String>> {
    let mut run = vec![String::new()];
    for (i, p) in parts.iter().enumerate() {
        // Assertions consume nothing: the strings around one still follow each other.
        if matches!(p.kind(), HirKind::Look(_)) {
            continue;
        }
        // A leading optional run of a few characters (`^\s*(the|app)`): a match starts with
        // one of them, or, when the run is empty, with what follows.
        if run.iter().all(String::is_empty) {
            if let Some(chars) = optional_chars(p) {
                let mut all = leading(&parts[i + 1..])?;
                all.extend(chars);
                return bounded(all);
            }
        }
        match exact(p) {
            Some(strings) if run.len() * strings.len() <= MAX_EXACT => {
                run = product(&run, &strings);
            }
            _ => {
                if let Some(heads) = starts(p).filter(|h| run.len() * h.len() <= MAX_EXACT) {
                    run = product(&run, &heads);
                }
                break;
            }
        }
    }
    (!run.iter().all(String::is_empty)).then_some(run)
}

/// For a repetition that can be empty of a class of few characters (`\s*`), those characters
/// (folded as needles are).
fn optional_chars(hir: &Hir) -> Option<Vec<String>> {
    let HirKind::Repetition(r) = hir.kind() else {
        return None;
    };
    let HirKind::Class(Class::Unicode(cls)) = r.sub.kind() else {
        return None;
    };
    if r.min != 0 {
        return None;
    }
    let mut chars = Vec::new();
    for range in cls.ranges() {
        for c in range.start()..=range.end() {
            if chars.len() >= MAX_EXACT {
                return None;
            }
            chars.push(fold_case(c).to_string());
        }
    }
    Some(chars)
}

/// Strings (lower-cased) one of which every match of `hir` starts with.
fn starts(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => Some(vec![literal_text(hir)?]),
        HirKind::Capture(c) => starts(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => starts(&r.sub),
        HirKind::Concat(parts) => leading(parts),
        HirKind::Alternation(alts) => union_of(alts, starts),
        _ => None,
    }
}

/// Lower-case strings one of which every match of `hir` ends with, when every match ends at
/// the end of the text (`$`, not `(?m)$`) and such strings can be read: `/\s*(AFP|AP)$` gives
/// `afp` and `ap`. The mirror of [`required_prefixes`].
pub fn required_suffixes(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Capture(c) => required_suffixes(&c.sub),
        HirKind::Concat(parts) => {
            let last = parts
                .iter()
                .rposition(|p| !matches!(p.kind(), HirKind::Look(_)))?;
            let anchored = parts[last + 1..]
                .iter()
                .any(|p| matches!(p.kind(), HirKind::Look(Look::End)));
            if !anchored {
                return None;
            }
            let set = trailing(&parts[..=last])?;
            (!set.iter().any(String::is_empty)).then_some(set)
        }
        _ => None,
    }
}

/// Strings (lower-cased) one of which every match of the sequence `parts` ends with: the
/// mirror of [`leading`].
fn trailing(parts: &[Hir]) -> Option<Vec<String>> {
    let mut run = vec![String::new()];
    for p in parts.iter().rev() {
        if matches!(p.kind(), HirKind::Look(_)) {
            continue;
        }
        match exact(p) {
            Some(strings) if run.len() * strings.len() <= MAX_EXACT => {
                run = product(&strings, &run);
            }
            _ => {
                if let Some(tails) = ends(p).filter(|t| run.len() * t.len() <= MAX_EXACT) {
                    run = product(&tails, &run);
                }
                break;
            }
        }
    }
    (!run.iter().all(String::is_empty)).then_some(run)
}

/// Strings (lower-cased) one of which every match of `hir` ends with.
fn ends(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Class(_) => Some(vec![literal_text(hir)?]),
        HirKind::Capture(c) => ends(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => ends(&r.sub),
        HirKind::Concat(parts) => trailing(parts),
        HirKind::Alternation(alts) => union_of(alts, ends),
        _ => None,
    }
}

/// Whether searching for `set` as well as an anchored condition (prefixes or suffixes a block
/// must have) is not worth it: every string of `anchored` longer than one character contains
/// one of `set`, so a block meeting the condition nearly always holds one of `set` too. (The
/// one-character strings come from a leading `\s*`, which blocks, trimmed, never start with.)
/// Leaving a set out only admits more blocks, never fewer.
pub fn implied(set: &[String], anchored: &[String]) -> bool {
    anchored
        .iter()
        .filter(|a| a.chars().nth(1).is_some())
        .all(|a| set.iter().any(|n| a.contains(n.as_str())))
}

/// How selective a set of strings a block must hold is: the length of the shortest.
pub fn selectivity(set: &[String]) -> usize {
    weight(set)
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
        HirKind::Alternation(alts) => return union_of(alts, exact),
        _ => return None,
    };
    (strings.len() <= MAX_EXACT).then_some(strings)
}

/// The union of `f` over the alternatives `alts` (see [`bounded`]); `None` if `f` knows
/// nothing of one of them.
fn union_of(alts: &[Hir], f: fn(&Hir) -> Option<Vec<String>>) -> Option<Vec<String>> {
    let mut all = Vec::new();
    for a in alts {
        all.extend(f(a)?);
    }
    bounded(all)
}

/// `strings` sorted and without repeats, if at most [`MAX_EXACT`] are left.
fn bounded(mut strings: Vec<String>) -> Option<Vec<String>> {
    strings.sort();
    strings.dedup();
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
/// ignored, overlapping matches, so every needle present is reported), for the selector index.
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
        let (needles, users) = group_by_needle(pairs);
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

/// `(needle, user)` pairs grouped by needle: the distinct needles in order of first appearance,
/// and per needle its users in order.
fn group_by_needle<U>(pairs: impl IntoIterator<Item = (String, U)>) -> (Vec<String>, Vec<Vec<U>>) {
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
    (needles, users)
}

/// What a slot needs of a block: one of the strings anywhere in it, at its start, or at its
/// end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needed {
    Contains(Vec<String>),
    StartsWith(Vec<String>),
    EndsWith(Vec<String>),
}

/// Which text rules could match a block. Each rule pattern has a slot; a block's candidates are
/// the slots without a condition plus those whose [`Needed`] strings it holds.
#[derive(Debug, Clone, Default)]
pub struct TextIndex {
    always: Vec<usize>,
    /// Every needle: a prefix as a line break and the prefix, a suffix as the suffix and a line
    /// break (blocks are searched each between line breaks); per needle, the slots that use it.
    scan: PairScan,
    users: Vec<Vec<usize>>,
    slots: usize,
    /// Whether no needle character is the fold of another character, other than the ASCII
    /// letters (which the search matches in either case): then a block needs folding only
    /// where it holds one of the two non-ASCII characters that fold to ASCII letters.
    fold_free: bool,
}

impl TextIndex {
    /// Indexes one condition per slot (`None`: tested on every block).
    pub fn build(sets: &[Option<Needed>]) -> TextIndex {
        let mut index = TextIndex {
            slots: sets.len(),
            ..TextIndex::default()
        };
        let mut pairs = Vec::new();
        for (slot, set) in sets.iter().enumerate() {
            // Blocks are searched each between line breaks: a prefix is a needle after one, a
            // suffix a needle before one.
            let (strings, before, after) = match set {
                Some(Needed::Contains(set)) => (set, "", ""),
                Some(Needed::StartsWith(set)) => (set, "\n", ""),
                Some(Needed::EndsWith(set)) => (set, "", "\n"),
                None => {
                    index.always.push(slot);
                    continue;
                }
            };
            // An empty string admits every block, as if the slot had no condition.
            if strings.is_empty() || strings.iter().any(String::is_empty) {
                index.always.push(slot);
                continue;
            }
            pairs.extend(
                strings
                    .iter()
                    .map(|n| (format!("{before}{n}{after}"), slot)),
            );
        }
        let (needles, users) = group_by_needle(pairs);
        index.users = users;
        index.fold_free = needles
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii() || !is_cased(c)));
        index.scan = PairScan::new(&needles);
        index
    }

    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Sets `out[slot]` (all `false` on entry, `slots()` long) for every slot that could match
    /// `text`.
    pub fn candidates(&self, text: &str, out: &mut [bool]) {
        let admitted = self.admitted(&[text]);
        for (slot, o) in out.iter_mut().enumerate() {
            *o = admitted.get(0, slot);
        }
    }

    /// [`candidates`](Self::candidates) for every block of a document at once: the blocks are
    /// searched as one haystack, each between line breaks, so a prefix is a needle that starts
    /// with one, a suffix one that ends with one, and the search starts once per document
    /// rather than once per block. A needle
    /// found inside a block is found there in the haystack too; one found across a line break
    /// (only a needle holding one inside could be) admits a block needlessly, never hides one.
    pub fn admitted<S: AsRef<str>>(&self, blocks: &[S]) -> Admitted {
        let mut admitted = Admitted::new(blocks.len(), self.slots);
        for &s in &self.always {
            admitted.admit_all(s);
        }
        if self.users.is_empty() {
            return admitted;
        }
        let mut hay =
            String::with_capacity(blocks.iter().map(|b| b.as_ref().len() + 1).sum::<usize>() + 1);
        let mut starts = Vec::with_capacity(blocks.len());
        // With caseless needle characters only the two characters that fold to ASCII letters
        // need folding, and nearly no document has one: the blocks are joined as they are and
        // folded only when the whole document shows one.
        self.join(blocks, !self.fold_free, &mut hay, &mut starts);
        if self.fold_free && folds_to_ascii(&hay) {
            self.join(blocks, true, &mut hay, &mut starts);
        }
        // Occurrences come in the order they start, so the blocks are walked once, forward.
        let mut block = 0;
        self.scan.each(hay.as_bytes(), |at, needle| {
            // A prefix needle starts at the line break before its block; one past the start
            // of any other needle is still in the block it starts in.
            let at = at + 1;
            while starts.get(block + 1).is_some_and(|&next| next <= at) {
                block += 1;
            }
            for &s in &self.users[needle] {
                admitted.admit(s, block);
            }
        });
        admitted
    }

    /// Joins `blocks` into `hay`, each after a line break and the last followed by one, folded
    /// ([`searchable`](Self::searchable)) or (`fold` false) as they are, then ASCII-lower-cased
    /// as the scan needs; `starts` gets where each block starts.
    fn join<S: AsRef<str>>(
        &self,
        blocks: &[S],
        fold: bool,
        hay: &mut String,
        starts: &mut Vec<usize>,
    ) {
        hay.clear();
        starts.clear();
        for b in blocks {
            hay.push('\n');
            starts.push(hay.len());
            if fold {
                hay.push_str(&self.searchable(b.as_ref()));
            } else {
                hay.push_str(b.as_ref());
            }
        }
        hay.push('\n');
        hay.make_ascii_lowercase();
    }

    /// `text` as the scan must see it (before ASCII lower-casing, which [`join`](Self::join)
    /// does for the whole haystack): other letters folded, unless no needle could be affected
    /// (no needle character is the fold of another one, and none of `K` (Kelvin) and `ſ`,
    /// which fold to ASCII letters, is in the block).
    fn searchable<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.is_ascii() || (self.fold_free && !folds_to_ascii(text)) {
            return Cow::Borrowed(text);
        }
        // ASCII is lower-cased later, so only non-ASCII characters that fold to another
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

/// Finds every occurrence of every needle in an ASCII-lower-cased haystack, overlapping ones
/// included: the set an overlapping Aho-Corasick search with ASCII case ignored reports, in the
/// order the occurrences start. Hundreds of needles, some of one or two bytes, keep an
/// automaton's prefilters off, and its state machine then costs some twenty instructions a
/// byte; this search looks each position's next three bytes up in a table of how needles
/// start (about six instructions a byte, eight bytes read at once) and compares needles only
/// where one could start.
#[derive(Clone)]
pub(crate) struct PairScan {
    /// Per pair of bytes (see [`pair`]): the [`third_bit`]s of the bytes that follow the pair in
    /// a needle that starts with it (all bits for a needle of two bytes, or of one, which
    /// starts with every pair its byte begins). A fixed size, so indexing it with a pair needs
    /// no bounds check.
    starts: Box<[u32; 1 << 16]>,
    /// Per pair, one more than its index in `groups` (0: none).
    group_of: Vec<u16>,
    /// Per pair that starts needles longer than one byte, those needles.
    groups: Vec<Group>,
    /// Per byte, the one-byte needles equal to it.
    single: Vec<Vec<usize>>,
    /// The needles, lower-cased.
    needles: Vec<Box<[u8]>>,
}

impl Default for PairScan {
    fn default() -> PairScan {
        PairScan::new(&[])
    }
}

impl std::fmt::Debug for PairScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairScan")
            .field("needles", &self.needles.len())
            .finish_non_exhaustive()
    }
}

impl PairScan {
    pub(crate) fn new(needles: &[String]) -> PairScan {
        let mut scan = PairScan {
            starts: Box::new([0; 1 << 16]),
            group_of: vec![0; 1 << 16],
            groups: Vec::new(),
            single: vec![Vec::new(); 256],
            needles: needles
                .iter()
                .map(|n| n.to_ascii_lowercase().into_bytes().into_boxed_slice())
                .collect(),
        };
        for (id, n) in scan.needles.iter().enumerate() {
            match **n {
                [] => {}
                [b] => {
                    scan.single[usize::from(b)].push(id);
                    for second in 0..=255u8 {
                        scan.starts[pair(b, second)] = u32::MAX;
                    }
                }
                [b0, b1, ref rest @ ..] => {
                    let key = pair(b0, b1);
                    if scan.group_of[key] == 0 {
                        scan.groups.push(Group::default());
                        // At most 65 536 pairs, so the index fits.
                        scan.group_of[key] = u16::try_from(scan.groups.len()).unwrap_or(0);
                    }
                    if let Some(g) = scan.groups.get_mut(usize::from(scan.group_of[key]) - 1) {
                        match rest.first() {
                            None => g.pairs.push(id),
                            Some(&b2) => g.longer.push((id, Head::new(n), bucket(b2))),
                        }
                    }
                    scan.starts[key] |= rest.first().map_or(u32::MAX, |&b| third_bit(b));
                }
            }
        }
        for g in &mut scan.groups {
            g.longer.sort_by_key(|&(_, _, b)| b);
            for (bucket, end) in g.by_third.iter_mut().enumerate() {
                // The bucket ends where the next starts; at most as many entries as needles.
                let ends = g.longer.partition_point(|&(_, _, b)| b < bucket);
                *end = u16::try_from(ends).unwrap_or(u16::MAX);
            }
        }
        scan
    }

    /// Calls `found(start, needle id)` for every occurrence in `hay` (ASCII lower case: an
    /// ASCII capital never matches), in order of start.
    pub(crate) fn each(&self, hay: &[u8], mut found: impl FnMut(usize, usize)) {
        if self.needles.is_empty() {
            return;
        }
        // Eight bytes are read at once and the six positions with two more bytes after them
        // tested from the word; the next word starts where those end.
        let mut at = 0;
        while let Some(chunk) = hay.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
            let word = u64::from_le_bytes(*chunk);
            for i in 0..6 {
                // Truncation to the bytes at `i` is the point.
                let key = usize::from((word >> (8 * i)) as u16);
                if self.starts[key] & third_bit((word >> (8 * i + 16)) as u8) != 0 {
                    self.check(hay, at + i, &mut found);
                }
            }
            at += 6;
        }
        for i in at..hay.len().saturating_sub(1) {
            let third = hay.get(i + 2).map_or(u32::MAX, |&b| third_bit(b));
            if self.starts[pair(hay[i], hay[i + 1])] & third != 0 {
                self.check(hay, i, &mut found);
            }
        }
        // The last byte has no pair; only a one-byte needle can start there.
        if let Some(&last) = hay.last() {
            for &id in &self.single[usize::from(last)] {
                found(hay.len() - 1, id);
            }
        }
    }

    /// Reports the needles that occur at `at`, which has a following byte.
    fn check(&self, hay: &[u8], at: usize, found: &mut impl FnMut(usize, usize)) {
        let b0 = hay[at];
        for &id in &self.single[usize::from(b0)] {
            found(at, id);
        }
        let Some(group) = usize::from(self.group_of[pair(b0, hay[at + 1])])
            .checked_sub(1)
            .and_then(|g| self.groups.get(g))
        else {
            return;
        };
        // The pair is equal to a two-byte needle of its group.
        for &id in &group.pairs {
            found(at, id);
        }
        let Some(&b2) = hay.get(at + 2) else {
            return;
        };
        // Only the needles whose third byte is in the bucket of the haystack's are compared.
        let k = bucket(b2);
        let (from, to) = (group.by_third[k], group.by_third[k + 1]);
        let Some(longer) = group.longer.get(usize::from(from)..usize::from(to)) else {
            return;
        };
        let rest = &hay[at..];
        match rest.first_chunk::<8>() {
            // Eight bytes settle a needle of up to eight and rule out nearly all others before
            // a comparison.
            Some(word) => {
                let word = u64::from_le_bytes(*word);
                for &(id, head, _) in longer {
                    if word & head.mask == head.bytes
                        && (head.whole || rest.starts_with(&self.needles[id]))
                    {
                        found(at, id);
                    }
                }
            }
            None => {
                for &(id, _, _) in longer {
                    if rest.starts_with(&self.needles[id]) {
                        found(at, id);
                    }
                }
            }
        }
    }
}

/// The needles longer than one byte that start with one pair of bytes.
#[derive(Debug, Clone)]
struct Group {
    /// Needles that are the pair.
    pairs: Vec<usize>,
    /// Longer needles, with their heads, ordered by the [`bucket`] of their third byte.
    longer: Vec<(usize, Head, usize)>,
    /// Where each bucket's needles start in `longer`, and (last) where the last ends: bucket
    /// `k` is `by_third[k]..by_third[k + 1]`.
    by_third: [u16; 33],
}

impl Default for Group {
    fn default() -> Group {
        Group {
            pairs: Vec::new(),
            longer: Vec::new(),
            by_third: [0; 33],
        }
    }
}

/// A third byte's bucket among 32, the bit [`third_bit`] sets.
fn bucket(b: u8) -> usize {
    usize::from(b & 31)
}

/// A needle's first eight bytes (fewer for a shorter needle, `mask` covering those), read as the
/// haystack is, to test eight bytes of it at once.
#[derive(Debug, Clone, Copy, Default)]
struct Head {
    bytes: u64,
    mask: u64,
    /// Whether the head is the whole needle.
    whole: bool,
}

impl Head {
    fn new(needle: &[u8]) -> Head {
        let mut word = [0u8; 8];
        let mut mask = [0u8; 8];
        for (i, &b) in needle.iter().take(8).enumerate() {
            word[i] = b;
            mask[i] = 0xFF;
        }
        Head {
            bytes: u64::from_le_bytes(word),
            mask: u64::from_le_bytes(mask),
            whole: needle.len() <= 8,
        }
    }
}

/// A byte's bit among 32 (bytes share bits, which only lets a few more candidates through).
fn third_bit(b: u8) -> u32 {
    1 << bucket(b)
}

/// The index of two adjacent bytes: as a little-endian `u16` reads them.
fn pair(first: u8, second: u8) -> usize {
    usize::from(u16::from_le_bytes([first, second]))
}

/// Whether `text` holds one of the two non-ASCII characters whose [`fold_case`] is an ASCII
/// letter: `K` (Kelvin sign, UTF-8 `E2 84 AA`) and `ſ` (long s, `C5 BF`).
fn folds_to_ascii(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memmem::find(b, "\u{212A}".as_bytes()).is_some()
        || memchr::memmem::find(b, "ſ".as_bytes()).is_some()
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
    #[inline]
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
        // A piece has a few slots; intersecting fewer rows than it has only lets more blocks
        // through, so past `MAX_ROWS` the rest are left out rather than allocated for.
        const MAX_ROWS: usize = 4;
        let mut rows = [0; MAX_ROWS];
        let mut count = 0;
        let mut none = false;
        for &s in slots {
            match self.rows.get(s) {
                None => {}
                Some(&NO_ROW) => none = true,
                Some(&at) if count < MAX_ROWS => {
                    rows[count] = at;
                    count += 1;
                }
                Some(_) => {}
            }
        }
        let words = if none { 0 } else { self.words };
        let blocks = self.blocks;
        (0..words).flat_map(move |w| {
            let mut word = rows[..count]
                .iter()
                .fold(u64::MAX, |acc, &at| acc & self.bits[at + w]);
            if count == 0 && w + 1 == words && blocks % 64 != 0 {
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

    /// The condition the rule set indexes for a pattern: its prefixes when it has some, else
    /// its suffixes, else its needles.
    fn condition(p: &str) -> Option<Needed> {
        let hir = regex_syntax::parse(p).unwrap();
        match (required_prefixes(&hir), required_suffixes(&hir)) {
            (Some(prefixes), _) => Some(Needed::StartsWith(prefixes)),
            (None, Some(suffixes)) => Some(Needed::EndsWith(suffixes)),
            _ => required_hir(&hir).map(Needed::Contains),
        }
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
        let sets: Vec<_> = patterns[..2].iter().map(|p| condition(p)).collect();
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
        let all = TextIndex::build(&patterns.iter().map(|p| condition(p)).collect::<Vec<_>>());
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
            r"(?i)[\w ]/(AP|AFP)$",
        ];
        let index = TextIndex::build(&patterns.iter().map(|p| condition(p)).collect::<Vec<_>>());
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
            "Photo: J. Doe/AP",
            "ap",
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
        assert_eq!(out, [false, false, false, false, false, true, false]);
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

    #[test]
    fn prefixes_are_read_from_anchored_patterns() {
        let pre = |p: &str| required_prefixes(&regex_syntax::parse(p).unwrap());
        assert_eq!(
            pre(r"(?i)^(see also|read more)\s*:\s*\S.{0,160}$"),
            Some(vec!["read more".into(), "see also".into()])
        );
        assert_eq!(
            pre(r"(?i)^(?:Open in App)$"),
            Some(vec!["open in app".into()])
        );
        assert_eq!(
            pre(r"(?i)^(download|get) (the |our )?app"),
            Some(vec!["download ".into(), "get ".into()])
        );
        assert_eq!(
            pre(r"^(©|\(c\)|(?i:copyright)\s*(©|\(c\)))"),
            Some(vec!["(c)".into(), "copyright".into(), "©".into()])
        );
        assert_eq!(pre(r"(?i)^\bhome\b"), Some(vec!["home".into()]));
        assert_eq!(pre(r"(?i)\bcookies\b"), None, "not anchored");
        assert_eq!(
            pre(r"(?m)^cookies"),
            None,
            "anchored at a line, not the text"
        );
        assert_eq!(pre(r"^\d+ of \d+"), None);
        let spaced = pre(r"^(\s*(the|app)\s*)+$").unwrap();
        assert!(spaced.contains(&"the".into()) && spaced.contains(&"app".into()));
        assert!(spaced.contains(&" ".into()) && spaced.contains(&"\u{3000}".into()));
        assert_eq!(pre(r"^\w*x"), None, "too many characters");
        assert_eq!(pre(r"^(a|)b"), None, "an alternative can be empty");
        assert_eq!(pre(r"^x?y"), None);
    }

    #[test]
    fn suffixes_are_read_from_anchored_patterns() {
        let suf = |p: &str| required_suffixes(&regex_syntax::parse(p).unwrap());
        assert_eq!(
            suf(r"(?i)^[\w .]{0,60}/\s*(Getty Images|AP)$"),
            Some(vec!["ap".into(), "getty images".into()])
        );
        assert_eq!(
            suf(r"(?i)^(?:Open in App)$"),
            Some(vec!["open in app".into()])
        );
        assert_eq!(
            suf(r"(?i), (AP|Reuters)$"),
            Some(vec![", ap".into(), ", reuters".into()])
        );
        assert_eq!(
            suf(r"(?i)(ap|afp)\b$"),
            Some(vec!["afp".into(), "ap".into()])
        );
        assert_eq!(suf(r"(?i)\bcookies\b"), None, "not anchored");
        assert_eq!(
            suf(r"(?m)cookies$"),
            None,
            "anchored at a line, not the text"
        );
        assert_eq!(suf(r"\)\s*$"), None);
        assert_eq!(suf(r"(a|)$"), None, "an alternative can be empty");
        assert!(implied(
            &["app".into()],
            &["get the app".into(), "open app".into()]
        ));
        assert!(!implied(
            &["app".into()],
            &["get ".into(), "open app".into()]
        ));
    }

    /// Every occurrence of every needle, found one position and needle at a time.
    fn naive(needles: &[String], hay: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for at in 0..hay.len() {
            for (id, n) in needles.iter().enumerate() {
                if hay[at..].starts_with(n.to_ascii_lowercase().as_bytes()) {
                    out.push((at, id));
                }
            }
        }
        out
    }

    proptest::proptest! {
        /// The pair scan reports exactly the occurrences a naive search finds, in order of
        /// start: needles of one byte and more, sharing starts and overlapping, near the
        /// haystack's ends and across the eight-byte words it reads.
        #[test]
        fn pair_scan_finds_what_a_naive_search_finds(
            needles in proptest::collection::vec("[abAB\n, é]{1,10}", 0..12),
            hay in "[ab\n, éx]{0,80}",
        ) {
            let needles: Vec<String> = {
                let mut v = needles;
                v.sort();
                v.dedup();
                v
            };
            let scan = PairScan::new(&needles);
            let mut got = Vec::new();
            scan.each(hay.as_bytes(), |at, id| got.push((at, id)));
            let mut want = naive(&needles, hay.as_bytes());
            let mut sorted = got.clone();
            sorted.sort();
            want.sort();
            proptest::prop_assert_eq!(&sorted, &want);
            proptest::prop_assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "{:?}", got);
        }

        /// Over the built-in rules: a block that a piece's regex matches is always admitted
        /// for that piece. Blocks are the rules' own examples, changed in case, with `K`/`ſ`
        /// swapped in, and with text around them.
        #[test]
        fn embedded_rules_never_lose_a_match(
            picks in proptest::collection::vec(0usize..1000, 1..6),
            upper in proptest::prelude::any::<bool>(),
            exotic in proptest::prelude::any::<bool>(),
            before in "[a-z ]{0,3}",
            after in "[a-z .]{0,3}",
        ) {
            let set = embedded();
            let examples: Vec<&String> =
                set.rules().flat_map(|r| r.strips.iter().chain(&r.keeps)).collect();
            let blocks: Vec<String> = picks
                .iter()
                .map(|&i| {
                    let mut b = examples[i % examples.len()].clone();
                    if i % 3 == 0 {
                        b = format!("{before}{b}{after}");
                    }
                    if upper {
                        b = b.to_uppercase();
                    }
                    if exotic {
                        b = b.replace('k', "\u{212A}").replace('s', "ſ");
                    }
                    crate::norm::fold(&b).into_owned()
                })
                .collect();
            let admitted = set.text.admitted(&blocks);
            for rule in set.rules() {
                let matchers: Vec<&crate::rules::TextMatcher> = match &rule.action {
                    crate::rules::Action::Drop(m)
                    | crate::rules::Action::CutAfter(m)
                    | crate::rules::Action::CutBefore(m) => vec![m],
                    crate::rules::Action::Range { start, end, .. } => vec![start, end],
                    crate::rules::Action::Select(_) => vec![],
                };
                for piece in matchers.iter().flat_map(|m| &m.pieces) {
                    let through: Vec<usize> = admitted.all_of(&piece.slots).collect();
                    for (i, b) in blocks.iter().enumerate() {
                        if piece.regex.is_match(b) {
                            proptest::prop_assert!(
                                through.contains(&i),
                                "{} misses {:?}",
                                rule.id,
                                b
                            );
                        }
                    }
                }
            }
        }
    }

    fn embedded() -> &'static crate::rules::RuleSet {
        static SET: std::sync::OnceLock<crate::rules::RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| crate::rules::RuleSet::embedded(true).unwrap())
    }
}
