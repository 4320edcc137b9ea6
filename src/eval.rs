//! Eval: score the pipeline against labelled pages, the way the public benchmarks do.
//!
//! A gold folder holds `ground-truth.json` (`{id: {"articleBody": …, "url": …}}`) and the pages,
//! either `html/<id>.html[.gz]` or `text/<id>.txt` (flattened dumps). The metric is the Zyte
//! article-extraction benchmark's: 4-token shingles of `\w+` tokens, per-page precision and
//! recall as multiset overlap, macro-averaged, F1 of the two averages; accuracy is the share of
//! pages whose token sequence equals the gold exactly. This mirrors `shared/eval/score.py`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a gold file: {detail}")]
    BadGold { path: String, detail: String },
    #[error("gold folder `{0}` has neither `html/` nor `text/`")]
    NoPages(String),
}

/// One labelled page.
#[derive(Debug, Clone)]
pub struct GoldPage {
    pub id: String,
    pub body: String,
    pub url: Option<String>,
    /// The page file, or `None` if the folder lacks it (scored as an empty prediction).
    pub path: Option<PathBuf>,
}

#[derive(Deserialize)]
struct GoldRecord {
    #[serde(rename = "articleBody", default)]
    article_body: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Loads a gold folder. Pages are sorted by id so runs are reproducible.
pub fn load_gold(dir: &Path) -> Result<Vec<GoldPage>, EvalError> {
    let gt = dir.join("ground-truth.json");
    let text = std::fs::read_to_string(&gt).map_err(|source| EvalError::Io {
        path: gt.display().to_string(),
        source,
    })?;
    let records: HashMap<String, GoldRecord> =
        serde_json::from_str(&text).map_err(|e| EvalError::BadGold {
            path: gt.display().to_string(),
            detail: e.to_string(),
        })?;
    let candidates: &[(&str, &[&str])] =
        &[("html", &["html.gz", "html"]), ("text", &["txt", "txt.gz"])];
    let (sub, exts) = candidates
        .iter()
        .find(|(sub, _)| dir.join(sub).is_dir())
        .ok_or_else(|| EvalError::NoPages(dir.display().to_string()))?;
    let mut pages: Vec<GoldPage> = records
        .into_iter()
        .map(|(id, r)| {
            let path = exts
                .iter()
                .map(|e| dir.join(sub).join(format!("{id}.{e}")))
                .find(|p| p.is_file());
            GoldPage {
                body: r.article_body.unwrap_or_default(),
                url: r.url,
                path,
                id,
            }
        })
        .collect();
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(pages)
}

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\w+").expect("valid regex"));

/// `\w+` tokens, case kept.
pub fn tokens(text: &str) -> Vec<&str> {
    WORD.find_iter(text).map(|m| m.as_str()).collect()
}

fn shingles<'a>(toks: &'a [&'a str]) -> HashMap<&'a [&'a str], usize> {
    let mut m = HashMap::new();
    if toks.is_empty() {
        return m;
    }
    if toks.len() < 4 {
        m.insert(toks, 1);
        return m;
    }
    for w in toks.windows(4) {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

/// Shingle counts for one page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PageScore {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub exact: bool,
}

impl PageScore {
    pub fn precision(&self) -> Option<f64> {
        (self.tp + self.fp > 0).then(|| self.tp as f64 / (self.tp + self.fp) as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        (self.tp + self.fn_ > 0).then(|| self.tp as f64 / (self.tp + self.fn_) as f64)
    }
    pub fn f1(&self) -> f64 {
        match (self.precision(), self.recall()) {
            (Some(p), Some(r)) if p + r > 0.0 => 2.0 * p * r / (p + r),
            _ => 0.0,
        }
    }
}

/// Scores one prediction against its gold text.
pub fn score_page(gold: &str, pred: &str) -> PageScore {
    let (gt, pt) = (tokens(gold), tokens(pred));
    let (gs, ps) = (shingles(&gt), shingles(&pt));
    let tp: usize = ps
        .iter()
        .map(|(k, &n)| n.min(gs.get(k).copied().unwrap_or(0)))
        .sum();
    let total_p: usize = ps.values().sum();
    let total_g: usize = gs.values().sum();
    PageScore {
        tp,
        fp: total_p - tp,
        fn_: total_g - tp,
        exact: gt == pt,
    }
}

/// Corpus-level figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
    pub accuracy: f64,
}

/// Macro-averages page scores the way the benchmark does.
pub fn aggregate(pages: &[PageScore]) -> Scores {
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let precision = mean(pages.iter().filter_map(PageScore::precision).collect());
    let recall = mean(pages.iter().filter_map(PageScore::recall).collect());
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let accuracy = if pages.is_empty() {
        0.0
    } else {
        pages.iter().filter(|p| p.exact).count() as f64 / pages.len() as f64
    };
    Scores {
        f1,
        precision,
        recall,
        accuracy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_metric_matches_the_reference_definition() {
        let s = score_page(
            "the quick brown fox jumps over",
            "the quick brown fox sleeps",
        );
        // gold shingles: 3, pred shingles: 2, shared: 1 ("the quick brown fox").
        assert_eq!(
            s,
            PageScore {
                tp: 1,
                fp: 1,
                fn_: 2,
                exact: false
            }
        );
        assert_eq!(score_page("a b", "a b").tp, 1);
        assert!(score_page("Hello, world!", "hello world").tp == 0);
        assert!(score_page("x y z w", "x y z w").exact);
        let agg = aggregate(&[s, score_page("", "")]);
        assert!((agg.precision - 0.5).abs() < 1e-9);
        assert!((agg.recall - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(agg.accuracy, 0.5);
    }
}
