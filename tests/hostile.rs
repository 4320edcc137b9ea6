//! The hostile-input corpus (issue 5): every kind of input a raw dump can throw at deboiler, each
//! with the outcome it must get, generated at test time into a temp dir (nothing large is
//! committed) and run through the real binary with `ingest`. The per-input outcomes are read back
//! with `deboiler failures` and `deboiler export` and the counts from the summary line.
//!
//! `cargo test --test hostile` runs the default corpus (seconds in a debug build; limits are
//! exercised with small limits passed by flag). `just hostile-full` also runs the 100 MB single
//! line and the 1M-sibling page under the default limits.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use common::{deboiler, stderr, stdout};
use serde_json::Value;

/// What one input must come out as.
enum Expect {
    /// Stored as an article whose body contains `text`, decoded with `encoding`.
    Stored {
        text: &'static str,
        encoding: &'static str,
    },
    /// Same body as another input: its origin joins that article.
    Duplicate,
    /// Skipped, with a reason containing this.
    Skipped(&'static str),
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
}

/// A few paragraphs of article prose, unique per `tag` so no two cases deduplicate by accident.
fn prose(tag: &str, extra: &str) -> String {
    format!(
        "Harbour report {tag}\n\n\
         The harbour authority said on Tuesday that the new breakwater, case {tag}, will be finished before the winter storms arrive, after two years of delays caused by supply problems and a long dispute over the contract.\n\n\
         Engineers told the council that the structure had been tested against waves twice as high as the worst storm on record, and that fishing boats would be able to use the inner basin again by the end of the month. {extra}\n\n\
         Residents who had campaigned for the project welcomed the news but asked for a public meeting to discuss the cost, which has risen by a third since the plans were first approved by the regional government.\n"
    )
}

fn html_page(tag: &str, head: &str, extra: &str) -> String {
    let body: String = prose(tag, extra)
        .split("\n\n")
        .skip(1)
        .map(|p| format!("<p>{}</p>\n", p.trim()))
        .collect();
    format!(
        "<!DOCTYPE html><html><head>{head}<title>Harbour report {tag}</title></head><body><article><h1>Harbour report {tag}</h1>\n{body}</article></body></html>\n"
    )
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn encode(enc: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(text);
    assert!(!unmappable, "test text must be encodable in {}", enc.name());
    bytes.into_owned()
}

/// CESU-8: characters outside the BMP as two 3-byte surrogate encodings (invalid UTF-8).
fn cesu8(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in text.chars() {
        if (c as u32) < 0x10000 {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let u = *u as u32;
                out.extend_from_slice(&[
                    0xE0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3F) as u8,
                    0x80 | (u & 0x3F) as u8,
                ]);
            }
        }
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

/// Inputs checked under the default limits.
fn default_corpus() -> Vec<Case> {
    use Expect::*;
    let fr = "Le caf\u{e9} na\u{ef}f, cr\u{e8}me br\u{fb}l\u{e9}e \u{e0} l\u{2019}\u{e9}t\u{e9}.";
    let mut cases = vec![
        Case { name: "empty.txt", bytes: vec![], expect: Skipped("empty") },
        Case { name: "one-byte.txt", bytes: b"x".to_vec(), expect: Skipped("no article text left") },
        Case { name: "whitespace.txt", bytes: b" \n\t\r\n   \n".to_vec(), expect: Skipped("empty") },
        Case {
            name: "nul-early.txt",
            bytes: [b"ab\0".as_slice(), prose("nul-early", "").as_bytes()].concat(),
            expect: Skipped("NUL byte at offset 2"),
        },
        Case {
            name: "nul-late.txt",
            bytes: [prose("nul-late", "").as_bytes(), b"\0tail"].concat(),
            expect: Skipped("NUL byte at offset"),
        },
        Case {
            name: "utf8-lone-continuation.txt",
            bytes: prose("lone-cont", fr).replace("Tuesday", "Tues\u{0}day").into_bytes().into_iter().map(|b| if b == 0 { 0x80 } else { b }).collect(),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-8" },
        },
        Case {
            name: "utf8-overlong.txt",
            bytes: prose("overlong", fr).replace("Tuesday", "Tues\u{0}day").into_bytes().into_iter().flat_map(|b| if b == 0 { vec![0xC0, 0xAF] } else { vec![b] }).collect(),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-8" },
        },
        Case {
            name: "utf8-truncated-at-eof.txt",
            bytes: [prose("truncated", fr).as_bytes(), &"\u{e9}".as_bytes()[..1]].concat(),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-8" },
        },
        Case {
            name: "cesu8.txt",
            bytes: cesu8(&prose("cesu", &format!("{fr} Smile \u{1F600} and \u{1D11E}."))),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-8" },
        },
        Case {
            name: "utf16le-bom.txt",
            bytes: utf16(&prose("u16le-bom", fr), false, true),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-16LE" },
        },
        Case {
            name: "utf16be-bom.txt",
            bytes: utf16(&prose("u16be-bom", fr), true, true),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-16BE" },
        },
        Case {
            name: "utf16le-nobom.txt",
            bytes: utf16(&prose("u16le", fr), false, false),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-16LE" },
        },
        Case {
            name: "utf16be-nobom.html",
            bytes: utf16(&html_page("u16be", "", fr), true, false),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-16BE" },
        },
        Case {
            name: "win1252-labelled-utf8.html",
            bytes: encode(encoding_rs::WINDOWS_1252, &html_page("w1252", "<meta charset=\"utf-8\">", fr)),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "windows-1252" },
        },
        Case {
            name: "bom-contradicts-meta.html",
            bytes: [b"\xEF\xBB\xBF".as_slice(), html_page("bom-meta", "<meta charset=\"windows-1252\">", fr).as_bytes()].concat(),
            expect: Stored { text: "cr\u{e8}me br\u{fb}l\u{e9}e", encoding: "UTF-8" },
        },
        Case {
            name: "gbk.html",
            bytes: encode(encoding_rs::GBK, &html_page("gbk", "<meta charset=\"gbk\">", "\u{8fd9}\u{662f}\u{4e00}\u{4e2a}\u{7528}\u{4e8e}\u{6d4b}\u{8bd5}\u{7684}\u{4e2d}\u{6587}\u{6bb5}\u{843d}\u{3002}")),
            expect: Stored { text: "\u{6d4b}\u{8bd5}\u{7684}\u{4e2d}\u{6587}", encoding: "GBK" },
        },
        Case {
            name: "shift-jis-undeclared.html",
            bytes: encode(encoding_rs::SHIFT_JIS, &html_page("sjis", "", &"\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{6587}\u{7ae0}\u{3067}\u{3059}\u{3002}\u{3053}\u{308c}\u{306f}\u{30c6}\u{30b9}\u{30c8}\u{3067}\u{3059}\u{3002}".repeat(3))),
            expect: Stored { text: "\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{6587}\u{7ae0}", encoding: "Shift_JIS" },
        },
        Case {
            name: "koi8r.html",
            bytes: encode(encoding_rs::KOI8_R, &html_page("koi8", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">", "\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}, \u{44d}\u{442}\u{43e} \u{440}\u{443}\u{441}\u{441}\u{43a}\u{438}\u{439} \u{442}\u{435}\u{43a}\u{441}\u{442}.")),
            expect: Stored { text: "\u{440}\u{443}\u{441}\u{441}\u{43a}\u{438}\u{439} \u{442}\u{435}\u{43a}\u{441}\u{442}", encoding: "KOI8-R" },
        },
        Case { name: "image.png", bytes: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".to_vec(), expect: Skipped("PNG image") },
        Case {
            name: "doc.pdf",
            bytes: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec(),
            expect: Skipped("PDF"),
        },
        Case { name: "archive.zip", bytes: b"PK\x03\x04\x14\0\0\0\x08\0article.txt".to_vec(), expect: Skipped("ZIP archive") },
        Case { name: "program.elf", bytes: b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0".to_vec(), expect: Skipped("ELF executable") },
        Case {
            name: "long-line-3mb.txt",
            bytes: "word ".repeat(600_000).into_bytes(),
            expect: Skipped("limit max-line-length exceeded: line 1 is 3000000 bytes"),
        },
        Case {
            name: "deep-100k.html",
            bytes: format!("<html><body>{}deep{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000)).into_bytes(),
            expect: Skipped("limit max-depth exceeded"),
        },
        Case {
            name: "deep-self-closing-200k.html",
            bytes: format!("<html><body>{}</body></html>", "<div/>x".repeat(200_000)).into_bytes(),
            expect: Skipped("limit max-depth exceeded"),
        },
        Case {
            name: "svg-icons-5k.html",
            bytes: html_page("icons", "", "").replace("</article>", &("</article>".to_string() + &r#"<a href="/s"><svg viewBox="0 0 9 9"><title>Share</title><g><path d="M0 0"/></g></svg></a>"#.repeat(5_000))).into_bytes(),
            expect: Stored { text: "breakwater, case icons", encoding: "UTF-8" },
        },
        Case {
            name: "deep-500.html",
            bytes: html_page("deep-500", "", "").replace("<article>", &("<article>".to_string() + &"<div>".repeat(500))).into_bytes(),
            expect: Stored { text: "breakwater, case deep-500", encoding: "UTF-8" },
        },
        Case {
            name: "siblings-10k.html",
            bytes: html_page("siblings", "", "").replace("</article>", &("</article><ul>".to_string() + &"<li><a href=\"/x\">Link</a></li>".repeat(10_000) + "</ul>")).into_bytes(),
            expect: Stored { text: "breakwater, case siblings", encoding: "UTF-8" },
        },
        Case {
            name: "unclosed-script.html",
            bytes: html_page("script", "", "").replace("</article></body></html>", "</article><script>var s = \"<p>not text</p>").into_bytes(),
            expect: Stored { text: "breakwater, case script", encoding: "UTF-8" },
        },
        Case {
            name: "unclosed-comment.html",
            bytes: html_page("comment", "", "").replace("</article></body></html>", "</article><!-- <p>hidden paragraph that is not text</p>").into_bytes(),
            expect: Stored { text: "breakwater, case comment", encoding: "UTF-8" },
        },
        Case {
            name: "crlf.txt",
            bytes: prose("crlf", "").replace('\n', "\r\n").into_bytes(),
            expect: Stored { text: "breakwater, case crlf", encoding: "UTF-8" },
        },
        Case {
            name: "lone-cr.txt",
            bytes: prose("lone-cr", "").replace('\n', "\r").into_bytes(),
            expect: Stored { text: "breakwater, case lone-cr", encoding: "UTF-8" },
        },
        Case {
            name: "rtl-combining.txt",
            bytes: prose("rtl", "\u{627}\u{644}\u{645}\u{64a}\u{646}\u{627}\u{621} \u{5e0}\u{5de}\u{5dc} \u{202b}mixed\u{202c} cafe\u{301} n\u{303}o Z\u{351}\u{34b}\u{34c}algo.").into_bytes(),
            expect: Stored { text: "\u{627}\u{644}\u{645}\u{64a}\u{646}\u{627}\u{621} \u{5e0}\u{5de}\u{5dc}", encoding: "UTF-8" },
        },
        Case {
            name: "compressed.txt.gz",
            bytes: gzip(prose("gzip", "").as_bytes()),
            expect: Stored { text: "breakwater, case gzip", encoding: "UTF-8" },
        },
        Case {
            name: "truncated-mid-tag.html",
            bytes: html_page("midtag", "", "").split("</article>").next().map(|s| s.to_string() + "<p class=\"unfin").unwrap_or_default().into_bytes(),
            expect: Stored { text: "breakwater, case midtag", encoding: "UTF-8" },
        },
        Case { name: "zz-copy-of-crlf.txt", bytes: prose("crlf", "").into_bytes(), expect: Duplicate },
    ];
    cases.sort_by_key(|c| c.name);
    cases
}

/// Inputs that exercise the limits set small by flag (see [`LIMIT_FLAGS`]).
fn limited_corpus() -> Vec<Case> {
    use Expect::*;
    vec![
        Case { name: "a-ok.txt", bytes: prose("limited-ok", "").into_bytes(), expect: Stored { text: "case limited-ok", encoding: "UTF-8" } },
        Case {
            name: "b-input-2mb.txt",
            bytes: prose("big", "").repeat(2_000_000 / 800 + 1).into_bytes(),
            expect: Skipped("limit max-input-size exceeded"),
        },
        Case {
            name: "c-bomb.gz",
            bytes: gzip(&vec![b'a'; 8 * 1024 * 1024]),
            expect: Skipped("limit max-decompressed-size exceeded: gzip input inflates to more than 1048576 bytes"),
        },
        Case {
            name: "d-depth-60.html",
            bytes: html_page("depth60", "", "").replace("<article>", &("<article>".to_string() + &"<section>".repeat(60))).into_bytes(),
            expect: Skipped("limit max-depth exceeded: HTML nests at least 51 elements deep, the limit is 50"),
        },
        Case {
            name: "e-line-5kb.txt",
            bytes: (prose("line", "") + &"long ".repeat(1000)).into_bytes(),
            expect: Skipped("limit max-line-length exceeded: line 8 is 5000 bytes, the limit is 4096"),
        },
    ]
}

const LIMIT_FLAGS: &[&str] = &[
    "--max-input-mb",
    "1",
    "--max-decompressed-mb",
    "1",
    "--max-depth",
    "50",
    "--max-line-kb",
    "4",
];

fn write_corpus(dir: &Path, cases: &[Case]) {
    std::fs::create_dir_all(dir).expect("corpus dir");
    for c in cases {
        std::fs::write(dir.join(c.name), &c.bytes).expect("write case");
    }
}

/// Runs `ingest` on `dir` (and `missing`, a path that does not exist) with `flags`, and checks
/// every case's outcome in the store and the summary's counts.
fn ingest_and_check(dir: &Path, db: &Path, cases: &[Case], flags: &[&str], missing: Option<&Path>) {
    let (dir_s, db_s) = (dir.display().to_string(), db.display().to_string());
    let mut args = vec!["ingest", "--db", &db_s];
    args.extend_from_slice(flags);
    args.push(&dir_s);
    let missing_s = missing.map(|m| m.display().to_string());
    if let Some(m) = &missing_s {
        args.push(m);
    }
    let out = deboiler(&args);
    let log = stderr(&out);
    assert!(!log.contains("panicked"), "a panic:\n{log}");
    let expected_code = if missing.is_some() { 1 } else { 0 };
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "exit code; log:\n{log}"
    );

    // Per-input outcomes from the store.
    let failures = deboiler(&["failures", "--db", &db_s]);
    let mut reasons: BTreeMap<String, (String, String)> = BTreeMap::new();
    for line in stdout(&failures).lines() {
        let (outcome, rest) = line.split_once("  ").expect("failures line");
        let (_at, rest) = rest.trim_start().split_once("  ").expect("failures line");
        let (origin, reason) = rest.split_once("  ").expect("failures line");
        reasons.insert(
            origin.trim().to_string(),
            (outcome.trim().to_string(), reason.trim().to_string()),
        );
    }
    let export = deboiler(&["export", "--db", &db_s]);
    let mut stored: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    for line in stdout(&export).lines() {
        let rec: Value = serde_json::from_str(line).expect("export is JSON Lines");
        let origins = rec["origins"].as_array().cloned().unwrap_or_default();
        for (i, o) in origins.iter().enumerate() {
            let source = o["source"].as_str().unwrap_or_default().to_string();
            stored.insert(source, (i, rec.clone()));
        }
    }
    let (mut n_stored, mut n_dup, mut n_skip, mut n_fail) = (0, 0, 0, 0);
    // Failures come only from `missing`: no generated input may fail (every one is readable).
    let mut wrong = Vec::new();
    for c in cases {
        let origin = dir.join(c.name).display().to_string();
        let got_failure = reasons.get(&origin);
        let got_record = stored.get(&origin);
        let ok = match (&c.expect, got_failure, got_record) {
            (Expect::Stored { text, encoding }, None, Some((0, rec))) => {
                n_stored += 1;
                let body = rec["body"].as_array().map(|b| {
                    b.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                body.is_some_and(|b| b.contains(text)) && rec["encoding"]["encoding"] == *encoding
            }
            (Expect::Duplicate, None, Some((i, _))) => {
                n_dup += 1;
                *i > 0
            }
            (Expect::Skipped(why), Some((outcome, reason)), None) => {
                n_skip += 1;
                outcome == "skipped" && reason.contains(why)
            }
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "{}: failure record {:?}, stored record {}",
                c.name,
                got_failure,
                got_record.map_or("none".to_string(), |(i, r)| format!(
                    "origin #{i}, encoding {}, body {:.300}",
                    r["encoding"], r["body"]
                ))
            ));
        }
    }
    if let Some(m) = missing {
        let reason = reasons.get(&m.display().to_string());
        assert!(
            reason.is_some_and(|(o, r)| o == "failed" && r.contains("does not exist")),
            "missing input: {reason:?}"
        );
        n_fail += 1;
    }
    assert!(
        wrong.is_empty(),
        "unexpected outcomes:\n{}\nlog:\n{log}",
        wrong.join("\n")
    );
    let read = cases.len() + usize::from(missing.is_some());
    let summary = stdout(&out);
    let want = format!(
        "read {read} · stored {n_stored} · duplicates {n_dup} · skipped {n_skip} · failed {n_fail} ·"
    );
    assert!(
        summary.starts_with(&want),
        "summary `{summary}`, want `{want}`"
    );
}

#[test]
fn hostile_inputs_get_their_expected_outcomes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cases = default_corpus();
    let dir = tmp.path().join("hostile");
    write_corpus(&dir, &cases);
    ingest_and_check(
        &dir,
        &tmp.path().join("db"),
        &cases,
        &[],
        Some(&tmp.path().join("missing.txt")),
    );
    eprintln!(
        "hostile corpus: {} inputs, 0 panics, all outcomes as expected",
        cases.len() + 1
    );
}

#[test]
fn limits_set_by_flag_skip_and_name_the_limit() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cases = limited_corpus();
    let dir = tmp.path().join("limited");
    write_corpus(&dir, &cases);
    ingest_and_check(&dir, &tmp.path().join("db"), &cases, LIMIT_FLAGS, None);
}

#[test]
fn the_time_budget_skips_a_document_between_stages() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cases = vec![Case {
        name: "slow.txt",
        bytes: prose("budget", "").into_bytes(),
        expect: Expect::Skipped("limit time-budget exceeded"),
    }];
    let dir = tmp.path().join("budget");
    write_corpus(&dir, &cases);
    // A zero budget is used up by the first stage, whatever the machine's speed.
    ingest_and_check(
        &dir,
        &tmp.path().join("db"),
        &cases,
        &["--time-budget-ms", "0"],
        None,
    );
    // `clean` applies the same limits and says why on stderr.
    let f = dir.join("slow.txt").display().to_string();
    let out = deboiler(&["clean", "--time-budget-ms", "0", &f]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("skipped") && stderr(&out).contains("--time-budget-ms"));
}

/// The full-size inputs of the issue under the default limits; slow in a debug build
/// (`just hostile-full` runs it in release).
#[test]
#[ignore]
fn hostile_full_size_inputs() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let siblings = html_page("siblings-1m", "", "").replace(
        "</article>",
        &("</article><div>".to_string() + &"<p>Sibling</p>".repeat(1_000_000) + "</div>"),
    );
    let cases = vec![
        Case {
            name: "line-100mb.txt",
            bytes: vec![b'a'; 100 * 1024 * 1024],
            expect: Expect::Skipped("limit max-input-size exceeded"),
        },
        Case {
            name: "line-60mb.txt",
            bytes: vec![b'a'; 60 * 1024 * 1024],
            expect: Expect::Skipped("limit max-line-length exceeded"),
        },
        Case {
            name: "siblings-1m.html",
            bytes: siblings.into_bytes(),
            expect: Expect::Stored {
                text: "breakwater, case siblings-1m",
                encoding: "UTF-8",
            },
        },
    ];
    let dir = tmp.path().join("full");
    write_corpus(&dir, &cases);
    ingest_and_check(&dir, &tmp.path().join("db"), &cases, &[], None);
}

/// A WARC record of `kind` holding `block`; `length` overrides the declared Content-Length.
fn warc_record(kind: &str, uri: &str, block: &[u8], length: Option<&str>) -> Vec<u8> {
    let len = block.len().to_string();
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\nContent-Length: {}\r\n\r\n",
        length.unwrap_or(&len)
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http_response(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{headers}\r\n").into_bytes();
    r.extend_from_slice(body);
    r
}

/// Hostile containers (issue 6 inputs under issue 5's rules): each bad record ends as one
/// failed or skipped record whose origin names the file and the record's offset or line and
/// whose reason says what was wrong; the good records around them, and the files after them,
/// are stored. Run under 1 MiB input and decompressed limits.
#[test]
fn hostile_containers_fail_or_skip_records_and_the_batch_goes_on() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("containers");
    std::fs::create_dir_all(&dir).expect("dir");
    let page = |tag: &str| html_page(tag, "", "").into_bytes();
    let good = |tag: &str| {
        warc_record(
            "response",
            &format!("http://harbour.example/{tag}"),
            &http_response("", &page(tag)),
            None,
        )
    };
    let at = |name: &str, off: usize| format!("{}@{off}", dir.join(name).display());
    let line = |name: &str, n: usize| format!("{}:{n}", dir.join(name).display());
    // (origin, outcome, reason contains) for every failure; origins of the stored records.
    let mut failed: Vec<(String, &str, String)> = Vec::new();
    let mut stored: Vec<String> = Vec::new();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).expect("write");

    // a: a record declaring 99 999 999 999 bytes after a good one; nothing of it is allocated,
    // the stream ends long before.
    let mut a = good("a-good");
    let absurd_at = a.len();
    a.extend(warc_record(
        "response",
        "http://harbour.example/absurd",
        &http_response("", &page("absurd")),
        Some("99999999999"),
    ));
    write("a-absurd-length.warc", &a);
    stored.push(at("a-absurd-length.warc", 0));
    failed.push((
        at("a-absurd-length.warc", absurd_at),
        "failed",
        "truncated WARC record: Content-Length is 99999999999 bytes".into(),
    ));

    // b: a chunked body whose first chunk claims 2^64-1 bytes: not chunked after all, the body
    // is kept as it is (and nothing of that size is allocated).
    let mut huge_chunk = b"ffffffffffffffff\r\n".to_vec();
    huge_chunk.extend(page("huge-chunk"));
    write(
        "b-huge-chunk.warc",
        &warc_record(
            "response",
            "http://harbour.example/huge-chunk",
            &http_response("Transfer-Encoding: chunked\r\n", &huge_chunk),
            None,
        ),
    );
    stored.push(at("b-huge-chunk.warc", 0));

    // c: gzip bombs in a .warc.gz: a member whose record is 8 MiB of zeros (over the 1 MiB
    // input limit: read past, never held), and an HTTP body gzipped from 8 MiB (inflating
    // stops at the limit); a good member after each.
    let zeros = vec![0u8; 8 << 20];
    let mut c = gzip(&warc_record(
        "response",
        "http://harbour.example/zeros",
        &zeros,
        None,
    ));
    let c_good1 = c.len();
    c.extend(gzip(&good("c-good1")));
    let c_http = c.len();
    let mut bomb_page = page("http-bomb");
    bomb_page.extend(vec![b' '; 8 << 20]);
    c.extend(gzip(&warc_record(
        "response",
        "http://harbour.example/http-bomb",
        &http_response("Content-Encoding: gzip\r\n", &gzip(&bomb_page)),
        None,
    )));
    let c_good2 = c.len();
    c.extend(gzip(&good("c-good2")));
    assert!(
        c.len() < 200_000,
        "the bombs are small on disk: {}",
        c.len()
    );
    write("c-bombs.warc.gz", &c);
    failed.push((
        at("c-bombs.warc.gz", 0),
        "skipped",
        format!(
            "limit max-input-size exceeded: input is {} bytes",
            zeros.len()
        ),
    ));
    stored.push(at("c-bombs.warc.gz", c_good1));
    failed.push((
        at("c-bombs.warc.gz", c_http),
        "skipped",
        "limit max-input-size exceeded".into(),
    ));
    stored.push(at("c-bombs.warc.gz", c_good2));

    // d: 20 000 small damaged gzip members (header, then a reserved deflate block type), then
    // a good member: each damaged one fails alone, the good one is stored.
    let bad: &[u8] = &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x07];
    let mut d = bad.repeat(20_000);
    let d_good = d.len();
    d.extend(gzip(&good("d-good")));
    write("d-damaged-members.warc.gz", &d);
    for i in 0..20_000 {
        failed.push((
            at("d-damaged-members.warc.gz", i * bad.len()),
            "failed",
            "gzip member at byte".into(),
        ));
    }
    stored.push(at("d-damaged-members.warc.gz", d_good));

    // e: JSON Lines: a line over the input limit between two good ones, and a .jsonl.zst whose
    // one line inflates to 8 MiB.
    let json = |tag: &str| {
        serde_json::json!({ "html": html_page(tag, "", ""), "url": format!("https://harbour.example/{tag}") })
            .to_string()
    };
    let long = serde_json::json!({ "text": "word ".repeat(300_000) }).to_string();
    write(
        "e-long-line.jsonl",
        format!("{}\n{long}\n{}\n", json("e-first"), json("e-third")).as_bytes(),
    );
    stored.push(line("e-long-line.jsonl", 1));
    failed.push((
        line("e-long-line.jsonl", 2),
        "skipped",
        format!(
            "limit max-input-size exceeded: input is {} bytes",
            long.len()
        ),
    ));
    stored.push(line("e-long-line.jsonl", 3));
    let zst_line = serde_json::json!({ "text": " ".repeat(8 << 20) }).to_string();
    write(
        "f-bomb.jsonl.zst",
        &zstd::encode_all(format!("{zst_line}\n{}\n", json("f-second")).as_bytes(), 19)
            .expect("zstd"),
    );
    failed.push((
        line("f-bomb.jsonl.zst", 1),
        "skipped",
        "limit max-input-size exceeded".into(),
    ));
    stored.push(line("f-bomb.jsonl.zst", 2));

    // g: a zstd bomb as a single document, then an ordinary file.
    write(
        "g-bomb.html.zst",
        &zstd::encode_all(&vec![b'<'; 8 << 20][..], 19).expect("zstd"),
    );
    failed.push((
        dir.join("g-bomb.html.zst").display().to_string(),
        "skipped",
        "limit max-decompressed-size exceeded".into(),
    ));
    write("h-last.html", &page("h-last"));
    stored.push(dir.join("h-last.html").display().to_string());

    let (dir_s, db) = (
        dir.display().to_string(),
        tmp.path().join("db").display().to_string(),
    );
    let started = std::time::Instant::now();
    let out = deboiler(&[
        "ingest",
        "--db",
        &db,
        "--max-input-mb",
        "1",
        "--max-decompressed-mb",
        "1",
        &dir_s,
    ]);
    let took = started.elapsed();
    let log = stderr(&out);
    assert!(!log.contains("panicked"), "a panic:\n{log}");
    assert_eq!(out.status.code(), Some(1), "failures exit 1; log:\n{log}");

    let listed = stdout(&deboiler(&["failures", "--db", &db]));
    let mut got: BTreeMap<String, (String, String)> = BTreeMap::new();
    for l in listed.lines() {
        let (outcome, rest) = l.split_once("  ").expect("failures line");
        let (_at, rest) = rest.trim_start().split_once("  ").expect("failures line");
        let (origin, reason) = rest.split_once("  ").expect("failures line");
        got.insert(
            origin.trim().to_string(),
            (outcome.trim().to_string(), reason.trim().to_string()),
        );
    }
    for (origin, outcome, why) in &failed {
        let g = got.get(origin);
        assert!(
            g.is_some_and(|(o, r)| o == outcome && r.contains(why.as_str())),
            "{origin}: want {outcome} `{why}`, got {g:?}"
        );
    }
    assert_eq!(
        got.len(),
        failed.len(),
        "unexpected failures: {listed:.2000}"
    );

    let export = stdout(&deboiler(&["export", "--db", &db]));
    let mut sources: Vec<String> = Vec::new();
    for l in export.lines() {
        let rec: Value = serde_json::from_str(l).expect("export is JSON Lines");
        for o in rec["origins"].as_array().cloned().unwrap_or_default() {
            sources.push(o["source"].as_str().unwrap_or_default().to_string());
        }
    }
    sources.sort();
    stored.sort();
    assert_eq!(sources, stored);
    let skipped = failed.iter().filter(|f| f.1 == "skipped").count();
    let want = format!(
        "read {} · stored {} · duplicates 0 · skipped {skipped} · failed {} ·",
        failed.len() + stored.len(),
        stored.len(),
        failed.len() - skipped
    );
    assert!(
        stdout(&out).starts_with(&want),
        "summary `{}`, want `{want}`",
        stdout(&out)
    );
    eprintln!(
        "hostile containers: {} records in 8 files, {} stored, {} skipped, {} failed, in {took:?}",
        failed.len() + stored.len(),
        stored.len(),
        skipped,
        failed.len() - skipped
    );
}
