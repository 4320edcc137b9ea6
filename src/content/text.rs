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
//! Only blocks still kept are judged: rule and dedup verdicts stand.
//!
//! This runs on every line of every text document, so the work per line is kept small: each
//! line's words are read once, eight bytes at a time ([`LineWords::of`]), and the checks of
//! [`classify`] first try cheap byte tests that settle most lines before any regex, date
//! parser or Unicode table is consulted. Every such shortcut has a test comparing it with the
//! plain definition it stands for.

use std::borrow::Cow;
use std::sync::LazyLock;

use fxhash::FxHashMap;
use regex::Regex;

use crate::model::{Decided, Verdict};
use crate::norm::{canonical, Canonicals};
use crate::swar::{bytes_below, bytes_eq, bytes_in, splat, HIGH_BITS};

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

/// Classifies and scores one line; `line` is [`LineWords::of`] it.
pub fn classify(text: &str, line: &LineWords, stops: &Stopwords) -> Judgement {
    let n = word_count(line);
    let class = if is_barrier(text) {
        Class::Barrier
    } else if is_chrome(text, line) || is_word_list(text, n, line, stops) {
        Class::Chrome
    } else if n >= 5 && title_case_start(text, line.words) {
        // "Customers Leave Without Paying $690 Bill At Troy Steakhouse A party of six …": a
        // headline run into its summary, the shape of a teaser, however long.
        Class::Teaser
    } else if n >= PROSE_WORDS
        && ((ends_sentence(text) && stops.plausible(line, SENTENCE_STOPWORDS))
            || (n >= LONG_WORDS && stops.plausible(line, UNPUNCTUATED_STOPWORDS)))
    {
        Class::Prose
    } else if n >= PROSE_WORDS && !ends_sentence(text) {
        Class::Teaser
    } else if n >= PROSE_WORDS {
        // Sentence-shaped but without the language's function words: a list of names or tags.
        Class::Teaser
    } else {
        Class::Short
    };
    let score = match class {
        Class::Prose => (n as f32).min(PROSE_CAP),
        Class::Short => -3.0,
        Class::Teaser => -8.0,
        Class::Chrome => CHROME_SCORE,
        Class::Barrier => -30.0,
    };
    Judgement {
        class,
        score,
        words: n,
    }
}

/// Whether the line starts like a Title Case headline: the first words nearly all capitalised,
/// including a function word ("… Bill At Troy Steakhouse", "Death Of …"), which running prose
/// writes in lower case even when it is full of names.
/// `words`: the line's whitespace-separated words.
fn title_case_start(text: &str, words: usize) -> bool {
    const SPAN: usize = 8;
    // Five words with letters are needed: a shorter line (a run of CJK text is one word) is
    // settled before its first word is read.
    if words < 5 {
        return false;
    }
    // A word's first letter decides; `letter_case` knows most scripts' letters without the
    // Unicode tables.
    let capitalised = |w: &str| w.chars().find_map(letter_case) == Some(true);
    let mut first = [""; SPAN];
    let mut len = 0;
    let (mut head, mut caps) = (0, 0);
    for (slot, w) in first.iter_mut().zip(text.split_whitespace()) {
        *slot = w;
        len += 1;
        if let Some(upper) = w.chars().find_map(letter_case) {
            head += 1;
            caps += usize::from(upper);
            // `caps * 10 >= head * 8` below needs four capitalised words per other one, and
            // at most eight words count: a second word not capitalised settles it (running
            // prose gets here within a few words).
            if head - caps >= 2 {
                return false;
            }
        }
    }
    let first = &first[..len];
    // Most lines fail here, before the costlier function-word test.
    if head < 5 || caps * 10 < head * 8 {
        return false;
    }
    first.windows(2).any(|pair| {
        let (prev, w) = (pair[0], pair[1]);
        let after_break = prev.ends_with(['.', ':', '!', '?', '—', '–', '-', '|']);
        let bare = w.trim_matches(|c: char| letter_case(c).is_none());
        !after_break
            && capitalised(bare)
            && bare.chars().skip(1).all(char::is_lowercase)
            && is_english_function_word(bare)
    })
}

/// `EN.contains(&w.to_lowercase().as_str())` for a word that starts and ends with a letter
/// (as [`title_case_start`]'s are trimmed to), by the function-word table rather than a
/// lower-cased copy compared with every word of the list.
fn is_english_function_word(w: &str) -> bool {
    word_languages(w, 0, w.len()) & 1 << EN_LIST != 0
}

/// Headings and counters that open a comment section.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\W*(
            (\d+\s+)?(comments?|responses?|replies|reactions|thoughts\s+on\b.*)
          | (top\s+rated|view|show|load|read|see|hide|all|latest|reader)(\s+all)?\s+comments?
          | (leave|post|add|write|submit)\s+(a|your)\s+(comment|reply|response)
          | (join|start)\s+the\s+(conversation|discussion)
          | \d+\s+responses?\s+to\b.*
          | comments?\s+(are\s+closed|policy)
          | no\s+comments(\s+yet)?\b.*
        )\W*$",
    )
    .expect("valid regex")
});

/// Whether `text` is one of [`MARKER`]'s headings (and short enough to be one).
fn is_comment_marker(text: &str) -> bool {
    text.len() <= 120
        && may_start_comment_marker(text)
        && may_be_comment_marker(text)
        && MARKER.is_match(text)
}

/// Whether [`MARKER`] could match `text` by how it starts: the pattern is anchored, so after
/// the leading non-word characters comes a digit or the first word of one of its alternatives.
/// Most lines fail this on their first word. A line that starts (after ASCII punctuation) with
/// a non-ASCII character, or holds a long s (`ſ`, the one non-ASCII letter that folds to a letter
/// of those words), is left to the other checks.
fn may_start_comment_marker(text: &str) -> bool {
    const FIRST_WORDS: &[&[u8]] = &[
        b"comment",
        b"comments",
        b"response",
        b"responses",
        b"replies",
        b"reactions",
        b"thoughts",
        b"top",
        b"view",
        b"show",
        b"load",
        b"read",
        b"see",
        b"hide",
        b"all",
        b"latest",
        b"reader",
        b"leave",
        b"post",
        b"add",
        b"write",
        b"submit",
        b"join",
        b"start",
        b"no",
    ];
    let b = text.as_bytes();
    let Some(start) = b
        .iter()
        .position(|&c| !c.is_ascii() || c.is_ascii_alphanumeric() || c == b'_')
    else {
        return false;
    };
    if !b[start].is_ascii() || b[start].is_ascii_digit() || text.contains('\u{17f}') {
        return true;
    }
    let word = &b[start..];
    let len = word
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .unwrap_or(word.len());
    let word = &word[..len];
    FIRST_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether [`is_comment_marker`]'s pattern could match `text`: every alternative holds one of
/// these words (in any case), and the only non-ASCII letter that folds to one of their letters
/// is the long s. Most short lines fail this in one pass over their bytes, and the regex is
/// not run.
fn may_be_comment_marker(text: &str) -> bool {
    let b = text.as_bytes();
    // `| 0x20` maps exactly the ASCII letters onto their lower case among the letters.
    let at = |i: usize, word: &[u8]| {
        b.get(i..i + word.len())
            .is_some_and(|w| w.iter().zip(word).all(|(&x, &y)| x | 0x20 == y))
    };
    let word_at = |i: usize| match b[i] | 0x20 {
        // 0xC5, the long s's lead byte, with the 0x20 bit.
        0xE5 => b[i..].starts_with("ſ".as_bytes()),
        b'c' => at(i, b"comment") || at(i, b"conversation"),
        b'r' => at(i, b"respons") || at(i, b"repl") || at(i, b"reaction"),
        b't' => at(i, b"thoughts"),
        b'd' => at(i, b"discussion"),
        _ => false,
    };
    // The words' first letters, and the long s's lead byte (0xC5), are found eight bytes at a
    // time.
    let starts = |at: usize| {
        let x = load8(b, at, 0);
        let y = x | splat(0x20);
        bytes_eq(y, b'c')
            | bytes_eq(y, b'r')
            | bytes_eq(y, b't')
            | bytes_eq(y, b'd')
            | bytes_eq(x, 0xC5)
    };
    (0..b.len()).step_by(8).any(|chunk| {
        let mut found = starts(chunk);
        while found != 0 {
            let i = chunk + (found.trailing_zeros() / 8) as usize;
            found &= found - 1;
            if i < b.len() && word_at(i) {
                return true;
            }
        }
        false
    })
}

/// Final punctuation of a sentence, allowing closing quotes and brackets after it.
pub fn ends_sentence(text: &str) -> bool {
    text.chars()
        .rev()
        .find(|c| !matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*'))
        .is_some_and(|c| matches!(c, '.' | '!' | '?' | '…' | ':' | ';' | '。' | '！' | '？'))
}

/// A long line with no punctuation and few function words is a tag cloud or a menu flattened
/// onto one line: running prose of that length has commas, full stops or at least the
/// language's small words (a bullet point without a final stop still has them).
fn is_word_list(text: &str, n: usize, line: &LineWords, stops: &Stopwords) -> bool {
    // The function-word test is one comparison; the punctuation scan reads the line.
    n >= 20 && !stops.plausible(line, UNPUNCTUATED_STOPWORDS) && !has_clause_punctuation(text)
}

/// Whether `text` holds one of `.`, `,`, `;`, `:`, `!`, `?`, `。`, `、`, `，`: bytewise, and the
/// CJK marks only where their lead bytes (0xE3, 0xEF) are.
fn has_clause_punctuation(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter()
        .any(|c| matches!(c, b'.' | b',' | b';' | b':' | b'!' | b'?'))
        || memchr::memchr2_iter(0xE3, 0xEF, b).any(|at| {
            text.get(at..)
                .is_some_and(|t| t.starts_with(['。', '、', '，']))
        })
}

/// Whether [`COMMENT_META`] could match `text`: its first two alternatives need a `:`, the
/// third starts with `r`, `f` or `l` (no other letter folds to those) or a digit. Most lines
/// fail this, and the regex, whose Unicode `\b` needs a slow engine on non-ASCII text, is then
/// not run.
fn may_be_comment_meta(text: &str) -> bool {
    text.contains(':')
        || text
            .chars()
            .next()
            .is_some_and(|c| matches!(c, 'r' | 'R' | 'f' | 'F' | 'l' | 'L') || c.is_numeric())
}

/// `COMMENT_META.is_match(text)`. Its first two alternatives need a `:`; without one, an ASCII
/// line can only match the last, a whole-line counter or button, which is checked directly.
fn is_comment_meta(text: &str) -> bool {
    if text.contains(':') || !text.is_ascii() {
        // Every match ends the line: with a `:`, a digit, whitespace, `am`, `pm` or `said`, or
        // one of the last alternative's words (`s` also folds from a long s).
        let ends_like_one = text
            .chars()
            .next_back()
            .is_some_and(|c| ":mMdDyYtTgGeEsSſ".contains(c) || c.is_whitespace() || c.is_numeric());
        return ends_like_one && may_be_comment_meta(text) && COMMENT_META.is_match(text);
    }
    let b = text.as_bytes();
    let one_of = |w: &[u8], words: &[&[u8]]| words.iter().any(|x| w.eq_ignore_ascii_case(x));
    if one_of(b, &[b"reply", b"report", b"flag", b"like"]) {
        return true;
    }
    // `\d+\s+(likes?|votes?|points?)`: an ASCII line's digits and whitespace are ASCII ones.
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = &b[digits..];
    let spaces = rest.iter().take_while(|&&c| is_ascii_space(c)).count();
    digits > 0
        && spaces > 0
        && one_of(
            &rest[spaces..],
            &[b"like", b"likes", b"vote", b"votes", b"point", b"points"],
        )
}

fn is_chrome(text: &str, line: &LineWords) -> bool {
    let words = line.words;
    if words <= 12 && is_comment_meta(text) {
        return true;
    }
    // A bare timestamp ("19 Nov 2019 05:44 GMT") inside the text is a teaser's or a widget's.
    // The cheap test first: most short lines that end a sentence skip the date regexes.
    if words <= 8 && !ends_sentence(text) && crate::metadata::parse_date(text).is_some() {
        return true;
    }
    if has_url(text) {
        return words < 12;
    }
    if line.tagged * 3 > words.max(1) {
        return true;
    }
    if words < 20 && line.separator {
        return true;
    }
    // A line without letters is chrome. Shouting lines of some length are menus ("NEWS SPORT
    // WEATHER") or banners; short ones may be subheadings and are judged by what follows them.
    shouting(text, words > 8)
}

/// `letters == 0 || (long && letters >= 6 && upper * 10 >= letters * 8)` over the line's
/// letters, stopping as soon as the answer is known: at the first letter of a short line, and
/// in a long one once lower case letters outnumber what the rest of the line could outweigh.
fn shouting(text: &str, long: bool) -> bool {
    let b = text.as_bytes();
    let (mut lower, mut upper) = (0usize, 0usize);
    let mut at = 0;
    while at < b.len() {
        // Eight ASCII bytes are counted at once.
        let ascii8 = b
            .get(at..at + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map(u64::from_le_bytes)
            .filter(|x| x & HIGH_BITS == 0);
        if let Some(x) = ascii8 {
            at += 8;
            let capitals = bytes_in(x, b'A', b'Z').count_ones() as usize;
            let letters = bytes_in(x | splat(0x20), b'a', b'z').count_ones() as usize;
            if letters == 0 {
                continue;
            }
            if !long {
                return false;
            }
            upper += capitals;
            lower += letters - capitals;
        } else {
            let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            at += c.len_utf8();
            let Some(is_upper) = letter_case(c) else {
                continue;
            };
            if !long {
                return false;
            }
            if is_upper {
                upper += 1;
            } else {
                lower += 1;
            }
        }
        // Upper case must end at four times the lower case or more; the rest of the line adds
        // at most one letter per byte.
        if upper + (b.len() - at) < 4 * lower {
            return false;
        }
    }
    let letters = lower + upper;
    letters == 0 || (long && letters >= 6 && upper * 10 >= letters * 8)
}

/// Whether `text` holds `http://`, `https://` or `www.` in any ASCII case.
fn has_url(text: &str) -> bool {
    let b = text.as_bytes();
    let before = |at: usize, word: &[u8]| {
        at.checked_sub(word.len())
            .is_some_and(|from| b[from..at].eq_ignore_ascii_case(word))
    };
    // Colons are rare in prose: each one is checked for the `//` after it, rather than
    // building a substring searcher for every line.
    memchr::memchr2_iter(b':', b'.', b).any(|at| {
        if b[at] == b'.' {
            before(at, b"www")
        } else {
            b[at + 1..].starts_with(b"//") && (before(at, b"http") || before(at, b"https"))
        }
    })
}

/// For a letter, whether it is upper case; `None` for other characters. The scripts most dumps
/// are in (Latin-1, basic Cyrillic, Hangul, CJK) are answered without the Unicode tables.
fn letter_case(c: char) -> Option<bool> {
    match c {
        'a'..='z' | 'ß'..='ö' | 'ø'..='ÿ' | '\u{430}'..='\u{45f}' => Some(false),
        // Hangul syllables and CJK ideographs: letters without case.
        '\u{ac00}'..='\u{d7a3}' | '\u{4e00}'..='\u{9fff}' => Some(false),
        'A'..='Z' | 'À'..='Ö' | 'Ø'..='Þ' | '\u{400}'..='\u{42f}' => Some(true),
        c if c.is_ascii() => None,
        c => c.is_alphabetic().then(|| c.is_uppercase()),
    }
}

/// Headings of the modules around an article, lower case.
const BARRIERS: &[&str] = &[
    "related",
    "related articles",
    "related stories",
    "related news",
    "related posts",
    "related content",
    "related coverage",
    "read more",
    "more stories",
    "more from",
    "most read",
    "most popular",
    "most viewed",
    "trending",
    "trending now",
    "popular",
    "recommended",
    "recommended for you",
    "you may also like",
    "you might also like",
    "comments",
    "leave a comment",
    "leave a reply",
    "post a comment",
    "join the conversation",
    "latest videos",
    "latest news",
    "latest stories",
    "top stories",
    "more on this story",
    "sponsored",
    "sponsored content",
    "promoted stories",
    "around the web",
    "don't miss",
    "editor's picks",
    "what to read next",
    "read next",
    "up next",
    "also read",
    "see also",
    "newsletter",
    "sign up for our newsletter",
    "related links",
    "trending news",
    "breaking news emails",
    "more news",
    "latest",
    "share this article",
    "share this story",
    "you may like",
    "you might like",
    "more like this",
    "related posts",
    "similar articles",
    // Portuguese, Spanish, French, German, Italian, Dutch.
    "você pode gostar",
    "veja também",
    "leia também",
    "leia mais",
    "relacionados",
    "comentários",
    "te puede interesar",
    "también te puede interesar",
    "noticias relacionadas",
    "lee también",
    "comentarios",
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "vous aimerez aussi",
    "commentaires",
    "das könnte sie auch interessieren",
    "mehr zum thema",
    "weitere artikel",
    "kommentare",
    "potrebbe interessarti",
    "leggi anche",
    "articoli correlati",
    "commenti",
    "lees ook",
    "gerelateerde artikelen",
    "reacties",
];

fn is_barrier(text: &str) -> bool {
    const MAX: usize = 40;
    let core = text
        .trim_end_matches([':', '.', '!', '…'])
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    // Lower-casing shrinks a string at most threefold (`K`, the Kelvin sign, is three bytes,
    // `k` one), so a longer line cannot come down to 40 bytes: skip copying it. ASCII keeps its
    // length and is lower-cased on the stack.
    // Compared as bytes: an ASCII line is lower-cased on the stack with no UTF-8 check to pay.
    if core.len() > 3 * MAX {
        return false;
    }
    // Every heading has an ASCII letter, and lower-casing makes one only of an ASCII letter, the
    // Kelvin sign or a dotted capital I (`barrier_headings_need_an_ascii_letter`): lines of
    // other scripts are not lower-cased.
    if !core.bytes().any(|b| b.is_ascii_alphabetic()) && !core.contains(['\u{212A}', '\u{130}']) {
        return false;
    }
    let mut buf = [0u8; MAX];
    let owned: String;
    let t: &[u8] = if core.is_ascii() {
        if core.len() > MAX {
            return false;
        }
        owned = String::new();
        let lower = &mut buf[..core.len()];
        lower.copy_from_slice(core.as_bytes());
        lower.make_ascii_lowercase();
        lower
    } else {
        // Every character lower-cases to at least one byte: more characters than a heading
        // has bytes cannot make one, and are not lower-cased.
        if core.chars().count() > MAX {
            return false;
        }
        owned = core.to_lowercase();
        owned.as_bytes()
    };
    // "More Washington Examiner", "More from CNN": the heading of a teaser list. (An ASCII
    // line splits on the same whitespace bytewise.)
    let words = || {
        if owned.is_empty() {
            t.split(|&c| is_ascii_space(c))
                .filter(|w| !w.is_empty())
                .count()
        } else {
            owned.split_whitespace().count()
        }
    };
    let more_from = t.starts_with(b"more ") && words() <= 5;
    static SET: LazyLock<fxhash::FxHashSet<&'static [u8]>> =
        LazyLock::new(|| BARRIERS.iter().map(|b| b.as_bytes()).collect());
    t.len() <= MAX && (SET.contains(t) || more_from || t.ends_with(b" comments") || t == b"comment")
}

/// Function words of a few languages; a prose line in a known language contains some.
pub struct Stopwords {
    /// Index into [`LANGS`].
    list: Option<usize>,
}

/// What the content heuristics need to know about a line's words, found in one pass over them.
#[derive(Clone, Copy, Debug, Default)]
pub struct LineWords {
    /// Whitespace-separated words.
    pub words: usize,
    /// Words starting with `@` or `#` (handles, hashtags).
    pub tagged: usize,
    /// Per language of [`LANGS`], how many words are its function words.
    hits: [u32; LANGS.len()],
    /// Characters of scripts written without spaces (kana, CJK ideographs).
    dense: usize,
    /// Whether the line holds a separator menus and breadcrumbs are joined with: `|`, `•`,
    /// `·`, `»`, `›`.
    separator: bool,
}

/// The low `n` bytes of a `u64` (`n <= 8`).
fn low_bytes(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0)
}

/// The bytes of eight that [`LineWords::of`] must look at (top bit set): those up to 0x20
/// (ASCII whitespace is among them), and the lead bytes of characters that may be whitespace or
/// of a dense script (0xC2, 0xE1..=0xE9). Every other byte is inside a word.
fn boundary_candidates(x: u64) -> u64 {
    let high = x & HIGH_BITS;
    let low7 = x & !HIGH_BITS;
    let control = bytes_below(x, 0x21);
    // Among bytes of 0x80 and above, their low seven bits: 0x42 for 0xC2, 0x61..=0x69 for
    // 0xE1..=0xE9.
    let c2 = !(low7 ^ splat(0x42)).wrapping_add(splat(0x7F)) & HIGH_BITS;
    let wide = high & (c2 | bytes_in(low7, 0x61, 0x69));
    control | wide
}

/// The bytes `text[at..at + 8]`, little-endian, with those past `text`'s end read as `pad`.
fn load8(b: &[u8], at: usize, pad: u8) -> u64 {
    let read = |at: usize| {
        b.get(at..at + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map(u64::from_le_bytes)
    };
    match read(at) {
        Some(x) => x,
        // Near the end of a line of eight bytes or more: its last eight, shifted down.
        None if at < b.len() && b.len() >= 8 => {
            let last = b.len() - 8;
            let tail = read(last).unwrap_or_default() >> (8 * (at - last));
            tail | (splat(pad) & !low_bytes(b.len() - at))
        }
        None => load_short(b.get(at..).unwrap_or_default(), pad),
    }
}

/// [`load8`] of a line shorter than eight bytes: out of line, so that the common paths need no
/// `memcpy` call and no registers saved for it.
#[cold]
#[inline(never)]
fn load_short(rest: &[u8], pad: u8) -> u64 {
    let mut buf = [pad; 8];
    for (slot, &c) in buf.iter_mut().zip(rest) {
        *slot = c;
    }
    u64::from_le_bytes(buf)
}

/// The `len` (at most eight) bytes of `b` from `at` on, little-endian, zero-padded.
fn load_word(b: &[u8], at: usize, len: usize) -> u64 {
    load8(b, at, 0) & low_bytes(len)
}

impl LineWords {
    /// One pass over the line's bytes, eight at a time: only bytes that may start whitespace
    /// (see [`boundary_candidates`]) are looked at one by one, and of the non-ASCII ones, only
    /// characters whose lead byte says they could be whitespace (U+0085, U+00A0, U+1680,
    /// U+2000..=U+205F, U+3000) or a dense-script character are decoded. Words therefore split
    /// exactly as `split_whitespace` splits them. Each word is then looked up as a function word
    /// ([`word_languages`]).
    pub fn of(text: &str) -> LineWords {
        let mut line = LineWords::default();
        let b = text.as_bytes();
        // Where the word being read starts: just after the last whitespace.
        let mut begin = 0;
        let mut at = 0;
        let mut bars = 0;
        while at < b.len() {
            // Padding with a letter adds no candidates.
            let x = load8(b, at, b'x');
            bars |= bytes_eq(x, b'|');
            let mut candidates = boundary_candidates(x);
            while candidates != 0 {
                let i = at + (candidates.trailing_zeros() / 8) as usize;
                candidates &= candidates - 1;
                let end = match b[i] {
                    c if c < 0x80 => {
                        if !is_ascii_space(c) {
                            continue;
                        }
                        i + 1
                    }
                    _ => {
                        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                            continue;
                        };
                        line.dense += usize::from(
                            matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'),
                        );
                        // The other separators start with the candidates' lead bytes too.
                        line.separator |= matches!(c, '•' | '·' | '»' | '›');
                        if !c.is_whitespace() {
                            continue;
                        }
                        i + c.len_utf8()
                    }
                };
                if i > begin {
                    line.add_word(text, begin, i);
                }
                begin = end;
            }
            at += 8;
        }
        if b.len() > begin {
            line.add_word(text, begin, b.len());
        }
        line.separator |= bars != 0;
        line
    }

    /// Counts the word `text[start..end]`; inlined into the scan, which calls it for every word.
    #[inline(always)]
    fn add_word(&mut self, text: &str, start: usize, end: usize) {
        let b = text.as_bytes();
        self.words += 1;
        self.tagged += usize::from(matches!(b[start], b'@' | b'#'));
        // Every word adds its languages' bits to the counts without a branch on them: which
        // words are function words is as unpredictable as the text.
        let langs = word_languages(text, start, end);
        for (i, h) in self.hits.iter_mut().enumerate() {
            *h += u32::from(langs >> i & 1);
        }
    }

    #[cfg(test)]
    fn add(&mut self, word: &[u8], langs: u8) {
        self.words += 1;
        self.tagged += usize::from(matches!(word.first(), Some(b'@' | b'#')));
        for (i, h) in self.hits.iter_mut().enumerate() {
            *h += u32::from((langs >> i) & 1);
        }
    }
}

/// [`function_word_languages`] of the word `text[start..end]`, with fast answers for most
/// words: an ASCII word of at most [`KEY_BYTES`] bytes is trimmed, lower-cased and keyed eight
/// bytes at a time. No spelling of a function word is longer than that (see the
/// `longer_words_are_no_function_words` test), and trimming keeps every alphanumeric
/// character, so a word with two alphanumeric ASCII bytes more than that apart is none; nor is
/// a word with none of the bytes every spelling holds one of (see
/// `function_words_need_these_bytes`).
#[inline(always)]
fn word_languages(text: &str, start: usize, end: usize) -> u8 {
    let b = text.as_bytes();
    let len = end - start;
    if len <= KEY_BYTES {
        let x = load_word(b, start, len);
        if x & HIGH_BITS == 0 {
            return ascii_key_languages(x);
        }
    } else if (b[start].is_ascii_alphanumeric() && b[start + KEY_BYTES].is_ascii_alphanumeric())
        || (b[end - 1].is_ascii_alphanumeric() && b[end - 1 - KEY_BYTES].is_ascii_alphanumeric())
    {
        return 0;
    }
    other_word_languages(text, start, end)
}

/// [`word_languages`] of the words its fast answers do not cover (non-ASCII ones, long ones
/// with punctuation). Kept out of line so that the common path stays small.
#[inline(never)]
fn other_word_languages(text: &str, start: usize, end: usize) -> u8 {
    let Some(w) = text.get(start..end) else {
        return 0;
    };
    // A word of another script is settled by its first letter, which trimming keeps and which
    // lower-cases to none of the function words' characters (see
    // `other_scripts_spell_no_function_word`).
    if w.chars().next().is_some_and(is_other_script_letter) {
        return 0;
    }
    if !w.bytes().any(may_spell_function_word) {
        return 0;
    }
    latin1_word_languages(w.as_bytes()).unwrap_or_else(|| function_word_languages(w))
}

/// [`function_word_languages`] of a word whose letters are ASCII or Latin-1 (the accented
/// function words of the Romance languages and German), lower-cased bytewise: a Latin-1 letter
/// is 0xC3 and a byte, and its capitals (0x80..=0x9E but ×, 0x97) lower-case by adding 0x20 to
/// that byte. Curly apostrophes inside words ("don’t") are common too. `None` for words with
/// other characters, which take the general path.
fn latin1_word_languages(w: &[u8]) -> Option<u8> {
    let kept = |c: &u8| c.is_ascii_alphanumeric() || *c >= 0x80;
    // ASCII punctuation around the word is trimmed. What is left is the trimmed word only if
    // it starts and ends with a letter or digit: a non-ASCII character there may be
    // punctuation that the general path trims.
    let Some(first) = w.iter().position(kept) else {
        return Some(0);
    };
    let last = w.iter().rposition(kept).unwrap_or(first);
    let core = &w[first..=last];
    let latin1_letter = |c: &u8| matches!(c, 0x80..=0x96 | 0x98..=0xB6 | 0xB8..=0xBF);
    let starts_with_letter = match core {
        [c, ..] if c.is_ascii_alphanumeric() => true,
        [0xC3, c, ..] => latin1_letter(c),
        _ => false,
    };
    let ends_with_letter = match core {
        [.., c] if c.is_ascii_alphanumeric() => true,
        [.., 0xC3, c] => latin1_letter(c),
        _ => false,
    };
    if !starts_with_letter || !ends_with_letter {
        return None;
    }
    if core.len() > MAX_FUNCTION_WORD {
        return Some(0);
    }
    let mut key = 0u64;
    let mut len = 0;
    let mut i = 0;
    while i < core.len() {
        let (byte, width) = match core[i] {
            c if c.is_ascii_alphanumeric() => (c.to_ascii_lowercase(), 1),
            0xC3 => match core.get(i + 1) {
                Some(&c @ 0x80..=0x9E) if c != 0x97 => (c + 0x20, 2),
                Some(&c @ (0x9F..=0xB6 | 0xB8..=0xBF)) => (c, 2),
                _ => return None,
            },
            // Inside the word, punctuation of U+2000..=U+203F (a curly apostrophe) stays as it
            // is; at its start it would be trimmed, which the general path does.
            0xE2 if i > 0 && core.get(i + 1) == Some(&0x80) && i + 2 < core.len() => {
                (core[i + 2], 3)
            }
            _ => return None,
        };
        for &lead in &core[i..i + width - 1] {
            if len >= KEY_BYTES {
                return Some(0);
            }
            key |= u64::from(lead) << (8 * len);
            len += 1;
        }
        if len >= KEY_BYTES {
            return Some(0);
        }
        key |= u64::from(byte) << (8 * len);
        len += 1;
        i += width;
    }
    Some(languages_of_key(key))
}

/// Letters of Cyrillic, kana, CJK ideographs and Hangul syllables.
fn is_other_script_letter(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{481}' | '\u{48a}'..='\u{4ff}' | '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30fa}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}')
}

/// Whether a byte is one that any spelling of a function word (any case) holds at least one of:
/// ASCII letters and digits, the lead byte of Latin-1 letters (0xC3) and that of the Kelvin
/// sign (0xE2), which lower-cases to `k`.
fn may_spell_function_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == 0xC3 || b == 0xE2
}

/// [`function_word_languages`] of an ASCII word of at most [`KEY_BYTES`] bytes, given as a
/// little-endian `u64` padded with zero bytes: trimmed to its first and last alphanumeric
/// byte and lower-cased, all eight bytes at once.
fn ascii_key_languages(x: u64) -> u8 {
    let alnum = bytes_in(x, b'0', b'9') | bytes_in(x | splat(0x20), b'a', b'z');
    if alnum == 0 {
        return 0;
    }
    let first = (alnum.trailing_zeros() / 8) as usize;
    let last = ((63 - alnum.leading_zeros()) / 8) as usize;
    // Upper-case letters get the 0x20 bit, which is what `to_ascii_lowercase` adds.
    let lower = x | (bytes_in(x, b'A', b'Z') >> 2);
    languages_of_key((lower >> (8 * first)) & low_bytes(last - first + 1))
}

/// The ASCII characters `char::is_whitespace` accepts: tab, line feed, vertical tab, form feed,
/// carriage return and space.
fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (9..=13).contains(&b)
}

/// `c.is_alphanumeric()`, without the Unicode tables for Latin-1 and basic Cyrillic letters
/// (trimming a word of those scripts asks about its first and last letter).
fn is_alphanumeric(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | 'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ' => true,
        '\u{400}'..='\u{45f}' => true,
        c => c.is_alphanumeric(),
    }
}

/// [`languages_of`] a word as it stands in a line (any case, punctuation around it). Runs for
/// every word of every line, so words are trimmed and lower-cased on the stack, and a word
/// longer than any function word is not lower-cased at all.
fn function_word_languages(w: &str) -> u8 {
    // Trimming ASCII punctuation bytewise first, then whatever non-ASCII is left, trims the
    // same characters as one `trim_matches`.
    let w = w.trim_matches(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric());
    let w = if w.starts_with(|c: char| !c.is_ascii()) || w.ends_with(|c: char| !c.is_ascii()) {
        w.trim_matches(|c: char| !is_alphanumeric(c))
    } else {
        w
    };
    if w.len() > MAX_FUNCTION_WORD {
        return 0;
    }
    let mut buf = [0u8; KEY_BYTES];
    let mut len = 0;
    if w.is_ascii() {
        let Some(lower) = buf.get_mut(..w.len()) else {
            return 0;
        };
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        len = w.len();
    } else {
        // Per character lower-casing differs from `str::to_lowercase` only for a final capital
        // sigma, and no function word holds a sigma in either form.
        for c in w.chars().flat_map(char::to_lowercase) {
            let Some(slot) = buf.get_mut(len..len + c.len_utf8()) else {
                return 0;
            };
            c.encode_utf8(slot);
            len += c.len_utf8();
        }
    }
    languages_of(&buf[..len])
}

/// Longer (in bytes) than any word of the function-word lists, in any case.
const MAX_FUNCTION_WORD: usize = 16;
/// At least as long (in bytes) as every lower-case function word: each fits one `u64` key.
const KEY_BYTES: usize = 8;

/// A lower-case word of at most [`KEY_BYTES`] bytes as one integer (zero-padded; a word never
/// ends in a zero byte, so no two words share a key).
fn key(word: &[u8]) -> Option<u64> {
    let mut buf = [0u8; KEY_BYTES];
    buf.get_mut(..word.len())?.copy_from_slice(word);
    Some(u64::from_le_bytes(buf))
}

/// The languages (bit `i` for `LANGS[i]`) whose function-word list holds the lower-case
/// `word`: one look-up in a small open-addressing table instead of a scan of every list (it
/// runs for nearly every word of every line).
fn languages_of(word: &[u8]) -> u8 {
    key(word).map_or(0, languages_of_key)
}

/// Every function word's languages, by [`key`]; built by the compiler, so looking a word up
/// costs no check of whether the table is ready.
static INDEX: WordTable = WordTable::build();

/// [`languages_of`] the word whose [`key`] is `k`: the four slots of its bucket are compared
/// at once, so the look-up has no branch that depends on the word.
fn languages_of_key(k: u64) -> u8 {
    let bucket = WordTable::bucket(k);
    let (keys, langs) = (&INDEX.keys[bucket], &INDEX.langs[bucket]);
    let mut found = 0;
    for (&key, &l) in keys.iter().zip(langs) {
        found |= if key == k { l } else { 0 };
    }
    found
}

/// Buckets of [`WordTable`]: one per value of a `u8`, so a bucket number needs no bounds check.
const WORD_BUCKETS: usize = 256;
/// Slots per bucket. The function words fill at most four of any bucket under the table's hash
/// (the table is built by the compiler, which refuses a fuller bucket).
const WORD_WAYS: usize = 4;

/// Function-word keys (see [`key`]; 0 marks a free slot, which no word's key is) with their
/// language bits, each in the bucket of its multiplicative hash.
struct WordTable {
    keys: [[u64; WORD_WAYS]; WORD_BUCKETS],
    langs: [[u8; WORD_WAYS]; WORD_BUCKETS],
}

impl WordTable {
    /// The table of every word of [`LANGS`] ([`key`], spelled out for a `const fn`).
    const fn build() -> WordTable {
        let mut index = WordTable {
            keys: [[0; WORD_WAYS]; WORD_BUCKETS],
            langs: [[0; WORD_WAYS]; WORD_BUCKETS],
        };
        let mut lang = 0;
        while lang < LANGS.len() {
            let list = LANGS[lang];
            let mut n = 0;
            while n < list.len() {
                let w = list[n].as_bytes();
                // Every function word fits (`function_words_fit_the_stack_buffer`).
                if w.len() <= KEY_BYTES {
                    let mut k = 0u64;
                    let mut i = 0;
                    while i < w.len() {
                        k |= (w[i] as u64) << (8 * i);
                        i += 1;
                    }
                    let bucket = WordTable::bucket(k);
                    let mut slot = 0;
                    while index.keys[bucket][slot] != 0 && index.keys[bucket][slot] != k {
                        slot += 1;
                        // A compile-time error: a new word needs a bigger table or another
                        // multiplier.
                        assert!(slot < WORD_WAYS, "a function-word bucket overflows");
                    }
                    index.keys[bucket][slot] = k;
                    index.langs[bucket][slot] |= 1 << lang;
                }
                n += 1;
            }
            lang += 1;
        }
        index
    }

    /// The bucket of key `k`: the top byte of a multiplicative hash.
    const fn bucket(k: u64) -> usize {
        (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8 as usize
    }
}

const EN: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its",
    "that", "this", "these", "those", "he", "she", "they", "we", "you", "i", "his", "her", "their",
    "our", "not", "will", "would", "can", "could", "said", "which", "who", "than", "there", "into",
    "about", "after", "also", "more", "if", "when", "what", "so", "do", "does",
];
const ES: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "en", "con", "por", "para",
    "que", "es", "son", "fue", "se", "su", "sus", "al", "lo", "como", "más", "pero", "no", "ha",
    "este", "esta", "sobre", "entre",
];
const PT: &[&str] = &[
    "o", "a", "os", "as", "um", "uma", "e", "ou", "de", "do", "da", "dos", "das", "em", "no", "na",
    "nos", "nas", "com", "por", "para", "que", "é", "foi", "se", "seu", "sua", "ao", "como",
    "mais", "mas", "não", "pelo", "pela",
];
const FR: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "et", "ou", "de", "du", "en", "dans", "avec", "par",
    "pour", "que", "qui", "est", "sont", "été", "se", "sa", "son", "ses", "au", "aux", "ce",
    "cette", "plus", "mais", "ne", "pas", "sur", "il", "elle",
];
const DE: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "und", "oder", "von", "zu", "im",
    "in", "mit", "auf", "für", "ist", "sind", "war", "wurde", "sich", "sein", "nicht", "auch",
    "als", "wie", "bei", "nach", "es", "er", "sie", "dass",
];
const IT: &[&str] = &[
    "il", "lo", "la", "i", "gli", "le", "un", "una", "e", "o", "di", "del", "della", "in", "con",
    "per", "che", "è", "sono", "era", "si", "suo", "sua", "al", "come", "più", "ma", "non", "nel",
    "nella", "da",
];
const NL: &[&str] = &[
    "de", "het", "een", "en", "of", "van", "in", "op", "met", "voor", "dat", "die", "is", "zijn",
    "was", "werd", "zich", "niet", "ook", "als", "bij", "naar", "er", "hij", "zij", "aan",
];
const LANGS: &[&[&str]] = &[EN, ES, PT, FR, DE, IT, NL];
/// The index of [`EN`] in [`LANGS`].
const EN_LIST: usize = 0;

impl Stopwords {
    /// Picks the language list that covers the text (its lines' [`LineWords`]) best; none if
    /// no list covers at least a tenth of its words (another script or language: the signal is
    /// then not used).
    pub fn for_lines<'a>(lines: impl Iterator<Item = &'a LineWords>) -> Stopwords {
        let mut hits = [0usize; LANGS.len()];
        let mut total = 0usize;
        for line in lines {
            total += line.words;
            for (h, &n) in hits.iter_mut().zip(&line.hits) {
                *h += n as usize;
            }
        }
        let best = (0..LANGS.len()).max_by_key(|&i| hits[i]);
        Stopwords {
            list: best.filter(|&i| hits[i] * 10 >= total.max(1)),
        }
    }

    /// Whether a line has the function-word density of running text (always true when no
    /// language list applies).
    pub fn plausible(&self, line: &LineWords, percent: usize) -> bool {
        let Some(lang) = self.list else { return true };
        line.hits[lang] as usize * 100 >= line.words * percent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text;
    use proptest::prelude::*;

    #[test]
    fn function_words_fit_the_stack_buffer() {
        for w in LANGS.iter().flat_map(|l| l.iter()) {
            assert!(
                w.len() <= KEY_BYTES && w.to_uppercase().len() <= MAX_FUNCTION_WORD,
                "{w}"
            );
            assert_ne!(languages_of(w.as_bytes()), 0);
            for form in [
                format!("«{}»,", w.to_uppercase()),
                w.to_uppercase(),
                w.to_string(),
            ] {
                assert_eq!(function_word_languages(&form), languages_of(w.as_bytes()));
                assert_eq!(
                    word_languages(&form, 0, form.len()),
                    languages_of(w.as_bytes())
                );
            }
        }
        assert_eq!(
            function_word_languages("\u{130}N"),
            0,
            "İ lower-cases to two characters"
        );
        assert_eq!(function_word_languages("Straße"), 0);
        for w in [
            "The",
            "(of",
            "\"and\",",
            "x",
            "--",
            "Über",
            "a.b",
            "thereafter",
            "(thereof)",
            "«the»",
            "O\u{212A}",
            "OO\u{212A}",
        ] {
            assert_eq!(
                word_languages(w, 0, w.len()),
                function_word_languages(w),
                "{w}"
            );
        }
    }

    #[test]
    fn english_function_words_by_the_table() {
        let reference = |w: &str| EN.contains(&w.to_lowercase().as_str());
        assert!(std::ptr::eq(LANGS[EN_LIST], EN));
        for w in LANGS.iter().flat_map(|l| l.iter()) {
            let mut upper = w.chars();
            let title: String = upper
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(upper)
                .collect();
            for form in [
                w.to_string(),
                w.to_uppercase(),
                title,
                format!("{w}s"),
                format!("x{w}"),
            ] {
                assert_eq!(is_english_function_word(&form), reference(&form), "{form}");
            }
        }
        for w in [
            "\u{212A}",
            "O\u{212A}",
            "\u{130}t",
            "Th\u{c9}",
            "",
            "thereafter",
        ] {
            assert_eq!(is_english_function_word(w), reference(w), "{w}");
        }
    }

    /// [`is_barrier`] skips lines without an ASCII letter, a Kelvin sign or a dotted capital I.
    #[test]
    fn barrier_headings_need_an_ascii_letter() {
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            if c.to_lowercase().any(|l| l.is_ascii_alphabetic()) {
                assert!(matches!(c, '\u{212A}' | '\u{130}'), "{c:?}");
            }
        }
        for t in [
            "Related",
            "\u{212A}OMMENTARE",
            "More from CNN",
            "Comentários",
            "\u{130}",
        ] {
            let _ = is_barrier(t);
        }
        assert!(BARRIERS
            .iter()
            .all(|b| b.bytes().any(|c| c.is_ascii_alphabetic())));
        assert!(is_barrier("Comentários:"));
        assert!(is_barrier("\u{212A}OMMENTARE"));
        assert!(!is_barrier(
            "Comentários sobre a reforma da previdência na câmara"
        ));
        assert!(is_barrier("2 Comments"));
        assert!(!is_barrier("Комментарии"));
    }

    #[test]
    fn comment_marker_scan_agrees() {
        let reference = |t: &str| {
            let lower = t.to_ascii_lowercase();
            t.contains('ſ')
                || [
                    "comment",
                    "conversation",
                    "respons",
                    "repl",
                    "reaction",
                    "thoughts",
                    "discussion",
                ]
                .iter()
                .any(|w| lower.contains(w))
        };
        for t in [
            "",
            "c",
            "Comment",
            "xxxxxxxcomment",
            "xxxxxxxxCOMMENTS",
            "no replies",
            "Repl",
            "rep",
            "thought",
            "Thoughts on",
            "DISCUSSION",
            "\u{e9}comment",
            "Re\u{17f}ponses",
            "drt c",
            "1234567d",
            "12345678discussion",
            "conversatio",
        ] {
            assert_eq!(may_be_comment_marker(t), reference(t), "{t:?}");
        }
    }

    #[test]
    fn contains_agrees() {
        for (hay, needle) in [
            ("abc", ""),
            ("abc", "bc"),
            ("abcbcd", "bcd"),
            ("ab", "abc"),
            ("", "a"),
            ("aaa", "aa"),
            ("x y", "y "),
        ] {
            assert_eq!(
                contains(hay.as_bytes(), needle.as_bytes()),
                hay.contains(needle),
                "{hay:?} {needle:?}"
            );
        }
    }

    /// [`is_comment_meta`]'s direct check against the regex.
    fn assert_comment_meta(t: &str) {
        assert_eq!(is_comment_meta(t), COMMENT_META.is_match(t), "{t:?}");
    }

    #[test]
    fn comment_meta_agrees_with_the_regex() {
        for t in [
            "Reply",
            "REPORT",
            "flag",
            "Like",
            "Likes",
            "12 likes",
            "1 Like",
            "3\tvotes",
            "7 points",
            "7  POINT",
            "7points",
            " 7 points",
            "7 points ",
            "x 7 points",
            "12",
            "Reply all",
            "John said:",
            "at 4:47 pm",
            "at 4:47 pm said",
            "Replied",
            "\u{212A}",
            "1 li\u{212A}e",
            "1 vote\u{17F}",
            "",
            "Flagged",
            "1\x0bvote",
        ] {
            assert_comment_meta(t);
        }
    }

    #[test]
    fn clause_punctuation_agrees() {
        for t in [
            "a. b",
            "a b",
            "日本語。",
            "日本語、x",
            "ｘ，",
            "ｘｙ",
            "\u{3000}",
            "a!",
        ] {
            assert_eq!(
                has_clause_punctuation(t),
                t.contains(['.', ',', ';', ':', '!', '?', '。', '、', '，']),
                "{t:?}"
            );
        }
    }

    /// The characters of the function-word lists.
    fn function_chars() -> Vec<char> {
        let mut chars: Vec<char> = LANGS
            .iter()
            .flat_map(|l| l.iter())
            .flat_map(|w| w.chars())
            .collect();
        chars.sort_unstable();
        chars.dedup();
        chars
    }

    /// [`word_languages`] skips words without a byte [`may_spell_function_word`] accepts: every
    /// character that lower-cases into function-word characters has one.
    #[test]
    fn function_words_need_these_bytes() {
        let chars = function_chars();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if c.to_lowercase().all(|l| chars.binary_search(&l).is_ok()) {
                assert!(
                    c.encode_utf8(&mut [0; 4])
                        .bytes()
                        .any(may_spell_function_word),
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn other_scripts_spell_no_function_word() {
        let chars = function_chars();
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_other_script_letter(c))
        {
            assert!(c.is_alphanumeric(), "{c:?}");
            assert!(
                c.to_lowercase().all(|l| chars.binary_search(&l).is_err()),
                "{c:?}"
            );
        }
    }

    /// [`word_languages`] answers 0 for a word longer than [`KEY_BYTES`] with alphanumeric ASCII
    /// ends (which trimming leaves alone): no spelling of a function word is that long. Lower
    /// case can be shorter than what it comes from (the Kelvin sign is three bytes, `k` one), so
    /// each function word's longest spelling is counted from the longest character that
    /// lower-cases to each of its characters.
    #[test]
    fn longer_words_are_no_function_words() {
        let chars = function_chars();
        let mut longest = vec![0usize; chars.len()];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let lower: Vec<char> = c.to_lowercase().collect();
            if lower.iter().all(|l| chars.binary_search(l).is_ok()) {
                // A character lower-casing to several function-word characters would need its
                // own rule.
                assert_eq!(lower.len(), 1, "{c:?}");
                let Ok(at) = chars.binary_search(&lower[0]) else {
                    continue;
                };
                longest[at] = longest[at].max(c.len_utf8());
            }
        }
        for w in LANGS.iter().flat_map(|l| l.iter()) {
            let spelled: usize = w
                .chars()
                .filter_map(|c| chars.binary_search(&c).ok())
                .map(|at| longest[at])
                .sum();
            assert!(spelled <= KEY_BYTES, "{w}: {spelled}");
        }
    }

    /// [`LineWords::of`]'s byte scan against the plain definition: `split_whitespace`, each
    /// word's function-word languages, and the dense-script characters of the whole line.
    #[test]
    fn line_words_agree_with_split_whitespace() {
        for t in [
            "The cat, (and) the \"dog\" sat on THE mat.",
            "  leading\ttabs\x0band\x0cfeeds \r\n",
            "Über die Brücke für élan à la «carte» — más não é",
            "a\u{a0}b\u{2009}c\u{3000}d\u{85}e\u{1680}f\u{202f}g\u{205f}h\u{200b}i",
            "日本語の文章です。漢字とかなが混ざっています",
            "Погода и спорт: новости дня",
            "@user #tag ＠wide @ # «@x»",
            "x\u{e9}the the\u{e9} \u{e9}the «the» \u{2014}and\u{2014}",
            "a.b don't thereafter I'M ï",
            // Non-ASCII punctuation after a function word: trimmed, however long.
            "x\u{85}\t\u{e9}t\u{e9}'\u{180e}\u{fffd}.\u{c0c50}\u{2029}#",
            "\u{e9}t\u{e9}\u{2019}\u{2019}\u{bb} \u{e9}t\u{e9}\u{201d}",
            "\u{e9a4e}\u{2122}\u{1d99a}\u{2022}\u{c9}T\u{c9}",
            "x\u{85}\t\u{e9}t\u{e9}'\u{180e}\u{fffd}.\u{c0c50}\u{2029}#",
            "\u{e9}t\u{e9}'\u{180e}",
            "\u{e9}t\u{e9}\u{180e}",
            "",
            " ",
            "\u{3000}",
        ] {
            assert_line_words(t);
        }
    }

    /// [`LineWords::of`] against the plain definition.
    fn assert_line_words(t: &str) {
        let mut want = LineWords::default();
        for w in t.split_whitespace() {
            want.add(w.as_bytes(), function_word_languages(w));
        }
        want.dense = t
            .chars()
            .filter(|&c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}'))
            .count();
        want.separator = t.contains(['|', '•', '·', '»', '›']);
        let got = LineWords::of(t);
        assert_eq!(
            (got.words, got.tagged, got.hits, got.dense, got.separator),
            (
                want.words,
                want.tagged,
                want.hits,
                want.dense,
                want.separator
            ),
            "{t:?}"
        );
    }

    /// Pieces lines are made of in the property tests: function words in several cases, every
    /// kind of whitespace, punctuation that is trimmed, letters that lower-case oddly, scripts
    /// written without spaces, and bytes next to the ones the scans look for.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "the",
                "The",
                "THE",
                "and",
                "ook",
                "O\u{212A}",
                "\u{e9}t\u{e9}",
                "\u{c9}T\u{c9}",
                "m\u{e1}s",
                "n\u{e3}o",
                "F\u{dc}R",
                "pi\u{f9}",
                "\u{e8}",
                "i",
                "I",
                "\u{130}",
                "dass",
                "Stra\u{df}e",
                "thereafter",
                "x",
                "@",
                "#",
                "@user",
                "#tag",
                "\u{ff20}x",
                "\u{ab}",
                "\u{bb}",
                "\u{201c}",
                "\u{201d}",
                "\u{2014}",
                "(",
                ")",
                ",",
                ".",
                "'",
                "\"",
                "-",
                "1",
                "42",
                "\u{43f}\u{43e}",
                "\u{41d}\u{410}",
                "\u{65e5}\u{672c}",
                "\u{306e}",
                "\u{30ab}",
                "\u{3400}",
                "\u{9fff}",
                "\u{ac00}",
                "\u{ff01}",
                "\u{2122}",
                "\u{20ac}",
                "\u{1e9e}",
                "\u{17f}",
                "\u{212b}",
                "\x7f",
                "\x01",
                "\x1f",
                "!",
                "~",
                "|",
                "\u{2022}",
                "\u{b7}",
                "\u{203a}",
                "\u{2016}",
            ])
            .prop_map(str::to_string),
            prop::sample::select(vec![
                " ", "  ", "\t", "\n", "\x0b", "\x0c", "\r", "\u{85}", "\u{a0}", "\u{1680}",
                "\u{2000}", "\u{200a}", "\u{200b}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}",
                "\u{3000}", "\u{180e}", "\u{feff}",
            ])
            .prop_map(str::to_string),
            "[a-zA-Z0-9@#.,'()-]{1,12}",
            any::<char>().prop_map(String::from),
        ]
    }

    proptest! {
        #[test]
        fn line_words_agree_on_generated_lines(
            parts in prop::collection::vec(piece(), 0..40),
        ) {
            assert_line_words(&parts.concat());
        }

        /// Words of up to eight ASCII bytes take [`ascii_key_languages`].
        #[test]
        fn english_function_words_agree(w in "[a-zA-Z\u{e0}-\u{ff}\u{212A}\u{130}]{1,6}") {
            let letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
            prop_assume!(letter(w.chars().next()) && letter(w.chars().next_back()));
            prop_assert_eq!(is_english_function_word(&w), EN.contains(&w.to_lowercase().as_str()));
        }

        #[test]
        fn comment_meta_agrees_on_generated_lines(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "1", "42", " ", "\t", "\x0b", "\u{a0}", "Am", "D", "like", "LIKES", "vote", "Votes", "point",
                    "points", "reply", "Report", "flag", "s", "x", ":", "said", "at", "pm", "\u{212A}",
                    "\u{17F}", "\u{660}",
                ]),
                0..6,
            ),
        ) {
            assert_comment_meta(&parts.concat());
        }

        /// [`shouting`]'s counts, eight ASCII bytes at a time, against the plain definition.
        #[test]
        fn shouting_agrees_on_generated_lines(
            parts in prop::collection::vec(piece(), 0..40),
            long in any::<bool>(),
        ) {
            let t = parts.concat();
            let letters = t.chars().filter(|c| c.is_alphabetic()).count();
            let upper = t.chars().filter(|c| c.is_alphabetic() && c.is_uppercase()).count();
            let want = letters == 0 || (long && letters >= 6 && upper * 10 >= letters * 8);
            prop_assert_eq!(shouting(&t, long), want, "{:?}", t);
        }

        /// [`demote_repeats`]' length filter against counting every form.
        #[test]
        fn demote_repeats_agrees(
            lines in prop::collection::vec((0..6usize, 0..5usize), 0..30),
        ) {
            let long = "x".repeat(600);
            let forms = ["home", "news", "a b c", "x".repeat(511).as_str(), &long, &format!("{long}y")]
                .map(str::to_string);
            let classes = [Class::Prose, Class::Short, Class::Teaser, Class::Chrome, Class::Barrier];
            let canon: Vec<Cow<str>> = lines.iter().map(|&(f, _)| Cow::Borrowed(forms[f].as_str())).collect();
            let mut judged: Vec<Judgement> = lines
                .iter()
                .map(|&(_, c)| Judgement { class: classes[c], score: 1.0, words: 1 })
                .collect();
            let want: Vec<Class> = lines
                .iter()
                .map(|&(f, c)| {
                    let repeated = lines.iter().filter(|&&(g, _)| g == f).count() > 1;
                    match classes[c] {
                        Class::Prose | Class::Barrier => classes[c],
                        _ if repeated => Class::Chrome,
                        other => other,
                    }
                })
                .collect();
            demote_repeats(&canon, &mut judged);
            prop_assert_eq!(judged.iter().map(|j| j.class).collect::<Vec<_>>(), want);
        }

        /// Latin-1 words take [`latin1_word_languages`].
        #[test]
        fn latin1_words_agree(w in "[a-zA-Z0-9\u{c0}-\u{ff}.,'(«»\u{17f}\u{212a}\u{2019}\u{201c}\u{2000}-\u{203f}\u{180e}\u{fffd}\u{c0c50}]{1,12}") {
            prop_assert_eq!(word_languages(&w, 0, w.len()), function_word_languages(&w));
        }

        #[test]
        fn ends_sentence_agrees(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "a", ".", "!", "?", "\u{2026}", ":", ";", "\u{3002}", "\u{ff01}", "\u{ff1f}", "\"",
                    "'", "\u{201d}", "\u{2019}", "\u{bb}", ")", "]", "*", " ", "\u{e9}",
                ]),
                0..6,
            ),
        ) {
            let t = parts.concat();
            let plain = t
                .trim_end_matches(|c: char| "\"'\u{201d}\u{2019}\u{bb})]*".contains(c))
                .ends_with(['.', '!', '?', '\u{2026}', ':', ';', '\u{3002}', '\u{ff01}', '\u{ff1f}']);
            prop_assert_eq!(ends_sentence(&t), plain, "{:?}", t);
        }

        /// Lines made of [`MARKER`]'s words and what may surround them: every one it matches
        /// passes both prechecks.
        #[test]
        fn comment_marker_prechecks_admit_what_the_pattern_matches(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "comment", "Comments", "RESPONSES", "re\u{17f}pon\u{17f}e", "replies",
                    "reactions", "thoughts", "on", "top", "rated", "view", "show", "load", "read",
                    "see", "hide", "all", "latest", "reader", "leave", "post", "add", "write",
                    "submit", "a", "your", "reply", "response", "join", "start", "the",
                    "conversation", "discussion", "to", "are", "closed", "policy", "no", "yet",
                    "12", "\u{663}", " ", "  ", "\t", ":", "-", "(", ")", "\u{201c}", "\u{2014}",
                    "_", "\u{e9}", "x",
                ]),
                1..7,
            ),
        ) {
            let t = parts.concat();
            if MARKER.is_match(&t) {
                prop_assert!(may_start_comment_marker(&t), "{:?}", t);
                prop_assert!(may_be_comment_marker(&t), "{:?}", t);
            }
        }

        #[test]
        fn short_ascii_words_agree(w in "[ -~]{1,8}") {
            prop_assert_eq!(word_languages(&w, 0, w.len()), function_word_languages(&w));
        }
    }

    #[test]
    fn comment_marker_precheck_admits_every_marker() {
        for t in [
            "Comments",
            "12 COMMENTS",
            "Leave a Reply",
            "Post your response",
            "Join the Conversation",
            "Start the discussion",
            "3 Responses to \u{201c}Title\u{201d}",
            "Thoughts on this?",
            "Reactions",
            "Replies",
            "Comments are closed.",
            "No comments yet",
            "Re\u{17F}pon\u{17F}es",
            "View all comments",
            "Home",
            "Share this",
        ] {
            if MARKER.is_match(t) {
                assert!(may_be_comment_marker(t), "{t:?}");
                assert!(may_start_comment_marker(t), "{t:?}");
            }
        }
        assert!(!may_be_comment_marker("Home"));
        assert!(!may_start_comment_marker("Home"));
        assert!(!may_start_comment_marker("_comments"));
        assert!(!may_start_comment_marker("-- The comments"));
    }

    /// The early exit in [`title_case_start`] against the plain count over the first words.
    #[test]
    fn title_case_start_stops_early_but_agrees() {
        let counted = |t: &str| {
            let first: Vec<&str> = t.split_whitespace().take(8).collect();
            let capitalised = |w: &str| {
                w.chars()
                    .find(|c| c.is_alphabetic())
                    .is_some_and(char::is_uppercase)
            };
            let words: Vec<&&str> = first
                .iter()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .collect();
            let caps = words.iter().filter(|w| capitalised(w)).count();
            words.len() >= 5 && caps * 10 >= words.len() * 8
        };
        for t in [
            "Customers Leave Without Paying $690 Bill At Troy Steakhouse",
            "Death Of A Salesman Opens On Broadway Tonight",
            "Death of A Salesman Opens On Broadway Tonight Again",
            "Death of a Salesman Opens On Broadway",
            "The council voted on Monday to extend the permits.",
            "Mayor Says City Will Review The Budget — 2024",
            "A B C D e F G H i J",
            "1 2 3 4 5 Six Seven",
        ] {
            // Only lines that pass the count reach the function-word test.
            if !counted(t) {
                assert!(!title_case_start(t, LineWords::of(t).words), "{t:?}");
            }
        }
        let t = "Customers Leave Without Paying $690 Bill At Troy Steakhouse";
        assert!(title_case_start(t, LineWords::of(t).words));
    }

    #[test]
    fn shouting_stops_early_but_agrees() {
        let reference = |t: &str, long: bool| {
            let letters = t.chars().filter(|c| c.is_alphabetic()).count();
            let upper = t
                .chars()
                .filter(|c| c.is_alphabetic() && c.is_uppercase())
                .count();
            letters == 0 || (long && letters >= 6 && upper * 10 >= letters * 8)
        };
        for t in [
            "NEWS SPORT WEATHER TRAVEL CULTURE",
            "NEWS SPORT WEATHER travel",
            "NEWS SPORT WEATHER TRAVEL CULTURE MUSIC FILm",
            "Ordinary sentence with Some Names in It.",
            "12 345 — 678",
            "ПОГОДА СПОРТ НОВОСТИ",
            "Погода СПОРТ",
            "ABCDE",
            "",
        ] {
            for long in [false, true] {
                assert_eq!(shouting(t, long), reference(t, long), "{t:?} {long}");
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_the_general_ones() {
        for b in 0..=127u8 {
            assert_eq!(is_ascii_space(b), char::from(b).is_whitespace(), "{b}");
        }
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let general = c.is_alphabetic().then(|| c.is_uppercase());
            assert_eq!(letter_case(c), general, "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
        let url = |t: &str| {
            ["http://", "https://", "www."]
                .iter()
                .any(|n| t.to_ascii_lowercase().contains(n))
        };
        for t in [
            "HTTPS://x",
            "see www.x.org",
            "ttp://",
            "://",
            "ww.",
            "WwW.",
            "a http:// b",
            "s://",
            "http:",
            "http:/",
            "ends with:",
            "x: https:://y HTTP://z",
        ] {
            assert_eq!(has_url(t), url(t), "{t}");
        }
        for t in [
            "a | b",
            "Home • News",
            "x·y",
            "»",
            "a › b",
            "a - b",
            "caf\u{e9} \u{2014}",
            "",
            "0123456|",
            "01234567|",
        ] {
            assert_line_words(t);
        }
    }

    /// The texts `run` kept.
    fn kept(got: &[(String, String)]) -> Vec<&str> {
        got.iter()
            .filter(|(v, _)| v == "keep")
            .map(|(_, t)| t.as_str())
            .collect()
    }

    fn run(doc: &str) -> Vec<(String, String)> {
        let mut d: Vec<Decided> = text::extract(doc)
            .into_iter()
            .map(|block| Decided::new(block, Verdict::Keep))
            .collect();
        judge(&mut d, &Canonicals::new(0));
        d.into_iter()
            .map(|d| {
                let v = match d.verdict {
                    Verdict::Keep => "keep".to_string(),
                    Verdict::Drop(r) | Verdict::Meta(r) => r.into_owned(),
                };
                (v, d.block.text)
            })
            .collect()
    }

    const P1: &str = "The council voted on Monday to extend the terrace permits until the end of November, officials said.";
    const P2: &str = "Owners of the cafés along the river said the decision would help them recover from three quiet winters.";
    const P3: &str = "The mayor added that the cobblestones on the quay would be repaired before the summer festival begins.";

    #[test]
    fn menus_around_the_article_go_and_subheadings_inside_stay() {
        let doc = format!(
            "Home\nNews\nSport\nWeather\n{P1}\n{P2}\nA tangible move\n{P3}\nRelated articles\nCafe owners fear rent rises as tourists return to town\nSign in\nPrivacy"
        );
        let got = run(&doc);
        let verdict = |t: &str| {
            got.iter()
                .find(|(_, x)| x == t)
                .map(|(v, _)| v.as_str())
                .unwrap()
        };
        assert_eq!(verdict("Home"), OUTSIDE);
        assert_eq!(verdict(P1), "keep");
        assert_eq!(verdict("A tangible move"), "keep");
        assert_eq!(verdict(P3), "keep");
        assert_eq!(verdict("Related articles"), OUTSIDE);
        assert_eq!(
            verdict("Cafe owners fear rent rises as tourists return to town"),
            OUTSIDE
        );
    }

    #[test]
    fn teasers_and_chrome_inside_the_article_are_dropped() {
        // Article paragraphs come in runs; a teaser and a link line sit between two runs.
        let doc = format!("{P1}\n{P2}\nHorror as plague of killer mosquitos are headed to Britain\n{P3}\n{P2}\nSource: https://example.org/report\n{P1}\n{P3}");
        let got = run(&doc);
        assert_eq!(got[2].0, TEASER);
        assert_eq!(got[5].0, CHROME);
        assert_eq!(got.iter().filter(|(v, _)| v == "keep").count(), 6);
    }

    #[test]
    fn a_data_list_after_the_article_is_kept_but_a_menu_is_not() {
        let doc = format!(
            "{P1}\n{P2}\n{P3}\nTour dates\nJune 9 – West Palm Beach, FL @ Coral Sky\nJune 10 – Tampa, FL @ Amphitheatre\n\
             June 14 – Alpharetta, GA @ Ameris Bank\nJune 17 – Nashville, TN @ Bridgestone Arena\nHome\nNews\nSport"
        );
        let got = run(&doc);
        let kept = kept(&got);
        assert_eq!(kept.len(), 8, "{got:?}");
        assert!(kept.contains(&"June 17 – Nashville, TN @ Bridgestone Arena"));
        assert!(!kept.contains(&"Home"));
        let menu = format!("{P1}\n{P2}\nHome\nNews\nSport\nWeather\nTravel");
        assert_eq!(run(&menu).iter().filter(|(v, _)| v == "keep").count(), 2);
    }

    #[test]
    fn a_numbered_list_with_links_after_the_article_is_kept() {
        let doc = format!(
            "{P1}\n{P2}\n1) Lego Star Wars 75188\nhttp://amzn.to/a\n2) Polistil 960574 Pista Elettrica\nhttp://amzn.to/b\n\
             3) Roger Waters – The Wall (DVD)\nhttp://amzn.to/c\nAbout us\nContact"
        );
        let got = run(&doc);
        let kept = kept(&got);
        assert_eq!(kept.len(), 8, "{got:?}");
        assert_eq!(kept.last(), Some(&"http://amzn.to/c"));
    }

    #[test]
    fn a_document_without_prose_is_left_alone() {
        let got = run("Home\nNews\nSport");
        assert!(got.iter().all(|(v, _)| v == "keep"));
    }

    #[test]
    fn function_words_pick_the_language() {
        let s = Stopwords::for_lines([LineWords::of("O prefeito disse que a obra será concluída em março e que os moradores serão avisados.")].iter());
        assert!(s.plausible(
            &LineWords::of(
                "A obra foi concluída e os moradores da cidade estão felizes com o resultado."
            ),
            SENTENCE_STOPWORDS
        ));
        assert!(!s.plausible(
            &LineWords::of("Lula Bolsonaro Dilma Temer Collor Sarney Itamar Cardoso."),
            SENTENCE_STOPWORDS
        ));
    }
}
