//! JSON Lines containers: one document per line, streamed.
//!
//! Each line is a JSON object. The content comes from `--content-field` (default: the first of
//! `html`, `text`, `content` present), the URL from `--url-field`, the document's own id from
//! `--id-field`; every other field passes through to the record. Content from a field named
//! like text (`text`, `plain_text`, …) is text whatever it looks like; other content is sniffed.
//! A line that is not a usable document (invalid JSON, not an object, no content field,
//! content not a string, longer than the input limit) is one failed item whose origin is
//! `path:LINE` (1-based) and whose message says what was wrong; the next line is read as usual.
//! Blank lines are not documents and are passed over silently. A UTF-8 byte-order mark at
//! the start of a line is dropped, on any line: `cat a.jsonl b.jsonl` puts b's mid-stream.

use std::io::BufRead;

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use super::{JsonlFields, SourceError, SourceItem};
use crate::limits::LimitExceeded;
use crate::model::{ContentKind, InputInfo, RawDocument};

/// Content fields tried, in order, when `--content-field` is not given.
pub const DEFAULT_CONTENT_FIELDS: [&str; 3] = ["html", "text", "content"];

/// The records of one JSON Lines stream.
pub struct Records {
    origin: String,
    reader: Box<dyn BufRead + Send>,
    fields: JsonlFields,
    max_line: u64,
    line: usize,
    done: bool,
    /// Documents read, and whether any had the URL and id fields: a field named on the command
    /// line that no document has is most likely misspelt, and is warned about at the end.
    docs: usize,
    seen_url: bool,
    seen_id: bool,
}

impl Records {
    /// `reader` is the decompressed stream; `max_line` bounds one line's bytes.
    pub fn new(
        origin: String,
        reader: Box<dyn BufRead + Send>,
        fields: JsonlFields,
        max_line: u64,
    ) -> Records {
        Records {
            origin,
            reader,
            fields,
            max_line,
            line: 0,
            done: false,
            docs: 0,
            seen_url: false,
            seen_id: false,
        }
    }

    /// At the end of the stream: warns about a URL or id field other than the default that no
    /// document had.
    fn warn_unseen_fields(&self) {
        let defaults = JsonlFields::default();
        if self.docs == 0 {
            return;
        }
        if !self.seen_url && self.fields.url != defaults.url {
            tracing::warn!(
                "no document in `{}` has the field `{}` (--url-field)",
                self.origin,
                self.fields.url
            );
        }
        if !self.seen_id && self.fields.id != defaults.id {
            tracing::warn!(
                "no document in `{}` has the field `{}` (--id-field)",
                self.origin,
                self.fields.id
            );
        }
    }
}

impl Iterator for Records {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        let mut buf = Vec::new();
        while !self.done {
            buf.clear();
            self.line += 1;
            let at = format!("{}:{}", self.origin, self.line);
            match read_line(&mut self.reader, &mut buf, self.max_line) {
                Ok(Line::Eof) => {
                    self.done = true;
                    self.warn_unseen_fields();
                }
                Ok(Line::TooLong(len)) => {
                    return Some(SourceItem::Failed(SourceError::Limit {
                        path: at,
                        exceeded: LimitExceeded::InputSize {
                            size: len,
                            limit: self.max_line,
                        },
                    }))
                }
                Ok(Line::Read) => {
                    // Editors on Windows start UTF-8 files with a byte-order mark, and files
                    // joined with `cat` bring theirs into the middle of the stream: it is
                    // never part of the JSON, and stripping it loses nothing.
                    if buf.starts_with(UTF8_BOM) {
                        buf.drain(..UTF8_BOM.len());
                        if self.line > 1 {
                            tracing::debug!(
                                "`{at}`: a byte-order mark at the start of the line was ignored \
                                 (files joined with `cat`?)"
                            );
                        }
                    }
                    if buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(match parse(&buf, &self.fields) {
                        Ok((mut doc, dropped)) => {
                            for (field, len) in dropped {
                                tracing::warn!(
                                    "`{at}`: field {} left out of the record: {len} bytes of \
                                     JSON, over the {MAX_PASS_THROUGH}-byte limit for \
                                     pass-through fields",
                                    short_key(&field)
                                );
                            }
                            doc.origin = at;
                            self.docs += 1;
                            self.seen_url |= doc.url.is_some();
                            self.seen_id |= doc.info.id.is_some();
                            SourceItem::Doc(doc)
                        }
                        Err(detail) => SourceItem::Failed(SourceError::Jsonl { path: at, detail }),
                    });
                }
                Err(source) => {
                    // A broken compressed stream cannot be resynchronised: the file ends here.
                    self.done = true;
                    return Some(SourceItem::Failed(super::read_error(at, source)));
                }
            }
        }
        None
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

enum Line {
    Read,
    Eof,
    /// The line passed the limit; it was skipped to its end without being kept.
    TooLong(u64),
}

/// Reads one line into `buf` (without its `\n`), keeping at most `max` bytes of it.
fn read_line(r: &mut dyn BufRead, buf: &mut Vec<u8>, max: u64) -> std::io::Result<Line> {
    let mut len: u64 = 0;
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(match (any, len > max) {
                (false, _) => Line::Eof,
                (true, true) => Line::TooLong(len),
                (true, false) => Line::Read,
            });
        }
        any = true;
        let (take, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        len += take as u64;
        if len <= max {
            buf.extend_from_slice(&chunk[..take]);
        } else {
            buf.clear();
        }
        r.consume(take + usize::from(end));
        if end {
            return Ok(if len > max {
                Line::TooLong(len)
            } else {
                Line::Read
            });
        }
    }
}

/// Pass-through fields longer than this as JSON text are left out of the record (with a
/// warning): a field is parsed into a tree of values many times its size (30× for an array of
/// small numbers), and a line may be up to the input limit, so one such field could take
/// gigabytes while the document waits in the pipeline.
pub const MAX_PASS_THROUGH: usize = 1 << 20;

/// A pass-through field [`parse`] left out: its name and its length as JSON text.
type Dropped = (String, usize);

/// The JSON error for a line that does not parse, with its column in characters.
fn json_error(line: &[u8], e: &serde_json::Error) -> String {
    // serde_json ends its message with `at line 1 column N`: the line is this record's, so
    // only the column says something.
    let msg = e.to_string();
    let what = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(w, _)| w);
    // serde_json counts bytes; a reader's editor counts characters.
    let bytes = e.column().saturating_sub(1).min(line.len());
    let column = String::from_utf8_lossy(&line[..bytes]).chars().count() + 1;
    format!("invalid JSON at column {column}: {what}")
}

/// One line → a document and the pass-through fields left out of it, or what is wrong with it.
fn parse(line: &[u8], fields: &JsonlFields) -> Result<(RawDocument, Vec<Dropped>), String> {
    // The fields as JSON text borrowed from the line: each is parsed into values only if it is
    // kept (see `MAX_PASS_THROUGH`).
    let raw: BTreeMap<String, &RawValue> = match serde_json::from_slice(line) {
        Ok(raw) => raw,
        // Not an object, or not JSON: parsed as a value, which names either.
        Err(_) => {
            let value: Value = serde_json::from_slice(line).map_err(|e| json_error(line, &e))?;
            return Err(format!(
                "the line is {}, not a JSON object",
                type_name(&value)
            ));
        }
    };
    let is_null = |v: &RawValue| v.get().trim() == "null";
    let content_field = match &fields.content {
        Some(f) if raw.contains_key(f) => f.clone(),
        Some(f) => return Err(format!("no content field `{f}` (--content-field)")),
        // A null default field is an empty one (`{"html": null, "text": "…"}` from a crawler
        // that fills one or the other): the next is tried. When every one present is null, the
        // first of them is the content, and the message says it is null.
        None => DEFAULT_CONTENT_FIELDS
            .iter()
            .find(|f| raw.get(**f).is_some_and(|v| !is_null(v)))
            .or_else(|| {
                DEFAULT_CONTENT_FIELDS
                    .iter()
                    .find(|f| raw.contains_key(**f))
            })
            .map(|f| f.to_string())
            .ok_or_else(|| {
                format!(
                    "no content field: none of `html`, `text`, `content`{} (--content-field)",
                    keys_hint(raw.keys(), raw.len())
                )
            })?,
    };
    let mut dropped = Vec::new();
    let mut obj: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in raw {
        let named = k == content_field || k == fields.url || k == fields.id;
        if !named && v.get().len() > MAX_PASS_THROUGH {
            dropped.push((k, v.get().len()));
            continue;
        }
        let value: Value = serde_json::from_str(v.get()).map_err(|e| json_error(line, &e))?;
        obj.insert(k, value);
    }
    let content = match obj.remove(&content_field) {
        Some(Value::String(s)) => s,
        other => {
            return Err(format!(
                "content field `{content_field}` is {}, not a string",
                type_name(other.as_ref().unwrap_or(&Value::Null))
            ))
        }
    };
    let kind = fields
        .kind
        .or_else(|| names_text(&content_field).then_some(ContentKind::Text));
    let url = take_string(&mut obj, &fields.url);
    let id = match obj.remove(&fields.id) {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            // Not an id we can print; keep it as it came.
            obj.insert(fields.id.clone(), other);
            None
        }
        None => None,
    };
    // JSON text is Unicode: the declared charset stops a `<meta charset>` in the page from
    // re-decoding what is already decoded.
    let content_type = match kind {
        Some(ContentKind::Text) => "text/plain; charset=utf-8",
        _ => "text/html; charset=utf-8",
    };
    Ok((
        RawDocument {
            origin: String::new(),
            url,
            content_type: Some(content_type.into()),
            bytes: content.into_bytes(),
            info: InputInfo {
                kind,
                id,
                extra: obj,
            },
        },
        dropped,
    ))
}

/// Whether a content field's name says it holds text: `text`, or a name ending in `_text`,
/// `-text` or a camel-case `Text` (`body_text`, `bodyText`). Only a whole word: `context` or
/// `hypertext` are sniffed like any other name.
fn names_text(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "text" || lower.ends_with("_text") || lower.ends_with("-text") {
        return true;
    }
    name.strip_suffix("Text").is_some_and(|head| {
        head.chars()
            .last()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
    })
}

/// A string field taken out of the object; a non-string value stays as a pass-through field.
fn take_string(obj: &mut BTreeMap<String, Value>, field: &str) -> Option<String> {
    match obj.remove(field) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            obj.insert(field.to_string(), other);
            None
        }
        None => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `; fields are `a`, `b`` for the message, a few at most.
fn keys_hint<'a>(keys: impl Iterator<Item = &'a String>, len: usize) -> String {
    if len == 0 {
        return "; the object is empty".into();
    }
    // Keys are the input's: escaped, so a key holding a line break cannot break the message
    // (and the one-line `deboiler failures` listing) in two.
    let keys: Vec<String> = keys.take(6).map(|k| short_key(k)).collect();
    let more = if len > keys.len() { ", …" } else { "" };
    format!("; fields are {}{more}", keys.join(", "))
}

/// A field name as messages show it: escaped, and cut to what is enough to recognise it (a key
/// may be megabytes long).
fn short_key(k: &str) -> String {
    let short: String = k.chars().take(40).collect();
    let cut = if short.len() < k.len() { "…" } else { "" };
    format!("`{}{cut}`", short.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str, fields: JsonlFields, max: u64) -> Vec<Result<RawDocument, String>> {
        let reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(text.to_string()));
        Records::new("d.jsonl".into(), reader, fields, max)
            .map(|i| match i {
                SourceItem::Doc(d) => Ok(d),
                SourceItem::Failed(e) => Err(e.to_string()),
                SourceItem::Ignored { kind, .. } => Err(kind),
            })
            .collect()
    }

    #[test]
    fn lines_become_documents_with_fields_and_line_origins() {
        let text =
            "{\"html\":\"<p>a</p>\",\"url\":\"https://x.example/a\",\"id\":7,\"lang\":\"en\"}\n\
                    \n\
                    {\"text\":\"plain\",\"id\":\"b\"}\n";
        let got = items(text, JsonlFields::default(), 1000);
        assert_eq!(got.len(), 2);
        let a = got[0].as_ref().unwrap();
        assert_eq!(a.origin, "d.jsonl:1");
        assert_eq!(a.url.as_deref(), Some("https://x.example/a"));
        assert_eq!(a.info.id.as_deref(), Some("7"));
        assert_eq!(a.info.kind, None);
        assert_eq!(a.info.extra["lang"], "en");
        assert_eq!(a.bytes, b"<p>a</p>");
        let b = got[1].as_ref().unwrap();
        assert_eq!(b.origin, "d.jsonl:3", "blank line 2 counts as a line");
        assert_eq!(b.info.kind, Some(ContentKind::Text));
    }

    #[test]
    fn bad_lines_fail_alone_naming_line_and_problem() {
        let text = "{bad\n[1]\n{\"url\":\"u\"}\n{\"text\":5}\n{\"text\":\"ok\"}\n";
        let got = items(text, JsonlFields::default(), 1000);
        let errs: Vec<String> = got.iter().filter_map(|r| r.clone().err()).collect();
        assert_eq!(
            errs[0],
            "`d.jsonl:1`: invalid JSON at column 2: key must be a string"
        );
        // Columns count characters, not bytes.
        let accented = items("{\"text\": \"ééé\" x}\n", JsonlFields::default(), 1000);
        let err = accented[0].clone().unwrap_err();
        assert!(err.contains("invalid JSON at column 16:"), "{err}");
        assert_eq!(
            errs[1],
            "`d.jsonl:2`: the line is an array, not a JSON object"
        );
        assert!(
            errs[2].starts_with("`d.jsonl:3`: no content field"),
            "{}",
            errs[2]
        );
        assert!(errs[2].contains("`url`"), "{}", errs[2]);
        assert_eq!(
            errs[3],
            "`d.jsonl:4`: content field `text` is a number, not a string"
        );
        assert_eq!(got[4].as_ref().unwrap().origin, "d.jsonl:5");
    }

    #[test]
    fn a_byte_order_mark_before_the_first_line_is_not_part_of_it() {
        let text = "\u{feff}{\"text\":\"one\"}\r\n{\"text\":\"two\"}\r\n";
        let got = items(text, JsonlFields::default(), 1000);
        let bodies: Vec<&[u8]> = got
            .iter()
            .map(|r| r.as_ref().unwrap().bytes.as_slice())
            .collect();
        assert_eq!(bodies, [b"one", b"two"]);
    }

    #[test]
    fn a_pass_through_field_over_the_limit_is_left_out_and_named() {
        let big = format!("[{}0]", "0,".repeat(MAX_PASS_THROUGH / 2));
        let line = format!(
            r#"{{"text":"Body.","url":"https://example.com/a","big":{big},"small":[1, 2],"id":7}}"#
        );
        let (doc, dropped) = parse(line.as_bytes(), &JsonlFields::default()).unwrap();
        assert_eq!(dropped, [("big".to_string(), big.len())]);
        assert_eq!(doc.bytes, b"Body.");
        assert_eq!(doc.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(doc.info.id.as_deref(), Some("7"));
        // Kept fields are the values they were, not their text.
        assert_eq!(
            doc.info.extra.get("small"),
            Some(&serde_json::json!([1, 2]))
        );
        assert!(!doc.info.extra.contains_key("big"));
        // The content itself is never a pass-through field, whatever its size.
        let long = format!(r#"{{"text":"{}"}}"#, "a".repeat(MAX_PASS_THROUGH + 1));
        let (doc, dropped) = parse(long.as_bytes(), &JsonlFields::default()).unwrap();
        assert!(dropped.is_empty());
        assert_eq!(doc.bytes.len(), MAX_PASS_THROUGH + 1);
    }

    #[test]
    fn a_byte_order_mark_at_the_start_of_any_line_is_not_part_of_it() {
        // `cat a.jsonl b.jsonl` when b.jsonl was saved with one.
        let text =
            "{\"text\":\"one\"}\n\u{feff}{\"text\":\"two\"}\n\u{feff}\n{\"text\":\"x\u{feff}\"}\n";
        let got = items(text, JsonlFields::default(), 1000);
        let bodies: Vec<&str> = got
            .iter()
            .map(|r| {
                r.as_ref()
                    .map_or("", |d| std::str::from_utf8(&d.bytes).unwrap_or(""))
            })
            .collect();
        // A line with only a mark is blank; one inside a string is content.
        assert_eq!(bodies, ["one", "two", "x\u{feff}"], "{got:?}");
        assert_eq!(got[1].as_ref().map(|d| d.origin.as_str()), Ok("d.jsonl:2"));
    }

    #[test]
    fn field_names_in_messages_are_escaped() {
        // Found by the `jsonl` fuzz target: a key with a line break in it.
        let got = items("{\"url\\nx\":1}\n", JsonlFields::default(), 1000);
        let err = got[0].as_ref().unwrap_err();
        assert!(
            err.ends_with("fields are `url\\nx` (--content-field)"),
            "{err}"
        );
        let long = format!("{{\"{}\":1}}\n", "k".repeat(10_000));
        let got = items(&long, JsonlFields::default(), 100_000);
        let err = got[0].as_ref().unwrap_err();
        assert!(
            err.ends_with(&format!(
                "fields are `{}…` (--content-field)",
                "k".repeat(40)
            )),
            "{err}"
        );
    }

    #[test]
    fn long_lines_are_refused_without_losing_the_next() {
        let text = format!("{{\"text\":\"{}\"}}\n{{\"text\":\"ok\"}}", "x".repeat(100));
        let got = items(&text, JsonlFields::default(), 50);
        assert!(got[0].as_ref().unwrap_err().contains("max-input-size"));
        assert_eq!(got[1].as_ref().unwrap().bytes, b"ok");
    }

    #[test]
    fn only_field_names_that_end_in_the_word_text_force_text() {
        for (name, text) in [
            ("text", true),
            ("TEXT", true),
            ("body_text", true),
            ("main-text", true),
            ("bodyText", true),
            ("page2Text", true),
            ("context", false),
            ("hypertext", false),
            ("Text", true),
            ("BODYText", false),
            ("html", false),
        ] {
            let line = format!("{{\"{name}\":\"<p>a</p>\"}}\n");
            let fields = JsonlFields {
                content: Some(name.to_string()),
                ..JsonlFields::default()
            };
            let got = items(&line, fields, 1000);
            let kind = got[0].as_ref().map(|d| d.info.kind).unwrap_or(None);
            assert_eq!(kind == Some(ContentKind::Text), text, "{name}");
        }
    }

    #[test]
    fn a_null_default_content_field_falls_through_to_the_next() {
        let text = "{\"html\":null,\"text\":\"plain\"}\n\
                    {\"html\":null,\"content\":\"<p>c</p>\"}\n\
                    {\"html\":null,\"text\":null}\n\
                    {\"html\":7,\"text\":\"x\"}\n";
        let got = items(text, JsonlFields::default(), 1000);
        let a = got[0].as_ref().unwrap();
        assert_eq!(
            (a.bytes.as_slice(), a.info.kind),
            (&b"plain"[..], Some(ContentKind::Text))
        );
        assert_eq!(got[1].as_ref().unwrap().bytes, b"<p>c</p>");
        assert!(got[2]
            .as_ref()
            .unwrap_err()
            .contains("content field `html` is null"));
        // Only null is empty: another value in `html` is still wrong.
        assert!(got[3]
            .as_ref()
            .unwrap_err()
            .contains("content field `html` is a number"));
        // A field named on the command line is the one, null or not.
        let fields = JsonlFields {
            content: Some("html".into()),
            ..JsonlFields::default()
        };
        let got = items("{\"html\":null,\"text\":\"plain\"}\n", fields, 1000);
        assert!(got[0]
            .as_ref()
            .unwrap_err()
            .contains("content field `html` is null"));
    }

    #[test]
    fn configured_fields_and_kind_are_used() {
        let fields = JsonlFields {
            content: Some("body".into()),
            url: "link".into(),
            id: "key".into(),
            kind: Some(ContentKind::Html),
        };
        let got = items(
            "{\"body\":\"x\",\"link\":\"l\",\"key\":\"k\",\"html\":1}",
            fields,
            100,
        );
        let d = got[0].as_ref().unwrap();
        assert_eq!(
            (d.url.as_deref(), d.info.id.as_deref()),
            (Some("l"), Some("k"))
        );
        assert_eq!(d.info.kind, Some(ContentKind::Html));
        assert_eq!(d.info.extra["html"], 1);
    }
}
