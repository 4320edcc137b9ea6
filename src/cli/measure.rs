//! Measuring commands: `eval` scores cleaning against labelled pages (the Zyte benchmark's
//! layout) and `bench` runs the throughput benchmark of [`deboiler::bench`].

use super::*;

pub(super) fn eval(
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
            // Ids come from the gold file: cut at a character, not a byte.
            page.id
                .char_indices()
                .nth(12)
                .map_or(page.id.as_str(), |(i, _)| &page.id[..i]),
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

pub(super) fn bench(g: &Global, opts: &deboiler::bench::Options) -> Result<ExitCode, Fatal> {
    let rules = load_rules(g, None)?;
    match deboiler::bench::run(opts, &rules, &mut io::stdout().lock()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(deboiler::bench::BenchError::Io(e)) => Err(e.into()),
        Err(e) => Err(Fatal::new(e.to_string(), e.hint())),
    }
}
