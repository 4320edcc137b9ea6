//! Main-content detection on the parsed DOM.

use std::collections::HashMap;

use ego_tree::NodeId;
use scraper::Html;

/// Adds marks (element → reason) for elements that are not part of the article. Elements
/// already marked by rules keep their rule's credit.
pub fn mark(_html: &Html, _marks: &mut HashMap<NodeId, String>) {}
