//! Parse: the lean page into a `scraper` tree, with a byte-level tokenizer feeding html5ever's
//! own tree builder.
//!
//! html5ever's tokenizer reads the page one character at a time through a queue of buffers and
//! was two thirds of the parse on the Zyte pages; the tree builder (insertion modes, implied end
//! tags, the adoption agency, foster parenting) is the part that is hard to get right and is
//! kept as it is. [`document`] cuts the page into the same tokens with `memchr` jumps over
//! text, attributes and raw text, and passes them to `html5ever::tree_builder::TreeBuilder`
//! exactly as html5ever's tokenizer would, switching to raw text, RCDATA or plaintext when the
//! tree builder asks.
//!
//! Contract: the tree is the one `Html::parse_document` builds from the same text (same nodes,
//! names, attributes, text, comments, doctype and quirks mode; only `Html::errors`, the parse
//! error log, stays empty). The tokenizer covers what pages are made of: text with character
//! references (named, legacy without `;`, numeric), start and end tags with every attribute
//! form, comments, doctypes, bogus comments and the raw-text states. For anything rarer (a NUL,
//! a byte order mark, `<![CDATA[`, `--!` in a comment, script escapes, a doctype it cannot
//! read, a tag cut off by the end of the input) it gives up before building anything and the
//! page goes to `Html::parse_document`: rare input costs the old time, never a different tree.

use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use html5ever::interface::{Attribute, QualName};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult as Sink};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts};
use html5ever::{namespace_url, ns, LocalName};
use memchr::{memchr, memchr3, memmem};
use scraper::Html;

use super::lean;

/// The tree of `page`, as `Html::parse_document(page)` builds it.
pub fn document(page: &str) -> Html {
    match tokenize(page) {
        Some(html) => html,
        None => Html::parse_document(page),
    }
}

/// Whether the byte tokenizer reads all of `page` (else [`document`] falls back to html5ever's).
pub fn is_fast(page: &str) -> bool {
    tokenize(page).is_some()
}

/// Why the byte tokenizer stopped: the page holds something it leaves to html5ever.
struct Unsupported;

type Step<T> = Result<T, Unsupported>;

fn tokenize(page: &str) -> Option<Html> {
    if page.starts_with('\u{feff}') || memchr(0, page.as_bytes()).is_some() {
        return None; // html5ever drops a BOM and reports NULs; neither occurs after decoding
    }
    // The tree is sized up front: growing it node by node copied it over and over. Elements
    // and the text between them come to about twice the `<`s.
    let mut html = Html::new_document();
    let tags = memchr::memchr_iter(b'<', page.as_bytes()).count();
    html.tree = ego_tree::Tree::with_capacity(scraper::Node::Document, 2 * tags + 2);
    let mut t = Tokenizer {
        s: page,
        b: page.as_bytes(),
        i: 0,
        text: String::new(),
        spans: Vec::new(),
        builder: TreeBuilder::new(html, TreeBuilderOpts::default()),
    };
    t.run().ok()?;
    let mut builder = t.builder;
    builder.end();
    Some(builder.sink)
}

struct Tokenizer<'a> {
    s: &'a str,
    b: &'a [u8],
    /// Next byte to read.
    i: usize,
    /// Characters read but not yet passed on: one token per run, as the tree builder merges
    /// adjacent text anyway.
    text: String,
    /// One tag's attributes, reused from tag to tag.
    spans: Vec<lean::AttrSpan>,
    builder: TreeBuilder<ego_tree::NodeId, Html>,
}

/// What the tree builder asked the tokenizer to read next.
enum Then {
    Data,
    Raw(RawKind, LocalName),
    Plaintext,
}

fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// `s` with `\r\n` and lone `\r` as `\n`, as the tokenizer's input stream has them.
fn push_newlines(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(at) = rest.find('\r') {
        out.push_str(&rest[..at]);
        out.push('\n');
        rest = &rest[at + 1..];
        if rest.starts_with('\n') {
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

impl Tokenizer<'_> {
    fn run(&mut self) -> Step<()> {
        let mut then = Then::Data;
        loop {
            then = match then {
                Then::Data => match self.data()? {
                    Some(next) => next,
                    None => break,
                },
                Then::Raw(kind, name) => {
                    self.raw(kind, &name)?;
                    Then::Data
                }
                Then::Plaintext => {
                    push_newlines(&mut self.text, &self.s[self.i..]);
                    self.i = self.b.len();
                    break;
                }
            };
        }
        self.flush();
        self.emit(Token::EOFToken);
        Ok(())
    }

    /// Passes on pending text, then `token`; returns what the tree builder wants read next.
    fn emit(&mut self, token: Token) -> Then {
        self.flush();
        let name = match &token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => Some(tag.name.clone()),
            _ => None,
        };
        match self.builder.process_token(token, 1) {
            Sink::RawData(kind) => Then::Raw(kind, name.unwrap_or_default()),
            Sink::Plaintext => Then::Plaintext,
            Sink::Continue | Sink::Script(_) => Then::Data,
        }
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let text = StrTendril::from(self.text.as_str());
            self.text.clear();
            // Only a start tag can switch the tokenizer's state.
            let _ = self.builder.process_token(Token::CharacterTokens(text), 1);
        }
    }

    /// The data state up to the next token that is not text; `None` at the end of the input.
    fn data(&mut self) -> Step<Option<Then>> {
        let b = self.b;
        loop {
            let Some(off) = memchr3(b'<', b'&', b'\r', &b[self.i..]) else {
                self.text.push_str(&self.s[self.i..]);
                self.i = b.len();
                return Ok(None);
            };
            let at = self.i + off;
            self.text.push_str(&self.s[self.i..at]);
            self.i = at + 1;
            match b[at] {
                b'\r' => {
                    self.text.push('\n');
                    if b.get(self.i) == Some(&b'\n') {
                        self.i += 1;
                    }
                }
                b'&' => self.char_ref(false),
                _ => {
                    if let Some(then) = self.markup()? {
                        return Ok(Some(then));
                    }
                }
            }
        }
    }

    /// After a `<` in data: a tag, comment or doctype (returns what to read next), or a `<`
    /// that is text (`None`).
    fn markup(&mut self) -> Step<Option<Then>> {
        let b = self.b;
        let rest = &b[self.i..];
        match rest.first() {
            Some(c) if c.is_ascii_alphabetic() => self.tag(TagKind::StartTag).map(Some),
            Some(b'/') => match rest.get(1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    self.i += 1;
                    self.tag(TagKind::EndTag).map(Some)
                }
                Some(b'>') => {
                    self.i += 2; // `</>` is dropped
                    Ok(Some(Then::Data))
                }
                Some(_) => {
                    self.i += 1;
                    self.bogus_comment().map(Some)
                }
                None => Err(Unsupported),
            },
            Some(b'!') => {
                self.i += 1;
                if rest.starts_with(b"!--") {
                    self.i += 2;
                    self.comment().map(Some)
                } else if rest.len() >= 8 && rest[1..8].eq_ignore_ascii_case(b"doctype") {
                    self.i += 7;
                    self.doctype().map(Some)
                } else if rest.starts_with(b"![") {
                    Err(Unsupported) // CDATA in foreign content, a bogus comment elsewhere
                } else {
                    self.bogus_comment().map(Some)
                }
            }
            Some(b'?') => self.bogus_comment().map(Some),
            _ => {
                self.text.push('<');
                Ok(None)
            }
        }
    }

    /// A start or end tag whose name starts at `self.i`. The attribute states are
    /// [`lean::tag_end`]'s, the same scan the lean page was cut with.
    fn tag(&mut self, kind: TagKind) -> Step<Then> {
        let b = self.b;
        let start = self.i;
        let mut j = start;
        while j < b.len() && !matches!(b[j], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>') {
            j += 1;
        }
        let name = lower(&self.s[start..j]);
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        // A tag cut off by the end of the input is dropped: left to html5ever.
        let (gt, self_closing) = lean::tag_end(b, j, &mut spans).ok_or(Unsupported)?;
        let mut attrs: Vec<Attribute> = Vec::with_capacity(spans.len());
        if kind == TagKind::StartTag {
            for &span in &spans {
                // Atoms compare as integers, so a tag with many attributes stays cheap.
                let local = LocalName::from(lower(&self.s[span.start..span.name_end]));
                // The first of several same-named attributes wins.
                if !attrs.iter().any(|a| a.name.local == local) {
                    let mut value = StrTendril::new();
                    self.attr_value(span.value.0, span.value.1, &mut value);
                    attrs.push(Attribute {
                        name: QualName::new(None, ns!(), local),
                        value,
                    });
                }
            }
        }
        self.spans = spans;
        self.i = gt + 1;
        Ok(self.emit(Token::TagToken(Tag {
            kind,
            name: LocalName::from(name),
            self_closing,
            attrs,
        })))
    }

    /// The value of an attribute, `b[from..to]`, with character references and newlines
    /// resolved (most values have neither and are copied as they are).
    fn attr_value(&mut self, from: usize, to: usize, out: &mut StrTendril) {
        if memchr::memchr2(b'&', b'\r', &self.b[from..to]).is_none() {
            *out = StrTendril::from(&self.s[from..to]);
            return;
        }
        let (text, i) = (std::mem::take(&mut self.text), self.i);
        self.i = from;
        self.text_until(to, true);
        *out = StrTendril::from(self.text.as_str());
        (self.text, self.i) = (text, i);
    }

    /// Text from `self.i` to `end` onto the pending text, with character references and
    /// newlines resolved: an attribute value's, or RCDATA (`title`, `textarea`).
    fn text_until(&mut self, end: usize, in_attribute: bool) {
        while let Some(off) = memchr::memchr2(b'&', b'\r', &self.b[self.i..end]) {
            let at = self.i + off;
            self.text.push_str(&self.s[self.i..at]);
            self.i = at + 1;
            if self.b[at] == b'\r' {
                self.text.push('\n');
                if self.i < end && self.b[self.i] == b'\n' {
                    self.i += 1;
                }
            } else {
                self.char_ref_until(in_attribute, end);
            }
        }
        self.text.push_str(&self.s[self.i..end]);
        self.i = end;
    }

    fn char_ref(&mut self, in_attribute: bool) {
        self.char_ref_until(in_attribute, self.b.len());
    }

    /// A character reference after `&` (at `self.i`), read no further than `end`: pushes what
    /// it stands for, or `&` when it is none, and moves past what it used.
    fn char_ref_until(&mut self, in_attribute: bool, end: usize) {
        let b = &self.b[..end];
        let i = self.i;
        match b.get(i) {
            Some(b'#') => {
                let mut j = i + 1;
                let hex = matches!(b.get(j), Some(b'x' | b'X'));
                if hex {
                    j += 1;
                }
                let base = if hex { 16 } else { 10 };
                let digits = j;
                let (mut n, mut too_big) = (0u32, false);
                while let Some(d) = b.get(j).and_then(|&c| char::from(c).to_digit(base)) {
                    n = n.wrapping_mul(base);
                    if n > 0x10FFFF {
                        too_big = true;
                    }
                    n = n.wrapping_add(d);
                    j += 1;
                }
                if j == digits {
                    self.text.push('&'); // `&#` without digits is text
                    return;
                }
                if b.get(j) == Some(&b';') {
                    j += 1;
                }
                self.text.push(numeric(n, too_big));
                self.i = j;
            }
            Some(c) if c.is_ascii_alphanumeric() => {
                // Longest name in the table: it holds every prefix of every name, mapped to
                // (0, 0), so the search stops at the first character no name continues with.
                let mut j = i;
                let mut best: Option<((u32, u32), usize)> = None;
                while j < b.len() && b[j].is_ascii() {
                    j += 1;
                    match NAMED_ENTITIES.get(&self.s[i..j]) {
                        Some(&m) => {
                            if m.0 != 0 {
                                best = Some((m, j));
                            }
                        }
                        None => break,
                    }
                }
                let Some(((c1, c2), at)) = best else {
                    self.text.push('&');
                    return;
                };
                if b[at - 1] != b';' && in_attribute {
                    if let Some(&next) = b.get(at) {
                        if next == b'=' || next.is_ascii_alphanumeric() {
                            self.text.push('&'); // `?a=1&copy=2` in a URL stays as written
                            return;
                        }
                    }
                }
                self.text.extend(
                    [c1, c2]
                        .into_iter()
                        .filter(|&c| c != 0)
                        .filter_map(char::from_u32),
                );
                self.i = at;
            }
            _ => self.text.push('&'),
        }
    }

    /// A comment whose text starts at `self.i` (just past `<!--`).
    fn comment(&mut self) -> Step<Then> {
        let rest = &self.b[self.i..];
        let (data, used) = if rest.starts_with(b">") {
            ("", 1)
        } else if rest.starts_with(b"->") {
            ("", 2)
        } else {
            let end = memmem::find(rest, b"-->").ok_or(Unsupported)?;
            let data = &self.s[self.i..self.i + end];
            if data.contains("--!") || data.contains('\r') || data.ends_with("<!-") {
                return Err(Unsupported);
            }
            (data, end + 3)
        };
        let token = Token::CommentToken(StrTendril::from(data));
        self.i += used;
        Ok(self.emit(token))
    }

    /// A bogus comment (`<?…>`, `<!x…>`, `</1…>`) whose text starts at `self.i`.
    fn bogus_comment(&mut self) -> Step<Then> {
        let end = memchr(b'>', &self.b[self.i..]).ok_or(Unsupported)?;
        let data = &self.s[self.i..self.i + end];
        if data.contains('\r') {
            return Err(Unsupported);
        }
        let token = Token::CommentToken(StrTendril::from(data));
        self.i += end + 1;
        Ok(self.emit(token))
    }

    /// A doctype after `<!doctype`: `<!DOCTYPE name>`, with a `PUBLIC` and/or `SYSTEM`
    /// identifier in quotes; any other shape goes to html5ever.
    fn doctype(&mut self) -> Step<Then> {
        let b = self.b;
        let mut j = self.i;
        let skip = |j: &mut usize| {
            while *j < b.len() && is_space(b[*j]) {
                *j += 1;
            }
        };
        if !b.get(j).copied().is_some_and(is_space) {
            return Err(Unsupported);
        }
        skip(&mut j);
        let start = j;
        while j < b.len() && !is_space(b[j]) && b[j] != b'>' {
            j += 1;
        }
        if j == start || j == b.len() {
            return Err(Unsupported);
        }
        let name = lower(&self.s[start..j]);
        skip(&mut j);
        let quoted = |j: &mut usize| -> Step<StrTendril> {
            skip(j);
            let q = *b.get(*j).ok_or(Unsupported)?;
            if q != b'"' && q != b'\'' {
                return Err(Unsupported);
            }
            let end = *j + 1 + memchr(q, &b[*j + 1..]).ok_or(Unsupported)?;
            let id = &self.s[*j + 1..end];
            if id.contains(['>', '\r']) {
                return Err(Unsupported);
            }
            *j = end + 1;
            Ok(StrTendril::from(id))
        };
        let (mut public_id, mut system_id) = (None, None);
        let keyword = |j: usize, k: &[u8]| {
            b.len() >= j + k.len() && b[j..j + k.len()].eq_ignore_ascii_case(k)
        };
        if keyword(j, b"public") {
            j += 6;
            public_id = Some(quoted(&mut j)?);
            skip(&mut j);
            if b.get(j) != Some(&b'>') {
                system_id = Some(quoted(&mut j)?);
            }
        } else if keyword(j, b"system") {
            j += 6;
            system_id = Some(quoted(&mut j)?);
        }
        skip(&mut j);
        if b.get(j) != Some(&b'>') {
            return Err(Unsupported);
        }
        self.i = j + 1;
        Ok(self.emit(Token::DoctypeToken(Doctype {
            name: Some(StrTendril::from(&*name)),
            public_id,
            system_id,
            force_quirks: false,
        })))
    }

    /// Raw text, RCDATA or script data up to the end tag named `name` (left for the data state
    /// to read as a tag).
    fn raw(&mut self, kind: RawKind, name: &str) -> Step<()> {
        let b = self.b;
        let mut j = self.i;
        let end = loop {
            let Some(off) = memmem::find(&b[j..], b"</") else {
                break b.len();
            };
            let at = j + off;
            let after = at + 2 + name.len();
            if after < b.len()
                && b[at + 2..after].eq_ignore_ascii_case(name.as_bytes())
                && matches!(
                    b[after],
                    b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'
                )
            {
                break at;
            }
            j = at + 2;
        };
        let body = &self.s[self.i..end];
        match kind {
            RawKind::Rawtext => push_newlines(&mut self.text, body),
            RawKind::ScriptData if !body.contains("<!--") => push_newlines(&mut self.text, body),
            RawKind::Rcdata => {
                self.text_until(end, false);
                return Ok(());
            }
            _ => return Err(Unsupported), // script escapes
        }
        self.i = end;
        Ok(())
    }
}

/// A numeric character reference's character, with the tokenizer's replacements.
fn numeric(n: u32, too_big: bool) -> char {
    match n {
        _ if too_big || n > 0x10FFFF => '\u{fffd}',
        0 | 0xD800..=0xDFFF => '\u{fffd}',
        0x80..=0x9F => C1_REPLACEMENTS[(n - 0x80) as usize]
            .or_else(|| char::from_u32(n))
            .unwrap_or('\u{fffd}'),
        _ => char::from_u32(n).unwrap_or('\u{fffd}'),
    }
}

/// ASCII upper case to lower case, as the tokenizer does for tag and attribute names (borrowed
/// when already lower case, as nearly all are).
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        s.to_ascii_lowercase().into()
    } else {
        s.into()
    }
}

/// The whole tree as lines (node kind, depth, name, every attribute, text), and the quirks
/// mode: what two parses must agree on. For tests, here and in `tests/`.
#[doc(hidden)]
pub fn outline(html: &Html) -> Vec<String> {
    use ego_tree::iter::Edge;
    let mut out = vec![format!("{:?}", html.quirks_mode)];
    let mut depth = 0usize;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                depth += 1;
                out.push(match node.value() {
                    scraper::Node::Element(el) => {
                        let mut attrs: Vec<String> = el
                            .attrs
                            .iter()
                            .map(|(n, v)| format!("{}:{}={:?}", n.ns, n.local, &**v))
                            .collect();
                        attrs.sort();
                        format!(
                            "{depth} <{}:{} {}>",
                            el.name.ns,
                            el.name.local,
                            attrs.join(" ")
                        )
                    }
                    other => format!("{depth} {other:?}"),
                });
            }
            Edge::Close(_) => depth -= 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(page: &str) {
        assert!(is_fast(page), "not read by the byte tokenizer: {page:?}");
        assert_eq!(
            outline(&document(page)),
            outline(&Html::parse_document(page)),
            "page: {page:?}"
        );
    }

    #[test]
    fn trees_match_html5ever() {
        for page in [
            "<!DOCTYPE html><html><head><title>A &amp; B</title></head><body><p class=x>Hi</p></body></html>",
            "<!doctype HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\"><p>quirks?",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" 'x'><p>x",
            "<!DOCTYPE html SYSTEM \"about:legacy-compat\"><p>x",
            "<p>one<p>two<div>three</p>four<li>a<li>b</div>",
            "<b>bold<p>para</b>after</p><i><a href=1>x<a href=2>y</i>",
            "<table><tr><td>a<td>b</table>text in<table>fostered</table>",
            "<p>&copy; &copy &notit; &notin; &#169; &#xA9; &#x; &#; &#0; &#128; &#x110000; &amp</p>",
            "<a href='?a=1&copy=2&amp;b=3&lt' title=\"&lt;x&gt;\" data-x=&amp;y>l</a>",
            "<p>a\r\nb\rc</p><pre>\n\nx</pre><textarea>\nq &amp; <b></textarea>",
            "<title>t <b>not a tag</b></title><style>p < b {}</style><xmp><p></xmp>",
            "<noscript><p>raw</p></noscript><iframe><b></iframe><noembed>x</noembed>",
            "<script>if (a < b) {}</script><script type=application/ld+json>{\"x\":1}</script>",
            "<!----><!-- a -- b --><!-- c ---><!--><!---><!-- x<!- -->",
            "<?xml version=1?><!x-y><p>1 < 2 <> </ a></1></p>",
            "<svg viewBox='0 0 1 1'><path d=M0/><foreignObject><p>in</p></foreignObject></svg>",
            "<math><mi>x</mi></math><p/><br/><img src=a / alt=b><input type=hidden>",
            "<div id=a id=b CLASS=C Data-X=1 =y 'q=1>dup</div><DIV>upper</DIV>",
            "<p>unclosed <b>bold <i>italic",
            "<html lang=en><body><plaintext><p>all text &amp; more",
            "<select><option>a<option>b</select><frameset>",
            "text before<html><head></head><body>x</body></html>after",
            "<p>\u{e9}t\u{e9} &eacute;t&eacute;</p><p title=\"\u{e9}\u{e9}\">x</p>",
            "",
        ] {
            same(page);
        }
    }

    #[test]
    fn rare_forms_go_to_html5ever() {
        for page in [
            "<p>a\0b</p>",
            "\u{feff}<p>bom</p>",
            "<svg><![CDATA[x]]></svg>",
            "<!-- a --!> b",
            "<script><!-- <script></script> --></script>",
            "<p>cut <b",
            "<!DOCTYPE>",
        ] {
            assert!(!is_fast(page), "{page:?}");
            // and the fallback is html5ever itself
            assert_eq!(
                outline(&document(page)),
                outline(&Html::parse_document(page))
            );
        }
    }
}
