//! The fuzz targets' checks (`fuzz/src/lib.rs`, included here) on the committed seed corpus
//! (`fuzz/corpus/<target>/`, plus the repo's own `samples/` or `rules/` that `just fuzz` also
//! hands libFuzzer as seeds, see [`shared_seeds`]) and on every reproducer a fuzz run found
//! (`tests/fuzz-corpus/<target>/`), so a fixed crash stays fixed under plain `cargo test`,
//! without cargo-fuzz.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use std::path::Path;

/// The repo folder `just fuzz` passes to a target as a second seed corpus (kept in step with
/// the `fuzz` recipe), so the samples and rule files are not copied into `fuzz/corpus/`.
fn shared_seeds(target: &str) -> Option<&'static str> {
    match target {
        "decode" | "html_extract" | "html_parse" | "text_extract" | "clean" => Some("samples"),
        "rules_parse" => Some("rules"),
        _ => None,
    }
}

/// Every file under `dir`, recursively, sorted.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for p in entries.map(|e| e.unwrap().path()) {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Runs `check` on every file under `fuzz/corpus/<target>`, the target's shared seeds and
/// `tests/fuzz-corpus/<target>`; returns how many files it read.
fn run(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    let shared = shared_seeds(target).map(|d| root.join(d));
    let dirs = [
        Some(root.join("fuzz/corpus").join(target)),
        shared,
        Some(root.join("tests/fuzz-corpus").join(target)),
    ];
    for dir in dirs.into_iter().flatten() {
        let mut paths = Vec::new();
        files(&dir, &mut paths);
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
fn html_parse_corpus() {
    assert!(run("html_parse", fuzz::check_html_parse) > 0);
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

#[test]
fn gunzip_corpus() {
    assert!(run("gunzip", fuzz::check_gunzip) > 0);
}
