//! The flat table of a page's elements that every later step reads. One pre-order walk of the
//! DOM ([`build`]) records, per element, its tag, class/id weight and the counts of its own text
//! (characters, link text, commas, paragraphs, images, form controls); [`summed`] folds them into
//! subtree sums, with rule-marked subtrees either honoured (dead) or counted like the rest.
//! A parent always precedes its children, so one backward pass sums every subtree and nothing
//! recurses: deep nesting is safe.

use super::*;

/// Class/id words of page chrome.
pub(super) static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s_-])(?:ad|ads|adv|hidden|banner|combx|comment|comments|contact|foot|footer|footnote|gdpr|masthead|outbrain|taboola|promo|promoted|related|scroll|share|sharing|social|shoutbox|sidebar|skyscraper|sponsor|sponsored|shopping|tags|tag-list|tool|tools|toolbar|widget|byline|author|caption|credit|newsletter|subscribe|signup|popular|trending|recommend|recommended|breadcrumb|breadcrumbs|nav|navbar|menu|pagination|pager|rail|teaser|more|next|prev|disclaimer|meta|timestamp|dateline|rating|cookie|modal|popup|overlay|login|follow)(?:$|[\s_-])",
    )
    .expect("valid regex")
});

/// Class/id words of article containers.
pub(super) static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s_-])(?:article|articlebody|article-body|body|content|entry|hentry|h-entry|main|post|text|blog|story|story-body|storytext|prose|rich-text|richtext|copy)(?:$|[\s_-])",
    )
    .expect("valid regex")
});

/// A text block shorter than this (characters) does not vote for its ancestors.
pub(super) const MIN_PARAGRAPH: u32 = 25;

#[derive(Clone, Copy, Default)]
pub(super) struct Node1 {
    pub(super) id: Option<NodeId>,
    pub(super) parent: usize,
    pub(super) tag: &'static str,
    /// Class and id words, lower case, for the cue regexes.
    pub(super) weight: f64,
    /// Whether a rule marked it or an ancestor, and marks are honoured in this table.
    pub(super) dead: bool,
    pub(super) under_mark: bool,
    /// Subtree sums.
    pub(super) text: u32,
    pub(super) link: u32,
    pub(super) commas: u32,
    pub(super) paras: u32,
    pub(super) lis: u32,
    pub(super) imgs: u32,
    pub(super) inputs: u32,
    pub(super) embeds: u32,
    /// Links (`a` elements).
    pub(super) anchors: u32,
    /// Text of the prose paragraphs in the subtree (long enough, not link lists).
    pub(super) prose: u32,
    /// Inline text owned directly by this block element (its "paragraph").
    pub(super) own_text: u32,
    pub(super) own_link: u32,
    pub(super) own_commas: u32,
    /// The part of `own_*` inside marked inline elements, taken out when marks are honoured.
    pub(super) own_dead_text: u32,
    pub(super) own_dead_link: u32,
    pub(super) own_dead_commas: u32,
    /// Words in the subtree, and how many of them the page's JSON-LD `articleBody` confirms
    /// (both zero when the page has none).
    pub(super) words: u32,
    pub(super) ld_hits: u32,
    /// Text of the last character seen in its own inline text, for "ends like a sentence".
    pub(super) own_ends_sentence: bool,
    pub(super) score: f64,
    pub(super) scored: bool,
    /// Marked up as the article body (`itemprop=articleBody`).
    pub(super) article_body: bool,
    /// Hash of tag and class attribute, to recognise parts built from the same template.
    pub(super) sig: u64,
}

pub(super) const NONE: usize = usize::MAX;

pub(super) fn intern(name: &str) -> &'static str {
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
pub(super) struct Read<'a> {
    pub(super) class: Option<&'a str>,
    pub(super) id: Option<&'a str>,
    pub(super) itemprop: Option<&'a str>,
    pub(super) hidden: bool,
}

impl<'a> Read<'a> {
    pub(super) fn of(el: &'a scraper::node::Element) -> Read<'a> {
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
pub(super) fn class_weight<'a>(attrs: &Read<'a>, seen: &mut FxHashMap<&'a str, f64>) -> f64 {
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

pub(super) fn tag_bonus(tag: &str) -> f64 {
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
pub(super) fn build(html: &Html, marks: &Marks) -> (Vec<Node1>, u32) {
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
pub(super) fn text_counts(t: &str) -> (u32, u32, Option<char>) {
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

/// Subtree sums over the table. With `honor`, marked subtrees are dead (no text, no votes);
/// without, they count like the rest and only carry `under_mark`.
pub(super) fn summed(mut nodes: Vec<Node1>, honor: bool) -> Vec<Node1> {
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

pub(super) fn is_prose(n: &Node1) -> bool {
    n.own_text >= MIN_PARAGRAPH && !is_heading(n.tag) && n.own_link * 2 < n.own_text
}

pub(super) fn link_density(n: &Node1) -> f64 {
    if n.text == 0 {
        0.0
    } else {
        n.link as f64 / n.text as f64
    }
}

pub(super) fn is_heading(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}
