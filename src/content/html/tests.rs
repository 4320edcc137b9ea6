//! Tests of content detection: the counting shortcuts against their plain definitions, and
//! small pages whose article and removed parts are checked end to end.

use super::*;

#[test]
fn text_counts_read_ascii_as_chars_do() {
    for t in ["", " a, b\x0b\x0cc.\r\n", "one,two, three ", "\t\t", "x"] {
        let mut slow = (0, 0, None);
        for c in t.chars().filter(|c| !c.is_whitespace()) {
            slow = (slow.0 + 1, slow.1 + u32::from(c == ','), Some(c));
        }
        assert_eq!(text_counts(t), slow, "{t:?}");
    }
    assert_eq!(
        text_counts("a\u{a0}，b"),
        (3, 1, Some('b')),
        "no-break space is whitespace"
    );
}

/// The texts of the blocks no mark removed.
fn kept(src: &str) -> Vec<String> {
    marked(src)
        .into_iter()
        .filter(|(_, r)| r.is_empty())
        .map(|(t, _)| t)
        .collect()
}

fn marked(src: &str) -> Vec<(String, String)> {
    let html = Html::parse_document(src);
    let mut marks = Marks::default();
    mark(&html, &mut marks);
    let blocks = crate::extract::html::extract(&html, &marks);
    blocks
        .into_iter()
        .map(|b| (b.text, b.removed_by.unwrap_or_default()))
        .collect()
}

fn para(topic: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "<p>The {topic} report, number {i}, says that the council, after a long debate, \
                 voted to fund the harbour wall, the new ferry pier and the library roof.</p>"
            )
        })
        .collect()
}

#[test]
fn article_wins_over_a_bigger_comment_section() {
    let src = format!(
        "<body><div class=header><a href=/>Home</a> <a href=/n>News</a></div>\
         <div class=story-body>{}</div>\
         <div class=comments>{}</div></body>",
        para("harbour", 3),
        para("comment", 6)
    );
    let got = marked(&src);
    let kept: Vec<_> = got.iter().filter(|(_, r)| r.is_empty()).collect();
    assert_eq!(kept.len(), 3, "{got:?}");
    assert!(kept.iter().all(|(t, _)| t.contains("harbour report")));
    assert!(got
        .iter()
        .any(|(t, r)| t.contains("comment report") && r == "content.outside-main"));
    assert!(got
        .iter()
        .any(|(t, r)| t == "Home News" && r == "content.outside-main"));
}

#[test]
fn link_dense_list_inside_the_article_is_pruned() {
    let src = format!(
        "<body><article><div>{}<ul><li><a href=/a>Other story one about things</a></li>\
         <li><a href=/b>Other story two about things</a></li></ul>{}</div></article></body>",
        para("harbour", 2),
        para("ferry", 2)
    );
    let got = marked(&src);
    assert!(got
        .iter()
        .any(|(t, r)| t.starts_with("Other story one") && r == "content.link-dense"));
    assert_eq!(
        got.iter().filter(|(_, r)| r.is_empty()).count(),
        4,
        "{got:?}"
    );
}

#[test]
fn rule_marks_keep_their_credit_and_captions_go() {
    let src = format!(
        "<body><div id=main>{}<figure><img src=x><figcaption>A pier. Photo: Agency</figcaption></figure>\
         <div class=share>Share this</div></div></body>",
        para("harbour", 3)
    );
    let html = Html::parse_document(&src);
    let sel = scraper::Selector::parse(".share").unwrap();
    let share = html.select(&sel).next().unwrap().id();
    let mut marks = Marks::from_iter([(share, "html.share".to_string())]);
    mark(&html, &mut marks);
    assert_eq!(marks.get(&share).map(String::as_str), Some("html.share"));
    let blocks = crate::extract::html::extract(&html, &marks);
    let cap = blocks
        .iter()
        .find(|b| b.text.starts_with("A pier"))
        .unwrap();
    assert_eq!(cap.removed_by.as_deref(), Some("content.caption"));
}

#[test]
fn a_page_without_prose_is_left_to_the_rules() {
    let got =
        marked("<body><ul><li><a href=/a>One</a></li><li><a href=/b>Two</a></li></ul></body>");
    assert!(got.iter().all(|(_, r)| r.is_empty()), "{got:?}");
}

fn marks_for(src: &str, selector: &str, rule: &str) -> (Html, Marks, NodeId) {
    let html = Html::parse_document(src);
    let sel = scraper::Selector::parse(selector).unwrap();
    let id = html.select(&sel).next().unwrap().id();
    let marks = Marks::from_iter([(id, rule.to_string())]);
    (html, marks, id)
}

#[test]
fn a_rule_mark_on_the_page_wrapper_is_lifted_but_one_on_comments_is_not() {
    let wrapper = format!(
        "<body class='f_newsletter_script_on'><div class=story>{}</div></body>",
        para("harbour", 3)
    );
    let (html, mut marks, body) = marks_for(&wrapper, "body", "html.newsletter");
    mark(&html, &mut marks);
    assert!(!marks.contains_key(&body));
    let comments = format!(
        "<body><div class=story>{}</div><div id=comments>{}</div></body>",
        para("harbour", 2),
        para("comment", 8)
    );
    let (html, mut marks, c) = marks_for(&comments, "#comments", "html.comments");
    mark(&html, &mut marks);
    assert_eq!(marks.get(&c).map(String::as_str), Some("html.comments"));
    let kept: Vec<_> = crate::extract::html::extract(&html, &marks)
        .into_iter()
        .filter(|b| b.removed_by.is_none())
        .collect();
    assert_eq!(kept.len(), 2);
}

#[test]
fn labels_at_the_edges_go_but_a_subheading_in_the_middle_stays() {
    let src = format!(
        "<body><div class=story><div>Monday, November 18, 2019</div>{}<h2>What comes next</h2>{}\
         <div>Like this:</div></div></body>",
        para("harbour", 2),
        para("ferry", 2)
    );
    let got = marked(&src);
    let reason = |t: &str| got.iter().find(|(x, _)| x == t).map(|(_, r)| r.as_str());
    assert_eq!(
        reason("Monday, November 18, 2019"),
        Some("content.edge-label")
    );
    assert_eq!(reason("Like this:"), Some("content.edge-label"));
    assert_eq!(reason("What comes next"), Some(""));
}

#[test]
fn a_wrapper_with_content_in_class_and_id_is_not_taken_for_the_article_body() {
    // `id=content class=site-content` weighs as much as `itemprop=articleBody`, but only
    // the markup's statement makes an element the root outright.
    let teasers: String = (0..4)
        .map(|i| {
            format!(
                "<article class=archive-view><div class=excerpt>Teaser {i}: the coach who \
                 has changed the lines again said the team looks ready for the road trip.</div>\
                 <a href=/s{i}>Read More</a></article>"
            )
        })
        .collect();
    let src = format!(
        "<body><div id=content class=site-content><article id=post-1 class='post hentry'><div class=body-copy>{}</div>\
         </article><div class=latest>{teasers}</div></div></body>",
        para("harbour", 8)
    );
    let got = marked(&src);
    let kept: Vec<_> = got.iter().filter(|(_, r)| r.is_empty()).collect();
    assert_eq!(kept.len(), 8, "{got:?}");
    assert!(kept.iter().all(|(t, _)| t.contains("harbour report")));
}

#[test]
fn a_trailing_heading_and_a_labelled_link_list_go() {
    let items: String = (0..3)
        .map(|i| format!("<li>Story {i} about the town, <a href=/s{i}>and what it means</a></li>"))
        .collect();
    let src = format!(
        "<body><div class=story>{}<div>More great stories</div><ul>{items}</ul>\
         <h3>Comments</h3></div></body>",
        para("harbour", 3)
    );
    let got = marked(&src);
    let reason = |t: &str| {
        got.iter()
            .find(|(x, _)| x.starts_with(t))
            .map(|(_, r)| r.as_str())
    };
    assert_eq!(reason("Story 0"), Some("content.link-list"), "{got:?}");
    assert_eq!(reason("Story 2"), Some("content.link-list"));
    assert_eq!(reason("More great stories"), Some("content.edge-label"));
    assert_eq!(reason("Comments"), Some("content.edge-label"));
    // Straight after the text, without a label, the list may be part of it (sources).
    let src = format!(
        "<body><div class=story>{}<ul>{items}</ul></div></body>",
        para("harbour", 3)
    );
    let got = marked(&src);
    assert!(got.iter().all(|(_, r)| r.is_empty()), "{got:?}");
}

#[test]
fn a_subheading_inside_a_container_of_bare_text_is_not_a_trailing_heading() {
    let text = "The council, after a long debate, voted to fund the harbour wall, the pier and \
                the library roof, and the mayor said work starts in spring.";
    let src = format!(
        "<body><div class=story>{text}<h2>What comes next</h2>{text}<br>{text}</div></body>"
    );
    let got = marked(&src);
    assert!(
        got.iter()
            .any(|(t, r)| t == "What comes next" && r.is_empty()),
        "{got:?}"
    );
}

#[test]
fn an_image_box_with_a_short_line_is_a_caption_but_one_with_a_paragraph_is_not() {
    let long = "The council, after a long debate, voted to fund the harbour wall, the pier and \
                the library roof; the mayor said work starts in spring, and the contractor, \
                chosen last year, has already ordered the stone from the northern quarry. \
                The first barges are due in March.";
    let src = format!(
        "<body><div class=story>{}<div class=photo><img src=a.jpg>\
         <span>Protesters gather at the harbour on Monday</span></div>{}\
         <div class=media><img src=b.jpg><p>{long}</p></div>{}</div></body>",
        para("harbour", 2),
        para("ferry", 2),
        para("roof", 2)
    );
    let got = marked(&src);
    let reason = |t: &str| {
        got.iter()
            .find(|(x, _)| x.starts_with(t))
            .map(|(_, r)| r.as_str())
    };
    assert_eq!(
        reason("Protesters gather"),
        Some("content.caption"),
        "{got:?}"
    );
    assert_eq!(reason("The council, after"), Some(""), "{got:?}");
}

fn ld_head(body: &str) -> String {
    let text = body.replace("</p>", " ").replace("<p>", "");
    format!(
        "<head><script type='application/ld+json'>{{\"@graph\":[{{\"@type\":\"WebPage\"}},\
         {{\"@type\":\"NewsArticle\",\"articleBody\":\"{text}\"}}]}}</script></head>"
    )
}

#[test]
fn json_ld_body_widens_the_root_over_cousin_sections() {
    let (a, b) = (para("harbour", 3), para("ferry", 2));
    let page = |head: &str| {
        format!(
            "<html>{head}<body><div class=wrap><div class=part><div class=story-body>{a}</div></div>\
             <div class=part-two><div>{b}</div></div></div><div class=comments>{}</div></body></html>",
            para("comment", 2)
        )
    };
    // Without JSON-LD the cousin section is lost: that is what the cross-check is for.
    let plain = kept(&page(""));
    assert_eq!(plain.len(), 3, "{plain:?}");
    let with_ld = kept(&page(&ld_head(&format!("{a}{b}"))));
    assert_eq!(with_ld.len(), 5, "{with_ld:?}");
    assert!(with_ld.iter().all(|t| !t.contains("comment report")));
}

#[test]
fn a_json_ld_body_cut_to_the_first_paragraph_does_not_narrow_the_article() {
    let first = para("harbour", 1);
    let src = format!(
        "<html>{}<body><div class=story>{}</div><div class=side><a href=/x>Other</a></div></body></html>",
        ld_head(&first),
        para("harbour", 4)
    );
    let got = marked(&src);
    assert_eq!(
        got.iter().filter(|(_, r)| r.is_empty()).count(),
        4,
        "{got:?}"
    );
}

#[test]
fn of_sibling_articles_the_one_with_the_page_headline_is_the_article() {
    let related: String = ["ferry", "roof", "pier"]
        .iter()
        .map(|t| {
            format!(
                "<article class='post hentry'><h2>On the {t}</h2>{}</article>",
                para(t, 2)
            )
        })
        .collect();
    let page = |title: &str| {
        format!(
            "<html><head><title>{title}</title></head><body><div class=main>\
             <article class='post hentry'><h1>Harbour wall gets its funding</h1>{}</article>\
             <article class='post hentry'><h3>You may also like</h3>{related}</article>\
             </div></body></html>",
            para("harbour", 2)
        )
    };
    let got = kept(&page("Harbour wall gets its funding | Town News"));
    assert!(
        got.iter().filter(|t| t.contains("harbour report")).count() == 2
            && !got.iter().any(|t| t.contains("ferry report")),
        "{got:?}"
    );
    // Without a headline to go by, the scores decide as before.
    let got = kept(&page("Town News"));
    assert!(got.iter().any(|t| t.contains("ferry report")), "{got:?}");
}

#[test]
fn inline_markup_of_links_alone_goes_but_inline_running_text_with_links_stays() {
    let card = "<span class=card><a href=/p/1>Jane Doe</a><a href=/s/1>Council votes on the \
                budget again</a> <a href=/s/2>Harbour plan delayed</a></span>";
    let src = format!(
        "<body><div class=story>{}<p>The mayor, {card} said on Monday that the ferry, the \
         pier and the roof come first.</p><p><em>See <a href=/a>the budget</a>, \
         <a href=/b>the minutes</a> and <a href=/c>the vote</a> for what the council \
         decided.</em></p>{}<strong>Tags<br><a href=/t/1>harbour</a>, <a href=/t/2>ferry</a>, \
         <a href=/t/3>council budget</a></strong></div></body>",
        para("harbour", 2),
        para("ferry", 2)
    );
    let got = marked(&src);
    let reason = |t: &str| {
        got.iter()
            .find(|(x, _)| x.starts_with(t))
            .map(|(_, r)| r.as_str())
    };
    assert_eq!(reason("The mayor, said on Monday"), Some(""), "{got:?}");
    assert_eq!(reason("Jane Doe"), Some("content.link-dense"), "{got:?}");
    assert_eq!(reason("See the budget"), Some(""), "{got:?}");
    assert_eq!(
        reason("harbour, ferry"),
        Some("content.link-dense"),
        "{got:?}"
    );
}

#[test]
fn sections_of_the_same_template_around_a_figure_make_one_article() {
    let page = |second_headline: &str| {
        format!(
            "<body><div class=page><section class=outer><div class='body-text wysiwyg'>{}</div>\
             </section><div class=media><div class=frame><img src=a.jpg></div></div>\
             <div class=more><section class=outer>{second_headline}<div class='body-text wysiwyg'>{}</div>\
             </section></div></div><div class=comments>{}</div></body>",
            para("harbour", 5),
            para("ferry", 4),
            para("comment", 2)
        )
    };
    let got = kept(&page(""));
    assert_eq!(got.len(), 9, "{got:?}");
    assert!(got.iter().all(|t| !t.contains("comment report")));
    // A second headline above the other part: another article in the same template.
    let got = kept(&page("<h1>Ferry news</h1>").replace(
        "<section class=outer>",
        "<section class=outer><h1>Harbour news</h1>",
    ));
    assert!(!got.iter().any(|t| t.contains("ferry report")), "{got:?}");
}

#[test]
fn a_link_list_the_json_ld_body_confirms_is_kept() {
    let list = "<ul><li><a href=/a>Cordless drill with two batteries down to 59 dollars</a></li>\
                <li><a href=/b>Noise cancelling headphones now 120 dollars off today</a></li></ul>";
    let ld = format!(
        "{}Cordless drill with two batteries down to 59 dollars. \
         Noise cancelling headphones now 120 dollars off today. {}",
        para("deals", 2),
        para("gifts", 2)
    );
    let body = format!(
        "<body><article><div>{}{list}{}</div></article></body>",
        para("deals", 2),
        para("gifts", 2)
    );
    let with_ld = marked(&format!("<html>{}{body}</html>", ld_head(&ld)));
    assert!(
        with_ld
            .iter()
            .any(|(t, r)| t.starts_with("Cordless drill") && r.is_empty()),
        "{with_ld:?}"
    );
    let without = marked(&format!("<html>{body}</html>"));
    assert!(without
        .iter()
        .any(|(t, r)| t.starts_with("Cordless drill") && r == "content.link-dense"));
}
