//! Rules: loading, validating and selecting the TOML rule files that say what boilerplate is.
//!
//! A rule set is read from one or more directories (`generic/` files apply to every document,
//! `sites/<domain>.toml` files only to documents of that site) or from the copy of the repo's
//! `rules/` embedded at build time. Loading follows parse → validate → use: every file is
//! parsed and every rule compiled before any input is read, and *all* problems are reported
//! together, each with `file:line:column` and what was expected. A [`RuleSet`] that exists is
//! valid. Applying rules to blocks is the strip stage's job.

pub mod config;
pub mod css;
pub mod matcher;
pub mod prefilter;
pub mod signatures;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use config::{FileConfig, RuleConfig};
pub use matcher::TextMatcher;

/// The copy of `rules/` compiled into the binary: `(path relative to rules/, contents)`.
static EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Default `max_blocks` for range rules.
const DEFAULT_RANGE_BLOCKS: usize = 10;

/// Where something is in a rule file; 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// A problem with the rule files.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("cannot read rule file `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("rule directory `{0}` does not exist")]
    MissingDir(String),
    #[error("{location}: {message}\n{snippet}")]
    Invalid {
        location: Location,
        message: String,
        /// The offending source line with a caret under the column.
        snippet: String,
    },
}

/// Every problem found in a rule set; loading fails if this is non-empty.
#[derive(Debug)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// How a site file recognises its documents.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    /// Lower-case hosts; a URL matches a host or any of its subdomains.
    pub hosts: Vec<String>,
    /// Lower-case literal strings that identify the site inside a document's text.
    pub signatures: Vec<String>,
    /// The signatures as one case-insensitive search, built once (lower-casing a copy of each
    /// page cost more than parsing some of them).
    finder: Option<regex::Regex>,
}

/// What a rule does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Drop every block that matches.
    Drop(TextMatcher),
    /// Drop from a block matching `start` through the next block matching `end`, when the end
    /// comes within `max_blocks` blocks.
    Range {
        start: TextMatcher,
        end: TextMatcher,
        max_blocks: usize,
    },
    /// Drop the first matching block and everything after it.
    CutAfter(TextMatcher),
    /// Drop the last matching block and everything before it.
    CutBefore(TextMatcher),
    /// Drop HTML elements matching the CSS selector (HTML input only).
    Select(Box<css::CssRule>),
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: String,
    pub action: Action,
    pub strips: Vec<String>,
    pub keeps: Vec<String>,
    /// Where the rule's `id` is written.
    pub location: Location,
}

impl Rule {
    /// The rule's kind as written in the file.
    pub fn kind(&self) -> &'static str {
        match self.action {
            Action::Drop(_) => "drop",
            Action::Range { .. } => "range",
            Action::CutAfter(_) => "cut_after",
            Action::CutBefore(_) => "cut_before",
            Action::Select(_) => "selector",
        }
    }
}

/// One validated rule file.
#[derive(Debug, Clone)]
pub struct RuleFile {
    pub path: String,
    /// `Some` for files under `sites/`.
    pub site: Option<Site>,
    pub rules: Vec<Rule>,
}

/// A complete, validated set of rules.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub files: Vec<RuleFile>,
    /// Prefilter over every selector rule in `files`, for the one-pass DOM match.
    pub css: css::CssIndex,
    /// Prefilter over every text pattern in `files`.
    pub text: prefilter::TextIndex,
    /// Every site's signatures in one search: most pages hold none, and one scan of a page
    /// says so for all sites at once.
    pub signatures: Option<signatures::Signatures>,
}

/// The rules that apply to one document: the matched sites' rules first (they are the most
/// specific, so a removal is credited to them), then the generic ones.
#[derive(Debug, Default)]
pub struct ActiveRules<'a> {
    pub rules: Vec<&'a Rule>,
    pub sites: Vec<&'a Site>,
    /// The rule set's selector index (the active selector rules are a subset of it).
    pub css: Option<&'a css::CssIndex>,
    /// The rule set's text-pattern index.
    pub text: Option<&'a prefilter::TextIndex>,
}

impl RuleSet {
    /// Loads every `*.toml` under each directory. Files under a `sites/` folder are site files;
    /// all others are generic. With `include_sites == false` site files are not loaded.
    pub fn load(dirs: &[PathBuf], include_sites: bool) -> Result<RuleSet, RuleErrors> {
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for dir in dirs {
            if !dir.is_dir() {
                errors.push(RuleError::MissingDir(dir.display().to_string()));
                continue;
            }
            let mut files = Vec::new();
            collect_toml(dir, &mut files, &mut errors);
            files.sort();
            for f in files {
                let rel = f.strip_prefix(dir).unwrap_or(&f).to_path_buf();
                match std::fs::read_to_string(&f) {
                    Ok(text) => sources.push((f.display().to_string(), is_site(&rel), text)),
                    Err(source) => errors.push(RuleError::Io {
                        path: f.display().to_string(),
                        source,
                    }),
                }
            }
        }
        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        Self::from_sources(sources, include_sites)
    }

    /// The rule set compiled into the binary from the repo's `rules/`.
    pub fn embedded(include_sites: bool) -> Result<RuleSet, RuleErrors> {
        let sources = EMBEDDED
            .iter()
            .map(|(p, t)| {
                (
                    format!("<embedded>/rules/{p}"),
                    is_site(Path::new(p)),
                    t.to_string(),
                )
            })
            .collect();
        Self::from_sources(sources, include_sites)
    }

    /// Parses and validates `(display path, is_site_file, contents)` triples.
    pub fn from_sources(
        sources: Vec<(String, bool, String)>,
        include_sites: bool,
    ) -> Result<RuleSet, RuleErrors> {
        let mut errors = Vec::new();
        let mut files = Vec::new();
        let mut seen: HashMap<String, Location> = HashMap::new();
        for (path, site_file, text) in sources {
            if site_file && !include_sites {
                continue;
            }
            let src = Source {
                path: &path,
                text: &text,
            };
            match build_file(&src, site_file, &mut seen) {
                Ok(file) => files.push(file),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            let css = css::CssIndex::build(files.iter_mut().flat_map(|f| {
                f.rules.iter_mut().filter_map(|r| match &mut r.action {
                    Action::Select(c) => Some(&mut **c),
                    _ => None,
                })
            }));
            let mut sets = Vec::new();
            for rule in files.iter_mut().flat_map(|f| f.rules.iter_mut()) {
                let matchers: Vec<&mut TextMatcher> = match &mut rule.action {
                    Action::Drop(m) | Action::CutAfter(m) | Action::CutBefore(m) => vec![m],
                    Action::Range { start, end, .. } => vec![start, end],
                    Action::Select(_) => vec![],
                };
                for p in matchers.into_iter().flat_map(|m| &mut m.pieces) {
                    let conditions = p.conditions();
                    p.slots = (sets.len()..sets.len() + conditions.len()).collect();
                    sets.extend(conditions.into_iter().map(Some));
                }
            }
            let text = prefilter::TextIndex::build(&sets);
            let all: Vec<String> = files
                .iter()
                .flat_map(|f| f.site.iter().flat_map(|s| s.signatures.iter().cloned()))
                .collect();
            // Each site's own search compiled, so the union does too; if the union is refused
            // (size limit), every page falls back to the per-site searches.
            let signatures = signatures::Signatures::build(&all);
            Ok(RuleSet {
                files,
                css,
                text,
                signatures,
            })
        } else {
            Err(RuleErrors(errors))
        }
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.files.iter().flat_map(|f| f.rules.iter())
    }

    /// Selects the rules for one document, recognising sites by URL host or text signature.
    pub fn for_document(&self, url: Option<&str>, text: &str) -> ActiveRules<'_> {
        let host = url.and_then(host_of);
        let mut active = ActiveRules {
            css: Some(&self.css),
            text: Some(&self.text),
            ..ActiveRules::default()
        };
        let mut any_signature: Option<bool> = None;
        for file in &self.files {
            let Some(site) = &file.site else { continue };
            let by_host = host.as_deref().is_some_and(|h| {
                site.hosts.iter().any(|s| {
                    h.strip_suffix(s.as_str())
                        .is_some_and(|p| p.is_empty() || p.ends_with('.'))
                })
            });
            let by_text = !by_host
                && *any_signature
                    .get_or_insert_with(|| self.signatures.as_ref().is_none_or(|s| s.any_in(text)))
                && site.finder.as_ref().is_some_and(|f| f.is_match(text));
            if by_host || by_text {
                active.sites.push(site);
                active.rules.extend(file.rules.iter());
            }
        }
        for file in self.files.iter().filter(|f| f.site.is_none()) {
            active.rules.extend(file.rules.iter());
        }
        active
    }
}

fn is_site(rel: &Path) -> bool {
    rel.components().any(|c| c.as_os_str() == "sites")
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<RuleError>) {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    collect_toml(&p, out, errors);
                } else if p.extension().is_some_and(|x| x == "toml") {
                    out.push(p);
                }
            }
        }
        Err(source) => errors.push(RuleError::Io {
            path: dir.display().to_string(),
            source,
        }),
    }
}

/// The lower-case host of a URL, without port or `www.`.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// A rule file's text, for turning byte spans into located errors.
struct Source<'a> {
    path: &'a str,
    text: &'a str,
}

impl Source<'_> {
    /// Line, column (1-based, in characters) and line start of a byte offset, clamped to the
    /// text and to a character boundary.
    fn position(&self, offset: usize) -> (usize, usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column, line_start)
    }

    fn location(&self, span: &Range<usize>) -> Location {
        let (line, column, _) = self.position(span.start);
        Location {
            path: self.path.to_string(),
            line,
            column,
        }
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> RuleError {
        let (line, column, line_start) = self.position(span.start);
        let line_text = self.text[line_start..].lines().next().unwrap_or("");
        let gutter = line.to_string().len();
        let snippet = format!(
            "{:gutter$} |\n{line} | {line_text}\n{:gutter$} | {:>column$}",
            "", "", "^"
        );
        RuleError::Invalid {
            location: self.location(&span),
            message: message.into(),
            snippet,
        }
    }
}

fn build_file(
    src: &Source,
    site_file: bool,
    seen: &mut HashMap<String, Location>,
) -> Result<RuleFile, Vec<RuleError>> {
    let cfg: FileConfig = toml::from_str(src.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        vec![src.error(span, e.message().trim().to_string())]
    })?;
    let mut errors = Vec::new();
    let site = match (&cfg.site, site_file) {
        (Some(s), false) => {
            errors.push(src.error(
                s.span(),
                "a `[site]` table belongs in a file under `sites/`; generic rules apply to every document",
            ));
            None
        }
        (s, true) => Some(build_site(
            src,
            s.as_ref().map(|s| s.get_ref()),
            &mut errors,
        )),
        (None, false) => None,
    };
    let mut rules = Vec::new();
    for rc in &cfg.rules {
        match build_rule(src, rc) {
            Ok(rule) => {
                if let Some(first) = seen.get(&rule.id) {
                    errors.push(src.error(
                        rc.id.span(),
                        format!(
                            "duplicate rule id `{}`: first defined at {first}; ids must be unique across the rule set",
                            rule.id
                        ),
                    ));
                } else {
                    seen.insert(rule.id.clone(), rule.location.clone());
                    rules.push(rule);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(RuleFile {
            path: src.path.to_string(),
            site,
            rules,
        })
    } else {
        Err(errors)
    }
}

fn build_site(src: &Source, cfg: Option<&config::SiteConfig>, errors: &mut Vec<RuleError>) -> Site {
    let stem = Path::new(src.path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_lowercase();
    let mut site = Site {
        name: cfg
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| stem.clone()),
        hosts: vec![],
        signatures: vec![],
        finder: None,
    };
    if let Some(cfg) = cfg {
        for (list, out) in [
            (&cfg.hosts, &mut site.hosts),
            (&cfg.signatures, &mut site.signatures),
        ] {
            for s in list {
                if s.get_ref().trim().is_empty() {
                    errors.push(src.error(
                        s.span(),
                        "empty string: expected a host name or signature text",
                    ));
                } else {
                    out.push(s.get_ref().trim().to_lowercase());
                }
            }
        }
    }
    if site.hosts.is_empty() {
        site.hosts.push(stem);
    }
    if !site.signatures.is_empty() {
        let alternatives: Vec<String> = site.signatures.iter().map(|s| regex::escape(s)).collect();
        match regex::Regex::new(&format!("(?i){}", alternatives.join("|"))) {
            Ok(re) => site.finder = Some(re),
            // Escaped literals always compile; only a size limit can refuse them.
            Err(e) => {
                let at = cfg
                    .and_then(|c| c.signatures.first())
                    .map_or(0..0, |s| s.span());
                errors.push(src.error(at, format!("signatures too large to search: {e}")));
            }
        }
    }
    site
}

fn build_rule(src: &Source, rc: &RuleConfig) -> Result<Rule, RuleError> {
    let id = rc.id.get_ref().trim();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(src.error(
            rc.id.span(),
            format!("invalid rule id `{id}`: expected a non-empty name of letters, digits, `-`, `_` and `.`"),
        ));
    }
    if rc.description.get_ref().trim().is_empty() {
        return Err(src.error(
            rc.description.span(),
            "empty description: say in one line what the rule removes",
        ));
    }
    let compile = |m: &toml::Spanned<config::MatchConfig>| {
        matcher::compile(m.get_ref(), m.span()).map_err(|(span, msg)| src.error(span, msg))
    };
    let mut actions = Vec::new();
    if let Some(m) = &rc.drop {
        actions.push(Action::Drop(compile(m)?));
    }
    if let Some(r) = &rc.range {
        let r = r.get_ref();
        actions.push(Action::Range {
            start: compile(&r.start)?,
            end: compile(&r.end)?,
            max_blocks: r.max_blocks.unwrap_or(DEFAULT_RANGE_BLOCKS),
        });
    }
    if let Some(m) = &rc.cut_after {
        actions.push(Action::CutAfter(compile(m)?));
    }
    if let Some(m) = &rc.cut_before {
        actions.push(Action::CutBefore(compile(m)?));
    }
    if let Some(sel) = &rc.selector {
        let list = &sel.get_ref().0;
        if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
            return Err(src.error(
                sel.span(),
                "empty selector: expected a CSS selector such as `.cookie-banner`",
            ));
        }
        let joined = list.join(", ");
        let parsed = scraper::Selector::parse(&joined).map_err(|e| {
            src.error(
                sel.span(),
                format!("invalid CSS selector `{joined}`: {}", selector_error(e)),
            )
        })?;
        actions.push(Action::Select(Box::new(css::CssRule::new(parsed, &joined))));
    }
    let action = match actions.len() {
        1 => actions.remove(0),
        0 => {
            return Err(src.error(
                rc.id.span(),
                format!("rule `{id}` has no action: expected one of `drop`, `range`, `cut_after`, `cut_before`, `selector`"),
            ))
        }
        _ => {
            return Err(src.error(
                rc.id.span(),
                format!("rule `{id}` has several actions: expected exactly one of `drop`, `range`, `cut_after`, `cut_before`, `selector`; split it into several rules"),
            ))
        }
    };
    let location = src.location(&rc.id.span());
    Ok(Rule {
        id: id.to_string(),
        description: rc.description.get_ref().trim().to_string(),
        action,
        strips: rc.strips.iter().map(|s| s.get_ref().clone()).collect(),
        keeps: rc.keeps.iter().map(|s| s.get_ref().clone()).collect(),
        location,
    })
}

/// scraper's `Display` for parse errors from the `selectors` crate is a developer message with a
/// pretty-printed debug dump; the compact debug form names the problem on one line.
fn selector_error(e: scraper::error::SelectorErrorKind) -> String {
    match e {
        scraper::error::SelectorErrorKind::UnexpectedSelectorParseError(kind) => {
            format!("{kind:?}")
        }
        other => other.to_string().lines().next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<RuleSet, String> {
        RuleSet::from_sources(vec![("r/generic/t.toml".into(), false, text.into())], true)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn valid_file_loads() {
        let set = load(
            r#"
[[rule]]
id = "app.open"
description = "App prompt"
drop = { equals = "Open in App" }
strips = ["Open in App"]
"#,
        )
        .unwrap();
        assert_eq!(set.rules().count(), 1);
        assert_eq!(set.rules().next().unwrap().location.line, 3);
    }

    #[test]
    fn errors_name_file_line_column_and_expectation() {
        let e = load("[[rule]]\nid = \"x\"\ndescription = \"d\"\ndorp = { equals = \"a\" }\n")
            .unwrap_err();
        assert!(
            e.starts_with("r/generic/t.toml:4:1: unknown field `dorp`, expected one of"),
            "{e}"
        );
        let e = load("[[rule]]\nid = \"x\"\ndescription = \"d\"\ndrop = { regex = \"(a\" }\n")
            .unwrap_err();
        assert!(
            e.starts_with("r/generic/t.toml:4:18: invalid regex `(a`"),
            "{e}"
        );
        let e = load("[[rule]\n").unwrap_err();
        assert!(e.starts_with("r/generic/t.toml:1:"), "{e}");
        let e = load("[[rule]]\nid = \"x\"\ndescription = \"d\"\n").unwrap_err();
        assert!(e.contains("has no action"), "{e}");
    }

    #[test]
    fn duplicate_ids_point_at_both() {
        let rule = "[[rule]]\nid = \"same\"\ndescription = \"d\"\ndrop = { equals = \"a\" }\n";
        let e = RuleSet::from_sources(
            vec![
                ("a.toml".into(), false, rule.into()),
                ("b.toml".into(), false, rule.into()),
            ],
            true,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("b.toml:2:6: duplicate rule id `same`: first defined at a.toml:2:6"),
            "{e}"
        );
    }

    #[test]
    fn sites_match_by_host_or_signature() {
        let site = "[site]\nname = \"Example\"\nsignatures = [\"Example Media Ltd\"]\n[[rule]]\nid = \"ex.menu\"\ndescription = \"menu\"\ndrop = { equals = \"Menu\" }\n";
        let set = RuleSet::from_sources(
            vec![("rules/sites/example.com.toml".into(), true, site.into())],
            true,
        )
        .unwrap();
        assert_eq!(
            set.for_document(Some("https://news.example.com/a"), "")
                .sites
                .len(),
            1
        );
        assert_eq!(
            set.for_document(None, "(c) EXAMPLE MEDIA LTD").sites.len(),
            1
        );
        assert_eq!(
            set.for_document(Some("https://other.org/"), "text")
                .sites
                .len(),
            0
        );
        let none = RuleSet::from_sources(
            vec![("rules/sites/example.com.toml".into(), true, site.into())],
            false,
        )
        .unwrap();
        assert_eq!(none.rules().count(), 0);
    }

    #[test]
    fn embedded_rules_are_valid() {
        let set = RuleSet::embedded(true).unwrap();
        assert!(set.rules().count() > 10);
    }
}
