//! The page's JSON-LD `articleBody` as a second opinion. [`ld_article_body`] finds a body long
//! enough to be the article, [`confirm_by_ld`] counts per element the words it confirms, and
//! [`ld_root`] picks a container that matches it clearly better than the scored root. The JSON-LD
//! text only says which page text is the article; it is never output.

use super::*;

/// Shortest JSON-LD `articleBody` (words) worth comparing the page with.
pub(super) const LD_MIN_WORDS: u32 = 50;

/// The first `articleBody` of the page's JSON-LD (also inside `@graph` or lists) long enough to
/// be the article rather than a summary.
pub(super) fn ld_article_body(scripts: &[&str]) -> Option<String> {
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
pub(super) fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
}

/// FNV-1a over the lower-cased characters: words are hashed by the thousand per page, and only
/// compared with each other within one run, so a fast non-keyed hash is enough.
pub(super) fn word_hash(w: &str) -> u64 {
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
pub(super) fn confirm_by_ld(nodes: &mut [Node1], texts: &[(usize, &str)], body: &str) -> u32 {
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

/// How well a set of elements matches the JSON-LD body: F1 of confirmed words against the
/// set's words (precision) and the body's words (recall).
pub(super) fn ld_f1(nodes: &[Node1], set: &[usize], ld_words: u32) -> f64 {
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
pub(super) fn ld_root(nodes: &[Node1], keep: &[usize], ld_words: u32) -> Option<usize> {
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
pub(super) const LD_CONFIRMED_WORDS: u32 = 8;
pub(super) const LD_CONFIRMED_SHARE: f64 = 0.8;

/// Match (F1) the JSON-LD body must reach with the page's text to be trusted at all; below it
/// the body is a summary, another article or differently worded.
pub(super) const LD_TRUST: f64 = 0.6;
/// How much better than the scored choice the JSON-LD choice must match to replace it.
pub(super) const LD_MARGIN: f64 = 0.1;
