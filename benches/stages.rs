//! Criterion micro-benchmarks for the hot stages (decode, parse, extract, rules, hash).
use criterion::{criterion_group, criterion_main, Criterion};

fn hash(c: &mut Criterion) {
    let text = "A line of article text.\n".repeat(400);
    c.bench_function("hash/canonical", |b| {
        b.iter(|| deboiler::dedup::body_id(&[text.as_str()]))
    });
}

criterion_group!(benches, hash);
criterion_main!(benches);
