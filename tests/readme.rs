//! The README's walkthrough, run: every `$ deboiler …` line of its `console` blocks is run in a
//! copy of the samples and rules, in order, and its output must read as the README prints it.
//!
//! Between the blocks the walkthrough edits a rule file; the test does the same: the first
//! `toml` block is appended to `rules/sites/chinadaily.com.cn.toml` before the block that runs
//! `rules check` on it, and the block that shows the typo error runs with that block's `drop`
//! misspelt `dorp`. In the expected output, a line `...` ends the comparison of that command
//! (the README shows the start), timestamps are masked, and a command ending in `| grep 'X'`
//! keeps the lines holding `X`.

mod common;

use std::path::Path;
use std::process::Command;

use common::root;

/// One `$ …` line of a console block and the lines the README prints after it.
struct Step {
    command: String,
    expected: Vec<String>,
}

/// The README's console blocks, in order, each as its commands.
fn console_blocks(readme: &str) -> Vec<Vec<Step>> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let mut steps: Vec<Step> = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            match l.strip_prefix("$ ") {
                Some(cmd) => steps.push(Step {
                    // A `# comment` after the command is for the reader.
                    command: cmd.split(" # ").next().unwrap_or(cmd).trim().to_string(),
                    expected: Vec::new(),
                }),
                None => steps
                    .last_mut()
                    .expect("a console block starts with a command")
                    .expected
                    .push(l.to_string()),
            }
        }
        blocks.push(steps);
    }
    blocks
}

/// The README's first `toml` block: the rule the walkthrough adds.
fn added_rule(readme: &str) -> String {
    let start = readme.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("the toml block ends");
    readme[start..end].to_string()
}

fn mask(s: &str) -> String {
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z").unwrap();
    time.replace_all(s, "[TIME]").into_owned()
}

/// Runs one README command in `dir`: stdout then stderr, as a terminal would show them.
fn run(dir: &Path, command: &str) -> Vec<String> {
    let (command, grep) = match command.split_once(" | grep ") {
        Some((c, pattern)) => (c, Some(pattern.trim_matches('\'').to_string())),
        None => (command, None),
    };
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("deboiler"), "{command}");
    let out = Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DEBOILER_DB")
        .args(words)
        .output()
        .expect("run deboiler");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter(|l| grep.as_ref().is_none_or(|g| l.contains(g.as_str())))
        .map(mask)
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn the_readme_walkthrough_prints_what_the_readme_says() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("samples"), &dir.path().join("samples"));
    copy_dir(&root().join("rules"), &dir.path().join("rules"));
    let site_file = dir.path().join("rules/sites/chinadaily.com.cn.toml");
    let original = std::fs::read_to_string(&site_file).unwrap();
    let rule = added_rule(&readme);
    let mut steps_run = 0;
    for block in console_blocks(&readme) {
        let shows_typo = block.iter().any(|s| {
            s.expected
                .iter()
                .any(|l| l.contains("unknown field `dorp`"))
        });
        let checks_rules = block.iter().any(|s| s.command == "deboiler rules check");
        if checks_rules {
            std::fs::write(&site_file, format!("{original}\n{rule}")).unwrap();
        }
        if shows_typo {
            let typo = rule.replacen("drop = {", "dorp = {", 1);
            std::fs::write(&site_file, format!("{original}\n{typo}")).unwrap();
        }
        for step in &block {
            let got = run(dir.path(), &step.command);
            let shown: Vec<String> = step
                .expected
                .iter()
                .take_while(|l| l.trim() != "...")
                .map(|l| mask(l))
                .collect();
            let elided = shown.len() < step.expected.len();
            let got_part = if elided {
                &got[..shown.len().min(got.len())]
            } else {
                &got[..]
            };
            assert_eq!(
                got_part.join("\n"),
                shown.join("\n"),
                "README command `{}` prints something else",
                step.command
            );
            steps_run += 1;
        }
        if shows_typo {
            std::fs::write(&site_file, format!("{original}\n{rule}")).unwrap();
        }
    }
    assert!(steps_run >= 8, "only {steps_run} README commands found");
}
