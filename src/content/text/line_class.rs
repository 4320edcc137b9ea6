//! One line's class and score, from its text and its [`LineWords`]: [`classify`] and the
//! tests it is made of (barrier headings, chrome, comment metadata, word lists, Title Case
//! teasers, prose), plus the comment-marker test the region search uses to find where the
//! comments start.
//!
//! Every line of a text dump goes through here, so each costly test (a date parse, a regex, a
//! scan over the letters) runs only where a cheap exact test lets a match through; each such
//! shortcut has a test in `tests.rs` against the plain definition it stands for.

use super::*;
use crate::swar::{bytes_eq, bytes_in, splat, HIGH_BITS};

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
pub(super) fn title_case_start(text: &str, words: usize) -> bool {
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
pub(super) fn is_english_function_word(w: &str) -> bool {
    word_languages(w, 0, w.len()) & 1 << EN_LIST != 0
}

/// Headings and counters that open a comment section.
pub(super) static MARKER: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) fn is_comment_marker(text: &str) -> bool {
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
pub(super) fn may_start_comment_marker(text: &str) -> bool {
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
pub(super) fn may_be_comment_marker(text: &str) -> bool {
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
pub(super) fn is_word_list(text: &str, n: usize, line: &LineWords, stops: &Stopwords) -> bool {
    // The function-word test is one comparison; the punctuation scan reads the line.
    n >= 20 && !stops.plausible(line, UNPUNCTUATED_STOPWORDS) && !has_clause_punctuation(text)
}

/// Whether `text` holds one of `.`, `,`, `;`, `:`, `!`, `?`, `。`, `、`, `，`: bytewise, and the
/// CJK marks only where their lead bytes (0xE3, 0xEF) are.
pub(super) fn has_clause_punctuation(text: &str) -> bool {
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
pub(super) fn may_be_comment_meta(text: &str) -> bool {
    text.contains(':')
        || text
            .chars()
            .next()
            .is_some_and(|c| matches!(c, 'r' | 'R' | 'f' | 'F' | 'l' | 'L') || c.is_numeric())
}

/// `COMMENT_META.is_match(text)`. Its first two alternatives need a `:`; without one, an ASCII
/// line can only match the last, a whole-line counter or button, which is checked directly.
pub(super) fn is_comment_meta(text: &str) -> bool {
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

pub(super) fn is_chrome(text: &str, line: &LineWords) -> bool {
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
pub(super) fn shouting(text: &str, long: bool) -> bool {
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
pub(super) fn has_url(text: &str) -> bool {
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
pub(super) fn letter_case(c: char) -> Option<bool> {
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
pub(super) const BARRIERS: &[&str] = &[
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

pub(super) fn is_barrier(text: &str) -> bool {
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
