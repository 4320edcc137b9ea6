//! Progress of an ingest on stderr.
//!
//! On a terminal: an `indicatif` bar with documents, MB read, documents per second and, when
//! the number of documents is known up front (plain files, no containers or stdin), an ETA.
//! Otherwise: an `info` log line every [`LOG_EVERY`], so a run under `nohup` or in CI shows
//! it is alive with `-v`; a run shorter than that prints none. `-q` silences both.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Interval of the plain progress lines when stderr is not a terminal.
pub const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: Option<ProgressBar>,
    docs: u64,
    bytes: u64,
    started: Instant,
    last_log: Instant,
    total: Option<u64>,
    quiet: bool,
}

impl Progress {
    pub fn start(quiet: bool, total: Option<u64>) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            };
            let template = if total.is_some() {
                "{spinner} {bar:30} {pos}/{len} docs · {msg} · {per_sec} · ETA {eta}"
            } else {
                "{spinner} {pos} docs · {msg} · {per_sec}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            docs: 0,
            bytes: 0,
            started: now,
            last_log: now,
            total,
            quiet,
        }
    }

    /// One more document committed, of `bytes` bytes.
    pub fn add(&mut self, bytes: u64) {
        self.docs += 1;
        self.bytes += bytes;
        let mb = self.bytes as f64 / 1e6;
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("{mb:.1} MB"));
            return;
        }
        if self.quiet || self.last_log.elapsed() < LOG_EVERY {
            return;
        }
        self.last_log = Instant::now();
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let of = self.total.map_or(String::new(), |t| format!(" of {t}"));
        tracing::info!(
            "progress: {}{of} docs · {mb:.1} MB · {:.0} docs/s · {:.1} MB/s",
            self.docs,
            self.docs as f64 / secs,
            mb / secs
        );
    }

    /// Runs `f` (which logs) with the bar cleared, so log lines do not tear it.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
