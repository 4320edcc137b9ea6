#!/usr/bin/env bash
# Verdict check for speed work: do two deboiler binaries give byte-identical output?
# Compares, between BASE and NEW: the Zyte HTML and text predictions (`eval --predictions`), the
# JSONL records of the text pages (kept lines, every removal with its rule and line; ingest
# timestamps masked), and N synthetic text documents made by BASE (`bench --synthetic N --emit`).
# Needs ../shared/bench (third-party pages, never committed). Exit 0 when all are the same.
# Usage: scripts/same_output.sh BASE_BIN NEW_BIN [N]
set -euo pipefail
base=${1:?usage: same_output.sh BASE_BIN NEW_BIN [N]}
new=${2:?usage: same_output.sh BASE_BIN NEW_BIN [N]}
n=${3:-3000}
bench=../shared/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$base" -q bench --synthetic "$n" --emit "$bench/zyte-text" > "$tmp/synth.jsonl"
for who in base new; do
  bin=${!who}
  mkdir -p "$tmp/$who"
  "$bin" -q eval --gold "$bench/zyte" --predictions "$tmp/$who/html-pred" > /dev/null
  "$bin" -q eval --gold "$bench/zyte-text" --predictions "$tmp/$who/text-pred" > /dev/null
  "$bin" -q ingest --out jsonl "$bench/zyte-text/text" 2> /dev/null \
    | sed -E 's/"ingested_at":"[^"]*"//g' > "$tmp/$who/text.jsonl"
  "$bin" -q ingest --input-format jsonl --out jsonl - < "$tmp/synth.jsonl" 2> /dev/null \
    | sed -E 's/"ingested_at":"[^"]*"//g' > "$tmp/$who/synth.jsonl"
done
status=0
for f in html-pred text-pred text.jsonl synth.jsonl; do
  if cmp -s "$tmp/base/$f" "$tmp/new/$f"; then
    echo "same       $f"
  else
    echo "DIFFERENT  $f"
    status=1
  fi
done
exit $status
