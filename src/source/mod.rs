//! Sources: turn what the user named on the command line into raw documents.
//!
//! A path is a file, a folder (walked recursively, in sorted order so runs are reproducible,
//! skipping dot-files, filtered by [`Filter`]'s include/exclude globs) or `-` for stdin. A walk
//! reads symlinked files but does not enter symlinked folders (a link to a parent would make it
//! endless), nor the folders [`Filter::skip_dir`] names (the store being written). A file
//! is one document, or a container of many ([`Format`]): JSON Lines ([`jsonl`]) or WARC
//! ([`warc`]), chosen by extension or forced. Gzip and zstd are decompressed transparently, found
//! by their magic bytes whatever the file name.
//!
//! [`documents`] turns the inputs into a stream of [`SourceItem`]s, read lazily as the caller
//! iterates: memory is bounded by one record, never by a container (a multi-GB `.jsonl.zst` is
//! streamed line by line). A bad input or record is one [`SourceItem::Failed`] naming file and
//! line or byte offset; it never ends the stream, and a container goes on after a bad record
//! whenever its framing allows.
//!
//! Every document keeps its origin: the path as given (`-` for stdin), `path:LINE` for a JSON
//! Lines record (1-based line), `path@OFFSET` for a WARC record (byte offset of the record in
//! the file; in a `.warc.gz`, of its gzip member, plus `+OFFSET` inside the member when one
//! member holds several records).
//!
//! Size limits: a single-document file is refused from its size on disk
//! ([`Limits::max_input_bytes`]) and while inflating ([`Limits::max_decompressed_bytes`]). A
//! container is streamed, so neither applies to it as a whole; each of its records is refused
//! once its own (decompressed) size passes [`Limits::max_input_bytes`]. A refusal is a
//! [`SourceError::Limit`], which the pipeline records as a skip.

mod inflate;
pub mod jsonl;
pub mod warc;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::limits::{LimitExceeded, Limits};
use crate::model::{ContentKind, InputInfo, RawDocument};

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` does not exist")]
    Missing { path: String },
    /// A symbolic link whose target does not exist.
    #[error("`{path}` does not exist: broken symbolic link to `{target}`")]
    BrokenLink { path: String, target: String },
    /// A folder named as an input that is a deboiler store: its files are not documents.
    #[error("`{path}` is a deboiler store, not a folder of documents; hint: `deboiler export --db {path}` writes its articles as JSON Lines")]
    Store { path: String },
    #[error("`{path}` is not valid gzip: {detail}")]
    Gzip { path: String, detail: String },
    #[error("`{path}` is not valid zstd: {detail}")]
    Zstd { path: String, detail: String },
    /// A JSON Lines record that is not a usable document (the path is `file:LINE`).
    #[error("`{path}`: {detail}")]
    Jsonl { path: String, detail: String },
    /// A WARC record that cannot be read (the path is `file@OFFSET`).
    #[error("`{path}`: {detail}")]
    Warc { path: String, detail: String },
    /// A size limit refused the input (it is skipped, not failed).
    #[error("{exceeded}")]
    Limit {
        path: String,
        exceeded: LimitExceeded,
    },
}

impl SourceError {
    /// The input this error is about: a path, or a record's origin (`file:LINE`, `file@OFFSET`).
    pub fn path(&self) -> &str {
        match self {
            SourceError::Read { path, .. }
            | SourceError::Missing { path }
            | SourceError::Store { path }
            | SourceError::BrokenLink { path, .. }
            | SourceError::Gzip { path, .. }
            | SourceError::Zstd { path, .. }
            | SourceError::Jsonl { path, .. }
            | SourceError::Warc { path, .. }
            | SourceError::Limit { path, .. } => path,
        }
    }
}

/// A bad `--include`/`--exclude` pattern.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{glob}`: {detail}")]
pub struct GlobError {
    pub glob: String,
    pub detail: String,
}

/// Largest decompressed size accepted from a compressed input by default, against
/// decompression bombs (the default of [`Limits::max_decompressed_bytes`]).
pub const MAX_DECOMPRESSED: u64 = 256 * 1024 * 1024;

/// How an input file is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// By extension: `.jsonl`/`.ndjson` and `.warc` (each optionally followed by `.gz`,
    /// `.zst`) are containers, anything else (and stdin) is one document.
    #[default]
    Auto,
    /// The whole file is one document.
    Document,
    Jsonl,
    Warc,
}

/// Which JSON Lines fields hold what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonlFields {
    /// The content field; `None` tries `html`, then `text`, then `content`.
    pub content: Option<String>,
    pub url: String,
    pub id: String,
    /// Forces the documents' kind; `None`: a field named like `text` is text, others are
    /// sniffed.
    pub kind: Option<ContentKind>,
}

impl Default for JsonlFields {
    fn default() -> Self {
        JsonlFields {
            content: None,
            url: "url".into(),
            id: "id".into(),
            kind: None,
        }
    }
}

/// How inputs are turned into documents.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub limits: Limits,
    pub format: Format,
    pub jsonl: JsonlFields,
}

/// One item of the document stream.
#[derive(Debug)]
pub enum SourceItem {
    Doc(RawDocument),
    /// An input or record that could not be read; its origin is [`SourceError::path`].
    Failed(SourceError),
    /// A container record that is not a document (a WARC request, a non-HTML response): not
    /// an input outcome, only counted by type.
    Ignored {
        origin: String,
        kind: String,
    },
}

/// One input to read: a file path, or stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    /// The origin string recorded for this input: the path as given, or `-`.
    pub fn origin(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }

    /// How this input is read under `format`: never [`Format::Auto`].
    pub fn format(&self, format: Format) -> Format {
        match (format, self) {
            (Format::Auto, Input::Stdin) => Format::Document,
            (Format::Auto, Input::File(p)) => format_by_name(p),
            (f, _) => f,
        }
    }

    /// Reads the whole input under the default [`Limits`].
    pub fn read(&self) -> Result<RawDocument, SourceError> {
        self.read_limited(&Limits::default())
    }

    /// Reads the whole input as one document, refusing it once it passes `limits`' input or
    /// decompressed size.
    pub fn read_limited(&self, limits: &Limits) -> Result<RawDocument, SourceError> {
        let origin = self.origin();
        let io_err = |source| SourceError::Read {
            path: origin.clone(),
            source,
        };
        let too_large = |size: u64| SourceError::Limit {
            path: origin.clone(),
            exceeded: LimitExceeded::InputSize {
                size,
                limit: limits.max_input_bytes,
            },
        };
        let max = limits.max_input_bytes;
        let mut buf = Vec::new();
        match self {
            Input::File(p) => {
                // The size on disk refuses a huge file before a byte of it is read; the `take`
                // below still bounds a file that grows while it is read.
                let len = std::fs::metadata(p).map_err(io_err)?.len();
                if len > max {
                    return Err(too_large(len));
                }
                let file = std::fs::File::open(p).map_err(io_err)?;
                file.take(max.saturating_add(1))
                    .read_to_end(&mut buf)
                    .map_err(io_err)?;
            }
            Input::Stdin => {
                std::io::stdin()
                    .lock()
                    .take(max.saturating_add(1))
                    .read_to_end(&mut buf)
                    .map_err(io_err)?;
            }
        }
        if buf.len() as u64 > max {
            // Only a lower bound is known: reading stopped one byte past the limit.
            return Err(too_large(buf.len() as u64));
        }
        let bytes = decompress_limited(buf, &origin, limits.max_decompressed_bytes)?;
        Ok(RawDocument {
            origin,
            url: None,
            content_type: None,
            bytes,
            info: InputInfo::default(),
        })
    }

    /// The raw byte stream of the input, not decompressed.
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(match self {
            Input::File(p) => Box::new(std::fs::File::open(p)?),
            Input::Stdin => Box::new(std::io::stdin()),
        })
    }
}

/// `.jsonl`/`.ndjson`/`.warc`, optionally followed by a compression suffix, name containers.
fn format_by_name(path: &Path) -> Format {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let base = [".gz", ".zst", ".zstd"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name);
    if base.ends_with(".jsonl") || base.ends_with(".ndjson") {
        Format::Jsonl
    } else if base.ends_with(".warc") {
        Format::Warc
    } else {
        Format::Document
    }
}

/// A compression format, known by its magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

impl Compression {
    pub fn of(head: &[u8]) -> Compression {
        if head.starts_with(GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(ZSTD_MAGIC) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Reads up to `n` bytes from the start of `r` and gives them back in front of the rest, so
/// a stream (stdin included) can be sniffed without seeking.
fn peek(mut r: Box<dyn Read + Send>, n: usize) -> std::io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    let rest: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head.clone()).chain(r));
    Ok((head, rest))
}

/// A decompressing buffered reader over a raw stream, by magic bytes.
fn decompressed(r: Box<dyn Read + Send>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let (head, r) = peek(r, ZSTD_MAGIC.len())?;
    Ok(match Compression::of(&head) {
        Compression::None => Box::new(BufReader::with_capacity(64 * 1024, r)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::read::MultiGzDecoder::new(r),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(64 * 1024, zstd_decoder(r)?)),
    })
}

/// Largest zstd window accepted (2^26 = 64 MiB). zstd's own default admits 128 MiB, which a
/// few bytes of frame header can ask the decoder to allocate; frames made with a larger window
/// (`zstd --long=27` and up) are refused: a skip over [`LimitExceeded::ZstdWindow`].
const ZSTD_WINDOW_LOG_MAX: u32 = 26;

/// zstd's message (`ZSTD_getErrorName`) for a frame whose window is over the decoder's maximum;
/// the `zstd` crate passes only the message on. The window test below checks it still reads so.
const ZSTD_WINDOW_TOO_LARGE: &str = "Frame requires too much memory for decoding";

/// The limit a read error stands for, if any: the zstd decoder refusing a frame's window. A
/// container (JSON Lines, WARC) read through the decoder meets it on its first read, and it is
/// the same skip as for a single zstd file, not a broken stream.
pub(crate) fn read_limit(e: &std::io::Error) -> Option<LimitExceeded> {
    e.to_string()
        .contains(ZSTD_WINDOW_TOO_LARGE)
        .then_some(LimitExceeded::ZstdWindow {
            max_mib: 1 << (ZSTD_WINDOW_LOG_MAX - 20),
        })
}

/// A read error of the input or record at `path`: a skip when it is a limit ([`read_limit`]).
pub(crate) fn read_error(path: String, source: std::io::Error) -> SourceError {
    match read_limit(&source) {
        Some(exceeded) => SourceError::Limit { path, exceeded },
        None => SourceError::Read { path, source },
    }
}

/// A zstd decoder whose window, and so its memory, is bounded by [`ZSTD_WINDOW_LOG_MAX`].
fn zstd_decoder<R: Read>(
    r: R,
) -> std::io::Result<zstd::stream::read::Decoder<'static, std::io::BufReader<R>>> {
    let mut d = zstd::stream::read::Decoder::new(r)?;
    d.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
    Ok(d)
}

/// Gzip or zstd input (by its magic bytes, whatever the file name) is decompressed
/// transparently, up to [`MAX_DECOMPRESSED`] bytes.
pub fn gunzip_if_compressed(bytes: Vec<u8>, origin: &str) -> Result<Vec<u8>, SourceError> {
    decompress_limited(bytes, origin, MAX_DECOMPRESSED)
}

/// [`decompress_limited`] under its old name.
pub fn gunzip_limited(bytes: Vec<u8>, origin: &str, limit: u64) -> Result<Vec<u8>, SourceError> {
    decompress_limited(bytes, origin, limit)
}

/// [`gunzip_if_compressed`] with the decompressed size capped at `limit` bytes; inflating stops
/// one byte past it, so a bomb costs at most `limit` bytes of memory.
pub fn decompress_limited(
    bytes: Vec<u8>,
    origin: &str,
    limit: u64,
) -> Result<Vec<u8>, SourceError> {
    let compression = Compression::of(&bytes);
    if compression == Compression::None {
        return Ok(bytes);
    }
    // Whole gzip files go through libdeflate (which sizes its buffer from the gzip trailer); the
    // stream below is the fallback for what it declines, and for zstd.
    let over = || SourceError::Limit {
        path: origin.to_string(),
        exceeded: LimitExceeded::Decompressed {
            limit,
            format: compression.name(),
        },
    };
    if compression == Compression::Gzip {
        match inflate::gunzip(&bytes, limit) {
            inflate::Gunzip::Inflated(out) => return Ok(out),
            inflate::Gunzip::OverLimit => return Err(over()),
            inflate::Gunzip::Declined => {}
        }
    }
    // A zstd frame usually states its size: one over the limit is refused unread, and one within
    // it sizes the buffer (a byte more, to see the end without another allocation).
    let stated = match compression {
        Compression::Zstd => zstd::zstd_safe::get_frame_content_size(&bytes)
            .ok()
            .flatten(),
        _ => None,
    };
    if stated.is_some_and(|size| size > limit) {
        return Err(over());
    }
    // Otherwise capacity is a guess; never let the guess itself be the allocation a bomb asks
    // for.
    let guess = stated
        .map_or((bytes.len() as u64).saturating_mul(4), |size| size)
        .saturating_add(1)
        .min(limit.saturating_add(1)) as usize;
    let mut out = Vec::with_capacity(guess);
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let result = match compression {
        Compression::Gzip => read_capped(
            flate2::read::MultiGzDecoder::new(bytes.as_slice()),
            cap,
            &mut out,
        )
        .map_err(|e| SourceError::Gzip {
            path: origin.to_string(),
            detail: e.to_string(),
        }),
        _ => zstd_decoder(bytes.as_slice())
            .and_then(|d| read_capped(d, cap, &mut out))
            .map_err(|e| match read_limit(&e) {
                Some(exceeded) => SourceError::Limit {
                    path: origin.to_string(),
                    exceeded,
                },
                None => SourceError::Zstd {
                    path: origin.to_string(),
                    detail: e.to_string(),
                },
            }),
    };
    if result? as u64 > limit {
        return Err(over());
    }
    Ok(out)
}

/// Bytes a piece of [`read_capped`]'s output holds past its first guess.
const PIECE: usize = 1 << 20;

/// Reads `r` to its end into `out`, stopping once `cap` bytes are read; returns how many were.
/// When that reaches `cap`, `out` is left partial (the caller refuses the input). `out` is
/// filled up to its capacity (the caller's guess of the size); past it the output is read in
/// pieces of [`PIECE`] bytes, joined once at the end: growing one `Vec` by doubling (as
/// `read_to_end` alone does) copies it on every step, and with mimalloc, which keeps freed
/// pages for a while, a 300 MB zstd bomb under the 256 MiB limit peaked at 620 MiB of RSS.
fn read_capped(mut r: impl Read, cap: usize, out: &mut Vec<u8>) -> std::io::Result<usize> {
    // `take` keeps `read_to_end` inside the capacity it is given.
    let first = out.capacity().clamp(1, cap);
    (&mut r).take(first as u64).read_to_end(out)?;
    if out.len() < first {
        return Ok(out.len());
    }
    let mut total = out.len();
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    while total < cap {
        // A short read first: an input that ended at the guess allocates no piece.
        let mut head = [0u8; 8192];
        let want = PIECE.min(cap - total);
        let n = read_some(&mut r, &mut head[..want.min(8192)])?;
        if n == 0 {
            break;
        }
        let mut piece = Vec::with_capacity(want);
        piece.extend_from_slice(&head[..n]);
        (&mut r).take((want - n) as u64).read_to_end(&mut piece)?;
        total += piece.len();
        let ended = piece.len() < want;
        pieces.push(piece);
        if ended {
            break;
        }
    }
    if total < cap && !pieces.is_empty() {
        out.reserve_exact(total - out.len());
        for piece in pieces {
            out.extend_from_slice(&piece);
        }
    }
    Ok(total)
}

/// One `read` into `buf`, retried when interrupted.
fn read_some(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Which files a folder walk keeps: `--include` / `--exclude` globs, matched against the path
/// relative to the folder given and against the file name (`*` stays inside one folder, `**`
/// crosses them). Files named on the command line are always read.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    /// Folders a walk does not enter, canonical.
    skip: Vec<PathBuf>,
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter, GlobError> {
        Ok(Filter {
            include: glob_set(include)?,
            exclude: glob_set(exclude)?,
            skip: Vec::new(),
        })
    }

    /// Walks do not enter `dir` (if it exists): the store a run writes to may sit inside the
    /// folder it reads, and its files are not documents.
    pub fn skip_dir(mut self, dir: &Path) -> Filter {
        if let Ok(dir) = dir.canonicalize() {
            self.skip.push(dir);
        }
        self
    }

    /// Whether a walk enters the folder `dir`. Only a folder named like a skipped one is
    /// resolved to compare it: a walk over a big tree does not canonicalize every folder.
    fn enters(&self, dir: &Path) -> bool {
        let named_like =
            |s: &PathBuf| dir.file_name().is_none() || dir.file_name() == s.file_name();
        !self.skip.iter().any(named_like)
            || dir.canonicalize().map_or(true, |d| !self.skip.contains(&d))
    }

    /// Whether a walk reads the file a symlink at `link` points to: not one inside a skipped
    /// folder.
    fn reads_link(&self, link: &Path) -> bool {
        self.skip.is_empty()
            || link
                .canonicalize()
                .map_or(true, |t| !self.skip.iter().any(|s| t.starts_with(s)))
    }

    /// Whether a file found at `rel` (relative to the walked folder) is read.
    pub fn keeps(&self, rel: &Path) -> bool {
        let name = rel.file_name().map(Path::new);
        let hit = |set: &GlobSet| set.is_match(rel) || name.is_some_and(|n| set.is_match(n));
        self.include.as_ref().is_none_or(hit) && !self.exclude.as_ref().is_some_and(hit)
    }
}

fn glob_set(patterns: &[String]) -> Result<Option<GlobSet>, GlobError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = GlobBuilder::new(p).literal_separator(true).build();
        b.add(glob.map_err(|e| GlobError {
            glob: p.clone(),
            detail: e.kind().to_string(),
        })?);
    }
    b.build().map(Some).map_err(|e| GlobError {
        glob: patterns.join(" "),
        detail: e.to_string(),
    })
}

/// The documents of `inputs`, read lazily in order (see the module docs).
pub fn documents(inputs: Vec<Result<Input, SourceError>>, opts: &ReadOptions) -> Documents {
    Documents {
        inputs: inputs.into_iter(),
        current: None,
        opts: opts.clone(),
    }
}

/// Iterator behind [`documents`].
pub struct Documents {
    inputs: std::vec::IntoIter<Result<Input, SourceError>>,
    current: Option<Box<dyn Iterator<Item = SourceItem> + Send>>,
    opts: ReadOptions,
}

impl Iterator for Documents {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        loop {
            if let Some(item) = self.current.as_mut().and_then(Iterator::next) {
                return Some(item);
            }
            self.current = None;
            let input = match self.inputs.next()? {
                Ok(input) => input,
                Err(e) => return Some(SourceItem::Failed(e)),
            };
            match input.format(self.opts.format) {
                Format::Jsonl | Format::Warc => match self.open_container(&input) {
                    Ok(records) => self.current = Some(records),
                    Err(e) => return Some(SourceItem::Failed(e)),
                },
                _ => {
                    return Some(match input.read_limited(&self.opts.limits) {
                        Ok(doc) => SourceItem::Doc(doc),
                        Err(e) => SourceItem::Failed(e),
                    })
                }
            }
        }
    }
}

impl Documents {
    fn open_container(
        &self,
        input: &Input,
    ) -> Result<Box<dyn Iterator<Item = SourceItem> + Send>, SourceError> {
        let origin = input.origin();
        let io_err = |source| read_error(origin.clone(), source);
        let raw = input.open().map_err(io_err)?;
        let max = self.opts.limits.max_input_bytes;
        if input.format(self.opts.format) == Format::Jsonl {
            let r = decompressed(raw).map_err(io_err)?;
            return Ok(Box::new(jsonl::Records::new(
                origin.clone(),
                r,
                self.opts.jsonl.clone(),
                max,
            )));
        }
        let (head, raw) = peek(raw, ZSTD_MAGIC.len()).map_err(io_err)?;
        Ok(match Compression::of(&head) {
            // Gzip members are read one by one so each record gets its member's offset.
            Compression::Gzip => Box::new(warc::Records::gzip(origin.clone(), raw, max)),
            _ => Box::new(warc::Records::plain(
                origin.clone(),
                decompressed(raw).map_err(io_err)?,
                max,
            )),
        })
    }
}

/// The number of documents `inputs` hold when it is known before reading them: every input
/// is a file read as one document (containers and stdin hold an unknown number).
pub fn count_documents(inputs: &[Result<Input, SourceError>], opts: &ReadOptions) -> Option<u64> {
    let mut n = 0;
    for input in inputs {
        match input {
            Ok(i @ Input::File(_)) if i.format(opts.format) == Format::Document => n += 1,
            Ok(_) => return None,
            Err(_) => n += 1,
        }
    }
    Some(n)
}

/// Whether an origin names a place in standard input (`-`, `-:LINE`, `-@OFFSET`): a stream that
/// has no identity beyond the run that read it.
pub fn is_stream_origin(origin: &str) -> bool {
    origin == "-" || origin.starts_with("-:") || origin.starts_with("-@")
}

/// The file an origin was read from: `file:LINE` and `file@OFFSET[+OFFSET]` name a record of
/// `file`; a path that exists as given is itself.
pub fn container_path(origin: &str) -> &str {
    if origin == "-" || Path::new(origin).exists() {
        return origin;
    }
    record_container(origin).unwrap_or(origin)
}

/// The file part of an origin shaped like a record of a container (`file:LINE`,
/// `file@OFFSET[+OFFSET]`), by its text alone: unlike [`container_path`] it does not look at the
/// file system, so a file named `notes:3` reads as line 3 of `notes`.
pub fn record_container(origin: &str) -> Option<&str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((file, line)) = origin.rsplit_once(':') {
        if digits(line) {
            return Some(file);
        }
    }
    let (file, at) = origin.rsplit_once('@')?;
    let (outer, inner) = at.split_once('+').unwrap_or((at, "0"));
    (digits(outer) && digits(inner)).then_some(file)
}

/// Expands the user's paths into inputs. Missing paths are reported as errors in place, so the
/// rest of the batch still runs.
pub fn expand(paths: &[String]) -> Vec<Result<Input, SourceError>> {
    expand_filtered(paths, &Filter::default())
}

/// [`expand`], keeping only the files of a folder walk that `filter` keeps.
pub fn expand_filtered(paths: &[String], filter: &Filter) -> Vec<Result<Input, SourceError>> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Ok(Input::Stdin));
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            if is_store_folder(path) && filter.enters(path) {
                // Named on its own, a store is more likely a mistake for `export` than a
                // folder to skip quietly, as inside a walk.
                out.push(Err(SourceError::Store { path: p.clone() }));
            } else if filter.enters(path) {
                let before = out.len();
                walk(path, path, filter, &mut out);
                if out.len() == before && (filter.include.is_some() || filter.exclude.is_some()) {
                    tracing::warn!("no file under `{p}` passes `--include`/`--exclude`");
                }
            } else {
                tracing::warn!("not reading `{p}`: it is the store (`--db`)");
            }
        } else if path.exists() {
            out.push(Ok(Input::File(path.to_path_buf())));
        } else {
            out.push(Err(missing(path)));
        }
    }
    out
}

/// Whether `dir` holds a deboiler store (another one than `--db`, say): `sled`'s `conf` and the
/// record log side by side. Its files are not documents.
fn is_store_folder(dir: &Path) -> bool {
    dir.join("conf").is_file() && dir.join("records.log").is_file()
}

/// Why `path`, which does not exist as a file or folder, cannot be read: a dangling symbolic
/// link says where it points, since the link itself is there to see.
fn missing(path: &Path) -> SourceError {
    let shown = path.display().to_string();
    match std::fs::read_link(path) {
        Ok(target) => SourceError::BrokenLink {
            path: shown,
            target: target.display().to_string(),
        },
        Err(_) => SourceError::Missing { path: shown },
    }
}

fn walk(root: &Path, dir: &Path, filter: &Filter, out: &mut Vec<Result<Input, SourceError>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            out.push(Err(SourceError::Read {
                path: dir.display().to_string(),
                source,
            }));
            return;
        }
    };
    // Whether each entry is a folder, not following symlinks to folders.
    let mut paths: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let kind = e.file_type().ok()?;
            let is_dir = kind.is_dir();
            if kind.is_symlink() && e.path().is_dir() {
                tracing::debug!(path = %e.path().display(), "not following a symlink to a folder");
                return None;
            }
            // A link into a skipped folder would read the store after all.
            if kind.is_symlink() && !filter.reads_link(&e.path()) {
                tracing::debug!(path = %e.path().display(), "not following a symlink into the store");
                return None;
            }
            Some((e.path(), is_dir))
        })
        // Names as bytes: a name that is not UTF-8 is still a file to read (its origin shows it
        // with replacement characters).
        .filter(|(p, _)| {
            p.file_name()
                .is_some_and(|n| !n.as_encoded_bytes().starts_with(b"."))
        })
        .collect();
    paths.sort();
    for (p, is_dir) in paths {
        if is_dir {
            if is_store_folder(&p) {
                tracing::debug!(path = %p.display(), "not reading a deboiler store");
            } else if filter.enters(&p) {
                walk(root, &p, filter, out);
            }
        } else if filter.keeps(p.strip_prefix(root).unwrap_or(&p)) {
            if p.is_file() {
                out.push(Ok(Input::File(p)));
            } else if !p.exists() {
                // Only a symlink can be listed and not exist: dropping it would hide a file the
                // user meant to be read.
                out.push(Err(missing(&p)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zstd_frames_asking_for_a_window_over_64_mib_are_refused() {
        use std::io::Write;
        let frame = |window_log: u32| {
            let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
            enc.window_log(window_log).unwrap();
            enc.write_all(&[b'a'; 4096]).unwrap();
            enc.finish().unwrap()
        };
        assert_eq!(
            decompress_limited(frame(26), "x.zst", 1 << 20)
                .unwrap()
                .len(),
            4096
        );
        let err = decompress_limited(frame(27), "x.zst", 1 << 20).unwrap_err();
        assert!(
            matches!(
                err,
                SourceError::Limit {
                    exceeded: LimitExceeded::ZstdWindow { max_mib: 64 },
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn gzip_is_decompressed_and_bad_gzip_reported() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"<p>hello</p>").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(
            gunzip_if_compressed(gz.clone(), "x").unwrap(),
            b"<p>hello</p>"
        );
        assert_eq!(
            gunzip_if_compressed(b"plain".to_vec(), "x").unwrap(),
            b"plain"
        );
        let err = gunzip_if_compressed(gz[..gz.len() / 2].to_vec(), "x.gz").unwrap_err();
        assert!(matches!(err, SourceError::Gzip { .. }), "{err}");
    }

    /// The whole-buffer libdeflate path must agree with the streaming decoder: every member in
    /// order (the same member twice has the same footer as one, so only the member boundary
    /// tells them apart), and trailing bytes, corrupt data and the size limit reported as the
    /// stream reports them.
    #[test]
    fn gzip_members_and_trailing_bytes_are_handled_as_the_stream_does() {
        use std::io::{Read, Write};
        let member = |text: &[u8]| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(text).unwrap();
            enc.finish().unwrap()
        };
        let streamed = |gz: &[u8]| {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(gz)
                .read_to_end(&mut out)
                .map(|_| out)
                .map_err(|e| e.to_string())
        };
        let page = b"<p>the same page</p>".repeat(50);
        let one = member(&page);
        let mut corrupt = one.clone();
        corrupt[one.len() / 2] ^= 0x55;
        let cases = [
            ("one", one.clone()),
            ("twice", [one.clone(), one.clone()].concat()),
            ("two", [one.clone(), member(b"<p>another</p>")].concat()),
            (
                "short last",
                [member(&page.repeat(9)), member(b"x")].concat(),
            ),
            ("padded", [one.clone(), vec![0; 8]].concat()),
            (
                "footer again",
                [one.clone(), one[one.len() - 8..].to_vec()].concat(),
            ),
            ("corrupt", corrupt),
        ];
        for (name, gz) in cases {
            let fast = inflate::gunzip(&gz, 1 << 20);
            let got = gunzip_if_compressed(gz.clone(), "x.gz").map_err(|e| e.to_string());
            match (streamed(&gz), got) {
                (Ok(want), Ok(got)) => {
                    assert_eq!(got, want, "{name}");
                    assert!(
                        matches!(&fast, inflate::Gunzip::Inflated(out) if *out == want),
                        "{name}: fast path taken"
                    );
                }
                (Err(_), Err(e)) => {
                    assert!(e.contains("not valid gzip"), "{name}: {e}");
                    assert!(
                        matches!(fast, inflate::Gunzip::Declined),
                        "{name}: fast path declines"
                    );
                }
                (want, got) => panic!("{name}: stream {want:?}, got {got:?}"),
            }
        }
        // Over the limit the fast path says so, as the stream would.
        assert!(matches!(
            inflate::gunzip(&one, 100),
            inflate::Gunzip::OverLimit
        ));
        assert!(matches!(
            read_capped(
                flate2::read::MultiGzDecoder::new(one.as_slice()),
                101,
                &mut Vec::new()
            ),
            Ok(101)
        ));
        let err = decompress_limited(one, "x.gz", 100).unwrap_err();
        assert!(matches!(err, SourceError::Limit { .. }), "{err}");
    }

    #[test]
    fn size_limits_refuse_large_and_bomb_inputs() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.txt");
        std::fs::write(&big, vec![b'a'; 3000]).unwrap();
        let limits = Limits {
            max_input_bytes: 2000,
            max_decompressed_bytes: 5000,
            ..Limits::default()
        };
        let err = Input::File(big.clone()).read_limited(&limits).unwrap_err();
        assert!(
            matches!(
                err,
                SourceError::Limit {
                    exceeded: LimitExceeded::InputSize {
                        size: 3000,
                        limit: 2000
                    },
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("max-input-size"), "{err}");
        // 1 MB of zeros compresses to about 1 KB: small on disk, a bomb once inflated.
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'z'; 1_000_000]).unwrap();
        let bomb = dir.path().join("bomb.gz");
        std::fs::write(&bomb, enc.finish().unwrap()).unwrap();
        let err = Input::File(bomb).read_limited(&limits).unwrap_err();
        assert!(err.to_string().contains("max-decompressed-size"), "{err}");
        assert!(Input::File(big).read().is_ok(), "default limits accept it");
    }

    #[test]
    fn folders_are_walked_in_sorted_order_without_dotfiles() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "b").unwrap();
        std::fs::write(dir.path().join("a.html"), "a").unwrap();
        std::fs::write(dir.path().join(".hidden"), "h").unwrap();
        std::fs::write(dir.path().join("sub/c.txt"), "c").unwrap();
        let root = dir.path().display().to_string();
        let got: Vec<String> = expand(&[root.clone(), format!("{root}/nope")])
            .into_iter()
            .map(|r| match r {
                Ok(i) => i.origin().replace(&root, ""),
                Err(e) => e.to_string().replace(&root, ""),
            })
            .collect();
        assert_eq!(
            got,
            ["/a.html", "/b.txt", "/sub/c.txt", "`/nope` does not exist"]
        );
    }

    /// The files a walk of `dir` yields under `filter`, relative to it.
    fn walked(dir: &Path, filter: &Filter) -> Vec<String> {
        let root = dir.display().to_string();
        expand_filtered(std::slice::from_ref(&root), filter)
            .into_iter()
            .map(|r| r.map(|i| i.origin().replace(&root, "")).unwrap())
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn walks_read_symlinked_files_but_do_not_enter_symlinked_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("s")).unwrap();
        std::fs::write(dir.path().join("s/a.txt"), "a").unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("s/up")).unwrap();
        std::os::unix::fs::symlink("a.txt", dir.path().join("s/b.txt")).unwrap();
        // Followed, `s/up` would lead back to `s` forever.
        assert_eq!(
            walked(dir.path(), &Filter::default()),
            ["/s/a.txt", "/s/b.txt"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn walks_read_no_store_through_a_link_nor_another_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("db");
        std::fs::create_dir(&store).unwrap();
        std::fs::write(store.join("records.log"), "x").unwrap();
        std::os::unix::fs::symlink("db/records.log", dir.path().join("log.txt")).unwrap();
        // Another store: `sled`'s conf next to a record log.
        std::fs::create_dir(dir.path().join("old")).unwrap();
        std::fs::write(dir.path().join("old/conf"), "segment_size: 524288").unwrap();
        std::fs::write(dir.path().join("old/records.log"), "x").unwrap();
        std::fs::write(dir.path().join("page.html"), "p").unwrap();
        let filter = Filter::default().skip_dir(&store);
        assert_eq!(walked(dir.path(), &filter), ["/page.html"]);
    }

    #[test]
    fn walks_skip_the_store_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("deboiler.db")).unwrap();
        std::fs::write(dir.path().join("deboiler.db/records.log"), "x").unwrap();
        std::fs::write(dir.path().join("page.html"), "p").unwrap();
        let filter = Filter::default().skip_dir(&dir.path().join("deboiler.db"));
        assert_eq!(walked(dir.path(), &filter), ["/page.html"]);
        // Named as the folder to read, it is not read either.
        let store = dir.path().join("deboiler.db");
        assert!(walked(&store, &filter).is_empty());
        assert_eq!(
            walked(dir.path(), &Filter::default()),
            ["/deboiler.db/records.log", "/page.html"]
        );
    }

    #[test]
    fn a_glob_star_stays_inside_one_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/x.html"), "x").unwrap();
        std::fs::write(dir.path().join("a/b/y.html"), "y").unwrap();
        let only = |glob: &str| Filter::new(&[glob.to_string()], &[]).unwrap();
        assert_eq!(walked(dir.path(), &only("a/*.html")), ["/a/x.html"]);
        assert_eq!(
            walked(dir.path(), &only("a/**/*.html")),
            ["/a/b/y.html", "/a/x.html"]
        );
        // A pattern without a folder still matches file names at any depth.
        assert_eq!(
            walked(dir.path(), &only("*.html")),
            ["/a/b/y.html", "/a/x.html"]
        );
    }

    #[test]
    fn capped_reads_join_their_pieces_and_stop_past_the_cap() {
        let data: Vec<u8> = (0..3 * PIECE + 12_345).map(|i| (i % 251) as u8).collect();
        for first in [0, 100, PIECE + 7] {
            let mut out = Vec::with_capacity(first);
            let n = read_capped(data.as_slice(), data.len() + 1, &mut out).unwrap();
            assert_eq!(
                (n, out == data),
                (data.len(), true),
                "first capacity {first}"
            );
        }
        // One byte past the cap is enough to know the input is over it.
        let mut out = Vec::new();
        assert_eq!(
            read_capped(data.as_slice(), 2 * PIECE, &mut out).unwrap(),
            2 * PIECE
        );
        let mut out = Vec::new();
        assert_eq!(read_capped(&b""[..], 10, &mut out).unwrap(), 0);
    }

    #[test]
    fn a_zstd_frame_stating_a_size_over_the_limit_is_refused_and_one_without_is_read_to_it() {
        let data = vec![b'z'; 50_000];
        // `zstd::encode_all` states the content size in the frame header.
        let stated = zstd::encode_all(data.as_slice(), 3).unwrap();
        let err = decompress_limited(stated.clone(), "x.zst", 10_000).unwrap_err();
        assert!(
            err.to_string()
                .contains("zstd input inflates to more than 10000 bytes"),
            "{err}"
        );
        assert_eq!(decompress_limited(stated, "x.zst", 50_000).unwrap(), data);
        // A streamed frame does not: it is decoded up to one byte past the limit.
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        std::io::Write::write_all(&mut enc, &data).unwrap();
        let streamed = enc.finish().unwrap();
        assert_eq!(
            zstd::zstd_safe::get_frame_content_size(&streamed)
                .ok()
                .flatten(),
            None
        );
        let err = decompress_limited(streamed.clone(), "x.zst", 10_000).unwrap_err();
        assert!(err.to_string().contains("max-decompressed-size"), "{err}");
        assert_eq!(decompress_limited(streamed, "x.zst", 50_000).unwrap(), data);
    }
}
