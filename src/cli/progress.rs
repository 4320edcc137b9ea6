//! Progress of an ingest on stderr.
//!
//! On a terminal: an `indicatif` bar with documents, bytes read, documents per second and, when
//! the number of documents is known up front (plain files, no containers or stdin), an ETA.
//! Otherwise: a log line every [`LOG_EVERY`] under the `deboiler::progress` target, which the
//! default log filter lets through, so a run under `nohup` or in CI shows it is alive; a run
//! shorter than that prints none. `-q` silences both.
//!
//! Rates are the run's average so far, computed here: results arrive in bursts (a commit's
//! worth at a time), which made `indicatif`'s own short-window estimate swing by a factor of a
//! hundred.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Interval of the plain progress lines when stderr is not a terminal.
pub const LOG_EVERY: Duration = Duration::from_secs(5);
/// Interval of the bar's redraws (its spinner ticks even while no document arrives).
const DRAW_EVERY: Duration = Duration::from_millis(200);
/// Most redraws of the bar a second.
const DRAW_HZ: u8 = 10;
/// Longest interval between refreshes of the bar's message while documents arrive.
const MESSAGE_EVERY: Duration = Duration::from_millis(100);
/// The log target of the plain progress lines (see `init_logging`).
pub const TARGET: &str = "deboiler::progress";

pub struct Progress {
    bar: Option<ProgressBar>,
    docs: u64,
    bytes: u64,
    started: Instant,
    last_log: Instant,
    last_draw: Instant,
    total: Option<u64>,
    quiet: bool,
}

impl Progress {
    pub fn start(quiet: bool, total: Option<u64>) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(
                    Some(n),
                    ProgressDrawTarget::stderr_with_hz(DRAW_HZ),
                ),
                None => {
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(DRAW_HZ))
                }
            };
            let template = if total.is_some() {
                "{spinner} {bar:20} {pos}/{len} docs · {msg}"
            } else {
                "{spinner} {pos} docs · {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message("starting");
            bar.enable_steady_tick(DRAW_EVERY);
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            docs: 0,
            bytes: 0,
            started: now,
            last_log: now,
            last_draw: now,
            total,
            quiet,
        }
    }

    /// One more document committed, of `bytes` bytes.
    pub fn add(&mut self, bytes: u64) {
        self.docs += 1;
        self.bytes += bytes;
        if let Some(bar) = &self.bar {
            // Documents arrive in bursts of a commit: a message refreshed on a timer alone kept
            // the rate of a burst's first document, and one refreshed for every document wrote
            // a megabyte of redraws in a few seconds.
            bar.inc(1);
            if self.docs % 64 == 0 || self.last_draw.elapsed() >= MESSAGE_EVERY {
                self.last_draw = Instant::now();
                bar.set_message(self.bar_message());
            }
            return;
        }
        if self.quiet || self.last_log.elapsed() < LOG_EVERY {
            return;
        }
        self.last_log = Instant::now();
        let of = self.total.map_or(String::new(), |t| format!(" of {t}"));
        tracing::info!(target: TARGET, "progress: {}{of} docs · {}", self.docs, self.log_figures());
    }

    /// The bar's message: bytes read, documents a second (the run's average so far) and, when
    /// the total is known, the time left at that rate.
    fn bar_message(&self) -> String {
        let per_sec = self.docs_per_sec();
        let mut s = format!("{} · {per_sec:.0} docs/s", super::human_bytes(self.bytes));
        if let Some(total) = self.total {
            let left = total.saturating_sub(self.docs) as f64 / per_sec.max(1e-3);
            s.push_str(&format!(" · ETA {}", short_duration(left)));
        }
        s
    }

    /// The plain progress line's figures: bytes read, documents and bytes a second.
    fn log_figures(&self) -> String {
        let secs = self.seconds();
        format!(
            "{} · {:.0} docs/s · {}/s",
            super::human_bytes(self.bytes),
            self.docs_per_sec(),
            super::human_bytes((self.bytes as f64 / secs) as u64)
        )
    }

    fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64().max(1e-3)
    }

    fn docs_per_sec(&self) -> f64 {
        self.docs as f64 / self.seconds()
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

/// `42s`, `3m 05s`, `2h 10m`: short enough for the bar's line.
fn short_duration(secs: f64) -> String {
    let s = secs.round().min(1e9) as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::short_duration;

    #[test]
    fn durations_are_short() {
        assert_eq!(short_duration(0.4), "0s");
        assert_eq!(short_duration(42.0), "42s");
        assert_eq!(short_duration(185.0), "3m 05s");
        assert_eq!(short_duration(7800.0), "2h 10m");
    }
}
