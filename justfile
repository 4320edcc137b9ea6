# deboiler tasks. `just demo` runs the main job on the bundled samples; `just test` runs every test.

set shell := ["bash", "-euo", "pipefail", "-c"]

bin := "target/release/deboiler"

# Ingest the bundled samples into ./deboiler.db, list what was stored, and show one article.
demo:
    cargo build --release --locked --quiet
    {{bin}} ingest samples
    @echo
    {{bin}} list
    @echo
    {{bin}} show "$({{bin}} list --limit 1 | cut -d' ' -f1)"

# Every test: formatting, lints, doc links, unit, property, golden and whole-command tests.
test:
    cargo fmt --all -- --check
    cargo clippy --all-targets --locked -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --document-private-items --locked --quiet
    cargo test --locked

# After touching the lean scan or the byte tokenizer, e.g. `just props-deep 1000000 lean_html`;
# new failures are saved to tests/properties.proptest-regressions (commit them).
# The property tests with `cases` generated cases each (`just test` runs 256).
props-deep cases="200000" *filter:
    PROPTEST_CASES={{cases}} cargo test --release --locked --test properties {{filter}}

# The API and internals docs (private items included: they are written for contributors).
docs:
    cargo doc --no-deps --document-private-items --locked
    @echo "open target/doc/deboiler/index.html"

# Show, line by line, what deboiler keeps and removes in one input, and why.
explain path:
    cargo run --release --locked --quiet -- clean --explain {{path}}

# Validate the rule files and run every rule's examples.
rules-check dir="rules":
    cargo run --release --locked --quiet -- rules check {{dir}}

# Score the seeds with the reference scorer from ../shared (labels: K kept, D leaked).
seed-score *flags:
    cargo build --release --locked --quiet
    rm -rf target/seed-out && mkdir -p target/seed-out
    for f in samples/0*.txt; do {{bin}} clean {{flags}} "$f" > "target/seed-out/$(basename "$f")"; done
    python3 ../shared/eval/seed_score.py target/seed-out

# Quality gate (issue 4): HTML extraction on the Zyte benchmark (181 pages, read from ../shared,
# never committed). Fails if F1 drops below the floor; raise the floor as quality rises.
eval-html floor="0.976":
    cargo build --release --locked --quiet
    {{bin}} eval --gold ../shared/bench/zyte --worst 10 --min-f1 {{floor}}

# Quality gate (issue 3): the same pages flattened to text.
eval-text floor="0.939":
    cargo build --release --locked --quiet
    {{bin}} eval --gold ../shared/bench/zyte-text --worst 10 --min-f1 {{floor}}

# Throughput (issue 6) over the Zyte pages as HTML and as text (read from ../shared, never
# committed): baseline (bare scraper parse; SHA-256 + line split), pipeline without the store on
# 1 thread and on `jobs` threads (default: every core), e2e (read + gunzip + pipeline); docs/s,
# MB/s, peak RSS of each measurement in its own process, and every figure as a ratio. Each
# measurement reports its fastest of `rounds` interleaved runs (the machine is shared).
bench seconds="1" rounds="3" jobs="0":
    cargo build --release --locked --quiet
    {{bin}} bench --seconds {{seconds}} --rounds {{rounds}} {{ if jobs == "0" { "" } else { "--jobs " + jobs } }} ../shared/bench/zyte
    @echo
    {{bin}} bench --seconds {{seconds}} --rounds {{rounds}} {{ if jobs == "0" { "" } else { "--jobs " + jobs } }} ../shared/bench/zyte-text

# Peak RSS from 10k to 100k synthetic documents (goal: flat within 20%), made from the Zyte text
# pages at bench time and measured by `deboiler bench --synthetic` (pipeline, no store; add
# `store` to the list for the bench's own one-thread store loop, slow at 100k).
bench-rss sizes="10000,100000" measure="pipeline-all" pages="../shared/bench/zyte-text":
    cargo build --release --locked --quiet
    python3 scripts/bench_rss.py --deboiler {{bin}} --sizes {{sizes}} --measure {{measure}} {{pages}}

# The real ingest path on a synthetic corpus piped in as JSON Lines: into a fresh store against
# `--out jsonl` (no store), throughput and ingest's peak RSS at each size (goals: store >= 0.8x
# no store; RSS flat within 20% from 10k to 100k), each mode the fastest of `rounds` runs taken in
# turns. Long at 100k: the store mode is the slow one.
bench-ingest sizes="10000,100000" rounds="3" pages="../shared/bench/zyte-text":
    cargo build --release --locked --quiet
    python3 scripts/bench_ingest.py --deboiler {{bin}} --sizes {{sizes}} --rounds {{rounds}} {{pages}}

# Speed work must not change output: compare two deboiler binaries on the Zyte pages (HTML and
# text predictions, the text pages' JSONL records) and `n` synthetic documents; exit 1 on any
# difference. E.g. build the old commit in a worktree and pass both release binaries.
same-output base new n="3000":
    scripts/same_output.sh {{base}} {{new}} {{n}}

# Same-run comparison with trafilatura 2.3.1, resiliparse 2.0.1, readability-lxml 0.9 and jusText
# 3.0.2 (a trafilatura dependency) on the Zyte HTML pages, one thread each, fastest of `rounds`:
# speed, peak RSS, and F1 from the reference scorer in ../shared/eval on each tool's output.
bench-peers seconds="2" rounds="2": _peers-venv
    target/bench-venv/bin/python scripts/bench_peers.py --deboiler {{bin}} --seconds {{seconds}} --rounds {{rounds}} ../shared/bench/zyte

# The same on the text dumps (../shared/bench/zyte-text): the HTML tools get each line as a
# paragraph, a C4-style line filter joins them, deboiler reads the text files.
bench-peers-text seconds="2" rounds="2": _peers-venv
    target/bench-venv/bin/python scripts/bench_peers.py --deboiler {{bin}} --seconds {{seconds}} --rounds {{rounds}} --text ../shared/bench/zyte-text

# The peers' venv in target/bench-venv, made on first use (needs PyPI). lxml_html_clean because
# jusText imports it and lxml 6 split it out; readability-lxml in a second install because the
# venv's pip 23 fails to resolve two packages asking for the same lxml extra.
_peers-venv:
    cargo build --release --locked --quiet
    test -x target/bench-venv/bin/python || python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install --quiet --disable-pip-version-check trafilatura==2.3.1 justext==3.0.2 resiliparse==2.0.1 lxml_html_clean==0.4.6 2>&1 | { grep -v "does not provide the extra 'html_clean'" || true; }
    target/bench-venv/bin/pip install --quiet --disable-pip-version-check readability-lxml==0.9 2>&1 | { grep -v "does not provide the extra 'html_clean'" || true; }

# Criterion micro-benchmarks of the hot stages on the bundled samples (no ../shared needed); with
# ../shared present, `just bench-stages zyte-text` times each text stage over the 181 text pages.
bench-stages *args:
    cargo bench --locked --bench stages -- {{args}}

# Re-record the whole-command snapshots after an intended output change (review the diff!).
snapshots:
    INSTA_UPDATE=always cargo test --locked --test cli

# Hostile inputs (issue 5) at full size, in release: a 100 MB single line, a 60 MB line under the
# input limit, a page with 1M sibling elements, plus the default corpus.
hostile-full:
    cargo test --release --locked --test hostile -- --include-ignored --nocapture

# Crash harness (issue 5): kill -9 an ingest at random moments (some during open), reopen, verify
# the store and that every record reported committed is present and unchanged. CI runs 10 cycles.
crash cycles="100":
    CRASH_CYCLES={{cycles}} cargo test --release --locked --test crash -- --ignored --nocapture

# Store cost (issue 5): ingest N generated articles into a fresh store and print on-disk bytes
# per article and the ingest's peak RSS.
store-cost n="10000":
    cargo build --release --locked --quiet
    rm -rf target/store-cost && mkdir -p target/store-cost
    python3 scripts/gen_corpus.py {{n}} target/store-cost/in
    /usr/bin/time -f '%M' -o target/store-cost/rss {{bin}} -q ingest --db target/store-cost/db target/store-cost/in
    @echo "articles: $({{bin}} list --db target/store-cost/db | wc -l) · on disk: $(du -sb target/store-cost/db | cut -f1) bytes · per article: $(( $(du -sb target/store-cost/db | cut -f1) / $({{bin}} list --db target/store-cost/db | wc -l) )) bytes · input: $(du -sb target/store-cost/in | cut -f1) bytes · peak RSS: $(cat target/store-cost/rss) KiB"

# Fuzz one target (issue 5) for `seconds`, one process: decode, html_extract, html_parse,
# text_extract, rules_parse, clean, warc or jsonl (`fuzz/fuzz_targets/`, checks in `fuzz/src/lib.rs`). Seeds
# are read from fuzz/corpus/<target> (the warc and jsonl seeds are written by
# scripts/gen_fuzz_seeds.py); new corpus entries go to fuzz/target/corpus/<target> and crashes to
# fuzz/artifacts/<target>/ (both ignored). Needs `cargo install cargo-fuzz`; uses the nightly
# toolchain when one is installed, else stable with RUSTC_BOOTSTRAP=1 (sanitizer flags are -Z).
fuzz target="clean" seconds="600":
    mkdir -p fuzz/target/corpus/{{target}} fuzz/corpus/{{target}}
    # The samples and rule files are seeds too, read in place (tests/fuzz_regressions.rs lists the same).
    case {{target}} in decode|html_extract|html_parse|text_extract|clean) shared=../samples;; rules_parse) shared=../rules;; *) shared="";; esac; \
    if rustup run nightly rustc --version >/dev/null 2>&1; then tc=+nightly; else tc=""; export RUSTC_BOOTSTRAP=1; fi; cd fuzz && cargo $tc fuzz run -O {{target}} target/corpus/{{target}} corpus/{{target}} $shared -- -max_total_time={{seconds}} -timeout=20 -print_final_stats=1

# Every fuzz target in turn, `seconds` each (the README's figures are from 600).
fuzz-all seconds="600":
    for t in decode html_extract html_parse text_extract rules_parse clean warc jsonl gunzip; do just fuzz "$t" {{seconds}}; done
