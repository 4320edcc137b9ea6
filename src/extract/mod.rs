//! Extract: a decoded document → ordered text blocks.
//!
//! HTML is cut down by [`lean`] (script and style text, unread attributes, indentation),
//! parsed by [`parse`] (a byte tokenizer feeding html5ever's tree builder) and walked by
//! [`html`]; text is split into lines and blank-line paragraphs ([`text`]). Both produce the
//! same [`Block`](crate::model::Block) type, so the stages after this one do not care where a
//! block came from. Extraction keeps everything that is text a reader could see; deciding what
//! is boilerplate is the strip stage's job.

pub mod html;
pub mod lean;
pub mod parse;
pub mod text;
