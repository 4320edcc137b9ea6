//! The rule-file format as serde structs: what users write, before validation.
//!
//! Every field that a later validation error may point at is `Spanned`, so the error can name
//! the exact line and column. Unknown keys are refused (`deny_unknown_fields`) because a
//! misspelt key that is silently ignored is a rule that silently does nothing.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

/// One rule file: an optional `[site]` table and any number of `[[rule]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub site: Option<Spanned<SiteConfig>>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleConfig>,
}

/// How a per-site file recognises its site.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Display name, used as the record's `site` when the page names none.
    pub name: Option<String>,
    /// Hosts whose URLs (and subdomains) this file applies to. Default: the file name's stem.
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
    /// Literal strings (case-insensitive) whose presence in a document identifies the site, for
    /// text dumps without a URL.
    #[serde(default)]
    pub signatures: Vec<Spanned<String>>,
}

/// One `[[rule]]`. Exactly one of the action keys (`drop`, `range`, `cut_after`,
/// `cut_before`, `selector`) must be present; which one is the rule's kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub id: Spanned<String>,
    pub description: Spanned<String>,
    pub drop: Option<Spanned<MatchConfig>>,
    pub range: Option<Spanned<RangeConfig>>,
    pub cut_after: Option<Spanned<MatchConfig>>,
    pub cut_before: Option<Spanned<MatchConfig>>,
    pub selector: Option<Spanned<OneOrMany>>,
    /// Examples the rule must remove. For text rules each example is one or more lines (one
    /// block per line) and every line must be removed; for selector rules each is an HTML
    /// fragment in which the selector must match.
    #[serde(default)]
    pub strips: Vec<Spanned<String>>,
    /// Examples the rule must leave alone.
    #[serde(default)]
    pub keeps: Vec<Spanned<String>>,
}

/// A text pattern. The alternatives are OR-ed; each accepts a string or a list of strings.
/// Matching runs on the block's text with whitespace collapsed and typographic quotes and
/// dashes folded to ASCII (`’` → `'`, `–` → `-`), case-insensitively unless `case_sensitive`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchConfig {
    /// The whole block equals one of these.
    pub equals: Option<Spanned<OneOrMany>>,
    pub starts_with: Option<Spanned<OneOrMany>>,
    pub ends_with: Option<Spanned<OneOrMany>>,
    pub contains: Option<Spanned<OneOrMany>>,
    /// Regular expressions (Rust `regex` syntax), unanchored unless you anchor them.
    pub regex: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    pub case_sensitive: bool,
    /// Only blocks up to this many characters match: keeps a phrase rule off long paragraphs
    /// that merely mention the phrase.
    pub max_chars: Option<usize>,
    /// For `cut_after`: the marker only counts at or after this fraction of the document's
    /// blocks (0.0–1.0), so a footer phrase quoted early in an article cannot cut the article.
    pub not_before: Option<Spanned<f64>>,
    /// For `cut_before`: the marker only counts at or before this fraction of the blocks.
    pub not_after: Option<Spanned<f64>>,
}

/// `drop` everything from a block matching `start` through the next block matching `end`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeConfig {
    pub start: Spanned<MatchConfig>,
    pub end: Spanned<MatchConfig>,
    /// The end must come within this many blocks of the start, else nothing is dropped.
    /// Default 10.
    pub max_blocks: Option<usize>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
    }
}
