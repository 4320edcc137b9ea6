//! Choosing the element that holds the article: readability-style votes ([`score`]), the best
//! candidate ([`choose_root`]), a body split into same-template sections ([`same_template_parts`]),
//! the `<article>` that carries the headline when several joined ([`headline_article`]), moving
//! down to a child that holds nearly all the prose ([`descend`]), and the siblings that read like
//! more of the article ([`keep_set`]).

use super::*;

/// Readability-style votes: each paragraph scores its parent fully, its grandparent half, and
/// further ancestors less.
pub(super) fn score(nodes: &mut [Node1]) {
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

pub(super) fn final_score(n: &Node1) -> f64 {
    n.score * (1.0 - link_density(n))
}

/// The element that holds the article, or `None` when nothing on the page reads like one.
pub(super) fn choose_root(nodes: &[Node1], body: Option<usize>) -> Option<usize> {
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
pub(super) const TEMPLATE_LEVELS: usize = 8;

/// A body split into sections around full-width figures or quotes often repeats one template
/// per section (same tag, same class list), each a cousin of the others. When prose-holding
/// elements of the root's template sit near it and, with the root, make up most of the prose
/// of their common ancestor, that ancestor is the article. A class-less root says nothing.
pub(super) fn same_template_parts(nodes: &[Node1], root: usize) -> Option<usize> {
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
pub(super) const TEMPLATE_MIN_PROSE: u32 = 400;

/// Share of the common ancestor's prose the same-template parts must hold.
pub(super) const TEMPLATE_SHARE: f64 = 0.8;

/// The page's title words: `og:title`, else `<title>`, lower case.
pub(super) fn title_words(html: &Html) -> Vec<String> {
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
pub(super) fn headline(html: &Html, nodes: &[Node1]) -> Option<usize> {
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
pub(super) fn headline_article(
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

/// Climbing and class cues overshoot: when one descendant holds nearly all of the root's
/// prose, what lies beside it is bylines, captions and teasers, not more article.
pub(super) fn descend(nodes: &[Node1], mut top: usize) -> usize {
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
pub(super) const DESCEND_SHARE: f64 = 0.85;

pub(super) fn is_ancestor(nodes: &[Node1], a: usize, mut x: usize) -> bool {
    while x != NONE {
        if x == a {
            return true;
        }
        x = nodes[x].parent;
    }
    false
}

/// The root plus its siblings that read like more of the article, in document order.
pub(super) fn keep_set(nodes: &[Node1], root: usize) -> Vec<usize> {
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

pub(super) fn joins(n: &Node1, threshold: f64) -> bool {
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
