//! `deboiler rules`: `check` validates a rule directory and runs every rule's examples;
//! `suggest` proposes site rules from the lines a site's stored documents repeat.

use super::*;

pub(super) fn rules_suggest(store: &Store, site: &str, min_share: f64) -> Result<ExitCode, Fatal> {
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
    write!(
        io::stdout().lock(),
        "{}",
        deboiler::learn::suggest(&site, docs, &lines, min_share)
    )?;
    if docs < deboiler::learn::MIN_DOCS {
        eprintln!(
            "warning: only {docs} documents for `{site}`; counts are not used for stripping below {}",
            deboiler::learn::MIN_DOCS
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn rules_check(g: &Global, dir: Option<PathBuf>) -> Result<ExitCode, Fatal> {
    let set = load_rules(g, dir)?;
    let failures = strip::check_examples(&set);
    let rules = set.rules().count();
    let examples: usize = set.rules().map(|r| r.strips.len() + r.keeps.len()).sum();
    if failures.is_empty() {
        writeln!(
            io::stdout().lock(),
            "ok: {rules} rules in {} files, {examples} examples behave as written",
            set.files.len()
        )?;
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
