//! Decode: raw bytes → UTF-8 text, plus whether the text is HTML.
//!
//! The charset is chosen in a fixed order of trust: a byte-order mark, then a declared charset
//! (the content type that came with the document, then `<meta charset>` / `http-equiv` in the
//! first 4 KiB), then `chardetng` detection. A declaration the bytes contradict is not trusted:
//! a page labelled UTF-8 whose bytes are mostly invalid UTF-8, a page labelled with a multi-byte
//! legacy charset that detection decodes with fewer errors, or a page labelled with a single-byte
//! charset whose bytes are valid UTF-8 with non-ASCII text is decoded as detected, and the
//! refused label is kept in [`EncodingInfo::overridden`]. A BOM is never second-guessed.
//! Invalid sequences become U+FFFD and are counted, with the offset of the first one, in
//! [`EncodingInfo`]; decoding never fails on bad bytes. Inputs that are not text at all (a NUL
//! byte anywhere, unless the input is UTF-16) or hold nothing are refused with a [`DecodeError`]
//! the pipeline records as a skip.

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::model::{ContentKind, DecodedDocument, EncodingInfo, EncodingSource, RawDocument};

/// Why a document has no text to work on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("input is empty or whitespace only")]
    Empty,
    #[error("input looks binary (NUL byte at offset {offset}), not text")]
    Binary { offset: usize },
    #[error("input is {format}, not text")]
    Format { format: &'static str },
}

/// Magic numbers of binary formats common in crawls, checked before anything else so a file is
/// named for what it is even when no NUL byte gives it away (a PDF's header, a GIF's first KiB).
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"\x1f\x8b", "gzip data (not decompressed)"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd data (not decompressed)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
];

/// How far into the input the `<meta>` prescan and the binary check look, as browsers do.
const PRESCAN: usize = 4096;
/// How much input `chardetng` sees; detection settles long before this.
const DETECT_WINDOW: usize = 64 * 1024;

/// Decodes one raw document.
pub fn decode(raw: &RawDocument) -> Result<DecodedDocument, DecodeError> {
    let bytes = raw.bytes.as_slice();
    let (mut encoding, mut source, body, checked) =
        choose_encoding(bytes, raw.content_type.as_deref())?;
    let (mut text, mut malformed, mut first_malformed_at) = match checked {
        // Already known to be valid UTF-8: decoding it would only check it again.
        Some(valid) => (valid.to_string(), 0, None),
        None => decode_counting(encoding, body),
    };
    let mut overridden = None;
    if matches!(source, EncodingSource::Header | EncodingSource::Meta) {
        if let Some(better) = contradicted(encoding, body, malformed) {
            let (t, m, f) = decode_counting(better, body);
            // UTF-8 read as a legacy charset never has errors, so "fewer errors" cannot judge
            // that case; valid multi-byte UTF-8 is evidence enough on its own.
            if m < malformed || better == UTF_8 {
                overridden = Some(format!("{} ({source})", encoding.name()));
                (encoding, source) = (better, EncodingSource::Detected);
                (text, malformed, first_malformed_at) = (t, m, f);
            }
        }
    }
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
            overridden,
        },
        bytes_in: bytes.len(),
    })
}

/// Picks the encoding; returns it, why, the bytes to decode (BOM removed) and, when choosing
/// found them to be valid UTF-8 (and chose UTF-8), those bytes as text.
fn choose_encoding<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> Result<Chosen<'a>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((_, format)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(DecodeError::Format { format });
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return Ok((enc, EncodingSource::Bom, &bytes[bom_len..], None));
    }
    let head = &bytes[..bytes.len().min(PRESCAN)];
    if let Some(utf16) = sniff_utf16_without_bom(head) {
        return Ok((utf16, EncodingSource::Detected, bytes, None));
    }
    // Text never holds NUL; images, archives and executables do within their first bytes,
    // but a NUL anywhere means the input is not a text document.
    if let Some(offset) = memchr::memchr(0, bytes) {
        return Err(DecodeError::Binary { offset });
    }
    if let Some(enc) = content_type.and_then(charset_param).and_then(label) {
        return Ok((enc, EncodingSource::Header, bytes, None));
    }
    if let Some(enc) = meta_charset(head) {
        return Ok((enc, EncodingSource::Meta, bytes, None));
    }
    // Damaged UTF-8 (a truncated last character, a stray byte) is still UTF-8: detection would
    // never guess it and would turn every other non-ASCII character into mojibake.
    // Valid UTF-8 (most dumps) is checked once, here, and handed on as text.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((UTF_8, EncodingSource::Detected, bytes, Some(text)));
    }
    let (valid, invalid) = utf8_evidence(bytes);
    if invalid == 0 || (valid > 0 && valid >= invalid) {
        return Ok((UTF_8, EncodingSource::Detected, bytes, None));
    }
    Ok((detect(bytes), EncodingSource::Detected, bytes, None))
}

/// What [`choose_encoding`] returns: the encoding, why, the bytes to decode and, when they are
/// already known to be valid UTF-8, their text.
type Chosen<'a> = (&'static Encoding, EncodingSource, &'a [u8], Option<&'a str>);

/// Counts valid non-ASCII UTF-8 characters and damaged spots: runs of adjacent invalid
/// sequences count once, so a CESU-8 surrogate pair (six invalid bytes in a row) weighs as much
/// as one stray byte, while legacy text labelled UTF-8 has a damaged spot per accented letter.
/// Valid characters only weigh against damage, so valid UTF-8 returns `(0, 0)` uncounted.
fn utf8_evidence(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut runs) = (0usize, 0usize);
    let mut in_run = false;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) if runs == 0 => return (0, 0),
            // Every non-ASCII character of valid UTF-8 has exactly one lead byte (0xC0 and up).
            Ok(s) => return (valid + s.bytes().filter(|&b| b >= 0xC0).count(), runs),
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                // `good` is valid UTF-8 by construction; count its non-ASCII lead bytes.
                valid += good.iter().filter(|&&b| b >= 0xC0).count();
                if !(in_run && good.is_empty()) {
                    runs += 1;
                }
                in_run = true;
                match e.error_len() {
                    Some(n) => bytes = &rest[n..],
                    None => return (valid, runs),
                }
            }
        }
    }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    let window = &bytes[..bytes.len().min(DETECT_WINDOW)];
    detector.feed(window, window.len() == bytes.len());
    detector.guess(None, true)
}

/// When the bytes contradict the declared `encoding`, the encoding to try instead.
///
/// * Declared UTF-8 with more malformed sequences than valid non-ASCII characters: the page is
///   in a legacy charset (typically windows-1252 labelled UTF-8 by a template). A UTF-8 page with
///   a few damaged bytes among many valid ones stays UTF-8.
/// * Declared multi-byte legacy charset (Shift_JIS, GBK, EUC-KR…) with malformed sequences:
///   detection's guess, which the caller keeps only if it decodes with fewer errors.
/// * Declared single-byte charset, but the bytes are valid UTF-8 and not all ASCII: UTF-8 (the
///   chance that legacy text forms only valid UTF-8 multi-byte sequences is negligible).
fn contradicted(
    encoding: &'static Encoding,
    bytes: &[u8],
    malformed: usize,
) -> Option<&'static Encoding> {
    if encoding == UTF_8 {
        if malformed == 0 {
            return None;
        }
        let (valid, invalid) = utf8_evidence(bytes);
        return (valid < invalid)
            .then(|| detect(bytes))
            .filter(|&e| e != UTF_8);
    }
    if encoding.is_single_byte() {
        return (!bytes.is_ascii() && std::str::from_utf8(bytes).is_ok()).then_some(UTF_8);
    }
    (malformed > 0)
        .then(|| detect(bytes))
        .filter(|&e| e != encoding)
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
    // No tag without a `<`: text dumps are spared lower-casing a copy of their head.
    memchr::memchr(b'<', head)?;
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
    // Both verdicts need NULs in at least seven of ten pairs: a head without any (every text
    // in an ASCII-compatible encoding) is spared counting them byte by byte.
    memchr::memchr(0, head)?;
    utf16_by_nuls(head)
}

/// [`sniff_utf16_without_bom`]'s verdict from the NULs at even and odd offsets of `head`.
fn utf16_by_nuls(head: &[u8]) -> Option<&'static Encoding> {
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
    // Every sign of HTML below starts with `<`, and PRESCAN chars take at most four times as
    // many bytes: without a `<` there, the input is text.
    if memchr::memchr(b'<', &start.as_bytes()[..start.len().min(4 * PRESCAN)]).is_none() {
        return ContentKind::Text;
    }
    // The first PRESCAN chars, sliced rather than collected char by char.
    let end = start
        .char_indices()
        .nth(PRESCAN)
        .map_or(start.len(), |(i, _)| i);
    let head = start[..end].to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return ContentKind::Html;
    }
    if ["<html", "<head>", "<head ", "<body"]
        .iter()
        .any(|m| head.contains(m))
    {
        return ContentKind::Html;
    }
    // Every tag starts with its only `<`, so a tag's matches never overlap and counting them
    // is checking each `<` once, instead of one substring search per tag.
    const TAGS: [&str; 9] = [
        "<p>", "<p ", "<div", "<br", "<a href", "<span", "<li>", "<h1", "<h2",
    ];
    let tags = head
        .match_indices('<')
        .map(|(i, _)| TAGS.iter().filter(|t| head[i..].starts_with(*t)).count())
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
            info: Default::default(),
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
        let b = "<meta charset=utf-8>ok \u{2014} caf\u{e9} na\u{ef}ve \u{201c}x\u{201d}"
            .as_bytes()
            .iter()
            .chain(b" \xff\xfe then \xc3")
            .copied()
            .collect::<Vec<u8>>();
        let d = decode(&raw(&b, None)).unwrap();
        assert_eq!(d.encoding.encoding, "UTF-8");
        assert_eq!(d.encoding.source, EncodingSource::Meta);
        assert_eq!(d.encoding.overridden, None, "damaged UTF-8 stays UTF-8");
        assert_eq!(d.encoding.malformed, 3);
        assert_eq!(d.encoding.first_malformed_at, Some(b.len() - 9));
        assert_eq!(d.text.matches('\u{FFFD}').count(), 3);
    }

    #[test]
    fn a_wrong_meta_charset_is_corrected() {
        // windows-1252 bytes under a UTF-8 label.
        let text = "<html><head><meta charset=\"utf-8\"></head><body><p>Le caf\u{e9} \u{2014} \u{ab} na\u{ef}ve \u{bb}, cr\u{e8}me br\u{fb}l\u{e9}e \u{e0} l\u{2019}\u{e9}t\u{e9}.</p></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&raw(&bytes, None)).unwrap();
        assert_eq!(d.encoding.encoding, "windows-1252");
        assert_eq!(d.encoding.source, EncodingSource::Detected);
        assert_eq!(
            d.encoding.overridden.as_deref(),
            Some("UTF-8 (<meta> charset)")
        );
        assert_eq!(d.encoding.malformed, 0);
        assert_eq!(d.text, text);
        // UTF-8 bytes under a windows-1252 label.
        let b = "<meta charset=windows-1252><p>caf\u{e9} cr\u{e8}me</p>".as_bytes();
        let d = decode(&raw(b, None)).unwrap();
        assert_eq!(d.encoding.encoding, "UTF-8");
        assert_eq!(
            d.encoding.overridden.as_deref(),
            Some("windows-1252 (<meta> charset)")
        );
        assert!(d.text.contains("caf\u{e9} cr\u{e8}me"));
        // GBK bytes under a Shift_JIS label: detection decodes them without errors.
        let zh = "<p>\u{8fd9}\u{662f}\u{4e00}\u{4e2a}\u{7528}\u{4e8e}\u{6d4b}\u{8bd5}\u{7f16}\u{7801}\u{68c0}\u{6d4b}\u{7684}\u{4e2d}\u{6587}\u{6bb5}\u{843d}\u{3002}</p>".repeat(6);
        let labelled = format!("<meta charset=shift_jis>{zh}");
        let (bytes, _, _) = encoding_rs::GBK.encode(&labelled);
        let d = decode(&raw(&bytes, None)).unwrap();
        assert_eq!(d.encoding.encoding, "GBK");
        assert_eq!(d.encoding.malformed, 0);
        assert_eq!(
            d.encoding.overridden.as_deref(),
            Some("Shift_JIS (<meta> charset)")
        );
        assert_eq!(d.text, labelled);
    }

    #[test]
    fn undeclared_damaged_utf8_stays_utf8() {
        let mut b = "Caf\u{e9} cr\u{e8}me na\u{ef}ve \u{2014} d\u{e9}j\u{e0} vu, \u{e9}t\u{e9}."
            .as_bytes()
            .to_vec();
        b.insert(3, 0x80); // a lone continuation byte
        b.extend_from_slice(&"\u{e9}".as_bytes()[..1]); // truncated at EOF
        let d = decode(&raw(&b, None)).unwrap();
        assert_eq!(d.encoding.encoding, "UTF-8");
        assert_eq!(d.encoding.malformed, 2);
        assert_eq!(d.encoding.first_malformed_at, Some(3));
        assert!(d.text.contains("cr\u{e8}me na\u{ef}ve"), "{}", d.text);
        // Legacy text with no valid multi-byte sequence is still detected.
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("Caf\u{e9} cr\u{e8}me \u{e9}t\u{e9}");
        assert_eq!(
            decode(&raw(&latin, None)).unwrap().encoding.encoding,
            "windows-1252"
        );
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
            DecodeError::Format {
                format: "a PNG image"
            }
        );
        assert_eq!(
            decode(&raw(b"Text then a\0NUL", None)).unwrap_err(),
            DecodeError::Binary { offset: 11 }
        );
        assert_eq!(
            decode(&raw(b" \n\t ", None)).unwrap_err(),
            DecodeError::Empty
        );
        assert_eq!(decode(&raw(b"", None)).unwrap_err(), DecodeError::Empty);
        let mut late = "A plain line of text. ".repeat(400).into_bytes();
        late.push(0);
        assert_eq!(
            decode(&raw(&late, None)).unwrap_err(),
            DecodeError::Binary { offset: 8800 }
        );
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

    /// Bytes drawn from what the encoding choice looks at: ASCII, NUL, UTF-8 lead and
    /// continuation bytes, a BOM's first byte and `<`.
    fn input_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            proptest::sample::select(vec![
                b'a', b' ', b'<', 0, 0xC3, 0xA9, 0xE2, 0x80, 0xFF, 0xEF,
            ]),
            0..40,
        )
    }

    proptest::proptest! {
        #[test]
        fn utf16_sniffing_agrees_with_counting(
            pairs in proptest::collection::vec(proptest::prop_oneof![
                8 => proptest::strategy::Just([b'a', 0]),
                8 => proptest::strategy::Just([0, b'a']),
                1 => proptest::strategy::Just([b'a', b'b']),
                1 => proptest::strategy::Just([0, 0]),
            ], 0..20),
            odd in proptest::option::of(proptest::sample::select(vec![0, b'a'])),
        ) {
            let head: Vec<u8> = pairs.concat().into_iter().chain(odd).collect();
            // Without the shortcut for heads without NUL.
            let counted = if head.len() < 8 { None } else { utf16_by_nuls(&head) };
            proptest::prop_assert_eq!(sniff_utf16_without_bom(&head), counted);
        }

        /// The text handed on by the encoding choice is what decoding its bytes would give.
        #[test]
        fn checked_utf8_is_what_decoding_gives(bytes in input_bytes()) {
            if let Ok((encoding, _, body, Some(text))) = choose_encoding(&bytes, None) {
                proptest::prop_assert_eq!(
                    decode_counting(encoding, body),
                    (text.to_string(), 0, None)
                );
            }
        }
    }
}
