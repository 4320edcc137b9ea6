//! Tests of the text judge: each fast path against the plain definition it stands for (several
//! enumerate all of Unicode or generate lines), and whole documents judged end to end.

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
