//! The parallel run: many documents cleaned at once, results applied in input order.
//!
//! One reader thread turns the inputs into documents ([`crate::source::documents`]) and hands
//! them, numbered, to `jobs` worker threads over a bounded channel; each worker runs
//! [`super::clean_limited`]; the calling thread is the writer: it puts results back in input
//! order (a reorder buffer) and applies them to a [`Sink`]. The reader may be at most `window`
//! documents ahead of the writer, so memory is bounded by the window (the reorder buffer
//! included), never by the corpus.
//!
//! Output does not depend on `jobs` or on timing: results are applied in input order, and the
//! learned site counts that workers read change only at fixed points of that order — every
//! [`LEARN_EPOCH`] documents the reader waits until the writer has applied everything before
//! and merged what it learned ([`Sink::end_epoch`]). `--jobs 1` and `--jobs 8` write the same
//! records. A commit starts every `flush_every` documents or every second, whichever comes
//! first, and may run in the background while the writer goes on (one at a time); outcomes are
//! reported only after the commit that made them durable has finished.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};

use super::{clean_limited, Cleaned, DocError, Outcome, Sink};
use crate::learn::LineStats;
use crate::limits::Limits;
use crate::model::InputInfo;
use crate::rules::RuleSet;
use crate::source::{self, Input, ReadOptions, SourceError, SourceItem};
use crate::store::{FailureRecord, PutOutcome, RunSummary};

/// Documents between merges of learned site counts (see the module docs).
pub const LEARN_EPOCH: u64 = 1024;
/// Longest a written document waits for its commit.
const COMMIT_AFTER: Duration = Duration::from_secs(1);

/// How a run is carried out.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Worker threads cleaning documents; 0 means one per available core.
    pub jobs: usize,
    /// Documents read but not yet applied, at most; 0 means 16 per worker.
    pub window: usize,
    /// Documents between commits (also committed after a second).
    pub flush_every: usize,
    pub read: ReadOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: 0,
            window: 0,
            flush_every: 256,
            read: ReadOptions::default(),
        }
    }
}

impl RunOptions {
    /// The worker count this run uses.
    pub fn workers(&self) -> usize {
        match self.jobs {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

/// One committed outcome, as passed to the `report` callback of [`run`].
#[derive(Debug)]
pub struct Report<'a> {
    /// The input's origin: a path, `-`, `path:LINE` or `path@OFFSET`.
    pub origin: &'a str,
    pub outcome: &'a Outcome,
    /// Bytes of the document as read (after decompression); 0 when it could not be read.
    pub bytes_in: u64,
}

/// What a worker hands the writer: the cleaned document with what the sink prepared of it.
enum Done<P> {
    Doc {
        origin: String,
        info: InputInfo,
        bytes_in: u64,
        result: Box<Result<(Cleaned, P), DocError>>,
    },
    Ignored {
        kind: String,
    },
}

/// Runs `inputs` through the pipeline into `sink` (see the module docs). `learned` are the site
/// counts cleaning reads (normally the store the sink writes). `report` is called once per
/// document or failed input, in input order, after the commit that made it durable. Returns the
/// run's counts; `Err` is the sink failing, never a bad input.
pub fn run<S: Sink>(
    inputs: Vec<Result<Input, SourceError>>,
    rules: &RuleSet,
    learned: Option<&(dyn LineStats + Sync)>,
    sink: &mut S,
    opts: &RunOptions,
    mut report: impl FnMut(&Report),
) -> Result<RunSummary, S::Error> {
    let jobs = opts.workers();
    let window = window(opts.window, jobs);
    let mut summary = RunSummary {
        started_at: crate::time::now_rfc3339(),
        ..RunSummary::default()
    };
    let limits = &opts.read.limits;
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = bounded::<(u64, SourceItem)>(window);
        let (done_tx, done_rx) = bounded::<(u64, Done<S::Prepared>)>(window);
        let (credit_tx, credit_rx) = unbounded::<()>();
        let read = opts.read.clone();
        let barrier = learned.is_some();
        scope.spawn(move || read_inputs(inputs, &read, window, barrier, &work_tx, &credit_rx));
        for _ in 0..jobs {
            let (work_rx, done_tx) = (work_rx.clone(), done_tx.clone());
            scope.spawn(move || {
                for (seq, item) in work_rx {
                    if done_tx
                        .send((seq, work::<S>(item, rules, learned, limits)))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        let writer = Writer {
            sink,
            summary: &mut summary,
            barrier,
            flush_every: opts.flush_every.max(1),
            pending: Vec::new(),
            committing: Vec::new(),
            last_commit: Instant::now(),
        };
        // Returning drops the receiving ends, which stops the reader and workers on an error.
        writer.write(done_rx, credit_tx, &mut report)
    })?;
    Ok(summary)
}

/// Documents in flight for `jobs` workers: `window`, or 16 per worker for 0, never fewer than
/// one per worker. Saturating: `jobs` comes from library callers too, and an overflow wrapped
/// (release) or panicked (debug).
fn window(window: usize, jobs: usize) -> usize {
    match window {
        0 => jobs.saturating_mul(16),
        n => n.max(jobs),
    }
}

/// The reader thread: numbers documents and keeps at most `window` of them in flight.
fn read_inputs(
    inputs: Vec<Result<Input, SourceError>>,
    read: &ReadOptions,
    window: usize,
    barrier: bool,
    work: &Sender<(u64, SourceItem)>,
    credits: &Receiver<()>,
) {
    let mut available = window;
    for (seq, item) in (0u64..).zip(source::documents(inputs, read)) {
        let wanted = if barrier && seq > 0 && seq % LEARN_EPOCH == 0 {
            window // nothing in flight: the writer has merged the epoch's counts
        } else {
            1
        };
        while available < wanted {
            if credits.recv().is_err() {
                return;
            }
            available += 1;
        }
        available -= 1;
        if work.send((seq, item)).is_err() {
            return;
        }
    }
}

/// A worker's job on one item: clean it and let the sink prepare it ([`Sink::prepare`], e.g.
/// encode its record) off the writer thread. A panic in a stage is a failed document, not a
/// dead run.
fn work<S: Sink>(
    item: SourceItem,
    rules: &RuleSet,
    learned: Option<&(dyn LineStats + Sync)>,
    limits: &Limits,
) -> Done<S::Prepared> {
    match item {
        SourceItem::Doc(raw) => {
            let bytes_in = raw.bytes.len() as u64;
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                clean_limited(&raw, rules, learned.map(|l| l as &dyn LineStats), limits).map(
                    |mut c| {
                        let prepared = S::prepare(&raw.origin, &raw.info, &mut c);
                        (c, prepared)
                    },
                )
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(DocError::Panic(what))
            });
            Done::Doc {
                origin: raw.origin,
                info: raw.info,
                bytes_in,
                result: Box::new(result),
            }
        }
        SourceItem::Failed(e) => Done::Doc {
            origin: e.path().to_string(),
            info: InputInfo::default(),
            bytes_in: 0,
            result: Box::new(Err(e.into())),
        },
        SourceItem::Ignored { kind, .. } => Done::Ignored { kind },
    }
}

/// The writer: applies results in input order and commits in batches.
struct Writer<'a, S: Sink> {
    sink: &'a mut S,
    summary: &'a mut RunSummary,
    barrier: bool,
    flush_every: usize,
    /// Applied but not yet committed: `(origin, outcome, bytes in)`.
    pending: Vec<(String, Outcome, u64)>,
    /// In the commit started last, reported when it has finished.
    committing: Vec<(String, Outcome, u64)>,
    last_commit: Instant,
}

impl<S: Sink> Writer<'_, S> {
    fn write(
        mut self,
        done: Receiver<(u64, Done<S::Prepared>)>,
        credits: Sender<()>,
        report: &mut impl FnMut(&Report),
    ) -> Result<(), S::Error> {
        let mut next = 0u64;
        // Holds at most `window` results: the reader is never further ahead than that.
        let mut held: BTreeMap<u64, Done<S::Prepared>> = BTreeMap::new();
        for (seq, d) in done.iter() {
            held.insert(seq, d);
            while let Some(d) = held.remove(&next) {
                self.apply(d)?;
                next += 1;
                if self.barrier && next % LEARN_EPOCH == 0 {
                    self.sink.end_epoch()?;
                }
                self.finish_commit(report, false)?;
                if self.pending.len() >= self.flush_every
                    || (!self.pending.is_empty() && self.last_commit.elapsed() >= COMMIT_AFTER)
                {
                    self.start_commit(report)?;
                }
                // The reader may have finished and gone: nobody to return the credit to.
                let _ = credits.send(());
            }
        }
        self.summary.finished_at = crate::time::now_rfc3339();
        self.sink.end_epoch()?;
        self.sink.finish(self.summary)?;
        self.start_commit(report)?;
        self.finish_commit(report, true)
    }

    /// Starts committing what was applied; what the previous commit held is reported first
    /// (after waiting for it), so outcomes stay in input order.
    fn start_commit(&mut self, report: &mut impl FnMut(&Report)) -> Result<(), S::Error> {
        self.finish_commit(report, true)?;
        self.sink.start_commit()?;
        self.last_commit = Instant::now();
        self.committing = std::mem::take(&mut self.pending);
        Ok(())
    }

    /// Reports the outcomes of the commit in flight once it has finished (waiting when `wait`).
    fn finish_commit(
        &mut self,
        report: &mut impl FnMut(&Report),
        wait: bool,
    ) -> Result<(), S::Error> {
        if !self.sink.commit_done(wait)? {
            return Ok(());
        }
        for (origin, outcome, bytes_in) in self.committing.drain(..) {
            report(&Report {
                origin: &origin,
                outcome: &outcome,
                bytes_in,
            });
        }
        Ok(())
    }

    fn apply(&mut self, d: Done<S::Prepared>) -> Result<(), S::Error> {
        let (origin, info, bytes_in, result) = match d {
            Done::Ignored { kind } => {
                *self.summary.ignored.entry(kind).or_default() += 1;
                return Ok(());
            }
            Done::Doc {
                origin,
                info,
                bytes_in,
                result,
            } => (origin, info, bytes_in, result),
        };
        let s = &mut *self.summary;
        s.read += 1;
        s.bytes_in += bytes_in;
        let outcome = match *result {
            Ok((mut c, prepared)) => match self.sink.put(&origin, &info, &mut c, prepared)? {
                PutOutcome::Stored => {
                    s.stored += 1;
                    s.bytes_out += c.article.body.iter().map(|p| p.len() as u64).sum::<u64>();
                    Outcome::Stored { id: c.article.id }
                }
                PutOutcome::Duplicate { .. } => {
                    s.duplicates += 1;
                    Outcome::Duplicate { id: c.article.id }
                }
            },
            Err(e) => {
                let skip = e.is_skip();
                if skip {
                    s.skipped += 1;
                } else {
                    s.failed += 1;
                }
                let failure = FailureRecord {
                    origin: origin.clone(),
                    outcome: if skip { "skipped" } else { "failed" }.to_string(),
                    reason: e.to_string(),
                    at: crate::time::now_rfc3339_millis(),
                };
                self.sink.put_failure(&failure)?;
                if skip {
                    Outcome::Skipped {
                        reason: failure.reason,
                    }
                } else {
                    Outcome::Failed {
                        error: failure.reason,
                    }
                }
            }
        };
        self.pending.push((origin, outcome, bytes_in));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_saturates() {
        assert_eq!(super::window(0, usize::MAX), usize::MAX);
        assert_eq!(super::window(0, 4), 64);
        assert_eq!(super::window(2, 4), 4);
    }
}
