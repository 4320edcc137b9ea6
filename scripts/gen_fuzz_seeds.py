#!/usr/bin/env python3
"""Writes the seed corpus of the `warc` and `jsonl` fuzz targets (fuzz/corpus/<target>/).

Each seed is what the target gets: one mode byte (see `check_warc` / `check_jsonl` in
fuzz/src/lib.rs), then the container's bytes. Hand-made, small, deterministic: rerun after
changing it and commit the output.
"""
import gzip
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")

HTML = (
    "<html><head><title>Harbour lights</title></head><body><nav>Home | News</nav>"
    "<article><h1>Harbour lights return</h1><p>The old harbour lights were switched on "
    "again on Friday evening, after two years of repairs to the sea wall.</p><p>Residents "
    "gathered on the quay to watch the first beam sweep across the water.</p></article>"
    "<footer>Copyright</footer></body></html>"
)


def record(kind, block, uri="http://harbour.example/lights", extra=""):
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
        f"WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{kind}-1>\r\n{extra}"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def http(body, headers="Content-Type: text/html; charset=utf-8\r\n"):
    return f"HTTP/1.1 200 OK\r\n{headers}\r\n".encode() + body


def gz(b):
    # mtime 0: the same bytes on every run.
    return gzip.compress(b, mtime=0)


def chunked(body, size=64):
    out = b""
    for i in range(0, len(body), size):
        part = body[i : i + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def warc_seeds():
    html = HTML.encode()
    info = record("warcinfo", b"software: seed\r\nformat: WARC/1.0\r\n", uri="")
    request = record("request", b"GET /lights HTTP/1.1\r\nHost: harbour.example\r\n\r\n")
    response = record("response", http(html))
    chunk = record(
        "response",
        http(chunked(html), "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n"),
        uri="http://harbour.example/chunked",
    )
    gzipped = record(
        "response",
        http(gz(html), "Content-Type: text/html\r\nContent-Encoding: gzip\r\n"),
        uri="http://harbour.example/gzip",
    )
    not_found = record("response", b"HTTP/1.1 404 Not Found\r\n\r\ngone")
    plain = info + request + response + not_found
    yield "records.warc", b"\x00" + plain
    yield "encodings.warc", b"\x00" + chunk + gzipped
    # A member per record, as crawlers write them; then a damaged (cut) member and a good one.
    members = b"".join(gz(r) for r in (info, response, gzipped))
    yield "members.warc.gz", b"\x01" + members
    cut = gz(response)
    yield "damaged.warc.gz", b"\x01" + gz(info) + cut[: len(cut) // 2] + gz(chunk)
    # Two records in one member: the second is addressed `@MEMBER+OFFSET`.
    yield "shared-member.warc.gz", b"\x01" + gz(response + request)
    # The target gzips these itself, one member per record.
    yield "to-members.warc", b"\x02" + plain + chunk
    yield "to-zstd.warc", b"\x03" + response + request
    # Garbage before a record, a header without Content-Length, a huge declared length.
    broken = (
        b"not a warc line\r\n"
        + response
        + b"WARC/1.0\r\nWARC-Type: response\r\n\r\n"
        + record("metadata", b"x")
        + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999999999\r\n\r\nHTTP/1.1 200 OK\r\n"
    )
    yield "broken.warc", b"\x00" + broken
    # Under the 300-byte limit (bit 2): the response is over it.
    yield "small-limit.warc", b"\x04" + request + response


def jsonl_seeds():
    lines = [
        json.dumps({"html": HTML, "url": "https://harbour.example/a", "id": 7, "lang": "en"}),
        "",
        json.dumps({"text": "Harbour lights return\n\nThe old harbour lights were switched on "
                    "again on Friday evening, after two years of repairs.", "id": "b"}),
        "{bad json",
        "[1, 2]",
        json.dumps({"url": "https://harbour.example/none"}),
        json.dumps({"content": 5}),
        json.dumps({"content": "<p>short</p>", "url": 3}),
    ]
    text = ("\n".join(lines) + "\n").encode()
    yield "lines.jsonl", b"\x00" + text
    yield "lines-crlf.jsonl", b"\x00" + text.replace(b"\n", b"\r\n")
    yield "to-gzip.jsonl", b"\x01" + text
    yield "to-zstd.jsonl", b"\x02" + text
    yield "raw-gzip.jsonl.gz", b"\x03" + gz(text)
    cut = gz(text)
    yield "cut-gzip.jsonl.gz", b"\x03" + cut[: len(cut) // 2]
    # Bit 3: content field `body`, read as text.
    body = "\n".join(
        [json.dumps({"body": "A line of text.\nAnother line of text.", "id": 1}),
         json.dumps({"html": "<p>no body field</p>"})]
    ).encode()
    yield "body-field.jsonl", b"\x08" + body
    # Bit 2: a 300-byte line limit; the first line is over it.
    yield "long-line.jsonl", b"\x04" + text


def main():
    for target, seeds in (("warc", warc_seeds()), ("jsonl", jsonl_seeds())):
        d = os.path.join(ROOT, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds:
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            print(f"{target}/{name}: {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
