//! Whole-command tests of the `deboiler` binary: outputs are snapshotted (`insta`) with temp
//! paths and timestamps masked; behaviour (exit codes, what the store holds) is asserted.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{deboiler, deboiler_in, deboiler_piped, stderr, stdout};

/// Masks what changes between runs: temp dirs, timestamps, byte sizes on disk.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r"/tmp/\.tmp\w+", "[TMP]"),
            (r"learned: `([^`]+)` from \d+ documents", "learned: `$1`"),
            (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z", "[TIME]"),
            (r"disk:\s+\S+ \w+", "disk:       [SIZE]"),
        ]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn db_arg(dir: &Path) -> String {
    dir.join("db").display().to_string()
}

#[test]
fn shipped_rules_pass_their_own_examples() {
    let out = deboiler(&["rules", "check", "rules"]);
    assert!(out.status.success(), "{}", stderr(&out));
    snapshot!("rules_check", stdout(&out));
}

#[test]
fn embedded_rules_match_the_rules_folder() {
    // Run from a folder without ./rules: the binary falls back to its embedded copy.
    let dir = tmp();
    let embedded = deboiler_in(dir.path(), &["rules", "check"]);
    let local = deboiler(&["rules", "check"]);
    assert!(embedded.status.success(), "{}", stderr(&embedded));
    assert_eq!(stdout(&embedded), stdout(&local));
}

#[test]
fn a_broken_rule_set_stops_the_run_before_any_input_is_read() {
    let dir = tmp();
    let generic = dir.path().join("rules/generic");
    std::fs::create_dir_all(&generic).unwrap();
    let files = [
        ("a-ok.toml", "[[rule]]\nid = \"ok.rule\"\ndescription = \"fine\"\ndrop = { equals = \"Fine\" }\n"),
        ("b-syntax.toml", "[[rule]\nid = \"x\"\n"),
        ("c-typo.toml", "[[rule]]\nid = \"bad.key\"\ndescription = \"misspelt key\"\ndorp = { equals = \"x\" }\n"),
        (
            "d-semantic.toml",
            r#"[[rule]]
id = "bad.regex"
description = "unclosed group"
drop = { regex = "(?i)open in (app" }

[[rule]]
id = "ok.rule"
description = "duplicate id"
drop = { equals = "Other" }

[[rule]]
id = "bad.empty"
description = "empty pattern"
drop = { contains = ["Share", ""] }

[[rule]]
id = "bad.selector"
description = "selector typo"
selector = "div..share"
"#,
        ),
    ];
    for (name, text) in files {
        std::fs::write(generic.join(name), text).unwrap();
    }
    let rules = dir.path().join("rules").display().to_string();
    let db = db_arg(dir.path());
    let out = deboiler(&["ingest", "--rules", &rules, "--db", &db, "samples"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!Path::new(&db).exists(), "the store must not be touched");
    snapshot!("broken_rules", stderr(&out));
}

#[test]
fn ingesting_the_samples_twice_stores_each_article_once() {
    let dir = tmp();
    let db = db_arg(dir.path());
    let first = deboiler(&["ingest", "--db", &db, "samples"]);
    assert!(first.status.success(), "{}", stderr(&first));
    snapshot!("ingest_first", stdout(&first));
    let second = deboiler(&["ingest", "--db", &db, "samples"]);
    assert!(second.status.success(), "{}", stderr(&second));
    snapshot!("ingest_second", stdout(&second));

    // Idempotency: the second run changed no article record.
    let verify = stdout(&deboiler(&["verify", "--db", &db]));
    assert!(verify.starts_with("ok: 7 articles · checksum "), "{verify}");
    let third = deboiler(&["ingest", "--db", &db, "samples"]);
    assert!(stdout(&third).contains("stored 0 · duplicates 7"));
    assert_eq!(stdout(&deboiler(&["verify", "--db", &db])), verify);

    let list = stdout(&deboiler(&["list", "--db", &db]));
    assert_eq!(list.lines().count(), 7);
    snapshot!("list", list);

    let export = stdout(&deboiler(&["export", "--db", &db]));
    let records: Vec<serde_json::Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 7);
    for r in &records {
        assert_eq!(
            r["origins"].as_array().unwrap().len(),
            1,
            "same origin twice is not a new origin"
        );
        assert_eq!(r["id"].as_str().unwrap().len(), 64);
    }

    let edge = records
        .iter()
        .find(|r| r["site"] == "Bloomberg")
        .expect("the Edge/Bloomberg seed");
    let prefix = &edge["id"].as_str().unwrap()[..8];
    let show = deboiler(&["show", "--db", &db, prefix]);
    assert!(show.status.success());
    snapshot!("show_004", stdout(&show));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&deboiler(&["show", "--json", "--db", &db, prefix]))).unwrap();
    assert_eq!(json, *edge);

    let stats = deboiler(&["stats", "--db", &db]);
    snapshot!("stats", stdout(&stats));
}

#[test]
fn a_copy_under_another_name_adds_an_origin() {
    let dir = tmp();
    let db = db_arg(dir.path());
    let copy = dir.path().join("copy.txt");
    std::fs::copy("samples/003_69254ad777e081fd.txt", &copy).unwrap();
    deboiler(&["ingest", "--db", &db, "samples/003_69254ad777e081fd.txt"]);
    let out = deboiler(&["ingest", "--db", &db, copy.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("stored 0 · duplicates 1"),
        "{}",
        stdout(&out)
    );
    let export = stdout(&deboiler(&["export", "--db", &db]));
    let rec: serde_json::Value = serde_json::from_str(export.trim()).unwrap();
    let origins: Vec<&str> = rec["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins,
        ["samples/003_69254ad777e081fd.txt", copy.to_str().unwrap()]
    );
}

#[test]
fn bad_inputs_are_recorded_and_never_stop_the_batch() {
    let dir = tmp();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("a-empty.txt"), "").unwrap();
    std::fs::write(
        inputs.join("b-image.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
    )
    .unwrap();
    std::fs::write(
        inputs.join("c-latin1.txt"),
        b"Caf\xe9 owners say the terrace season starts early this year, and the town agrees.\n",
    )
    .unwrap();
    std::fs::write(inputs.join("d-junk.txt"), "Open in App\nShare\n").unwrap();
    std::fs::copy(
        "samples/002_3360de02b3343f7e.txt",
        inputs.join("e-good.txt"),
    )
    .unwrap();
    let db = db_arg(dir.path());
    let missing = dir.path().join("missing.txt").display().to_string();
    let out = deboiler(&["ingest", "--db", &db, inputs.to_str().unwrap(), &missing]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed input makes the exit code 1"
    );
    snapshot!("bad_inputs_summary", stdout(&out));
    snapshot!("bad_inputs_log", stderr(&out));
    let failures = deboiler(&["failures", "--db", &db]);
    snapshot!("bad_inputs_failures", stdout(&failures));

    // Fix one input and retry everything that failed: the fixed one is stored and leaves the
    // failure list; the others are listed again.
    std::fs::write(
        inputs.join("a-empty.txt"),
        "The ferry timetable changes on Monday, the operator said, and early boats will run twice as often.\n",
    )
    .unwrap();
    let retry = deboiler(&["ingest", "--db", &db, "--retry-failures"]);
    assert!(stdout(&retry).contains("stored 1"), "{}", stdout(&retry));
    let after = stdout(&deboiler(&["failures", "--db", &db]));
    assert!(!after.contains("a-empty.txt"), "{after}");
    assert_eq!(after.lines().count(), stdout(&failures).lines().count() - 1);
}

/// Standard input is no identity in the store, so each run's failures from it are entries of
/// their own; the listing says when each was recorded, or two runs' rows would read the same.
#[test]
fn failures_from_two_stdin_runs_are_told_apart_by_when_they_were_recorded() {
    let dir = tmp();
    let db = db_arg(dir.path());
    let args = ["ingest", "--db", &db, "--input-format", "jsonl", "-"];
    for _ in 0..2 {
        let out = deboiler_piped(&args, b"not json\n");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    let listed = stdout(&deboiler(&["failures", "--db", &db]));
    let rows: Vec<&str> = listed.lines().collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert_ne!(rows[0], rows[1], "two runs' failures read the same");
    let row = regex::Regex::new(
        r"^failed   (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)  -:1  invalid JSON at column 2: ",
    )
    .unwrap();
    let at: Vec<&str> = rows
        .iter()
        .map(|r| match row.captures(r) {
            Some(c) => c.get(1).map_or("", |m| m.as_str()),
            None => panic!("not a failure row with its time: {r}"),
        })
        .collect();
    assert!(at[0] < at[1], "listed oldest first: {listed}");
}

#[test]
fn clean_explains_every_line() {
    let out = deboiler(&["clean", "--explain", "samples/004_0e02e0aabc65ae0d.txt"]);
    assert!(out.status.success());
    snapshot!("explain_004", stdout(&out));
}

#[test]
fn clean_reads_stdin_and_html() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(common::root())
        .args(["clean", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let html = std::fs::read("samples/rive-gauche-cafe.windows-1252.html").unwrap();
    child.stdin.take().unwrap().write_all(&html).unwrap();
    let out = child.wait_with_output().unwrap();
    let rec: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(rec["source"], "-");
    // A plain file says nothing about its document beyond the bytes.
    assert!(
        rec.get("input_id").is_none() && rec.get("extra").is_none(),
        "{rec}"
    );
    assert_eq!(rec["title"], "Café culture returns to the old town");
    assert_eq!(rec["encoding"]["encoding"], "windows-1252");
    assert!(rec["text"].as_str().unwrap().contains("crème brûlée"));
    assert!(!rec["text"].as_str().unwrap().contains("Lovely piece"));
}

/// Files joined with `cat` can put a byte-order mark at the start of any line, not only the
/// first; it is not part of the JSON, and the line is read like the others.
#[test]
fn clean_reads_a_json_lines_stream_with_a_byte_order_mark_inside_it() {
    let stream = b"{\"text\":\"Hello there. This is a sentence long enough to keep I hope so much.\"}\n\
        \xef\xbb\xbf{\"text\":\"Another fine sentence that is long enough to be kept by the judge.\"}\n";
    let out = deboiler_piped(&["-vv", "clean", "--input-format", "jsonl", "-"], stream);
    let log = stderr(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        stdout(&out).contains("Another fine sentence"),
        "{}",
        stdout(&out)
    );
    assert!(
        log.contains("`-:2`: a byte-order mark at the start of the line was ignored"),
        "{log}"
    );
}

/// `clean --format jsonl` keeps what the input said about a document, as `ingest` stores it:
/// the container's id (`input_id`: `id` is the article's) and its pass-through fields.
#[test]
fn clean_jsonl_keeps_the_input_id_and_pass_through_fields() {
    let line = serde_json::json!({
        "id": "a1",
        "url": "https://ex.com/x",
        "lang": "en",
        "text": "Hello world. This is a long sentence with enough words to be kept by the judge, I think so.",
    });
    let out = deboiler_piped(
        &["clean", "--format", "jsonl", "--input-format", "jsonl", "-"],
        format!("{line}\n").as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rec: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(rec["source"], "-:1");
    assert_eq!(rec["input_id"], "a1");
    assert_eq!(rec["extra"], serde_json::json!({ "lang": "en" }));
    assert_eq!(rec["url"], "https://ex.com/x");
    assert_eq!(
        rec["id"].as_str().map(str::len),
        Some(64),
        "the article's id"
    );
}

#[test]
fn a_second_writer_gets_a_clear_error_quickly() {
    let dir = tmp();
    let db = db_arg(dir.path());
    // `ingest -` holds the store open until its stdin closes.
    let mut holder = Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(common::root())
        .args(["ingest", "--db", &db, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&db).join("conf").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let second = deboiler(&["ingest", "--db", &db, "samples/003_69254ad777e081fd.txt"]);
    let took = started.elapsed();
    holder
        .stdin
        .take()
        .unwrap()
        .write_all(b"A short note that is long enough to be kept as an article body.\n")
        .unwrap();
    let held = holder.wait_with_output().unwrap();
    assert!(held.status.success(), "{}", stderr(&held));
    assert_eq!(second.status.code(), Some(2));
    // The lock wait is 0.8 s; the rest is process start-up, which a loaded CI machine can
    // stretch. A writer that waited for the holder would never get here: the holder is still
    // waiting for its stdin.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    snapshot!("second_writer", stderr(&second));
}

/// Six pages of one site teach the store its menu and footer lines; a seventh page is cleaned
/// with them, and `rules suggest` drafts a site rule from them that passes `rules check`.
#[test]
fn site_boilerplate_is_learned_used_and_suggested() {
    let dir = tmp();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("sites")).unwrap();
    std::fs::create_dir_all(rules.join("generic")).unwrap();
    std::fs::write(
        rules.join("sites/harbour.example.toml"),
        "[site]\nname = \"harbour.example\"\nsignatures = [\"Harbour Herald Ltd\"]\n",
    )
    .unwrap();
    let page = |i: usize| {
        format!(
            "Harbour Herald\nToday's paper\nCrossword\nStory {i}: the council met on day {i} to discuss the ferry timetable and the new pier.\n\
             Residents said the change to service {i} would affect commuters who travel early in the morning.\n\
             Puzzles and games\nHarbour Herald Ltd, registered in the harbour district\n"
        )
    };
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for i in 0..6 {
        std::fs::write(inputs.join(format!("p{i}.txt")), page(i)).unwrap();
    }
    let db = db_arg(dir.path());
    let r = rules.to_str().unwrap();
    let out = deboiler(&[
        "ingest",
        "--rules",
        r,
        "--db",
        &db,
        inputs.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let seventh = dir.path().join("p7.txt");
    std::fs::write(&seventh, page(7)).unwrap();
    let explain = deboiler(&[
        "clean",
        "--explain",
        "--rules",
        r,
        "--db",
        &db,
        seventh.to_str().unwrap(),
    ]);
    snapshot!("learned_explain", stdout(&explain));
    let draft = deboiler(&["rules", "suggest", "--db", &db, "harbour.example"]);
    assert!(draft.status.success(), "{}", stderr(&draft));
    snapshot!("learned_suggest", stdout(&draft));
    std::fs::write(rules.join("sites/harbour.example.toml"), stdout(&draft)).unwrap();
    let check = deboiler(&["rules", "check", r]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn reading_commands_refuse_a_missing_store_and_ingest_refuses_a_folder_of_other_files() {
    let dir = tmp();
    let missing = db_arg(dir.path());
    for cmd in [
        &["list"][..],
        &["export"],
        &["failures"],
        &["stats"],
        &["verify"],
    ] {
        let out = deboiler(&[&["--db", missing.as_str()][..], cmd].concat());
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        assert!(
            stderr(&out).contains("error: no store at `"),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("hint: `deboiler ingest <PATH>` creates it"));
    }
    assert!(
        !dir.path().join("db").exists(),
        "a reading command created the store"
    );
    // A folder with other files is not taken for a store: sled would write among them.
    let folder = dir.path().join("notes");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("todo.txt"), "x").unwrap();
    let out = deboiler(&["--db", &folder.display().to_string(), "ingest", "samples"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a deboiler store"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        1,
        "nothing was written"
    );
    // A file is named as one, by writing and reading commands alike.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "x").unwrap();
    for args in [&["ingest", "samples"][..], &["list"]] {
        let out = deboiler(&[&["--db", file.to_str().unwrap()][..], args].concat());
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("is a file, not a store folder"), "{err}");
        assert!(
            err.contains("hint: pass `--db` a new or empty folder"),
            "{err}"
        );
    }
    // An empty folder (dot-files aside) is fine for ingest, and a store opens again.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join(".gitkeep"), "").unwrap();
    let empty = empty.display().to_string();
    assert!(deboiler(&["--db", &empty, "ingest", "samples"])
        .status
        .success());
    assert!(deboiler(&["--db", &empty, "list"]).status.success());
}

/// A `--report-committed` file whose last line a kill cut short gets that piece removed: the
/// next run's lines start on a line of their own, and every line is whole JSON.
#[test]
fn a_torn_report_line_is_removed_before_the_next_run_appends() {
    let dir = tmp();
    let report = dir.path().join("committed.jsonl");
    let whole = "{\"origin\":\"old.txt\",\"outcome\":\"stored\",\"id\":\"ab\"}\n";
    std::fs::write(&report, format!("{whole}{{\"origin\":\"/x/y")).unwrap();
    let db = db_arg(dir.path());
    let out = deboiler(&[
        "ingest",
        "--db",
        &db,
        "--report-committed",
        report.to_str().unwrap(),
        "samples/000_2814d831a8057bf3.txt",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with(whole) && text.ends_with('\n'), "{text}");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[1]["outcome"], "stored");
}

/// A sample article as one JSON Lines record.
fn jsonl_record(url: &str) -> String {
    let text = std::fs::read_to_string("samples/000_2814d831a8057bf3.txt").unwrap();
    format!("{}\n", serde_json::json!({ "url": url, "text": text }))
}

/// `--output` is emptied before the first input is read, so an output that is also an input is
/// refused and left as it was (named as given, under another spelling, or as stdin); a
/// `--report-committed` file that is an input likewise. A folder walk skips the output instead.
#[test]
fn a_file_the_run_writes_is_never_also_read() {
    let dir = tmp();
    let data = dir.path().join("data.jsonl");
    let bytes = jsonl_record("https://a.example/1");
    std::fs::write(&data, &bytes).unwrap();
    let d = data.to_str().unwrap();
    let respelt = format!("{}/./data.jsonl", dir.path().display());
    let check = |out: &std::process::Output, flag: &str| {
        let err = stderr(out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("`{flag}`")) && err.contains("hint: "),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&data).unwrap(), bytes, "{err}");
    };
    for output in [d, respelt.as_str()] {
        let out = deboiler(&["ingest", "--out", "jsonl", "--output", output, d]);
        check(&out, "--output");
    }
    let db = db_arg(dir.path());
    let out = deboiler(&["ingest", "--db", &db, "--report-committed", &respelt, d]);
    check(&out, "--report-committed");
    assert!(!dir.path().join("db").exists(), "the store was created");
    let out = Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .args(["ingest", "--out", "jsonl", "--output", d, "-"])
        .stdin(std::fs::File::open(&data).unwrap())
        .output()
        .unwrap();
    check(&out, "--output");

    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a.jsonl"), jsonl_record("https://a.example/2")).unwrap();
    let output = folder.join("out.jsonl");
    std::fs::write(&output, jsonl_record("https://a.example/3")).unwrap();
    let out = deboiler(&[
        "ingest",
        "--out",
        "jsonl",
        "--output",
        output.to_str().unwrap(),
        folder.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("not reading `") && err.contains("read 1 · written 1"),
        "{err}"
    );
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(
        written.contains("https://a.example/2") && written.lines().count() == 1,
        "{written}"
    );
}

/// `--jobs` is checked by the parser: a huge count used to panic on the channel's capacity (or
/// start a million threads); 0 keeps meaning one per core.
#[test]
fn jobs_out_of_range_are_refused_and_zero_means_one_per_core() {
    let input = "samples/000_2814d831a8057bf3.txt";
    for n in ["18446744073709551615", "1000000", "1025"] {
        let out = deboiler(&["ingest", "--out", "jsonl", "-j", n, input]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{n}: {err}");
        assert!(
            err.contains("0..=1024") && !err.contains("panicked"),
            "{err}"
        );
        let out = deboiler(&["bench", "--jobs", n, input]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
    let zero = deboiler(&["ingest", "--out", "jsonl", "-j", "0", input]);
    let default = deboiler(&["ingest", "--out", "jsonl", input]);
    assert!(zero.status.success(), "{}", stderr(&zero));
    // The two runs may fall in different seconds.
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z").unwrap();
    let untimed = |o: &std::process::Output| time.replace_all(&stdout(o), "[TIME]").into_owned();
    assert_eq!(untimed(&zero), untimed(&default));
}

/// Runs `deboiler` with its stdout a pipe whose reading end is closed before it writes.
fn with_stdout_closed(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(common::root())
        .env_remove("RUST_LOG")
        .env_remove("DEBOILER_DB")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed right after the start: the child reads its rules (or inputs) before printing.
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// A reader that goes away (`deboiler … | head`) ends the command quietly: no `println!` panic
/// (exit 101) on stdout's broken pipe.
#[test]
fn a_closed_stdout_never_panics() {
    let out = with_stdout_closed(&["rules", "check", "rules"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let dir = tmp();
    let db = db_arg(dir.path());
    let missing = dir.path().join("missing.txt");
    let args = [
        "ingest",
        "--db",
        &db,
        "samples/000_2814d831a8057bf3.txt",
        missing.to_str().unwrap(),
    ];
    let out = with_stdout_closed(&args);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    // The run's own exit code still tells that an input failed.
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// `eval` prints the first 12 characters of a page id, not 12 bytes: a non-ASCII id used to
/// panic on a cut inside a character.
#[test]
fn eval_prints_non_ascii_page_ids() {
    let dir = tmp();
    let id = "aéééééééééééééé";
    std::fs::create_dir(dir.path().join("text")).unwrap();
    std::fs::copy(
        "samples/000_2814d831a8057bf3.txt",
        dir.path().join(format!("text/{id}.txt")),
    )
    .unwrap();
    let gt = serde_json::json!({ id: { "articleBody": "Some words here", "url": "https://a.example/" } });
    std::fs::write(dir.path().join("ground-truth.json"), gt.to_string()).unwrap();
    let out = deboiler(&["eval", "--gold", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("  aééééééééééé  https://a.example/"),
        "{}",
        stdout(&out)
    );
}

/// stdin can be read once: `- -` is refused before anything is read or created, instead of a
/// second, empty read that was reported as a skipped input.
#[test]
fn stdin_named_twice_is_refused() {
    let dir = tmp();
    let db = db_arg(dir.path());
    for args in [
        &["clean", "-", "-"][..],
        &["ingest", "--db", &db, "-", "samples", "-"],
        &["ingest", "--out", "jsonl", "-", "-"],
    ] {
        let out = deboiler_piped(args, b"Some text\n");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("`-`") && err.contains("hint: "), "{err}");
        assert!(!err.contains("input is empty"), "{err}");
    }
    assert!(!dir.path().join("db").exists(), "the store was created");
}

/// A failed line of a JSON Lines file whose name does not say so (read with `--input-format
/// jsonl`) is retried as a line again, not by reading the whole file as one document; when the
/// failures mix such records with plain documents, the retry says how to read them.
#[test]
fn retrying_a_line_of_a_file_read_with_input_format_reads_lines() {
    let dir = tmp();
    let db = db_arg(dir.path());
    let data = dir.path().join("data.txt");
    let data = data.to_str().unwrap();
    let first = jsonl_record("https://a.example/1");
    std::fs::write(data, format!("{first}oops\n")).unwrap();
    let out = deboiler(&["ingest", "--db", &db, "--input-format", "jsonl", data]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let listed = stdout(&deboiler(&["failures", "--db", &db]));
    assert!(listed.contains(&format!("{data}:2")), "{listed}");
    // Line 2 fixed: another article's record.
    let text = std::fs::read_to_string("samples/001_7e71d6686ee625e3.txt").unwrap();
    let second = serde_json::json!({ "url": "https://a.example/2", "text": text });
    std::fs::write(data, format!("{first}{second}\n")).unwrap();
    let retry = deboiler(&["ingest", "--db", &db, "--retry-failures"]);
    assert!(retry.status.success(), "{}", stderr(&retry));
    assert!(
        stdout(&retry).contains("stored 1 · duplicates 1"),
        "{}",
        stdout(&retry)
    );
    let listed = deboiler(&["failures", "--db", &db]);
    assert_eq!(stdout(&listed), "", "{}", stderr(&listed));

    // Mixed with a failed plain document, the retry reads by name and says what to do.
    let other = dir.path().join("other.txt");
    let other = other.to_str().unwrap();
    std::fs::write(other, format!("{first}[1]\n")).unwrap();
    let gone = dir.path().join("gone.txt");
    let gone = gone.to_str().unwrap();
    deboiler(&["ingest", "--db", &db, "--input-format", "jsonl", other]);
    deboiler(&["ingest", "--db", &db, gone]);
    let retry = deboiler(&["ingest", "--db", &db, "--retry-failures"]);
    let err = stderr(&retry);
    assert!(
        err.contains(&format!("`{other}:2`"))
            && err.contains(&format!("hint: ingest them again with the format, e.g. `deboiler ingest --input-format jsonl {other}`")),
        "{err}"
    );
}

#[test]
fn a_bad_glob_creates_neither_the_store_nor_the_report_file() {
    let dir = tmp();
    let db = db_arg(dir.path());
    let report = dir.path().join("committed.jsonl");
    let report = report.to_str().unwrap();
    let out = deboiler(&[
        "ingest",
        "--db",
        &db,
        "--report-committed",
        report,
        "--include",
        "[",
        "samples",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid glob `[`"),
        "{}",
        stderr(&out)
    );
    assert!(!Path::new(report).exists());
    assert!(!Path::new(&db).exists());
}
