//! CSS selector rules, and an index that lets one pass over a page test each element only
//! against the selector rules that could match it.
//!
//! Running every selector rule as its own `select` walks the whole DOM once per rule and pays
//! the `selectors` crate's matching machinery for every element and every selector, which cost
//! more than a fifth of an HTML page's time. Nearly every selector a rule author writes names
//! something literal about the element it selects: a tag (`nav`), an id (`#comments`), a class
//! (`.share-bar`) or an attribute value (`[class*=cookie-banner]`). [`Hint`] is that literal,
//! read conservatively from the selector's text; [`CssIndex`] finds, for one element, every
//! rule whose hint the element satisfies, with one Aho-Corasick scan per attribute value.
//!
//! Contract: a hint is only ever a *necessary* condition. Candidates are always confirmed by the
//! real selector, so an element the index lets through costs one full match, and a selector the
//! analysis does not understand (escapes, namespaces, a compound with only pseudo-classes) gets
//! no hint and is tested on every element. The index can make matching faster, never different.
//!
//! The index also collects the attribute names the selectors read ([`CssIndex::keep`]), so the
//! lean page ([`crate::extract::lean`]) keeps those attributes and drops the rest before parsing.

use scraper::ElementRef;

use super::prefilter::Needles;
use crate::extract::lean::Keep;

/// A selector rule's compiled selector plus its prefilter hint.
#[derive(Debug, Clone)]
pub struct CssRule {
    pub selector: scraper::Selector,
    /// Position of this rule among the rule set's selector rules (set by [`CssIndex::build`]).
    pub(crate) slot: usize,
    hints: Option<Vec<Hint>>,
    /// Attribute names the selector reads; `None` when its text does not say (see
    /// [`attributes_of`]).
    attributes: Option<Vec<String>>,
}

impl CssRule {
    /// `text` is the selector group exactly as parsed into `selector`.
    pub fn new(selector: scraper::Selector, text: &str) -> CssRule {
        CssRule {
            selector,
            slot: usize::MAX,
            hints: hints_of(text),
            attributes: attributes_of(text),
        }
    }

    /// Whether the rule selects `el`.
    pub fn matches(&self, el: &ElementRef) -> bool {
        self.selector.matches(el)
    }
}

/// Something an element must have for one complex selector of a group to match it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Hint {
    /// The element's tag name (lower case).
    Tag(String),
    /// The attribute (lower-case name) is present, and when `needle` is set its value contains
    /// `needle`, ignoring ASCII case.
    Attr {
        name: String,
        needle: Option<String>,
    },
}

/// The hints of a selector group, one per complex selector; `None` if any of them has none (the
/// group can then match any element).
fn hints_of(group: &str) -> Option<Vec<Hint>> {
    split_top_level(group, |c| c == ',')
        .into_iter()
        .map(|complex| hint_of_compound(rightmost_compound(complex.trim())?))
        .collect()
}

/// Splits at characters `sep` accepts that are outside brackets, parentheses and quotes.
fn split_top_level(s: &str, sep: impl Fn(char) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in unquoted(s) {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            c if depth == 0 && sep(c) => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The characters of `s` outside single- or double-quoted strings, with their byte positions
/// (the quotes themselves left out): what every scan of selector text here reads.
fn unquoted(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote = None;
    s.char_indices().filter(move |&(_, c)| match quote {
        Some(q) => {
            if c == q {
                quote = None;
            }
            false
        }
        None if matches!(c, '\'' | '"') => {
            quote = Some(c);
            false
        }
        None => true,
    })
}

/// The part of a complex selector after its last combinator: the compound that must match the
/// element itself. `None` for text the analysis does not read (escapes, namespaces).
fn rightmost_compound(complex: &str) -> Option<&str> {
    if complex.contains('\\') || complex.contains('|') {
        return None;
    }
    let parts = split_top_level(complex, |c| {
        c.is_whitespace() || matches!(c, '>' | '+' | '~')
    });
    parts.into_iter().rev().find(|p| !p.is_empty())
}

/// The most selective literal requirement in a compound selector, if it has one.
fn hint_of_compound(compound: &str) -> Option<Hint> {
    let mut best: Option<Hint> = None;
    let mut consider = |h: Hint| {
        let weight = |h: &Hint| match h {
            Hint::Attr {
                needle: Some(n), ..
            } => 2 + n.len(),
            Hint::Tag(_) => 1,
            Hint::Attr { needle: None, .. } => 0,
        };
        if best.as_ref().is_none_or(|b| weight(&h) > weight(b)) {
            best = Some(h);
        }
    };
    let bytes = compound.as_bytes();
    let ident_end = |from: usize| {
        compound[from..]
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .map_or(compound.len(), |n| from + n)
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' | b'.' => {
                let end = ident_end(i + 1);
                if end > i + 1 {
                    let name = if bytes[i] == b'#' { "id" } else { "class" };
                    consider(Hint::Attr {
                        name: name.to_string(),
                        needle: Some(compound[i + 1..end].to_ascii_lowercase()),
                    });
                }
                i = end.max(i + 1);
            }
            b'[' => {
                let close = closing_bracket(&compound[i + 1..])? + i + 1;
                if let Some(h) = attribute_hint(&compound[i + 1..close]) {
                    consider(h);
                }
                i = close + 1;
            }
            // Pseudo-classes only narrow the compound further; their arguments (`:not(.x)`)
            // say nothing the element must have, so they are skipped whole.
            b':' => {
                let mut depth = 0;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        b'#' | b'.' | b'[' | b':' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'*' => i += 1,
            _ if i == 0 => {
                let end = ident_end(0);
                if end > 0 {
                    consider(Hint::Tag(compound[..end].to_ascii_lowercase()));
                }
                i = end.max(1);
            }
            _ => return None,
        }
    }
    best
}

/// Pseudo-classes that depend only on an element's place in the tree and on the selectors in
/// their arguments, not on attributes of their own (`:link` reads `href`, `:checked` reads
/// `checked`, …).
const STRUCTURAL: &[&str] = &[
    "not",
    "is",
    "where",
    "has",
    "root",
    "empty",
    "scope",
    "first-child",
    "last-child",
    "only-child",
    "nth-child",
    "nth-last-child",
    "first-of-type",
    "last-of-type",
    "only-of-type",
    "nth-of-type",
    "nth-last-of-type",
];

/// Every attribute name a selector group reads, lower case, besides `class` and `id` (always
/// kept), or `None` when its text does not say: escapes, namespaces and pseudo-classes outside
/// [`STRUCTURAL`] can read attributes the text does not name.
fn attributes_of(group: &str) -> Option<Vec<String>> {
    if group.contains('\\') || group.contains('|') {
        return None;
    }
    let mut names = Vec::new();
    for (i, c) in unquoted(group) {
        match c {
            '[' | ':' => {
                let rest = group[i + 1..].trim_start_matches(':');
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                let name = rest[..end].to_ascii_lowercase();
                if c == '[' {
                    names.push(name);
                } else if !STRUCTURAL.contains(&name.as_str()) {
                    return None;
                }
            }
            _ => {}
        }
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// Byte position of the `]` that closes an attribute selector whose text starts `s`.
fn closing_bracket(s: &str) -> Option<usize> {
    unquoted(s).find(|&(_, c)| c == ']').map(|(i, _)| i)
}

/// `name`, or `name op value [i|s]` (the text between `[` and `]`).
fn attribute_hint(inner: &str) -> Option<Hint> {
    let op_at = inner.find(['=', '~', '|', '^', '$', '*']);
    let name = inner[..op_at.unwrap_or(inner.len())].trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let name = name.to_ascii_lowercase();
    let Some(op_at) = op_at else {
        return Some(Hint::Attr { name, needle: None });
    };
    let rest = inner[op_at..].trim_start_matches(['~', '|', '^', '$', '*']);
    let value = rest.strip_prefix('=')?.trim();
    let needle = match value.chars().next() {
        Some(q @ ('\'' | '"')) => value[1..].split(q).next().unwrap_or(""),
        _ => value.split_whitespace().next().unwrap_or(""),
    };
    Some(Hint::Attr {
        name,
        needle: (!needle.is_empty()).then(|| needle.to_ascii_lowercase()),
    })
}

/// One page's memo for [`CssIndex::candidates`]: (attribute name, value) → admitted slots.
#[derive(Debug, Default)]
pub struct CandidateMemo<'a>(fxhash::FxHashMap<(&'a str, &'a str), Vec<usize>>);

/// For one page pass: which selector rules could match a given element.
#[derive(Debug, Clone, Default)]
pub struct CssIndex {
    /// Slots of rules with no hint: tested on every element.
    always: Vec<usize>,
    /// (tag, slot).
    tags: Vec<(String, usize)>,
    /// (attribute name, slot) for presence-only hints.
    present: Vec<(String, usize)>,
    /// Needles, each with the (attribute name, slot) pairs that use it.
    needles: Needles<(String, usize)>,
    /// Attribute names any needle is searched in.
    searched: Vec<String>,
    slots: usize,
    /// The attributes some selector reads, for the lean page.
    keep: Keep,
}

impl CssIndex {
    /// Numbers `rules` (their `slot`) and indexes their hints.
    pub fn build<'a>(rules: impl Iterator<Item = &'a mut CssRule>) -> CssIndex {
        let mut index = CssIndex::default();
        let mut pairs = Vec::new();
        for (slot, rule) in rules.enumerate() {
            rule.slot = slot;
            index.slots = slot + 1;
            match (&mut index.keep, &rule.attributes) {
                (Keep::Named(all), Some(names)) => {
                    all.extend(names.iter().cloned());
                    all.sort();
                    all.dedup();
                }
                (keep, None) => *keep = Keep::All,
                (Keep::All, Some(_)) => {}
            }
            let Some(hints) = &rule.hints else {
                index.always.push(slot);
                continue;
            };
            for hint in hints {
                match hint {
                    Hint::Tag(t) => index.tags.push((t.clone(), slot)),
                    Hint::Attr { name, needle: None } => index.present.push((name.clone(), slot)),
                    Hint::Attr {
                        name,
                        needle: Some(n),
                    } => {
                        pairs.push((n.clone(), (name.clone(), slot)));
                        if !index.searched.contains(name) {
                            index.searched.push(name.clone());
                        }
                    }
                }
            }
        }
        match Needles::build(pairs, None) {
            Ok(needles) => index.needles = needles,
            Err(users) => index.always.extend(users.into_iter().map(|(_, s)| s)),
        }
        index
    }

    /// Marks in `out` (one flag per slot, all `false` on entry) the rules that could match `el`.
    /// `memo` keeps, for one page, the slots each searched attribute value admits: a page
    /// repeats the same class values over thousands of elements.
    pub fn candidates<'a>(
        &self,
        el: &'a scraper::node::Element,
        out: &mut [bool],
        memo: &mut CandidateMemo<'a>,
    ) {
        for &s in &self.always {
            out[s] = true;
        }
        let tag = el.name();
        for (t, s) in &self.tags {
            if t.eq_ignore_ascii_case(tag) {
                out[*s] = true;
            }
        }
        for (name, value) in el.attrs() {
            for (n, s) in &self.present {
                if n.eq_ignore_ascii_case(name) {
                    out[*s] = true;
                }
            }
            if !self.searched.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            let slots = memo.0.entry((name, value)).or_insert_with(|| {
                self.needles
                    .users_in(value)
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, s)| *s)
                    .collect()
            });
            for &s in slots.iter() {
                out[s] = true;
            }
        }
    }

    /// The attributes the lean page must keep for these selectors to match as on the full page.
    pub fn keep(&self) -> &Keep {
        &self.keep
    }

    /// How many selector rules the index numbers.
    pub fn slots(&self) -> usize {
        self.slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, needle: &str) -> Hint {
        Hint::Attr {
            name: name.into(),
            needle: (!needle.is_empty()).then(|| needle.into()),
        }
    }

    #[test]
    fn hints_read_the_rightmost_compound() {
        assert_eq!(hints_of("nav"), Some(vec![Hint::Tag("nav".into())]));
        assert_eq!(
            hints_of("[class*=' sharing'], #Comments"),
            Some(vec![attr("class", " sharing"), attr("id", "comments")])
        );
        assert_eq!(
            hints_of("div.share-bar > a[href^=\"https://t.co\" i]"),
            Some(vec![attr("href", "https://t.co")])
        );
        assert_eq!(
            hints_of("article :not(.x)"),
            None,
            "a compound of only a pseudo-class says nothing"
        );
        assert_eq!(
            hints_of("div:not(.keep).ad-slot"),
            Some(vec![attr("class", "ad-slot")])
        );
        assert_eq!(hints_of("[role]"), Some(vec![attr("role", "")]));
        assert_eq!(hints_of("a\\:b"), None);
        assert_eq!(hints_of("nav, *"), None);
    }

    #[test]
    fn attributes_are_read_from_the_selector_text() {
        let names = |t: &str| attributes_of(t).map(|v| v.join(" "));
        assert_eq!(names(".a #b nav"), Some(String::new()));
        assert_eq!(
            names("div:not([data-Keep]) > a[href^='[x]'], [role=nav]:first-child"),
            Some("data-keep href role".into())
        );
        assert_eq!(names("a:link"), None, "`:link` reads `href`");
        assert_eq!(names("a\\:b"), None);
        assert_eq!(names("svg|a"), None);
    }

    /// The index must never hide a match: over a page with many kinds of elements, the
    /// one-pass result equals running every selector on its own.
    #[test]
    fn index_finds_exactly_what_select_finds() {
        let page = r#"<html><body>
            <nav class="Top">n</nav><div id="x-cookie-banner">c</div><div id="Cookie-Banner">C</div>
            <div class="a sharing b">s</div><div class="sharingx">t</div>
            <section role="navigation"><p class="ad">p</p></section>
            <svg viewBox="0 0 1 1"><foreignObject class="ad">f</foreignObject></svg>
            <ul itemtype="https://schema.org/BreadcrumbList"><li>b</li></ul>
            <p>plain</p></body></html>"#;
        let html = scraper::Html::parse_document(page);
        let texts = [
            "nav",
            "[id*=cookie-banner]",
            "[class^=sharing], [class*=' sharing']",
            "[class~=ad]",
            "[role=navigation] p",
            "[itemtype$=BreadcrumbList]",
            "p:not(.ad)",
            "section > *",
        ];
        let mut rules: Vec<CssRule> = texts
            .iter()
            .map(|t| CssRule::new(scraper::Selector::parse(t).unwrap(), t))
            .collect();
        let index = CssIndex::build(rules.iter_mut());
        let mut memo = CandidateMemo::default();
        for rule in &rules {
            let expected: Vec<_> = html.select(&rule.selector).map(|e| e.id()).collect();
            let mut got = Vec::new();
            for node in html.tree.nodes() {
                let Some(el) = ElementRef::wrap(node) else {
                    continue;
                };
                let mut flags = vec![false; index.slots()];
                index.candidates(el.value(), &mut flags, &mut memo);
                if flags[rule.slot] && rule.matches(&el) {
                    got.push(el.id());
                }
            }
            assert_eq!(got, expected, "selector {:?}", rule.selector);
            assert!(
                !expected.is_empty(),
                "fixture must exercise {:?}",
                rule.selector
            );
        }
    }
}
