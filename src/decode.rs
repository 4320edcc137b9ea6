//! Decode: raw bytes → UTF-8 text, plus whether the text is HTML.
//!
//! The charset is chosen in a fixed order of trust: a byte-order mark, then a declared charset
//! (the content type that came with the document, then `<meta charset>` / `http-equiv` in the
//! first 4 KiB), then `chardetng` detection. Invalid sequences become U+FFFD and are counted, with
//! the offset of the first one, in [`EncodingInfo`]; decoding never fails on bad bytes. Inputs
//! that are not text at all (NUL bytes outside UTF-16) or hold nothing are refused with a
//! [`DecodeError`] the pipeline records as a skip.

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::model::{ContentKind, DecodedDocument, EncodingInfo, EncodingSource, RawDocument};

/// Why a document has no text to work on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("input is empty or whitespace only")]
    Empty,
    #[error("input looks binary (NUL byte at offset {offset}), not text")]
    Binary { offset: usize },
}

/// How far into the input the `<meta>` prescan and the binary check look, as browsers do.
const PRESCAN: usize = 4096;
/// How much input `chardetng` sees; detection settles long before this.
const DETECT_WINDOW: usize = 64 * 1024;

/// Decodes one raw document.
pub fn decode(raw: &RawDocument) -> Result<DecodedDocument, DecodeError> {
    let bytes = raw.bytes.as_slice();
    let (encoding, source, body) = choose_encoding(bytes, raw.content_type.as_deref())?;
    let (text, malformed, first_malformed_at) = decode_counting(encoding, body);
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    let kind = sniff_kind(&text);
    Ok(DecodedDocument {
        origin: raw.origin.clone(),
        url: raw.url.clone(),
        kind,
        text,
        encoding: EncodingInfo {
            encoding: encoding.name().to_string(),
            source,
            malformed,
            first_malformed_at: first_malformed_at.map(|o| o + (bytes.len() - body.len())),
        },
        bytes_in: bytes.len(),
    })
}

/// Picks the encoding; returns it, why, and the bytes to decode (BOM removed).
fn choose_encoding<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> Result<(&'static Encoding, EncodingSource, &'a [u8]), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return Ok((enc, EncodingSource::Bom, &bytes[bom_len..]));
    }
    let head = &bytes[..bytes.len().min(PRESCAN)];
    if let Some(utf16) = sniff_utf16_without_bom(head) {
        return Ok((utf16, EncodingSource::Detected, bytes));
    }
    if let Some(offset) = head.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary { offset });
    }
    if let Some(enc) = content_type.and_then(charset_param).and_then(label) {
        return Ok((enc, EncodingSource::Header, bytes));
    }
    if let Some(enc) = meta_charset(head) {
        return Ok((enc, EncodingSource::Meta, bytes));
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok((UTF_8, EncodingSource::Detected, bytes));
    }
    let mut detector = chardetng::EncodingDetector::new();
    let window = &bytes[..bytes.len().min(DETECT_WINDOW)];
    detector.feed(window, window.len() == bytes.len());
    Ok((detector.guess(None, true), EncodingSource::Detected, bytes))
}

/// Resolves a charset label; UTF-16 labels in ASCII-compatible declarations mean UTF-8, as the
/// HTML standard says, because the declaration itself was readable as ASCII.
fn label(name: &str) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(name.trim().as_bytes())?;
    Some(if enc == UTF_16LE || enc == UTF_16BE {
        UTF_8
    } else {
        enc
    })
}

fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// Finds `<meta charset=…>` or `<meta http-equiv=Content-Type content="…; charset=…">`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + b"charset".len()..];
            let rest = trim_ascii_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_ascii_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let len = rest
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || b"-_:.".contains(b)))
                    .unwrap_or(rest.len());
                if let Some(enc) = std::str::from_utf8(&rest[..len]).ok().and_then(label) {
                    return Some(enc);
                }
            }
        }
        from = end.max(start + 1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// UTF-16 text without a BOM shows up as NUL in every other byte for Latin-script text.
fn sniff_utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    if head.len() < 8 {
        return None;
    }
    let pairs = head.len() / 2;
    let even_nul = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd_nul * 10 >= pairs * 7 && even_nul * 10 <= pairs {
        Some(UTF_16LE)
    } else if even_nul * 10 >= pairs * 7 && odd_nul * 10 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes with replacement, counting malformed sequences and noting where the first one was.
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize, Option<usize>) {
    if encoding == UTF_8 {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return (s.to_string(), 0, None);
        }
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2 + 16);
    let (mut pos, mut malformed, mut first) = (0usize, 0usize, None);
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.reserve(bytes.len() - pos + 64),
            DecoderResult::Malformed(bad, extra) => {
                malformed += 1;
                first.get_or_insert(pos.saturating_sub(bad as usize + extra as usize));
                out.push('\u{FFFD}');
            }
        }
    }
    (out, malformed, first)
}

/// Decides HTML vs text from the content: a doctype or `<html>`/`<head>`/`<body>` near the start,
/// or several common block tags in the first few KiB.
pub fn sniff_kind(text: &str) -> ContentKind {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let head: String = start
        .chars()
        .take(PRESCAN)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return ContentKind::Html;
    }
    if ["<html", "<head>", "<head ", "<body"]
        .iter()
        .any(|m| head.contains(m))
    {
        return ContentKind::Html;
    }
    let tags = [
        "<p>", "<p ", "<div", "<br", "<a href", "<span", "<li>", "<h1", "<h2",
    ]
    .iter()
    .map(|t| head.matches(t).count())
    .sum::<usize>();
    if tags >= 3 {
        ContentKind::Html
    } else {
        ContentKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(bytes: &[u8], ct: Option<&str>) -> RawDocument {
        RawDocument {
            origin: "t".into(),
            url: None,
            content_type: ct.map(str::to_string),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn bom_wins_over_meta() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("<meta charset=windows-1252><p>caf\u{e9}</p>".as_bytes());
        let d = decode(&raw(&b, None)).unwrap();
        assert_eq!(d.encoding.source, EncodingSource::Bom);
        assert_eq!(d.encoding.encoding, "UTF-8");
        assert!(d.text.contains("café"));
    }

    #[test]
    fn meta_charset_is_used() {
        let b = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><p>na\xefve</p></body></html>";
        let d = decode(&raw(b, None)).unwrap();
        assert_eq!(d.encoding.encoding, "windows-1252");
        assert_eq!(d.encoding.source, EncodingSource::Meta);
        assert!(d.text.contains("naïve"));
        assert_eq!(d.kind, ContentKind::Html);
    }

    #[test]
    fn header_charset_beats_meta() {
        let b = b"<meta charset=utf-8><p>\xe9t\xe9</p>";
        let d = decode(&raw(b, Some("text/html; charset=ISO-8859-1"))).unwrap();
        assert_eq!(d.encoding.source, EncodingSource::Header);
        assert!(d.text.contains("été"));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted() {
        let b = b"<meta charset=utf-8>ok \xff\xfe then \xc3";
        let d = decode(&raw(b, None)).unwrap();
        assert_eq!(d.encoding.malformed, 3);
        assert_eq!(d.encoding.first_malformed_at, Some(23));
        assert_eq!(d.text.matches('\u{FFFD}').count(), 3);
    }

    #[test]
    fn undeclared_legacy_text_is_detected() {
        let text = "Привет, это проверка кодировки для русского текста в KOI8-R. ".repeat(4);
        let (bytes, _, _) = encoding_rs::KOI8_R.encode(&text);
        let d = decode(&raw(&bytes, None)).unwrap();
        assert_eq!(d.encoding.source, EncodingSource::Detected);
        assert_eq!(d.text, text);
    }

    #[test]
    fn utf16_without_bom_and_binary() {
        let le: Vec<u8> = "Hello world, plain text"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode(&raw(&le, None)).unwrap();
        assert_eq!(d.encoding.encoding, "UTF-16LE");
        assert_eq!(d.text, "Hello world, plain text");
        assert_eq!(
            decode(&raw(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None)).unwrap_err(),
            DecodeError::Binary { offset: 8 }
        );
        assert_eq!(
            decode(&raw(b" \n\t ", None)).unwrap_err(),
            DecodeError::Empty
        );
        assert_eq!(decode(&raw(b"", None)).unwrap_err(), DecodeError::Empty);
    }

    #[test]
    fn sniffing_uses_content() {
        assert_eq!(
            sniff_kind("<!DOCTYPE html><title>x</title>"),
            ContentKind::Html
        );
        assert_eq!(sniff_kind("<div><p>a</p><p>b</p></div>"), ContentKind::Html);
        assert_eq!(
            sniff_kind("Title\n\nA line about <b> tags."),
            ContentKind::Text
        );
    }
}
