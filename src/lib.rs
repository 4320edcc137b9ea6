//! deboiler turns raw article dumps (HTML pages, or text flattened out of pages) into clean,
//! deduplicated article records.
//!
//! The crate is a staged pipeline. Each stage is one module that talks to its neighbours only
//! through the plain types in [`model`]; only [`pipeline`] knows the order:
//!
//! ```text
//! source ─► decode ─► extract ─► strip ─► learn ─► content ─► dedup ─► metadata ─► store
//!  bytes    UTF-8     blocks     rules    site      article    repeats   title…      sled
//!                                         lines     region
//! ```
//!
//! * [`source`] turns paths (files, folders, `-`) into [`model::RawDocument`]s.
//! * [`decode`] picks the charset (BOM, declared, detected) and sniffs HTML vs text.
//! * [`extract`] turns a decoded document into ordered [`model::Block`]s.
//! * [`rules`] loads and validates the TOML rule files; [`strip`] applies them.
//! * [`limits`] bounds the work one document may cost (size, nesting, line length, time).
//! * [`learn`] drops lines a site repeats on most of its pages (counts kept in the store).
//! * [`content`] finds the article by its shape: the article root in HTML, the article region
//!   in text.
//! * [`eval`] scores the pipeline against labelled pages (Zyte benchmark metric).
//! * [`dedup`] normalizes and hashes text, and drops repeated blocks inside a document.
//! * [`metadata`] finds title, site, authors and date.
//! * [`store`] keeps article records in an embedded `sled` database.
//! * [`pipeline`] composes the stages and counts every outcome.
//! * [`norm`] holds the text normalisations the stages share (collapsing, folding, the
//!   canonical form); [`swar`] the eight-bytes-at-a-time byte tests their hot loops use.
//! * [`bench`](mod@bench) measures throughput and peak memory (page sets, synthetic corpora, one thread
//!   and all cores, with and without the store) against an in-run baseline.
//!
//! These docs are written for the people working on deboiler, so they link private items too:
//! `just docs` builds them with `--document-private-items`, and `just test` fails on a broken
//! link.

// Links to private items are how the docs point a reader at the code that does the work; they
// resolve in the `--document-private-items` build the project uses.
#![allow(rustdoc::private_intra_doc_links)]

pub mod bench;
pub mod content;
pub mod decode;
pub mod dedup;
pub mod eval;
pub mod extract;
pub mod learn;
pub mod limits;
pub mod metadata;
pub mod model;
pub mod norm;
pub mod pipeline;
pub mod rules;
pub mod source;
pub mod store;
pub mod strip;
pub mod swar;
pub mod time;
