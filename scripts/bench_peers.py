#!/usr/bin/env python3
"""Same-run comparison of deboiler with trafilatura, resiliparse, Readability and jusText on the
same pages: speed, memory and (with the reference scorer) quality.

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

With `--text` the pages are the text dumps (`../shared/bench/zyte-text`, one block per line),
the task no HTML tool is built for. Each HTML tool gets the dump's lines as paragraphs (every
non-blank line, escaped, as a `<p>` of one HTML page, made before the clock starts), as issue 3
measured them; a C4-style line filter joins them (a line is kept if it has at least three
words, ends in one of C4's end marks `.?!"` and names none of its policy or JavaScript
phrases), and deboiler runs on the text files as they are.

The peers get each page already gunzipped and decoded to `str` (every Zyte page is UTF-8), held
in memory before the clock starts, so their figures include only extraction (plus parsing for
resiliparse, which parses inside the clock as deboiler does). Throughput is pages and MB of
decompressed page bytes (for `--text`, of the text files) per second; every tool repeats whole
passes over the pages for at least `--seconds`; with `--rounds R` the tools take turns R times
and each keeps its fastest round (other work on a shared machine only slows a run down). The
ratios are deboiler's MB/s over each peer's: issue 6's goal is deboiler e2e >= 0.8x resiliparse
and >= 10x trafilatura on HTML; the other ratios are for reference (the brief's "many times
their speed").

Quality: when the reference scorer is found (`--scorer`, by default `../shared/eval/score.py`
next to the page set), each tool's output from its first pass (Readability's HTML as its text
content, a line break after each block element) and `deboiler eval --predictions` are scored
with it (Zyte shingle F1), so every row's F1 comes from the same run and the same scorer.

Needs a venv with the peers (`just bench-peers` makes `target/bench-venv`); the pages are read
from ../shared/bench and never copied. Python standard library otherwise.

Usage: bench_peers.py [--deboiler BIN] [--seconds S] [--rounds R] [--text] [--scorer PY]
                      [--json] [PAGES_DIR]
"""
import argparse
import gzip
import html
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HTML_PEERS = ("trafilatura", "resiliparse", "readability", "justext")
TEXT_PEERS = ("c4",) + HTML_PEERS
# Issue 6's goals, for deboiler e2e on HTML.
GOALS = {"trafilatura": 10.0, "resiliparse": 0.8}
# Lines a C4-style filter drops whatever their shape (C4's policy-notice phrases).
C4_POLICY = ("javascript", "terms of use", "privacy policy", "cookie policy", "uses cookies",
             "use of cookies", "use cookies", "lorem ipsum")


def load_pages(folder, text):
    """The gold folder's pages as (id, decompressed bytes), in id order as deboiler reads them."""
    gt = os.path.join(folder, "ground-truth.json")
    try:
        with open(gt, encoding="utf-8") as fh:
            ids = sorted(json.load(fh))
    except OSError as e:
        sys.exit(f"error: cannot read {gt}: {e}\nhint: the benchmark pages live in "
                 "../shared/bench (zyte/ as HTML, zyte-text/ as text); see ../shared/README.md")
    sub, exts = ("text", (".txt", ".txt.gz")) if text else ("html", (".html.gz", ".html"))
    pages = []
    for page_id in ids:
        for ext in exts:
            path = os.path.join(folder, sub, page_id + ext)
            if os.path.isfile(path):
                opener = gzip.open if ext.endswith(".gz") else open
                with opener(path, "rb") as fh:
                    pages.append((page_id, fh.read()))
                break
    if not pages:
        sys.exit(f"error: no pages under {folder}/{sub}")
    return pages


def c4_filter(text):
    kept = []
    for line in text.splitlines():
        line = line.strip()
        low = line.lower()
        if (len(line.split()) >= 3 and line.endswith((".", "?", "!", '"'))
                and not any(p in low for p in C4_POLICY)):
            kept.append(line)
    return "\n".join(kept)


def lines_as_html(text):
    """A text dump as the HTML page an HTML tool can read: each non-blank line a paragraph."""
    paras = "".join(f"<p>{html.escape(line.strip())}</p>\n"
                    for line in text.splitlines() if line.strip())
    return f"<!DOCTYPE html><html><head><title></title></head><body>\n{paras}</body></html>"


def extractor(tool):
    """The tool's extraction call, and how its output becomes text for the scorer."""
    as_is = lambda out: out or ""  # noqa: E731
    if tool == "c4":
        return c4_filter, as_is
    if tool == "trafilatura":
        import trafilatura

        return trafilatura.extract, as_is
    if tool == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        return (lambda page: extract_plain_text(HTMLTree.parse(page), main_content=True)), as_is
    if tool == "readability":
        import lxml.html
        from readability import Document

        def text_of(out):
            try:
                tree = lxml.html.fromstring(out) if out else None
            except Exception:  # an empty or odd summary scores as empty output
                return ""
            if tree is None:
                return ""
            # `text_content` joins block elements with nothing between them ("end.Next"),
            # which would glue the last word of a paragraph to the first of the next.
            for el in tree.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br",
                                "tr", "blockquote", "pre"):
                el.tail = "\n" + (el.tail or "")
            return tree.text_content()

        return (lambda page: Document(page).summary()), text_of
    if tool == "justext":
        import justext

        stoplist = justext.get_stoplist("English")
        return (lambda page: "\n".join(p.text for p in justext.justext(page, stoplist)
                                       if not p.is_boilerplate)), as_is
    raise SystemExit(f"unknown tool {tool}")


def worker(tool, folder, seconds, text, pred_out):
    """Runs in its own process: one tool, passes over the pages, one JSON line out."""
    extract, to_text = extractor(tool)
    pages = load_pages(folder, text)
    inputs = [raw.decode("utf-8", errors="replace") for _, raw in pages]
    if text and tool != "c4":
        inputs = [lines_as_html(t) for t in inputs]
    size = sum(len(raw) for _, raw in pages)
    extract(inputs[0])  # imports and lazy set-up outside the clock
    passes, elapsed, empty = 0, 0.0, 0
    first = None
    while passes == 0 or elapsed < seconds:
        outs = []
        started = time.perf_counter()
        for page in inputs:
            out = extract(page)
            empty += not out
            outs.append(out)
        elapsed += time.perf_counter() - started
        passes += 1
        if first is None:
            first = outs
    if pred_out:
        with open(pred_out, "w", encoding="utf-8") as fh:
            json.dump({pid: {"articleBody": to_text(out)} for (pid, _), out in zip(pages, first)},
                      fh)
    docs = passes * len(inputs)
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


def run_peer(tool, args, pred_out):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", tool,
           "--seconds", str(args.seconds), args.pages]
    if args.text:
        cmd.append("--text")
    if pred_out:
        cmd += ["--pred-out", pred_out]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def score(scorer, pages, pred):
    """F1 of one predictions file under the reference scorer."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, scorer, "--gold", pages, "--pred", pred,
                        "--bootstrap", "10", "--json", out.name],
                       check=True, stdout=subprocess.DEVNULL)
        with open(out.name, encoding="utf-8") as fh:
            result = json.load(fh)
    # One predictions file, so one result, whatever form of the path the scorer keys it by.
    return next(iter(result["zyte"].values()))["values"]["f1"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="?")
    ap.add_argument("--deboiler", default="target/release/deboiler")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every tool this many times, interleaved; keep each one's fastest")
    ap.add_argument("--text", action="store_true",
                    help="the text dumps (default pages: ../shared/bench/zyte-text)")
    ap.add_argument("--scorer", help="the reference scorer (default: ../shared/eval/score.py "
                    "next to the page set, skipped when missing; an explicit path must exist)")
    ap.add_argument("--json", action="store_true", help="print the rows and ratios as JSON")
    ap.add_argument("--worker", choices=TEXT_PEERS, help=argparse.SUPPRESS)
    ap.add_argument("--pred-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pages is None:
        args.pages = "../shared/bench/zyte-text" if args.text else "../shared/bench/zyte"
    if args.worker:
        worker(args.worker, args.pages, args.seconds, args.text, args.pred_out)
        return
    peers = TEXT_PEERS if args.text else HTML_PEERS
    if args.scorer and not os.path.isfile(args.scorer):
        sys.exit(f"error: no scorer at `{args.scorer}`\nhint: the reference scorer is "
                 "../shared/eval/score.py; leave --scorer out to skip scoring when it is missing")
    scorer = args.scorer or os.path.join(args.pages, os.pardir, os.pardir, "eval", "score.py")
    scorer = scorer if os.path.isfile(scorer) else None
    # The tools' outputs are third-party article text: kept only while this run needs them.
    with tempfile.TemporaryDirectory(prefix="deboiler-bench-peers-") as preds:
        compare(args, peers, scorer, preds)


def compare(args, peers, scorer, preds):
    """Runs every tool in turns, scores their outputs and prints the table (or JSON)."""
    rows = {}

    def keep(name, m):
        # Fastest round, highest memory: other work on the machine only slows a tool down.
        old = rows.get(name)
        if old is None or m["mb_per_s"] > old["mb_per_s"]:
            rss = max(m.get("peak_rss_kib") or 0, (old or {}).get("peak_rss_kib") or 0)
            rows[name] = dict(m, peak_rss_kib=rss)
        elif m.get("peak_rss_kib"):
            old["peak_rss_kib"] = max(old.get("peak_rss_kib") or 0, m["peak_rss_kib"])

    for r in range(max(args.rounds, 1)):
        for tool in peers:
            pred = os.path.join(preds, f"{tool}.json") if scorer and r == 0 else None
            keep(tool, run_peer(tool, args, pred))
        bench = subprocess.run([args.deboiler, "-q", "bench", "--json", "--jobs", "1",
                                "--seconds", str(args.seconds),
                                "--measure", "baseline,pipeline,e2e", args.pages],
                               check=True, stdout=subprocess.PIPE, text=True)
        report = json.loads(bench.stdout)
        by_name = {m["name"]: m for m in report["measurements"]}
        keep("deboiler e2e", by_name["e2e"])
        keep("deboiler pipeline", by_name["pipeline"])
        keep("baseline", by_name["baseline"])
    f1 = {}
    if scorer:
        ours = os.path.join(preds, "deboiler.json")
        subprocess.run([args.deboiler, "-q", "eval", "--gold", args.pages, "--predictions", ours,
                        "--worst", "0"], check=True, stdout=subprocess.DEVNULL)
        f1 = {tool: score(scorer, args.pages, os.path.join(preds, f"{tool}.json"))
              for tool in peers}
        f1["deboiler e2e"] = f1["deboiler pipeline"] = score(scorer, args.pages, ours)
    for name, value in f1.items():
        rows[name]["f1"] = value
    on_lines = " on the lines as <p>s" if args.text else ""
    includes = {
        "c4": "C4-style line filter (>= 3 words, final punctuation, no policy notice)",
        "trafilatura": f"extract(str), default settings{on_lines}",
        "resiliparse": f"parse + extract_plain_text(main_content){on_lines}",
        "readability": f"Document(str).summary(), article HTML{on_lines}",
        "justext": f"justext(str, English stoplist), good paragraphs{on_lines}",
        "deboiler e2e": "read + gunzip + the pipeline below",
        "deboiler pipeline": ("decode + extract + rules + content + metadata + hash" if args.text
                              else "decode + parse + extract + rules + content + metadata + hash"),
        "baseline": ("SHA-256 + line split (deboiler's in-run baseline)" if args.text
                     else "bare scraper parse (deboiler's in-run baseline)"),
    }
    ratios = {}
    for ours in ("deboiler e2e", "deboiler pipeline"):
        for peer in peers:
            ratios[f"{ours} / {peer}"] = rows[ours]["mb_per_s"] / rows[peer]["mb_per_s"]
    if args.json:
        print(json.dumps({"rows": rows, "ratios": ratios, "machine": report["machine"],
                          "pages": report["corpus"]["pages"],
                          "bytes": report["corpus"]["bytes"], "text": args.text}, indent=2))
        return
    machine = report["machine"]
    kind = "text dumps" if args.text else "HTML"
    print(f"{report['corpus']['pages']} pages ({kind}), {report['corpus']['bytes'] / 1e6:.1f} MB"
          f" after gunzip · 1 thread each · fastest of {max(args.rounds, 1)} interleaved "
          f"round(s) · {machine['cores']} cores · {machine.get('cpu')}")
    print(f"{'tool':<18} {'docs/s':>8} {'MB/s':>8} {'peak RSS':>10} {'F1':>6}  includes")
    for name, m in rows.items():
        rss = m.get("peak_rss_kib")
        rss = f"{rss / 1024:.0f} MiB" if rss else "-"
        score_col = f"{m['f1']:.3f}" if "f1" in m else "-"
        print(f"{name:<18} {m['docs_per_s']:>8.1f} {m['mb_per_s']:>8.1f} {rss:>10} "
              f"{score_col:>6}  {includes[name]}")
    if not scorer:
        print("(F1 not scored: no reference scorer found; pass --scorer)")
    print("ratios (MB/s over MB/s, same run)")
    for name, value in ratios.items():
        peer = name.rsplit(" / ", 1)[1]
        goal = (f"  (goal >= {GOALS[peer]}x)"
                if name.startswith("deboiler e2e") and peer in GOALS and not args.text else "")
        print(f"  {name:<34} {value:>7.2f}x{goal}")


if __name__ == "__main__":
    main()
