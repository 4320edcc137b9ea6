//! WARC containers (`.warc`, `.warc.gz`): `response` records holding HTML become documents.
//!
//! A document keeps the record's `WARC-Target-URI` as its URL, the HTTP `Content-Type` (its
//! charset is what decode trusts first after a BOM), `WARC-Record-ID` as its id and
//! `WARC-Date` as the pass-through field `warc_date`. The crawl date is not used as the published
//! date: a page fetched years after it was written would get a wrong date, and metadata leaves
//! `published` empty rather than guess. Every other record (`warcinfo`, `request`, `metadata`,
//! `revisit`, a response that is not HTML or not a 2xx) is an [`SourceItem::Ignored`], counted by
//! type in the run summary.
//!
//! The framing is read here, not by the `warc` crate's readers: they give no record offsets,
//! buffer a record's whole body however large its `Content-Length`, and cannot resynchronise
//! after a bad record. The crate's header parser ([`warc::parser::headers`]) parses each header
//! block. Origins are `path@OFFSET`, the byte offset of the record's `WARC/` line; in a
//! `.warc.gz` the offset of the record's gzip member in the compressed file (where `dd` or
//! `warcio` can start reading), plus `+OFFSET` in the member's decompressed bytes when one
//! member holds several records. A record over the input limit is skipped (read past, never
//! held); a record whose header is broken fails alone and reading resumes at the next `WARC/`
//! line; a truncated record or a corrupt gzip member fails and reading resumes at the next gzip
//! member when there is one.

use std::io::{BufRead, BufReader, Read};

use super::{SourceError, SourceItem};
use crate::limits::LimitExceeded;
use crate::model::{InputInfo, RawDocument};

/// Largest WARC or HTTP header block accepted.
const MAX_HEADER: usize = 1 << 20;
/// Most bytes allocated up front for a record's block, whatever its `Content-Length` says.
const BLOCK_GUESS: u64 = 64 * 1024;
/// Compressed bytes that may always be read again after damaged members, on top of twice the
/// bytes read (see [`Counting::resume_after_damage`]).
const REWIND_SLACK: u64 = 1 << 20;
/// `1f 8b 08`: a gzip member (deflate) starts here.
const MEMBER_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// The records of one WARC stream.
pub struct Records {
    origin: String,
    max: u64,
    src: Src,
    done: bool,
}

enum Src {
    Plain {
        r: Box<dyn BufRead + Send>,
        pos: u64,
        carry: Option<(u64, Vec<u8>)>,
    },
    Gzip {
        /// The compressed stream between members.
        raw: Option<Counting>,
        member: Option<Box<Member>>,
    },
}

struct Member {
    offset: u64,
    r: BufReader<flate2::bufread::GzDecoder<Counting>>,
    pos: u64,
    carry: Option<(u64, Vec<u8>)>,
}

/// The compressed stream, buffered by hand so that reading can go back: it counts the bytes
/// consumed (the compressed offset) and keeps a copy of the current member's bytes, so that
/// reading can resume right after a damaged member's start (the decompressor may have read
/// into the next member before it failed).
///
/// One flat buffer on purpose: going back only moves `at` when the bytes are still in `buf`,
/// and otherwise puts them in front of it. Wrapping the stream in a `Chain` per damaged member
/// would nest readers once per member, and a file of many small damaged members would
/// overflow the stack reading through them.
struct Counting {
    /// Bytes read (or given back) and not all consumed yet; `buf[at..]` comes next.
    buf: Vec<u8>,
    at: usize,
    rest: Box<dyn Read + Send>,
    /// The offset of `buf[at]` in the compressed stream.
    consumed: u64,
    /// The member's compressed bytes so far; dropped (`None`) once over `replay_max`.
    replay: Option<Vec<u8>>,
    replay_max: usize,
    /// Compressed bytes read a second time so far, after damaged members (see
    /// [`Counting::resume_after_damage`]).
    rewound: u64,
}

/// Bytes read from the stream at a time.
const READ_SIZE: usize = 64 * 1024;

impl Counting {
    fn new(rest: Box<dyn Read + Send>, replay_max: usize) -> Counting {
        Counting {
            buf: Vec::new(),
            at: 0,
            rest,
            consumed: 0,
            replay: Some(Vec::new()),
            replay_max,
            rewound: 0,
        }
    }

    /// After a damaged member that started at `member_offset`: reading positioned at the next
    /// gzip member header after the member's first byte (or at the end of the stream).
    ///
    /// Going back costs reading those bytes again, and a hostile file can make every attempt
    /// fail far ahead (`1f 8b 08 08` repeated: each "header" has a name field that runs to
    /// flate2's 64 KiB cap): going back to the next magic each time would be quadratic in the
    /// file size. So the bytes read again are budgeted: at most twice the bytes read so far
    /// plus [`REWIND_SLACK`]. Past the budget, reading goes back only to the *last* magic
    /// before where the decompressor stopped, so no byte is read more than twice more:
    /// linear time, at the price of members hidden inside the damaged stretch.
    fn resume_after_damage(mut self, member_offset: u64) -> Counting {
        let budget = self.consumed.saturating_mul(2).saturating_add(REWIND_SLACK);
        let replay = self.replay.take().unwrap_or_default();
        let rlen = replay.len();
        // `replay` holds the bytes consumed since `kept_from`: the member's own bytes when it
        // was kept, none when it grew past `replay_max`.
        let kept_from = self.consumed - rlen as u64;
        let unread = self.buf.get(self.at..).unwrap_or_default();
        let tail = MEMBER_MAGIC.len() - 1;
        // The first magic after the member's first byte: in the consumed bytes (reading them
        // again), straddling them and the buffer, then in the buffer (no reading again).
        let in_replay = || find(replay.get(1..).unwrap_or_default(), &MEMBER_MAGIC).map(|i| i + 1);
        let straddling = || {
            let from = rlen.saturating_sub(tail).max(1);
            let mut joint = replay.get(from..).unwrap_or_default().to_vec();
            joint.extend_from_slice(&unread[..unread.len().min(tail)]);
            find(&joint, &MEMBER_MAGIC)
                .map(|j| from + j)
                .filter(|&i| i < rlen)
        };
        let in_unread = || {
            // With nothing consumed, the member's first byte is the buffer's first: skip it.
            let skip = usize::from(rlen == 0 && kept_from == member_offset);
            find(unread.get(skip..).unwrap_or_default(), &MEMBER_MAGIC)
                .map(|i| (self.consumed + (i + skip) as u64, 0))
        };
        let last_in_replay = || {
            straddling().or_else(|| {
                rfind(replay.get(1..).unwrap_or_default(), &MEMBER_MAGIC).map(|i| i + 1)
            })
        };
        let back = match in_replay().or_else(straddling) {
            Some(i) if self.rewound.saturating_add((rlen - i) as u64) <= budget => Some(i),
            Some(_) => last_in_replay(),
            None => None,
        };
        let found = back
            .map(|i| (kept_from + i as u64, rlen - i))
            .or_else(in_unread);
        match found {
            // In the member's bytes: those bytes come again, then the buffer.
            Some((offset, again)) if again > 0 => {
                let mut front = replay[rlen - again..].to_vec();
                front.extend_from_slice(unread);
                self.buf = front;
                self.at = 0;
                self.consumed = offset;
                self.rewound = self.rewound.saturating_add(again as u64);
                self.replay = Some(Vec::new());
                self
            }
            Some((offset, _)) => {
                let n = (offset - self.consumed) as usize;
                self.at += n;
                self.consumed = offset;
                self.replay = Some(Vec::new());
                self
            }
            None => {
                self.replay = Some(Vec::new());
                if self.consumed == member_offset && self.at < self.buf.len() {
                    // Nothing consumed: step over the member's first byte, or the search
                    // would find the same member again.
                    self.at += 1;
                    self.consumed += 1;
                }
                skip_to_member(self)
            }
        }
    }

    fn record(&mut self, from: usize, to: usize) {
        if let Some(r) = &mut self.replay {
            let bytes = self.buf.get(from..to).unwrap_or_default();
            if r.len() + bytes.len() > self.replay_max {
                self.replay = None;
            } else {
                r.extend_from_slice(bytes);
            }
        }
    }
}

impl Read for Counting {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Counting {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.at >= self.buf.len() {
            if self.buf.capacity() > 2 * READ_SIZE {
                // Bytes given back after a damaged member made it large: do not keep that.
                self.buf = Vec::new();
            }
            self.buf.resize(READ_SIZE, 0);
            self.at = 0;
            let n = loop {
                match self.rest.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.buf.clear();
                        return Err(e);
                    }
                }
            };
            self.buf.truncate(n);
        }
        Ok(&self.buf[self.at..])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.buf.len() - self.at);
        self.record(self.at, self.at + amt);
        self.at += amt;
        self.consumed += amt as u64;
    }
}

impl Records {
    /// An uncompressed (or already decompressed, e.g. zstd) WARC stream.
    pub fn plain(origin: String, r: Box<dyn BufRead + Send>, max: u64) -> Records {
        Records {
            origin,
            max,
            src: Src::Plain {
                r,
                pos: 0,
                carry: None,
            },
            done: false,
        }
    }

    /// A gzipped WARC stream, read member by member.
    pub fn gzip(origin: String, raw: Box<dyn Read + Send>, max: u64) -> Records {
        Records {
            origin,
            max,
            src: Src::Gzip {
                raw: Some(Counting::new(raw, max.min(usize::MAX as u64) as usize)),
                member: None,
            },
            done: false,
        }
    }

    fn next_plain(&mut self) -> Option<SourceItem> {
        let Src::Plain { r, pos, carry } = &mut self.src else {
            return None;
        };
        match next_record(r.as_mut(), pos, carry, self.max) {
            Framed::End => {
                self.done = true;
                None
            }
            Framed::Record(rec) => Some(item(
                format!("{}@{}", self.origin, rec.offset),
                rec,
                self.max,
            )),
            Framed::Bad {
                offset,
                detail,
                fatal,
            } => {
                self.done |= fatal;
                Some(failed(format!("{}@{offset}", self.origin), detail))
            }
            Framed::Refused { offset, exceeded } => {
                self.done = true;
                Some(SourceItem::Failed(SourceError::Limit {
                    path: format!("{}@{offset}", self.origin),
                    exceeded,
                }))
            }
        }
    }

    fn next_gzip(&mut self) -> Option<SourceItem> {
        let Src::Gzip { raw, member } = &mut self.src else {
            return None;
        };
        loop {
            if member.is_none() {
                let mut stream = raw.take()?;
                stream.replay = Some(Vec::new());
                match stream.fill_buf() {
                    Ok([]) => return None,
                    Ok(_) => {}
                    Err(e) => {
                        let at = format!("{}@{}", self.origin, stream.consumed);
                        return Some(failed(at, format!("cannot read: {e}")));
                    }
                }
                *member = Some(Box::new(Member {
                    offset: stream.consumed,
                    r: BufReader::with_capacity(64 * 1024, flate2::bufread::GzDecoder::new(stream)),
                    pos: 0,
                    carry: None,
                }));
            }
            let m = member.as_mut()?;
            let at = |off: u64| match off {
                0 => format!("{}@{}", self.origin, m.offset),
                off => format!("{}@{}+{off}", self.origin, m.offset),
            };
            match next_record(&mut m.r, &mut m.pos, &mut m.carry, self.max) {
                Framed::Record(rec) => return Some(item(at(rec.offset), rec, self.max)),
                Framed::Bad {
                    offset,
                    detail,
                    fatal: false,
                } => return Some(failed(at(offset), detail)),
                Framed::End => {
                    let m = member.take()?;
                    *raw = Some(m.r.into_inner().into_inner());
                }
                Framed::Refused { offset, exceeded } => {
                    // Only a zstd decoder refuses, and members are gzip: kept for completeness,
                    // as the end of the stream.
                    let path = at(offset);
                    self.done = true;
                    return Some(SourceItem::Failed(SourceError::Limit { path, exceeded }));
                }
                Framed::Bad {
                    offset: inner,
                    detail,
                    ..
                } => {
                    // The record where reading failed, inside its member: a member holding
                    // several records may have given some already, and two items never share
                    // an origin (failures are recorded by origin).
                    let origin = at(inner);
                    // The member is damaged: give up on it and look for the next one.
                    let m = member.take()?;
                    let offset = m.offset;
                    let stream = m.r.into_inner().into_inner();
                    *raw = Some(stream.resume_after_damage(offset));
                    return Some(failed(
                        origin,
                        format!(
                            "{detail} (gzip member at byte {offset}; reading goes on after it)"
                        ),
                    ));
                }
            }
        }
    }
}

impl Iterator for Records {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        if self.done {
            return None;
        }
        let next = match self.src {
            Src::Plain { .. } => self.next_plain(),
            Src::Gzip { .. } => self.next_gzip(),
        };
        if next.is_none() {
            self.done = true;
        }
        next
    }
}

/// `r` moved to the next gzip member header at or after the current position (or to the
/// end of the stream). Skipped bytes are not kept for replay: they are not a member's.
fn skip_to_member(mut r: Counting) -> Counting {
    // A magic may straddle two reads: its first bytes are carried over to the next buffer.
    let mut carried = 0usize;
    loop {
        let refill = r.at >= r.buf.len();
        match r.fill_buf() {
            Ok(b) if !b.is_empty() => {}
            // The end (or a read error, which the next member reports): nothing to find.
            _ => return r,
        }
        if refill && carried > 0 {
            let mut front = MEMBER_MAGIC[..carried].to_vec();
            front.extend_from_slice(&r.buf[r.at..]);
            r.buf = front;
            r.at = 0;
            r.consumed -= carried as u64;
        }
        let unread = &r.buf[r.at..];
        if let Some(i) = find(unread, &MEMBER_MAGIC) {
            r.at += i;
            r.consumed += i as u64;
            return r;
        }
        carried = (1..MEMBER_MAGIC.len())
            .rev()
            .find(|&k| unread.ends_with(&MEMBER_MAGIC[..k]))
            .unwrap_or(0);
        let n = unread.len();
        r.at += n;
        r.consumed += n as u64;
    }
}

/// One WARC record as framed: its header fields and block.
struct Record {
    offset: u64,
    headers: Vec<(String, String)>,
    block: Block,
}

enum Block {
    Bytes(Vec<u8>),
    /// Over the limit: read past, not kept.
    TooLarge(u64),
}

enum Framed {
    End,
    Record(Record),
    /// `fatal`: the stream cannot be read further (truncated, or the decompressor failed).
    Bad {
        offset: u64,
        detail: String,
        fatal: bool,
    },
    /// The decompressor refused the stream over a limit: a skip, and the stream ends.
    Refused {
        offset: u64,
        exceeded: LimitExceeded,
    },
}

/// Reads one line (with its end) into a new buffer; `None` at the end of the stream. Bytes of
/// a line past `max` are read and dropped.
fn read_line(r: &mut dyn BufRead, pos: &mut u64, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let mut any = false;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(any.then_some(line));
        }
        any = true;
        let (take, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let keep = take.min(max.saturating_sub(line.len()));
        line.extend_from_slice(&chunk[..keep]);
        r.consume(take);
        *pos += take as u64;
        if end {
            return Ok(Some(line));
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\r\n" || line == b"\n"
}

fn next_record(
    r: &mut dyn BufRead,
    pos: &mut u64,
    carry: &mut Option<(u64, Vec<u8>)>,
    max: u64,
) -> Framed {
    // A read error is reported at the record being read, not where in it the stream broke:
    // the record's offset is where a user can start looking, and it is never a record that
    // was already given.
    let start = carry.as_ref().map_or(*pos, |(at, _)| *at);
    match frame(r, pos, carry, max) {
        Ok(f) => f,
        Err(e) => match super::read_limit(&e) {
            Some(exceeded) => Framed::Refused {
                offset: start,
                exceeded,
            },
            None => Framed::Bad {
                offset: start,
                detail: format!("cannot read: {e}"),
                fatal: true,
            },
        },
    }
}

fn frame(
    r: &mut dyn BufRead,
    pos: &mut u64,
    carry: &mut Option<(u64, Vec<u8>)>,
    max: u64,
) -> std::io::Result<Framed> {
    // The version line: records are separated by blank lines.
    let (offset, first) = loop {
        if let Some(c) = carry.take() {
            break c;
        }
        let at = *pos;
        match read_line(r, pos, MAX_HEADER)? {
            None => return Ok(Framed::End),
            Some(l) if is_blank(&l) => continue,
            Some(l) => break (at, l),
        }
    };
    if !first.starts_with(b"WARC/") {
        let skipped = resync(r, pos, carry)?;
        return Ok(Framed::Bad {
            offset,
            detail: format!(
                "not a WARC record: expected `WARC/1.x`, found `{}`; skipped {skipped} bytes to the next record",
                printable(&first)
            ),
            fatal: false,
        });
    }
    let mut header = first;
    loop {
        match read_line(r, pos, MAX_HEADER)? {
            None => {
                return Ok(Framed::Bad {
                    offset,
                    detail: "truncated WARC record: the stream ends inside its header".into(),
                    fatal: true,
                })
            }
            Some(l) => {
                let blank = is_blank(&l);
                header.extend_from_slice(&l);
                if blank {
                    break;
                }
                if header.len() > MAX_HEADER {
                    let skipped = header.len() as u64 + resync(r, pos, carry)?;
                    return Ok(Framed::Bad {
                        offset,
                        detail: format!("WARC header over {MAX_HEADER} bytes; skipped {skipped} bytes to the next record"),
                        fatal: false,
                    });
                }
            }
        }
    }
    // The parser stops at the first line that is not a field and still succeeds, so what it
    // leaves must be the blank line that ends the header.
    let unfolded = unfold(&header);
    let parsed = warc::parser::headers(&unfolded)
        .ok()
        .filter(|(rest, _)| is_blank(rest));
    let Some((_, (_, fields, _))) = parsed else {
        let skipped = header.len() as u64 + resync(r, pos, carry)?;
        return Ok(Framed::Bad {
            offset,
            detail: format!(
                "malformed WARC header: {}; skipped {skipped} bytes to the next record",
                header_problem(&header)
            ),
            fatal: false,
        });
    };
    let headers: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v).trim().to_string()))
        .collect();
    let Some(len) = field(&headers, "Content-Length").and_then(|v| v.parse::<u64>().ok()) else {
        let skipped = header.len() as u64 + resync(r, pos, carry)?;
        return Ok(Framed::Bad {
            offset,
            detail: format!("WARC record without a valid Content-Length; skipped {skipped} bytes to the next record"),
            fatal: false,
        });
    };
    let block = if len > max {
        let got = std::io::copy(&mut r.take(len), &mut std::io::sink())?;
        *pos += got;
        if got < len {
            return Ok(truncated(offset, len, got));
        }
        Block::TooLarge(len)
    } else {
        // The declared length is not trusted for the allocation: a record that claims 60 MB
        // and holds 100 bytes must cost 100 bytes. `read_to_end` grows the buffer as data comes.
        let mut buf = Vec::with_capacity(len.min(BLOCK_GUESS) as usize);
        let got = r.take(len).read_to_end(&mut buf)? as u64;
        *pos += got;
        if got < len {
            return Ok(truncated(offset, len, got));
        }
        Block::Bytes(buf)
    };
    // The block is followed by CRLF CRLF; be lenient about how many line ends there are.
    for _ in 0..4 {
        match r.fill_buf()?.first() {
            Some(b'\r' | b'\n') => {
                r.consume(1);
                *pos += 1;
            }
            _ => break,
        }
    }
    // Then comes the next record, more blank lines, or the end. Anything else means the
    // Content-Length is not the block's length: the block took the start of the next record
    // (which would be lost without a word, or its bytes passed off as this page's), or the
    // rest of this block follows. Either way this record cannot be trusted.
    let next = r.fill_buf()?;
    let fits = next.is_empty()
        || matches!(next[0], b'\r' | b'\n')
        || next.starts_with(b"WARC/")
        || (next.len() < 5 && b"WARC/".starts_with(next));
    if !fits {
        let skipped = resync(r, pos, carry)?;
        return Ok(Framed::Bad {
            offset,
            detail: format!(
                "WARC record's Content-Length ({len}) does not end its block: the bytes after \
                 it are not the next record; skipped {skipped} bytes to the next record"
            ),
            fatal: false,
        });
    }
    Ok(Framed::Record(Record {
        offset,
        headers,
        block,
    }))
}

fn truncated(offset: u64, len: u64, got: u64) -> Framed {
    Framed::Bad {
        offset,
        detail: format!(
            "truncated WARC record: Content-Length is {len} bytes, the stream ends after {got}"
        ),
        fatal: true,
    }
}

/// Reads lines until one starts a record (`WARC/1.`), leaving it in `carry`; returns the bytes
/// passed over.
fn resync(
    r: &mut dyn BufRead,
    pos: &mut u64,
    carry: &mut Option<(u64, Vec<u8>)>,
) -> std::io::Result<u64> {
    let start = *pos;
    loop {
        let at = *pos;
        match read_line(r, pos, MAX_HEADER)? {
            None => return Ok(*pos - start),
            Some(l) if l.starts_with(b"WARC/1.") => {
                *carry = Some((at, l));
                return Ok(at - start);
            }
            Some(_) => {}
        }
    }
}

fn field<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The header with folded fields joined: WARC/1.0 (as HTTP/1.1) lets a field continue on lines
/// that start with a space or a tab, which the parser does not read. Each line break before such
/// a line, with the blanks after it, becomes one space.
fn unfold(header: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let folds_at = |i: usize| header[i] == b'\n' && matches!(header.get(i + 1), Some(b' ' | b'\t'));
    if !(0..header.len()).any(folds_at) {
        return std::borrow::Cow::Borrowed(header);
    }
    let mut out = Vec::with_capacity(header.len());
    let mut i = 0;
    while i < header.len() {
        if folds_at(i) {
            if out.last() == Some(&b'\r') {
                out.pop();
            }
            out.push(b' ');
            i += 1;
            while matches!(header.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            continue;
        }
        out.push(header[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

/// A byte a field name may hold: visible ASCII but the separators of RFC 2616 (the WARC
/// parser's rule).
fn is_token(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// What is wrong with a header the parser rejected, as far as a look at its lines tells: the
/// first field line that is not `Name: value` (nor a continuation), or a value that is not a
/// number where one is due.
fn header_problem(header: &[u8]) -> String {
    let lines = header
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .skip(1);
    for (i, line) in lines {
        if line.is_empty() || line.starts_with(b" ") || line.starts_with(b"\t") {
            continue;
        }
        let name_end = line
            .iter()
            .position(|&b| b == b':')
            .map(|colon| line[..colon].trim_ascii_end().len());
        let Some(name_end) = name_end.filter(|&n| n > 0 && line[..n].iter().all(|&b| is_token(b)))
        else {
            return format!("line {} `{}` is not `Name: value`", i + 1, printable(line));
        };
        let colon = name_end
            + line[name_end..]
                .iter()
                .position(|&b| b == b':')
                .unwrap_or(0);
        let (name, value) = (&line[..name_end], line[colon + 1..].trim_ascii_start());
        let count = std::str::from_utf8(value)
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        if name.eq_ignore_ascii_case(b"Content-Length") && count.is_none() {
            return format!(
                "line {} `{}` does not give a byte count",
                i + 1,
                printable(line)
            );
        }
    }
    "a field the WARC parser rejects".into()
}

fn printable(line: &[u8]) -> String {
    let s: String = String::from_utf8_lossy(line)
        .trim_end()
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    s
}

/// A header value for a message: control characters escaped and cut after 40 characters, as
/// the value may be up to a header's size and hold terminal escapes.
fn shortened(value: &str) -> String {
    let mut chars = value.chars();
    let mut out: String = chars
        .by_ref()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

fn failed(path: String, detail: String) -> SourceItem {
    SourceItem::Failed(SourceError::Warc { path, detail })
}

/// The record types WARC 1.1 defines.
const WARC_TYPES: [&str; 8] = [
    "warcinfo",
    "response",
    "resource",
    "request",
    "metadata",
    "revisit",
    "conversion",
    "continuation",
];

fn ignored(origin: String, kind: impl Into<String>) -> SourceItem {
    SourceItem::Ignored {
        origin,
        kind: kind.into(),
    }
}

/// A framed record → a document, or what it is when it is not one.
fn item(origin: String, rec: Record, max: u64) -> SourceItem {
    // The summary counts ignored records by this name, and prints and stores each name: the
    // record types of WARC 1.1 are kept, any other value (up to a MiB, any bytes) would make
    // one entry per distinct value and reach the terminal as written.
    let kind = match field(&rec.headers, "WARC-Type") {
        None | Some("") => "(no warc-type)",
        Some(k) => WARC_TYPES
            .iter()
            .find(|t| k.eq_ignore_ascii_case(t))
            .copied()
            .unwrap_or("other record type"),
    };
    if kind != "response" {
        return ignored(origin, kind);
    }
    let block = match rec.block {
        Block::Bytes(b) => b,
        Block::TooLarge(len) => {
            return SourceItem::Failed(SourceError::Limit {
                path: origin,
                exceeded: LimitExceeded::InputSize {
                    size: len,
                    limit: max,
                },
            })
        }
    };
    let Some(http) = Http::parse(&block) else {
        return ignored(origin, "response (not HTTP)");
    };
    if !(200..300).contains(&http.status) {
        // Counted by status too: a made-up one would add a kind per value.
        return ignored(
            origin,
            if (100..600).contains(&http.status) {
                format!("response (HTTP {})", http.status)
            } else {
                "response (HTTP status out of range)".into()
            },
        );
    }
    let body = &block[http.body_at..];
    let html = match &http.content_type {
        Some(ct) => ct.to_ascii_lowercase().contains("html"),
        // No declared type: HTML if it starts like markup.
        None => body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<'),
    };
    if !html {
        return ignored(origin, "response (not HTML)");
    }
    let bytes = match http.payload(body, max) {
        Ok(b) => b,
        Err(Payload::Bad(detail)) => return failed(origin, detail),
        Err(Payload::TooLarge) => {
            // Only a lower bound is known: inflating stopped one byte past the limit.
            return SourceItem::Failed(SourceError::Limit {
                path: origin,
                exceeded: LimitExceeded::InputSize {
                    size: max.saturating_add(1),
                    limit: max,
                },
            });
        }
    };
    let mut extra = std::collections::BTreeMap::new();
    if let Some(date) = field(&rec.headers, "WARC-Date") {
        extra.insert("warc_date".to_string(), date.into());
    }
    SourceItem::Doc(RawDocument {
        url: field(&rec.headers, "WARC-Target-URI")
            .map(|u| u.trim_matches(|c| c == '<' || c == '>').to_string()),
        content_type: http.content_type,
        bytes,
        info: InputInfo {
            kind: None,
            id: field(&rec.headers, "WARC-Record-ID").map(str::to_string),
            extra,
        },
        origin,
    })
}

/// The HTTP response head of a `response` record.
struct Http {
    status: u16,
    content_type: Option<String>,
    chunked: bool,
    encoding: Option<String>,
    body_at: usize,
}

impl Http {
    fn parse(block: &[u8]) -> Option<Http> {
        if !block.starts_with(b"HTTP/") {
            return None;
        }
        let head_len = block.len().min(MAX_HEADER);
        let end = find(&block[..head_len], b"\r\n\r\n")
            .map(|i| i + 4)
            .or_else(|| find(&block[..head_len], b"\n\n").map(|i| i + 2))
            .unwrap_or(block.len());
        let head = String::from_utf8_lossy(&block[..end]);
        let mut lines = head.lines();
        let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
        let mut http = Http {
            status,
            content_type: None,
            chunked: false,
            encoding: None,
            body_at: end,
        };
        for line in lines {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim();
            match k.trim().to_ascii_lowercase().as_str() {
                "content-type" => http.content_type = Some(v.to_string()),
                "transfer-encoding" => http.chunked = v.to_ascii_lowercase().contains("chunked"),
                "content-encoding" => http.encoding = Some(v.to_ascii_lowercase()),
                _ => {}
            }
        }
        Some(http)
    }

    /// The body as the server meant it: de-chunked and decompressed when the record kept the
    /// transfer as it came over the wire. Inflating stops one byte past `max`: a gzip bomb in
    /// an HTTP body costs at most `max` bytes, like any other record over the input limit.
    fn payload(&self, body: &[u8], max: u64) -> Result<Vec<u8>, Payload> {
        let body = if self.chunked {
            dechunk(body).unwrap_or_else(|| body.to_vec())
        } else {
            body.to_vec()
        };
        let inflate = |r: &mut dyn Read, what: &str| {
            let mut out = Vec::with_capacity(body.len().min(BLOCK_GUESS as usize));
            r.take(max.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|e| Payload::Bad(format!("HTTP body is not valid {what}: {e}")))?;
            if out.len() as u64 > max {
                return Err(Payload::TooLarge);
            }
            Ok(out)
        };
        match self.encoding.as_deref() {
            None | Some("identity" | "") => Ok(body),
            Some("gzip" | "x-gzip") => inflate(
                &mut flate2::read::MultiGzDecoder::new(body.as_slice()),
                "gzip",
            ),
            Some("deflate") => inflate(
                &mut flate2::read::ZlibDecoder::new(body.as_slice()),
                "deflate",
            ),
            Some(other) => Err(Payload::Bad(format!(
                "unsupported HTTP Content-Encoding `{}`",
                shortened(other)
            ))),
        }
    }
}

/// Why an HTTP body could not be turned into a document.
#[derive(Debug)]
enum Payload {
    /// The body is damaged or in an encoding we cannot undo.
    Bad(String),
    /// The body inflates past the input limit.
    TooLarge,
}

/// Decodes `Transfer-Encoding: chunked`; `None` when the body is not chunked after all (many
/// archivers store the de-chunked body but keep the header).
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(body, b"\r\n")?;
        let size_str = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size..)?;
        body = body.strip_prefix(b"\r\n").unwrap_or(body);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
        record_claiming(kind, uri, block, block.len())
    }

    /// [`record`] whose `Content-Length` says `claimed` whatever the block's length.
    fn record_claiming(kind: &str, uri: &str, block: &[u8], claimed: usize) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\nContent-Length: {claimed}\r\n\r\n"
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn response(html: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n{html}")
            .into_bytes()
    }

    fn summarize(items: impl Iterator<Item = SourceItem>) -> Vec<String> {
        items
            .map(|i| match i {
                SourceItem::Doc(d) => format!("doc {} {}", d.origin, d.url.unwrap_or_default()),
                SourceItem::Failed(e) => format!("failed {e}"),
                SourceItem::Ignored { origin, kind } => format!("ignored {origin} {kind}"),
            })
            .collect()
    }

    #[test]
    fn responses_are_documents_and_other_records_are_ignored() {
        let mut w = record("warcinfo", "", b"software: test\r\n");
        let second = w.len();
        w.extend(record(
            "request",
            "http://a.example/",
            b"GET / HTTP/1.1\r\n\r\n",
        ));
        let third = w.len();
        w.extend(record(
            "response",
            "http://a.example/",
            &response("<p>Hi</p>"),
        ));
        let fourth = w.len();
        w.extend(record(
            "response",
            "http://a.example/x.png",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            1 << 20,
        ));
        assert_eq!(
            got,
            [
                "ignored w.warc@0 warcinfo".to_string(),
                format!("ignored w.warc@{second} request"),
                format!("doc w.warc@{third} http://a.example/"),
                format!("ignored w.warc@{fourth} response (not HTML)"),
            ]
        );
    }

    #[test]
    fn a_content_length_that_does_not_end_the_block_fails_the_record_not_the_next_silently() {
        // The first record claims 40 bytes more than its block: it takes the trailer and the
        // start of the second record's header.
        let one = response("<p>One</p>");
        let claimed = one.len();
        let mut w = record_claiming("response", "http://a.example/1", &one, claimed + 40);
        w.extend(record(
            "response",
            "http://a.example/2",
            &response("<p>Two</p>"),
        ));
        let third = w.len();
        w.extend(record(
            "response",
            "http://a.example/3",
            &response("<p>Three</p>"),
        ));
        // A block one byte short leaves a byte of itself where the next record should start.
        let fourth = w.len();
        let four = response("<p>Four</p>");
        let len4 = four.len();
        w.extend(record_claiming(
            "response",
            "http://a.example/4",
            &four,
            len4 - 1,
        ));
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            1 << 20,
        ));
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got[0].starts_with(&format!(
                "failed `w.warc@0`: WARC record's Content-Length ({}) does not end its block",
                claimed + 40
            )),
            "{got:?}"
        );
        assert_eq!(got[1], format!("doc w.warc@{third} http://a.example/3"));
        assert!(
            got[2].starts_with(&format!(
                "failed `w.warc@{fourth}`: WARC record's Content-Length ({})",
                len4 - 1
            )),
            "{got:?}"
        );
    }

    #[test]
    fn an_empty_warc_type_is_no_type() {
        // Found by the `warc` fuzz target: `WARC-Type:` with nothing after it.
        let w = record("", "http://a.example/", b"x");
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            1 << 20,
        ));
        assert_eq!(got, ["ignored w.warc@0 (no warc-type)"]);
    }

    #[test]
    fn record_types_outside_warc_1_1_are_counted_as_one_kind() {
        let huge = "x".repeat(100_000);
        let mut w = Vec::new();
        let mut offsets = Vec::new();
        for kind in ["Metadata", "\x1b[31mred", huge.as_str(), "revisit"] {
            offsets.push(w.len());
            w.extend(record(kind, "http://a.example/", b"x"));
        }
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            1 << 20,
        ));
        assert_eq!(
            got,
            [
                format!("ignored w.warc@{} metadata", offsets[0]),
                format!("ignored w.warc@{} other record type", offsets[1]),
                format!("ignored w.warc@{} other record type", offsets[2]),
                format!("ignored w.warc@{} revisit", offsets[3]),
            ]
        );
    }

    #[test]
    fn an_unsupported_content_encoding_is_named_short_and_escaped() {
        let body = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: \x1b[31m{}\r\n\r\n<p>x</p>",
            "z".repeat(5000)
        );
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(record(
                "response",
                "http://a.example/",
                body.as_bytes(),
            ))),
            1 << 20,
        ));
        assert_eq!(got.len(), 1);
        assert!(
            got[0].contains(&format!("`\\u{{1b}}[31m{}…`", "z".repeat(35))),
            "{}",
            got[0]
        );
        assert!(!got[0].contains('\x1b') && got[0].len() < 200, "{}", got[0]);
    }

    #[test]
    fn a_broken_record_fails_alone_and_reading_resumes() {
        let mut w = b"garbage line\r\nmore\r\n".to_vec();
        let good = w.len();
        w.extend(record(
            "response",
            "http://b.example/",
            &response("<p>B</p>"),
        ));
        let trunc = w.len();
        let mut cut = record("response", "http://c.example/", &response("<p>C</p>"));
        cut.truncate(cut.len() - 10);
        w.extend(cut);
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            1 << 20,
        ));
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got[0].starts_with("failed `w.warc@0`: not a WARC record"),
            "{got:?}"
        );
        assert_eq!(got[1], format!("doc w.warc@{good} http://b.example/"));
        assert!(
            got[2].starts_with(&format!("failed `w.warc@{trunc}`: truncated WARC record")),
            "{got:?}"
        );
    }

    #[test]
    fn gzip_members_give_compressed_offsets() {
        let gz = |b: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(b).unwrap();
            e.finish().unwrap()
        };
        let mut file = gz(&record("warcinfo", "", b"x"));
        let second = file.len();
        file.extend(gz(&record(
            "response",
            "http://a.example/",
            &response("<p>A</p>"),
        )));
        let third = file.len();
        let mut bad = gz(&record(
            "response",
            "http://b.example/",
            &response("<p>B</p>"),
        ));
        bad.truncate(bad.len() / 2);
        file.extend(bad);
        let fourth = file.len();
        // One member holding two records: the second is addressed inside the member.
        let two = [
            record("response", "http://c.example/", &response("<p>C</p>")),
            record("response", "http://d.example/", &response("<p>D</p>")),
        ];
        let inner = two[0].len();
        file.extend(gz(&two.concat()));
        let got = summarize(Records::gzip(
            "w.warc.gz".into(),
            Box::new(std::io::Cursor::new(file)),
            1 << 20,
        ));
        assert_eq!(got.len(), 5, "{got:?} {second} {third} {fourth}");
        assert_eq!(got[0], "ignored w.warc.gz@0 warcinfo");
        assert_eq!(got[1], format!("doc w.warc.gz@{second} http://a.example/"));
        assert!(
            got[2].starts_with(&format!("failed `w.warc.gz@{third}`")),
            "{got:?}"
        );
        assert_eq!(got[3], format!("doc w.warc.gz@{fourth} http://c.example/"));
        assert_eq!(
            got[4],
            format!("doc w.warc.gz@{fourth}+{inner} http://d.example/")
        );
    }

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    /// Reads `file` as a `.warc.gz` on a thread with the pipeline reader's default 2 MiB
    /// stack; the items and the time taken.
    fn read_gz_on_small_stack(file: Vec<u8>) -> (Vec<String>, std::time::Duration) {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let t = std::time::Instant::now();
                let got = summarize(Records::gzip(
                    "w.warc.gz".into(),
                    Box::new(std::io::Cursor::new(file)),
                    64 << 20,
                ));
                (got, t.elapsed())
            })
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn many_small_damaged_members_do_not_nest_readers() {
        // A gzip header, then a deflate block of the reserved type 3: each member fails at
        // once, 30 000 times, then a good member. Going back used to wrap the stream in one
        // more `Chain` per member, and reading through 30 000 of them overflowed the stack.
        let bad: &[u8] = &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x07];
        let mut file = bad.repeat(30_000);
        let good = file.len();
        file.extend(gz(&record(
            "response",
            "http://a.example/",
            &response("<p>A</p>"),
        )));
        let (got, _) = read_gz_on_small_stack(file);
        assert_eq!(got.len(), 30_001);
        assert!(got[1].starts_with("failed `w.warc.gz@11`"), "{}", got[1]);
        assert_eq!(
            got[30_000],
            format!("doc w.warc.gz@{good} http://a.example/")
        );
    }

    #[test]
    fn damaged_members_that_fail_far_ahead_cost_linear_time() {
        // `1f 8b 08 08` repeated: every offset four bytes apart starts a member whose file
        // name field runs until flate2 gives up at 64 KiB. Going back to each next magic read
        // 64 KiB per 4 bytes of input (16 GB for this 1 MiB); the rewind budget keeps the
        // total to a few times the file.
        let mut file = [0x1f, 0x8b, 8, 8].repeat(256 * 1024);
        let good = file.len();
        file.extend(gz(&record(
            "response",
            "http://a.example/",
            &response("<p>A</p>"),
        )));
        let (got, took) = read_gz_on_small_stack(file);
        assert!(took.as_secs() < 20, "took {took:?}");
        assert!(got.len() < 200, "{} items", got.len());
        assert!(
            got.iter()
                .all(|g| g.starts_with("failed `w.warc.gz@") || g.starts_with("doc")),
            "{got:?}"
        );
        assert_eq!(
            got.last().unwrap(),
            &format!("doc w.warc.gz@{good} http://a.example/")
        );
    }

    #[test]
    fn a_member_magic_across_two_reads_is_found() {
        // Garbage whose last two bytes start a magic exactly at the 64 KiB read boundary
        // (after the damaged first member's bytes), then the rest of a good member.
        let member = gz(&record(
            "response",
            "http://a.example/",
            &response("<p>A</p>"),
        ));
        let mut file = vec![b'x'; READ_SIZE - 2];
        file[0] = 0x1f; // A "member" of garbage at 0: fails, skip to the next magic.
        file[1] = 0x8b;
        file[2] = 8;
        file[3] = 0;
        file.extend(&member);
        let (got, _) = read_gz_on_small_stack(file);
        assert_eq!(
            got.last().unwrap(),
            &format!("doc w.warc.gz@{} http://a.example/", READ_SIZE - 2)
        );
    }

    #[test]
    fn http_payloads_are_dechunked_and_decompressed() {
        let http = Http::parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
        assert_eq!(
            http.payload(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 100)
                .unwrap(),
            b"abcde"
        );
        assert_eq!(http.payload(b"plain body", 100).unwrap(), b"plain body");
        // A chunk size far past the body is not chunked after all: the body is kept as is,
        // nothing of the declared size is allocated.
        let huge = b"ffffffffffffffff\r\nabc\r\n0\r\n\r\n";
        assert_eq!(http.payload(huge, 100).unwrap(), huge);
        let br = Http::parse(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n").unwrap();
        assert!(matches!(br.payload(b"x", 100), Err(Payload::Bad(m)) if m.contains("`br`")));
    }

    #[test]
    fn an_http_gzip_bomb_is_refused_at_the_input_limit() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![b'<'; 1_000_000]).unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend(e.finish().unwrap());
        let mut w = record("response", "http://bomb.example/", &block);
        let next = w.len();
        w.extend(record(
            "response",
            "http://ok.example/",
            &response("<p>ok</p>"),
        ));
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            64 * 1024,
        ));
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with("failed limit max-input-size exceeded"),
            "{got:?}"
        );
        assert!(got[0].contains("the limit is 65536"), "{got:?}");
        assert_eq!(got[1], format!("doc w.warc@{next} http://ok.example/"));
    }

    #[test]
    fn a_declared_length_is_not_allocated_before_it_is_read() {
        // 60 MB declared under a 64 MB limit, 20 bytes present: a truncated record, at once.
        let w = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 60000000\r\n\r\nHTTP/1.1 200 OK\r\n".to_vec();
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            64 << 20,
        ));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains("Content-Length is 60000000 bytes, the stream ends after 17"),
            "{got:?}"
        );
    }

    #[test]
    fn a_rejected_header_is_described_by_its_bad_line() {
        assert_eq!(
            header_problem(b"WARC/1.0\r\nWARC-Type: response\r\nGarbage\r\n\r\n"),
            "line 3 `Garbage` is not `Name: value`"
        );
        assert_eq!(
            header_problem(b"WARC/1.0\r\nContent-Length: 99999999999999999999\r\n\r\n"),
            "line 2 `Content-Length: 99999999999999999999` does not give a byte count"
        );
        assert_eq!(
            header_problem(b"WARC/1.0\r\nContent-Length: 12 \r\n\r\n"),
            "line 2 `Content-Length: 12` does not give a byte count"
        );
        assert_eq!(
            header_problem(b"WARC/1.0\r\nWARC Type: response\r\n\r\n"),
            "line 2 `WARC Type: response` is not `Name: value`"
        );
        assert_eq!(
            header_problem(b"WARC/1.0\r\nWARC-Type: response\r\n continued\r\n\r\n"),
            "a field the WARC parser rejects"
        );
    }

    #[test]
    fn folded_header_fields_are_joined() {
        let good = record("response", "http://a.example/", &response("<p>Hi</p>"));
        let folded = String::from_utf8(good)
            .unwrap()
            .replacen("WARC-Type: response", "WARC-Type:\r\n  response", 1)
            .replacen("WARC-Date:", "WARC-Foo: a\r\n\tb\r\nWARC-Date:", 1);
        let got = summarize(Records::plain(
            "f.warc".into(),
            Box::new(std::io::Cursor::new(folded.into_bytes())),
            1 << 20,
        ));
        assert_eq!(got, ["doc f.warc@0 http://a.example/"]);
        assert_eq!(
            &*unfold(b"A: 1\r\n  2\r\nB: 3\r\n\r\n"),
            b"A: 1 2\r\nB: 3\r\n\r\n"
        );
    }

    /// The parser stops at the first line that is not a field and returns what it read:
    /// taken as it was, a record would lose every field after the bad line (its URL, say).
    #[test]
    fn a_bad_line_inside_a_header_fails_the_record_and_reading_goes_on() {
        let good = record("response", "http://a.example/", &response("<p>Hi</p>"));
        let mut broken = String::from_utf8(good.clone()).unwrap().replacen(
            "WARC-Target-URI:",
            "Garbage line\r\nWARC-Target-URI:",
            1,
        );
        broken = broken.replacen("http://a.example/", "http://b.example/", 1);
        let mut w = broken.into_bytes();
        let second = w.len();
        w.extend(&good);
        let got = summarize(Records::plain(
            "w.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            1 << 20,
        ));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            format!("failed `w.warc@0`: malformed WARC header: line 3 `Garbage line` is not `Name: value`; skipped {second} bytes to the next record")
        );
        assert_eq!(got[1], format!("doc w.warc@{second} http://a.example/"));
    }
}
