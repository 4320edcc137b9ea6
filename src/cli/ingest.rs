//! `deboiler ingest`: run the pipeline over the inputs into the store, or (`--out jsonl`) out
//! as JSON Lines records with no store opened, reporting each committed outcome (log line,
//! `--report-committed` file, progress) and ending with the run's summary and exit code.

use super::*;

/// What `ingest` was asked to do, besides the paths.
pub(super) struct IngestRun {
    pub(super) input: InputArgs,
    pub(super) read: source::ReadOptions,
    pub(super) jobs: Option<usize>,
    pub(super) retry_failures: bool,
    pub(super) report_committed: Option<PathBuf>,
}

impl IngestRun {
    fn options(&self, read: &source::ReadOptions) -> RunOptions {
        RunOptions {
            jobs: self.jobs.unwrap_or(0),
            read: read.clone(),
            ..RunOptions::default()
        }
    }

    fn committed_file(&self) -> Result<Option<std::fs::File>, Fatal> {
        let Some(p) = &self.report_committed else {
            return Ok(None);
        };
        let cannot = |e: io::Error| Fatal::new(format!("cannot open `{}`: {e}", p.display()), None);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(p)
            .map_err(cannot)?;
        drop_torn_line(&mut file).map_err(cannot)?;
        Ok(Some(file))
    }
}

/// A file the run writes besides the store, and the flag that names it.
struct Written<'a> {
    flag: &'static str,
    path: &'a Path,
    /// What writing it does to the file, were it also read.
    harm: &'static str,
}

impl IngestRun {
    fn written<'a>(&'a self, output: Option<&'a Path>) -> Vec<Written<'a>> {
        let output = output.map(|path| Written {
            flag: "--output",
            path,
            harm: "it is emptied before any input is read",
        });
        let report = self.report_committed.as_deref().map(|path| Written {
            flag: "--report-committed",
            path,
            harm: "lines are appended to it while it is read",
        });
        output.into_iter().chain(report).collect()
    }
}

/// What makes two paths the same file: device and inode where there are some (hard links,
/// symlinks and `./` spellings all compare equal), else the canonical path.
#[derive(PartialEq, Eq)]
enum FileKey {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

/// `None` for a path that does not exist (yet): nothing can read it in this run.
fn file_key(path: &Path) -> Option<FileKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileKey::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        path.canonicalize().ok().map(FileKey::Path)
    }
}

/// The file stdin is redirected from (`< data.jsonl`), if it is one.
fn stdin_key() -> Option<FileKey> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
        let m = std::fs::File::from(fd).metadata().ok()?;
        m.is_file().then(|| FileKey::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Refuses a run that would write a file named as an input (or redirected to stdin), before
/// that file is opened for writing: `--output` would read as empty and lose its data.
fn refuse_written_inputs(paths: &[String], written: &[Written]) -> Result<(), Fatal> {
    for w in written {
        let Some(key) = file_key(w.path) else {
            continue;
        };
        let named = paths.iter().find(|p| {
            if *p == "-" {
                stdin_key().as_ref() == Some(&key)
            } else {
                !Path::new(p).is_dir() && file_key(Path::new(p)).as_ref() == Some(&key)
            }
        });
        if let Some(p) = named {
            let input = if p == "-" {
                "standard input".to_string()
            } else {
                format!("the input `{p}`")
            };
            return Err(Fatal::new(
                format!(
                    "the `{}` file `{}` is also {input}: {}; nothing was read or written",
                    w.flag,
                    w.path.display(),
                    w.harm
                ),
                Some(&format!("pass `{}` a file that is not an input", w.flag)),
            ));
        }
    }
    Ok(())
}

/// Drops the files this run writes from the inputs a folder walk found (named inputs were
/// refused before): the output may sit inside a folder being read.
fn skip_written(
    inputs: Vec<Result<source::Input, source::SourceError>>,
    written: &[Written],
) -> Vec<Result<source::Input, source::SourceError>> {
    let keys: Vec<(FileKey, &Written)> = written
        .iter()
        .filter_map(|w| file_key(w.path).map(|k| (k, w)))
        .collect();
    if keys.is_empty() {
        return inputs;
    }
    inputs
        .into_iter()
        .filter(|input| {
            let Ok(source::Input::File(p)) = input else {
                return true;
            };
            let Some(key) = file_key(p) else {
                return true;
            };
            match keys.iter().find(|(k, _)| *k == key) {
                Some((_, w)) => {
                    tracing::warn!("not reading `{}`: it is the `{}` file", p.display(), w.flag);
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// Cuts a last line without its line break off the end of a `--report-committed` file: a run
/// killed while writing a line that crossed a page of the file can leave part of it (Linux
/// stops a write between pages on a fatal signal), and the next run's lines would continue it.
/// The cut line reported nothing: its outcome is reported again when its input is.
fn drop_torn_line(file: &mut std::fs::File) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    // A report line is far shorter than this; the break before a torn one is within it.
    let tail = len.min(64 * 1024);
    let mut buf = vec![0; tail as usize];
    file.seek(SeekFrom::Start(len - tail))?;
    file.read_exact(&mut buf)?;
    if buf.last().is_some_and(|&b| b != b'\n') {
        let keep = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        file.set_len(len - tail + keep as u64)?;
    }
    Ok(())
}

/// Logs one committed outcome, appends it to the `--report-committed` file and moves the
/// progress display; the per-outcome callback of both output modes.
struct Reporter {
    committed: Option<std::fs::File>,
    error: Option<io::Error>,
    progress: progress::Progress,
}

/// `failed `x`: why`, naming the input once: errors from reading an input name it themselves
/// (`` `x:2`: invalid JSON … ``), and then the line is `failed: `x:2`: invalid JSON …`.
fn outcome_line(verb: &str, origin: &str, why: &str) -> String {
    if why.contains(&format!("`{origin}`")) {
        format!("{verb}: {why}")
    } else {
        format!("{verb} `{origin}`: {why}")
    }
}

impl Reporter {
    fn report(&mut self, r: &Report) {
        let origin = r.origin;
        let (kind, id) = match r.outcome {
            Outcome::Stored { id } => ("stored", Some(id)),
            Outcome::Duplicate { id } => ("duplicate", Some(id)),
            Outcome::Skipped { .. } => ("skipped", None),
            Outcome::Failed { .. } => ("failed", None),
        };
        // The bar is cleared around a log line and drawn again; only for a line that is logged,
        // or every document would redraw it (stored and duplicate lines are `-v` only).
        let short = |id: &str| id[..12.min(id.len())].to_string();
        match r.outcome {
            Outcome::Stored { id } if tracing::enabled!(tracing::Level::INFO) => self
                .progress
                .suspend(|| tracing::info!("stored `{origin}` as {}", short(id))),
            Outcome::Duplicate { id } if tracing::enabled!(tracing::Level::INFO) => self
                .progress
                .suspend(|| tracing::info!("`{origin}` duplicates {}", short(id))),
            Outcome::Skipped { reason } if tracing::enabled!(tracing::Level::WARN) => self
                .progress
                .suspend(|| tracing::warn!("{}", outcome_line("skipped", origin, reason))),
            Outcome::Failed { error } => self
                .progress
                .suspend(|| tracing::error!("{}", outcome_line("failed", origin, error))),
            _ => {}
        }
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

pub(super) fn ingest(g: &Global, paths: &[String], run: &IngestRun) -> Result<ExitCode, Fatal> {
    stdin_once(paths)?;
    let rules = load_rules(g, None)?;
    let written = run.written(None);
    refuse_written_inputs(paths, &written)?;
    // A typo in a glob must create nothing: the filter is checked before the report file is.
    run.input.filter()?;
    let committed = run.committed_file()?;
    let store = Store::open(&g.db)?;
    let mut paths = paths.to_vec();
    let mut read = run.read.clone();
    if run.retry_failures {
        let named = paths.len();
        let mut misread = Vec::new();
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
            if run.input.input_format == InputFormat::Auto {
                if let Some(format) = misread_record(&origin, &path) {
                    misread.push((origin.clone(), path.clone(), format));
                }
            }
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        if let Some(format) = retry_format(&paths, named, &misread) {
            tracing::info!(
                "retrying as {}: the failures are records of the files read",
                format_name(format)
            );
            read.format = format;
        } else if let Some((origin, path, format)) = misread.first() {
            let mut files: Vec<&str> = misread.iter().map(|m| m.1.as_str()).collect();
            files.sort_unstable();
            files.dedup();
            tracing::warn!(
                "{} retried file(s) hold failed records (`{origin}` is one) in a format their \
                 names do not say, and are read as one document each; hint: ingest them again \
                 with the format, e.g. `deboiler ingest --input-format {} {path}`",
                files.len(),
                format_flag(*format),
            );
        }
        if from_stdin > 0 {
            tracing::warn!(
                "{from_stdin} skipped or failed input(s) came from standard input, which cannot \
                 be read again; hint: pipe the same data into `deboiler ingest -` to retry them"
            );
        }
    }
    let inputs = skip_written(run.input.expand(&paths, &g.db)?, &written);
    let mut reporter = Reporter {
        committed,
        error: None,
        progress: progress::Progress::start(g.quiet, source::count_documents(&inputs, &read)),
    };
    let mut sink = StoreSink::new(&store)?;
    let summary = pipeline::run(
        inputs,
        &rules,
        Some(&store),
        &mut sink,
        &run.options(&read),
        |r: &Report| reporter.report(r),
    )?;
    reporter.finish(run)?;
    let (moved, removed) = store.recleaned();
    let recleaned = if moved > 0 {
        let now = if moved == 1 {
            "its input now gives another article"
        } else {
            "their inputs now give other articles"
        };
        let articles = if removed == 1 { "article" } else { "articles" };
        format!(" · re-cleaned {moved} ({now}; {removed} old {articles} removed)")
    } else {
        String::new()
    };
    let printed = writeln!(
        io::stdout().lock(),
        "{}{recleaned} · store `{}`",
        summary_line(&summary, "stored"),
        store.path()
    );
    match printed {
        // The inputs are stored by now: a reader gone before the summary line does not turn a
        // run with failed inputs into a success.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(exit_code(&summary)),
    }
}

/// The container format a failed record's origin says its file was read as (`file:LINE` JSON
/// Lines, `file@OFFSET` WARC) when the file's name says otherwise: that run was given
/// `--input-format`, and reading the file by its name would not find the record again.
fn misread_record(origin: &str, path: &str) -> Option<source::Format> {
    let format = match origin.strip_prefix(path)?.chars().next()? {
        ':' => source::Format::Jsonl,
        '@' => source::Format::Warc,
        _ => return None,
    };
    let by_name = source::Input::File(PathBuf::from(path)).format(source::Format::Auto);
    (by_name != format).then_some(format)
}

/// The format a retry reads every file in, when the failures alone decide it: no input was
/// named (`named` of `paths` come from the command line) and every retried file is a record of
/// one container format or named as one. Mixed retries keep reading by name.
fn retry_format(
    paths: &[String],
    named: usize,
    misread: &[(String, String, source::Format)],
) -> Option<source::Format> {
    let format = misread.first()?.2;
    let one = named == 0
        && misread.iter().all(|m| m.2 == format)
        && paths.iter().all(|p| {
            misread.iter().any(|m| m.1 == *p)
                || source::Input::File(PathBuf::from(p)).format(source::Format::Auto) == format
        });
    one.then_some(format)
}

fn format_name(format: source::Format) -> &'static str {
    match format {
        source::Format::Warc => "WARC",
        _ => "JSON Lines",
    }
}

fn format_flag(format: source::Format) -> &'static str {
    match format {
        source::Format::Warc => "warc",
        _ => "jsonl",
    }
}

/// `ingest --out jsonl`: records to stdout or a file, no store opened.
pub(super) fn ingest_jsonl(
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
    stdin_once(paths)?;
    let rules = load_rules(g, None)?;
    let written = run.written(output);
    refuse_written_inputs(paths, &written)?;
    let committed = run.committed_file()?;
    // Walked after the report file is created, so a new one inside a walked folder is skipped.
    let inputs = skip_written(run.input.expand(paths, &g.db)?, &written);
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
        &run.options(&run.read),
        |r: &Report| reporter.report(r),
    )?;
    reporter.finish(run)?;
    let target = output.map_or("stdout".to_string(), |p| format!("`{}`", p.display()));
    // stdout carries the records: the summary is a log line.
    eprintln!(
        "{} · records to {target}",
        summary_line(&summary, "written")
    );
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
/// `new`: what happened to new articles (`stored`, or `written` by `--out jsonl`).
fn summary_line(s: &RunSummary, new: &str) -> String {
    let mut line = format!(
        "read {} · {new} {} · duplicates {} · skipped {} · failed {} · {} in · {} out",
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
