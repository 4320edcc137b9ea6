//! Command-line interface: argument parsing, output formatting and exit codes.
//!
//! Data goes to stdout (clean text, JSON, listings, summaries); logs, warnings and errors go to
//! stderr. Exit codes: 0 success, 1 some input failed, 2 the command could not run (invalid
//! rules, store locked or unreadable, bad arguments).
//!
//! This file holds the arguments, the fatal error type and [`run`], which dispatches each command
//! to its module: `ingest`, `clean`, `inspect` (the commands that read the store), `rules`,
//! `measure` (`eval`, `bench`) and `progress` (the progress display).

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use deboiler::learn::LineStats;
use deboiler::limits::Limits;
use deboiler::model::{ArticleRecord, ContentKind, Verdict};
use deboiler::pipeline::{self, Cleaned, JsonlSink, Outcome, Report, RunOptions, StoreSink};
use deboiler::rules::{RuleErrors, RuleSet};
use deboiler::source;
use deboiler::store::{RunSummary, Store, StoreError};
use deboiler::strip;

#[derive(Parser)]
#[command(
    name = "deboiler",
    version,
    about = "Turn raw article dumps into clean, deduplicated article records"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Store location (a directory; `ingest` creates it if missing).
    #[arg(
        long,
        global = true,
        env = "DEBOILER_DB",
        default_value = "deboiler.db"
    )]
    db: PathBuf,
    /// Rule directory (repeatable). Replaces the default: `./rules` if it exists, else the rules
    /// built into the binary.
    #[arg(long = "rules", global = true, value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Load only generic rules, not per-site ones.
    #[arg(long, global = true)]
    no_site_rules: bool,
    /// More log output on stderr (-v info, -vv debug). `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Clean inputs and store the articles.
    Ingest {
        /// Files, folders (recursive) or `-` for stdin. `.jsonl`/`.ndjson` and `.warc` files
        /// (optionally `.gz`/`.zst`) hold one document per line / per HTML response record.
        #[arg(required_unless_present = "retry_failures")]
        paths: Vec<String>,
        /// Also ingest again every input the store lists as skipped or failed (`deboiler
        /// failures`), e.g. after raising a limit; a success clears its entry.
        #[arg(long)]
        retry_failures: bool,
        /// Append one JSON line per input (`origin`, `outcome`, `id`) to FILE once its writes
        /// are flushed: every line is a committed outcome (for crash tests and resumable runs).
        /// A last line cut short by a kill is removed when the next run opens FILE.
        #[arg(long, value_name = "FILE")]
        report_committed: Option<PathBuf>,
        /// Worker threads cleaning documents, at most 1024 [default, and 0: one per core].
        /// Output does not depend on it.
        #[arg(long, short = 'j', value_name = "N", value_parser = jobs_parser())]
        jobs: Option<usize>,
        /// Where articles go: the store, or JSON Lines records on stdout (or `--output`), in
        /// which case no store is opened and each article is written once per run.
        #[arg(long, value_enum, default_value_t = Out::Store)]
        out: Out,
        /// With `--out jsonl`: write the records to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Clean inputs and print the result without storing.
    Clean {
        #[arg(required = true)]
        paths: Vec<String>,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Print every block with its verdict and the rule that decided it.
        #[arg(long)]
        explain: bool,
    },
    /// List stored articles.
    List {
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Show one stored article by id or unique id prefix.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Print every stored article as JSON Lines.
    Export,
    /// Inputs that were skipped or failed, with the reason.
    Failures,
    /// Store and rule statistics.
    Stats,
    /// Check the store's integrity (every record decodes and is indexed consistently) and print
    /// a checksum of its article records.
    Verify,
    /// Score cleaning against labelled pages (a folder with `ground-truth.json` and `html/` or
    /// `text/`, as in the Zyte article-extraction benchmark).
    Eval {
        #[arg(long, value_name = "DIR")]
        gold: PathBuf,
        /// Write predictions as `{id: {"articleBody": text}}` JSON.
        #[arg(long, value_name = "FILE")]
        predictions: Option<PathBuf>,
        /// Write per-page scores as JSON.
        #[arg(long, value_name = "FILE")]
        scores: Option<PathBuf>,
        /// Print this many worst pages by F1.
        #[arg(long, default_value_t = 10)]
        worst: usize,
        /// Exit with code 1 if F1 is below this floor (a quality gate).
        #[arg(long, value_name = "F1")]
        min_f1: Option<f64>,
    },
    /// Measure the pipeline's throughput (docs/s, MB/s) and peak RSS over a page set or a
    /// synthetic corpus made from it, on one thread and on `--jobs` threads, next to a baseline
    /// run in the same invocation (a bare `scraper` parse for HTML pages, SHA-256 plus a line
    /// split for text), and print every figure as a ratio too. Each measurement runs in its own
    /// process so its peak RSS is its own.
    ///
    /// Measurements: baseline, pipeline (no store), baseline-all and pipeline-all (`--jobs`
    /// threads), e2e (read + gunzip + pipeline; page sets), generate (making the synthetic
    /// documents alone) and store (pipeline + `Store::put` into a throwaway store, 1 thread;
    /// synthetic corpora).
    Bench {
        /// Files, folders, or an eval gold folder (its pages keep their URLs).
        #[arg(required = true)]
        paths: Vec<String>,
        /// Seconds each page-set measurement runs at least (whole passes over the set).
        #[arg(long, default_value_t = 1.0)]
        seconds: f64,
        /// Threads of the `-all` measurements, at most 1024 [default, and 0: the number of
        /// cores].
        #[arg(long, value_name = "N", value_parser = jobs_parser())]
        jobs: Option<usize>,
        /// Measure N documents made from the pages (shuffled paragraphs, changed numbers, a
        /// unique marker), one pass, made as they are measured: memory does not grow with N.
        #[arg(long, value_name = "N")]
        synthetic: Option<u64>,
        /// Seed of the synthetic corpus.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Comma-separated measurements to run, in order [default: baseline, pipeline,
        /// baseline-all, pipeline-all, e2e; synthetic: generate, pipeline, pipeline-all, store].
        #[arg(long, value_delimiter = ',', value_name = "LIST")]
        measure: Vec<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Run every measurement in this process (no peak RSS; for profilers).
        #[arg(long)]
        in_process: bool,
        /// Folder for the store measurement's throwaway database [default: the temp dir].
        #[arg(long, value_name = "DIR")]
        store_dir: Option<PathBuf>,
        /// Run the whole list of measurements this many times, interleaved, and report each
        /// measurement's fastest round (on a shared machine, the least disturbed one).
        #[arg(long, default_value_t = 1, value_name = "N")]
        rounds: usize,
        /// Print the `--synthetic` corpus as JSON Lines (`url`, `html` or `text`) instead of
        /// measuring, e.g. to time `ingest --input-format jsonl -` on it.
        #[arg(long, requires = "synthetic")]
        emit: bool,
        /// Internal: run one measurement and print it as a JSON line.
        #[arg(long, hide = true, value_name = "NAME")]
        worker: Option<String>,
    },
    /// Rule-file tools.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate rule files and run every rule's `strips`/`keeps` examples.
    Check {
        /// Rule directory; default as for `--rules`.
        dir: Option<PathBuf>,
    },
    /// Print a draft site rule file from the lines the store learned for a site (see
    /// `deboiler stats` for the sites it knows).
    Suggest {
        /// Site key: a URL host such as `example.com`, or a site rule's name.
        site: String,
        /// Share of the site's documents a line must occur in.
        #[arg(long, default_value_t = 0.5)]
        min_share: f64,
    },
}

mod clean;
mod ingest;
mod inspect;
mod measure;
mod progress;
mod rules;

use clean::clean;
use ingest::{ingest, ingest_jsonl, IngestRun};
use inspect::{export, failures, list, show, stats, verify};
use measure::{bench, eval};
use rules::{rules_check, rules_suggest};

const MIB: u64 = 1024 * 1024;

/// `--jobs`: each worker gets a thread and 16 slots of the in-flight window, so an unchecked
/// count (`-j 1000000`) takes minutes and gigabytes before doing any work, and a huge one
/// overflowed the window. 1024 is far past any core count that speeds a run up.
fn jobs_parser() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(0..=1024)
}

/// Which files are read and how they are split into documents.
#[derive(Args, Clone)]
#[command(next_help_heading = "Inputs")]
struct InputArgs {
    /// Read only the files of a folder that match GLOB (the path inside the folder given, or
    /// the file name; `*` stays inside one folder, `**` crosses them); repeatable. Files named
    /// on the command line are always read.
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip the files of a folder that match GLOB; repeatable.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// How to read inputs: `auto` by extension (`.jsonl`/`.ndjson`, `.warc`, optionally
    /// `.gz`/`.zst`; anything else and stdin is one document), or force one for every input.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,
    /// JSON Lines field holding the document [default: `html`, else `text`, else `content`].
    #[arg(long, value_name = "NAME")]
    content_field: Option<String>,
    /// JSON Lines field holding the page URL.
    #[arg(long, value_name = "NAME", default_value = "url")]
    url_field: String,
    /// JSON Lines field holding the document's own id (kept on its origin).
    #[arg(long, value_name = "NAME", default_value = "id")]
    id_field: String,
    /// What JSON Lines content is: `auto` (a field named like `text` is text, others are
    /// sniffed), `html` or `text`.
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    content_kind: KindArg,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum InputFormat {
    Auto,
    /// Each file (or stdin) is one document.
    Doc,
    Jsonl,
    Warc,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum KindArg {
    Auto,
    Html,
    Text,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Out {
    Store,
    Jsonl,
}

impl InputArgs {
    fn read_options(&self, limits: &Limits) -> source::ReadOptions {
        source::ReadOptions {
            limits: limits.clone(),
            format: match self.input_format {
                InputFormat::Auto => source::Format::Auto,
                InputFormat::Doc => source::Format::Document,
                InputFormat::Jsonl => source::Format::Jsonl,
                InputFormat::Warc => source::Format::Warc,
            },
            jsonl: source::JsonlFields {
                content: self.content_field.clone(),
                url: self.url_field.clone(),
                id: self.id_field.clone(),
                kind: match self.content_kind {
                    KindArg::Auto => None,
                    KindArg::Html => Some(ContentKind::Html),
                    KindArg::Text => Some(ContentKind::Text),
                },
            },
        }
    }

    /// The inputs named by `paths`, folders walked through the globs and around the store
    /// `db` (its files are not documents, even when it sits inside a folder being read).
    fn expand(
        &self,
        paths: &[String],
        db: &Path,
    ) -> Result<Vec<Result<source::Input, source::SourceError>>, Fatal> {
        Ok(source::expand_filtered(paths, &self.filter()?.skip_dir(db)))
    }

    /// The `--include`/`--exclude` globs, checked; `ingest` checks them before opening the
    /// store, so a typo creates nothing.
    fn filter(&self) -> Result<source::Filter, Fatal> {
        source::Filter::new(&self.include, &self.exclude).map_err(|e| {
            Fatal::new(
                e.to_string(),
                Some("globs use `*`, `?`, `[abc]`, `{a,b}` and `**`, e.g. `--include '*.html'`"),
            )
        })
    }
}

/// Refuses `-` named more than once: stdin is read to its end the first time, and a second
/// read found nothing and reported `-` as an empty input.
fn stdin_once(paths: &[String]) -> Result<(), Fatal> {
    match paths.iter().filter(|p| *p == "-").count() {
        0 | 1 => Ok(()),
        n => Err(Fatal::new(
            format!("`-` (standard input) is named {n} times; it can be read only once"),
            Some("name `-` once; to read the same data twice, save it to a file"),
        )),
    }
}

/// Per-document limits; an input over one is skipped with the limit named. Defaults come from
/// `Limits::default()` so the library and the CLI cannot drift apart.
#[derive(Args, Clone)]
#[command(next_help_heading = "Limits (an input over one is skipped, naming the limit)")]
struct LimitArgs {
    /// Largest input, in MiB, before decompression (checked before reading).
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_input_bytes / MIB)]
    max_input_mb: u64,
    /// Largest size a gzip or zstd file (one document) may inflate to, in MiB (against
    /// decompression bombs; a container is streamed, and `--max-input-mb` bounds each record).
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_decompressed_bytes / MIB)]
    max_decompressed_mb: u64,
    /// Deepest HTML element nesting, estimated before parsing.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// Longest line of a text input, in KiB (HTML is exempt).
    #[arg(long, value_name = "KB", default_value_t = Limits::default().max_line_bytes / 1024)]
    max_line_kb: usize,
    /// Time one document may take, in milliseconds, checked between pipeline stages.
    #[arg(long, value_name = "MS", default_value_t = Limits::default().time_budget.as_millis() as u64)]
    time_budget_ms: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_input_bytes: self.max_input_mb.saturating_mul(MIB),
            max_decompressed_bytes: self.max_decompressed_mb.saturating_mul(MIB),
            max_depth: self.max_depth,
            max_line_bytes: self.max_line_kb.saturating_mul(1024),
            time_budget: std::time::Duration::from_millis(self.time_budget_ms),
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    Text,
    Jsonl,
}

/// An error that stops the command, with an optional hint on what to do.
struct Fatal {
    message: String,
    hint: Option<String>,
    /// stdout was closed by the reader (`deboiler list | head`): stop quietly.
    broken_pipe: bool,
}

impl Fatal {
    fn new(message: impl Into<String>, hint: Option<&str>) -> Self {
        Fatal {
            message: message.into(),
            hint: hint.map(str::to_string),
            broken_pipe: false,
        }
    }
}

impl From<StoreError> for Fatal {
    fn from(e: StoreError) -> Self {
        let hint = match &e {
            StoreError::Locked { .. } => {
                Some("wait for the other run to finish, or pass `--db <DIR>` to use another store")
            }
            StoreError::Corrupt { .. } | StoreError::BadRecord { .. } => {
                Some("the store may be damaged; re-ingest into a fresh `--db` to rebuild it")
            }
            StoreError::Format { .. } => Some(
                "re-ingest the inputs into a fresh `--db` with this version (or read the store with the version that wrote it)",
            ),
            StoreError::Missing { .. } => Some(
                "`deboiler ingest <PATH>` creates it; `--db <DIR>` (or `DEBOILER_DB`) names another store",
            ),
            StoreError::NotAStore { .. } | StoreError::NotAFolder { .. } => {
                Some("pass `--db` a new or empty folder")
            }
            StoreError::NotFound(_) => Some("`deboiler list` shows the stored ids"),
            StoreError::Ambiguous { .. } => Some("give more characters of the id"),
            _ => None,
        };
        Fatal::new(e.to_string(), hint)
    }
}

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Self {
        let mut f = Fatal::new(format!("cannot write output: {e}"), None);
        f.broken_pipe = e.kind() == io::ErrorKind::BrokenPipe;
        f
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.global);
    match run(cli) {
        Ok(code) => code,
        Err(f) if f.broken_pipe => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            if let Some(h) = f.hint {
                eprintln!("hint: {h}");
            }
            ExitCode::from(2)
        }
    }
}

fn init_logging(g: &Global) {
    let level = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "info",
        _ => "debug",
    };
    // Progress lines (off a terminal) show at the default level too; `-q` drops them.
    let progress = if g.quiet { "error" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "deboiler={level},{}={progress}",
            progress::TARGET
        ))
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
}

fn run(cli: Cli) -> Result<ExitCode, Fatal> {
    let g = &cli.global;
    match cli.command {
        Command::Ingest {
            paths,
            retry_failures,
            limits,
            report_committed,
            jobs,
            out,
            output,
            input,
        } => {
            let limits = limits.limits();
            let run = IngestRun {
                read: input.read_options(&limits),
                input,
                jobs,
                retry_failures,
                report_committed,
            };
            match (out, output) {
                (Out::Store, Some(_)) => Err(Fatal::new(
                    "`--output` is for `--out jsonl`; the store is set with `--db`",
                    Some("add `--out jsonl` to write records to a file"),
                )),
                (Out::Store, None) => ingest(g, &paths, &run),
                (Out::Jsonl, output) => ingest_jsonl(g, &paths, &run, output.as_deref()),
            }
        }
        Command::Clean {
            paths,
            input,
            limits,
            format,
            explain,
        } => clean(g, &paths, &input, &limits.limits(), format, explain),
        Command::List { limit } => list(&open_store(g)?, limit),
        Command::Show { id, json } => show(&open_store(g)?, &id, json),
        Command::Export => export(&open_store(g)?),
        Command::Failures => failures(&open_store(g)?),
        Command::Stats => stats(&open_store(g)?),
        Command::Verify => verify(&open_store(g)?),
        Command::Rules {
            command: RulesCommand::Check { dir },
        } => rules_check(g, dir),
        Command::Rules {
            command: RulesCommand::Suggest { site, min_share },
        } => rules_suggest(&open_store(g)?, &site, min_share),
        Command::Eval {
            gold,
            predictions,
            scores,
            worst,
            min_f1,
        } => eval(g, &gold, predictions, scores, worst, min_f1),
        Command::Bench {
            paths,
            seconds,
            jobs,
            synthetic,
            seed,
            measure,
            json,
            in_process,
            store_dir,
            rounds,
            emit,
            worker,
        } => {
            let opts = deboiler::bench::Options {
                paths,
                seconds,
                // 0 is the default, as for `ingest` (the run used to measure 1 thread for it).
                jobs: jobs
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                synthetic,
                seed,
                measure,
                json,
                reexec: (!in_process).then(|| std::env::args_os().skip(1).collect()),
                worker,
                store_dir,
                emit,
                rounds,
            };
            bench(g, &opts)
        }
    }
}

/// The rule set for this run; `Err` stops the command before any input is read.
fn load_rules(g: &Global, dir: Option<PathBuf>) -> Result<RuleSet, Fatal> {
    let sites = !g.no_site_rules;
    let result = match dir {
        Some(d) => RuleSet::load(&[d], sites),
        None if !g.rules.is_empty() => RuleSet::load(&g.rules, sites),
        None if Path::new("rules").is_dir() => RuleSet::load(&[PathBuf::from("rules")], sites),
        None => RuleSet::embedded(sites),
    };
    result.map_err(rule_errors)
}

fn rule_errors(e: RuleErrors) -> Fatal {
    let n = e.0.len();
    Fatal::new(
        format!(
            "the rule set is invalid ({n} problem{}); nothing was read\n{e}",
            if n == 1 { "" } else { "s" }
        ),
        Some("fix the rule file and recheck with `deboiler rules check`"),
    )
}

/// The store for a command that reads it: it must exist.
fn open_store(g: &Global) -> Result<Store, Fatal> {
    Ok(Store::open_existing(&g.db)?)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}
