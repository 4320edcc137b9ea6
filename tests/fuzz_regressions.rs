//! The fuzz targets' checks (`fuzz/src/lib.rs`, included here) on the committed seed corpus
//! (`fuzz/corpus/<target>/`) and on every reproducer a fuzz run found (`tests/fuzz-corpus/
//! <target>/`), so a fixed crash stays fixed under plain `cargo test`, without cargo-fuzz.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use std::path::Path;

/// Runs `check` on every file under `fuzz/corpus/<target>` and `tests/fuzz-corpus/<target>`;
/// returns how many files it read.
fn run(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in [root.join("fuzz/corpus"), root.join("tests/fuzz-corpus")] {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let data = std::fs::read(&p).unwrap();
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{target}: {} fails its check", p.display());
            n += 1;
        }
    }
    n
}

#[test]
fn decode_corpus() {
    assert!(run("decode", fuzz::check_decode) > 0);
}

#[test]
fn html_extract_corpus() {
    assert!(run("html_extract", fuzz::check_html_extract) > 0);
}

#[test]
fn text_extract_corpus() {
    assert!(run("text_extract", fuzz::check_text_extract) > 0);
}

#[test]
fn rules_parse_corpus() {
    assert!(run("rules_parse", fuzz::check_rules_parse) > 0);
}

#[test]
fn clean_corpus() {
    assert!(run("clean", fuzz::check_clean) > 0);
}

#[test]
fn warc_corpus() {
    assert!(run("warc", fuzz::check_warc) > 0);
}

#[test]
fn jsonl_corpus() {
    assert!(run("jsonl", fuzz::check_jsonl) > 0);
}
