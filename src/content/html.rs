//! Main-content detection on the parsed DOM: choose the element that holds the article, mark
//! everything outside it, and prune what inside it is not body text.
//!
//! Contract: [`mark`] only adds entries to `marks` (element → `content.*` reason) and never
//! replaces a mark a rule already set, so rule credit survives and extraction flags every block
//! under a marked element as removed. The DOM is read once into a flat pre-order table (no
//! recursion, so deep nesting is safe); per-element statistics (text, link text, commas,
//! paragraphs, images, form controls) are summed bottom-up by walking that table backwards.
//! Scoring follows the readability family: every text block of some length gives its parent
//! and, decaying, its ancestors a score from its length and commas, damped by its link density;
//! class and id words (`article`, `content`, `story` vs `comment`, `sidebar`, `share`, …) add or
//! subtract. The best-scoring element (or an explicit `itemprop=articleBody`) becomes the root;
//! siblings that look like more of the article join it. Inside, containers that are link lists,
//! forms, captions (a `figure`, or an image box with a line or two of text), galleries or carry
//! chrome class words without body text are marked, and so is text-level markup (`span`,
//! `strong`, …) holding several links and hardly a word besides (tag lists, hover cards). Past
//! the last paragraph of prose, headings and short labels are marked, and so is a list whose
//! every item carries a link when a label introduces it (a "More stories" module); before the
//! first, short labels other than headings (the headline is metadata's). When no element
//! scores, nothing is marked: the rules alone decide.
//!
//! When the page's JSON-LD carries an `articleBody`, each element also counts the words that
//! body confirms. A container that matches the body clearly better than the scored choice
//! replaces it (the body split over cousin sections, the wrong post on a listing page), and
//! confirmed elements are never pruned. The JSON-LD text itself is never output: the article
//! stays a subsequence of the page's visible text.
//!
//! Without JSON-LD, a body split into sections of one template (same tag and class list, each
//! several paragraphs long) around full-width figures is joined: the root widens to the common
//! ancestor when those parts hold most of its prose and it holds no second `h1`.
//!
//! When the root and the siblings that joined it include several `<article>` elements, the one
//! carrying the page's headline (a heading whose words run inside `og:title` or `<title>`) is
//! the article; the others (a "You may also like" box of full posts) go.

use fxhash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::Regex;
use scraper::{Html, Node};

// Skipped and block-level elements are the same as in extraction, so scores and blocks agree.
use crate::extract::html::{is_block, is_skipped};
use crate::model::Marks;

/// Class/id words of page chrome.
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s_-])(?:ad|ads|adv|hidden|banner|combx|comment|comments|contact|foot|footer|footnote|gdpr|masthead|outbrain|taboola|promo|promoted|related|scroll|share|sharing|social|shoutbox|sidebar|skyscraper|sponsor|sponsored|shopping|tags|tag-list|tool|tools|toolbar|widget|byline|author|caption|credit|newsletter|subscribe|signup|popular|trending|recommend|recommended|breadcrumb|breadcrumbs|nav|navbar|menu|pagination|pager|rail|teaser|more|next|prev|disclaimer|meta|timestamp|dateline|rating|cookie|modal|popup|overlay|login|follow)(?:$|[\s_-])",
    )
    .expect("valid regex")
});

/// Class/id words of article containers.
static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s_-])(?:article|articlebody|article-body|body|content|entry|hentry|h-entry|main|post|text|blog|story|story-body|storytext|prose|rich-text|richtext|copy)(?:$|[\s_-])",
    )
    .expect("valid regex")
});

/// A text block shorter than this (characters) does not vote for its ancestors.
const MIN_PARAGRAPH: u32 = 25;

#[derive(Clone, Copy, Default)]
struct Node1 {
    id: Option<NodeId>,
    parent: usize,
    tag: &'static str,
    /// Class and id words, lower case, for the cue regexes.
    weight: f64,
    /// Whether a rule marked it or an ancestor, and marks are honoured in this table.
    dead: bool,
    under_mark: bool,
    /// Subtree sums.
    text: u32,
    link: u32,
    commas: u32,
    paras: u32,
    lis: u32,
    imgs: u32,
    inputs: u32,
    embeds: u32,
    /// Links (`a` elements).
    anchors: u32,
    /// Text of the prose paragraphs in the subtree (long enough, not link lists).
    prose: u32,
    /// Inline text owned directly by this block element (its "paragraph").
    own_text: u32,
    own_link: u32,
    own_commas: u32,
    /// The part of `own_*` inside marked inline elements, taken out when marks are honoured.
    own_dead_text: u32,
    own_dead_link: u32,
    own_dead_commas: u32,
    /// Words in the subtree, and how many of them the page's JSON-LD `articleBody` confirms
    /// (both zero when the page has none).
    words: u32,
    ld_hits: u32,
    /// Text of the last character seen in its own inline text, for "ends like a sentence".
    own_ends_sentence: bool,
    score: f64,
    scored: bool,
    /// Marked up as the article body (`itemprop=articleBody`).
    article_body: bool,
    /// Hash of tag and class attribute, to recognise parts built from the same template.
    sig: u64,
}

const NONE: usize = usize::MAX;

fn intern(name: &str) -> &'static str {
    match name {
        "a" => "a",
        "p" => "p",
        "div" => "div",
        "section" => "section",
        "article" => "article",
        "main" => "main",
        "body" => "body",
        "ul" => "ul",
        "ol" => "ol",
        "li" => "li",
        "dl" => "dl",
        "dd" => "dd",
        "dt" => "dt",
        "table" => "table",
        "td" => "td",
        "th" => "th",
        "tr" => "tr",
        "pre" => "pre",
        "blockquote" => "blockquote",
        "form" => "form",
        "fieldset" => "fieldset",
        "figure" => "figure",
        "figcaption" => "figcaption",
        "aside" => "aside",
        "header" => "header",
        "footer" => "footer",
        "nav" => "nav",
        "h1" => "h1",
        "h2" => "h2",
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        "img" => "img",
        "picture" => "picture",
        "address" => "address",
        "span" => "span",
        "br" => "br",
        "iframe" => "iframe",
        "video" => "video",
        "embed" => "embed",
        "object" => "object",
        "input" => "input",
        "select" => "select",
        "textarea" => "textarea",
        "button" => "button",
        "html" => "html",
        "center" => "center",
        "font" => "font",
        "strong" => "strong",
        "b" => "b",
        "em" => "em",
        "i" => "i",
        "small" => "small",
        _ => "",
    }
}

/// The attributes content detection reads, found in one pass over an element's attributes
/// (each `attr` lookup hashes a qualified name; this runs for every element of every page).
#[derive(Default)]
struct Read<'a> {
    class: Option<&'a str>,
    id: Option<&'a str>,
    itemprop: Option<&'a str>,
    hidden: bool,
}

impl<'a> Read<'a> {
    fn of(el: &'a scraper::node::Element) -> Read<'a> {
        let mut r = Read::default();
        for (name, value) in el.attrs() {
            match name {
                "class" => r.class = Some(value),
                "id" => r.id = Some(value),
                "itemprop" => r.itemprop = Some(value),
                "hidden" => r.hidden = true,
                _ => {}
            }
        }
        r
    }
}

/// An element's class/id weight. `seen` memoizes the weight of each class or id value: a page
/// repeats a few hundred values over thousands of elements, and the two word regexes are the
/// costly part.
fn class_weight<'a>(attrs: &Read<'a>, seen: &mut FxHashMap<&'a str, f64>) -> f64 {
    let mut w = 0.0;
    for s in [attrs.class, attrs.id].into_iter().flatten() {
        w += *seen.entry(s).or_insert_with(|| {
            let s: std::borrow::Cow<str> = if s.bytes().any(|b| b.is_ascii_uppercase()) {
                s.to_ascii_lowercase().into()
            } else {
                s.into()
            };
            let mut w = 0.0;
            if NEGATIVE.is_match(&s) {
                w -= 25.0;
            }
            if POSITIVE.is_match(&s) {
                w += 25.0;
            }
            w
        });
    }
    if attrs.itemprop.is_some_and(|v| v.contains("articleBody")) {
        w += 50.0;
    }
    w
}

fn tag_bonus(tag: &str) -> f64 {
    match tag {
        "div" | "article" | "main" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

/// The flat table: pre-order, so a parent always precedes its children. Walking the DOM is
/// the costly part, so it is done once; [`summed`] derives both views (marks honoured or not)
/// from this table of per-element counts.
fn build(html: &Html, marks: &Marks) -> (Vec<Node1>, u32) {
    // About half a page's nodes are elements: sized up front rather than grown by copying.
    let mut nodes: Vec<Node1> = Vec::with_capacity(html.tree.values().len() / 2 + 64);
    let mut texts: Vec<(usize, &str)> = Vec::new();
    let mut ld_scripts: Vec<&str> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut blocks: Vec<usize> = Vec::new();
    let mut links = 0usize;
    let mut skipping: Option<NodeId> = None;
    let mut dead_depth = 0usize;
    let mut weights = FxHashMap::default();
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        let name = el.name();
                        let tag = intern(name);
                        let parent = stack.last().copied().unwrap_or(NONE);
                        let attrs = Read::of(el);
                        if is_skipped(name) || attrs.hidden {
                            if matches!(name, "head" | "script") {
                                ld_scripts.extend(node.descendants().filter_map(|d| {
                                    let parent = d.parent()?;
                                    let script = parent.value().as_element()?;
                                    let is_ld = script.name() == "script"
                                        && script
                                            .attr("type")
                                            .is_some_and(|t| t.contains("ld+json"));
                                    match d.value() {
                                        Node::Text(t) if is_ld => Some(&**t),
                                        _ => None,
                                    }
                                }));
                            }
                            if parent != NONE {
                                match name {
                                    "iframe" | "video" | "embed" | "object" => {
                                        nodes[parent].embeds += 1
                                    }
                                    "input" | "select" | "textarea" | "button" => {
                                        nodes[parent].inputs += 1
                                    }
                                    _ => {}
                                }
                            }
                            skipping = Some(node.id());
                            continue;
                        }
                        let dead = marks.contains_key(&node.id());
                        if dead || dead_depth > 0 {
                            dead_depth += 1;
                        }
                        let i = nodes.len();
                        nodes.push(Node1 {
                            id: Some(node.id()),
                            parent,
                            tag,
                            weight: class_weight(&attrs, &mut weights),
                            sig: word_hash(name).rotate_left(17)
                                ^ word_hash(attrs.class.unwrap_or("")),
                            article_body: attrs.itemprop.is_some_and(|v| v.contains("articleBody")),
                            under_mark: dead_depth > 0,
                            ..Node1::default()
                        });
                        match tag {
                            "p" => nodes[i].paras += 1,
                            "li" => nodes[i].lis += 1,
                            "img" | "picture" => nodes[i].imgs += 1,
                            "a" => {
                                links += 1;
                                nodes[i].anchors += 1;
                            }
                            _ => {}
                        }
                        if is_block(name) {
                            blocks.push(i);
                        }
                        stack.push(i);
                    }
                    Node::Text(t) => {
                        let (Some(&top), Some(&block)) = (stack.last(), blocks.last()) else {
                            continue;
                        };
                        texts.push((top, &**t));
                        let (len, commas, last) = text_counts(t);
                        if len == 0 {
                            continue;
                        }
                        let n = &mut nodes[top];
                        n.text += len;
                        n.commas += commas;
                        if links > 0 {
                            n.link += len;
                        }
                        let b = &mut nodes[block];
                        b.own_text += len;
                        b.own_commas += commas;
                        if links > 0 {
                            b.own_link += len;
                        }
                        if dead_depth > 0 && !b.under_mark {
                            b.own_dead_text += len;
                            b.own_dead_commas += commas;
                            if links > 0 {
                                b.own_dead_link += len;
                            }
                        }
                        if let Some(c) = last {
                            b.own_ends_sentence =
                                matches!(c, '.' | '!' | '?' | '"' | '”' | '。' | ')');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(_) = node.value() {
                    if let Some(&top) = stack.last() {
                        if nodes[top].id == Some(node.id()) {
                            stack.pop();
                            if blocks.last() == Some(&top) {
                                blocks.pop();
                            }
                            if nodes[top].tag == "a" {
                                links = links.saturating_sub(1);
                            }
                            dead_depth = dead_depth.saturating_sub(1);
                        }
                    }
                }
            }
        }
    }
    let ld_words = match ld_article_body(&ld_scripts) {
        Some(body) => confirm_by_ld(&mut nodes, &texts, &body),
        None => 0,
    };
    (nodes, ld_words)
}

/// A text node's non-whitespace characters, commas among them, and its last non-whitespace
/// character. Most text is ASCII, read bytewise (`char::is_whitespace` on ASCII is space and
/// `\t` to `\r`).
fn text_counts(t: &str) -> (u32, u32, Option<char>) {
    let (mut len, mut commas, mut last) = (0u32, 0u32, None);
    if t.is_ascii() {
        for &b in t.as_bytes() {
            if !matches!(b, b' ' | b'\t'..=b'\r') {
                len += 1;
                last = Some(b);
                commas += u32::from(b == b',');
            }
        }
        return (len, commas, last.map(char::from));
    }
    let mut last = None;
    for c in t.chars() {
        if !c.is_whitespace() {
            len += 1;
            last = Some(c);
            if matches!(c, ',' | '，' | '、' | '،') {
                commas += 1;
            }
        }
    }
    (len, commas, last)
}

/// Shortest JSON-LD `articleBody` (words) worth comparing the page with.
const LD_MIN_WORDS: u32 = 50;

/// The first `articleBody` of the page's JSON-LD (also inside `@graph` or lists) long enough to
/// be the article rather than a summary.
fn ld_article_body(scripts: &[&str]) -> Option<String> {
    for src in scripts {
        if !src.contains("articleBody") {
            continue;
        }
        // Raw line breaks inside strings are common and invalid JSON; as whitespace they are
        // harmless everywhere. Some scripts hold several values one after another.
        let src: String = src
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let values: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&src)
            .into_iter()
            .map_while(Result::ok)
            .collect();
        let mut stack: Vec<&serde_json::Value> = values.iter().rev().collect();
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::String(b)) = m.get("articleBody") {
                        if words(b).count() as u32 >= LD_MIN_WORDS {
                            return Some(b.clone());
                        }
                    }
                    stack.extend(m.values().rev());
                }
                serde_json::Value::Array(a) => stack.extend(a.iter().rev()),
                _ => {}
            }
        }
    }
    None
}

/// Runs of word characters, the unit the article is compared in.
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
}

/// FNV-1a over the lower-cased characters: words are hashed by the thousand per page, and only
/// compared with each other within one run, so a fast non-keyed hash is enough.
fn word_hash(w: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |c: u32| {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    if w.is_ascii() {
        w.bytes()
            .for_each(|b| eat(u32::from(b.to_ascii_lowercase())));
    } else {
        w.chars()
            .flat_map(char::to_lowercase)
            .for_each(|c| eat(c as u32));
    }
    h
}

/// Counts, per element, the words that the JSON-LD body confirms: a word counts when it and a
/// neighbour in the same text node appear as neighbours in the body too (single words: when
/// the body has them), so common words alone do not make chrome look like the article. Never
/// copies JSON-LD text into the output; it only says which page text is the article. Returns
/// the body's length in words.
fn confirm_by_ld(nodes: &mut [Node1], texts: &[(usize, &str)], body: &str) -> u32 {
    let body: Vec<u64> = words(body).map(word_hash).collect();
    let unigrams: FxHashSet<u64> = body.iter().copied().collect();
    let bigrams: FxHashSet<(u64, u64)> = body.windows(2).map(|w| (w[0], w[1])).collect();
    let mut ws: Vec<u64> = Vec::new();
    for &(i, t) in texts {
        ws.clear();
        ws.extend(words(t).map(word_hash));
        let hits = if ws.len() == 1 {
            u32::from(unigrams.contains(&ws[0]))
        } else {
            (0..ws.len())
                .filter(|&k| {
                    (k > 0 && bigrams.contains(&(ws[k - 1], ws[k])))
                        || (k + 1 < ws.len() && bigrams.contains(&(ws[k], ws[k + 1])))
                })
                .count() as u32
        };
        nodes[i].words += ws.len() as u32;
        nodes[i].ld_hits += hits;
    }
    body.len() as u32
}

/// Subtree sums over the table. With `honor`, marked subtrees are dead (no text, no votes);
/// without, they count like the rest and only carry `under_mark`.
fn summed(mut nodes: Vec<Node1>, honor: bool) -> Vec<Node1> {
    for n in nodes.iter_mut() {
        if honor && n.under_mark {
            *n = Node1 {
                id: n.id,
                parent: n.parent,
                tag: n.tag,
                weight: n.weight,
                dead: true,
                under_mark: true,
                ..Node1::default()
            };
            continue;
        }
        if honor {
            n.own_text -= n.own_dead_text;
            n.own_link -= n.own_dead_link;
            n.own_commas -= n.own_dead_commas;
        }
        if is_prose(n) {
            n.prose = n.own_text;
        }
    }
    // Children follow parents, so one backward pass sums every subtree.
    for i in (0..nodes.len()).rev() {
        let p = nodes[i].parent;
        if p == NONE || nodes[i].dead {
            continue;
        }
        let c = nodes[i];
        let n = &mut nodes[p];
        n.text += c.text;
        n.link += c.link;
        n.commas += c.commas;
        n.paras += c.paras;
        n.lis += c.lis;
        n.imgs += c.imgs;
        n.inputs += c.inputs;
        n.embeds += c.embeds;
        n.anchors += c.anchors;
        n.prose += c.prose;
        n.words += c.words;
        n.ld_hits += c.ld_hits;
    }
    nodes
}

fn is_prose(n: &Node1) -> bool {
    n.own_text >= MIN_PARAGRAPH && !is_heading(n.tag) && n.own_link * 2 < n.own_text
}

fn link_density(n: &Node1) -> f64 {
    if n.text == 0 {
        0.0
    } else {
        n.link as f64 / n.text as f64
    }
}

fn is_heading(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Readability-style votes: each paragraph scores its parent fully, its grandparent half, and
/// further ancestors less.
fn score(nodes: &mut [Node1]) {
    for i in 0..nodes.len() {
        let n = &nodes[i];
        if n.dead || n.own_text < MIN_PARAGRAPH || is_heading(n.tag) || n.weight < 0.0 {
            continue;
        }
        let own_ld = n.own_link as f64 / n.own_text as f64;
        if own_ld > 0.5 {
            continue;
        }
        let vote =
            (1.0 + n.own_commas as f64 + (n.own_text as f64 / 100.0).min(3.0)) * (1.0 - own_ld);
        let mut a = n.parent;
        let mut level = 0;
        // The block itself holds its text, so it gets the parent's share too: a single
        // `<div>` of `<br>`-separated text is its own candidate.
        let mut targets = vec![(i, 1.0)];
        while a != NONE && level < 5 {
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            targets.push((a, div));
            a = nodes[a].parent;
            level += 1;
        }
        for (t, div) in targets {
            let m = &mut nodes[t];
            if !m.scored {
                m.scored = true;
                m.score = tag_bonus(m.tag) + m.weight;
            }
            m.score += vote / div;
        }
    }
}

fn final_score(n: &Node1) -> f64 {
    n.score * (1.0 - link_density(n))
}

/// Adds `content.*` marks for everything that is not the article.
pub fn mark(html: &Html, marks: &mut Marks) {
    let (mut raw, mut ld_words) = build(html, marks);
    if raw.is_empty() {
        return;
    }
    if lift_marks_on_the_article(&raw, marks) {
        // Rare: the lifted subtree's text was counted as marked; count it again.
        (raw, ld_words) = build(html, marks);
    }
    let mut nodes = summed(raw, true);
    score(&mut nodes);
    let body = nodes.iter().position(|n| n.tag == "body");
    let Some(mut root) = choose_root(&nodes, body) else {
        return;
    };
    let mut keep = keep_set(&nodes, root);
    if keep.len() == 1 {
        // Siblings joined the root: they, not a single descendant, make up the article.
        let inner = descend(&nodes, root);
        if inner != root {
            root = inner;
            keep = keep_set(&nodes, root);
        }
    }
    let mut ld_moved = false;
    if ld_words > 0 {
        if let Some(better) = ld_root(&nodes, &keep, ld_words) {
            root = better;
            keep = vec![root];
            ld_moved = true;
        }
    }
    if !ld_moved && keep.len() == 1 {
        if let Some(wider) = same_template_parts(&nodes, root) {
            root = wider;
            keep = vec![root];
        }
    }
    if keep.len() > 1 {
        if let Some(h) = headline(html, &nodes) {
            (root, keep) = headline_article(&nodes, root, keep, h);
        }
    }
    tracing::debug!(
        root = %describe(html, &nodes, root),
        keep = keep.len(),
        ld_words,
        "content root"
    );
    let add = |i: usize, reason: &str, marks: &mut Marks| {
        if let Some(id) = nodes[i].id {
            marks.entry(id).or_insert_with(|| reason.to_string());
        }
    };
    // Children lists, to visit siblings of each ancestor.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if n.parent != NONE {
            children[n.parent].push(i);
        }
    }
    // Outside: the siblings of every ancestor of the root, up to the document.
    let mut cur = root;
    while nodes[cur].parent != NONE {
        let p = nodes[cur].parent;
        for &s in &children[p] {
            if s != cur && !keep.contains(&s) && nodes[s].tag != "head" {
                add(s, "content.outside-main", marks);
            }
        }
        cur = p;
    }
    // Inside: prune the root and the siblings that joined it.
    let mut stack: Vec<usize> = keep.iter().rev().copied().collect();
    let mut units: Vec<usize> = Vec::new();
    while let Some(i) = stack.pop() {
        let n = &nodes[i];
        if n.dead {
            continue;
        }
        // What holds a good share of the article's prose is the article, whatever else it holds;
        // so is what the JSON-LD body confirms word for word (tables, lists, embeds).
        let essential = nodes[i].prose as f64 >= 0.3 * nodes[root].prose as f64
            || (n.words >= LD_CONFIRMED_WORDS
                && n.ld_hits as f64 >= LD_CONFIRMED_SHARE * n.words as f64);
        if i != root && !keep.contains(&i) && !essential {
            if let Some(reason) = prune(&nodes, i) {
                add(i, reason, marks);
                continue;
            }
        }
        if n.own_text > 0 {
            units.push(i);
        }
        for &c in children[i].iter().rev() {
            stack.push(c);
        }
    }
    // Before the first and after the last paragraph of prose, short lines that do not end like
    // a sentence are datelines, bylines, "Share this:" and "Close" labels, not article text.
    let prose_at = |u: &usize| {
        let n = &nodes[*u];
        is_prose(n) && !is_heading(n.tag)
    };
    // A list after the last paragraph whose every item carries a link is a "more stories"
    // module, however much plain text its items hold around the link.
    let link_list = |u: usize| {
        let p = nodes[u].parent;
        if p == NONE || !matches!(nodes[p].tag, "ul" | "ol") {
            return None;
        }
        let items = children[p].iter().filter(|&&c| nodes[c].tag == "li");
        let (n, linked) = items.fold((0, 0), |(n, l), &c| {
            (n + 1, l + usize::from(nodes[c].link > 0))
        });
        (n >= 3 && linked == n).then_some(p)
    };
    let Some(last) = units
        .iter()
        .rposition(|u| prose_at(u) && link_list(*u).is_none())
    else {
        return;
    };
    // A container's own text runs on between and after its children: the article ends with
    // the last unit inside the last prose unit, not where that container starts. The table is
    // in pre-order, so a subtree is the index range up to `end`.
    let mut end: Vec<usize> = (1..=nodes.len()).collect();
    for i in (0..nodes.len()).rev() {
        let p = nodes[i].parent;
        if p != NONE {
            end[p] = end[p].max(end[i]);
        }
    }
    let inside = |a: usize, x: usize| a <= x && x < end[a];
    let body_end = units
        .iter()
        .filter(|&&u| prose_at(&u) && link_list(u).is_none())
        .map(|&u| end[u])
        .max()
        .unwrap_or(0);
    // Units are in pre-order like the table.
    let last = units.partition_point(|&u| u < body_end).max(last + 1) - 1;
    // Only under a label of its own ("More stories", a heading): a list of links that just
    // follows the text (sources, where to buy) may be part of it.
    let mut prev: Option<usize> = None;
    for (k, &u) in units.iter().enumerate().skip(last + 1) {
        let l = link_list(u);
        if let Some(l) = l {
            if prev != Some(l) {
                let p = &nodes[units[k - 1]];
                let labelled = !inside(l, units[k - 1])
                    && !matches!(p.tag, "li" | "dd" | "dt" | "td" | "th")
                    && p.own_text < EDGE_MAX
                    && (is_heading(p.tag) || !p.own_ends_sentence);
                if labelled {
                    add(l, "content.link-list", marks);
                }
            }
        }
        prev = l.or(prev);
    }
    let Some(first) = units.iter().position(prose_at) else {
        return;
    };
    for (k, &u) in units.iter().enumerate() {
        let n = &nodes[u];
        let edge = k < first || k > last;
        if edge
            && n.text == n.own_text
            && n.own_text < EDGE_MAX
            && !n.own_ends_sentence
            && !matches!(n.tag, "li" | "dd" | "dt" | "td" | "th")
            // The headline is metadata's to claim (`meta.title`); a heading after the last
            // paragraph heads nothing of the article ("You may also like", "Comments").
            && (!is_heading(n.tag) || k > last)
        {
            add(u, "content.edge-label", marks);
        }
    }
}

/// `tag#id.class` of a table entry, for debug logs.
fn describe(html: &Html, nodes: &[Node1], i: usize) -> String {
    let el = nodes[i]
        .id
        .and_then(|id| html.tree.get(id))
        .and_then(|n| n.value().as_element().cloned());
    match el {
        Some(el) => {
            let mut d = el.name().to_string();
            if let Some(id) = el.id() {
                d.push('#');
                d.push_str(id);
            }
            for c in el.classes().take(3) {
                d.push('.');
                d.push_str(c);
            }
            d
        }
        None => String::new(),
    }
}

/// Longest line (characters) the article's edges are trimmed of.
const EDGE_MAX: u32 = 100;

/// Substring class selectors (`[class*=newsletter]`, `[class*=breadcrumb]`) also match page
/// wrappers whose class lists mention such words (`<body class="… f_lightbox_newsletter_on …">`,
/// `<article class="… url-breadcrumb …">`) and would delete the article with the chrome. Scored
/// without any rule marks, the page's best candidate shows where the article is; a rule mark on
/// one of its ancestors that also holds most of the page's prose is such a false match and is
/// lifted. This is the only case where a rule's mark is taken back; it returns whether it did.
fn lift_marks_on_the_article(raw: &[Node1], marks: &mut Marks) -> bool {
    if marks.is_empty() {
        return false;
    }
    let mut nodes = summed(raw.to_vec(), false);
    score(&mut nodes);
    let total = nodes
        .iter()
        .find(|n| n.tag == "body")
        .map_or(0, |n| n.prose);
    let best_where = |outside: bool| {
        nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.scored && !matches!(n.tag, "html" | "body"))
            .filter(|(_, n)| !outside || !n.under_mark)
            .max_by(|a, b| final_score(a.1).total_cmp(&final_score(b.1)))
            .map(|(i, _)| i)
    };
    let Some(best) = best_where(false) else {
        return false;
    };
    let best_score = final_score(&nodes[best]);
    if best_score < 20.0 {
        return false;
    }
    // Rules that leave a readable article elsewhere are trusted: a marked comment section may
    // well out-score a short article.
    if best_where(true).is_some_and(|o| final_score(&nodes[o]) >= 20.0_f64.max(0.5 * best_score)) {
        return false;
    }
    let mut lifted = false;
    let mut a = best;
    while a != NONE {
        let n = &nodes[a];
        if let Some(id) = n.id {
            if marks.contains_key(&id) && n.prose as f64 >= 0.5 * total as f64 {
                marks.remove(&id);
                lifted = true;
            }
        }
        a = n.parent;
    }
    lifted
}

/// The element that holds the article, or `None` when nothing on the page reads like one.
fn choose_root(nodes: &[Node1], body: Option<usize>) -> Option<usize> {
    // Only the markup's own statement counts: class and id words together (`id=content
    // class=site-content`) also reach +50, on page-wide wrappers.
    let explicit = nodes
        .iter()
        .position(|n| n.article_body && !n.dead && n.text >= 200);
    let mut best: Option<usize> = None;
    for (i, n) in nodes.iter().enumerate() {
        if !n.scored || n.dead || matches!(n.tag, "html" | "body") {
            continue;
        }
        if !best.is_some_and(|b| final_score(n) <= final_score(&nodes[b])) {
            best = Some(i);
        }
    }
    let mut top = match (explicit, best) {
        (Some(e), _) => e,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    if final_score(&nodes[top]) < 10.0 && explicit.is_none() {
        return None;
    }
    if explicit.is_none() {
        // Several strong candidates under one ancestor: the article is split into sections.
        let top_score = final_score(&nodes[top]);
        let mut alts: Vec<usize> = nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| *i != top && n.scored && !n.dead && final_score(n) >= 0.75 * top_score)
            .map(|(i, _)| i)
            .filter(|&i| !is_ancestor(nodes, i, top) && !is_ancestor(nodes, top, i))
            .collect();
        alts.truncate(5);
        if alts.len() >= 2 {
            let mut a = nodes[top].parent;
            while a != NONE && Some(a) != body {
                let holds = alts.iter().filter(|&&x| is_ancestor(nodes, a, x)).count();
                if holds >= 2 {
                    top = a;
                    break;
                }
                a = nodes[a].parent;
            }
        }
        // Climb while the parent scores better: the candidate was one part of the article.
        let mut last = final_score(&nodes[top]);
        let threshold = last / 3.0;
        let mut p = nodes[top].parent;
        while p != NONE && Some(p) != body {
            if !nodes[p].scored {
                p = nodes[p].parent;
                continue;
            }
            let s = final_score(&nodes[p]);
            if s < threshold {
                break;
            }
            if s > last {
                top = p;
                break;
            }
            last = s;
            p = nodes[p].parent;
        }
    }
    // A wrapper with one child and no text of its own says nothing more than the child.
    while nodes[top].parent != NONE
        && Some(nodes[top].parent) != body
        && nodes[nodes[top].parent].text == nodes[top].text
        && nodes[nodes[top].parent].weight >= nodes[top].weight
        && nodes[nodes[top].parent].tag != "html"
    {
        let p = nodes[top].parent;
        // Only climb through pure wrappers: same text means nothing else lives there.
        top = p;
    }
    Some(top)
}

/// How far above the root the common ancestor of its same-template parts may be.
const TEMPLATE_LEVELS: usize = 8;

/// A body split into sections around full-width figures or quotes often repeats one template
/// per section (same tag, same class list), each a cousin of the others. When prose-holding
/// elements of the root's template sit near it and, with the root, make up most of the prose
/// of their common ancestor, that ancestor is the article. A class-less root says nothing.
fn same_template_parts(nodes: &[Node1], root: usize) -> Option<usize> {
    let sig = nodes[root].sig;
    if nodes[root].prose == 0 || sig == word_hash(&format!("{}.", nodes[root].tag)) {
        return None;
    }
    // The ancestor TEMPLATE_LEVELS up bounds where parts may be.
    let mut top = root;
    for _ in 0..TEMPLATE_LEVELS {
        let p = nodes[top].parent;
        if p == NONE || matches!(nodes[p].tag, "body" | "html") {
            break;
        }
        top = p;
    }
    if top == root {
        return None;
    }
    let parts: Vec<usize> = (top + 1..nodes.len())
        .take_while(|&x| is_ancestor(nodes, top, x))
        .filter(|&x| {
            x != root
                && nodes[x].sig == sig
                && !nodes[x].dead
                && nodes[x].prose >= TEMPLATE_MIN_PROSE
                && nodes[x].paras >= 3
                && !is_ancestor(nodes, x, root)
                && !is_ancestor(nodes, root, x)
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    // The lowest ancestor of the root that holds every part.
    let mut a = nodes[root].parent;
    while a != NONE && !parts.iter().all(|&x| is_ancestor(nodes, a, x)) {
        a = nodes[a].parent;
    }
    if a == NONE {
        return None;
    }
    // Two top-level headlines under the ancestor mean two articles (the next one loaded below
    // by infinite scroll, in the same template), not one split into sections.
    let h1s = (a + 1..nodes.len())
        .take_while(|&x| is_ancestor(nodes, a, x))
        .filter(|&x| nodes[x].tag == "h1" && !nodes[x].dead)
        .count();
    if h1s > 1 {
        return None;
    }
    let held: u32 = nodes[root].prose + parts.iter().map(|&x| nodes[x].prose).sum::<u32>();
    (held as f64 >= TEMPLATE_SHARE * nodes[a].prose as f64).then_some(a)
}

/// Prose (characters) a same-template part must hold, in at least three paragraphs: a section
/// of the article, not a quote box.
const TEMPLATE_MIN_PROSE: u32 = 400;

/// Share of the common ancestor's prose the same-template parts must hold.
const TEMPLATE_SHARE: f64 = 0.8;

/// The page's title words: `og:title`, else `<title>`, lower case.
fn title_words(html: &Html) -> Vec<String> {
    static OG: LazyLock<Option<scraper::Selector>> = LazyLock::new(|| {
        scraper::Selector::parse("meta[property='og:title'], meta[name='twitter:title']").ok()
    });
    static TITLE: LazyLock<Option<scraper::Selector>> =
        LazyLock::new(|| scraper::Selector::parse("head title").ok());
    let og = OG
        .as_ref()
        .and_then(|s| html.select(s).find_map(|e| e.value().attr("content")))
        .map(str::to_string);
    let title = og.or_else(|| {
        TITLE
            .as_ref()
            .and_then(|s| html.select(s).next())
            .map(|e| e.text().collect())
    });
    title
        .map(|t| words(&t).map(str::to_lowercase).collect())
        .unwrap_or_default()
}

/// The page's headline: the first `h1`–`h3` whose words run, in order, inside the page title
/// (titles add the site's name around the headline). Short headings ("News", "Menu") count only
/// when they are most of the title.
fn headline(html: &Html, nodes: &[Node1]) -> Option<usize> {
    let title = title_words(html);
    if title.is_empty() {
        return None;
    }
    nodes.iter().enumerate().find_map(|(i, n)| {
        if n.dead || !matches!(n.tag, "h1" | "h2" | "h3") || n.text == 0 || n.text > 300 {
            return None;
        }
        let el = scraper::ElementRef::wrap(html.tree.get(n.id?)?)?;
        let text: String = el.text().collect();
        let heading: Vec<String> = words(&text).map(str::to_lowercase).collect();
        let enough = heading.len() >= 3 || 2 * heading.len() > title.len();
        (enough
            && !heading.is_empty()
            && title
                .windows(heading.len())
                .any(|w| w == heading.as_slice()))
        .then_some(i)
    })
}

/// Sibling `<article>` elements are separate compositions by the markup's own statement: when
/// the root and the siblings that joined it include several, and one of them carries the page's
/// headline, that one is the page's article and the others (a "You may also like" box of full
/// posts) are not. Returns the root and keep set, changed or not.
fn headline_article(
    nodes: &[Node1],
    root: usize,
    keep: Vec<usize>,
    headline: usize,
) -> (usize, Vec<usize>) {
    let articles = keep.iter().filter(|&&k| nodes[k].tag == "article").count();
    let Some(&with) = keep
        .iter()
        .find(|&&k| nodes[k].tag == "article" && is_ancestor(nodes, k, headline))
    else {
        return (root, keep);
    };
    if articles < 2 || nodes[with].prose == 0 {
        return (root, keep);
    }
    // A sibling with more prose than the headlined one is given up only when it is a listing of
    // posts itself; otherwise the headline may just sit in a short lead-in of the article.
    let nested = |k: usize| {
        (k + 1..nodes.len())
            .take_while(|&x| is_ancestor(nodes, k, x))
            .filter(|&x| nodes[x].tag == "article")
            .count()
    };
    let outweighs = |k: usize| {
        k != with
            && nodes[k].tag == "article"
            && nodes[k].prose > nodes[with].prose
            && nested(k) < 2
    };
    if keep.iter().any(|&k| outweighs(k)) {
        return (root, keep);
    }
    let keep: Vec<usize> = keep
        .into_iter()
        .filter(|&k| k == with || nodes[k].tag != "article")
        .collect();
    let root = if keep.contains(&root) { root } else { with };
    (root, keep)
}

/// How well a set of elements matches the JSON-LD body: F1 of confirmed words against the
/// set's words (precision) and the body's words (recall).
fn ld_f1(nodes: &[Node1], set: &[usize], ld_words: u32) -> f64 {
    let hits: u32 = set.iter().map(|&i| nodes[i].ld_hits).sum();
    let words: u32 = set.iter().map(|&i| nodes[i].words).sum();
    if hits == 0 || words == 0 {
        return 0.0;
    }
    let p = hits as f64 / words as f64;
    let r = (hits as f64 / ld_words as f64).min(1.0);
    2.0 * p * r / (p + r)
}

/// The element that matches the JSON-LD body clearly better than the scored choice does: the
/// body split over cousin sections (their common ancestor wins), or the scores picked the
/// wrong post on a page listing several.
fn ld_root(nodes: &[Node1], keep: &[usize], ld_words: u32) -> Option<usize> {
    let current = ld_f1(nodes, keep, ld_words);
    let (best, f1) = nodes
        .iter()
        .enumerate()
        // Some sites cut `articleBody` to the first paragraph: a single text block matching it
        // says nothing about where the article ends, so only containers compete.
        .filter(|(_, n)| {
            !n.dead
                && n.ld_hits > 0
                && matches!(
                    n.tag,
                    "div" | "section" | "article" | "main" | "td" | "form"
                )
        })
        .map(|(i, _)| (i, ld_f1(nodes, &[i], ld_words)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (f1 >= LD_TRUST && f1 > current + LD_MARGIN).then_some(best)
}

/// An element at least this long (words) whose words the JSON-LD body confirms at this share is
/// article text, whatever its shape.
const LD_CONFIRMED_WORDS: u32 = 8;
const LD_CONFIRMED_SHARE: f64 = 0.8;

/// Match (F1) the JSON-LD body must reach with the page's text to be trusted at all; below it
/// the body is a summary, another article or differently worded.
const LD_TRUST: f64 = 0.6;
/// How much better than the scored choice the JSON-LD choice must match to replace it.
const LD_MARGIN: f64 = 0.1;

/// Climbing and class cues overshoot: when one descendant holds nearly all of the root's
/// prose, what lies beside it is bylines, captions and teasers, not more article.
fn descend(nodes: &[Node1], mut top: usize) -> usize {
    let want = nodes[top].prose as f64 * DESCEND_SHARE;
    loop {
        let next = (top + 1..nodes.len())
            .take_while(|&c| is_ancestor(nodes, top, c))
            .find(|&c| nodes[c].parent == top && !nodes[c].dead && nodes[c].prose as f64 >= want);
        match next {
            Some(c) if !is_heading(nodes[c].tag) && nodes[c].own_text < nodes[c].prose => top = c,
            _ => return top,
        }
    }
}

/// Share of the root's prose a single child must hold for the root to move down to it.
const DESCEND_SHARE: f64 = 0.85;

fn is_ancestor(nodes: &[Node1], a: usize, mut x: usize) -> bool {
    while x != NONE {
        if x == a {
            return true;
        }
        x = nodes[x].parent;
    }
    false
}

/// The root plus its siblings that read like more of the article, in document order.
fn keep_set(nodes: &[Node1], root: usize) -> Vec<usize> {
    let p = nodes[root].parent;
    if p == NONE {
        return vec![root];
    }
    let root_score = final_score(&nodes[root]);
    let threshold = (root_score * 0.2).max(10.0);
    nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| n.parent == p && !n.dead && (*i == root || joins(n, threshold)))
        .map(|(i, _)| i)
        .collect()
}

fn joins(n: &Node1, threshold: f64) -> bool {
    if n.weight < 0.0 {
        return false;
    }
    if n.scored && final_score(n) >= threshold {
        return true;
    }
    if n.tag == "p" {
        let ld = link_density(n);
        return (n.text > 80 && ld < 0.25)
            || (n.text > 0 && n.text <= 80 && ld == 0.0 && n.own_ends_sentence);
    }
    false
}

/// Longest text (non-space characters) a `div`/`span` holding an image is taken for a caption
/// with.
const CAPTION_MAX: u32 = 200;

/// Why a container inside the article is not body text, if it is not.
fn prune(nodes: &[Node1], i: usize) -> Option<&'static str> {
    let n = &nodes[i];
    let tag = n.tag;
    if matches!(tag, "figure" | "figcaption") {
        return Some("content.caption");
    }
    if matches!(tag, "form" | "fieldset") && n.inputs > 0 && n.paras < 3 {
        return Some("content.form");
    }
    // Text-level markup holding several links and hardly a word besides (a tag list set in
    // `<strong>` straight in the article's container, a hover card in a paragraph) is a link
    // list however long; markup around running text has words of its own.
    if matches!(tag, "span" | "strong" | "b" | "em" | "i" | "small" | "font")
        && n.anchors >= 3
        && n.text.saturating_sub(n.link) < MIN_PARAGRAPH
    {
        return Some("content.link-dense");
    }
    if !matches!(
        tag,
        "div"
            | "section"
            | "ul"
            | "ol"
            | "dl"
            | "table"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "form"
            | "fieldset"
            | "span"
            | "p"
            | "li"
    ) {
        return None;
    }
    let ld = link_density(n);
    let weight = n.weight;
    let is_list = matches!(tag, "ul" | "ol" | "dl");
    if weight < 0.0 && n.text < 2000 && n.commas < 10 {
        return Some("content.chrome-class");
    }
    if n.text == 0 {
        return None;
    }
    if matches!(tag, "p" | "span" | "li") {
        if ld > 0.8 && n.text < 200 && tag != "li" {
            return Some("content.link-dense");
        }
        return None;
    }
    if n.commas >= 10 && ld < 0.5 {
        return None;
    }
    if ld > 0.5 {
        return Some("content.link-dense");
    }
    if !is_list && weight < 25.0 && ld > 0.25 {
        return Some("content.link-dense");
    }
    if n.inputs > 0 && n.inputs as f64 > (n.paras as f64 / 3.0).floor() {
        return Some("content.form");
    }
    if n.imgs > 1 && (n.paras as f64 / n.imgs as f64) < 0.5 && n.text < 200 {
        return Some("content.gallery");
    }
    // An image with a line or two of text and no more is a caption box whatever its markup
    // (`figure` is handled above): the text is short of what a paragraph of the article holds.
    if n.imgs >= 1
        && n.paras <= 1
        && n.lis == 0
        && n.text < CAPTION_MAX
        && matches!(tag, "div" | "span")
    {
        return Some("content.caption");
    }
    if (n.embeds == 1 && n.text < 75) || n.embeds > 1 && n.paras == 0 {
        return Some("content.embed");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_counts_read_ascii_as_chars_do() {
        for t in ["", " a, b\x0b\x0cc.\r\n", "one,two, three ", "\t\t", "x"] {
            let mut slow = (0, 0, None);
            for c in t.chars().filter(|c| !c.is_whitespace()) {
                slow = (slow.0 + 1, slow.1 + u32::from(c == ','), Some(c));
            }
            assert_eq!(text_counts(t), slow, "{t:?}");
        }
        assert_eq!(
            text_counts("a\u{a0}，b"),
            (3, 1, Some('b')),
            "no-break space is whitespace"
        );
    }

    /// The texts of the blocks no mark removed.
    fn kept(src: &str) -> Vec<String> {
        marked(src)
            .into_iter()
            .filter(|(_, r)| r.is_empty())
            .map(|(t, _)| t)
            .collect()
    }

    fn marked(src: &str) -> Vec<(String, String)> {
        let html = Html::parse_document(src);
        let mut marks = Marks::default();
        mark(&html, &mut marks);
        let blocks = crate::extract::html::extract(&html, &marks);
        blocks
            .into_iter()
            .map(|b| (b.text, b.removed_by.unwrap_or_default()))
            .collect()
    }

    fn para(topic: &str, n: usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "<p>The {topic} report, number {i}, says that the council, after a long debate, \
                     voted to fund the harbour wall, the new ferry pier and the library roof.</p>"
                )
            })
            .collect()
    }

    #[test]
    fn article_wins_over_a_bigger_comment_section() {
        let src = format!(
            "<body><div class=header><a href=/>Home</a> <a href=/n>News</a></div>\
             <div class=story-body>{}</div>\
             <div class=comments>{}</div></body>",
            para("harbour", 3),
            para("comment", 6)
        );
        let got = marked(&src);
        let kept: Vec<_> = got.iter().filter(|(_, r)| r.is_empty()).collect();
        assert_eq!(kept.len(), 3, "{got:?}");
        assert!(kept.iter().all(|(t, _)| t.contains("harbour report")));
        assert!(got
            .iter()
            .any(|(t, r)| t.contains("comment report") && r == "content.outside-main"));
        assert!(got
            .iter()
            .any(|(t, r)| t == "Home News" && r == "content.outside-main"));
    }

    #[test]
    fn link_dense_list_inside_the_article_is_pruned() {
        let src = format!(
            "<body><article><div>{}<ul><li><a href=/a>Other story one about things</a></li>\
             <li><a href=/b>Other story two about things</a></li></ul>{}</div></article></body>",
            para("harbour", 2),
            para("ferry", 2)
        );
        let got = marked(&src);
        assert!(got
            .iter()
            .any(|(t, r)| t.starts_with("Other story one") && r == "content.link-dense"));
        assert_eq!(
            got.iter().filter(|(_, r)| r.is_empty()).count(),
            4,
            "{got:?}"
        );
    }

    #[test]
    fn rule_marks_keep_their_credit_and_captions_go() {
        let src = format!(
            "<body><div id=main>{}<figure><img src=x><figcaption>A pier. Photo: Agency</figcaption></figure>\
             <div class=share>Share this</div></div></body>",
            para("harbour", 3)
        );
        let html = Html::parse_document(&src);
        let sel = scraper::Selector::parse(".share").unwrap();
        let share = html.select(&sel).next().unwrap().id();
        let mut marks = Marks::from_iter([(share, "html.share".to_string())]);
        mark(&html, &mut marks);
        assert_eq!(marks.get(&share).map(String::as_str), Some("html.share"));
        let blocks = crate::extract::html::extract(&html, &marks);
        let cap = blocks
            .iter()
            .find(|b| b.text.starts_with("A pier"))
            .unwrap();
        assert_eq!(cap.removed_by.as_deref(), Some("content.caption"));
    }

    #[test]
    fn a_page_without_prose_is_left_to_the_rules() {
        let got =
            marked("<body><ul><li><a href=/a>One</a></li><li><a href=/b>Two</a></li></ul></body>");
        assert!(got.iter().all(|(_, r)| r.is_empty()), "{got:?}");
    }

    fn marks_for(src: &str, selector: &str, rule: &str) -> (Html, Marks, NodeId) {
        let html = Html::parse_document(src);
        let sel = scraper::Selector::parse(selector).unwrap();
        let id = html.select(&sel).next().unwrap().id();
        let marks = Marks::from_iter([(id, rule.to_string())]);
        (html, marks, id)
    }

    #[test]
    fn a_rule_mark_on_the_page_wrapper_is_lifted_but_one_on_comments_is_not() {
        let wrapper = format!(
            "<body class='f_newsletter_script_on'><div class=story>{}</div></body>",
            para("harbour", 3)
        );
        let (html, mut marks, body) = marks_for(&wrapper, "body", "html.newsletter");
        mark(&html, &mut marks);
        assert!(!marks.contains_key(&body));
        let comments = format!(
            "<body><div class=story>{}</div><div id=comments>{}</div></body>",
            para("harbour", 2),
            para("comment", 8)
        );
        let (html, mut marks, c) = marks_for(&comments, "#comments", "html.comments");
        mark(&html, &mut marks);
        assert_eq!(marks.get(&c).map(String::as_str), Some("html.comments"));
        let kept: Vec<_> = crate::extract::html::extract(&html, &marks)
            .into_iter()
            .filter(|b| b.removed_by.is_none())
            .collect();
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn labels_at_the_edges_go_but_a_subheading_in_the_middle_stays() {
        let src = format!(
            "<body><div class=story><div>Monday, November 18, 2019</div>{}<h2>What comes next</h2>{}\
             <div>Like this:</div></div></body>",
            para("harbour", 2),
            para("ferry", 2)
        );
        let got = marked(&src);
        let reason = |t: &str| got.iter().find(|(x, _)| x == t).map(|(_, r)| r.as_str());
        assert_eq!(
            reason("Monday, November 18, 2019"),
            Some("content.edge-label")
        );
        assert_eq!(reason("Like this:"), Some("content.edge-label"));
        assert_eq!(reason("What comes next"), Some(""));
    }

    #[test]
    fn a_wrapper_with_content_in_class_and_id_is_not_taken_for_the_article_body() {
        // `id=content class=site-content` weighs as much as `itemprop=articleBody`, but only
        // the markup's statement makes an element the root outright.
        let teasers: String = (0..4)
            .map(|i| {
                format!(
                    "<article class=archive-view><div class=excerpt>Teaser {i}: the coach who \
                     has changed the lines again said the team looks ready for the road trip.</div>\
                     <a href=/s{i}>Read More</a></article>"
                )
            })
            .collect();
        let src = format!(
            "<body><div id=content class=site-content><article id=post-1 class='post hentry'><div class=body-copy>{}</div>\
             </article><div class=latest>{teasers}</div></div></body>",
            para("harbour", 8)
        );
        let got = marked(&src);
        let kept: Vec<_> = got.iter().filter(|(_, r)| r.is_empty()).collect();
        assert_eq!(kept.len(), 8, "{got:?}");
        assert!(kept.iter().all(|(t, _)| t.contains("harbour report")));
    }

    #[test]
    fn a_trailing_heading_and_a_labelled_link_list_go() {
        let items: String = (0..3)
            .map(|i| {
                format!("<li>Story {i} about the town, <a href=/s{i}>and what it means</a></li>")
            })
            .collect();
        let src = format!(
            "<body><div class=story>{}<div>More great stories</div><ul>{items}</ul>\
             <h3>Comments</h3></div></body>",
            para("harbour", 3)
        );
        let got = marked(&src);
        let reason = |t: &str| {
            got.iter()
                .find(|(x, _)| x.starts_with(t))
                .map(|(_, r)| r.as_str())
        };
        assert_eq!(reason("Story 0"), Some("content.link-list"), "{got:?}");
        assert_eq!(reason("Story 2"), Some("content.link-list"));
        assert_eq!(reason("More great stories"), Some("content.edge-label"));
        assert_eq!(reason("Comments"), Some("content.edge-label"));
        // Straight after the text, without a label, the list may be part of it (sources).
        let src = format!(
            "<body><div class=story>{}<ul>{items}</ul></div></body>",
            para("harbour", 3)
        );
        let got = marked(&src);
        assert!(got.iter().all(|(_, r)| r.is_empty()), "{got:?}");
    }

    #[test]
    fn a_subheading_inside_a_container_of_bare_text_is_not_a_trailing_heading() {
        let text =
            "The council, after a long debate, voted to fund the harbour wall, the pier and \
                    the library roof, and the mayor said work starts in spring.";
        let src = format!(
            "<body><div class=story>{text}<h2>What comes next</h2>{text}<br>{text}</div></body>"
        );
        let got = marked(&src);
        assert!(
            got.iter()
                .any(|(t, r)| t == "What comes next" && r.is_empty()),
            "{got:?}"
        );
    }

    #[test]
    fn an_image_box_with_a_short_line_is_a_caption_but_one_with_a_paragraph_is_not() {
        let long =
            "The council, after a long debate, voted to fund the harbour wall, the pier and \
                    the library roof; the mayor said work starts in spring, and the contractor, \
                    chosen last year, has already ordered the stone from the northern quarry. \
                    The first barges are due in March.";
        let src = format!(
            "<body><div class=story>{}<div class=photo><img src=a.jpg>\
             <span>Protesters gather at the harbour on Monday</span></div>{}\
             <div class=media><img src=b.jpg><p>{long}</p></div>{}</div></body>",
            para("harbour", 2),
            para("ferry", 2),
            para("roof", 2)
        );
        let got = marked(&src);
        let reason = |t: &str| {
            got.iter()
                .find(|(x, _)| x.starts_with(t))
                .map(|(_, r)| r.as_str())
        };
        assert_eq!(
            reason("Protesters gather"),
            Some("content.caption"),
            "{got:?}"
        );
        assert_eq!(reason("The council, after"), Some(""), "{got:?}");
    }

    fn ld_head(body: &str) -> String {
        let text = body.replace("</p>", " ").replace("<p>", "");
        format!(
            "<head><script type='application/ld+json'>{{\"@graph\":[{{\"@type\":\"WebPage\"}},\
             {{\"@type\":\"NewsArticle\",\"articleBody\":\"{text}\"}}]}}</script></head>"
        )
    }

    #[test]
    fn json_ld_body_widens_the_root_over_cousin_sections() {
        let (a, b) = (para("harbour", 3), para("ferry", 2));
        let page = |head: &str| {
            format!(
                "<html>{head}<body><div class=wrap><div class=part><div class=story-body>{a}</div></div>\
                 <div class=part-two><div>{b}</div></div></div><div class=comments>{}</div></body></html>",
                para("comment", 2)
            )
        };
        // Without JSON-LD the cousin section is lost: that is what the cross-check is for.
        let plain = kept(&page(""));
        assert_eq!(plain.len(), 3, "{plain:?}");
        let with_ld = kept(&page(&ld_head(&format!("{a}{b}"))));
        assert_eq!(with_ld.len(), 5, "{with_ld:?}");
        assert!(with_ld.iter().all(|t| !t.contains("comment report")));
    }

    #[test]
    fn a_json_ld_body_cut_to_the_first_paragraph_does_not_narrow_the_article() {
        let first = para("harbour", 1);
        let src = format!(
            "<html>{}<body><div class=story>{}</div><div class=side><a href=/x>Other</a></div></body></html>",
            ld_head(&first),
            para("harbour", 4)
        );
        let got = marked(&src);
        assert_eq!(
            got.iter().filter(|(_, r)| r.is_empty()).count(),
            4,
            "{got:?}"
        );
    }

    #[test]
    fn of_sibling_articles_the_one_with_the_page_headline_is_the_article() {
        let related: String = ["ferry", "roof", "pier"]
            .iter()
            .map(|t| {
                format!(
                    "<article class='post hentry'><h2>On the {t}</h2>{}</article>",
                    para(t, 2)
                )
            })
            .collect();
        let page = |title: &str| {
            format!(
                "<html><head><title>{title}</title></head><body><div class=main>\
                 <article class='post hentry'><h1>Harbour wall gets its funding</h1>{}</article>\
                 <article class='post hentry'><h3>You may also like</h3>{related}</article>\
                 </div></body></html>",
                para("harbour", 2)
            )
        };
        let got = kept(&page("Harbour wall gets its funding | Town News"));
        assert!(
            got.iter().filter(|t| t.contains("harbour report")).count() == 2
                && !got.iter().any(|t| t.contains("ferry report")),
            "{got:?}"
        );
        // Without a headline to go by, the scores decide as before.
        let got = kept(&page("Town News"));
        assert!(got.iter().any(|t| t.contains("ferry report")), "{got:?}");
    }

    #[test]
    fn inline_markup_of_links_alone_goes_but_inline_running_text_with_links_stays() {
        let card = "<span class=card><a href=/p/1>Jane Doe</a><a href=/s/1>Council votes on the \
                    budget again</a> <a href=/s/2>Harbour plan delayed</a></span>";
        let src = format!(
            "<body><div class=story>{}<p>The mayor, {card} said on Monday that the ferry, the \
             pier and the roof come first.</p><p><em>See <a href=/a>the budget</a>, \
             <a href=/b>the minutes</a> and <a href=/c>the vote</a> for what the council \
             decided.</em></p>{}<strong>Tags<br><a href=/t/1>harbour</a>, <a href=/t/2>ferry</a>, \
             <a href=/t/3>council budget</a></strong></div></body>",
            para("harbour", 2),
            para("ferry", 2)
        );
        let got = marked(&src);
        let reason = |t: &str| {
            got.iter()
                .find(|(x, _)| x.starts_with(t))
                .map(|(_, r)| r.as_str())
        };
        assert_eq!(reason("The mayor, said on Monday"), Some(""), "{got:?}");
        assert_eq!(reason("Jane Doe"), Some("content.link-dense"), "{got:?}");
        assert_eq!(reason("See the budget"), Some(""), "{got:?}");
        assert_eq!(
            reason("harbour, ferry"),
            Some("content.link-dense"),
            "{got:?}"
        );
    }

    #[test]
    fn sections_of_the_same_template_around_a_figure_make_one_article() {
        let page = |second_headline: &str| {
            format!(
                "<body><div class=page><section class=outer><div class='body-text wysiwyg'>{}</div>\
                 </section><div class=media><div class=frame><img src=a.jpg></div></div>\
                 <div class=more><section class=outer>{second_headline}<div class='body-text wysiwyg'>{}</div>\
                 </section></div></div><div class=comments>{}</div></body>",
                para("harbour", 5),
                para("ferry", 4),
                para("comment", 2)
            )
        };
        let got = kept(&page(""));
        assert_eq!(got.len(), 9, "{got:?}");
        assert!(got.iter().all(|t| !t.contains("comment report")));
        // A second headline above the other part: another article in the same template.
        let got = kept(&page("<h1>Ferry news</h1>").replace(
            "<section class=outer>",
            "<section class=outer><h1>Harbour news</h1>",
        ));
        assert!(!got.iter().any(|t| t.contains("ferry report")), "{got:?}");
    }

    #[test]
    fn a_link_list_the_json_ld_body_confirms_is_kept() {
        let list = "<ul><li><a href=/a>Cordless drill with two batteries down to 59 dollars</a></li>\
                    <li><a href=/b>Noise cancelling headphones now 120 dollars off today</a></li></ul>";
        let ld = format!(
            "{}Cordless drill with two batteries down to 59 dollars. \
             Noise cancelling headphones now 120 dollars off today. {}",
            para("deals", 2),
            para("gifts", 2)
        );
        let body = format!(
            "<body><article><div>{}{list}{}</div></article></body>",
            para("deals", 2),
            para("gifts", 2)
        );
        let with_ld = marked(&format!("<html>{}{body}</html>", ld_head(&ld)));
        assert!(
            with_ld
                .iter()
                .any(|(t, r)| t.starts_with("Cordless drill") && r.is_empty()),
            "{with_ld:?}"
        );
        let without = marked(&format!("<html>{body}</html>"));
        assert!(without
            .iter()
            .any(|(t, r)| t.starts_with("Cordless drill") && r == "content.link-dense"));
    }
}
