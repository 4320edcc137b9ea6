//! Golden test: every seed dump, cleaned by the binary, keeps every `K` line, leaks no `D`
//! line (a line repeated in the source may appear as often as it has non-`D` labels), has the
//! `T` line as its title, and carries the metadata the labels expect.

mod common;

use std::collections::HashMap;

use common::{deboiler, norm, stdout};
use serde_json::Value;

struct Seed {
    name: String,
    gold: Value,
}

fn seeds() -> Vec<Seed> {
    let dir = common::root().join("tests/golden");
    let mut seeds: Vec<Seed> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .map(|p| {
            let gold: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            Seed {
                name: gold["seed"].as_str().unwrap().to_string(),
                gold,
            }
        })
        .collect();
    seeds.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(seeds.len(), 5, "five seed label files");
    seeds
}

fn clean_jsonl(extra: &[&str], path: &str) -> Value {
    let mut args = vec!["clean", "--format", "jsonl", "--rules", "rules"];
    args.extend_from_slice(extra);
    args.push(path);
    let out = deboiler(&args);
    assert!(out.status.success(), "{}", common::stderr(&out));
    serde_json::from_str(stdout(&out).trim()).expect("one JSON object")
}

/// Checks one seed's labels against the cleaned output; returns the problems.
fn check_lines(seed: &Seed, rec: &Value) -> Vec<String> {
    let title = rec["title"].as_str().unwrap_or("");
    let output = norm(&format!("{title}\n{}", rec["text"].as_str().unwrap_or("")));
    let mut allowed: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    let lines = seed.gold["lines"].as_array().unwrap();
    for l in lines {
        if l["label"] != "D" {
            *allowed
                .entry(norm(l["text"].as_str().unwrap()))
                .or_default() += 1;
        }
    }
    for l in lines {
        let text = norm(l["text"].as_str().unwrap());
        let n = l["line"].as_u64().unwrap();
        match l["label"].as_str().unwrap() {
            "K" if !output.contains(&text) => {
                problems.push(format!("{}:{n} K line missing: {text}", seed.name))
            }
            "D" if output.matches(&text).count() > allowed.get(&text).copied().unwrap_or(0) => {
                problems.push(format!("{}:{n} D line leaked: {text}", seed.name))
            }
            "T" if norm(title) != text => problems.push(format!(
                "{}: title is {title:?}, expected {text:?}",
                seed.name
            )),
            _ => {}
        }
    }
    problems
}

#[test]
fn seeds_keep_every_k_line_and_leak_no_d_line() {
    let mut problems = Vec::new();
    for seed in seeds() {
        let rec = clean_jsonl(&[], &format!("samples/{}", seed.name));
        problems.extend(check_lines(&seed, &rec));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Generic rules and the content heuristics alone must clean the seeds too: site rules are
/// examples of what a user can add, not what makes the seeds pass.
#[test]
fn seeds_pass_without_site_rules() {
    let mut problems = Vec::new();
    for seed in seeds() {
        let rec = clean_jsonl(&["--no-site-rules"], &format!("samples/{}", seed.name));
        problems.extend(check_lines(&seed, &rec));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn seeds_carry_expected_metadata() {
    let mut problems = Vec::new();
    for seed in seeds() {
        let rec = clean_jsonl(&[], &format!("samples/{}", seed.name));
        for (key, want) in seed.gold["expected"].as_object().unwrap() {
            if rec[key] != *want {
                problems.push(format!(
                    "{}: {key} = {}, expected {want}",
                    seed.name, rec[key]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_removal_names_a_rule_and_removed_text_never_reaches_the_body() {
    for seed in seeds() {
        let rec = clean_jsonl(&[], &format!("samples/{}", seed.name));
        let text = rec["text"].as_str().unwrap();
        for r in rec["removed"].as_array().unwrap() {
            let rule = r["rule"].as_str().unwrap();
            assert!(!rule.is_empty());
            let removed = r["text"].as_str().unwrap();
            // Repeats may legitimately appear once (their first occurrence).
            if rule != "dedup.repeat" && removed.split_whitespace().count() > 3 {
                assert!(
                    !text.contains(removed),
                    "{}: `{removed}` removed by {rule} but in body",
                    seed.name
                );
            }
        }
    }
}
