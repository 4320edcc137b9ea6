//! Extract: a decoded document → ordered text blocks.
//!
//! HTML goes through `scraper` ([`html`]); text is split into lines and blank-line paragraphs
//! ([`text`]). Both produce the same [`Block`](crate::model::Block) type, so the stages after this
//! one do not care where a block came from. Extraction keeps everything that is text a reader
//! could see; deciding what is boilerplate is the strip stage's job.

pub mod html;
pub mod text;
