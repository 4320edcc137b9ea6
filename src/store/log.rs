//! The record log: one append-only file of entries, each a length, a CRC-32 and the bytes, for
//! everything too large for the store's `sled` index (article records, documents' learned
//! lines). An entry is addressed by its [`Loc`]. Appends are buffered; [`Log::seal`] hands them
//! to the OS for a commit thread to sync, [`Log::sync`] syncs them at once, and either drops the
//! synced pages from the page cache. A read checks the entry's length and checksum and reports
//! a mismatch as damage ([`LogError::Damaged`]), never as data.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The log entry header: payload length and CRC-32, little-endian u32 each.
const HEADER: usize = 8;

/// Where a log entry is: the offset of its header and the length of its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Loc {
    pub(super) offset: u64,
    pub(super) len: u32,
}

impl Loc {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(12);
        v.extend_from_slice(&self.offset.to_be_bytes());
        v.extend_from_slice(&self.len.to_be_bytes());
        v
    }

    pub(super) fn decode(v: &[u8]) -> Option<Loc> {
        let mut r = Reader(v);
        Some(Loc {
            offset: r.u64()?,
            len: r.u32()?,
        })
    }
}

/// Why a log entry could not be read.
pub(super) enum LogError {
    Io(std::io::Error),
    /// Short, or its checksum does not match.
    Damaged(String),
}

pub(super) struct LogWriter {
    out: BufWriter<File>,
    /// Bytes in the log, written or buffered.
    len: u64,
    /// Bytes handed to the OS (readable through another handle).
    flushed: u64,
    /// Bytes known to be on disk.
    synced: u64,
}

/// The append-only record log (see the module docs).
pub(super) struct Log {
    read: File,
    write: Mutex<LogWriter>,
    /// The appending file, for a commit thread to sync while appends go on.
    sync: Arc<File>,
}

impl Log {
    pub(super) fn open(path: &Path) -> std::io::Result<Log> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let len = file.metadata()?.len();
        Ok(Log {
            sync: Arc::new(file.try_clone()?),
            read: File::open(path)?,
            write: Mutex::new(LogWriter {
                out: BufWriter::with_capacity(1 << 20, file),
                len,
                flushed: len,
                synced: len,
            }),
        })
    }

    pub(super) fn writer(&self) -> MutexGuard<'_, LogWriter> {
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn len(&self) -> u64 {
        self.writer().len
    }

    pub(super) fn append(&self, payload: &[u8]) -> std::io::Result<Loc> {
        let len = u32::try_from(payload.len()).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "log entry over 4 GiB")
        })?;
        let mut w = self.writer();
        let offset = w.len;
        w.out.write_all(&len.to_le_bytes())?;
        w.out.write_all(&crc32fast::hash(payload).to_le_bytes())?;
        w.out.write_all(payload)?;
        w.len += (HEADER + payload.len()) as u64;
        Ok(Loc { offset, len })
    }

    pub(super) fn read(&self, loc: Loc) -> Result<Vec<u8>, LogError> {
        // A location read back from a damaged index may hold any offset.
        let Some(end) = loc.offset.checked_add(HEADER as u64 + u64::from(loc.len)) else {
            return Err(LogError::Damaged(format!(
                "log entry at {} ends past the end of the log",
                loc.offset
            )));
        };
        {
            let mut w = self.writer();
            if end > w.len {
                return Err(LogError::Damaged(format!(
                    "log entry at {} ends past the end of the log",
                    loc.offset
                )));
            }
            if end > w.flushed {
                w.out.flush().map_err(LogError::Io)?;
                w.flushed = w.len;
            }
        }
        let mut buf = vec![0u8; HEADER + loc.len as usize];
        read_exact_at(&self.read, &mut buf, loc.offset).map_err(LogError::Io)?;
        let mut r = Reader(&buf);
        let (len, crc) = (r.u32_le(), r.u32_le());
        let payload = buf.split_off(HEADER);
        if len != Some(loc.len) || crc != Some(crc32fast::hash(&payload)) {
            return Err(LogError::Damaged(format!(
                "log entry at {} fails its checksum",
                loc.offset
            )));
        }
        Ok(payload)
    }

    /// Hands everything appended so far to the OS and returns the file to sync it with and the
    /// log's length: a sync that starts after this returns covers every entry appended before.
    pub(super) fn seal(&self) -> std::io::Result<(Arc<File>, u64)> {
        let mut w = self.writer();
        w.out.flush()?;
        w.flushed = w.len;
        w.synced = w.len;
        Ok((self.sync.clone(), w.len))
    }

    /// Puts everything appended so far on disk; returns the log's length, all of it synced.
    pub(super) fn sync(&self) -> std::io::Result<u64> {
        let mut w = self.writer();
        if w.len > w.synced {
            w.out.flush()?;
            w.out.get_ref().sync_data()?;
            drop_cached(w.out.get_ref(), w.len);
            w.flushed = w.len;
            w.synced = w.len;
        }
        Ok(w.synced)
    }
}

/// Drops the log's first `len` bytes, synced, from the page cache. The log is written once and
/// read rarely (`show`, `export`, a duplicate's record), so an ingest would otherwise fill the
/// page cache with it, evicting what the rest of the system uses; and a write into a page the
/// cache just freed is cheap, while one into fresh memory is not: on this project's VM the
/// kernel's copy into fresh pages took 14% of an ingest's CPU on some runs and 1% on others.
/// Advice only: an error changes nothing the store relies on.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
pub(super) fn drop_cached(file: &File, len: u64) {
    use rustix::fs::{fadvise, Advice};
    let _ = fadvise(file, 0, std::num::NonZeroU64::new(len), Advice::DontNeed);
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
pub(super) fn drop_cached(_: &File, _: u64) {}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(f, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Little reader over encoded bytes; `None` when they run out.
pub(super) struct Reader<'a>(pub(super) &'a [u8]);

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    pub(super) fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_be_bytes)
    }
    pub(super) fn u32_le(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }
    pub(super) fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_be_bytes)
    }
    pub(super) fn hash(&mut self) -> Option<[u8; 8]> {
        self.take(8)?.try_into().ok()
    }
    pub(super) fn text(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok().map(str::to_string)
    }
}
