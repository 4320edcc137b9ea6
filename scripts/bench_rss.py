#!/usr/bin/env python3
"""Peak RSS against corpus size: runs `deboiler bench --synthetic N` for each N (same seed, same
measurements, each measurement in its own process) and prints every measurement's peak RSS
next to its figure at the smallest N. The issue's goal: flat within 20% from 10k to 100k.

The synthetic documents are made from the pages at bench time (`../shared/bench/...`), one at a
time, and never written anywhere. Python standard library only.

Usage: bench_rss.py [--deboiler BIN] [--sizes 10000,100000] [--measure LIST] [PAGES]
"""
import argparse
import json
import subprocess


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="?", default="../shared/bench/zyte-text")
    ap.add_argument("--deboiler", default="target/release/deboiler")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--measure", default="pipeline-all")
    ap.add_argument("--jobs", type=int, help="threads of the -all measurements")
    args = ap.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    runs = {}
    for n in sizes:
        cmd = [args.deboiler, "-q", "bench", "--json", "--synthetic", str(n),
               "--measure", args.measure, args.pages]
        if args.jobs:
            cmd[4:4] = ["--jobs", str(args.jobs)]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
        runs[n] = json.loads(out.stdout)
    first = runs[sizes[0]]
    print(f"synthetic corpus from {args.pages} ({first['corpus']['pages']} pages), "
          f"{first['machine']['cores']} cores, `-all` = {first['jobs']} threads")
    print(f"{'docs':>8} {'measurement':<13} {'docs/s':>8} {'MB/s':>7} {'peak RSS':>10} "
          f"{'loaded':>9} {'dups':>5}  peak RSS / at {sizes[0]}")
    base = {m["name"]: m for m in first["measurements"]}
    for n in sizes:
        for m in runs[n]["measurements"]:
            ratio = m["peak_rss_kib"] / base[m["name"]]["peak_rss_kib"]
            print(f"{n:>8} {m['name']:<13} {m['docs_per_s']:>8.0f} {m['mb_per_s']:>7.1f} "
                  f"{m['peak_rss_kib'] / 1024:>6.1f} MiB {m['loaded_rss_kib'] / 1024:>5.1f} MiB "
                  f"{m['duplicates']:>5}  {ratio:.2f}")
    by = {n: {m["name"]: m for m in runs[n]["measurements"]} for n in sizes}
    for n in sizes:
        if "store" in by[n] and "pipeline" in by[n]:
            r = by[n]["store"]["mb_per_s"] / by[n]["pipeline"]["mb_per_s"]
            print(f"store / pipeline at {n}: {r:.3f} (goal >= 0.8)")


if __name__ == "__main__":
    main()
