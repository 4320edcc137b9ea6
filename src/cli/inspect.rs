//! Commands that read the store: `list`, `show`, `export`, `failures`, `verify` and `stats`.
//! Nothing here writes to it.

use super::*;

pub(super) fn list(store: &Store, limit: Option<usize>) -> Result<ExitCode, Fatal> {
    let mut out = io::stdout().lock();
    each_record(store, limit, |r| {
        writeln!(
            out,
            "{}  {:<20}  {}",
            r.id.get(..12).unwrap_or(&r.id),
            truncate(r.metadata.site.as_deref().unwrap_or("-"), 20),
            r.metadata.title.as_deref().unwrap_or("(untitled)")
        )
    })
}

/// Runs `write` on every stored record (the first `limit`). A record that does not read back
/// is reported on stderr and passed over, so that one damaged record does not hide the others;
/// the exit code is then 1. Other store errors (I/O, a lock) stop the command.
fn each_record(
    store: &Store,
    limit: Option<usize>,
    mut write: impl FnMut(&ArticleRecord) -> io::Result<()>,
) -> Result<ExitCode, Fatal> {
    let mut damaged = 0usize;
    for rec in store.articles().take(limit.unwrap_or(usize::MAX)) {
        match rec {
            Ok(r) => write(&r)?,
            Err(e @ (StoreError::Corrupt { .. } | StoreError::BadRecord { .. })) => {
                tracing::error!("{e}");
                damaged += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if damaged == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    tracing::warn!(
        "{damaged} record(s) of store `{}` could not be read and were left out; hint: \
         `deboiler verify` lists them, and ingesting their inputs again replaces them",
        store.path()
    );
    Ok(ExitCode::from(1))
}

pub(super) fn show(store: &Store, id: &str, as_json: bool) -> Result<ExitCode, Fatal> {
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
        let fetched = o.url.as_ref().map_or_else(String::new, |u| format!(" {u}"));
        writeln!(out, "origin:     {}{fetched} ({})", o.source, o.ingested_at)?;
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for rm in &r.removed {
        *by_rule.entry(rm.rule.as_ref()).or_default() += 1;
    }
    let summary: Vec<String> = by_rule.iter().map(|(k, v)| format!("{k} ×{v}")).collect();
    if summary.is_empty() {
        writeln!(out, "removed:    nothing")?;
    } else {
        writeln!(
            out,
            "removed:    {} blocks ({})",
            r.removed.len(),
            summary.join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", r.text())
}

pub(super) fn export(store: &Store) -> Result<ExitCode, Fatal> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let code = each_record(store, None, |r| {
        writeln!(out, "{}", serde_json::to_string(r).unwrap_or_default())
    })?;
    out.flush()?;
    Ok(code)
}

pub(super) fn failures(store: &Store) -> Result<ExitCode, Fatal> {
    let mut out = io::stdout().lock();
    let mut listed = 0;
    for f in store.failures() {
        let f = f?;
        // Errors from reading an input start by naming it; the row names it already.
        let reason = f
            .reason
            .strip_prefix(&format!("`{}`: ", f.origin))
            .unwrap_or(&f.reason);
        // The time is a column of its own before the origin: origins and reasons may hold
        // spaces, the time never does, and with milliseconds it tells apart two runs' entries
        // for the same line of standard input. Older entries have whole seconds: padded, so
        // the origins still line up.
        writeln!(
            out,
            "{:<7}  {:<24}  {}  {reason}",
            f.outcome, f.at, f.origin
        )?;
        listed += 1;
    }
    if listed == 0 {
        // stdout stays empty for scripts; the note is for a person.
        eprintln!("no skipped or failed inputs in store `{}`", store.path());
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn verify(store: &Store) -> Result<ExitCode, Fatal> {
    let problems = store.verify()?;
    let articles = store.stats()?.articles;
    if problems.is_empty() {
        let checksum = store.checksum()?;
        writeln!(
            io::stdout().lock(),
            "ok: {articles} articles · checksum {checksum}"
        )?;
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

pub(super) fn stats(store: &Store) -> Result<ExitCode, Fatal> {
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
