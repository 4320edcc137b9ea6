//! Metadata: title, site, authors, publication date, URL and language.
//!
//! For HTML the page says it in markup (`og:*` and `article:*` meta tags, `<title>`, `<h1>`,
//! `<time>`, `rel=canonical`, `lang`). Text dumps carry it as lines near the top: the title,
//! a byline (`By A and B | Site | Updated: 2024-04-25`), a dateline (`Published: Jun 19, 2023`),
//! a source line (`Bloomberg • 5 min read`, or a lone `CGTN`). [`from_text`] reads those lines
//! from the kept blocks before the first paragraph of prose and marks them as metadata, so they
//! leave the body. The site falls back to the name in a matching site rule file.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};

use crate::model::{ContentKind, Decided, Metadata, Verdict};
use crate::norm::{canonical, collapse_whitespace, Canonicals};
use crate::rules::Site;

/// How many kept blocks from the top of a text document may hold title and byline lines.
const HEADER_BLOCKS: usize = 8;
/// A block of this many words ending a sentence starts the article body.
const PROSE_WORDS: usize = 20;

static READ_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?P<site>[^•|·]{2,40}?)\s*[•|·]\s*\d+\s*min(?:ute)?s?\.?\s+read\s*$")
        .expect("valid regex")
});
/// `By Jane Doe …`, also after a blog's `Posted 12 May 2023` or `Published on May 12, 2023`.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?i:posted|published|written)(?:\s+on)?\s+(?P<when>.{4,40}?),?\s+)?(?i:by)\s+(?P<rest>\p{Lu}.{2,200})$",
    )
    .expect("valid regex")
});
static DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(published|updated|posted|last updated|date)\s*:?\s*").expect("valid regex")
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\d{1,2}:\d{2}(:\d{2})?\s*(am|pm)?\b").expect("valid regex")
});
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{1,2})-(\d{1,2})").expect("valid regex"));
static DMY_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b").expect("valid regex"));
static MDY_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
        .expect("valid regex")
});
static DMY_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b")
        .expect("valid regex")
});

/// Finds the first date in `s` and returns it as `YYYY-MM-DD`. Numeric `a.b.yyyy` and
/// `a/b/yyyy` dates are read day first unless that is impossible.
pub fn parse_date(s: &str) -> Option<String> {
    let ymd = |y: &str, m: u32, d: u32| -> Option<String> {
        let y: u32 = y.parse().ok()?;
        ((1900..=2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
            .then(|| format!("{y:04}-{m:02}-{d:02}"))
    };
    let month = |name: &str| -> u32 {
        let names = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let lower = name.to_ascii_lowercase();
        names
            .iter()
            .position(|n| lower.starts_with(n))
            .map_or(0, |i| i as u32 + 1)
    };
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    // Every format ends in a year that must parse as four ASCII digits: a line without such a
    // run (most lines) cannot hold a date, and the regexes below are not cheap.
    if !has_four_digits(s.as_bytes()) {
        return None;
    }
    // Each format is tried only where the text holds what every match of it must: a `-`, a
    // month name, a `.` or `/` (the captures are the costly part, run where no match can be).
    let named = may_name_a_month(s);
    if let Some(c) = s.contains('-').then(|| ISO_DATE.captures(s)).flatten() {
        return ymd(&c[1], num(&c[2]), num(&c[3]));
    }
    if let Some(c) = named.then(|| MDY_NAMED.captures(s)).flatten() {
        return ymd(&c[3], month(&c[1]), num(&c[2]));
    }
    if let Some(c) = named.then(|| DMY_NAMED.captures(s)).flatten() {
        return ymd(&c[3], month(&c[2]), num(&c[1]));
    }
    if let Some(c) = s
        .contains(['.', '/'])
        .then(|| DMY_DATE.captures(s))
        .flatten()
    {
        let (a, b) = (num(&c[1]), num(&c[2]));
        return if b <= 12 {
            ymd(&c[3], b, a)
        } else {
            ymd(&c[3], a, b)
        };
    }
    None
}

/// Whether `text` could be a [`READ_TIME`] line: it must end in `read` and optional whitespace
/// (`\s` is what `trim_end` trims; no non-ASCII character folds to a letter of `read`). Most
/// lines fail this without the regex running.
fn may_be_read_time(text: &str) -> bool {
    let t = text.trim_end().as_bytes();
    t.len() >= 4 && t[t.len() - 4..].eq_ignore_ascii_case(b"read")
}

/// Whether `text` could be a [`BYLINE`]: the pattern is anchored at the start, where it wants
/// `by`, `posted`, `published` or `written` in any case (no non-ASCII character folds to `b`,
/// `p` or `w`).
fn may_be_byline(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'b' | b'B' | b'p' | b'P' | b'w' | b'W')
    )
}

/// Whether `s` could hold a month name as the named-date patterns match them (case-insensitive):
/// three letters of one, in any ASCII case, or a long s (`ſ`), the one non-ASCII letter that
/// folds to a letter of a month's name (`s` of `sep`).
fn may_name_a_month(s: &str) -> bool {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    // `| 0x20` maps exactly the ASCII letters onto their lower case among the letters.
    s.as_bytes()
        .windows(3)
        .any(|w| MONTHS.contains(&&[w[0] | 0x20, w[1] | 0x20, w[2] | 0x20]))
        || s.contains('ſ')
}

/// Whether `b` holds a run of four ASCII digits.
fn has_four_digits(b: &[u8]) -> bool {
    let mut run = 0;
    for &c in b {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run == 4 {
            return true;
        }
    }
    false
}

/// Whether a short line is only a date (plus a time, a label like `Published:` and separators).
fn date_line(text: &str) -> Option<String> {
    if text.chars().count() > 60 {
        return None;
    }
    let date = parse_date(text)?;
    let rest = DATE_LABEL.replace_all(text, " ");
    let rest = TIME.replace_all(&rest, " ");
    let rest = [&*ISO_DATE, &*MDY_NAMED, &*DMY_NAMED, &*DMY_DATE]
        .iter()
        .fold(rest.into_owned(), |acc, re| {
            re.replace_all(&acc, " ").into_owned()
        });
    let words = rest
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    (words <= 1).then_some(date)
}

/// Reads metadata lines from the top of a text document and marks them `Verdict::Meta`.
/// With `find_title == false` (HTML, whose title comes from markup) only bylines, datelines and
/// source lines are looked for. `forms`: the blocks' canonical forms, shared with judging and
/// dedup.
pub fn from_text(
    decided: &mut [Decided],
    sites: &[&Site],
    find_title: bool,
    forms: &Canonicals,
) -> Metadata {
    let mut meta = Metadata::default();
    let mut source_site = None;
    let mut byline_site = None;
    let header = header_blocks(decided);
    // A `<title>` flattened into the first line usually repeats the headline (plus the site's
    // name), which tells the headline apart from a standfirst or a teaser.
    // (Only a title is compared with it.)
    let first_line = decided
        .first()
        .filter(|_| find_title)
        .map(|d| forms.get(0, &d.block.text))
        .unwrap_or_default();
    let echoed = |i: usize| {
        i > 0 && decided[i].block.text.split_whitespace().nth(2).is_some() && {
            let c = forms.get(i, &decided[i].block.text);
            c.len() <= first_line.len() && first_line.contains(c.as_ref())
        }
    };
    let preferred_title = if find_title {
        header
            .iter()
            .copied()
            .find(|&i| echoed(i) && looks_like_title(&decided[i].block.text))
    } else {
        None
    };
    let mut title_pos: Option<usize> = if find_title { None } else { Some(0) };
    for (pos, &i) in header.iter().enumerate() {
        let text = &decided[i].block.text;
        let verdict = if let Some(c) = may_be_read_time(text)
            .then(|| READ_TIME.captures(text))
            .flatten()
        {
            source_site = Some(c["site"].trim().to_string());
            Some("meta.source")
        } else if let Some(c) = may_be_byline(text).then(|| BYLINE.captures(text)).flatten() {
            let (authors, site, date) = parse_byline(&c["rest"]);
            meta.authors = authors;
            byline_site = byline_site.or(site);
            let when = c.name("when").and_then(|w| parse_date(w.as_str()));
            meta.published = meta.published.take().or(date).or(when);
            Some("meta.byline")
        } else if let Some(date) = date_line(text) {
            meta.published.get_or_insert(date);
            Some("meta.date")
        } else if find_title
            && meta.title.is_none()
            && preferred_title.is_none_or(|p| p == i)
            && looks_like_title(text)
        {
            meta.title = Some(text.clone());
            Some("meta.title")
        } else if (meta.title.is_some() || !find_title)
            && title_pos.is_some_and(|t| pos == t + 1)
            && looks_like_source(text)
        {
            source_site = Some(text.clone());
            Some("meta.source")
        } else {
            None
        };
        if let Some(reason) = verdict {
            if reason == "meta.title" {
                title_pos = Some(pos);
            }
            decided[i].verdict = Verdict::Meta(reason.into());
        }
    }
    // A title taken from a document that has nothing else is the document itself.
    if find_title && !decided.iter().any(Decided::is_kept) {
        if let Some(d) = decided
            .iter_mut()
            .find(|d| d.verdict == Verdict::Meta("meta.title".into()))
        {
            d.verdict = Verdict::Keep;
            meta.title = None;
        }
    }
    meta.site = source_site
        .or_else(|| sites.first().map(|s| s.name.clone()))
        .or(byline_site);
    meta
}

/// The blocks that may hold title and byline lines, in document order: the lines just above the
/// article that the content stage judged outside it (walking up until a run of menu-like short
/// lines), then the article's own leading lines up to its first paragraph of prose. Blocks
/// removed by rules or dedup are stepped over.
fn header_blocks(decided: &[Decided]) -> Vec<usize> {
    let Some(first) = decided.iter().position(Decided::is_kept) else {
        return Vec::new();
    };
    let mut above = Vec::new();
    let mut shorts = 0;
    for i in (0..first).rev() {
        let Verdict::Drop(reason) = &decided[i].verdict else {
            continue;
        };
        if !reason.starts_with("content.") {
            continue;
        }
        let text = &decided[i].block.text;
        // (Only whether there are more than three words matters.)
        let words = text.split_whitespace().take(4).count();
        let metaish = (may_be_read_time(text) && READ_TIME.is_match(text))
            || (may_be_byline(text) && BYLINE.is_match(text))
            || date_line(text).is_some();
        if words <= 3 && !metaish {
            shorts += 1;
            if shorts >= 2 {
                above.pop();
                break;
            }
        } else {
            shorts = 0;
        }
        if is_prose(text) && !metaish {
            break;
        }
        above.push(i);
        if above.len() >= HEADER_BLOCKS {
            break;
        }
    }
    // A menu item left on top of the window is not a header line.
    while above.last().is_some_and(|&i| {
        let text = &decided[i].block.text;
        text.split_whitespace().nth(3).is_none() && date_line(text).is_none()
    }) {
        above.pop();
    }
    above.reverse();
    above.extend(
        (first..decided.len())
            .filter(|&i| decided[i].is_kept())
            .take_while(|&i| !is_prose(&decided[i].block.text))
            .take(HEADER_BLOCKS),
    );
    above
}

fn is_prose(text: &str) -> bool {
    // The ending first: it is one look, the words a walk over the line that stops at the
    // twentieth.
    text.ends_with(['.', '!', '?', '"', '”', '’', ')'])
        && text.split_whitespace().nth(PROSE_WORDS - 1).is_some()
}

/// Headlines are short and rarely end in a full stop (`U.S.` style abbreviations aside).
fn looks_like_title(text: &str) -> bool {
    // Counted up to 31: more is as far out of `2..=30` and as far above 12.
    let words = text.split_whitespace().take(31).count();
    let sentence = text.ends_with('.') && !text.ends_with("..") && words > 12;
    (2..=30).contains(&words)
        && !sentence
        && text.chars().count() <= 250
        && parse_date(text).is_none()
}

/// A lone publication name: one to four capitalised words, no sentence punctuation.
fn looks_like_source(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && text.chars().count() <= 40
        && words.iter().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        && !text.ends_with(['.', ':', '!', '?'])
}

/// `YANG RAN in Beijing and YIFAN XU in Washington | China Daily Global | Updated: 2024-04-25`
/// → authors, a site segment, a date.
fn parse_byline(rest: &str) -> (Vec<String>, Option<String>, Option<String>) {
    let mut segments = rest.split(['|', '•', '·']).map(str::trim);
    let names = segments.next().unwrap_or("");
    let authors = names
        .split(" and ")
        .flat_map(|s| s.split(','))
        .map(|a| a.split(" in ").next().unwrap_or("").trim().to_string())
        .filter(|a| !a.is_empty() && a.split_whitespace().count() <= 5)
        .collect();
    let mut site = None;
    let mut date = None;
    for seg in segments {
        if let Some(d) = parse_date(seg) {
            date.get_or_insert(d);
        } else if site.is_none() && !seg.is_empty() && seg.split_whitespace().count() <= 5 {
            site = Some(seg.to_string());
        }
    }
    (authors, site, date)
}

static SEL: LazyLock<Selectors> = LazyLock::new(Selectors::new);

struct Selectors {
    meta: Selector,
    title: Selector,
    h1: Selector,
    time: Selector,
    canonical: Selector,
    html: Selector,
    ld_json: Selector,
}

impl Selectors {
    fn new() -> Self {
        let s = |css: &str| Selector::parse(css).expect("valid built-in selector");
        Selectors {
            meta: s("meta[content]"),
            title: s("title"),
            h1: s("h1"),
            time: s("time[datetime]"),
            canonical: s("link[rel=canonical][href]"),
            html: s("html[lang]"),
            ld_json: s("script[type='application/ld+json']"),
        }
    }
}

/// The elements [`from_html`] reads, found in one pass over the tree: a `select` per selector
/// was a pass each, and seven passes over every element cost more than reading what they find.
/// Each list keeps `Html::select`'s order (the tree's node order, attached elements only), and
/// each element is tested only against the selectors for its own name.
#[derive(Default)]
struct Found<'a> {
    metas: Vec<ElementRef<'a>>,
    ld_json: Vec<ElementRef<'a>>,
    times: Vec<ElementRef<'a>>,
    canonical: Option<ElementRef<'a>>,
    h1: Option<ElementRef<'a>>,
    title: Option<ElementRef<'a>>,
    html: Option<ElementRef<'a>>,
}

impl<'a> Found<'a> {
    fn gather(html: &'a Html) -> Found<'a> {
        let mut found = Found::default();
        for el in html.tree.nodes().filter_map(ElementRef::wrap) {
            if el.parent().is_none() {
                continue;
            }
            let first = |slot: &mut Option<ElementRef<'a>>, sel: &Selector| {
                if slot.is_none() && sel.matches(&el) {
                    *slot = Some(el);
                }
            };
            match el.value().name() {
                "meta" if SEL.meta.matches(&el) => found.metas.push(el),
                "script" if SEL.ld_json.matches(&el) => found.ld_json.push(el),
                "time" if SEL.time.matches(&el) => found.times.push(el),
                "link" => first(&mut found.canonical, &SEL.canonical),
                "h1" => first(&mut found.h1, &SEL.h1),
                "title" => first(&mut found.title, &SEL.title),
                "html" => first(&mut found.html, &SEL.html),
                _ => {}
            }
        }
        found
    }
}

/// Reads metadata from a parsed page's markup.
pub fn from_html(html: &Html, sites: &[&Site]) -> Metadata {
    let mut og_title = None;
    let mut site = None;
    let mut authors = Vec::new();
    let mut published = None;
    let mut url = None;
    let found = Found::gather(html);
    for el in found.metas {
        let v = el.value();
        let key = v
            .attr("property")
            .or(v.attr("name"))
            .or(v.attr("itemprop"))
            .unwrap_or("")
            .to_ascii_lowercase();
        let content = collapse_whitespace(v.attr("content").unwrap_or(""));
        if content.is_empty() {
            continue;
        }
        match key.as_str() {
            "og:title" | "twitter:title" => {
                og_title.get_or_insert(content);
            }
            "og:site_name" | "application-name" => {
                site.get_or_insert(content);
            }
            "author" | "article:author" | "dc.creator" | "byl" if !content.starts_with("http") => {
                let name = content.trim_start_matches("By ").trim_start_matches("by ");
                for a in name.split(" and ").flat_map(|s| s.split(',')) {
                    let a = a.trim().to_string();
                    if !a.is_empty() && !authors.contains(&a) {
                        authors.push(a);
                    }
                }
            }
            "article:published_time"
            | "datepublished"
            | "pubdate"
            | "publishdate"
            | "date"
            | "dc.date"
            | "dc.date.issued"
            | "sailthru.date"
            | "parsely-pub-date" => {
                published = published.or_else(|| parse_date(&content));
            }
            "og:url" => {
                url.get_or_insert(content);
            }
            _ => {}
        }
    }
    // Structured data (schema.org JSON-LD) fills what the meta tags left out.
    let ld = json_ld(&found.ld_json);
    if published.is_none() {
        published = ld.published;
    }
    if authors.is_empty() {
        authors = ld.authors;
    }
    site = site.or(ld.publisher);
    og_title = og_title.or(ld.headline);
    if published.is_none() {
        published = found
            .times
            .iter()
            .find_map(|t| t.value().attr("datetime").and_then(parse_date));
    }
    let canonical = found
        .canonical
        .and_then(|l| l.value().attr("href"))
        .map(str::to_string);
    let text_of = |el: Option<ElementRef>| {
        el.map(|e| collapse_whitespace(&e.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    };
    let title = og_title
        .or_else(|| text_of(found.h1))
        .or_else(|| text_of(found.title).map(|t| strip_site_suffix(&t, site.as_deref())));
    Metadata {
        title,
        site: site.or_else(|| sites.first().map(|s| s.name.clone())),
        url: canonical.or(url),
        authors,
        published,
        language: found
            .html
            .and_then(|h| h.value().attr("lang"))
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
    }
}

/// Article metadata from schema.org JSON-LD.
#[derive(Default)]
struct JsonLd {
    headline: Option<String>,
    published: Option<String>,
    authors: Vec<String>,
    publisher: Option<String>,
}

/// Reads the first article-like object (`NewsArticle`, `Article`, `BlogPosting`, … or any object
/// with a `headline`) of the page's `application/ld+json` scripts, including `@graph` lists.
/// Scripts that do not parse are ignored: structured data is a hint, not a requirement.
fn json_ld(scripts: &[ElementRef]) -> JsonLd {
    use serde_json::Value;
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(collapse_whitespace(s)).filter(|s| !s.is_empty()),
            Value::Object(o) => o
                .get("name")
                .and_then(|n| n.as_str())
                .map(collapse_whitespace),
            _ => None,
        }
    };
    let mut out = JsonLd::default();
    for script in scripts {
        let raw: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<Value>(raw.trim()) else {
            continue;
        };
        // Breadth-first over the document, without recursion on input-controlled depth.
        let mut queue = vec![&value];
        let mut i = 0;
        while i < queue.len() && i < 256 {
            let v = queue[i];
            i += 1;
            match v {
                Value::Array(items) => queue.extend(items.iter()),
                Value::Object(o) => {
                    if let Some(graph) = o.get("@graph") {
                        queue.push(graph);
                    }
                    let article = o.contains_key("headline")
                        || o.get("@type").and_then(|t| t.as_str()).is_some_and(|t| {
                            t.ends_with("Article") || t == "BlogPosting" || t == "Report"
                        });
                    if !article || out.headline.is_some() {
                        continue;
                    }
                    out.headline = o.get("headline").and_then(text);
                    out.published = o
                        .get("datePublished")
                        .and_then(|d| d.as_str())
                        .and_then(parse_date);
                    out.authors = match o.get("author") {
                        Some(Value::Array(list)) => list.iter().filter_map(text).collect(),
                        Some(one) => text(one).into_iter().collect(),
                        None => Vec::new(),
                    };
                    out.publisher = o.get("publisher").and_then(text);
                }
                _ => {}
            }
        }
    }
    out
}

/// `Story title | Site Name` → `Story title`: drop the parts naming the site; without a known
/// site name, keep the longest part.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    let Some(sep) = [" | ", " - ", " — ", " – ", " :: "]
        .into_iter()
        .find(|s| title.contains(*s))
    else {
        return title.trim().to_string();
    };
    let parts: Vec<&str> = title.split(sep).map(str::trim).collect();
    let kept: Vec<&str> = match site {
        Some(site) => parts
            .iter()
            .copied()
            .filter(|p| !p.eq_ignore_ascii_case(site))
            .collect(),
        None => parts
            .iter()
            .copied()
            .max_by_key(|p| p.chars().count())
            .into_iter()
            .collect(),
    };
    if kept.is_empty() {
        parts[0].to_string()
    } else {
        kept.join(sep)
    }
}

/// For HTML: the body block repeating the title (usually the `<h1>`) becomes metadata.
/// `forms`: the blocks' canonical forms, shared with dedup and the article id.
pub fn mark_title_block(
    decided: &mut [Decided],
    meta: &Metadata,
    kind: ContentKind,
    forms: &Canonicals,
) {
    let (Some(title), ContentKind::Html) = (&meta.title, kind) else {
        return;
    };
    let want = canonical(title);
    if let Some(i) = (0..decided.len())
        .find(|&i| decided[i].is_kept() && forms.get(i, &decided[i].block.text) == want.as_str())
    {
        decided[i].verdict = Verdict::Meta("meta.title".into());
    }
}

/// The page's own URL as its markup gives it (`rel=canonical`, `og:url`), made absolute against
/// `base`, the URL it was fetched from: `None` when there is none, when it cannot be resolved
/// (a relative URL and no base), or when it is not an `http`/`https` address (`javascript:`,
/// an empty `href`).
pub fn resolve_url(found: Option<String>, base: Option<&str>) -> Option<String> {
    let found = found?;
    let href = found.trim();
    if href.is_empty() {
        return None;
    }
    let resolved = match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => base.join(href).ok()?,
        None => url::Url::parse(href).ok()?,
    };
    matches!(resolved.scheme(), "http" | "https").then(|| resolved.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text;

    #[test]
    fn month_precheck_admits_every_named_date() {
        for t in [
            "Nov 19, 2019",
            "19 NOVEMBER 2019",
            "\u{17F}ep 3, 2020",
            "3 \u{17F}EPT 2020",
            "Published: Mar. 4th, 2021",
            "4 de março 2021",
            "2019-11-19",
            "12/11/2019",
        ] {
            let named = MDY_NAMED.is_match(t) || DMY_NAMED.is_match(t);
            assert!(!named || may_name_a_month(t), "{t:?}");
        }
        assert!(!may_name_a_month("12/11/2019 at 10:00"));
        // The long s is why the precheck looks for it: the case-insensitive pattern takes it.
        assert!(MDY_NAMED.is_match("\u{17F}ep 3, 2020"));
    }

    #[test]
    fn line_prechecks_know_every_folding_and_space() {
        // The prechecks compare ASCII bytes: no other character may match a letter they look
        // for, and `\s` must be what `trim_end` trims.
        let letters = Regex::new(r"(?i)^[readbpw]$").expect("valid regex");
        let space = Regex::new(r"^\s$").expect("valid regex");
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = c.to_string();
            assert!(!letters.is_match(&s) || c.is_ascii(), "{c:?}");
            assert_eq!(space.is_match(&s), c.is_whitespace(), "{c:?}");
        }
    }

    /// Reading-time lines and bylines, cased and spaced every way, and lines made of their
    /// pieces.
    fn header_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let read_time = (
            select(vec!["", " ", "x"]),
            select(vec!["Bloomberg", "CGTN News"]),
            select(vec![" \u{2022} ", "|", " \u{b7} "]),
            select(vec!["5 min", "12 MINUTES", "1 mins."]),
            select(vec![" read", " READ", "\u{a0}Read", " reaD"]),
            select(vec!["", " ", "\u{a0}", "\t", " x", "\u{17f}"]),
        )
            .prop_map(|(a, b, c, d, e, f)| [a, b, c, d, e, f].concat());
        let byline = (
            select(vec!["", " ", "x "]),
            select(vec![
                "",
                "Posted ",
                "published on ",
                "Written ",
                "POSTED ",
                "wRITTEN ",
                "Po\u{17f}ted ",
            ]),
            select(vec!["12 May 2023", "May 12, 2023"]),
            select(vec![" By ", " by ", " BY ", " bY\u{a0}"]),
            select(vec!["Jane Doe", "jane doe", "\u{c9}lo\u{ef}se Roy"]),
        )
            .prop_map(|(a, b, c, d, e)| {
                if b.is_empty() {
                    [a, d.trim_start(), e].concat()
                } else {
                    [a, b, c, d, e].concat()
                }
            });
        let pieces = vec![
            "By ",
            "by",
            "Posted ",
            "Written ",
            " ",
            "\u{a0}",
            "Jane Doe",
            "\u{2022} ",
            "| ",
            "5 ",
            "min ",
            "read",
            "READ",
            "\u{17f}",
            "x",
        ];
        let soup = proptest::collection::vec(select(pieces), 0..10).prop_map(|p| p.concat());
        prop_oneof![read_time, byline, soup]
    }

    /// Plain definitions of what the word counts below stop early on.
    fn is_prose_counting(text: &str) -> bool {
        text.split_whitespace().count() >= PROSE_WORDS
            && text.ends_with(['.', '!', '?', '"', '”', '’', ')'])
    }

    fn looks_like_title_counting(text: &str) -> bool {
        let words = text.split_whitespace().count();
        let sentence = text.ends_with('.') && !text.ends_with("..") && words > 12;
        (2..=30).contains(&words)
            && !sentence
            && text.chars().count() <= 250
            && parse_date(text).is_none()
    }

    proptest::proptest! {
        #[test]
        fn prechecks_admit_every_match(text in header_line()) {
            proptest::prop_assert!(!READ_TIME.is_match(&text) || may_be_read_time(&text));
            proptest::prop_assert!(!BYLINE.is_match(&text) || may_be_byline(&text));
        }

        #[test]
        fn early_stopping_word_counts_agree(
            words in 0usize..40,
            gap in proptest::sample::select(vec![" ", "  ", "\u{a0}", "\n"]),
            end in proptest::sample::select(vec!["", ".", "..", "!", "\u{2019}", " ", ")"]),
        ) {
            let text = format!("{}{end}", vec!["word"; words].join(gap));
            proptest::prop_assert_eq!(is_prose(&text), is_prose_counting(&text));
            proptest::prop_assert_eq!(looks_like_title(&text), looks_like_title_counting(&text));
            for k in 1..5 {
                proptest::prop_assert_eq!(
                    text.split_whitespace().nth(k).is_none(),
                    text.split_whitespace().count() <= k
                );
            }
        }
    }

    #[test]
    fn four_digit_runs() {
        for t in ["", "123", "1234", "a12345b", "12 34", "x2024", "20a24"] {
            let want = t
                .as_bytes()
                .windows(4)
                .any(|w| w.iter().all(u8::is_ascii_digit));
            assert_eq!(has_four_digits(t.as_bytes()), want, "{t:?}");
        }
    }

    #[test]
    fn dates_in_the_formats_dumps_use() {
        assert_eq!(
            parse_date("Updated: 2024-04-25 09:21").as_deref(),
            Some("2024-04-25")
        );
        assert_eq!(
            parse_date("9:52 30.04.2024 •").as_deref(),
            Some("2024-04-30")
        );
        assert_eq!(
            parse_date("Published: Jun 19, 2023 08:26 PM").as_deref(),
            Some("2023-06-19")
        );
        assert_eq!(parse_date("19 June 2023").as_deref(), Some("2023-06-19"));
        assert_eq!(parse_date("no date 2024"), None);
        assert_eq!(parse_date("2024-13-40"), None);
    }

    #[test]
    fn header_lines_become_metadata() {
        let doc = "Blinken's visit seeks to stabilize relations\n\nBy YANG RAN in Beijing and YIFAN XU in Washington | China Daily Global | Updated: 2024-04-25 09:21\n\n\
                   US Secretary of State Antony Blinken's visit to China is not anticipated to yield breakthroughs in bilateral relations, experts say.\n";
        let mut d: Vec<Decided> = text::extract(doc)
            .into_iter()
            .map(|block| Decided::new(block, Verdict::Keep))
            .collect();
        let m = from_text(&mut d, &[], true, &Canonicals::new(0));
        assert_eq!(
            m.title.as_deref(),
            Some("Blinken's visit seeks to stabilize relations")
        );
        assert_eq!(m.authors, ["YANG RAN", "YIFAN XU"]);
        assert_eq!(m.published.as_deref(), Some("2024-04-25"));
        assert_eq!(m.site.as_deref(), Some("China Daily Global"));
        assert!(d[2].is_kept());
    }

    #[test]
    fn blog_bylines_carry_the_date_before_by() {
        let doc = "A quiet winter ends on the quays\n\nPosted 12 May 2023 by Renée Dubois\n\n\
                   After three quiet winters, the cafés along the river have put their chairs back on the pavement.\n";
        let mut d: Vec<Decided> = text::extract(doc)
            .into_iter()
            .map(|block| Decided::new(block, Verdict::Keep))
            .collect();
        let m = from_text(&mut d, &[], true, &Canonicals::new(0));
        assert_eq!(m.authors, ["Renée Dubois"]);
        assert_eq!(m.published.as_deref(), Some("2023-05-12"));
        assert_eq!(d[1].verdict, Verdict::Meta("meta.byline".into()));
        assert!(BYLINE.is_match("Published on May 12, 2023 by Jane Doe"));
        assert!(!BYLINE.is_match("Posted by the river, the cafés reopened."));
    }

    #[test]
    fn source_and_reading_time_lines() {
        for (doc, site) in [
            ("A headline about talks\nCGTN\nBody", "CGTN"),
            (
                "A headline about talks\nBloomberg\u{a0}• 5 min read\nBody",
                "Bloomberg",
            ),
        ] {
            let mut d: Vec<Decided> = text::extract(doc)
                .into_iter()
                .map(|block| Decided::new(block, Verdict::Keep))
                .collect();
            assert_eq!(
                from_text(&mut d, &[], true, &Canonicals::new(0))
                    .site
                    .as_deref(),
                Some(site)
            );
            assert_eq!(d[1].verdict, Verdict::Meta("meta.source".into()));
        }
    }

    #[test]
    fn json_ld_fills_what_meta_tags_leave_out() {
        let html = Html::parse_document(
            r#"<html><head><title>x</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Site"},
              {"@type":"NewsArticle","headline":"Tidal plant opens","datePublished":"2024-03-18T07:30:00Z",
               "author":[{"@type":"Person","name":"Mara Lindqvist"},{"name":"Bo Chen"}],
               "publisher":{"@type":"Organization","name":"Coastline Herald"}}]}</script>
            <script type="application/ld+json">{ not json</script></head><body><p>x</p></body></html>"#,
        );
        let m = from_html(&html, &[]);
        assert_eq!(m.title.as_deref(), Some("Tidal plant opens"));
        assert_eq!(m.published.as_deref(), Some("2024-03-18"));
        assert_eq!(m.authors, ["Mara Lindqvist", "Bo Chen"]);
        assert_eq!(m.site.as_deref(), Some("Coastline Herald"));
    }

    #[test]
    fn html_metadata() {
        let html = Html::parse_document(
            r#"<html lang="en"><head><title>Big story | Example News</title>
            <meta property="og:site_name" content="Example News">
            <meta name="author" content="Ann Lee and Bo Chen">
            <meta property="article:published_time" content="2024-05-01T10:00:00Z">
            <link rel="canonical" href="https://example.com/big-story"></head><body><p>x</p></body></html>"#,
        );
        let m = from_html(&html, &[]);
        assert_eq!(m.title.as_deref(), Some("Big story"));
        assert_eq!(m.site.as_deref(), Some("Example News"));
        assert_eq!(m.authors, ["Ann Lee", "Bo Chen"]);
        assert_eq!(m.published.as_deref(), Some("2024-05-01"));
        assert_eq!(m.url.as_deref(), Some("https://example.com/big-story"));
        assert_eq!(m.language.as_deref(), Some("en"));
    }

    #[test]
    fn canonical_urls_are_resolved_against_the_fetched_one() {
        let base = Some("https://fetch.example/a/b");
        let r = |href: &str, base| resolve_url(Some(href.to_string()), base);
        assert_eq!(
            r("/energy/x", base).as_deref(),
            Some("https://fetch.example/energy/x")
        );
        assert_eq!(
            r("../up", base).as_deref(),
            Some("https://fetch.example/up")
        );
        assert_eq!(
            r("//cdn.example/p", base).as_deref(),
            Some("https://cdn.example/p")
        );
        assert_eq!(
            r("  https://news.example/s  ", base).as_deref(),
            Some("https://news.example/s")
        );
        assert_eq!(
            r("https://news.example/s", None).as_deref(),
            Some("https://news.example/s")
        );
        assert_eq!(r("", base), None);
        assert_eq!(r("javascript:alert(1)", base), None);
        assert_eq!(r("/relative", None), None, "nothing to resolve it against");
        assert_eq!(resolve_url(None, base), None);
    }
}
