//! Extract: a decoded document → ordered text blocks.
//!
//! HTML goes through `scraper` ([`html`]); text is split into lines and blank-line paragraphs
//! ([`text`]). Both produce the same [`Block`](crate::model::Block) type, so the stages after this
//! one do not care where a block came from. Extraction keeps everything that is text a reader
//! could see; deciding what is boilerplate is the strip stage's job. [`lean`] removes script
//! and style text before the page is parsed, which nothing downstream reads.

pub mod html;
pub mod lean;
pub mod text;
