#!/usr/bin/env python3
"""Write N distinct raw text dumps derived from the bundled seed samples, for store-cost and
throughput runs. Each document keeps a seed's boilerplate lines and gets a unique body: its
paragraphs are shuffled and each carries the document number, so every body hashes differently.

Usage: gen_corpus.py N OUTDIR
"""
import os
import random
import sys


def main(n, out):
    here = os.path.dirname(os.path.abspath(__file__))
    samples = os.path.join(here, "..", "samples")
    seeds = [open(os.path.join(samples, f), encoding="utf-8").read().split("\n")
             for f in sorted(os.listdir(samples)) if f.endswith(".txt")]
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        lines = list(rng.choice(seeds))
        body = [k for k, l in enumerate(lines) if len(l.split()) >= 12]
        picked = [lines[k] for k in body]
        rng.shuffle(picked)
        for k, text in zip(body, picked):
            lines[k] = f"{text} (Report {i}.)"
        with open(os.path.join(out, f"doc{i:06d}.txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
