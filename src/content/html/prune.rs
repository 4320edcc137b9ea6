//! Inside the chosen article, the containers that are not body text ([`prune()`]): link lists,
//! forms, captions and image boxes, galleries, chrome class words without prose, and inline
//! markup holding several links and hardly a word besides. Each answer is the `content.*`
//! reason the block is removed with.

use super::*;

/// Longest text (non-space characters) a `div`/`span` holding an image is taken for a caption
/// with.
pub(super) const CAPTION_MAX: u32 = 200;

/// Why a container inside the article is not body text, if it is not.
pub(super) fn prune(nodes: &[Node1], i: usize) -> Option<&'static str> {
    let n = &nodes[i];
    let tag = n.tag;
    if matches!(tag, "figure" | "figcaption") {
        return Some("content.caption");
    }
    if matches!(tag, "form" | "fieldset") && n.inputs > 0 && n.paras < 3 {
        return Some("content.form");
    }
    // Text-level markup holding several links and hardly a word besides (a tag list set in
    // `<strong>` straight in the article's container, a hover card in a paragraph) is a link
    // list however long; markup around running text has words of its own.
    if matches!(tag, "span" | "strong" | "b" | "em" | "i" | "small" | "font")
        && n.anchors >= 3
        && n.text.saturating_sub(n.link) < MIN_PARAGRAPH
    {
        return Some("content.link-dense");
    }
    if !matches!(
        tag,
        "div"
            | "section"
            | "ul"
            | "ol"
            | "dl"
            | "table"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "form"
            | "fieldset"
            | "span"
            | "p"
            | "li"
    ) {
        return None;
    }
    let ld = link_density(n);
    let weight = n.weight;
    let is_list = matches!(tag, "ul" | "ol" | "dl");
    if weight < 0.0 && n.text < 2000 && n.commas < 10 {
        return Some("content.chrome-class");
    }
    if n.text == 0 {
        return None;
    }
    if matches!(tag, "p" | "span" | "li") {
        if ld > 0.8 && n.text < 200 && tag != "li" {
            return Some("content.link-dense");
        }
        return None;
    }
    if n.commas >= 10 && ld < 0.5 {
        return None;
    }
    if ld > 0.5 {
        return Some("content.link-dense");
    }
    if !is_list && weight < 25.0 && ld > 0.25 {
        return Some("content.link-dense");
    }
    if n.inputs > 0 && n.inputs as f64 > (n.paras as f64 / 3.0).floor() {
        return Some("content.form");
    }
    if n.imgs > 1 && (n.paras as f64 / n.imgs as f64) < 0.5 && n.text < 200 {
        return Some("content.gallery");
    }
    // An image with a line or two of text and no more is a caption box whatever its markup
    // (`figure` is handled above): the text is short of what a paragraph of the article holds.
    if n.imgs >= 1
        && n.paras <= 1
        && n.lis == 0
        && n.text < CAPTION_MAX
        && matches!(tag, "div" | "span")
    {
        return Some("content.caption");
    }
    if (n.embeds == 1 && n.text < 75) || n.embeds > 1 && n.paras == 0 {
        return Some("content.embed");
    }
    None
}
