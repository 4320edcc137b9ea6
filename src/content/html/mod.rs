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
//!
//! Submodules: `table` (the element table and its subtree sums), `root` (scoring and choosing
//! the article's root), `jsonld` (the JSON-LD body as a second opinion), `prune` (what inside the
//! article is not body text) and `tests`. This file holds [`mark`], which runs them in order and
//! turns their answers into marks.

use fxhash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use regex::Regex;
use scraper::{Html, Node};

// Skipped and block-level elements are the same as in extraction, so scores and blocks agree.
use crate::extract::html::{is_block, is_skipped};
use crate::model::Marks;

mod jsonld;
mod prune;
mod root;
mod table;
#[cfg(test)]
mod tests;

use jsonld::*;
use prune::*;
use root::*;
use table::*;

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
