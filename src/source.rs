//! Sources: turn what the user named on the command line into raw documents.
//!
//! A path is a file, a folder (walked recursively, in sorted order so runs are reproducible,
//! skipping dot-files) or `-` for stdin. Files are listed first and read one at a time as the
//! caller iterates, so memory stays bounded by one document. A file that cannot be read is an
//! `Err` item for that file; it never ends the iteration.
//!
//! Size limits ([`Limits::max_input_bytes`], [`Limits::max_decompressed_bytes`]) are enforced
//! here, before and while bytes are read, so an oversized input is refused without being held in
//! memory; the refusal is a [`SourceError::Limit`], which the pipeline records as a skip.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::limits::{LimitExceeded, Limits};
use crate::model::RawDocument;

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
    #[error("`{path}` is not valid gzip: {detail}")]
    Gzip { path: String, detail: String },
    /// A size limit refused the input (it is skipped, not failed).
    #[error("{exceeded}")]
    Limit {
        path: String,
        exceeded: LimitExceeded,
    },
}

impl SourceError {
    /// The input this error is about.
    pub fn path(&self) -> &str {
        match self {
            SourceError::Read { path, .. }
            | SourceError::Missing { path }
            | SourceError::Gzip { path, .. }
            | SourceError::Limit { path, .. } => path,
        }
    }
}

/// Largest decompressed size accepted from a gzip input by default, against decompression bombs
/// (the default of [`Limits::max_decompressed_bytes`]).
pub const MAX_DECOMPRESSED: u64 = 256 * 1024 * 1024;

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

    /// Reads the whole input under the default [`Limits`].
    pub fn read(&self) -> Result<RawDocument, SourceError> {
        self.read_limited(&Limits::default())
    }

    /// Reads the whole input, refusing it once it passes `limits`' input or decompressed size.
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
        let bytes = gunzip_limited(buf, &origin, limits.max_decompressed_bytes)?;
        Ok(RawDocument {
            origin,
            url: None,
            content_type: None,
            bytes,
        })
    }
}

/// Gzip input (by its magic bytes, whatever the file name) is decompressed transparently, up to
/// [`MAX_DECOMPRESSED`] bytes.
pub fn gunzip_if_compressed(bytes: Vec<u8>, origin: &str) -> Result<Vec<u8>, SourceError> {
    gunzip_limited(bytes, origin, MAX_DECOMPRESSED)
}

/// [`gunzip_if_compressed`] with the decompressed size capped at `limit` bytes; inflating stops
/// one byte past it, so a bomb costs at most `limit` bytes of memory.
pub fn gunzip_limited(bytes: Vec<u8>, origin: &str, limit: u64) -> Result<Vec<u8>, SourceError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    // Capacity is a guess; never let the guess itself be the allocation a bomb asks for.
    let guess = (bytes.len() as u64).saturating_mul(4).min(limit) as usize;
    let mut out = Vec::with_capacity(guess);
    let decoder = flate2::read::MultiGzDecoder::new(bytes.as_slice());
    decoder
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| SourceError::Gzip {
            path: origin.to_string(),
            detail: e.to_string(),
        })?;
    if out.len() as u64 > limit {
        return Err(SourceError::Limit {
            path: origin.to_string(),
            exceeded: LimitExceeded::Decompressed { limit },
        });
    }
    Ok(out)
}

/// Expands the user's paths into inputs. Missing paths are reported as errors in place, so the
/// rest of the batch still runs.
pub fn expand(paths: &[String]) -> Vec<Result<Input, SourceError>> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Ok(Input::Stdin));
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            walk(path, &mut out);
        } else if path.exists() {
            out.push(Ok(Input::File(path.to_path_buf())));
        } else {
            out.push(Err(SourceError::Missing { path: p.clone() }));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Result<Input, SourceError>>) {
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
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out);
        } else if p.is_file() {
            out.push(Ok(Input::File(p)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
