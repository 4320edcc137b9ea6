#!/usr/bin/env python3
"""Same-run comparison of deboiler with trafilatura, resiliparse, Readability and jusText on the
same HTML pages.

Single thread, each tool in its own process (so each peak RSS is its own), one after the other:

* trafilatura 2.3.1: `trafilatura.extract(html)` with its default settings (fallbacks on).
* resiliparse 2.0.1: `extract_plain_text(HTMLTree.parse(html), main_content=True)`.
* readability-lxml 0.9: `Document(html).summary()` (the article as HTML, its usual output).
* jusText 3.0.2 (installed with trafilatura): `justext.justext(html, get_stoplist("English"))`,
  the text of the paragraphs it does not mark as boilerplate joined by newlines (most Zyte pages
  are English; the stoplist barely changes the work per page).
* deboiler: `deboiler bench --json --jobs 1` on the same folder, which reports the pipeline
  from bytes in memory (decode + parse + extract + rules + content + dedup + metadata + hash)
  and `e2e` (the same plus reading and gunzipping each file); no store in either.

The peers get each page already gunzipped and decoded to `str` (every Zyte page is UTF-8), held
in memory before the clock starts, so their figures include only extraction (plus parsing for
resiliparse, which parses inside the clock as deboiler does). Throughput is pages and MB of
decompressed page bytes per second; every tool repeats whole passes over the pages for at
least `--seconds`; with `--rounds R` the tools take turns R times and each keeps its fastest
round (other work on a shared machine only slows a run down). The ratios are deboiler's MB/s
over each peer's: issue 6's goal is deboiler e2e >= 0.8x resiliparse and >= 10x trafilatura; the
Readability and jusText ratios are for reference (the brief's "many times their speed").

Needs a venv with the peers (`just bench-peers` makes `target/bench-venv`); the pages are read
from ../shared/bench/zyte and never copied. Python standard library otherwise.

Usage: bench_peers.py [--deboiler BIN] [--seconds S] [--rounds R] [--json] [PAGES_DIR]
"""
import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time

PEERS = ("trafilatura", "resiliparse", "readability", "justext")


def load_pages(folder):
    """The gold folder's pages as (id, decompressed bytes), in id order as deboiler reads them."""
    gt = os.path.join(folder, "ground-truth.json")
    try:
        with open(gt, encoding="utf-8") as fh:
            ids = sorted(json.load(fh))
    except OSError as e:
        sys.exit(f"error: cannot read {gt}: {e}\nhint: the benchmark pages live in "
                 "../shared/bench (zyte/ as HTML); see ../shared/README.md")
    pages = []
    for page_id in ids:
        for name in (f"{page_id}.html.gz", f"{page_id}.html"):
            path = os.path.join(folder, "html", name)
            if os.path.isfile(path):
                opener = gzip.open if name.endswith(".gz") else open
                with opener(path, "rb") as fh:
                    pages.append((page_id, fh.read()))
                break
    if not pages:
        sys.exit(f"error: no pages under {folder}/html")
    return pages


def extractor(tool):
    if tool == "trafilatura":
        import trafilatura

        return trafilatura.extract
    if tool == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        return lambda html: extract_plain_text(HTMLTree.parse(html), main_content=True)
    if tool == "readability":
        from readability import Document

        return lambda html: Document(html).summary()
    if tool == "justext":
        import justext

        stoplist = justext.get_stoplist("English")
        return lambda html: "\n".join(p.text for p in justext.justext(html, stoplist)
                                       if not p.is_boilerplate)
    raise SystemExit(f"unknown tool {tool}")


def worker(tool, folder, seconds):
    """Runs in its own process: one tool, passes over the pages, one JSON line out."""
    extract = extractor(tool)
    pages = load_pages(folder)
    texts = [raw.decode("utf-8", errors="replace") for _, raw in pages]
    size = sum(len(raw) for _, raw in pages)
    extract(texts[0])  # imports and lazy set-up outside the clock
    passes, elapsed, empty = 0, 0.0, 0
    while passes == 0 or elapsed < seconds:
        started = time.perf_counter()
        for html in texts:
            out = extract(html)
            empty += not out
        elapsed += time.perf_counter() - started
        passes += 1
    docs = passes * len(texts)
    print(json.dumps({
        "name": tool,
        "docs": docs,
        "bytes": passes * size,
        "seconds": elapsed,
        "docs_per_s": docs / elapsed,
        "mb_per_s": passes * size / 1e6 / elapsed,
        "no_article": empty // passes,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


def run_peer(tool, folder, seconds):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", tool,
                          "--seconds", str(seconds), folder],
                         check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="?", default="../shared/bench/zyte")
    ap.add_argument("--deboiler", default="target/release/deboiler")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every tool this many times, interleaved; keep each one's fastest")
    ap.add_argument("--json", action="store_true", help="print the rows and ratios as JSON")
    ap.add_argument("--worker", choices=PEERS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.pages, args.seconds)
        return
    rows = {}

    def keep(name, m):
        # Fastest round, highest memory: other work on the machine only slows a tool down.
        old = rows.get(name)
        if old is None or m["mb_per_s"] > old["mb_per_s"]:
            rss = max(m.get("peak_rss_kib") or 0, (old or {}).get("peak_rss_kib") or 0)
            rows[name] = dict(m, peak_rss_kib=rss)
        elif m.get("peak_rss_kib"):
            old["peak_rss_kib"] = max(old.get("peak_rss_kib") or 0, m["peak_rss_kib"])

    for _ in range(max(args.rounds, 1)):
        for tool in PEERS:
            keep(tool, run_peer(tool, args.pages, args.seconds))
        bench = subprocess.run([args.deboiler, "-q", "bench", "--json", "--jobs", "1",
                                "--seconds", str(args.seconds),
                                "--measure", "baseline,pipeline,e2e", args.pages],
                               check=True, stdout=subprocess.PIPE, text=True)
        report = json.loads(bench.stdout)
        by_name = {m["name"]: m for m in report["measurements"]}
        keep("deboiler e2e", by_name["e2e"])
        keep("deboiler pipeline", by_name["pipeline"])
        keep("scraper parse", by_name["baseline"])
    includes = {
        "trafilatura": "extract(str), default settings",
        "resiliparse": "parse + extract_plain_text(main_content)",
        "readability": "Document(str).summary(), article HTML",
        "justext": "justext(str, English stoplist), good paragraphs",
        "deboiler e2e": "read + gunzip + the pipeline below",
        "deboiler pipeline": "decode + parse + extract + rules + content + metadata + hash",
        "scraper parse": "bare scraper parse (deboiler's in-run baseline)",
    }
    ratios = {}
    for ours in ("deboiler e2e", "deboiler pipeline"):
        for peer in PEERS:
            ratios[f"{ours} / {peer}"] = rows[ours]["mb_per_s"] / rows[peer]["mb_per_s"]
    if args.json:
        print(json.dumps({"rows": rows, "ratios": ratios, "machine": report["machine"],
                          "pages": report["corpus"]["pages"],
                          "bytes": report["corpus"]["bytes"]}, indent=2))
        return
    machine = report["machine"]
    print(f"{report['corpus']['pages']} pages, {report['corpus']['bytes'] / 1e6:.1f} MB after "
          f"gunzip · 1 thread each · fastest of {max(args.rounds, 1)} interleaved round(s) · "
          f"{machine['cores']} cores · {machine.get('cpu')}")
    print(f"{'tool':<18} {'docs/s':>8} {'MB/s':>8} {'peak RSS':>10}  includes")
    for name, m in rows.items():
        rss = m.get("peak_rss_kib")
        rss = f"{rss / 1024:.0f} MiB" if rss else "-"
        print(f"{name:<18} {m['docs_per_s']:>8.1f} {m['mb_per_s']:>8.1f} {rss:>10}  "
              f"{includes[name]}")
    goals = {"trafilatura": 10.0, "resiliparse": 0.8}
    print("ratios (MB/s over MB/s, same run)")
    for name, value in ratios.items():
        peer = name.rsplit(" / ", 1)[1]
        goal = (f"  (goal >= {goals[peer]}x)"
                if name.startswith("deboiler e2e") and peer in goals else "")
        print(f"  {name:<34} {value:>7.2f}x{goal}")


if __name__ == "__main__":
    main()
