//! Inputs and the parallel pipeline through the real binary (issue 6): gzip and zstd files,
//! JSON Lines (bad lines, field names, pass-through fields), WARC and WARC.gz built by hand,
//! include/exclude globs, stdin, `--out jsonl`, and `--jobs 1` against `--jobs 4`.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Output;

use common::{deboiler, deboiler_in, stderr, stdout};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

/// A distinct article-shaped text of a few paragraphs.
fn article(tag: &str) -> String {
    format!(
        "Harbour notes {tag}\n\n\
         The council met on Thursday to discuss item {tag}, a proposal to repair the old bridge before the spring floods, and agreed after a long debate to ask for three more quotes.\n\n\
         Several members said the cost of item {tag} had doubled since the first survey, while others argued that waiting another year would only make the work more expensive.\n"
    )
}

fn html(tag: &str) -> String {
    format!(
        "<html><head><title>Ferry report {tag}</title></head><body><nav><a href=/>Home</a></nav>\
         <article><h1>Ferry report {tag}</h1><p>The ferry timetable for route {tag} changes on Monday, the operator said, and early boats will run twice as often as before.</p>\
         <p>Commuters on route {tag} welcomed the change, which the operator said had been requested for years by the towns along the coast.</p></article></body></html>"
    )
}

fn export(db: &str) -> Vec<serde_json::Value> {
    stdout(&deboiler(&["export", "--db", db]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every origin of `records`, sorted; compare with [`sorted`] expectations.
fn origins(records: &[serde_json::Value]) -> Vec<String> {
    let mut v: Vec<String> = records
        .iter()
        .flat_map(|r| r["origins"].as_array().unwrap().clone())
        .map(|o| o["source"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn sorted<const N: usize>(mut v: [String; N]) -> [String; N] {
    v.sort();
    v
}

fn with_stdin(args: &[&str], cwd: &Path, input: &[u8]) -> Output {
    common::deboiler_piped_in(cwd, args, input)
}

#[test]
fn gzip_and_zstd_files_are_read_transparently() {
    let dir = tmp();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    std::fs::write(inp.join("a.html.gz"), gzip(html("a").as_bytes())).unwrap();
    std::fs::write(inp.join("b.txt.zst"), zstd(article("b").as_bytes())).unwrap();
    // zstd by magic bytes, whatever the name.
    std::fs::write(inp.join("c.dat"), zstd(article("c").as_bytes())).unwrap();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&["ingest", "--db", &db, &s(&inp)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("read 3 · stored 3 · "),
        "{}",
        stdout(&out)
    );
    let recs = export(&db);
    assert!(recs.iter().any(|r| r["title"] == "Ferry report a"));
}

#[test]
fn a_too_large_zstd_file_is_skipped_by_the_decompressed_limit() {
    let dir = tmp();
    let bomb = dir.path().join("bomb.txt.zst");
    std::fs::write(&bomb, zstd(&vec![b'a'; 3 * 1024 * 1024])).unwrap();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&[
        "ingest",
        "--db",
        &db,
        "--max-decompressed-mb",
        "1",
        &s(&bomb),
    ]);
    assert!(stdout(&out).contains("skipped 1"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("--max-decompressed-mb"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_zstd_frame_over_the_window_limit_is_a_skip_in_containers_too() {
    // As made by `zstd --long=27`: the frame asks for a 128 MiB window.
    let long = |bytes: &[u8]| {
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        enc.window_log(27).unwrap();
        enc.long_distance_matching(true).unwrap();
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    };
    let dir = tmp();
    let jsonl = serde_json::json!({"text": article("long")}).to_string() + "\n";
    let warc_block = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{}",
        html("long")
    );
    let warc = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example/long\r\nContent-Length: {}\r\n\r\n{warc_block}\r\n\r\n",
        warc_block.len()
    );
    let files = [
        ("a.txt.zst", long(article("long").as_bytes())),
        ("b.jsonl.zst", long(jsonl.as_bytes())),
        ("c.warc.zst", long(warc.as_bytes())),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let db = s(&dir.path().join("db"));
    let out = deboiler(&["ingest", "--db", &db, &s(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("skipped 3"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(!err.contains("Frame requires too much memory"), "{err}");
    for origin in ["a.txt.zst`", "b.jsonl.zst:1`", "c.warc.zst@0`"] {
        assert!(
            err.lines().any(|l| l.contains(origin)
                && l.contains("limit zstd-window exceeded")
                && l.contains("recompress with a smaller window")),
            "{origin}: {err}"
        );
    }
}

#[test]
fn a_store_named_as_an_input_fails_with_a_hint_instead_of_being_read() {
    let dir = tmp();
    let doc = dir.path().join("a.txt");
    std::fs::write(&doc, article("store")).unwrap();
    let db1 = s(&dir.path().join("db1"));
    assert!(deboiler(&["ingest", "--db", &db1, &s(&doc)])
        .status
        .success());
    let db3 = s(&dir.path().join("db3"));
    let out = deboiler(&["ingest", "--db", &db3, &db1]);
    assert!(stdout(&out).contains("stored 0"), "{}", stdout(&out));
    assert!(stdout(&out).contains("failed 1"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("`{db1}` is a deboiler store"))
            && err.contains(&format!("hint: `deboiler export --db {db1}`")),
        "{err}"
    );
    assert!(export(&db3).is_empty());
}

#[cfg(unix)]
#[test]
fn walks_read_files_with_non_utf8_names_and_report_broken_symlinks() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tmp();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    // `caf\xe9.txt`: Latin-1, not UTF-8.
    let latin1 = inp.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt"));
    std::fs::write(&latin1, article("latin1")).unwrap();
    std::os::unix::fs::symlink(inp.join("gone.txt"), inp.join("link.txt")).unwrap();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&["ingest", "--db", &db, &s(&inp)]);
    assert!(stdout(&out).contains("stored 1"), "{}", stdout(&out));
    assert!(stdout(&out).contains("failed 1"), "{}", stdout(&out));
    assert_eq!(origins(&export(&db)), [s(&inp.join("caf\u{fffd}.txt"))]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "`{}` does not exist: broken symbolic link to `{}`",
            s(&inp.join("link.txt")),
            s(&inp.join("gone.txt"))
        )),
        "{err}"
    );
}

#[test]
fn jsonl_records_keep_line_origins_fields_and_bad_lines_fail_alone() {
    let dir = tmp();
    let file = dir.path().join("dump.jsonl.zst");
    let lines = [
        serde_json::json!({"id": "doc-1", "url": "https://news.example/a", "html": html("a"), "lang": "en"}).to_string(),
        "{not json".to_string(),
        serde_json::json!({"id": 2, "text": article("b"), "crawl": {"n": 1}}).to_string(),
        serde_json::json!({"url": "https://news.example/c"}).to_string(),
        serde_json::json!({"text": ["not", "a", "string"]}).to_string(),
        String::new(),
        serde_json::json!({"content": article("d")}).to_string(),
    ];
    std::fs::write(&file, zstd((lines.join("\n") + "\n").as_bytes())).unwrap();
    let db = s(&dir.path().join("db"));
    let f = s(&file);
    let out = deboiler(&["ingest", "--db", &db, &f]);
    assert_eq!(out.status.code(), Some(1), "bad lines make the exit code 1");
    assert!(
        stdout(&out).starts_with("read 6 · stored 3 · duplicates 0 · skipped 0 · failed 3 · "),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("failed: `{f}:2`: invalid JSON at column ")),
        "{err}"
    );
    assert!(err.contains(&format!("`{f}:4`: no content field")), "{err}");
    assert!(
        err.contains(&format!("`{f}:5`: content field `text` is an array")),
        "{err}"
    );
    let recs = export(&db);
    assert_eq!(
        origins(&recs),
        sorted([format!("{f}:1"), format!("{f}:3"), format!("{f}:7")])
    );
    let a = recs
        .iter()
        .find(|r| r["title"] == "Ferry report a")
        .unwrap();
    assert_eq!(a["url"], "https://news.example/a");
    assert_eq!(a["extra"]["lang"], "en");
    assert_eq!(a["origins"][0]["id"], "doc-1");
    assert_eq!(a["kind"], "html");
    let b = recs
        .iter()
        .find(|r| r["origins"][0]["source"] == format!("{f}:3"))
        .unwrap();
    assert_eq!(b["kind"], "text", "content from `text` is text");
    assert_eq!(b["extra"]["crawl"]["n"], 1);
    assert_eq!(b["origins"][0]["id"], "2");
    let failures = stdout(&deboiler(&["failures", "--db", &db]));
    assert!(failures.contains(&format!("{f}:2")), "{failures}");
}

#[test]
fn each_copy_keeps_the_url_it_was_fetched_from_and_the_article_its_canonical_url() {
    let dir = tmp();
    let file = dir.path().join("mirrors.jsonl");
    let page = html("m").replace(
        "</head>",
        "<link rel=\"canonical\" href=\"https://news.example/m\"></head>",
    );
    let lines = [
        serde_json::json!({"url": "https://mirror-one.example/m", "html": page}).to_string(),
        serde_json::json!({"url": "https://mirror-two.example/m?utm=x", "html": page}).to_string(),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&["ingest", "--db", &db, &s(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = export(&db);
    assert_eq!(recs.len(), 1, "the second copy is a duplicate");
    assert_eq!(recs[0]["url"], "https://news.example/m");
    let fetched: Vec<&str> = recs[0]["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        fetched,
        [
            "https://mirror-one.example/m",
            "https://mirror-two.example/m?utm=x"
        ]
    );
    let id = recs[0]["id"].as_str().unwrap();
    let shown = stdout(&deboiler(&["show", "--db", &db, id]));
    assert!(
        shown.contains(":2 https://mirror-two.example/m?utm=x ("),
        "{shown}"
    );
}

#[test]
fn jsonl_field_names_and_kind_are_configurable() {
    let dir = tmp();
    let file = dir.path().join("x.ndjson");
    let line = serde_json::json!({"body": html("z"), "link": "https://z.example/p", "key": "k1"});
    std::fs::write(&file, line.to_string()).unwrap();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&[
        "ingest",
        "--db",
        &db,
        "--content-field",
        "body",
        "--url-field",
        "link",
        "--id-field",
        "key",
        "--content-kind",
        "text",
        &s(&file),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = export(&db);
    assert_eq!(recs[0]["url"], "https://z.example/p");
    assert_eq!(recs[0]["origins"][0]["id"], "k1");
    assert_eq!(
        recs[0]["kind"], "text",
        "--content-kind text wins over sniffing"
    );
}

fn warc_record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{kind}-{}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        uri.len(),
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// warcinfo, request, an HTML response in windows-1252 (charset only in the HTTP header), a PNG
/// response, a 404, and a second HTML page; returns the records.
fn warc_records() -> Vec<Vec<u8>> {
    let latin = b"<html><body><article><h1>Caf\xe9 terraces reopen</h1><p>The caf\xe9s along the river have put their chairs back on the pavement, and the owners say the cr\xe8me br\xfbl\xe9e sells out before noon.</p><p>Nobody complains about the price any more, the owners said on Tuesday.</p></article></body></html>";
    vec![
        warc_record("warcinfo", "", b"software: hand-made\r\n"),
        warc_record(
            "request",
            "https://cafe.example/a",
            b"GET /a HTTP/1.1\r\n\r\n",
        ),
        warc_record(
            "response",
            "https://cafe.example/a",
            &http("text/html; charset=windows-1252", latin),
        ),
        warc_record(
            "response",
            "https://cafe.example/logo.png",
            &http("image/png", b"\x89PNG\r\n\x1a\n"),
        ),
        warc_record(
            "response",
            "https://cafe.example/gone",
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>gone</p>",
        ),
        warc_record(
            "response",
            "https://ferry.example/b",
            &http("text/html", html("b").as_bytes()),
        ),
    ]
}

#[test]
fn warc_responses_become_documents_with_url_charset_and_offsets() {
    let dir = tmp();
    let records = warc_records();
    let plain = dir.path().join("crawl.warc");
    std::fs::write(&plain, records.concat()).unwrap();
    let offset_of = |i: usize| records[..i].iter().map(Vec::len).sum::<usize>();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&["ingest", "--db", &db, &s(&plain)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("read 2 · stored 2 · ")
            && stdout(&out).contains(
                "not documents 4 (request 1, response (HTTP 404) 1, response (not HTML) 1, warcinfo 1)"
            ),
        "{}",
        stdout(&out)
    );
    let recs = export(&db);
    let p = s(&plain);
    assert_eq!(
        origins(&recs),
        sorted([
            format!("{p}@{}", offset_of(2)),
            format!("{p}@{}", offset_of(5))
        ])
    );
    let cafe = recs
        .iter()
        .find(|r| r["url"] == "https://cafe.example/a")
        .unwrap();
    assert_eq!(cafe["encoding"]["encoding"], "windows-1252");
    assert_eq!(cafe["encoding"]["source"], "header");
    assert!(cafe["body"][0].as_str().unwrap().contains("crème brûlée"));
    assert_eq!(cafe["extra"]["warc_date"], "2024-05-01T10:00:00Z");
    assert!(
        cafe["published"].is_null(),
        "the crawl date is not a publication date"
    );
    assert!(cafe["origins"][0]["id"]
        .as_str()
        .unwrap()
        .starts_with("<urn:uuid:"));
}

#[test]
fn warc_gz_origins_are_member_offsets_and_a_broken_record_fails_alone() {
    let dir = tmp();
    let mut records = warc_records();
    // A record with a broken header in the middle: it fails, the next one is read.
    records.insert(3, b"WARC/1.0\r\nthis is not a header line\r\n\r\n".to_vec());
    let members: Vec<Vec<u8>> = records.iter().map(|r| gzip(r)).collect();
    let file = dir.path().join("crawl.warc.gz");
    std::fs::write(&file, members.concat()).unwrap();
    let offset_of = |i: usize| members[..i].iter().map(Vec::len).sum::<usize>();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&["ingest", "--db", &db, &s(&file)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("read 3 · stored 2 · duplicates 0 · skipped 0 · failed 1"),
        "{}",
        stdout(&out)
    );
    let f = s(&file);
    assert!(
        stderr(&out).contains(&format!("`{f}@{}`: malformed WARC header", offset_of(3))),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        origins(&export(&db)),
        sorted([
            format!("{f}@{}", offset_of(2)),
            format!("{f}@{}", offset_of(6))
        ])
    );
}

#[test]
fn include_and_exclude_filter_folder_walks() {
    let dir = tmp();
    let inp = dir.path().join("in");
    std::fs::create_dir_all(inp.join("sub")).unwrap();
    std::fs::write(inp.join("a.txt"), article("a")).unwrap();
    std::fs::write(inp.join("b.html"), html("b")).unwrap();
    std::fs::write(inp.join("sub/c.txt"), article("c")).unwrap();
    std::fs::write(inp.join("sub/skip-d.txt"), article("d")).unwrap();
    let db = s(&dir.path().join("db"));
    let out = deboiler(&[
        "ingest",
        "--db",
        &db,
        "--include",
        "*.txt",
        "--exclude",
        "skip-*",
        &s(&inp),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let i = s(&inp);
    assert_eq!(
        origins(&export(&db)),
        [format!("{i}/a.txt"), format!("{i}/sub/c.txt")]
    );
    // Against the path inside the folder too.
    let db2 = s(&dir.path().join("db2"));
    deboiler(&["ingest", "--db", &db2, "--include", "sub/**", &i]);
    assert_eq!(
        origins(&export(&db2)),
        [format!("{i}/sub/c.txt"), format!("{i}/sub/skip-d.txt")]
    );
    let bad = deboiler(&["ingest", "--db", &db, "--include", "a[", &i]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("invalid glob `a[`"),
        "{}",
        stderr(&bad)
    );
    assert!(stderr(&bad).contains("hint:"), "{}", stderr(&bad));
}

/// A failure read from standard input cannot be retried by reading it again: `--retry-failures`
/// says so and how to retry, instead of silently reading nothing.
#[test]
fn retrying_a_stdin_failure_says_to_pipe_it_again() {
    let dir = tmp();
    let stream = format!("{}\noops", serde_json::json!({ "text": article("a") }));
    let out = with_stdin(
        &["ingest", "--input-format", "jsonl", "-"],
        dir.path(),
        stream.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let retry = deboiler_in(dir.path(), &["ingest", "--retry-failures"]);
    let err = stderr(&retry);
    assert!(
        err.contains("1 skipped or failed input(s) came from standard input")
            && err.contains("hint: pipe the same data into `deboiler ingest -`"),
        "{err}"
    );
    // Another stream failing at the same line does not replace the first one's entry.
    let other = format!("{}\n[1]", serde_json::json!({ "text": article("b") }));
    with_stdin(
        &["ingest", "--input-format", "jsonl", "-"],
        dir.path(),
        other.as_bytes(),
    );
    let listed = stdout(&deboiler_in(dir.path(), &["failures"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    // `failed` (padded to 7), when it was recorded (24 characters), the origin.
    let origin = |l: &str| {
        l.get(35..)
            .and_then(|r| r.split("  ").next())
            .map(str::to_owned)
    };
    assert!(lines[0].starts_with("failed   ") && lines[0].contains("invalid JSON"));
    assert!(lines[1].starts_with("failed   ") && lines[1].contains("an array"));
    assert_eq!(origin(lines[0]).as_deref(), Some("-:2"), "{listed}");
    assert_eq!(origin(lines[1]).as_deref(), Some("-:2"), "{listed}");
}

/// Standard input has no identity across runs: line 1 of today's stream is not line 1 of
/// yesterday's. Two different streams ingested into one store keep every article of both (an
/// origin index keyed by `-:1` used to move the origin to the new article and delete the old
/// one), and the same stream again is all duplicates.
#[test]
fn separate_stdin_streams_never_replace_each_others_articles() {
    let dir = tmp();
    let stream = |tags: &[&str]| {
        tags.iter()
            .map(|t| serde_json::json!({ "text": article(t) }).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let ingest = |input: &str| {
        let out = with_stdin(
            &["ingest", "--input-format", "jsonl", "-"],
            dir.path(),
            input.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        format!("{}{}", stdout(&out), stderr(&out))
    };
    ingest(&stream(&["a", "b", "c"]));
    let second = ingest(&stream(&["d", "e"]));
    assert!(second.contains("stored 2 · duplicates 0"), "{second}");
    let listed = deboiler_in(dir.path(), &["list"]);
    assert_eq!(stdout(&listed).lines().count(), 5, "{}", stdout(&listed));
    let again = ingest(&stream(&["a", "b", "c"]));
    assert!(again.contains("stored 0 · duplicates 3"), "{again}");
    let listed = deboiler_in(dir.path(), &["list"]);
    assert_eq!(stdout(&listed).lines().count(), 5, "{}", stdout(&listed));
    let verify = deboiler_in(dir.path(), &["verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
}

#[test]
fn out_jsonl_filters_stdin_without_a_store_and_drops_duplicates() {
    let dir = tmp();
    let lines = [
        serde_json::json!({"text": article("a"), "id": "1"}).to_string(),
        serde_json::json!({"text": article("a"), "id": "2"}).to_string(),
        "oops".to_string(),
        serde_json::json!({"text": article("b"), "id": "3"}).to_string(),
    ]
    .join("\n");
    let out = with_stdin(
        &["ingest", "--out", "jsonl", "--input-format", "jsonl", "-"],
        dir.path(),
        &gzip(lines.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let recs: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2, "the duplicate is emitted once");
    assert_eq!(recs[0]["origins"][0]["source"], "-:1");
    assert_eq!(recs[1]["origins"][0]["source"], "-:4");
    let err = stderr(&out);
    assert!(err.contains("`-:3`: invalid JSON"), "{err}");
    assert!(
        err.contains("read 4 · written 2 · duplicates 1 · skipped 0 · failed 1"),
        "{err}"
    );
    assert!(!dir.path().join("deboiler.db").exists(), "no store opened");

    // --output writes the same records to a file; stdout stays empty.
    let file = dir.path().join("clean.jsonl");
    let out = with_stdin(
        &[
            "ingest",
            "--out",
            "jsonl",
            "--input-format",
            "jsonl",
            "--output",
            &s(&file),
            "-",
        ],
        dir.path(),
        lines.as_bytes(),
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);
}

/// Masks what differs between two runs over the same inputs: ingest times.
fn untimed(s: &str) -> String {
    let re = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z").unwrap();
    re.replace_all(s, "[TIME]").into_owned()
}

#[test]
fn jobs_1_and_jobs_4_give_identical_results() {
    let dir = tmp();
    let inp = dir.path().join("in");
    std::fs::create_dir(&inp).unwrap();
    // Same-site pages (learned counts in play), duplicates, bad inputs, a container.
    for i in 0..40 {
        let body = if i % 7 == 0 {
            article("dup")
        } else {
            article(&i.to_string())
        };
        std::fs::write(
            inp.join(format!("p{i:02}.txt")),
            format!("Harbour Herald\nToday's paper\n{body}\nHarbour Herald Ltd\n"),
        )
        .unwrap();
    }
    std::fs::write(inp.join("empty.txt"), "").unwrap();
    let jsonl: Vec<String> = (0..30)
        .map(|i| serde_json::json!({"html": html(&i.to_string()), "url": format!("https://ferry.example/{i}")}).to_string())
        .collect();
    std::fs::write(inp.join("pages.jsonl"), jsonl.join("\n")).unwrap();
    let i = s(&inp);
    let mut exports = Vec::new();
    let mut streams = Vec::new();
    for jobs in ["1", "4"] {
        let db = s(&dir.path().join(format!("db{jobs}")));
        let out = deboiler(&["ingest", "--db", &db, "--jobs", jobs, &i]);
        assert!(out.status.success(), "{}", stderr(&out));
        exports.push(untimed(&stdout(&deboiler(&["export", "--db", &db]))));
        let stats = stdout(&deboiler(&["stats", "--db", &db]));
        exports.push(
            stats
                .lines()
                .filter(|l| {
                    !l.starts_with("store:")
                        && !l.starts_with("disk:")
                        && !l.starts_with("last run:")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let piped = deboiler(&["ingest", "--out", "jsonl", "--jobs", jobs, &i]);
        streams.push(untimed(&stdout(&piped)));
    }
    assert_eq!(
        exports[0], exports[2],
        "store records differ between --jobs 1 and 4"
    );
    assert_eq!(
        exports[1], exports[3],
        "store stats differ between --jobs 1 and 4"
    );
    assert_eq!(
        streams[0], streams[1],
        "--out jsonl differs between --jobs 1 and 4"
    );
    assert_eq!(
        streams[0].lines().count(),
        40 - 5 + 30,
        "duplicates emitted once"
    );
}

#[test]
fn a_re_clean_that_moves_inputs_to_other_articles_says_so() {
    let dir = tmp();
    let file = dir.path().join("two.jsonl");
    let lines = [
        serde_json::json!({"html": html("a"), "summary": "Ferry timetable changes on Monday for every route along the coast."}).to_string(),
        serde_json::json!({"html": html("b"), "summary": "Ferry timetable changes on Monday for every route along the coast."}).to_string(),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (db, f) = (s(&dir.path().join("db")), s(&file));
    let first = stdout(&deboiler(&["ingest", "--db", &db, &f]));
    assert!(first.starts_with("read 2 · stored 2 · "), "{first}");
    assert!(!first.contains("re-cleaned"), "{first}");
    // The wrong field: both lines now give one article, and the two old ones lose their inputs.
    let out = deboiler(&["ingest", "--db", &db, "--content-field", "summary", &f]);
    let second = stdout(&out);
    assert!(
        second.contains(
            "· re-cleaned 2 (their inputs now give other articles; 2 old articles removed) ·"
        ),
        "{second}"
    );
    assert_eq!(export(&db).len(), 1);
}

#[test]
fn a_url_or_id_field_that_no_document_has_is_warned_about() {
    let dir = tmp();
    let file = dir.path().join("x.jsonl");
    let line = serde_json::json!({"html": html("w"), "link": "https://w.example/p"});
    std::fs::write(&file, line.to_string()).unwrap();
    let f = s(&file);
    let out = deboiler(&["clean", "--url-field", "lnik", "--id-field", "key", &f]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "no document in `{f}` has the field `lnik` (--url-field)"
        )),
        "{err}"
    );
    assert!(err.contains("has the field `key` (--id-field)"), "{err}");
    // The default fields are optional: no warning when a file has neither.
    let out = deboiler(&["clean", &f]);
    assert!(!stderr(&out).contains("has the field"), "{}", stderr(&out));
}
