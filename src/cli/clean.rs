//! `deboiler clean`: clean inputs without a store and print the article as text or JSON, or
//! with `--explain` every block with its verdict and the rule or heuristic behind it.

use deboiler::model::InputInfo;

use super::*;

pub(super) fn clean(
    g: &Global,
    paths: &[String],
    input: &InputArgs,
    limits: &Limits,
    format: Format,
    explain: bool,
) -> Result<ExitCode, Fatal> {
    stdin_once(paths)?;
    let rules = load_rules(g, None)?;
    // Learned site boilerplate comes from the store when there is one; `clean` never writes,
    // and a store in use by an ingest only means cleaning without what it learned.
    let store = match Store::open_existing(&g.db) {
        Ok(s) => Some(s),
        Err(StoreError::Missing { .. }) => None,
        Err(e) => {
            tracing::warn!("cleaning without learned site boilerplate: {e}");
            None
        }
    };
    let learned = store.as_ref().map(|s| s as &dyn LineStats);
    let inputs = input.expand(paths, &g.db)?;
    let read = input.read_options(limits);
    let many = inputs.len() > 1
        || inputs
            .iter()
            .flatten()
            .any(|i| i.format(read.format) != source::Format::Document);
    let mut out = io::stdout().lock();
    let mut failed = false;
    for item in source::documents(inputs, &read) {
        let (origin, result, info) = match item {
            source::SourceItem::Doc(raw) => (
                raw.origin.clone(),
                pipeline::clean_limited(&raw, &rules, learned, limits),
                raw.info,
            ),
            // Source errors name their input themselves; a limit's message names the limit.
            source::SourceItem::Failed(e @ source::SourceError::Limit { .. }) => {
                (e.path().to_string(), Err(e.into()), InputInfo::default())
            }
            source::SourceItem::Failed(e) => (String::new(), Err(e.into()), InputInfo::default()),
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
                    writeln!(out, "{}", clean_json(&origin, &info, &cleaned))?;
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

fn clean_json(origin: &str, info: &InputInfo, c: &Cleaned) -> serde_json::Value {
    let a = &c.article;
    let m = &a.metadata;
    let mut v = json!({
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
    });
    // What the container said about the document, named as `ingest` stores it (the record's
    // `extra`; its origin's `id`, here `input_id` since `id` is the article's). Added only when
    // there is something, so a plain file's object stays as it was.
    if let serde_json::Value::Object(obj) = &mut v {
        if let Some(id) = &info.id {
            obj.insert("input_id".into(), id.as_str().into());
        }
        if !info.extra.is_empty() {
            obj.insert("extra".into(), json!(info.extra));
        }
    }
    v
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
        (Some(site), Some(stats)) => {
            let n = stats.site_docs(site);
            let docs = if n == 1 { "document" } else { "documents" };
            format!(" · learned: `{site}` from {n} {docs}")
        }
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
