//! The `bench` command: which measurements run, each in its own process, and the report.
//!
//! Contract: the parent process loads the corpus only to describe it; every measurement runs in
//! a fresh process of the same binary (the same arguments plus `--worker NAME`), which loads
//! the corpus again, measures, and prints one JSON [`Measurement`] line with its own peak RSS.
//! Without a way to re-run itself ([`Options::reexec`] is `None`) the measurements run in this
//! process and no peak RSS is reported, since it would be a high-water mark of all of them.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use super::{BenchError, Corpus, Measurement, PageSet, Synth};
use crate::rules::RuleSet;

/// Every measurement `--measure` accepts.
pub const MEASUREMENTS: &[&str] = &[
    "baseline",
    "pipeline",
    "baseline-all",
    "pipeline-all",
    "e2e",
    "generate",
    "store",
];

/// What to measure and how to report it.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<String>,
    /// Each page-set measurement repeats passes for at least this long.
    pub seconds: f64,
    /// Threads of the `*-all` measurements.
    pub jobs: usize,
    /// Measure N synthetic documents made from the pages instead of the pages themselves.
    pub synthetic: Option<u64>,
    pub seed: u64,
    /// Measurements to run, in order; empty for the default plan.
    pub measure: Vec<String>,
    pub json: bool,
    /// The arguments (without the program) that re-run this bench; each measurement then runs
    /// in its own process with `--worker NAME` appended.
    pub reexec: Option<Vec<OsString>>,
    /// Set in a worker process: run only this measurement and print it as one JSON line.
    pub worker: Option<String>,
    /// Parent folder of the `store` measurement's throwaway database (default: the temp dir).
    pub store_dir: Option<PathBuf>,
    /// Print the synthetic corpus as JSON Lines instead of measuring (to time `ingest` on it).
    pub emit: bool,
    /// Runs of the whole plan, interleaved; each measurement reports its fastest round.
    pub rounds: usize,
}

/// The whole report (`--json` prints it as is).
#[derive(Debug, Serialize)]
pub struct Report {
    pub deboiler: &'static str,
    pub machine: Machine,
    pub corpus: CorpusInfo,
    pub jobs: usize,
    /// Runs of the plan; each measurement is its fastest round.
    pub rounds: usize,
    pub measurements: Vec<Measurement>,
    /// Named ratios between measurements of this run (see [`ratios`]).
    pub ratios: BTreeMap<String, f64>,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CorpusInfo {
    pub paths: Vec<String>,
    /// Pages read (the templates, for a synthetic corpus).
    pub pages: usize,
    pub html: usize,
    pub text: usize,
    pub bytes: u64,
    pub synthetic: Option<u64>,
    pub seed: Option<u64>,
    /// What the baseline does with each document.
    pub baseline: &'static str,
}

/// Runs the bench and writes the report (or, in a worker, one measurement) to `out`.
pub fn run(opts: &Options, rules: &RuleSet, out: &mut dyn Write) -> Result<(), BenchError> {
    let set = super::load(&opts.paths);
    for (origin, e) in &set.unreadable {
        tracing::warn!("not measured: `{origin}`: {e}");
    }
    if set.docs.is_empty() {
        return Err(BenchError::NoPages {
            unreadable: set.unreadable,
        });
    }
    let synth = opts
        .synthetic
        .and_then(|_| Synth::new(set.docs.iter().zip(set.kinds.iter().copied()), opts.seed));
    if opts.emit {
        let (Some(synth), Some(n)) = (&synth, opts.synthetic) else {
            return Err(BenchError::NotApplicable {
                name: "--emit".into(),
                why: "needs a synthetic corpus (`--synthetic N`)",
            });
        };
        return emit(synth, n, out);
    }
    if let Some(name) = &opts.worker {
        let loaded = super::rss_kib();
        let mut m = measure_one(name, opts, &set, synth.as_ref(), rules)?;
        m.loaded_rss_kib = loaded;
        m.peak_rss_kib = super::peak_rss_kib();
        writeln!(
            out,
            "{}",
            serde_json::to_string(&m).map_err(std::io::Error::from)?
        )?;
        return Ok(());
    }
    let plan = plan(opts, &set)?;
    let html = set.html_pages();
    let mut report = Report {
        deboiler: env!("CARGO_PKG_VERSION"),
        machine: Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu: super::cpu_model(),
        },
        corpus: CorpusInfo {
            paths: opts.paths.clone(),
            pages: set.docs.len(),
            html,
            text: set.docs.len() - html,
            bytes: set.bytes(),
            synthetic: opts.synthetic,
            seed: opts.synthetic.map(|_| opts.seed),
            baseline: match (html, set.docs.len() - html) {
                (_, 0) => "scraper parse",
                (0, _) => "SHA-256 + line split",
                _ => "scraper parse (html) + SHA-256 + line split (text)",
            },
        },
        jobs: opts.jobs,
        rounds: opts.rounds.max(1),
        measurements: Vec::new(),
        ratios: BTreeMap::new(),
    };
    if !opts.json {
        header(out, &report, opts.reexec.is_some())?;
    }
    // Pages are not needed while the workers run; a synthetic corpus's parent holds nothing.
    drop(synth);
    let rounds = opts.rounds.max(1);
    for round in 1..=rounds {
        if rounds > 1 {
            tracing::info!("round {round} of {rounds}");
        }
        for (k, name) in plan.iter().enumerate() {
            let m = match &opts.reexec {
                Some(args) => in_worker(name, args)?,
                None => {
                    let synth = opts.synthetic.and_then(|_| {
                        Synth::new(set.docs.iter().zip(set.kinds.iter().copied()), opts.seed)
                    });
                    measure_one(name, opts, &set, synth.as_ref(), rules)?
                }
            };
            if rounds == 1 && !opts.json {
                row(out, &m)?;
            }
            match report.measurements.get_mut(k) {
                Some(best) => keep_best(best, m),
                None => report.measurements.push(m),
            }
        }
    }
    if rounds > 1 && !opts.json {
        for m in &report.measurements {
            row(out, m)?;
        }
    }
    report.ratios = ratios(&report.measurements);
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_ratios(out, &report)?;
    }
    Ok(())
}

/// Writes documents `0..n` as JSON Lines, one at a time: `url` and `html` or `text` (the
/// field `ingest` reads as that kind), so `ingest --input-format jsonl -` can read them from a
/// pipe. Page bytes that are not UTF-8 are replaced (every Zyte page is UTF-8).
fn emit(synth: &Synth, n: u64, out: &mut dyn Write) -> Result<(), BenchError> {
    let mut out = std::io::BufWriter::new(out);
    for doc in synth.iter(n) {
        let field = match doc.info.kind {
            Some(crate::model::ContentKind::Text) => "text",
            _ => "html",
        };
        let line = serde_json::json!({
            "url": doc.url,
            field: String::from_utf8_lossy(&doc.bytes),
        });
        serde_json::to_writer(&mut out, &line).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Of two rounds of one measurement, the faster, with the higher peak RSS of the two: other
/// work on a shared machine only ever slows a measurement down, so the fastest round is the
/// one it disturbed least, and memory is reported at its worst.
fn keep_best(best: &mut Measurement, m: Measurement) {
    let rss = best.peak_rss_kib.max(m.peak_rss_kib);
    let loaded = best.loaded_rss_kib.max(m.loaded_rss_kib);
    if m.mb_per_s > best.mb_per_s {
        *best = m;
    }
    best.peak_rss_kib = rss;
    best.loaded_rss_kib = loaded;
}

/// The measurements to run: the asked ones, or the default plan for the corpus.
fn plan(opts: &Options, set: &PageSet) -> Result<Vec<String>, BenchError> {
    let synthetic = opts.synthetic.is_some();
    let names: Vec<String> = if opts.measure.is_empty() {
        let default: &[&str] = if synthetic {
            &["generate", "pipeline", "pipeline-all", "store"]
        } else {
            &[
                "baseline",
                "pipeline",
                "baseline-all",
                "pipeline-all",
                "e2e",
            ]
        };
        default
            .iter()
            .filter(|n| **n != "e2e" || set.files.iter().all(Option::is_some))
            .map(|n| n.to_string())
            .collect()
    } else {
        opts.measure.clone()
    };
    for name in &names {
        applicable(name, synthetic, set)?;
    }
    Ok(names)
}

fn applicable(name: &str, synthetic: bool, set: &PageSet) -> Result<(), BenchError> {
    let na = |why| {
        Err(BenchError::NotApplicable {
            name: name.to_string(),
            why,
        })
    };
    match name {
        "generate" | "store" if !synthetic => na("needs a synthetic corpus (`--synthetic N`)"),
        "e2e" if synthetic => na("reads page files, so it measures a page set, not `--synthetic`"),
        "e2e" if set.files.iter().any(Option::is_none) => na("needs every page read from a file"),
        n if MEASUREMENTS.contains(&n) => Ok(()),
        n => Err(BenchError::UnknownMeasurement(n.to_string())),
    }
}

/// Runs one measurement in this process.
fn measure_one(
    name: &str,
    opts: &Options,
    set: &PageSet,
    synth: Option<&Synth>,
    rules: &RuleSet,
) -> Result<Measurement, BenchError> {
    applicable(name, synth.is_some(), set)?;
    let corpus = match (synth, opts.synthetic) {
        (Some(synth), Some(n)) => Corpus::Synthetic { synth, n },
        _ => Corpus::Pages(set),
    };
    let min = Duration::from_secs_f64(opts.seconds.max(0.0));
    let all = opts.jobs.max(1);
    let (threads, m) = match name {
        "baseline" => (1, super::baseline(&corpus, 1, min)),
        "baseline-all" => (all, super::baseline(&corpus, all, min)),
        "pipeline" => (1, super::pipeline(&corpus, rules, 1, min)),
        "pipeline-all" => (all, super::pipeline(&corpus, rules, all, min)),
        "generate" => (1, super::generate(&corpus, 1)),
        "e2e" => (
            1,
            super::end_to_end(set, rules, min).ok_or(BenchError::NotApplicable {
                name: name.to_string(),
                why: "needs every page read from a file",
            })?,
        ),
        "store" => {
            let parent = opts.store_dir.clone().unwrap_or_else(std::env::temp_dir);
            let dir = parent.join(format!("deboiler-bench-store-{}", std::process::id()));
            // A leftover from a killed run would turn every put into a duplicate.
            let _ = std::fs::remove_dir_all(&dir);
            let m = super::store(&corpus, rules, 1, &dir);
            let _ = std::fs::remove_dir_all(&dir);
            (1, m?)
        }
        other => return Err(BenchError::UnknownMeasurement(other.to_string())),
    };
    Ok(Measurement::new(name, threads, &m))
}

/// Runs one measurement in a fresh process of this binary and reads its JSON line.
fn in_worker(name: &str, args: &[OsString]) -> Result<Measurement, BenchError> {
    let failed = |detail: String| BenchError::Worker {
        name: name.to_string(),
        detail,
    };
    let exe = std::env::current_exe().map_err(|e| failed(e.to_string()))?;
    let output = Command::new(exe)
        .args(args)
        .arg("--worker")
        .arg(name)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        return Err(failed(format!("it exited with {}", output.status)));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| failed(format!("unreadable result `{line}`: {e}")))
}

/// Ratios between this run's measurements, by name: `a/b` is a's MB/s over b's. Each compares
/// work on the same bytes, so MB/s and docs/s give the same ratio.
pub fn ratios(ms: &[Measurement]) -> BTreeMap<String, f64> {
    let by_name: BTreeMap<&str, &Measurement> = ms.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut ratios: BTreeMap<String, f64> = PAIRS
        .iter()
        .filter_map(|(a, b)| {
            let (a_m, b_m) = (by_name.get(a)?, by_name.get(b)?);
            (b_m.mb_per_s > 0.0).then(|| (format!("{a}/{b}"), a_m.mb_per_s / b_m.mb_per_s))
        })
        .collect();
    // On a shared machine the second core may be busy: the pipeline's scaling over what the
    // baseline got from the same cores in the same run is the figure that says whether the
    // pipeline itself scales (1.0: as well as a trivially parallel job).
    if let (Some(p), Some(b)) = (
        ratios.get("pipeline-all/pipeline"),
        ratios.get("baseline-all/baseline"),
    ) {
        if *b > 0.0 {
            ratios.insert(SCALING_VS_MACHINE.to_string(), p / b);
        }
    }
    ratios
}

/// The name of the pipeline's scaling relative to the baseline's (see [`ratios`]).
const SCALING_VS_MACHINE: &str = "pipeline scaling/baseline scaling";

/// The ratios reported, in the order they are printed.
const PAIRS: [(&str, &str); 8] = [
    ("pipeline", "baseline"),
    ("pipeline-all", "baseline-all"),
    ("pipeline-all", "pipeline"),
    ("baseline-all", "baseline"),
    ("e2e", "baseline"),
    ("e2e", "pipeline"),
    ("store", "pipeline"),
    ("pipeline", "generate"),
];

fn header(out: &mut dyn Write, r: &Report, own_process: bool) -> std::io::Result<()> {
    let c = &r.corpus;
    match c.synthetic {
        Some(n) => writeln!(
            out,
            "corpus   {n} synthetic documents (seed {}) from {} pages ({} html, {} text, {})",
            c.seed.unwrap_or_default(),
            c.pages,
            c.html,
            c.text,
            human_bytes(c.bytes)
        )?,
        None => writeln!(
            out,
            "corpus   {} pages ({} html, {} text) · {} after gunzip",
            c.pages,
            c.html,
            c.text,
            human_bytes(c.bytes)
        )?,
    }
    writeln!(
        out,
        "machine  {} cores · {} · `-all` = {} threads · no store unless named{}",
        r.machine.cores,
        r.machine.cpu.as_deref().unwrap_or("unknown CPU"),
        r.jobs,
        if r.rounds > 1 {
            format!(" · fastest of {} interleaved rounds", r.rounds)
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "baseline {} · peak RSS: {}",
        c.baseline,
        if own_process {
            "each measurement in its own process (VmHWM), after-load RSS in brackets"
        } else {
            "not measured (all measurements share this process)"
        }
    )?;
    writeln!(
        out,
        "{:<13} {:>7} {:>10} {:>9} {:>10} {:>11} {:>6} {:>8} {:>10} {:>5}",
        "measurement",
        "threads",
        "docs/s",
        "MB/s",
        "peak RSS",
        "(loaded)",
        "passes",
        "seconds",
        "no article",
        "dups"
    )
}

fn row(out: &mut dyn Write, m: &Measurement) -> std::io::Result<()> {
    let rss = |k: Option<u64>| k.map_or("-".to_string(), |k| human_bytes(k * 1024));
    writeln!(
        out,
        "{:<13} {:>7} {:>10.0} {:>9.1} {:>10} {:>11} {:>6} {:>8.2} {:>10} {:>5}",
        m.name,
        m.threads,
        m.docs_per_s,
        m.mb_per_s,
        rss(m.peak_rss_kib),
        format!("({})", rss(m.loaded_rss_kib)),
        m.passes,
        m.seconds,
        m.no_article,
        m.duplicates
    )
}

fn write_ratios(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let notes: BTreeMap<&str, String> = [
        (
            "pipeline/baseline",
            "1 thread: the pipeline against the bare minimum".to_string(),
        ),
        (
            "pipeline-all/baseline-all",
            format!("{} threads, the same", r.jobs),
        ),
        (
            "pipeline-all/pipeline",
            format!("scaling on {} threads (goal: 2 cores ≥ 1.8)", r.jobs),
        ),
        (
            "baseline-all/baseline",
            "the machine's own scaling on the baseline, for reference".to_string(),
        ),
        (
            "e2e/baseline",
            "read + gunzip + pipeline, against the baseline".to_string(),
        ),
        (
            "e2e/pipeline",
            "what reading and gunzipping costs".to_string(),
        ),
        (
            "store/pipeline",
            "ingest into the store vs no store (goal ≥ 0.8)".to_string(),
        ),
        (
            "pipeline/generate",
            "pipeline over making the documents alone".to_string(),
        ),
        (
            SCALING_VS_MACHINE,
            "the pipeline's scaling over the machine's (1.0 = scales like the baseline)"
                .to_string(),
        ),
    ]
    .into_iter()
    .collect();
    if r.ratios.is_empty() {
        return Ok(());
    }
    writeln!(out, "ratios (MB/s over MB/s, same run)")?;
    let names = PAIRS
        .iter()
        .map(|(a, b)| format!("{a}/{b}"))
        .chain([SCALING_VS_MACHINE.to_string()]);
    for name in names {
        let Some(v) = r.ratios.get(&name) else {
            continue;
        };
        let note = notes.get(name.as_str()).map_or("", String::as_str);
        writeln!(out, "  {name:<34} {v:>7.3}  {note}")?;
    }
    Ok(())
}

pub(crate) fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_and_refuses_what_does_not_apply() {
        let set = super::super::load(&["samples".to_string()]);
        assert_eq!((set.html_pages(), set.docs.len()), (2, 7));
        let mut opts = Options {
            paths: vec!["samples".into()],
            seconds: 0.0,
            jobs: 2,
            synthetic: None,
            seed: 1,
            measure: Vec::new(),
            json: true,
            reexec: None,
            worker: None,
            store_dir: None,
            emit: false,
            rounds: 1,
        };
        let p = plan(&opts, &set).expect("default plan");
        assert_eq!(p.len(), 5, "{p:?}");
        opts.measure = vec!["store".into()];
        assert!(matches!(
            plan(&opts, &set),
            Err(BenchError::NotApplicable { .. })
        ));
        opts.synthetic = Some(10);
        opts.measure = vec!["nope".into()];
        assert!(matches!(
            plan(&opts, &set),
            Err(BenchError::UnknownMeasurement(_))
        ));
    }
}
