//! Main-region detection for text dumps: find the article by the shape of its lines.
//!
//! A flattened page is menus and link lists (many short lines without sentence punctuation),
//! then the article (a dense run of long, sentence-like lines with the language's function
//! words), then more lists and the footer. Each kept line gets a class and a score: prose scores
//! its word count, short lines and headline-like teasers a small penalty, chrome (URLs,
//! separators, all caps) a larger one, and module headings such as "Related articles" or
//! "Comments" a barrier-sized one. The article region is the run of lines with the highest total
//! score (maximum-sum subarray), so an isolated paragraph of chrome cannot win and short
//! subheadings inside the article are carried by the prose around them. Outside the region
//! everything is dropped; inside it, teasers and chrome lines are dropped and short lines are
//! kept when prose follows them (subheadings) or they end a sentence.
//!
//! Only blocks still kept get a verdict here: rule and dedup verdicts stand. Lines the rules
//! removed still take part in the region search, scored as chrome (or as the module headings
//! they are), because they show where the article is not.
//!
//! This runs on every line of every text document, so the work per line is kept small: each
//! line's words are read once, eight bytes at a time ([`LineWords::of`]), and the checks of
//! [`classify`] first try cheap byte tests that settle most lines before any regex, date
//! parser or Unicode table is consulted. Every such shortcut has a test comparing it with the
//! plain definition it stands for.
//!
//! Submodules: `line_class` (one line's class and score), `words` (the line-word scan and the
//! function-word table) and `tests`. This file holds the region search over a document.

use std::borrow::Cow;
use std::sync::LazyLock;

use fxhash::FxHashMap;
use regex::Regex;

use crate::model::{Decided, Verdict};
use crate::norm::{canonical, Canonicals};

mod line_class;
#[cfg(test)]
mod tests;
mod words;

use line_class::*;
pub use line_class::{classify, ends_sentence};
use words::*;
pub use words::{LineWords, Stopwords};

/// Reason for lines outside the article region.
pub const OUTSIDE: &str = "content.outside-article";
/// Reason for headline-like link teasers inside the region.
pub const TEASER: &str = "content.teaser";
/// Reason for chrome-like lines (URLs, separators, all caps) inside the region.
pub const CHROME: &str = "content.chrome";
/// Reason for short lines inside the region that do not introduce prose.
pub const SHORT: &str = "content.stray-short";

/// A line of at least this many words that ends a sentence is prose.
const PROSE_WORDS: usize = 8;
/// A line this long is prose even without final punctuation (a paragraph ending in a link).
const LONG_WORDS: usize = 25;
/// Function-word share (percent) a sentence needs to count as prose; a long line without final
/// punctuation needs more, because tag clouds and name lists are long too.
const SENTENCE_STOPWORDS: usize = 8;
const UNPUNCTUATED_STOPWORDS: usize = 15;
/// Prose needed before a comment marker counts as ending the article on its own; with comment
/// metadata ("… said:", "at 4:47 pm") right after it, less will do.
const MIN_ARTICLE_WORDS: usize = 150;
const MIN_ARTICLE_WORDS_WITH_COMMENTS: usize = 20;
/// Score of a chrome line.
const CHROME_SCORE: f32 = -6.0;
/// Factor for a prose line with no prose neighbour.
const ISOLATED_PROSE: f32 = 0.35;
/// Words allowed before a headline echo that is trusted outright.
const MAX_PROSE_BEFORE_ECHO: usize = 80;
/// Otherwise the echo must be nearly the whole headline, and the best run after the echo must
/// score a good share of the best run overall.
const LATE_ECHO_COVERAGE: f32 = 0.8;
const ECHO_SHARE: f32 = 0.5;
/// Extra score for the first paragraph after the headline.
const LEAD_BONUS: f32 = 40.0;
/// Prose score is capped so one huge block (a comment dump) does not outweigh a whole article.
const PROSE_CAP: f32 = 80.0;

/// How a line looks, before its position is considered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Sentence-like text of some length.
    Prose,
    /// A short line: subheading, byline, menu item, button.
    Short,
    /// A headline-like line without final punctuation: usually a link to another story.
    Teaser,
    /// Page chrome: URLs, handles, separators, all capitals, bare numbers.
    Chrome,
    /// A heading that opens a non-article module (related links, comments, most read).
    Barrier,
}

/// The class and region score of one line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Judgement {
    pub class: Class,
    pub score: f32,
    /// Word count (see [`word_count`]).
    pub words: usize,
}

/// Judges every kept block and drops those outside the article or unlike article text.
/// `forms`: the blocks' canonical forms (see [`Canonicals`]).
pub fn judge(decided: &mut [Decided], forms: &Canonicals) {
    if !decided.iter().any(Decided::is_kept) {
        return;
    }
    // Lines the rules removed still tell where the article is not: they take part in the
    // region search as chrome (or as the module headings they are), but keep their verdicts.
    let kept: Vec<usize> = (0..decided.len())
        .filter(|&i| match &decided[i].verdict {
            Verdict::Keep => true,
            Verdict::Drop(rule) => !rule.starts_with("content.") && !rule.starts_with("dedup."),
            Verdict::Meta(_) => false,
        })
        .collect();
    let texts: Vec<&str> = kept
        .iter()
        .map(|&i| decided[i].block.text.as_str())
        .collect();
    // Every line's words are looked at once; the language guess and the classes share it.
    let words: Vec<LineWords> = texts.iter().map(|t| LineWords::of(t)).collect();
    let stops = Stopwords::for_lines(
        kept.iter()
            .zip(&words)
            .filter(|&(&i, _)| decided[i].is_kept())
            .map(|(_, w)| w),
    );
    let mut judged: Vec<Judgement> = kept
        .iter()
        .zip(texts.iter().zip(&words))
        .map(|(&i, (text, line))| {
            let mut j = classify(text, line, &stops);
            if !decided[i].is_kept() && j.class != Class::Barrier {
                j.class = Class::Chrome;
                j.score = j.score.min(CHROME_SCORE);
            }
            j
        })
        .collect();
    let canon: Vec<Cow<str>> = kept
        .iter()
        .zip(&texts)
        .map(|(&i, t)| forms.get(i, t))
        .collect();
    demote_repeats(&canon, &mut judged);
    let mut scores: Vec<f32> = judged.iter().map(|j| j.score).collect();
    dampen_isolated_prose(&judged, &mut scores);
    // A flattened page usually starts with its `<title>`, which repeats the headline; the
    // article cannot start before the headline, and its first paragraph follows it closely.
    let from = match headline_echo(decided, &kept, &canon, &words, &judged) {
        None => 0,
        Some((k, prose_before, coverage)) => {
            // An echo after a good deal of prose may be a recipe card or a teaser repeating the
            // title; trust it only if it is the whole headline and what follows it holds a
            // comparable article.
            let after = best_run_scored(&scores[k + 1..]).map_or(0.0, |r| r.2);
            let overall = best_run_scored(&scores).map_or(0.0, |r| r.2);
            if prose_before <= MAX_PROSE_BEFORE_ECHO
                || (coverage >= LATE_ECHO_COVERAGE && after >= ECHO_SHARE * overall)
            {
                k + 1
            } else {
                0
            }
        }
    };
    if from > 0 {
        let end = (from + 6).min(judged.len());
        if let Some(p) = (from..end).find(|&k| judged[k].class == Class::Prose) {
            scores[p] += LEAD_BONUS;
        }
    }
    let limit = comment_limit(&texts, &judged).max(from);
    let Some((start, end)) = best_run(&scores[from..limit])
        .map(|(a, b)| (a + from, b + from))
        .or_else(|| best_run(&scores[from..]).map(|(a, b)| (a + from, b + from)))
        .or_else(|| best_run(&scores))
    else {
        return;
    };
    let list_end = trailing_list(&texts, &judged, end);
    for (k, &i) in kept.iter().enumerate() {
        if k > end && k <= list_end {
            // Part of a data list that continues the article (tour dates, results).
            decided[i].score = Some(scores[k]);
            continue;
        }
        if !decided[i].is_kept() {
            continue;
        }
        decided[i].score = Some(scores[k]);
        let reason = if k < start || k > end {
            Some(OUTSIDE)
        } else {
            match judged[k].class {
                Class::Prose => None,
                Class::Short
                    if introduces_prose(&judged[k + 1..=end])
                        || (ends_sentence(&decided[i].block.text)
                            && !decided[i].block.text.ends_with(':')) =>
                {
                    None
                }
                Class::Short => Some(SHORT),
                Class::Teaser => Some(TEASER),
                Class::Chrome | Class::Barrier => Some(CHROME),
            }
        };
        if let Some(r) = reason {
            decided[i].verdict = Verdict::Drop(r.into());
        }
    }
}

/// The kept index of the first line after the top one that the top line (a flattened
/// `<title>`) contains: the page's headline.
/// Returns the echo's kept index, the number of prose words before it, and how much of the
/// `<title>`'s headline part it covers.
fn headline_echo(
    decided: &[Decided],
    kept: &[usize],
    canon: &[Cow<str>],
    words: &[LineWords],
    judged: &[Judgement],
) -> Option<(usize, usize, f32)> {
    let top = canonical(&decided.first()?.block.text);
    // The headline part of a `<title>`: its longest piece between site-name separators.
    let headline_len = [" | ", " - ", " — ", " – ", " :: "]
        .iter()
        .fold(vec![top.as_str()], |parts, sep| {
            parts.iter().flat_map(|p| p.split(sep)).collect()
        })
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut prose_before = 0;
    for (k, &i) in kept.iter().enumerate() {
        let text = &decided[i].block.text;
        if i > 0
            && decided[i].is_kept()
            && words[k].words >= 3
            && !ends_sentence(text)
            // A needle longer than the haystack is not worth a substring searcher.
            && canon[k].len() <= top.len()
            && contains(top.as_bytes(), canon[k].as_bytes())
        {
            let coverage = canon[k].chars().count() as f32 / headline_len as f32;
            return Some((k, prose_before, coverage));
        }
        if decided[i].is_kept() && judged[k].class == Class::Prose {
            prose_before += judged[k].words;
        }
    }
    None
}

/// Whether `needle` occurs in `hay`: tried where its first byte occurs. The haystack is one
/// line (a `<title>`); a substring searcher costs more to set up than this whole search.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    match needle.first() {
        None => true,
        Some(&first) => memchr::memchr_iter(first, hay).any(|at| hay[at..].starts_with(needle)),
    }
}

/// Where the comment section starts: the first comment marker after enough prose (less when
/// comment metadata follows it). The whole input when there is none.
fn comment_limit(texts: &[&str], judged: &[Judgement]) -> usize {
    let mut prose_words = 0usize;
    for (k, (text, j)) in texts.iter().zip(judged).enumerate() {
        if j.class == Class::Prose {
            prose_words += j.words;
        }
        if prose_words >= MIN_ARTICLE_WORDS_WITH_COMMENTS && is_comment_marker(text) {
            let metadata_follows = texts[k + 1..]
                .iter()
                .take(6)
                .any(|t| COMMENT_META.is_match(t));
            if prose_words >= MIN_ARTICLE_WORDS || metadata_follows {
                return k;
            }
        }
    }
    texts.len()
}

/// Lines that frame a reader comment.
static COMMENT_META: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\b(said|says|wrote|replied)\s*:$)|(\bat\s+\d{1,2}:\d{2}\s*(am|pm)?(\s+said:?)?$)|^(reply|report|flag|like|\d+\s+(likes?|votes?|points?))$")
        .expect("valid regex")
});

/// Words in a line: its whitespace-separated words, plus one per two characters of scripts
/// written without spaces.
fn word_count(line: &LineWords) -> usize {
    line.words + line.dense / 2
}

/// Short lines that occur more than once (menus repeated in header and footer, author and date
/// lines of a teaser list) are chrome. `canon`: the lines' canonical forms.
fn demote_repeats(canon: &[Cow<str>], judged: &mut [Judgement]) {
    let demotable = |j: &Judgement| j.class != Class::Prose && j.class != Class::Barrier;
    // Only demotable lines' counts are read, and only a form of the same length can equal
    // one: a form is hashed only if a demotable form has its length and another form does
    // too (one slot per length; the longest lengths share the last one).
    const LENGTHS: usize = 512;
    let slot = |c: &str| c.len().min(LENGTHS - 1);
    let mut forms = [0u8; LENGTHS];
    let mut demotable_forms = [false; LENGTHS];
    for (c, j) in canon.iter().zip(judged.iter()) {
        forms[slot(c)] = forms[slot(c)].saturating_add(1);
        demotable_forms[slot(c)] |= demotable(j);
    }
    let mut counts: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(canon.len(), Default::default());
    for c in canon
        .iter()
        .filter(|c| forms[slot(c)] > 1 && demotable_forms[slot(c)])
    {
        *counts.entry(c.as_ref()).or_default() += 1;
    }
    for (c, j) in canon.iter().zip(judged.iter_mut()) {
        if demotable(j) && counts.get(c.as_ref()).is_some_and(|&n| n > 1) {
            j.class = Class::Chrome;
            j.score = j.score.min(CHROME_SCORE);
        }
    }
}

/// Article paragraphs come in runs; a lone paragraph between non-prose lines is more often a
/// teaser's summary, so it counts for less.
fn dampen_isolated_prose(judged: &[Judgement], scores: &mut [f32]) {
    let prose = |k: Option<&Judgement>| k.is_some_and(|j| j.class == Class::Prose);
    for k in 0..judged.len() {
        if judged[k].class == Class::Prose
            && !prose(k.checked_sub(1).and_then(|p| judged.get(p)))
            && !prose(judged.get(k + 1))
        {
            scores[k] *= ISOLATED_PROSE;
        }
    }
}

/// Articles often end with a data list (tour dates, results, schedules): short lines of
/// similar shape with figures in them, right after the last paragraph, perhaps under a heading;
/// or with a numbered list (a listicle's items).
/// Returns the index of the list's last line, or `end` when no such list follows.
fn trailing_list(texts: &[&str], judged: &[Judgement], end: usize) -> usize {
    const MIN_ITEMS: usize = 4;
    let item = |k: usize| {
        let j = &judged[k];
        (3..=20).contains(&j.words)
            && matches!(j.class, Class::Short | Class::Teaser)
            && texts[k].chars().any(|c| c.is_ascii_digit())
    };
    let mut k = end + 1;
    if k < judged.len() && judged[k].class == Class::Short && !item(k) {
        k += 1; // the list's heading
    }
    let first = k;
    while k < judged.len() && item(k) {
        k += 1;
    }
    if k - first >= MIN_ITEMS {
        return k - 1;
    }
    numbered_list(texts, judged, first).unwrap_or(end)
}

/// A numbered list starting at `first` ("1) …", "2. …"), each item possibly followed by a
/// line or two (a link, a price): the body of a listicle. Returns the index of its last line.
fn numbered_list(texts: &[&str], judged: &[Judgement], first: usize) -> Option<usize> {
    const MIN_ITEMS: u32 = 3;
    const MAX_GAP: usize = 2;
    let number = |t: &str| -> Option<u32> {
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let rest = t.get(digits.len()..)?;
        (!digits.is_empty()
            && digits.len() <= 3
            && (rest.starts_with(") ") || rest.starts_with(". ")))
        .then(|| digits.parse().ok())
        .flatten()
    };
    let mut expected = number(texts.get(first)?)?;
    let (mut last_item, mut items, mut k) = (first, 0u32, first);
    while k < texts.len() && k <= last_item + MAX_GAP + 1 {
        if judged[k].class == Class::Barrier {
            break;
        }
        if number(texts[k]) == Some(expected) {
            last_item = k;
            items += 1;
            expected += 1;
        }
        k += 1;
    }
    if items < MIN_ITEMS {
        return None;
    }
    // The last item's link or price line belongs to it.
    let tail = last_item + 1;
    let attached =
        tail < texts.len() && judged[tail].class == Class::Chrome && number(texts[tail]).is_none();
    Some(if attached { tail } else { last_item })
}

/// A short line is a subheading when prose follows within three lines (a caption or a photo
/// credit may sit between them).
fn introduces_prose(after: &[Judgement]) -> bool {
    after
        .iter()
        .take(3)
        .take_while(|j| j.class != Class::Barrier)
        .any(|j| j.class == Class::Prose)
}

/// The run of lines with the largest total score; `None` when no run scores above zero (a
/// document with no prose at all is left as the rules left it).
fn best_run(scores: &[f32]) -> Option<(usize, usize)> {
    best_run_scored(scores).map(|(a, b, _)| (a, b))
}

/// [`best_run`] with the run's total score.
fn best_run_scored(scores: &[f32]) -> Option<(usize, usize, f32)> {
    let (mut best, mut best_range) = (0.0f32, None);
    let (mut sum, mut start) = (0.0f32, 0);
    for (i, score) in scores.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += score;
        if sum > best {
            best = sum;
            best_range = Some((start, i, sum));
        }
    }
    best_range
}
