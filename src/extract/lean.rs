//! Lean HTML: the page as the parser needs to see it for extraction, without the contents of its
//! `<script>` and `<style>` elements and without the attributes no later stage reads.
//!
//! On news pages, script and style text is about half of the bytes (27% and 26% on the Zyte
//! benchmark pages), and none of it is ever article text: extraction and content detection skip
//! both elements. Of what is left, two thirds are attribute text (`data-*`, `style`, `srcset`,
//! link targets, SVG paths), and only a few attributes are ever read: `class`, `id` and friends
//! by content detection, `<meta>` and `<link rel=canonical>` ones by metadata, and whatever
//! the rule files' selectors name ([`Keep`]). The HTML tokenizer still walks every byte
//! character by character, so cutting both out with a byte scan first is the cheapest parse
//! speed-up there is. JSON-LD scripts (`type="application/ld+json"`) are kept: metadata and
//! content detection read them.
//!
//! Contract: the parser builds the same tree from the lean page, with the same elements, the
//! same text and, on every element, the kept attributes with the same values. Only bytes the
//! HTML tokenizer would read as raw text of a `script` or `style` element, or as a whole
//! attribute (name and value) of a start tag, are removed. Attributes the tree builder itself
//! looks at (`type`, `encoding`, `color`, `face`, `size`) are always kept. The scan follows the
//! tokenizer where it matters: comments, the attribute states (quoted values containing `>`),
//! the other raw-text elements (`textarea`, `title`, `noscript`, …) and the script-data escape
//! states (`<!-- <script> … </script> -->` inside a script does not end it). Where the scan
//! cannot tell, it keeps the bytes: leaving text in costs time, never output.

use std::borrow::Cow;

use memchr::{memchr, memmem};

/// Which attributes the lean page keeps besides the built-in ones ([`keeps`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// Every attribute: some selector depends on attributes in a way its text does not name
    /// (an escape, a namespace, a pseudo-class such as `:link`).
    All,
    /// The built-in ones and these names (lower case), e.g. those the rule selectors name.
    Named(Vec<String>),
}

impl Default for Keep {
    fn default() -> Self {
        Keep::Named(Vec::new())
    }
}

impl Keep {
    /// Whether an attribute `name` (as written) on element `tag` (as written) stays.
    fn keeps(&self, tag: &[u8], name: &[u8]) -> bool {
        match self {
            Keep::All => true,
            Keep::Named(extra) => {
                keeps(tag, name)
                    || extra
                        .iter()
                        .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
            }
        }
    }
}

/// The built-in kept attributes: those a stage reads (content detection: `class`, `id`,
/// `itemprop`, `hidden`, `type` of JSON-LD scripts; metadata: `<meta>` `property`, `name` and
/// `content`, `<time datetime>`, `<link rel href>`, `<html lang>`), and those the tree builder
/// looks at (`<input type>` in tables, `<annotation-xml encoding>`, `<font color face size>`
/// leaving foreign content).
fn keeps(tag: &[u8], name: &[u8]) -> bool {
    let is = |n: &[u8]| name.eq_ignore_ascii_case(n);
    // `href` and `rel` are long and on every `<a>`; only `<link>` ones are read.
    let link = || tag.eq_ignore_ascii_case(b"link");
    match name.len() {
        2 => is(b"id"),
        3 => is(b"rel") && link(),
        4 => {
            is(b"type")
                || is(b"lang")
                || is(b"name")
                || is(b"face")
                || is(b"size")
                || (is(b"href") && link())
        }
        5 => is(b"class") || is(b"color"),
        6 => is(b"hidden"),
        7 => is(b"content"),
        8 => is(b"itemprop") || is(b"property") || is(b"datetime") || is(b"encoding"),
        _ => false,
    }
}

/// `html` without the contents of its non-JSON-LD `script` and its `style` elements, and
/// without the start-tag attributes that `keep` and the built-in list do not keep.
pub fn page<'a>(html: &'a str, keep: &Keep) -> Cow<'a, str> {
    let b = html.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    // One tag's attributes.
    let mut spans: Vec<AttrSpan> = Vec::new();
    // The open SVG and MathML elements, outermost first: inside them `script` and `style` hold
    // markup, and HTML tags can break out of them, so nothing there is cut (skipping keeps
    // bytes, the safe side).
    let mut foreign: Vec<Foreign> = Vec::new();
    // The HTML integration point (`svg` `title`, MathML `mi`, …) the scan is inside, and
    // whether any tag came inside it (then the next end tag stops the cutting: see there).
    let mut point: Option<(&[u8], bool)> = None;
    // Text runs from `text_from` to the next markup; `None` until the scan is past the markup.
    let mut text_from = Some(0);
    // Whitespace is squeezed until a `pre` or `listing` opens (their text keeps it).
    let mut squeeze = true;
    let mut i = 0;
    while let Some(off) = memchr(b'<', &b[i..]) {
        let lt = i + off;
        let from = *text_from.get_or_insert(i);
        // The text before `lt` ends here unless `lt` turns out to be a `<` in text.
        let mut text_ends = |cuts: &mut Vec<(usize, usize)>| {
            if squeeze {
                squeeze_spaces(b, from, lt, cuts);
            }
            text_from = None;
        };
        i = lt + 1;
        let rest = &b[i..];
        if rest.starts_with(b"!--") {
            text_ends(&mut cuts);
            i = comment_end(b, i + 3);
            continue;
        }
        if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
            // Doctype or bogus comment: ends at the first `>`.
            text_ends(&mut cuts);
            i = memchr(b'>', rest).map_or(b.len(), |e| i + e + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = i + usize::from(closing);
        // A tag name runs to whitespace, `/` or `>` (`<script-x>` is not a script).
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| !matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            if closing {
                // `</` without a letter: `</>` is dropped, anything else is a bogus comment
                // up to the next `>`.
                text_ends(&mut cuts);
                i = memchr(b'>', &b[i..]).map_or(b.len(), |e| i + e + 1);
            }
            continue; // a `<` in text
        }
        let name = &b[name_start..name_start + name_len];
        spans.clear();
        let Some((tag_end, _)) = tag_end(b, name_start + name_len, &mut spans) else {
            text_from = None;
            break; // an unclosed tag runs to the end of the input
        };
        text_ends(&mut cuts);
        i = tag_end + 1;
        if !closing && *keep != Keep::All {
            let first = cuts.len();
            for &AttrSpan {
                start,
                name_end,
                end,
                ..
            } in &spans
            {
                if !keep.keeps(name, &b[start..name_end]) {
                    cuts.push((start, end));
                }
            }
            // The cuts must not leave a `/` right before the `>`: `<svg/x>` (or `<a/'=""<b>`,
            // two attributes) would become the self-closing `<svg/>`. Keeping the last
            // attribute keeps the bytes before the `>` as they were.
            let mut at = tag_end;
            for &(start, end) in cuts[first..].iter().rev() {
                if end != at {
                    break;
                }
                at = start;
            }
            if at < tag_end && b[at - 1] == b'/' {
                cuts.pop();
            }
        }
        let is = |n: &[u8]| name.eq_ignore_ascii_case(n);
        if closing {
            if let Some((p, tags_inside)) = point {
                if !tags_inside && name.eq_ignore_ascii_case(p) {
                    point = None; // the usual icon `<svg><title>Share</title>`
                    foreign.pop();
                } else {
                    // Which elements any other end tag closes, or whether the parser ignores
                    // it, depends on what is open there: `<svg><title><div></title>` leaves
                    // both open, `<svg><style><desc></style>` closes both. Stop cutting.
                    text_from = None;
                    break;
                }
            } else if foreign.is_empty() {
                // HTML: no raw text ends here, whatever the end tag closes.
            } else if is(b"p") || is(b"br") {
                foreign.clear(); // these end tags pop the parser out of foreign content
            } else if let Some(at) = foreign.iter().rposition(|f| is(f.name)) {
                foreign.truncate(at); // closes that element and those inside it
            } else {
                // No open foreign element has that name: the parser hands the end tag to the
                // HTML rules, which may close an element around the SVG (and so leave it) or
                // ignore it, depending on what is open there. Stop cutting.
                text_from = None;
                break;
            }
            continue;
        }
        if is(b"pre") || is(b"listing") {
            squeeze = false; // (in SVG too: the parser may be leaving it for this tag)
        }
        let self_closing = b[tag_end - 1] == b'/';
        if let (Some(&inner), None) = (foreign.last(), point) {
            // SVG or MathML: markup, whatever the name, so nothing to cut and no raw text to
            // jump over. An HTML tag such as `<p>` ends all foreign content (the parser pops
            // out of it); `title`, `desc` and `foreignObject` in SVG and the text elements in
            // MathML hold HTML again (integration points) until they close. Which is which
            // goes by the namespace the parser is in, not by the name: `<math>` inside SVG is
            // an SVG element, and its `<mi>` is no integration point.
            let font_breaks = is(b"font")
                && spans.iter().any(|a| {
                    let n = &b[a.start..a.name_end];
                    [&b"color"[..], b"face", b"size"]
                        .iter()
                        .any(|k| n.eq_ignore_ascii_case(k))
                });
            if font_breaks || BREAKOUT.iter().any(|n| is(n)) {
                foreign.clear();
            } else if self_closing {
                // A foreign element with `/>` is complete: it opens nothing.
            } else if !inner.svg_space && is(b"annotation-xml") {
                // An integration point only with an HTML `encoding`: not followed here.
                text_from = None;
                break;
            } else {
                foreign.push(Foreign {
                    name,
                    svg_space: inner.svg_space,
                });
                if INTEGRATION[usize::from(inner.svg_space)]
                    .iter()
                    .any(|n| is(n))
                {
                    point = Some((name, false));
                }
            }
            continue;
        }
        if let Some((p, _)) = point {
            if foreign.last().is_some_and(|f| !f.svg_space) && (is(b"mglyph") || is(b"malignmark"))
            {
                // MathML even inside a MathML text element: not followed here.
                text_from = None;
                break;
            }
            point = Some((p, true));
        }
        if is(b"svg") || is(b"math") {
            if point.is_some() {
                text_from = None;
                break; // foreign content nested in an integration point: stop cutting here
            }
            // HTML ignores `/>` on `script` or `style` (raw text follows all the same); on
            // `svg` it means no foreign content opens.
            if !self_closing {
                foreign.push(Foreign {
                    name,
                    svg_space: is(b"svg"),
                });
            }
        } else if point.is_some() && (is(b"script") || is(b"style")) {
            // HTML inside foreign content: raw text all the same, but kept rather than cut.
            i = if is(b"script") {
                script_end(b, i)
            } else {
                end_tag(b, i, name)
            };
        } else if is(b"script") {
            let end = script_end(b, i);
            let attrs = &b[name_start + name_len..tag_end];
            if !contains_ci(attrs, b"ld+json") && end > i {
                cuts.push((i, end));
            }
            i = end;
        } else if is(b"style") {
            let end = end_tag(b, i, b"style");
            if end > i {
                cuts.push((i, end));
            }
            i = end;
        } else if is(b"plaintext") {
            text_from = None;
            break; // everything after it is text
        } else if [
            &b"title"[..],
            b"textarea",
            b"xmp",
            b"iframe",
            b"noembed",
            b"noframes",
            b"noscript",
        ]
        .iter()
        .any(|n| is(n))
        {
            // Raw text and RCDATA: a `<script>` inside is text, not an element.
            i = end_tag(b, i, name);
        }
    }
    if let (Some(from), true) = (text_from, squeeze) {
        squeeze_spaces(b, from, b.len(), &mut cuts);
    }
    if cuts.is_empty() {
        return Cow::Borrowed(html);
    }
    let removed: usize = cuts.iter().map(|(s, e)| e - s).sum();
    let mut out = String::with_capacity(html.len() - removed);
    let mut from = 0;
    for (s, e) in cuts {
        // Cut points are at ASCII bytes (`>` before, `<` after), so they are char boundaries.
        out.push_str(&html[from..s]);
        from = e;
    }
    out.push_str(&html[from..]);
    Cow::Owned(out)
}

/// Cuts from the text `b[from..to]` every whitespace run holding a line break down to that
/// line break. Extraction collapses whitespace anyway, but the tokenizer treats each line
/// break on its own, and page indentation is a sixth of the lean page; keeping one line break
/// keeps the text node, and whether its text has one.
fn squeeze_spaces(b: &[u8], from: usize, to: usize, cuts: &mut Vec<(usize, usize)>) {
    let space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut j = from;
    while let Some(off) = memchr(b'\n', &b[j..to]) {
        let nl = j + off;
        let mut start = nl;
        while start > j && space(b[start - 1]) {
            start -= 1;
        }
        let mut end = nl + 1;
        while end < to && space(b[end]) {
            end += 1;
        }
        if start < nl {
            cuts.push((start, nl));
        }
        if nl + 1 < end {
            cuts.push((nl + 1, end));
        }
        j = end;
    }
}

/// Start tags that end foreign content: the HTML parser leaves SVG or MathML for them (and
/// for `font` with a `color`, `face` or `size`).
const BREAKOUT: &[&[u8]] = &[
    b"b",
    b"big",
    b"blockquote",
    b"body",
    b"br",
    b"center",
    b"code",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"em",
    b"embed",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"hr",
    b"i",
    b"img",
    b"li",
    b"listing",
    b"menu",
    b"meta",
    b"nobr",
    b"ol",
    b"p",
    b"pre",
    b"ruby",
    b"s",
    b"small",
    b"span",
    b"strong",
    b"strike",
    b"sub",
    b"sup",
    b"table",
    b"tt",
    b"u",
    b"ul",
    b"var",
];

/// An open SVG or MathML element.
#[derive(Debug, Clone, Copy)]
struct Foreign<'a> {
    /// Its tag name as written: an end tag closes the innermost open element of that name.
    name: &'a [u8],
    /// Whether it is in the SVG namespace (else MathML). Only `svg` and `math` in HTML choose
    /// the namespace; inside foreign content every element takes its parent's (`<math>` in
    /// SVG is an SVG element).
    svg_space: bool,
}

/// Elements whose content is parsed as HTML again: MathML's (`[0]`) and SVG's (`[1]`).
/// (`annotation-xml` is one only with an HTML `encoding`, and is not followed.)
const INTEGRATION: [&[&[u8]]; 2] = [
    &[b"mi", b"mo", b"mn", b"ms", b"mtext"],
    &[b"title", b"desc", b"foreignObject"],
];

/// Position after the comment whose text starts at `from` (just past `<!--`), as the tokenizer
/// ends it: `<!-->` and `<!--->` are complete comments, and an unclosed comment runs to the
/// end. Shared with the depth check (`limits::html_depth`), which must skip the same comments.
pub(crate) fn comment_end(b: &[u8], from: usize) -> usize {
    let rest = &b[from.min(b.len())..];
    if rest.starts_with(b">") {
        return from + 1;
    }
    if rest.starts_with(b"->") {
        return from + 2;
    }
    // `--!>` ends a comment too (the tokenizer's comment-end-bang state).
    let mut j = from;
    while let Some(off) = memmem::find(&b[j..], b"--") {
        let at = j + off;
        match (b.get(at + 2), b.get(at + 3)) {
            (Some(b'>'), _) => return at + 3,
            (Some(b'!'), Some(b'>')) => return at + 4,
            _ => j = at + 1,
        }
    }
    b.len()
}

/// One attribute of a tag, as byte positions in the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttrSpan {
    /// First byte of the name (a leading `=` belongs to it).
    pub start: usize,
    pub name_end: usize,
    /// The value without its quotes; empty when there is none.
    pub value: (usize, usize),
    /// Past the value (and its closing quote), or past the name when there is no value.
    pub end: usize,
}

/// Position of the `>` ending a tag whose attributes start at `from` (just past its name), and
/// whether the tag is self-closing (`/>`), or `None` when the input ends first. Follows the
/// tokenizer's attribute states, so a quoted value may hold `>` and `=` opens a value only
/// after a name. Pushes each attribute onto `attrs`. Shared with [`crate::extract::parse`],
/// which reads the same tags into tokens.
pub(crate) fn tag_end(b: &[u8], from: usize, attrs: &mut Vec<AttrSpan>) -> Option<(usize, bool)> {
    let space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut j = from;
    loop {
        // Before an attribute name: `/` not followed by `>` is skipped like space.
        while space(*b.get(j)?) || (b[j] == b'/' && b.get(j + 1) != Some(&b'>')) {
            j += 1;
        }
        if b[j] == b'>' {
            return Some((j, false));
        }
        if b[j] == b'/' {
            return Some((j + 1, true)); // `/>`
        }
        // The name: a leading `=` belongs to it.
        let start = j;
        j += 1;
        while !matches!(
            *b.get(j)?,
            b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>' | b'='
        ) {
            j += 1;
        }
        let name_end = j;
        while space(*b.get(j)?) {
            j += 1;
        }
        let mut span = AttrSpan {
            start,
            name_end,
            value: (j, j),
            end: name_end,
        };
        if b[j] != b'=' {
            attrs.push(span);
            continue; // `>`, `/` or the next name
        }
        j += 1;
        while space(*b.get(j)?) {
            j += 1;
        }
        match b[j] {
            b'>' => {
                // `a=>`: no value, and the tag ends.
                span.end = j;
                attrs.push(span);
                return Some((j, false));
            }
            q @ (b'"' | b'\'') => {
                let close = j + 1 + memchr(q, &b[j + 1..])?;
                span.value = (j + 1, close);
                j = close + 1;
            }
            _ => {
                let value = j;
                while !matches!(*b.get(j)?, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'>') {
                    j += 1;
                }
                span.value = (value, j);
            }
        }
        span.end = j;
        attrs.push(span);
    }
}

/// Start of the end tag `</name` (followed by whitespace, `/` or `>`) at or after `from`, or the
/// input's end.
fn end_tag(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut j = from;
    while let Some(off) = memmem::find(&b[j..], b"</") {
        let at = j + off;
        if is_end_tag(b, at, name) {
            return at;
        }
        j = at + 2;
    }
    b.len()
}

/// Whether `</name` (followed by whitespace, `/` or `>`) starts at `at`, name in any case.
fn is_end_tag(b: &[u8], at: usize, name: &[u8]) -> bool {
    b.get(at + 1) == Some(&b'/') && is_start_tag(b, at + 1, name)
}

/// Whether `<name` (followed by whitespace, `/` or `>`) starts at `at`; for an end tag, `at` is
/// the `/`.
fn is_start_tag(b: &[u8], at: usize, name: &[u8]) -> bool {
    let start = at + 1;
    let end = start + name.len();
    end < b.len()
        && b[start..end].eq_ignore_ascii_case(name)
        && matches!(b[end], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>')
}

/// Start of the `</script` that ends script data beginning at `from`, following the
/// tokenizer's escape states: after `<!--`, a `<script` opens a nested ("double escaped")
/// section whose `</script` does not end the element; `-->` leaves the escape.
fn script_end(b: &[u8], from: usize) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    let mut j = from;
    while j < b.len() {
        let Some(off) = memchr::memchr2(b'<', b'-', &b[j..]) else {
            return b.len();
        };
        let at = j + off;
        j = at + 1;
        if b[at] == b'-' {
            if state != State::Data && b[at..].starts_with(b"-->") {
                state = State::Data;
                j = at + 3;
            }
            continue;
        }
        match state {
            State::Data => {
                if b[at..].starts_with(b"<!--") {
                    state = State::Escaped;
                    // `<!-->` closes at once: the dashes are shared.
                    j = at + 2;
                } else if is_end_tag(b, at, b"script") {
                    return at;
                }
            }
            State::Escaped => {
                if is_end_tag(b, at, b"script") {
                    return at;
                }
                if is_start_tag(b, at, b"script") {
                    state = State::DoubleEscaped;
                }
            }
            State::DoubleEscaped => {
                if is_end_tag(b, at, b"script") {
                    state = State::Escaped;
                }
            }
        }
    }
    b.len()
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::html::extract;

    /// What extraction makes of a page: the lean page must give exactly the same.
    fn blocks(src: &str) -> Vec<(String, String)> {
        extract(&scraper::Html::parse_document(src), &Default::default())
            .into_iter()
            .map(|b| (b.text, format!("{:?}", b.kind)))
            .collect()
    }

    fn same(src: &str) {
        let lean = page(src, &Keep::default());
        assert_eq!(blocks(&lean), blocks(src), "page: {src}\nlean: {lean}");
    }

    #[test]
    fn script_and_style_contents_go_json_ld_stays() {
        let src = r#"<html><head><style>p{color:red}</style>
            <script type="application/ld+json">{"articleBody":"x"}</script></head>
            <body><script>var a = "<p>not text</p>";</script><p>Kept</p></body></html>"#;
        let lean = page(src, &Keep::default());
        assert!(
            !lean.contains("color:red") && !lean.contains("not text"),
            "{lean}"
        );
        assert!(lean.contains("articleBody") && lean.contains("<p>Kept</p>"));
        same(src);
    }

    #[test]
    fn only_attributes_a_stage_reads_stay() {
        let src = r#"<html lang=en><head><link rel=canonical href="/a"><meta property="og:title" content="T" data-x=1></head>
            <body><div class="main" data-track='{"a":">"}' style="color:red" id=m><a href="/b" rel=nofollow>Link</a>
            <time datetime="2024-01-01" title="x">Jan</time><img src=a.png srcset="a.png 2x"><p itemprop=articleBody hidden>Text</p></div></body></html>"#;
        let lean = page(src, &Keep::default());
        assert_eq!(
            lean,
            "<html lang=en><head><link rel=canonical href=\"/a\"><meta property=\"og:title\" content=\"T\" ></head>\n\
             <body><div class=\"main\"   id=m><a  >Link</a>\n\
             <time datetime=\"2024-01-01\" >Jan</time><img  ><p itemprop=articleBody hidden>Text</p></div></body></html>"
        );
        same(src);
        let named = page(src, &Keep::Named(vec!["data-track".into()]));
        assert!(named.contains(r#"data-track='{"a":">"}'"#), "{named}");
        assert!(page(src, &Keep::All).contains(r#"srcset="a.png 2x""#));
    }

    #[test]
    fn indentation_is_squeezed_outside_pre() {
        let src = "<body>\n  <div>\n\n    <p>a  b</p> \t\r\n </div><!-- \n\n -->\n  <pre>\n  x\n\n  y</pre>\n\n</body>";
        let lean = page(src, &Keep::default());
        assert_eq!(
            lean,
            "<body>\n<div>\n<p>a  b</p>\n</div><!-- \n\n -->\n<pre>\n  x\n\n  y</pre>\n\n</body>"
        );
        same(src);
    }

    #[test]
    fn attribute_cuts_follow_the_attribute_states() {
        for (src, lean) in [
            // `=` opens a value only after a name: a leading `=` and the `"` after it are
            // part of the name, so the first `>` ends the tag.
            (r#"<p =">" x>"#, r#"<p >" x>"#),
            // No space after a quoted value; unquoted values run to space or `>`.
            (r#"<p class="a"data-x="b"id=c/>"#, r#"<p class="a"id=c/>"#),
            (r#"<p data-x=a/b class=c>"#, r#"<p  class=c>"#),
            // `/` between attributes is skipped; cutting before `/>` keeps the self-closing
            // flag as written, and never makes one.
            (r#"<br data-a/ class=k/>"#, r#"<br / class=k/>"#),
            (r#"<svg/x>"#, r#"<svg/x>"#),
            (r#"<svg/x data-y=1>"#, r#"<svg/ >"#),
            (r#"<a/'=""<b>"#, r#"<a/<b>"#),
            (r#"<a/'="" <b>"#, r#"<a/ >"#),
            (r#"<p data-a=>x"#, r#"<p >x"#),
            // End tags are left alone.
            (r#"</p data-a=1>"#, r#"</p data-a=1>"#),
        ] {
            assert_eq!(page(src, &Keep::default()), lean, "{src}");
        }
    }

    #[test]
    fn the_scan_follows_the_tokenizer() {
        for page in [
            // A `<script>` in a comment, an attribute value, a title or a textarea is text.
            "<body><!-- <script> --><p>One</p><script>x</script><p>Two</p></body>",
            "<body><a title='<script>'>Link</a><p>After</p><script>y</script></body>",
            "<head><title>A <script> in a title</title></head><body><p>Body</p></body>",
            "<body><textarea><script></textarea><p>P</p><script>z</script></body>",
            // `>` inside a quoted attribute does not end the tag.
            "<body><script data-x=\"a>b\">var q = 1;</script><p>Text</p></body>",
            // Escape states: the first `</script>` is inside a double-escaped section.
            "<body><script><!-- document.write('<script src=x></script>'); //--></script><p>After</p></body>",
            "<body><script><!-- old style --></script><p>After</p></body>",
            "<body><SCRIPT>a</SCRIPT ><p>Upper</p><Style>b</sTyle><p>Mixed</p></body>",
            // Unclosed elements run to the end.
            "<body><p>Before</p><script>never closed <p>x</p>",
            "<body><p>Before</p><style>never closed",
            "<body><p>x</p><!-- unclosed <script>",
            "<body><p>a</p><!--><script>s</script><p>b</p><!---><p>c</p></body>",
            // `--!>` ends a comment: the `-->` after it is title text.
            "<body><!-- x --!><title>--><p data-g=1>d</p></title><!----!><p data-h=2>e</p></body>",
            "<body><!-- x --!-><p data-i=3>f</p>--><!-- --->g<p data-j=4>h</p></body>",
            "<body><script>if (a</scripts) {}</script><p>d</p></body>",
            "<body><p>e < f</p><script>g</script><p>h</p></body>",
            "<body><plaintext><script>i</script>",
            "<body><noscript><script>j</script></noscript><p>k</p></body>",
            "<body><script-x>l</script-x><p>m</p><script>n</script></body>",
            "<body><svg><style/></svg><p>o</p><style>p</style><p>q</p></body>",
            "<body><svg><script>unclosed</svg><p>r</p><script>s</script><p>t</p></body>",
            // `<math>` inside SVG is an SVG element: its `<mi>` holds no HTML, `<style/>` is
            // complete, and the `<title>` in `<desc>` is HTML, whose text runs to the end.
            "<body><svg><math><mi><style/><desc><title></style><p data-y=2>u</p></body>",
            "<body><math><svg><title><style/><mi><b data-z=1>v</b></title></svg></math></body>",
            "<body><svg><font>w<style><title><b data-a=1></style></font></svg><p>x</p></body>",
            "<body><svg><desc><desc>y</desc><style><title><b data-b=1></style></desc></svg></body>",
            "<body><svg/x=1><title><div id=k></title><noscript><div data-c=1></body>",
            "<body><svg><style><desc></style><script><p><textarea></script><p data-k=1/></body>",
            "<body><div><svg><title></div><title><b data-d=1></title><p>z</p></body>",
            // An end tag for an HTML element around the SVG leaves it.
            "<body><foreignObject><svg></foreignObject><noscript><p data-e=1></body>",
            "<body><svg><g><path></path></g><rect/></svg><style>s</style><p data-f=1>a</p></body>",
        ] {
            same(page);
        }
    }

    #[test]
    fn pages_without_raw_text_are_borrowed() {
        assert!(matches!(
            page("<p class=x>plain</p>", &Keep::default()),
            Cow::Borrowed(_)
        ));
    }
}
