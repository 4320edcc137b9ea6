//! Helpers shared by the integration tests: run the real binary from the repo root.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `deboiler` with `args` in the repo root, with logs quiet unless a test asks otherwise.
pub fn deboiler(args: &[&str]) -> Output {
    deboiler_in(&root(), args)
}

pub fn deboiler_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DEBOILER_DB")
        .args(args)
        .output()
        .expect("run deboiler")
}

/// Runs `deboiler` with `args` in the repo root with `input` on its standard input.
pub fn deboiler_piped(args: &[&str], input: &[u8]) -> Output {
    deboiler_piped_in(&root(), args, input)
}

/// [`deboiler_piped`] in `dir`.
pub fn deboiler_piped_in(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_deboiler"))
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DEBOILER_DB")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run deboiler");
    // A process that exits before reading everything closes the pipe: its output says why.
    let _ = child.stdin.take().expect("piped stdin").write_all(input);
    child.wait_with_output().expect("run deboiler")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whitespace collapsed and NBSP treated as a space, as the seed scorer does.
pub fn norm(s: &str) -> String {
    s.replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
