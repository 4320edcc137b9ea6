//! Command-line interface: argument parsing, output formatting and exit codes.
//!
//! Data goes to stdout (clean text, JSON, listings, summaries); logs, warnings and errors go to
//! stderr. Exit codes: 0 success, 1 some input failed, 2 the command could not run (invalid
//! rules, store locked or unreadable, bad arguments).

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
    /// Store location (a directory; created if missing).
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
        #[arg(long, value_name = "FILE")]
        report_committed: Option<PathBuf>,
        /// Worker threads cleaning documents [default: one per core]. Output does not depend
        /// on it.
        #[arg(long, short = 'j', value_name = "N")]
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
        /// Threads of the `-all` measurements [default: the number of cores].
        #[arg(long, value_name = "N")]
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

mod progress;

const MIB: u64 = 1024 * 1024;

/// Which files are read and how they are split into documents.
#[derive(Args, Clone)]
#[command(next_help_heading = "Inputs")]
struct InputArgs {
    /// Read only the files of a folder that match GLOB (the path inside the folder given, or
    /// the file name); repeatable. Files named on the command line are always read.
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

    /// The inputs named by `paths`, folders walked through the globs.
    fn expand(
        &self,
        paths: &[String],
    ) -> Result<Vec<Result<source::Input, source::SourceError>>, Fatal> {
        let filter = source::Filter::new(&self.include, &self.exclude).map_err(|e| {
            Fatal::new(
                e.to_string(),
                Some("globs use `*`, `?`, `[abc]`, `{a,b}` and `**`, e.g. `--include '*.html'`"),
            )
        })?;
        Ok(source::expand_filtered(paths, &filter))
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
    /// Largest size a gzip input may inflate to, in MiB (against decompression bombs).
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
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("deboiler={level}")));
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
                jobs: jobs
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

fn open_store(g: &Global) -> Result<Store, Fatal> {
    Ok(Store::open(&g.db)?)
}

/// What `ingest` was asked to do, besides the paths.
struct IngestRun {
    input: InputArgs,
    read: source::ReadOptions,
    jobs: Option<usize>,
    retry_failures: bool,
    report_committed: Option<PathBuf>,
}

impl IngestRun {
    fn options(&self) -> RunOptions {
        RunOptions {
            jobs: self.jobs.unwrap_or(0),
            read: self.read.clone(),
            ..RunOptions::default()
        }
    }

    fn committed_file(&self) -> Result<Option<std::fs::File>, Fatal> {
        let Some(p) = &self.report_committed else {
            return Ok(None);
        };
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .map(Some)
            .map_err(|e| Fatal::new(format!("cannot open `{}`: {e}", p.display()), None))
    }
}

/// Logs one committed outcome, appends it to the `--report-committed` file and moves the
/// progress display; the per-outcome callback of both output modes.
struct Reporter {
    committed: Option<std::fs::File>,
    error: Option<io::Error>,
    progress: progress::Progress,
}

impl Reporter {
    fn report(&mut self, r: &Report) {
        let origin = r.origin;
        let (kind, id) = self.progress.suspend(|| match r.outcome {
            Outcome::Stored { id } => {
                tracing::info!("stored `{origin}` as {}", &id[..12.min(id.len())]);
                ("stored", Some(id))
            }
            Outcome::Duplicate { id } => {
                tracing::info!("`{origin}` duplicates {}", &id[..12.min(id.len())]);
                ("duplicate", Some(id))
            }
            Outcome::Skipped { reason } => {
                tracing::warn!("skipped `{origin}`: {reason}");
                ("skipped", None)
            }
            Outcome::Failed { error } => {
                tracing::error!("failed `{origin}`: {error}");
                ("failed", None)
            }
        });
        self.progress.add(r.bytes_in);
        if let (Some(f), None) = (self.committed.as_mut(), &self.error) {
            // One unbuffered write per line: a reader after a kill sees whole lines only up to
            // what was reported, never a line for an outcome that was not flushed.
            let line = json!({"origin": origin, "outcome": kind, "id": id}).to_string() + "\n";
            if let Err(e) = f.write_all(line.as_bytes()) {
                self.error = Some(e);
            }
        }
    }

    fn finish(self, run: &IngestRun) -> Result<(), Fatal> {
        self.progress.finish();
        match (self.error, &run.report_committed) {
            (Some(e), Some(p)) => Err(Fatal::new(
                format!("cannot write `{}`: {e}", p.display()),
                None,
            )),
            _ => Ok(()),
        }
    }
}

fn ingest(g: &Global, paths: &[String], run: &IngestRun) -> Result<ExitCode, Fatal> {
    let rules = load_rules(g, None)?;
    let committed = run.committed_file()?;
    let store = open_store(g)?;
    let mut paths = paths.to_vec();
    if run.retry_failures {
        let mut from_stdin = 0;
        for f in store.failures() {
            let origin = f?.origin;
            // A record of a container (`file:LINE`, `file@OFFSET`) is retried by reading its
            // file again. stdin cannot be read again; the others are retried even if they are
            // gone, so a missing file stays listed with a fresh reason.
            if source::is_stream_origin(&origin) {
                from_stdin += 1;
                continue;
            }
            let path = source::container_path(&origin).to_string();
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        if from_stdin > 0 {
            tracing::warn!(
                "{from_stdin} failed input(s) came from standard input, which cannot be read \
                 again; hint: pipe the same data into `deboiler ingest -` to retry them"
            );
        }
    }
    let inputs = run.input.expand(&paths)?;
    let mut reporter = Reporter {
        committed,
        error: None,
        progress: progress::Progress::start(g.quiet, source::count_documents(&inputs, &run.read)),
    };
    let mut sink = StoreSink::new(&store)?;
    let summary = pipeline::run(
        inputs,
        &rules,
        Some(&store),
        &mut sink,
        &run.options(),
        |r: &Report| reporter.report(r),
    )?;
    reporter.finish(run)?;
    println!("{} · store `{}`", summary_line(&summary), store.path());
    Ok(exit_code(&summary))
}

/// `ingest --out jsonl`: records to stdout or a file, no store opened.
fn ingest_jsonl(
    g: &Global,
    paths: &[String],
    run: &IngestRun,
    output: Option<&Path>,
) -> Result<ExitCode, Fatal> {
    if run.retry_failures {
        return Err(Fatal::new(
            "`--retry-failures` reads the failure list of a store; `--out jsonl` has none",
            Some("drop `--out jsonl`, or name the inputs to read again"),
        ));
    }
    let rules = load_rules(g, None)?;
    let committed = run.committed_file()?;
    let inputs = run.input.expand(paths)?;
    let mut reporter = Reporter {
        committed,
        error: None,
        progress: progress::Progress::start(g.quiet, source::count_documents(&inputs, &run.read)),
    };
    let out: Box<dyn Write> = match output {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .map_err(|e| Fatal::new(format!("cannot create `{}`: {e}", p.display()), None))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let mut sink = JsonlSink::new(io::BufWriter::with_capacity(256 * 1024, out));
    let summary = pipeline::run(
        inputs,
        &rules,
        None,
        &mut sink,
        &run.options(),
        |r: &Report| reporter.report(r),
    )?;
    reporter.finish(run)?;
    let target = output.map_or("stdout".to_string(), |p| format!("`{}`", p.display()));
    // stdout carries the records: the summary is a log line.
    eprintln!("{} · records to {target}", summary_line(&summary));
    Ok(exit_code(&summary))
}

fn exit_code(summary: &RunSummary) -> ExitCode {
    if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `read … · stored … · … out`, with container records that were not documents by type.
fn summary_line(s: &RunSummary) -> String {
    let mut line = format!(
        "read {} · stored {} · duplicates {} · skipped {} · failed {} · {} in · {} out",
        s.read,
        s.stored,
        s.duplicates,
        s.skipped,
        s.failed,
        human_bytes(s.bytes_in),
        human_bytes(s.bytes_out),
    );
    if !s.ignored.is_empty() {
        let total: u64 = s.ignored.values().sum();
        let kinds: Vec<String> = s.ignored.iter().map(|(k, n)| format!("{k} {n}")).collect();
        line += &format!(" · not documents {total} ({})", kinds.join(", "));
    }
    line
}

fn clean(
    g: &Global,
    paths: &[String],
    input: &InputArgs,
    limits: &Limits,
    format: Format,
    explain: bool,
) -> Result<ExitCode, Fatal> {
    let rules = load_rules(g, None)?;
    // Learned site boilerplate comes from the store when there is one; `clean` never writes,
    // and a store in use by an ingest only means cleaning without what it learned.
    let store = if g.db.exists() {
        match Store::open(&g.db) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("cleaning without learned site boilerplate: {e}");
                None
            }
        }
    } else {
        None
    };
    let learned = store.as_ref().map(|s| s as &dyn LineStats);
    let inputs = input.expand(paths)?;
    let read = input.read_options(limits);
    let many = inputs.len() > 1
        || inputs
            .iter()
            .flatten()
            .any(|i| i.format(read.format) != source::Format::Document);
    let mut out = io::stdout().lock();
    let mut failed = false;
    for item in source::documents(inputs, &read) {
        let (origin, result) = match item {
            source::SourceItem::Doc(raw) => (
                raw.origin.clone(),
                pipeline::clean_limited(&raw, &rules, learned, limits),
            ),
            // Source errors name their input themselves; a limit's message names the limit.
            source::SourceItem::Failed(e @ source::SourceError::Limit { .. }) => {
                (e.path().to_string(), Err(e.into()))
            }
            source::SourceItem::Failed(e) => (String::new(), Err(e.into())),
            source::SourceItem::Ignored { origin, kind } => {
                tracing::debug!("`{origin}` is not a document: {kind}");
                continue;
            }
        };
        match result {
            Ok(cleaned) => {
                if explain {
                    write_explain(&mut out, &origin, &cleaned, learned)?;
                } else if format == Format::Jsonl {
                    writeln!(out, "{}", clean_json(&origin, &cleaned))?;
                } else {
                    if many {
                        writeln!(out, "==> {origin} <==")?;
                    }
                    if let Some(t) = &cleaned.article.metadata.title {
                        writeln!(out, "{t}\n")?;
                    }
                    writeln!(out, "{}", cleaned.article.text())?;
                    if many {
                        writeln!(out)?;
                    }
                }
            }
            Err(e) if e.is_skip() => eprintln!("warning: skipped `{origin}`: {e}"),
            Err(e) if origin.is_empty() => {
                failed = true;
                eprintln!("error: {e}");
            }
            Err(e) => {
                failed = true;
                eprintln!("error: `{origin}`: {e}");
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn clean_json(origin: &str, c: &Cleaned) -> serde_json::Value {
    let a = &c.article;
    let m = &a.metadata;
    json!({
        "source": origin,
        "id": a.id,
        "title": m.title,
        "site": m.site,
        "url": m.url,
        "authors": m.authors,
        "published": m.published,
        "language": m.language,
        "text": a.text(),
        "kind": a.kind,
        "encoding": a.encoding,
        "removed": a.removed,
    })
}

fn write_explain(
    out: &mut impl Write,
    origin: &str,
    c: &Cleaned,
    learned: Option<&dyn LineStats>,
) -> io::Result<()> {
    let a = &c.article;
    let sites = if c.sites.is_empty() {
        "none".to_string()
    } else {
        c.sites.join(", ")
    };
    let learnt = match (&c.site_key, learned) {
        (Some(site), Some(stats)) => format!(
            " · learned: `{site}` from {} documents",
            stats.site_docs(site)
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "==> {origin} <== {} · {} via {} · site rules: {sites}{learnt}",
        a.kind, a.encoding.encoding, a.encoding.source
    )?;
    // On a terminal long lines are cut to keep one block per row; piped output keeps them whole
    // so it can be searched and diffed.
    let width = if io::stdout().is_terminal() {
        100
    } else {
        usize::MAX
    };
    for (i, d) in c.decided.iter().enumerate() {
        let loc = d
            .block
            .line
            .map_or_else(|| format!("#{}", i + 1), |l| format!("L{l}"));
        let (status, why) = match &d.verdict {
            Verdict::Keep => ("keep", ""),
            Verdict::Drop(r) => ("drop", r.as_ref()),
            Verdict::Meta(r) => ("meta", r.as_ref()),
        };
        let score = d.score.map_or_else(String::new, |s| format!("{s:+.0}"));
        writeln!(
            out,
            "{loc:>6}  {status}  {why:<28} {score:>4}  {}",
            truncate(&d.block.text, width)
        )?;
    }
    let dropped = c
        .decided
        .iter()
        .filter(|d| matches!(d.verdict, Verdict::Drop(_)))
        .count();
    writeln!(
        out,
        "kept {} · dropped {dropped} · metadata {} · id {}",
        a.body.len(),
        c.decided.len() - a.body.len() - dropped,
        &a.id[..12]
    )
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

fn list(store: &Store, limit: Option<usize>) -> Result<ExitCode, Fatal> {
    let mut out = io::stdout().lock();
    for rec in store.articles().take(limit.unwrap_or(usize::MAX)) {
        let r = rec?;
        writeln!(
            out,
            "{}  {:<20}  {}",
            &r.id[..12],
            truncate(r.metadata.site.as_deref().unwrap_or("-"), 20),
            r.metadata.title.as_deref().unwrap_or("(untitled)")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show(store: &Store, id: &str, as_json: bool) -> Result<ExitCode, Fatal> {
    let r = store.get(id)?;
    let mut out = io::stdout().lock();
    if as_json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&r).unwrap_or_default()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    write_record(&mut out, &r)?;
    Ok(ExitCode::SUCCESS)
}

fn write_record(out: &mut impl Write, r: &ArticleRecord) -> io::Result<()> {
    let m = &r.metadata;
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    writeln!(out, "id:         {}", r.id)?;
    writeln!(out, "title:      {}", field(&m.title))?;
    writeln!(out, "site:       {}", field(&m.site))?;
    writeln!(out, "url:        {}", field(&m.url))?;
    let authors = if m.authors.is_empty() {
        "-".to_string()
    } else {
        m.authors.join(", ")
    };
    writeln!(out, "authors:    {authors}")?;
    writeln!(out, "published:  {}", field(&m.published))?;
    writeln!(
        out,
        "encoding:   {} via {}, {} malformed{}",
        r.encoding.encoding,
        r.encoding.source,
        r.encoding.malformed,
        r.encoding
            .overridden
            .as_ref()
            .map_or_else(String::new, |d| format!(", declared {d} overridden"))
    )?;
    for o in &r.origins {
        writeln!(out, "origin:     {} ({})", o.source, o.ingested_at)?;
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for rm in &r.removed {
        *by_rule.entry(rm.rule.as_ref()).or_default() += 1;
    }
    let summary: Vec<String> = by_rule.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
    writeln!(
        out,
        "removed:    {} blocks ({})",
        r.removed.len(),
        summary.join(", ")
    )?;
    writeln!(out)?;
    writeln!(out, "{}", r.text())
}

fn export(store: &Store) -> Result<ExitCode, Fatal> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for rec in store.articles() {
        let r = rec?;
        writeln!(out, "{}", serde_json::to_string(&r).unwrap_or_default())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn failures(store: &Store) -> Result<ExitCode, Fatal> {
    let mut out = io::stdout().lock();
    for f in store.failures() {
        let f = f?;
        writeln!(out, "{:<7}  {}  {}", f.outcome, f.origin, f.reason)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(store: &Store) -> Result<ExitCode, Fatal> {
    let problems = store.verify()?;
    let articles = store.stats()?.articles;
    if problems.is_empty() {
        println!("ok: {articles} articles · checksum {}", store.checksum()?);
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("problem: {p}");
    }
    Err(Fatal::new(
        format!(
            "store `{}` failed its integrity check ({} problems)",
            store.path(),
            problems.len()
        ),
        Some("re-ingest the inputs into a fresh `--db` to rebuild it"),
    ))
}

fn stats(store: &Store) -> Result<ExitCode, Fatal> {
    let s = store.stats()?;
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    let mut sites: BTreeMap<String, usize> = BTreeMap::new();
    let mut paragraphs = 0;
    for rec in store.articles() {
        let r = rec?;
        paragraphs += r.body.len();
        *sites
            .entry(r.metadata.site.clone().unwrap_or_else(|| "-".into()))
            .or_default() += 1;
        for rm in r.removed {
            *rules.entry(rm.rule.into_owned()).or_default() += 1;
        }
    }
    let mut out = io::stdout().lock();
    writeln!(out, "store:      {}", store.path())?;
    writeln!(out, "articles:   {} ({paragraphs} paragraphs)", s.articles)?;
    writeln!(out, "origins:    {}", s.origins)?;
    writeln!(out, "failures:   {}", s.failures)?;
    writeln!(out, "runs:       {}", s.runs)?;
    writeln!(out, "disk:       {}", human_bytes(s.size_on_disk))?;
    if let Some(Ok(last)) = store.runs().last() {
        writeln!(
            out,
            "last run:   {} · read {} · stored {} · duplicates {} · skipped {} · failed {}",
            last.finished_at, last.read, last.stored, last.duplicates, last.skipped, last.failed
        )?;
    }
    let learned = store.learned_sites()?;
    if !learned.is_empty() {
        writeln!(out, "learned sites (documents):")?;
        for (site, n) in learned.iter().take(15) {
            writeln!(out, "  {n:>6}  {site}")?;
        }
    }
    for (title, map) in [("sites", &sites), ("removals by rule", &rules)] {
        let mut v: Vec<_> = map.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        writeln!(out, "{title}:")?;
        for (k, n) in v.into_iter().take(15) {
            writeln!(out, "  {n:>6}  {k}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rules_suggest(store: &Store, site: &str, min_share: f64) -> Result<ExitCode, Fatal> {
    let site = site.trim().to_lowercase();
    let docs = store.site_docs(&site);
    if docs == 0 {
        let known: Vec<String> = store
            .learned_sites()?
            .into_iter()
            .take(5)
            .map(|(s, n)| format!("`{s}` ({n})"))
            .collect();
        return Err(Fatal::new(
            format!("the store has learned nothing for site `{site}`"),
            Some(&if known.is_empty() {
                "ingest documents with URLs or matching site signatures first".to_string()
            } else {
                format!("sites it knows: {}", known.join(", "))
            }),
        ));
    }
    let lines = store.learned_lines(&site)?;
    print!(
        "{}",
        deboiler::learn::suggest(&site, docs, &lines, min_share)
    );
    if docs < deboiler::learn::MIN_DOCS {
        eprintln!(
            "warning: only {docs} documents for `{site}`; counts are not used for stripping below {}",
            deboiler::learn::MIN_DOCS
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn rules_check(g: &Global, dir: Option<PathBuf>) -> Result<ExitCode, Fatal> {
    let set = load_rules(g, dir)?;
    let failures = strip::check_examples(&set);
    let rules = set.rules().count();
    let examples: usize = set.rules().map(|r| r.strips.len() + r.keeps.len()).sum();
    if failures.is_empty() {
        println!(
            "ok: {rules} rules in {} files, {examples} examples behave as written",
            set.files.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for f in &failures {
        eprintln!(
            "{}: rule `{}`: example {}: {}",
            f.location,
            f.rule,
            truncate(&f.example.replace('\n', "⏎"), 60),
            f.problem
        );
    }
    eprintln!(
        "error: {} of {examples} examples fail\nhint: fix the pattern, or the example if the pattern is right",
        failures.len()
    );
    Ok(ExitCode::from(1))
}

fn eval(
    g: &Global,
    gold: &Path,
    predictions: Option<PathBuf>,
    scores_out: Option<PathBuf>,
    worst: usize,
    min_f1: Option<f64>,
) -> Result<ExitCode, Fatal> {
    let rules = load_rules(g, None)?;
    let pages = deboiler::eval::load_gold(gold).map_err(|e| Fatal::new(e.to_string(), None))?;
    let mut preds = serde_json::Map::new();
    let mut rows = Vec::new();
    let (mut bytes, mut elapsed) = (0u64, std::time::Duration::ZERO);
    for page in &pages {
        let raw = match &page.path {
            Some(path) => std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|b| {
                    source::gunzip_if_compressed(b, &path.display().to_string())
                        .map_err(|e| e.to_string())
                }),
            None => Err("page file missing".to_string()),
        };
        let text = match raw {
            Ok(bytes_in) => {
                bytes += bytes_in.len() as u64;
                let doc = deboiler::model::RawDocument {
                    origin: page.id.clone(),
                    url: page.url.clone(),
                    content_type: None,
                    bytes: bytes_in,
                    info: Default::default(),
                };
                let started = std::time::Instant::now();
                let result = pipeline::clean(&doc, &rules);
                elapsed += started.elapsed();
                result.map(|c| c.article.text()).unwrap_or_default()
            }
            Err(e) => {
                tracing::warn!("page `{}`: {e}", page.id);
                String::new()
            }
        };
        let score = deboiler::eval::score_page(&page.body, &text);
        preds.insert(page.id.clone(), json!({ "articleBody": text }));
        rows.push((page, score));
    }
    let all: Vec<_> = rows.iter().map(|(_, s)| *s).collect();
    let agg = deboiler::eval::aggregate(&all);
    let secs = elapsed.as_secs_f64().max(1e-9);
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "pages {} · F1 {:.3} · precision {:.3} · recall {:.3} · accuracy {:.3} · {:.0} docs/s · {:.1} MB/s (pipeline, 1 thread)",
        pages.len(),
        agg.f1,
        agg.precision,
        agg.recall,
        agg.accuracy,
        pages.len() as f64 / secs,
        bytes as f64 / 1e6 / secs
    )?;
    let mut ranked: Vec<_> = rows.iter().collect();
    ranked.sort_by(|a, b| a.1.f1().total_cmp(&b.1.f1()));
    for (page, s) in ranked.iter().take(worst) {
        writeln!(
            out,
            "  {:.3}  P {:.3}  R {:.3}  {}  {}",
            s.f1(),
            s.precision().unwrap_or(0.0),
            s.recall().unwrap_or(0.0),
            &page.id[..page.id.len().min(12)],
            page.url.as_deref().unwrap_or("")
        )?;
    }
    let write_json = |path: &Path, value: serde_json::Value| {
        std::fs::write(
            path,
            serde_json::to_string_pretty(&value).unwrap_or_default(),
        )
        .map_err(|e| Fatal::new(format!("cannot write `{}`: {e}", path.display()), None))
    };
    if let Some(p) = predictions {
        write_json(&p, serde_json::Value::Object(preds))?;
    }
    if let Some(p) = scores_out {
        let per: serde_json::Map<String, serde_json::Value> = rows
            .iter()
            .map(|(page, s)| {
                (
                    page.id.clone(),
                    json!({"f1": s.f1(), "precision": s.precision(), "recall": s.recall(),
                           "tp": s.tp, "fp": s.fp, "fn": s.fn_, "exact": s.exact, "url": page.url}),
                )
            })
            .collect();
        write_json(&p, json!({"summary": agg, "pages": per}))?;
    }
    if let Some(floor) = min_f1 {
        if agg.f1 < floor {
            eprintln!("error: F1 {:.3} is below the floor {floor:.3}", agg.f1);
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(g: &Global, opts: &deboiler::bench::Options) -> Result<ExitCode, Fatal> {
    let rules = load_rules(g, None)?;
    match deboiler::bench::run(opts, &rules, &mut io::stdout().lock()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(deboiler::bench::BenchError::Io(e)) => Err(e.into()),
        Err(e) => Err(Fatal::new(e.to_string(), e.hint())),
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
