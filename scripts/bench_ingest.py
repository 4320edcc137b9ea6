#!/usr/bin/env python3
"""The real ingest path on a synthetic corpus: into the store against `--out jsonl` (no store),
at each corpus size, with throughput and the ingest process's own peak RSS.

For each size N and each mode, `deboiler bench --synthetic N --emit PAGES` writes N documents
made from the pages (deterministic, distinct, one at a time) as JSON Lines into a pipe that
`deboiler ingest --input-format jsonl -` reads, so nothing is written to disk but the store and
memory does not depend on N unless ingest's does. Modes:

* store: `ingest --db <fresh temp dir>` (the store, learned site lines, batched commits);
* jsonl: `ingest --out jsonl > /dev/null` (same pipeline, no store opened).

Each size runs `--rounds` times, the two modes taking turns, and each mode reports its fastest
round (the machine is shared, and a store's disk writes made single runs of the same command
differ by up to 20% for reasons outside the process); the slowest round is printed too. Time is
the ingest process's wall time (start to exit, so it includes reading and parsing the JSON
Lines, and the store's final commit); making the documents runs alongside in the other process
and costs the same in both modes. Peak RSS is the ingest process's `ru_maxrss` from `wait4`, the
highest of the rounds. Goals (issue 6): store >= 0.8x no store; peak RSS flat within 20% from
10k to 100k.

Python standard library only. Usage:
  bench_ingest.py [--deboiler BIN] [--sizes 10000,100000] [--rounds 3] [--jobs N] [PAGES]
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time


def corpus_bytes(deboiler, pages, n):
    """Bytes of the N documents as made (before JSON escaping), from the bench's generator."""
    out = subprocess.run([deboiler, "-q", "bench", "--json", "--synthetic", str(n),
                          "--measure", "generate", pages],
                         check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout)["measurements"][0]["bytes"]


def ingest(deboiler, pages, n, mode, jobs):
    db = tempfile.mkdtemp(prefix="deboiler-bench-ingest-")
    try:
        emit = subprocess.Popen([deboiler, "-q", "bench", "--synthetic", str(n), "--emit", pages],
                                stdout=subprocess.PIPE)
        cmd = [deboiler, "-q", "ingest", "--input-format", "jsonl", "--db", db]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        if mode == "jsonl":
            cmd += ["--out", "jsonl"]
        cmd.append("-")
        started = time.perf_counter()
        with open(os.devnull, "wb") as devnull:
            # The run summary goes to stderr; kept for an error, dropped otherwise.
            proc = subprocess.Popen(cmd, stdin=emit.stdout, stdout=devnull,
                                    stderr=subprocess.PIPE)
        emit.stdout.close()  # ingest holds the pipe now; emit sees EPIPE if ingest dies
        err = proc.stderr.read()  # small: a summary line, or errors
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if emit.wait() != 0 or proc.returncode not in (0, 1):
            raise SystemExit(f"error: {' '.join(cmd)} exited with {proc.returncode}:\n"
                             f"{err.decode(errors='replace')}")
        return seconds, usage.ru_maxrss
    finally:
        shutil.rmtree(db, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="?", default="../shared/bench/zyte-text")
    ap.add_argument("--deboiler", default="target/release/deboiler")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--jobs", type=int, help="ingest --jobs [default: ingest's, one per core]")
    ap.add_argument("--rounds", type=int, default=3, help="runs per size and mode [default: 3]")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    rows = []
    for n in sizes:
        size = corpus_bytes(args.deboiler, args.pages, n)
        runs = {"jsonl": [], "store": []}
        for _ in range(max(1, args.rounds)):
            for mode in runs:
                runs[mode].append(ingest(args.deboiler, args.pages, n, mode, args.jobs))
        for mode, done in runs.items():
            seconds = min(t for t, _ in done)
            rows.append({"docs": n, "mode": mode, "seconds": seconds, "bytes": size,
                         "slowest_seconds": max(t for t, _ in done), "rounds": len(done),
                         "docs_per_s": n / seconds, "mb_per_s": size / 1e6 / seconds,
                         "peak_rss_kib": max(rss for _, rss in done)})
    by = {(r["docs"], r["mode"]): r for r in rows}
    ratios = {}
    for n in sizes:
        ratios[f"store/jsonl at {n}"] = by[(n, "store")]["mb_per_s"] / by[(n, "jsonl")]["mb_per_s"]
    for mode in ("jsonl", "store"):
        first = by[(sizes[0], mode)]["peak_rss_kib"]
        for n in sizes[1:]:
            ratios[f"{mode} peak RSS {n}/{sizes[0]}"] = by[(n, mode)]["peak_rss_kib"] / first
    if args.json:
        print(json.dumps({"rows": rows, "ratios": ratios}, indent=2))
        return
    jobs = args.jobs or "one per core"
    print(f"ingest of a synthetic corpus from {args.pages} · --jobs {jobs} · "
          f"{os.cpu_count()} cores · fastest of {max(1, args.rounds)} rounds")
    print(f"{'docs':>8} {'mode':<6} {'docs/s':>8} {'MB/s':>7} {'seconds':>8} {'slowest':>8} "
          f"{'peak RSS':>10}")
    for r in rows:
        print(f"{r['docs']:>8} {r['mode']:<6} {r['docs_per_s']:>8.0f} {r['mb_per_s']:>7.1f} "
              f"{r['seconds']:>8.2f} {r['slowest_seconds']:>8.2f} "
              f"{r['peak_rss_kib'] / 1024:>6.1f} MiB")
    print("ratios (same run)")
    for name, value in ratios.items():
        goal = "(goal >= 0.8)" if name.startswith("store/") else "(goal: within 1.2)"
        print(f"  {name:<28} {value:>6.3f}  {goal}")


if __name__ == "__main__":
    main()
