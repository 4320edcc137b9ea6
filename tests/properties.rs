//! Property tests for the invariants every stage promises, on generated inputs.

use std::collections::HashMap;
use std::sync::LazyLock;

use deboiler::model::{RawDocument, Verdict};
use deboiler::norm::canonical;
use deboiler::rules::RuleSet;
use deboiler::{decode, dedup, extract, pipeline, strip};
use proptest::prelude::*;

/// Lines that look like the seeds: boilerplate and prose, shuffled and repeated.
fn dump_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Open in App".to_string()),
        Just("Share to Facebook".to_string()),
        Just("Home | World".to_string()),
        Just("I agree".to_string()),
        Just("Our Privacy Statement & Cookie Policy".to_string()),
        Just("© 2024 Example Ltd. All rights reserved.".to_string()),
        Just("Loading next article...".to_string()),
        Just("See also: another story".to_string()),
        Just(String::new()),
        "[A-Z][a-z]{2,9}( [a-z]{1,9}){3,30}[.!?]",
        "\\PC{0,80}",
    ]
}

fn dump() -> impl Strategy<Value = String> {
    prop::collection::vec(dump_line(), 0..40).prop_map(|l| l.join("\n"))
}

fn raw(bytes: Vec<u8>) -> RawDocument {
    RawDocument {
        origin: "prop".into(),
        url: None,
        content_type: None,
        bytes,
        info: Default::default(),
    }
}

/// Compiled once: building the shipped rule set per case would dominate the run time.
static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded(true).expect("shipped rules are valid"));

fn rules() -> &'static RuleSet {
    &RULES
}

/// 256 cases a test, or `PROPTEST_CASES` of them (`just props-deep` runs many more).
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 256;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decode_never_panics_and_keeps_valid_utf8(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(d) = decode::decode(&raw(bytes.clone())) {
            prop_assert!(!d.text.trim().is_empty());
            if d.encoding.malformed == 0 {
                prop_assert_eq!(d.encoding.first_malformed_at, None);
            }
            if let Some(at) = d.encoding.first_malformed_at {
                prop_assert!(at < bytes.len());
            }
        }
    }

    #[test]
    fn utf8_text_decodes_to_itself(text in "\\PC{1,400}") {
        prop_assume!(!text.trim().is_empty() && !text.contains('\0') && !text.starts_with('\u{feff}'));
        let d = decode::decode(&raw(text.clone().into_bytes())).unwrap();
        prop_assert_eq!(d.text, text);
        prop_assert_eq!(d.encoding.malformed, 0);
    }

    #[test]
    fn text_extraction_loses_and_invents_no_words(doc in dump()) {
        let blocks = extract::text::extract(&doc);
        let got: Vec<&str> = blocks.iter().flat_map(|b| b.text.split_whitespace()).collect();
        let want: Vec<&str> = doc.split_whitespace().collect();
        prop_assert_eq!(got, want);
        prop_assert!(blocks.iter().all(|b| !b.text.is_empty() && b.line.is_some()));
    }

    #[test]
    fn strip_decides_every_block_once_in_order(doc in dump()) {
        let set = rules();
        let blocks = extract::text::extract(&doc);
        let active = set.for_document(None, &doc);
        let decided = strip::apply(blocks.clone(), &active);
        prop_assert_eq!(decided.len(), blocks.len());
        for (d, b) in decided.iter().zip(&blocks) {
            prop_assert_eq!(&d.block, b);
        }
    }

    #[test]
    fn cleaning_keeps_a_subsequence_of_the_input(doc in dump()) {
        let set = rules();
        let blocks: Vec<String> = extract::text::extract(&doc).into_iter().map(|b| b.text).collect();
        match pipeline::clean(&raw(doc.clone().into_bytes()), set) {
            Ok(c) => {
                // Body paragraphs appear in the input's blocks, in order, no repeats.
                let mut rest = blocks.iter();
                for p in &c.article.body {
                    prop_assert!(rest.any(|b| b == p), "`{}` is not a later input block", p);
                }
                let mut seen = HashMap::new();
                for p in &c.article.body {
                    prop_assert!(seen.insert(canonical(p), ()).is_none(), "repeat `{}` kept", p);
                }
                prop_assert_eq!(c.decided.iter().filter(|d| d.verdict == Verdict::Keep).count(), c.article.body.len());
                prop_assert_eq!(&c.article.id, &dedup::body_id(&c.article.body));
            }
            Err(e) => prop_assert!(e.is_skip(), "{e}"),
        }
    }

    #[test]
    fn html_cleaning_never_panics(body in prop::collection::vec(prop_oneof![
        "\\PC{0,40}",
        Just("<p>".to_string()), Just("</p>".to_string()), Just("<div class=share>".to_string()),
        Just("</div>".to_string()), Just("<script>".to_string()), Just("<!--".to_string()),
        Just("<nav>".to_string()), Just("<h1>".to_string()), Just("<br>".to_string()),
    ], 0..60)) {
        let doc = format!("<!doctype html><html><body>{}</body></html>", body.concat());
        let _ = pipeline::clean(&raw(doc.into_bytes()), rules());
    }

    /// The lean page (script and style text, unread attributes and indentation cut) must parse
    /// to the same tree: same elements, same words, the attributes stages read with the same
    /// values, and extraction must give exactly the same blocks,
    /// whatever the markup around them (comments, quoting, other raw-text elements, escapes).
    #[test]
    fn lean_html_parses_to_the_same_tree(body in prop::collection::vec(prop_oneof![
        "[a-z <>/!-]{0,12}",
        "[a-z <>/='\"-]{0,12}",
        Just("<p>".to_string()), Just("</p>".to_string()), Just("<script>".to_string()),
        Just("</script>".to_string()), Just("<style>".to_string()), Just("</style>".to_string()),
        Just("<!--".to_string()), Just("-->".to_string()), Just("<title>".to_string()),
        Just("</title>".to_string()), Just("<textarea>".to_string()), Just("<svg>".to_string()),
        Just("</svg>".to_string()), Just("<a title='>'>".to_string()), Just("<SCRIPT >".to_string()),
        Just("</script >".to_string()), Just("<script type=application/ld+json>".to_string()),
        Just("<noscript>".to_string()), Just("</noscript>".to_string()), Just("<style/>".to_string()),
        Just("<foreignObject>".to_string()), Just("</foreignObject>".to_string()),
        Just("<math><mi>".to_string()), Just("</mi></math>".to_string()), Just("</textarea>".to_string()),
        Just("<desc>".to_string()), Just("<div>".to_string()), Just("</br>".to_string()),
        Just("<div class=\"a b\" data-x='1>2' id=k>".to_string()), Just("<a href=/x rel=n>".to_string()),
        Just("<link rel=canonical href=/c>".to_string()), Just("<svg/x=1>".to_string()),
        Just("<p data-a=1/>".to_string()), Just("<font color=red face=x>".to_string()),
        Just("<table><input type=hidden data-y=2>".to_string()), Just("<meta property=p content=c name=n>".to_string()),
        Just("<p =\">\" hidden itemprop=articleBody>".to_string()), Just("<i/class=c>".to_string()),
        Just("\n  \n".to_string()), Just(" \r\n\t".to_string()), Just("<pre>".to_string()),
        Just("</pre>".to_string()), Just("<listing>\n".to_string()), Just("<table><tr><td>".to_string()),
    ], 0..40)) {
        let doc = format!("<!doctype html><html><body>{}</body></html>", body.concat());
        let lean = deboiler::extract::lean::page(&doc, &Default::default());
        let blocks = |src: &str| {
            deboiler::extract::html::extract(&scraper::Html::parse_document(src), &Default::default())
                .into_iter()
                .map(|b| (b.text, format!("{:?}", b.kind)))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(blocks(&lean), blocks(&doc), "lean: {}", lean);
        prop_assert_eq!(outline(&lean), outline(&doc), "lean: {}", lean);
    }

    /// The byte tokenizer feeding html5ever's tree builder must build exactly the tree
    /// html5ever's own tokenizer does: every node, attribute, text and the quirks mode.
    #[test]
    fn byte_tokenizer_builds_html5evers_tree(head in prop_oneof![
        Just(""), Just("<!DOCTYPE html>"), Just("<!doctype html public \"-//W3C//DTD HTML 4.0//EN\">"),
        Just("<!DOCTYPE html SYSTEM 'about:legacy-compat'>"), Just("<?xml v?>"),
    ], body in prop::collection::vec(prop_oneof![
        "[a-zA-Z <>/!=&;#'\"\r\n-]{0,12}",
        "&[a-zA-Z0-9#]{0,8};?",
        Just("<p>".to_string()), Just("</p>".to_string()), Just("<b>".to_string()), Just("</b>".to_string()),
        Just("<table>".to_string()), Just("<tr><td>".to_string()), Just("</table>".to_string()),
        Just("<li>".to_string()), Just("<a href='?a=1&copy=2'>".to_string()), Just("</a>".to_string()),
        Just("<title>".to_string()), Just("</title>".to_string()), Just("<textarea>".to_string()),
        Just("</textarea>".to_string()), Just("<script>".to_string()), Just("</script>".to_string()),
        Just("<style>".to_string()), Just("</style>".to_string()), Just("<noscript>".to_string()),
        Just("<svg>".to_string()), Just("</svg>".to_string()), Just("<math><mi>".to_string()),
        Just("<pre>\n".to_string()), Just("<!--".to_string()), Just("-->".to_string()),
        Just("<div class=\"a&amp;b\" id=k data-x='1>2' =y>".to_string()), Just("</div>".to_string()),
        Just("<br/>".to_string()), Just("<img src=x alt=&lt;>".to_string()), Just("<plaintext>".to_string()),
        Just("<select><option>".to_string()), Just("<frameset>".to_string()), Just("<head>".to_string()),
        Just("<body>".to_string()), Just("</html>".to_string()), Just("&#x80;&#0;&#xD800;".to_string()),
    ], 0..40)) {
        let doc = format!("{head}{}", body.concat());
        let ours = deboiler::extract::parse::document(&doc);
        let theirs = scraper::Html::parse_document(&doc);
        let outline = deboiler::extract::parse::outline;
        prop_assert_eq!(outline(&ours), outline(&theirs), "page: {:?}", doc);
    }

    #[test]
    fn canonical_form_is_idempotent_and_hash_is_stable(text in "\\PC{0,200}") {
        let once = canonical(&text);
        prop_assert_eq!(canonical(&once), once.clone());
        let spaced = format!("  {}  ", text.replace(' ', "   ").to_uppercase());
        // Upper-casing is not always reversible (e.g. 'ß' → 'SS'), so only compare when it is.
        if canonical(&spaced) == once {
            prop_assert_eq!(dedup::body_id(&[spaced]), dedup::body_id(&[text]));
        }
    }
}

/// The parsed tree of `src` as lines: each element with its depth, name and the attributes
/// some stage reads (the lean page's contract), and each text node. Script and style text is
/// left out: the lean page drops it by design.
fn outline(src: &str) -> Vec<String> {
    const READ: &[&str] = &[
        "class", "id", "itemprop", "hidden", "type", "lang", "name", "content", "property",
        "datetime", "encoding", "color", "face", "size",
    ];
    let html = scraper::Html::parse_document(src);
    let mut out = Vec::new();
    for edge in html.root_element().traverse() {
        let ego_tree::iter::Edge::Open(node) = edge else {
            continue;
        };
        let depth = node.ancestors().count();
        match node.value() {
            scraper::Node::Element(el) => {
                let link = el.name() == "link";
                let mut attrs: Vec<String> = el
                    .attrs()
                    .filter(|(n, _)| READ.contains(n) || (link && matches!(*n, "rel" | "href")))
                    .map(|(n, v)| format!("{n}={v:?}"))
                    .collect();
                attrs.sort();
                out.push(format!(
                    "{depth} <{}{:?}> {}",
                    el.name(),
                    el.name.ns,
                    attrs.join(" ")
                ));
            }
            scraper::Node::Text(t) => {
                let raw = node
                    .parent()
                    .and_then(|p| {
                        p.value()
                            .as_element()
                            .map(|e| matches!(e.name(), "script" | "style"))
                    })
                    .unwrap_or(false);
                if !raw {
                    // Whitespace runs with a line break are squeezed to that line break.
                    out.push(format!(
                        "{depth} {:?}",
                        t.split_whitespace().collect::<Vec<_>>()
                    ));
                }
            }
            _ => {}
        }
    }
    out
}
