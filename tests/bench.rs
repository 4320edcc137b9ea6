//! The bench command and its synthetic corpus, on the bundled samples (fast; the real runs use
//! ../shared/bench and are not tests).

mod common;

use std::collections::HashSet;

use common::{deboiler, stderr, stdout};
use deboiler::bench::{self, Synth};
use deboiler::rules::RuleSet;

#[test]
fn synthetic_documents_are_distinct_articles_made_deterministically() {
    let set = bench::load(&[common::root().join("samples").display().to_string()]);
    assert_eq!(set.docs.len(), 7, "{:?}", set.unreadable);
    let templates = || set.docs.iter().zip(set.kinds.iter().copied());
    let synth = Synth::new(templates(), 42).expect("templates");
    let rules = RuleSet::embedded(true).expect("embedded rules");
    let n = 70; // every template ten times
    let mut ids = HashSet::new();
    for doc in synth.iter(n) {
        let cleaned = deboiler::pipeline::clean(&doc, &rules).expect("an article");
        ids.insert(cleaned.article.id);
    }
    assert_eq!(ids.len() as u64, n, "dedup would collapse some documents");
    let again = Synth::new(templates(), 42).expect("templates");
    assert_eq!(again.doc(33).bytes, synth.doc(33).bytes);
}

#[test]
fn bench_json_reports_every_measurement_with_its_own_peak_rss() {
    let out = deboiler(&[
        "bench",
        "--json",
        "--seconds",
        "0",
        "--jobs",
        "2",
        "--rounds",
        "2",
        "--measure",
        "baseline,pipeline,pipeline-all,e2e",
        "samples",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON report");
    assert_eq!(report["corpus"]["pages"], 7);
    assert_eq!(report["corpus"]["html"], 2);
    assert_eq!(report["jobs"], 2);
    assert_eq!(report["rounds"], 2);
    assert!(report["machine"]["cores"].as_u64().is_some_and(|c| c >= 1));
    let ms = report["measurements"].as_array().expect("measurements");
    let names: Vec<&str> = ms.iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, ["baseline", "pipeline", "pipeline-all", "e2e"]);
    for m in ms {
        assert_eq!(m["docs"], 7, "one pass at --seconds 0: {m}");
        assert!(m["mb_per_s"].as_f64().is_some_and(|v| v > 0.0), "{m}");
        if cfg!(target_os = "linux") {
            assert!(m["peak_rss_kib"].as_u64().is_some_and(|v| v > 0), "{m}");
        }
    }
    assert_eq!(ms[2]["threads"], 2);
    for ratio in ["pipeline/baseline", "pipeline-all/pipeline", "e2e/pipeline"] {
        assert!(report["ratios"][ratio].as_f64().is_some(), "{ratio}");
    }
}

#[test]
fn a_synthetic_bench_stores_and_reports_the_store_ratio() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = deboiler(&[
        "bench",
        "--json",
        "--synthetic",
        "20",
        "--measure",
        "generate,pipeline,store",
        "--store-dir",
        &dir.path().display().to_string(),
        "samples",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON report");
    assert_eq!(report["corpus"]["synthetic"], 20);
    for m in report["measurements"].as_array().expect("measurements") {
        assert_eq!(
            (m["docs"].as_u64(), m["no_article"].as_u64()),
            (Some(20), Some(0))
        );
        assert_eq!(m["duplicates"], 0, "{m}");
    }
    assert!(report["ratios"]["store/pipeline"].as_f64().is_some());
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(left.is_empty(), "the throwaway store is removed");
}

#[test]
fn missing_bench_pages_point_at_shared() {
    let out = deboiler(&["bench", "no/such/bench/dir"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no readable pages"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("../shared/bench"),
        "{err}"
    );
}

#[test]
fn the_emitted_synthetic_corpus_ingests_as_distinct_articles() {
    let out = deboiler(&["bench", "--synthetic", "14", "--emit", "samples"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 14);
    let html = lines.iter().filter(|l| l["html"].is_string()).count();
    assert_eq!(
        (html, lines.len() - html),
        (4, 10),
        "kinds follow the templates"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db").display().to_string();
    let mut ingest = std::process::Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(common::root())
        .args(["-q", "ingest", "--db", &db, "--input-format", "jsonl", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ingest");
    {
        use std::io::Write;
        let mut stdin = ingest.stdin.take().expect("stdin");
        stdin.write_all(&out.stdout).expect("write the corpus");
    }
    let done = ingest.wait_with_output().expect("ingest ends");
    assert!(done.status.success(), "{}", stderr(&done));
    let listed = deboiler(&["list", "--db", &db]);
    assert_eq!(stdout(&listed).lines().count(), 14, "{}", stdout(&listed));
}
