//! Sources: turn what the user named on the command line into raw documents.
//!
//! A path is a file, a folder (walked recursively, in sorted order so runs are reproducible,
//! skipping dot-files) or `-` for stdin. Files are listed first and read one at a time as the
//! caller iterates, so memory stays bounded by one document. A file that cannot be read is an
//! `Err` item for that file; it never ends the iteration.

use std::io::Read;
use std::path::{Path, PathBuf};

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
    #[error("`{path}` decompresses to more than the limit of {limit} bytes")]
    TooLarge { path: String, limit: u64 },
}

impl SourceError {
    /// The input this error is about.
    pub fn path(&self) -> &str {
        match self {
            SourceError::Read { path, .. }
            | SourceError::Missing { path }
            | SourceError::Gzip { path, .. }
            | SourceError::TooLarge { path, .. } => path,
        }
    }
}

/// Largest decompressed size accepted from a gzip input, against decompression bombs.
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

    /// Reads the whole input.
    pub fn read(&self) -> Result<RawDocument, SourceError> {
        let origin = self.origin();
        let bytes = match self {
            Input::File(p) => std::fs::read(p),
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().lock().read_to_end(&mut buf).map(|_| buf)
            }
        }
        .map_err(|source| SourceError::Read {
            path: origin.clone(),
            source,
        })?;
        let bytes = gunzip_if_compressed(bytes, &origin)?;
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
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    let decoder = flate2::read::MultiGzDecoder::new(bytes.as_slice());
    decoder
        .take(MAX_DECOMPRESSED + 1)
        .read_to_end(&mut out)
        .map_err(|e| SourceError::Gzip {
            path: origin.to_string(),
            detail: e.to_string(),
        })?;
    if out.len() as u64 > MAX_DECOMPRESSED {
        return Err(SourceError::TooLarge {
            path: origin.to_string(),
            limit: MAX_DECOMPRESSED,
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
