//! Strip: apply the active rules to a document and decide, for every block, keep or drop.
//!
//! Two entry points, because HTML rules act on the DOM and text rules on blocks:
//! [`mark_selectors`] runs the CSS-selector rules over a parsed page and returns the elements they
//! remove (extraction then flags those blocks), and [`apply`] runs the text rules over the blocks.
//! `apply` returns one [`Decided`] per input block, in order, so the output is always a partition
//! of the input: every block is either kept or carries the id of the rule that removed it. The
//! first rule to remove a block gets the credit. Rule examples are checked by
//! [`check_examples`], which runs each rule alone on its own `strips`/`keeps`.

use std::borrow::Cow;

use scraper::{ElementRef, Html};

use crate::model::{Block, Decided, Marks, Verdict};
use crate::norm::{collapse_whitespace, fold};
use crate::rules::css::CssRule;
use crate::rules::prefilter::{Admitted, TextIndex};
use crate::rules::TextMatcher;
use crate::rules::{Action, ActiveRules, Location, Rule, RuleSet};

/// Elements removed by the selector rules, each with the id of the first rule that matched it.
///
/// One pass over the DOM: the rule set's [`CssIndex`](crate::rules::css::CssIndex) names the
/// rules that could match each element, and only those are run (in rule order).
pub fn mark_selectors(html: &Html, rules: &ActiveRules) -> Marks {
    let mut marks = Marks::default();
    let selectors: Vec<(&str, &CssRule)> = rules
        .rules
        .iter()
        .filter_map(|r| match &r.action {
            Action::Select(c) => Some((r.id.as_str(), &**c)),
            _ => None,
        })
        .collect();
    if selectors.is_empty() {
        return marks;
    }
    let Some(index) = rules
        .css
        .filter(|i| selectors.iter().all(|(_, c)| c.slot < i.slots()))
    else {
        // Rules assembled by hand, outside a rule set: no index, so every selector runs.
        for (id, css) in &selectors {
            for el in html.select(&css.selector) {
                marks.entry(el.id()).or_insert_with(|| id.to_string());
            }
        }
        return marks;
    };
    let mut flags = vec![false; index.slots()];
    let mut memo = Default::default();
    for node in html.tree.nodes() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        index.candidates(el.value(), &mut flags, &mut memo);
        if let Some((id, _)) = selectors
            .iter()
            .find(|(_, c)| flags[c.slot] && c.matches(&el))
        {
            marks.insert(el.id(), id.to_string());
        }
        flags.iter_mut().for_each(|f| *f = false);
    }
    marks
}

/// Decides every block. Blocks that extraction already flagged (`removed_by`) stay removed by
/// that rule, and text rules do not see them: an element removed from the DOM is out of the
/// text flow, so a site footer that the markup places before the article cannot act as a
/// `cut_after` marker, and positions (`not_before`) count only the blocks still in the flow.
pub fn apply(blocks: Vec<Block>, rules: &ActiveRules) -> Vec<Decided> {
    let flow: Vec<usize> = (0..blocks.len())
        .filter(|&i| blocks[i].removed_by.is_none())
        .collect();
    let folded: Vec<Cow<str>> = flow.iter().map(|&i| fold(&blocks[i].text)).collect();
    let candidates = Candidates::new(&folded, rules.text);
    let mut flow_verdicts = vec![Verdict::Keep; flow.len()];
    for rule in &rules.rules {
        apply_rule(rule, &folded, &mut flow_verdicts, true, &candidates);
    }
    let mut verdicts: Vec<Verdict> = blocks
        .iter()
        .map(|b| {
            b.removed_by
                .clone()
                .map_or(Verdict::Keep, |r| Verdict::Drop(r.into()))
        })
        .collect();
    for (&i, v) in flow.iter().zip(flow_verdicts) {
        verdicts[i] = v;
    }
    blocks
        .into_iter()
        .zip(verdicts)
        .map(|(block, verdict)| Decided::new(block, verdict))
        .collect()
}

/// Per block, the text pattern pieces that could match it, from the rule set's
/// [`TextIndex`]; without an index, every piece.
struct Candidates {
    admitted: Admitted,
}

impl Candidates {
    fn new(folded: &[Cow<str>], index: Option<&TextIndex>) -> Candidates {
        Candidates {
            admitted: match index {
                Some(index) => index.admitted(folded),
                None => Admitted::everything(folded.len()),
            },
        }
    }

    fn all(blocks: usize) -> Candidates {
        Candidates {
            admitted: Admitted::everything(blocks),
        }
    }

    /// The blocks `m` matches, in order, asking a piece's regex only on the blocks the index
    /// admits for it.
    fn matching(&self, m: &TextMatcher, folded: &[Cow<str>]) -> Vec<usize> {
        m.matching(folded, |p| self.admitted.all_of(&p.slots))
    }
}

/// Runs one rule. Markers (range ends, cut points) are searched among all blocks, removed or
/// not, but only blocks still kept are credited to this rule. `positional` enables the
/// `not_before`/`not_after` guards, which examples (single short snippets) cannot satisfy.
fn apply_rule(
    rule: &Rule,
    folded: &[Cow<str>],
    verdicts: &mut [Verdict],
    positional: bool,
    cand: &Candidates,
) {
    // Each pattern is matched against all blocks once, up front (`Candidates::matching`): the
    // index rules most blocks out without a look at the pattern.
    let n = folded.len();
    let drop = |verdicts: &mut [Verdict], range: std::ops::Range<usize>| {
        for v in &mut verdicts[range] {
            if *v == Verdict::Keep {
                *v = Verdict::Drop(rule.id.clone().into());
            }
        }
    };
    let at = |i: usize| if n == 0 { 0.0 } else { i as f64 / n as f64 };
    match &rule.action {
        Action::Drop(m) => {
            for i in cand.matching(m, folded) {
                drop(verdicts, i..i + 1);
            }
        }
        Action::Range {
            start,
            end,
            max_blocks,
        } => {
            let (starts, ends) = (cand.matching(start, folded), cand.matching(end, folded));
            for (i, j) in ranges(&starts, &ends, *max_blocks, n) {
                drop(verdicts, i..j + 1);
            }
        }
        Action::CutAfter(m) => {
            let min = if positional {
                m.not_before.unwrap_or(0.0)
            } else {
                0.0
            };
            let hits = cand.matching(m, folded);
            if let Some(&i) = hits.iter().find(|&&i| at(i) >= min) {
                drop(verdicts, i..n);
            }
        }
        Action::CutBefore(m) => {
            let max = if positional {
                m.not_after.unwrap_or(1.0)
            } else {
                1.0
            };
            let hits = cand.matching(m, folded);
            if let Some(&i) = hits.iter().rev().find(|&&i| at(i) <= max) {
                drop(verdicts, 0..i + 1);
            }
        }
        Action::Select(_) => {}
    }
}

/// The ranges (first and last block) a range rule removes, given the blocks (in order, below
/// `n`) its start and end patterns match: from a start to the first end after it within
/// `max_blocks` blocks; the next range can only start after that end.
fn ranges(starts: &[usize], ends: &[usize], max_blocks: usize, n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut next = 0;
    for &i in starts {
        if i < next {
            continue;
        }
        let last = i.saturating_add(max_blocks).min(n.saturating_sub(1));
        let first_end = ends.partition_point(|&j| j <= i);
        if let Some(&j) = ends.get(first_end).filter(|&&j| j <= last) {
            out.push((i, j));
            next = j + 1;
        }
    }
    out
}

/// A rule example that does not behave as the rule file says.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    pub rule: String,
    pub location: Location,
    /// The example text.
    pub example: String,
    /// What went wrong, e.g. "line `Open in App` was kept".
    pub problem: String,
}

/// Runs every rule on its own examples.
pub fn check_examples(set: &RuleSet) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for rule in set.rules() {
        let mut fail = |example: &str, problem: String| {
            failures.push(ExampleFailure {
                rule: rule.id.clone(),
                location: rule.location.clone(),
                example: example.to_string(),
                problem,
            })
        };
        for (examples, should_strip) in [(&rule.strips, true), (&rule.keeps, false)] {
            for ex in examples {
                if let Action::Select(sel) = &rule.action {
                    let hit = Html::parse_fragment(ex)
                        .select(&sel.selector)
                        .next()
                        .is_some();
                    if hit != should_strip {
                        fail(
                            ex,
                            format!(
                                "selector {} the example",
                                if hit { "matches" } else { "does not match" }
                            ),
                        );
                    }
                    continue;
                }
                let lines: Vec<String> = ex
                    .lines()
                    .map(collapse_whitespace)
                    .filter(|l| !l.is_empty())
                    .collect();
                let folded: Vec<Cow<str>> = lines.iter().map(|l| fold(l)).collect();
                let mut verdicts = vec![Verdict::Keep; lines.len()];
                apply_rule(
                    rule,
                    &folded,
                    &mut verdicts,
                    false,
                    &Candidates::all(folded.len()),
                );
                for (line, v) in lines.iter().zip(&verdicts) {
                    let stripped = *v != Verdict::Keep;
                    if stripped != should_strip {
                        fail(
                            ex,
                            format!(
                                "line `{line}` was {}",
                                if stripped { "removed" } else { "kept" }
                            ),
                        );
                    }
                }
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text;

    fn rules(src: &str) -> RuleSet {
        RuleSet::from_sources(vec![("t.toml".into(), false, src.into())], true).unwrap()
    }

    fn verdicts(set: &RuleSet, doc: &str) -> Vec<String> {
        let active = set.for_document(None, doc);
        apply(text::extract(doc), &active)
            .into_iter()
            .map(|d| match d.verdict {
                Verdict::Keep => format!("keep {}", d.block.text),
                Verdict::Drop(r) | Verdict::Meta(r) => format!("{r} {}", d.block.text),
            })
            .collect()
    }

    #[test]
    fn each_kind_removes_what_it_should() {
        let set = rules(
            r#"
[[rule]]
id = "banner"
description = "cookie banner"
range = { start = { starts_with = "We use cookies" }, end = { equals = "Accept" }, max_blocks = 3 }
[[rule]]
id = "share"
description = "share"
drop = { starts_with = "Share on" }
[[rule]]
id = "footer"
description = "footer"
cut_after = { starts_with = "©", not_before = 0.5 }
[[rule]]
id = "header"
description = "header"
cut_before = { equals = "Skip to content", not_after = 0.5 }
"#,
        );
        let doc = "Menu\nSkip to content\nWe use cookies here\nSettings\nAccept\nTitle\nShare on X\nBody text.\nMore body.\n© 2024 Example\nTerms";
        assert_eq!(
            verdicts(&set, doc),
            [
                "header Menu",
                "header Skip to content",
                "banner We use cookies here",
                "banner Settings",
                "banner Accept",
                "keep Title",
                "share Share on X",
                "keep Body text.",
                "keep More body.",
                "footer © 2024 Example",
                "footer Terms",
            ]
        );
    }

    #[test]
    fn unterminated_range_and_early_footer_drop_nothing() {
        let set = rules(
            r#"
[[rule]]
id = "banner"
description = "cookie banner"
range = { start = { starts_with = "We use cookies" }, end = { equals = "Accept" }, max_blocks = 2 }
[[rule]]
id = "footer"
description = "footer"
cut_after = { starts_with = "©", not_before = 0.5 }
"#,
        );
        let doc = "© quoted early\nWe use cookies here\nA\nB\nAccept\nBody.";
        assert!(verdicts(&set, doc).iter().all(|v| v.starts_with("keep")));
    }

    #[test]
    fn examples_are_checked() {
        let set = rules(
            r#"
[[rule]]
id = "app"
description = "app prompt"
drop = { equals = "Open in App" }
strips = ["Open in App", "Open in the App"]
keeps = ["Open in App"]
[[rule]]
id = "sel"
description = "share bar"
selector = ".share"
strips = ['<div class="share">x</div>']
keeps = ['<div class="share">y</div>']
"#,
        );
        let f = check_examples(&set);
        let got: Vec<_> = f
            .iter()
            .map(|f| (f.rule.as_str(), f.problem.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("app", "line `Open in the App` was kept"),
                ("app", "line `Open in App` was removed"),
                ("sel", "selector matches the example"),
            ]
        );
    }

    proptest::proptest! {
        /// The range walk over lists of matching blocks removes what a walk over every block
        /// (the form it replaced) removes.
        #[test]
        fn ranges_agree_with_a_walk_over_every_block(
            n in 0usize..40,
            starts in proptest::collection::vec(proptest::prelude::any::<bool>(), 40),
            ends in proptest::collection::vec(proptest::prelude::any::<bool>(), 40),
            max_blocks in 0usize..8,
        ) {
            let (starts, ends) = (&starts[..n], &ends[..n]);
            let mut want = Vec::new();
            let mut i = 0;
            while i < n {
                if starts[i] {
                    let last = (i + max_blocks).min(n - 1);
                    if let Some(j) = (i + 1..=last).find(|&j| ends[j]) {
                        want.push((i, j));
                        i = j + 1;
                        continue;
                    }
                }
                i += 1;
            }
            let list = |flags: &[bool]| -> Vec<usize> { (0..n).filter(|&i| flags[i]).collect() };
            proptest::prop_assert_eq!(ranges(&list(starts), &list(ends), max_blocks, n), want);
        }
    }
}
