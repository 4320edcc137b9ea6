//! Limits: how much work one document may cost before it is skipped.
//!
//! Raw dumps hold anything: a 100 MB log line, a gzip bomb, markup nested 100 000 levels deep
//! (html5ever's tree builder is quadratic on that and the DOM walk could exhaust the stack). Each
//! limit here is checked as early and as cheaply as possible — file size before reading, gzip
//! and zstd output while inflating (a zstd frame's stated size before it), nesting depth by a
//! byte scan *before* parsing, line length before splitting, the time budget between stages —
//! and exceeding one is a [`LimitExceeded`] that the pipeline records as a `skipped` outcome
//! naming the limit (and its CLI flag), never a hang or an abort. [`Limits::default`] holds the
//! defaults the CLI uses.

use std::time::Duration;

const MIB: u64 = 1024 * 1024;

/// Per-document limits. Build with [`Limits::default`] and override fields as needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input read, in bytes (before decompression). Checked from the file size before
    /// the file is read, so an oversized file costs nothing.
    pub max_input_bytes: u64,
    /// Largest decompressed size of a gzip or zstd file holding one document, in bytes (against
    /// decompression bombs).
    pub max_decompressed_bytes: u64,
    /// Deepest element nesting accepted in HTML, estimated before parsing.
    pub max_depth: usize,
    /// Longest line accepted in a text input, in bytes (HTML is exempt: minified pages are one
    /// long line by design).
    pub max_line_bytes: usize,
    /// Wall-clock time one document may take, checked between stages: a stage that has started
    /// finishes, the next one does not start.
    pub time_budget: Duration,
}

impl Default for Limits {
    /// Defaults sized for news pages: the largest real article pages are a few MiB and nest a
    /// few dozen levels; these leave two orders of magnitude of headroom.
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 * MIB,
            max_decompressed_bytes: 256 * MIB,
            // Blink's HTML parser stops nesting at 512; html5ever is still fast at 1024.
            max_depth: 1024,
            max_line_bytes: MIB as usize,
            time_budget: Duration::from_secs(30),
        }
    }
}

/// `bytes` in MiB, the unit of the `--max-*-mb` flags: whole when it is, else to a tenth.
fn mib(bytes: u64) -> String {
    if bytes % MIB == 0 {
        (bytes / MIB).to_string()
    } else {
        format!("{:.1}", bytes as f64 / MIB as f64)
    }
}

/// A limit a document exceeded. The message names the limit and the flag that sets it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("limit max-input-size exceeded: input is {size} bytes, the limit is {limit} ({} MiB, --max-input-mb)", mib(*limit))]
    InputSize { size: u64, limit: u64 },
    /// `format`: `gzip` or `zstd`.
    #[error("limit max-decompressed-size exceeded: {format} input inflates to more than {limit} bytes ({} MiB, --max-decompressed-mb)", mib(*limit))]
    Decompressed { limit: u64, format: &'static str },
    /// A fixed limit: the decoder's memory is bounded whatever the flags say.
    #[error("limit zstd-window exceeded: the zstd frame needs a window over {max_mib} MiB (made with `zstd --long=27` or more?); recompress with a smaller window")]
    ZstdWindow { max_mib: u32 },
    #[error("limit max-depth exceeded: HTML nests at least {depth} elements deep, the limit is {limit} (--max-depth)")]
    Depth { depth: usize, limit: usize },
    #[error("limit max-line-length exceeded: line {line} is {len} bytes, the limit is {limit} ({} KiB, --max-line-kb)", limit / 1024)]
    LineLength {
        line: usize,
        len: usize,
        limit: usize,
    },
    #[error("limit time-budget exceeded: {elapsed_ms} ms spent by the end of the {stage} stage, the budget is {budget_ms} ms (--time-budget-ms)")]
    Time {
        stage: &'static str,
        elapsed_ms: u128,
        budget_ms: u128,
    },
}

/// Void elements: the tree builder nests nothing in them, with or without a `/` before the `>`
/// (`image` is read as `img`; `basefont`, `bgsound`, `frame`, `keygen` and `param` are obsolete
/// but still void to the parser).
fn void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"image"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"basefont"
            | b"bgsound"
            | b"frame"
            | b"keygen"
            | b"param"
    )
}

/// Elements whose end tag never comes (void) or may be left out: they do not nest what follows,
/// so counting them would report deep nesting for ordinary pages with unclosed `<p>` or `<li>`.
/// (A `match`, not a list search: it runs for every tag of every page.)
fn non_nesting(name: &[u8]) -> bool {
    void(name)
        || matches!(
            name,
            b"p" | b"li"
                | b"dt"
                | b"dd"
                | b"tr"
                | b"td"
                | b"th"
                | b"option"
                | b"optgroup"
                | b"rp"
                | b"rt"
                | b"rb"
                | b"rtc"
                | b"thead"
                | b"tbody"
                | b"tfoot"
                | b"colgroup"
                | b"caption"
                | b"html"
                | b"head"
                | b"body"
        )
}

/// Elements whose content is raw text until their end tag: tags inside them are not tags.
fn raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
            | b"plaintext"
    )
}

/// Start tags for which the parser leaves SVG or MathML content (it pops out to the nearest
/// HTML element). `font` does only with a `color`, `face` or `size`; taking it always leaves
/// foreign content early, which only over-counts.
fn breaks_out(name: &[u8]) -> bool {
    matches!(
        name,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"font"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    )
}

/// Elements of SVG (`svg`: true) or MathML whose content is parsed as HTML again.
fn integration_point(name: &[u8], svg: bool) -> bool {
    if svg {
        matches!(name, b"title" | b"desc" | b"foreignobject")
    } else {
        matches!(name, b"mi" | b"mo" | b"mn" | b"ms" | b"mtext")
    }
}

/// Estimates the deepest element nesting of an HTML text by one pass over its bytes, without
/// building a tree: start tags push, end tags pop, void elements and elements with optional end
/// tags are not counted, comments and raw-text elements are skipped. It stops and returns as
/// soon as the depth passes `stop_at`, so a hostile page costs at most one scan.
///
/// The estimate is an upper bound for well-formed pages and close for broken ones (an unclosed
/// `<div>` nests everything after it in html5ever too). Tags are read as the tokenizer reads
/// them (a quoted `>` does not end one, a name runs to space, `/` or `>`), since a scan that
/// disagrees about where a tag ends or what it is named can be led to miss nesting. A `/`
/// before the `>` closes an element only where the parser honours it: on void elements and in
/// SVG or MathML (foreign content); HTML ignores it, so `<div/>` nests like `<div>`.
pub fn html_depth(text: &str, stop_at: usize) -> usize {
    let b = text.as_bytes();
    let (mut i, mut depth, mut max) = (0usize, 0usize, 0usize);
    // The open SVG and MathML elements, outermost first, each with whether it is in the SVG
    // namespace; empty in HTML. Whenever the scan cannot tell what the parser does next, it
    // empties this and goes on as in HTML, where `/>` counts: that may over-count, never under.
    let mut foreign: Vec<(&[u8], bool)> = Vec::new();
    // The innermost foreign element is an HTML integration point (SVG `title`, MathML `mi`, …)
    // holding only text so far. Its end tag returns to foreign content; any other tag inside
    // makes which elements are open depend on HTML's rules, so the scan leaves foreign content.
    let mut in_point = false;
    while let Some(off) = memchr(b'<', &b[i..]) {
        i += off + 1;
        let rest = &b[i..];
        if rest.starts_with(b"!--") {
            i = crate::extract::lean::comment_end(b, i + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = i + usize::from(closing);
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue; // `<` in text, `<!doctype`, `<?xml`
        }
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| !matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
            .count();
        let written = &b[name_start..name_start + name_len];
        // Every name in the lists is short; a longer one nests and cannot be raw text.
        let mut lower = [0u8; 16];
        let name: &[u8] = if name_len <= lower.len() {
            lower[..name_len].copy_from_slice(written);
            lower[..name_len].make_ascii_lowercase();
            &lower[..name_len]
        } else {
            b"-"
        };
        let Some((tag_end, self_closing)) = tag_end(b, name_start + name_len) else {
            break; // the tokenizer drops a tag the input ends in
        };
        i = tag_end + 1;
        if closing {
            if let Some(at) = foreign
                .iter()
                .rposition(|f| f.0.eq_ignore_ascii_case(written))
            {
                if !in_point || at + 1 == foreign.len() {
                    // Closes that foreign element and those inside it.
                    depth = depth.saturating_sub(foreign.len() - at);
                    foreign.truncate(at);
                    in_point = false;
                    continue;
                }
            }
            if !foreign.is_empty() {
                // `</p>` and `</br>` pop out of foreign content, any other end tag goes to
                // HTML's rules, which may close an element around it or ignore the tag.
                foreign.clear();
                in_point = false;
                continue;
            }
            if !non_nesting(name) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if let Some(&(_, svg)) = foreign.last() {
            if in_point || breaks_out(name) || (!svg && name == b"annotation-xml") {
                // HTML from here on (`annotation-xml` holds HTML only with some `encoding`s).
                foreign.clear();
                in_point = false;
            } else {
                if !self_closing {
                    // Inside SVG or MathML every element nests, whatever HTML does with its
                    // name, and none holds raw text.
                    foreign.push((written, svg));
                    in_point = integration_point(name, svg);
                    depth += 1;
                    if depth > max {
                        max = depth;
                        if max > stop_at {
                            return max;
                        }
                    }
                }
                continue;
            }
        }
        if raw_text(name) {
            // Skip to the matching end tag; an unclosed `<script>` swallows the rest. (`/>`
            // does not make it empty: the parser ignores it here.)
            let mut close = b"</".to_vec();
            close.extend_from_slice(name);
            i = find_ascii_ci(&b[i..], &close).map_or(b.len(), |e| i + e);
            continue;
        }
        if name == b"svg" || name == b"math" {
            if !self_closing {
                foreign.push((written, name == b"svg"));
                depth += 1;
                if depth > max {
                    max = depth;
                    if max > stop_at {
                        return max;
                    }
                }
            }
            continue;
        }
        if non_nesting(name) {
            continue;
        }
        depth += 1;
        if depth > max {
            max = depth;
            if max > stop_at {
                return max;
            }
        }
    }
    max
}

/// Position of the `>` ending a tag whose attributes start at `from` (just past its name), and
/// whether it is `/>`, or `None` when the input ends first. Follows the tokenizer's attribute
/// states: a quoted value may hold `>`, and a quote opens a value only after `=`. (The same
/// walk as `extract::lean`'s, without collecting the attributes.)
fn tag_end(b: &[u8], from: usize) -> Option<(usize, bool)> {
    let space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut j = from;
    loop {
        // Before an attribute name: `/` not followed by `>` is skipped like space.
        while space(*b.get(j)?) || (b[j] == b'/' && b.get(j + 1) != Some(&b'>')) {
            j += 1;
        }
        match b[j] {
            b'>' => return Some((j, false)),
            b'/' => return Some((j + 1, true)),
            _ => {}
        }
        // The name: a leading `=` belongs to it.
        j += 1;
        while !matches!(
            *b.get(j)?,
            b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>' | b'='
        ) {
            j += 1;
        }
        while space(*b.get(j)?) {
            j += 1;
        }
        if b[j] != b'=' {
            continue; // `>`, `/` or the next name
        }
        j += 1;
        while space(*b.get(j)?) {
            j += 1;
        }
        match b[j] {
            b'>' => return Some((j, false)), // `a=>`: no value, and the tag ends
            q @ (b'"' | b'\'') => j += 2 + memchr(q, &b[j + 1..])?,
            _ => {
                while !matches!(*b.get(j)?, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'>') {
                    j += 1;
                }
            }
        }
    }
}

/// The first line (1-based) longer than `limit` bytes, with its length. `\n`, `\r\n` and a lone
/// `\r` end a line, as in text extraction.
pub fn long_line(text: &str, limit: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    // No line is longer than the whole text: a text within the limit (nearly every document
    // under the default of 1 MiB) is not split at all.
    if b.len() <= limit {
        return None;
    }
    let (mut start, mut line) = (0usize, 1usize);
    loop {
        let end = memchr::memchr2(b'\n', b'\r', &b[start..]).map_or(b.len(), |e| start + e);
        if end - start > limit {
            return Some((line, end - start));
        }
        if end >= b.len() {
            return None;
        }
        start = end + if b[end..].starts_with(b"\r\n") { 2 } else { 1 };
        line += 1;
    }
}

use memchr::memchr;

/// `needle` starts with `<`, which has no case: jump between `<`s and compare only there.
fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(off) = memchr(needle[0], &hay[at..]) {
        let i = at + off;
        if hay.len() - i >= needle.len() && hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_nesting_not_siblings_or_void_elements() {
        assert_eq!(html_depth("<div><div><span>x</span></div></div>", 100), 3);
        assert_eq!(html_depth(&"<p>a</p>".repeat(1000), 100), 0);
        // Unclosed <p>, <li> and void elements are not nesting.
        let page = "<html><body><ul>".to_string()
            + &"<li>item <br><img src=x><p>para".repeat(500)
            + "</ul></body></html>";
        assert_eq!(html_depth(&page, 100), 1);
        assert_eq!(
            html_depth("<br/><img/><input/><hr/><image/><param/>", 100),
            0
        );
    }

    #[test]
    fn a_slash_closes_only_void_and_foreign_elements() {
        // HTML ignores `/>` on other elements: each `<div/>` opens one.
        assert_eq!(html_depth("<div/><div/><div/>", 100), 3);
        assert_eq!(html_depth(&"<div/>x".repeat(200_000), 1024), 1025);
        assert_eq!(html_depth("<span/><p_x/><P_x>", 100), 3, "`p_x` is no `p`");
        // In SVG and MathML it does close, so icons do not add up.
        let icon = r#"<svg viewBox="0 0 9 9"><title>Share</title><g><path d="M0 0"/></g><use href="/i.svg#x"/></svg>"#;
        assert_eq!(html_depth(&icon.repeat(5000), 100), 2);
        assert_eq!(
            html_depth("<math><mi>x</mi><mspace/><mspace/></math>", 100),
            2
        );
        assert_eq!(html_depth("<svg/><svg/><math/>", 100), 0);
        // Where the parser leaves foreign content, `/>` counts again.
        assert_eq!(html_depth("<svg><div/><div/>", 100), 3);
        assert_eq!(html_depth("<svg><g></p><g/><g/>", 100), 4);
        assert_eq!(html_depth("<svg></x><g/><g/>", 100), 3);
        assert_eq!(
            html_depth("<svg><title><b>t</b></title><g/><g/><g/>", 100),
            4
        );
        assert_eq!(html_depth("<math><annotation-xml><g/>", 100), 3);
        // Inside foreign content every element nests, and none holds raw text.
        assert_eq!(
            html_depth(&("<svg>".to_string() + &"<td>".repeat(50)), 10),
            11
        );
        assert_eq!(
            html_depth(&("<svg><style>".to_string() + &"<div>".repeat(50)), 10),
            11
        );
    }

    #[test]
    fn tags_end_where_the_tokenizer_ends_them() {
        // A quoted `>` or `/>` is inside the value.
        assert_eq!(
            html_depth(&("<svg>".to_string() + &r#"<g a="/>">"#.repeat(50)), 10),
            11
        );
        assert_eq!(
            html_depth(r#"<div title="a>b"><div a='>' <script>><div>"#, 100),
            3
        );
        // `<!-->` and `--!>` end comments.
        assert_eq!(
            html_depth(&("<!-->".to_string() + &"<div>".repeat(5) + "-->"), 100),
            5
        );
        assert_eq!(
            html_depth(
                &("<!-- x --!>".to_string() + &"<div>".repeat(5) + "-->"),
                100
            ),
            5
        );
        // A tag the input ends in is dropped.
        assert_eq!(html_depth(r#"<div><div a="x>"#, 100), 1);
    }

    #[test]
    fn depth_skips_comments_and_raw_text() {
        let page = "<div><!-- <div><div><div> --><script>if (a<b) { '<div><div>' }</script></div>";
        assert_eq!(html_depth(page, 100), 1);
        // Unclosed comment or script: the rest is not markup.
        assert_eq!(
            html_depth(&("<!--".to_string() + &"<div>".repeat(50)), 10),
            0
        );
        assert_eq!(
            html_depth(&("<div><script>".to_string() + &"<div>".repeat(50)), 10),
            1
        );
    }

    #[test]
    fn depth_stops_early_on_hostile_nesting() {
        let deep = "<div>".repeat(100_000);
        assert_eq!(html_depth(&deep, 1024), 1025);
        assert_eq!(html_depth("a < b and c<d>", 10), 1, "`<d>` reads as a tag");
        assert_eq!(
            html_depth("a < b and c<d", 10),
            0,
            "a tag the input ends in is dropped"
        );
        assert_eq!(html_depth("a < b, 3<4", 10), 0);
    }

    #[test]
    fn long_lines_are_found_with_their_number() {
        assert_eq!(
            long_line("short\nshort\r\nlonger line\rx", 6),
            Some((3, 11))
        );
        assert_eq!(long_line("ok\r\nok\n", 6), None);
        assert_eq!(long_line("", 0), None);
        assert_eq!(long_line(&"x".repeat(10), 9), Some((1, 10)));
    }

    /// [`long_line`] without the shortcut for texts within the limit.
    fn long_line_by_splitting(text: &str, limit: usize) -> Option<(usize, usize)> {
        let mut rest = text;
        let mut line = 1;
        loop {
            let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
            if end > limit {
                return Some((line, end));
            }
            if end == rest.len() {
                return None;
            }
            let skip = if rest[end..].starts_with("\r\n") {
                2
            } else {
                1
            };
            rest = &rest[end + skip..];
            line += 1;
        }
    }

    proptest::proptest! {
        #[test]
        fn long_line_agrees_with_splitting(text in "[ab\r\n]{0,24}", limit in 0usize..30) {
            proptest::prop_assert_eq!(
                long_line(&text, limit),
                long_line_by_splitting(&text, limit)
            );
        }
    }
}
