//! The plain data types the stages hand to each other.
//!
//! Nothing here does work: a stage takes one of these and returns the next one, so each stage
//! can be tested on its own and a later stage never needs to know how an earlier one did its job.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

/// Whether a document is an HTML page or text (possibly flattened out of a page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    Html,
    Text,
}

impl std::fmt::Display for ContentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContentKind::Html => "html",
            ContentKind::Text => "text",
        })
    }
}

/// One input exactly as it arrived: bytes plus what is known about where it came from.
#[derive(Clone, Debug)]
pub struct RawDocument {
    /// Where the bytes came from: the path as the user gave it (or `-` for stdin).
    pub origin: String,
    /// The page URL, when the input format carries one.
    pub url: Option<String>,
    /// A declared content type such as `text/html; charset=windows-1252`, when known.
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    /// What the container said about the document besides its bytes (JSONL fields, WARC
    /// headers); empty for a plain file.
    pub info: InputInfo,
}

/// What a container format knows about one document beyond its bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputInfo {
    /// The kind the container declares (a JSONL `text` field is text whatever it looks like);
    /// `None` lets decode sniff it.
    pub kind: Option<ContentKind>,
    /// The document's id in the container (JSONL `--id-field`), kept on its [`Origin`].
    pub id: Option<String>,
    /// Fields passed through to the stored record (other JSONL fields, WARC record headers).
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// How the decoder chose the character encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    /// A byte-order mark at the start of the input.
    Bom,
    /// The `charset` parameter of a declared content type (e.g. an HTTP header).
    Header,
    /// `<meta charset>` or `<meta http-equiv="Content-Type">` in the page.
    Meta,
    /// Statistical detection (`chardetng`) over the bytes.
    Detected,
}

impl std::fmt::Display for EncodingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EncodingSource::Bom => "byte-order mark",
            EncodingSource::Header => "declared content type",
            EncodingSource::Meta => "<meta> charset",
            EncodingSource::Detected => "detection",
        })
    }
}

/// Which encoding a document was decoded with, why, and how cleanly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodingInfo {
    /// The WHATWG name of the encoding, e.g. `UTF-8`, `windows-1252`.
    pub encoding: String,
    pub source: EncodingSource,
    /// Number of malformed byte sequences replaced by U+FFFD.
    pub malformed: usize,
    /// Byte offset of the first malformed sequence, if any.
    pub first_malformed_at: Option<usize>,
    /// A declared charset that was not used because the bytes contradict it, e.g.
    /// `UTF-8 (<meta> charset)` for a windows-1252 page labelled UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden: Option<String>,
}

/// A document as UTF-8 text, with what the decoder learnt about it.
#[derive(Clone, Debug)]
pub struct DecodedDocument {
    pub origin: String,
    pub url: Option<String>,
    pub kind: ContentKind,
    pub text: String,
    pub encoding: EncodingInfo,
    /// Size of the raw input in bytes.
    pub bytes_in: usize,
}

/// What role a block plays in the page, as far as its markup (or layout) tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// `<h1>`…`<h6>`, with its level.
    Heading(u8),
    Paragraph,
    ListItem,
    /// A table cell, caption, quote or other block-level text in HTML.
    Other,
    /// One line of a plain-text document.
    Line,
}

/// Elements of a parsed page taken out of the text flow (by a selector rule or by content
/// detection), each with the rule id or reason, as the HTML stages pass them on.
pub type Marks = HashMap<ego_tree::NodeId, String, BuildHasherDefault<NodeIdHasher>>;

/// A hasher for tree node ids (small integers, looked up for every element of every page):
/// one multiplication instead of SipHash, which guards against hostile keys these are not.
#[derive(Default)]
pub struct NodeIdHasher(u64);

impl Hasher for NodeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// One unit of text the stripping and dedup stages decide on: an HTML block element's text or
/// one line of a text dump.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Whitespace-collapsed text; never empty.
    pub text: String,
    pub kind: BlockKind,
    /// For text input: 1-based line number in the decoded text. For HTML: `None`.
    pub line: Option<usize>,
    /// Index of the blank-line-separated paragraph (text) this line belongs to; for HTML, the
    /// block's own index.
    pub paragraph: usize,
    /// Set by extraction when a DOM-level rule (a CSS selector) removed the element this block
    /// came from; the strip stage records it as that rule's removal.
    pub removed_by: Option<String>,
}

/// The id of the rule that removed a block, or a built-in reason such as `dedup.repeat`.
/// Built-in reasons are borrowed: most removed lines carry one, and a text dump has thousands.
pub type Reason = Cow<'static, str>;

/// Why a block was kept out of the article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// The id of the rule that removed it, or a built-in reason such as `dedup.repeat`.
    pub rule: Reason,
    pub text: String,
    /// Source line for text input.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<usize>,
}

/// The decision about one block, in document order.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Keep,
    /// Removed by the named rule or built-in reason.
    Drop(Reason),
    /// Taken out of the body because it became metadata (title, byline, date line).
    Meta(Reason),
}

/// A block with its verdict: the unit `clean --explain` prints.
#[derive(Clone, Debug)]
pub struct Decided {
    pub block: Block,
    pub verdict: Verdict,
    /// The content heuristic's score for this block when it judged it (text input): positive
    /// looks like article prose, negative like page chrome.
    pub score: Option<f32>,
}

impl Decided {
    pub fn new(block: Block, verdict: Verdict) -> Self {
        Decided {
            block,
            verdict,
            score: None,
        }
    }

    pub fn is_kept(&self) -> bool {
        matches!(self.verdict, Verdict::Keep)
    }
}

/// Article metadata; every field is optional because dumps often lack it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub title: Option<String>,
    pub site: Option<String>,
    /// The article's own URL: the page's `rel=canonical` (or `og:url`), else the URL its input
    /// gave. Where each copy was fetched is on its [`Origin`].
    pub url: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    pub language: Option<String>,
}

/// The cleaned result for one document, before storage.
#[derive(Clone, Debug)]
pub struct Article {
    /// Hex SHA-256 of the normalized body: the article's id.
    pub id: String,
    pub metadata: Metadata,
    /// Kept blocks, in order.
    pub body: Vec<String>,
    pub removed: Vec<Removal>,
    pub kind: ContentKind,
    pub encoding: EncodingInfo,
    pub bytes_in: usize,
}

impl Article {
    /// The body as one string, paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        self.body.join("\n\n")
    }
}

/// One place an article was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Where the document was read: a path, `-` (stdin), `path:LINE` (JSON Lines, 1-based) or
    /// `path@OFFSET` (WARC: byte offset of the record; for `.warc.gz` the offset of its gzip
    /// member, plus `+OFFSET` inside the member when one member holds several records).
    pub source: String,
    pub ingested_at: String,
    /// The document's own id in its container (JSONL `--id-field`), when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The URL the input says this copy was fetched from (JSONL `--url-field`,
    /// `WARC-Target-URI`), when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What the store keeps for one article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub id: String,
    #[serde(flatten)]
    pub metadata: Metadata,
    pub body: Vec<String>,
    pub removed: Vec<Removal>,
    pub origins: Vec<Origin>,
    pub kind: ContentKind,
    pub encoding: EncodingInfo,
    pub ingested_at: String,
    /// Container fields passed through (JSONL fields other than content/url/id, WARC headers)
    /// from the input that first stored the article.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl ArticleRecord {
    pub fn from_article(article: &Article, origin: Origin) -> Self {
        ArticleRecord {
            extra: BTreeMap::new(),
            id: article.id.clone(),
            metadata: article.metadata.clone(),
            body: article.body.clone(),
            removed: article.removed.clone(),
            kind: article.kind,
            encoding: article.encoding.clone(),
            ingested_at: origin.ingested_at.clone(),
            origins: vec![origin],
        }
    }

    pub fn text(&self) -> String {
        self.body.join("\n\n")
    }
}
