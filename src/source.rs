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
        Ok(RawDocument {
            origin,
            url: None,
            content_type: None,
            bytes,
        })
    }
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
