//! Compiling a [`MatchConfig`] into one regular expression, and the text folding both patterns
//! and blocks go through before matching.
//!
//! The regular expression is kept as its top-level alternatives ([`Piece`]s), each compiled on
//! its own with its own prefilter needles: a pattern matches where one of its alternatives does,
//! and one alternative with a common needle (`^\d+ of \d+`) then no longer sends every block
//! through the others, nor an anchored alternative through a search of the whole block. An
//! anchored piece also carries cheap necessary conditions read off its syntax tree (see
//! [`Piece::may_match`]), so most blocks never reach its regex.

use std::ops::Range;

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind, Look};

use super::config::{MatchConfig, OneOrMany};
use crate::norm::fold;
use toml::Spanned;

/// A compiled text pattern.
#[derive(Debug, Clone)]
pub struct TextMatcher {
    /// The pattern's top-level alternatives (the whole pattern when it has none, or when one
    /// would not compile on its own).
    pub(crate) pieces: Vec<Piece>,
    max_chars: Option<usize>,
    /// See [`MatchConfig::not_before`].
    pub not_before: Option<f64>,
    /// See [`MatchConfig::not_after`].
    pub not_after: Option<f64>,
}

/// Needle sets kept per piece: a second set often rules out what the first lets through, a
/// third rarely does and costs every block its search.
const NEEDLE_SETS: usize = 2;

/// An anchored condition whose shortest string is at least this long admits so few blocks
/// that searching for the piece's needles as well costs more than the regex runs it spares:
/// `support ` needs ` and` too, found in most paragraphs; `more`/`next` (then `:`) do not.
const WEAK_ANCHOR_CHARS: usize = 6;

/// One top-level alternative of a pattern.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub(crate) regex: Regex,
    /// Needle sets, each with one needle in every match (see [`super::prefilter`]); none when
    /// no set could be read.
    pub(crate) needles: Vec<Vec<String>>,
    /// For a piece anchored at the start: strings one of which every match starts with (see
    /// [`super::prefilter::required_prefixes`]).
    pub(crate) prefixes: Option<Vec<String>>,
    /// For a piece anchored at the end: strings one of which every match ends with (see
    /// [`super::prefilter::required_suffixes`]).
    pub(crate) suffixes: Option<Vec<String>>,
    /// Each needle set's position among the rule set's (set when the set's index is built).
    pub(crate) slots: Vec<usize>,
    /// For a piece anchored at both ends: the length in bytes of its longest match.
    max_len: Option<usize>,
    /// For a piece anchored at the start: the characters a match can start with, as sorted
    /// inclusive ranges.
    first: Option<Vec<(char, char)>>,
}

impl Piece {
    /// What the index tests for this piece, every one of which a matching block meets: an
    /// anchored condition, which is far narrower than text anywhere in the block, and the
    /// needle sets it does not imply (`^(download|get) .*\bapp` needs `app` too; see
    /// [`super::prefilter::implied`]), when the anchored strings are short
    /// ([`WEAK_ANCHOR_CHARS`]). A suffix is
    /// used only when it is no weaker than the best needle set, and without a prefix.
    pub(crate) fn conditions(&self) -> Vec<super::prefilter::Needed> {
        use super::prefilter::{implied, selectivity, Needed};
        let best = self.needles.first().map_or(0, |set| selectivity(set));
        let (anchored, condition) = match (&self.prefixes, &self.suffixes) {
            (Some(p), _) => (p, Needed::StartsWith(p.clone())),
            (None, Some(s)) if selectivity(s) >= best => (s, Needed::EndsWith(s.clone())),
            _ => {
                // A one-character set (`)`, `/`, `x`) next to a selective one is found all over
                // most documents and spares few regex runs: only the selective one is indexed.
                return self
                    .needles
                    .iter()
                    .enumerate()
                    .filter(|&(i, set)| i == 0 || best < 3 || selectivity(set) > 1)
                    .map(|(_, set)| Needed::Contains(set.clone()))
                    .collect();
            }
        };
        let mut all = vec![condition];
        if selectivity(anchored) < WEAK_ANCHOR_CHARS {
            all.extend(
                self.needles
                    .iter()
                    .filter(|set| !implied(set, anchored))
                    .cloned()
                    .map(Needed::Contains),
            );
        }
        all
    }

    fn new(regex: Regex, hir: Option<&Hir>) -> Piece {
        let props = hir.map(Hir::properties);
        let at_start = props.is_some_and(|p| p.look_set_prefix().contains(Look::Start));
        let at_end = props.is_some_and(|p| p.look_set_suffix().contains(Look::End));
        Piece {
            regex,
            needles: hir.map_or_else(Vec::new, |h| {
                super::prefilter::required_sets(h, NEEDLE_SETS)
            }),
            prefixes: hir
                .filter(|_| at_start)
                .and_then(super::prefilter::required_prefixes),
            suffixes: hir
                .filter(|_| at_end)
                .and_then(super::prefilter::required_suffixes),
            slots: Vec::new(),
            max_len: props
                .filter(|_| at_start && at_end)
                .and_then(|p| p.maximum_len()),
            first: hir.filter(|_| at_start).and_then(first_chars).map(|mut r| {
                r.sort_unstable();
                r
            }),
        }
    }

    /// False only when the piece cannot match `text`: a match of a piece anchored at both ends
    /// is the whole text, and one anchored at the start begins with the text's first character.
    fn may_match(&self, text: &str) -> bool {
        if self.max_len.is_some_and(|max| text.len() > max) {
            return false;
        }
        let Some(first) = &self.first else {
            return true;
        };
        text.chars().next().is_some_and(|c| {
            let after = first.partition_point(|&(start, _)| start <= c);
            after > 0 && c <= first[after - 1].1
        })
    }
}

/// The characters every match of `hir` starts with, as inclusive ranges, when they can be read
/// off: `hir` never matches the empty string and its first consuming part is a literal, a class,
/// or built of them.
fn first_chars(hir: &Hir) -> Option<Vec<(char, char)>> {
    if hir.properties().minimum_len().is_none_or(|n| n == 0) {
        return None;
    }
    match hir.kind() {
        HirKind::Literal(lit) => {
            let c = std::str::from_utf8(&lit.0).ok()?.chars().next()?;
            Some(vec![(c, c)])
        }
        HirKind::Class(Class::Unicode(cls)) => {
            Some(cls.ranges().iter().map(|r| (r.start(), r.end())).collect())
        }
        HirKind::Capture(c) => first_chars(&c.sub),
        HirKind::Repetition(r) => first_chars(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for alt in alts {
                all.extend(first_chars(alt)?);
            }
            Some(all)
        }
        HirKind::Concat(parts) => {
            // Assertions consume nothing; the first part that does decides, unless it can be
            // empty (then the next part could supply the first character).
            let first = parts
                .iter()
                .find(|p| !matches!(p.kind(), HirKind::Look(_)))?;
            first_chars(first)
        }
        _ => None,
    }
}

impl TextMatcher {
    /// Whether `folded` (a block's text after [`fold`]) matches.
    pub fn is_match(&self, folded: &str) -> bool {
        self.is_match_admitted(folded, |_| true)
    }

    /// [`is_match`](Self::is_match), trying only the pieces `admitted` lets through (a piece
    /// left out must be one that cannot match).
    pub(crate) fn is_match_admitted(
        &self,
        folded: &str,
        admitted: impl Fn(&Piece) -> bool,
    ) -> bool {
        self.within_max_chars(folded)
            && self
                .pieces
                .iter()
                .any(|p| admitted(p) && p.may_match(folded) && p.regex.is_match(folded))
    }
}

impl TextMatcher {
    /// Which of `blocks` (texts after [`fold`]) match, in order, trying each piece only on the
    /// blocks `candidates` gives for it (in order; the rest must be blocks it cannot match).
    /// Most patterns match no block of a document, and then nothing is allocated.
    pub(crate) fn matching<S: AsRef<str>, I: IntoIterator<Item = usize>>(
        &self,
        blocks: &[S],
        candidates: impl Fn(&Piece) -> I,
    ) -> Vec<usize> {
        let mut hits: Vec<usize> = Vec::new();
        for (n, p) in self.pieces.iter().enumerate() {
            // Blocks an earlier piece matched need no second look; the lists are short.
            let earlier = hits.len();
            for i in candidates(p) {
                let Some(text) = blocks.get(i).map(AsRef::as_ref) else {
                    continue;
                };
                if (n == 0 || !hits[..earlier].contains(&i))
                    && self.within_max_chars(text)
                    && p.may_match(text)
                    && p.regex.is_match(text)
                {
                    hits.push(i);
                }
            }
        }
        if self.pieces.len() > 1 {
            hits.sort_unstable();
            hits.dedup();
        }
        hits
    }

    fn within_max_chars(&self, text: &str) -> bool {
        // A string has at most as many chars as bytes: count only when it could matter.
        self.max_chars
            .is_none_or(|max| text.len() <= max || text.chars().count() <= max)
    }
}

/// The pieces of `pattern`: `is_match` of an alternation is the `is_match` of any of its
/// alternatives, each printed back from the syntax tree and compiled alone. The whole pattern is
/// compiled only when it has no alternatives or one of them does not compile alone; `Err` when
/// the whole pattern does not compile either.
fn pieces(pattern: &str) -> Result<Vec<Piece>, regex::Error> {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return Ok(vec![Piece::new(Regex::new(pattern)?, None)]);
    };
    if let Some(alts) = alternatives(&hir) {
        let split: Result<Vec<Piece>, regex::Error> = alts
            .iter()
            .map(|alt| Ok(Piece::new(Regex::new(&alt.to_string())?, Some(alt))))
            .collect();
        if let Ok(split) = split {
            return Ok(split);
        }
    }
    Ok(vec![Piece::new(Regex::new(pattern)?, Some(&hir))])
}

/// The top-level alternatives of `hir`, if it has some. The parser lifts a prefix that all
/// alternatives share (`^` in `^a|^b`) out of the alternation (`^(?:a|b)`); such a prefix is
/// put back on each alternative (`A(B|C)` matches where `AB` or `AC` does).
fn alternatives(hir: &Hir) -> Option<Vec<Hir>> {
    match hir.kind() {
        HirKind::Alternation(alts) => Some(alts.clone()),
        HirKind::Concat(parts) => {
            let (last, prefix) = parts.split_last()?;
            let HirKind::Alternation(alts) = last.kind() else {
                return None;
            };
            Some(
                alts.iter()
                    .map(|alt| {
                        let mut whole = prefix.to_vec();
                        whole.push(alt.clone());
                        Hir::concat(whole)
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A compile error with the byte span of the offending value in the rule file.
pub type SpannedError = (Range<usize>, String);

/// Compiles a pattern; `at` is the span of the whole table, for errors about it as a whole.
pub fn compile(cfg: &MatchConfig, at: Range<usize>) -> Result<TextMatcher, SpannedError> {
    let mut alternatives = Vec::new();
    let literal_kinds: [(&Option<Spanned<OneOrMany>>, &str, &str); 4] = [
        (&cfg.equals, "^(?:", ")$"),
        (&cfg.starts_with, "^(?:", ")"),
        (&cfg.ends_with, "(?:", ")$"),
        (&cfg.contains, "(?:", ")"),
    ];
    for (field, open, close) in literal_kinds {
        let Some(field) = field else { continue };
        let lits = non_empty(field)?;
        let body = lits
            .iter()
            .map(|l| regex::escape(&fold(l)))
            .collect::<Vec<_>>()
            .join("|");
        alternatives.push(format!("{open}{body}{close}"));
    }
    if let Some(field) = &cfg.regex {
        for re in non_empty(field)? {
            // Parsing finds every syntax error, with the message compiling would give, at a
            // fraction of the cost (the pattern is compiled once, below, as pieces).
            if let Err(e) = regex_syntax::parse(re) {
                return Err((
                    field.span(),
                    format!("invalid regex `{re}`: {}", first_line(&e)),
                ));
            }
            alternatives.push(format!("(?:{re})"));
        }
    }
    if alternatives.is_empty() {
        return Err((
            at,
            "expected at least one of `equals`, `starts_with`, `ends_with`, `contains`, `regex`"
                .to_string(),
        ));
    }
    for (frac, name) in [
        (&cfg.not_before, "not_before"),
        (&cfg.not_after, "not_after"),
    ] {
        if let Some(f) = frac {
            if !(0.0..=1.0).contains(f.get_ref()) {
                return Err((f.span(), format!("`{name}` must be between 0.0 and 1.0")));
            }
        }
    }
    let flags = if cfg.case_sensitive { "" } else { "(?i)" };
    let pattern = format!("{flags}{}", alternatives.join("|"));
    let pieces = pieces(&pattern).map_err(|e| {
        // A regex that parses can still be too large to compile: name it if it is one alone.
        let alone = cfg.regex.as_ref().and_then(|field| {
            let re = field
                .get_ref()
                .0
                .iter()
                .find(|re| Regex::new(re).is_err())?;
            Some((
                field.span(),
                format!("invalid regex `{re}`: {}", first_line(&e)),
            ))
        });
        alone.unwrap_or((at, format!("pattern too large: {e}")))
    })?;
    Ok(TextMatcher {
        pieces,
        max_chars: cfg.max_chars,
        not_before: cfg.not_before.as_ref().map(|f| *f.get_ref()),
        not_after: cfg.not_after.as_ref().map(|f| *f.get_ref()),
    })
}

fn non_empty(field: &Spanned<OneOrMany>) -> Result<&[String], SpannedError> {
    let items = &field.get_ref().0;
    if items.is_empty() || items.iter().any(|s| s.trim().is_empty()) {
        return Err((
            field.span(),
            "empty pattern: expected a non-empty string (an empty pattern would match every block)"
                .to_string(),
        ));
    }
    Ok(items)
}

fn first_line(e: &impl std::fmt::Display) -> String {
    // regex errors are multi-line drawings of the pattern; the last line says what is wrong.
    let s = e.to_string();
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(&s)
        .trim()
        .trim_start_matches("error: ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(toml_src: &str) -> Result<TextMatcher, SpannedError> {
        let cfg: MatchConfig = toml::from_str(toml_src).unwrap();
        compile(&cfg, 0..0)
    }

    #[test]
    fn literal_kinds_and_folding() {
        let m = matcher(
            r#"equals = ["Open in App"]
starts_with = "See also:"
contains = "don't miss""#,
        )
        .unwrap();
        assert!(m.is_match("open in app"));
        assert!(!m.is_match("Open in App now"));
        assert!(m.is_match(&fold("See also: Ships diverted")));
        assert!(m.is_match(&fold("You don\u{2019}t miss a thing")));
        assert!(!m.is_match("Nothing here"));
    }

    #[test]
    fn alternatives_are_pieces_that_match_alone() {
        let m = matcher(
            r#"equals = ["Open in App"]
regex = ['^\d+ of \d+\b', '\bcookies\b']"#,
        )
        .unwrap();
        assert_eq!(m.pieces.len(), 3);
        assert!(m.is_match("3 of 12 photos"));
        assert!(m.is_match("we use COOKIES"));
        assert!(!m.is_match("one of two"));
        assert!(!m.is_match_admitted("3 of 12", |p| !p
            .needles
            .contains(&vec![" of ".to_string()])));
    }

    #[test]
    fn anchored_pieces_have_cheap_conditions() {
        let m = matcher(
            r#"equals = ["Share", "X"]
regex = ['^\d+ of \d+\b', '^(?:photo|image)s? by', '^\s*tags$', 'cookies$']"#,
        )
        .unwrap();
        let conditions: Vec<_> = m
            .pieces
            .iter()
            .map(|p| (p.max_len, p.first.is_some()))
            .collect();
        // `(?i)` lets `s` match the long s (two bytes): "Share" is at most six bytes.
        assert_eq!(
            conditions,
            [
                (Some(6), true),
                (None, true),
                (None, true),
                (None, false),
                (None, false)
            ]
        );
        let share = &m.pieces[0];
        assert!(share.may_match("x") && share.may_match("ſhare"));
        assert!(!share.may_match("Share this") && !share.may_match("Tweet"));
        assert!(m.pieces[1].may_match("3 of 4") && m.pieces[1].may_match("٣ of 4"));
        assert!(!m.pieces[1].may_match("Page 3 of 4"));
        assert!(m.pieces[2].may_match("Images by") && !m.pieces[2].may_match("By"));
    }

    #[test]
    fn max_chars_guards_long_blocks() {
        let m = matcher("contains = \"cookies\"\nmax_chars = 20").unwrap();
        assert!(m.is_match("We use cookies"));
        assert!(!m.is_match("A long paragraph that happens to mention cookies."));
    }

    #[test]
    fn errors_are_specific() {
        assert!(matcher("regex = \"(open\"")
            .unwrap_err()
            .1
            .contains("invalid regex `(open`"));
        assert!(matcher("equals = \"\"")
            .unwrap_err()
            .1
            .starts_with("empty pattern"));
        assert!(matcher("case_sensitive = true")
            .unwrap_err()
            .1
            .starts_with("expected at least one"));
        assert!(matcher("contains = \"x\"\nnot_before = 2.0")
            .unwrap_err()
            .1
            .contains("between 0.0 and 1.0"));
    }

    #[test]
    fn a_regex_too_large_to_compile_is_named() {
        // It parses, so only compiling finds it out: the error still names the regex, and the
        // message is the one compiling it alone gives.
        let huge = r"(?:\\w{100}){100}";
        let err = matcher(&format!(
            "contains = \"ok\"\nregex = [\"fine\", \"{huge}\"]"
        ))
        .unwrap_err()
        .1;
        assert!(
            err.starts_with(r"invalid regex `(?:\w{100}){100}`: "),
            "{err}"
        );
        assert!(err.contains("size limit"), "{err}");
        assert!(regex::Regex::new(r"(?:\w{100}){100}").is_err());
    }
}
