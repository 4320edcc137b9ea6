//! Criterion micro-benchmarks for the hot stages, on the bundled samples (ours, committed), so
//! `cargo bench` runs anywhere without ../shared: decode, the lean page, parse (the byte
//! tokenizer into html5ever's tree builder, next to `scraper`'s own parse), the HTML stages after
//! parsing (rule selectors, article detection, block extraction), the text stages (block split,
//! rules, article judgement), rules alone, the body hash, and the whole `clean` per kind.
//!
//! With the Zyte text pages at `../shared/bench/zyte-text` (or a folder of `.txt` pages named
//! by `DEBOILER_TEXT_PAGES`), the group `zyte-text` times each text stage over the whole page set
//! per iteration (`just bench-stages zyte-text`): the stage split behind issue 6's text figures,
//! reproducible. Without the pages the group is skipped with a note on stderr. Benchmarks run
//! with the system allocator, not the binary's mimalloc, so a whole `clean` pass here is about
//! 10% slower than `deboiler bench` measures it.
//!
//! Each stage gets its input from the stage before, prepared outside the timed closure, so a
//! figure is that stage's own cost. Throughput is in input bytes of the sample, so stages read
//! as MB/s against each other. Times are kept short (`cargo bench` is for comparing a change, not
//! for the README figures, which come from `deboiler bench`).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use deboiler::model::{ContentKind, RawDocument};
use deboiler::rules::RuleSet;
use deboiler::{content, decode, dedup, extract, pipeline, strip};

const HTML_SAMPLE: &str = "samples/coastline-herald-tidal.html";
const TEXT_SAMPLE: &str = "samples/001_7e71d6686ee625e3.txt";

fn sample(path: &str) -> RawDocument {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let bytes = std::fs::read(&full)
        .unwrap_or_else(|e| panic!("bundled sample {} must be readable: {e}", full.display()));
    RawDocument {
        origin: path.to_string(),
        url: None,
        content_type: None,
        bytes,
        info: Default::default(),
    }
}

fn rules() -> RuleSet {
    RuleSet::embedded(true).expect("the embedded rules are valid")
}

fn html_stages(c: &mut Criterion) {
    let raw = sample(HTML_SAMPLE);
    let rules = rules();
    let decoded = decode::decode(&raw).expect("the sample decodes");
    assert_eq!(decoded.kind, ContentKind::Html);
    let active = rules.for_document(decoded.url.as_deref(), &decoded.text);
    let lean = extract::lean::page(&decoded.text, rules.css.keep()).into_owned();
    let html = extract::parse::document(&lean);
    let mut marks = strip::mark_selectors(&html, &active);
    content::html::mark(&html, &mut marks);
    let blocks = extract::html::extract(&html, &marks);

    let mut g = c.benchmark_group("html");
    g.throughput(Throughput::Bytes(raw.bytes.len() as u64));
    g.bench_function("decode", |b| b.iter(|| decode::decode(black_box(&raw))));
    g.bench_function("lean", |b| {
        b.iter(|| extract::lean::page(black_box(&decoded.text), rules.css.keep()))
    });
    g.bench_function("parse", |b| {
        b.iter(|| extract::parse::document(black_box(&lean)))
    });
    g.bench_function("parse-html5ever", |b| {
        b.iter(|| scraper::Html::parse_document(black_box(&lean)))
    });
    g.bench_function("select+content+extract", |b| {
        b.iter(|| {
            let mut marks = strip::mark_selectors(black_box(&html), &active);
            content::html::mark(&html, &mut marks);
            extract::html::extract(&html, &marks)
        })
    });
    g.bench_function("content", |b| {
        b.iter_batched(
            deboiler::model::Marks::default,
            |mut marks| content::html::mark(black_box(&html), &mut marks),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("rules", |b| {
        b.iter_batched(
            || blocks.clone(),
            |blocks| strip::apply(blocks, &active),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("clean", |b| {
        b.iter(|| pipeline::clean(black_box(&raw), &rules))
    });
    g.finish();
}

fn text_stages(c: &mut Criterion) {
    let raw = sample(TEXT_SAMPLE);
    let rules = rules();
    let decoded = decode::decode(&raw).expect("the sample decodes");
    assert_eq!(decoded.kind, ContentKind::Text);
    let active = rules.for_document(decoded.url.as_deref(), &decoded.text);
    let blocks = extract::text::extract(&decoded.text);
    let decided = strip::apply(blocks.clone(), &active);

    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Bytes(raw.bytes.len() as u64));
    g.bench_function("decode", |b| b.iter(|| decode::decode(black_box(&raw))));
    g.bench_function("extract+rules+judge", |b| {
        b.iter(|| {
            let blocks = extract::text::extract(black_box(&decoded.text));
            let mut decided = strip::apply(blocks, &active);
            let forms = deboiler::norm::Canonicals::new(decided.len());
            content::text::judge(&mut decided, &forms);
            decided
        })
    });
    g.bench_function("extract", |b| {
        b.iter(|| extract::text::extract(black_box(&decoded.text)))
    });
    g.bench_function("rules", |b| {
        b.iter_batched(
            || blocks.clone(),
            |blocks| strip::apply(blocks, &active),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("judge", |b| {
        b.iter_batched(
            || decided.clone(),
            |mut decided| {
                let forms = deboiler::norm::Canonicals::new(decided.len());
                content::text::judge(&mut decided, &forms)
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("clean", |b| {
        b.iter(|| pipeline::clean(black_box(&raw), &rules))
    });
    g.finish();
}

/// Where the text pages are looked for: `DEBOILER_TEXT_PAGES`, else the Zyte set in ../shared.
fn zyte_text_dir() -> std::path::PathBuf {
    std::env::var_os("DEBOILER_TEXT_PAGES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/zyte-text/text")
        })
}

/// The text pages of the Zyte set (third-party data, read in place, never committed), or `None`
/// when they are not there.
fn zyte_text_pages() -> Option<Vec<RawDocument>> {
    let dir = zyte_text_dir();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let pages: Vec<RawDocument> = paths
        .iter()
        .filter_map(|p| {
            Some(RawDocument {
                origin: p.display().to_string(),
                url: None,
                content_type: None,
                bytes: std::fs::read(p).ok()?,
                info: Default::default(),
            })
        })
        .collect();
    (!pages.is_empty()).then_some(pages)
}

/// Each text stage over every Zyte text page: a whole pass per iteration, in input bytes.
fn zyte_text_stages(c: &mut Criterion) {
    let Some(raws) = zyte_text_pages() else {
        eprintln!(
            "zyte-text: skipped (no .txt pages in `{}`; set DEBOILER_TEXT_PAGES)",
            zyte_text_dir().display()
        );
        return;
    };
    let rules = rules();
    // Pages that do not decode (never among the Zyte pages) are left out of every stage.
    let (raws, texts): (Vec<RawDocument>, Vec<String>) = raws
        .into_iter()
        .filter_map(|r| {
            let text = decode::decode(&r).ok()?.text;
            Some((r, text))
        })
        .unzip();
    let actives: Vec<_> = texts.iter().map(|t| rules.for_document(None, t)).collect();
    let blocks: Vec<_> = texts.iter().map(|t| extract::text::extract(t)).collect();
    let decided: Vec<_> = blocks
        .iter()
        .zip(&actives)
        .map(|(b, a)| strip::apply(b.clone(), a))
        .collect();
    let lines: Vec<&str> = decided
        .iter()
        .flatten()
        .map(|d| d.block.text.as_str())
        .collect();
    // Per page, its lines' words and the language guess `judge` makes from them.
    let per_page: Vec<_> = decided
        .iter()
        .map(|d| {
            let words: Vec<content::text::LineWords> = d
                .iter()
                .map(|d| content::text::LineWords::of(&d.block.text))
                .collect();
            // As `judge` guesses it: from the lines still kept after the rules.
            let stops = content::text::Stopwords::for_lines(
                d.iter()
                    .zip(&words)
                    .filter(|(d, _)| d.is_kept())
                    .map(|(_, w)| w),
            );
            (d, words, stops)
        })
        .collect();

    let mut g = c.benchmark_group("zyte-text");
    g.throughput(Throughput::Bytes(
        raws.iter().map(|r| r.bytes.len() as u64).sum(),
    ));
    g.sample_size(10);
    g.bench_function("clean", |b| {
        b.iter(|| {
            raws.iter()
                .filter_map(|r| pipeline::clean(black_box(r), &rules).ok())
                .count()
        })
    });
    g.bench_function("decode", |b| {
        b.iter(|| {
            raws.iter()
                .filter_map(|r| decode::decode(black_box(r)).ok())
                .count()
        })
    });
    g.bench_function("extract", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| extract::text::extract(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("rules", |b| {
        b.iter_batched(
            || blocks.clone(),
            |blocks| {
                blocks
                    .into_iter()
                    .zip(&actives)
                    .map(|(b, a)| strip::apply(b, a).len())
                    .sum::<usize>()
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("judge", |b| {
        b.iter_batched(
            || decided.clone(),
            |all| {
                for mut d in all {
                    let forms = deboiler::norm::Canonicals::new(d.len());
                    content::text::judge(&mut d, &forms);
                }
            },
            BatchSize::LargeInput,
        )
    });
    // The parts of judging that read every line.
    g.bench_function("judge/line-words", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|l| content::text::LineWords::of(black_box(l)).words)
                .sum::<usize>()
        })
    });
    g.bench_function("judge/classify", |b| {
        b.iter(|| {
            let mut n = 0;
            for (d, words, stops) in &per_page {
                for (d, w) in d.iter().zip(words) {
                    n += content::text::classify(black_box(&d.block.text), w, stops).words;
                }
            }
            n
        })
    });
    g.bench_function("judge/canonical", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|l| deboiler::norm::canonical(black_box(l)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn hash(c: &mut Criterion) {
    let cleaned =
        pipeline::clean(&sample(TEXT_SAMPLE), &rules()).expect("the sample has an article");
    let body = cleaned.article.body;
    let mut g = c.benchmark_group("hash");
    g.throughput(Throughput::Bytes(body.iter().map(|p| p.len() as u64).sum()));
    g.bench_function("body_id", |b| b.iter(|| dedup::body_id(black_box(&body))));
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = html_stages, text_stages, hash, zyte_text_stages
}
criterion_main!(benches);
