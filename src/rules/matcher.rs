//! Compiling a [`MatchConfig`] into one regular expression, and the text folding both patterns
//! and blocks go through before matching.
//!
//! The regular expression is kept as its top-level alternatives ([`Piece`]s), each compiled on
//! its own with its own prefilter needles: a pattern matches where one of its alternatives does,
//! and one alternative with a common needle (`^\d+ of \d+`) then no longer sends every block
//! through the others, nor an anchored alternative through a search of the whole block.

use std::ops::Range;

use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};

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

/// One top-level alternative of a pattern.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    regex: Regex,
    /// Text one of which every match contains (see [`super::prefilter`]).
    pub(crate) needles: Option<Vec<String>>,
    /// Position among the rule set's text pattern pieces (set when the set's index is built).
    pub(crate) slot: usize,
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
        if let Some(max) = self.max_chars {
            // A string has at most as many chars as bytes: count only when it could matter.
            if folded.len() > max && folded.chars().count() > max {
                return false;
            }
        }
        self.pieces
            .iter()
            .any(|p| admitted(p) && p.regex.is_match(folded))
    }
}

/// The pieces of a compiled `pattern`: `is_match` of an alternation is the `is_match` of any of
/// its alternatives, each printed back from the syntax tree and compiled alone.
fn pieces(pattern: &str, whole: Regex) -> Vec<Piece> {
    let piece = |regex: Regex, needles| Piece {
        regex,
        needles,
        slot: usize::MAX,
    };
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return vec![piece(whole, None)];
    };
    if let Some(alts) = alternatives(&hir) {
        let split: Result<Vec<Piece>, regex::Error> = alts
            .iter()
            .map(|alt| {
                Ok(piece(
                    Regex::new(&alt.to_string())?,
                    super::prefilter::required_hir(alt),
                ))
            })
            .collect();
        if let Ok(split) = split {
            return split;
        }
    }
    vec![piece(whole, super::prefilter::required_hir(&hir))]
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
            if let Err(e) = Regex::new(re) {
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
    let regex = Regex::new(&pattern).map_err(|e| (at, format!("pattern too large: {e}")))?;
    Ok(TextMatcher {
        pieces: pieces(&pattern, regex),
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

fn first_line(e: &regex::Error) -> String {
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
        assert!(!m.is_match_admitted("3 of 12", |p| p.needles.as_deref()
            != Some(&[" of ".to_string()])));
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
}
