//! Content: find the article by its shape when no rule names the boilerplate.
//!
//! Rules remove what someone has described; this stage removes what looks like page chrome.
//! For HTML ([`html`]) it chooses the element that holds the article and prunes inside it,
//! expressed as extra element marks for extraction, so removed text still shows in
//! explanations. For text dumps ([`text`]) it scores every line and the run of lines around it
//! and drops what lies outside the article region. Every removal carries a `content.*` reason.

pub mod html;
pub mod text;
