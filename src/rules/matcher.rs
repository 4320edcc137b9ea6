//! Compiling a [`MatchConfig`] into one regular expression, and the text folding both patterns
//! and blocks go through before matching.

use std::ops::Range;

use regex::Regex;

use super::config::{MatchConfig, OneOrMany};
use crate::norm::fold;
use toml::Spanned;

/// A compiled text pattern.
#[derive(Debug, Clone)]
pub struct TextMatcher {
    regex: Regex,
    /// Text one of which every match contains (see [`super::prefilter`]).
    pub(crate) needles: Option<Vec<String>>,
    /// Position among the rule set's text patterns (set when the set's index is built).
    pub(crate) slot: usize,
    max_chars: Option<usize>,
    /// See [`MatchConfig::not_before`].
    pub not_before: Option<f64>,
    /// See [`MatchConfig::not_after`].
    pub not_after: Option<f64>,
}

impl TextMatcher {
    /// Whether `folded` (a block's text after [`fold`]) matches.
    pub fn is_match(&self, folded: &str) -> bool {
        if let Some(max) = self.max_chars {
            // A string has at most as many chars as bytes: count only when it could matter.
            if folded.len() > max && folded.chars().count() > max {
                return false;
            }
        }
        self.regex.is_match(folded)
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
        needles: super::prefilter::required(&pattern),
        slot: usize::MAX,
        regex,
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
