//! HTML → blocks, in document order, each with the kind of element it came from.
//!
//! The walk is iterative (`ego_tree` open/close edges), so deeply nested input cannot overflow
//! the stack. Elements that never hold readable text (`script`, `style`, `template`, `svg`, form
//! controls, `hidden` elements, …) are skipped outright. Block-level elements start and end
//! blocks; inline text joins the block around it. Elements named in `marks` (removed by a CSS
//! selector rule) still produce blocks, flagged with the rule id, so explanations can show what
//! the rule took out.

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{Html, Node};

use crate::model::{Block, BlockKind, Marks};
use crate::norm::{collapse_whitespace, push_collapsed};

/// Elements whose content is never article text.
// A `match` rather than a list scan: it runs for every element of every page, twice.
pub(crate) fn is_skipped(tag: &str) -> bool {
    matches!(
        tag,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "select"
            | "option"
            | "button"
            | "input"
            | "textarea"
            | "map"
    )
}

/// Elements that begin and end a block of text.
// A `match` rather than a list scan: it runs for every element of every page, twice.
pub(crate) fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "html"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "br"
    )
}

/// An open element. Borrowed, not copied: most elements never end a block, so their
/// description is only built when a block under them is flushed.
struct Frame<'a> {
    node: NodeId,
    el: &'a scraper::node::Element,
    block: bool,
    pre: bool,
    removed_by: Option<&'a str>,
}

#[derive(Default)]
struct Walker<'a> {
    blocks: Vec<Block>,
    frames: Vec<Frame<'a>>,
    kept: String,
    removed: String,
    removed_rule: Option<&'a str>,
}

/// Extracts the blocks of a parsed page. `marks` maps elements removed by selector rules to the
/// rule's id.
pub fn extract(html: &Html, marks: &Marks) -> Vec<Block> {
    let mut w = Walker::default();
    let mut skipping: Option<NodeId> = None;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        let name = el.name();
                        if is_skipped(name) || el.attr("hidden").is_some() {
                            skipping = Some(node.id());
                            continue;
                        }
                        let block = is_block(name) && !simple_cell(node, name);
                        if block {
                            w.flush();
                        } else if matches!(name, "td" | "th") {
                            push_collapsed(&mut w.kept, " ");
                            push_collapsed(&mut w.removed, " ");
                        }
                        let parent = w.frames.last();
                        let removed_by = marks
                            .get(&node.id())
                            .map(String::as_str)
                            .or_else(|| parent.and_then(|f| f.removed_by));
                        let pre = name == "pre" || parent.is_some_and(|f| f.pre);
                        w.frames.push(Frame {
                            node: node.id(),
                            el,
                            block,
                            pre,
                            removed_by,
                        });
                    }
                    Node::Text(t) => w.text(t),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(_) = node.value() {
                    if w.frames.last().is_some_and(|f| f.node == node.id()) {
                        let block = w.frames.last().is_some_and(|f| f.block);
                        if block {
                            w.flush();
                        }
                        w.frames.pop();
                    }
                }
            }
        }
    }
    w.flush();
    w.blocks
}

/// A data-table cell (no block element inside) joins its row's line: a row read as one line
/// keeps its values together, and short repeated values (`0`, `1`, `Yes`) are not taken for
/// repeated boilerplate. Cells holding blocks are layout and stay blocks of their own.
fn simple_cell(node: ego_tree::NodeRef<'_, Node>, name: &str) -> bool {
    matches!(name, "td" | "th")
        && node.descendants().skip(1).all(|d| match d.value() {
            Node::Element(el) => !is_block(el.name()),
            _ => true,
        })
}

impl<'a> Walker<'a> {
    fn text(&mut self, t: &str) {
        let frame = self.frames.last();
        let pre = frame.is_some_and(|f| f.pre);
        match frame.and_then(|f| f.removed_by) {
            Some(rule) => {
                if self.removed_rule != Some(rule) && !self.removed.is_empty() {
                    self.flush();
                }
                self.removed_rule = Some(rule);
                push_collapsed(&mut self.removed, t);
            }
            None if pre => self.kept.push_str(t),
            None => push_collapsed(&mut self.kept, t),
        }
    }

    fn flush(&mut self) {
        let kept = std::mem::take(&mut self.kept);
        let removed = std::mem::take(&mut self.removed);
        let rule = self.removed_rule.take();
        for (text, removed_by) in [(kept, None), (removed, rule.map(str::to_string))] {
            let text = if text.contains('\n') {
                collapse_whitespace(&text)
            } else {
                text.trim().to_string()
            };
            if text.is_empty() {
                continue;
            }
            let kind = self.kind();
            let index = self.blocks.len();
            self.blocks.push(Block {
                text,
                kind,
                line: None,
                paragraph: index,
                removed_by,
            });
        }
    }

    fn kind(&self) -> BlockKind {
        let tag = self
            .frames
            .iter()
            .rev()
            .find(|f| f.block)
            .map_or("", |f| f.el.name());
        match tag {
            "p" => BlockKind::Paragraph,
            "li" | "dd" | "dt" => BlockKind::ListItem,
            h if h.len() == 2 && h.starts_with('h') => h[1..]
                .parse()
                .map(BlockKind::Heading)
                .unwrap_or(BlockKind::Other),
            _ => BlockKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(src: &str) -> Vec<(String, BlockKind)> {
        extract(&Html::parse_document(src), &Marks::default())
            .into_iter()
            .map(|b| (b.text, b.kind))
            .collect()
    }

    #[test]
    fn blocks_follow_block_elements() {
        let got = blocks(
            "<html><head><title>T</title><style>p{}</style></head><body>\
             <h1>Head <em>line</em></h1><div>intro <b>bold</b><p>Para one.</p>tail</div>\
             <ul><li>item</li></ul><script>var x;</script><p hidden>secret</p></body></html>",
        );
        assert_eq!(
            got,
            [
                ("Head line".to_string(), BlockKind::Heading(1)),
                ("intro bold".to_string(), BlockKind::Other),
                ("Para one.".to_string(), BlockKind::Paragraph),
                ("tail".to_string(), BlockKind::Other),
                ("item".to_string(), BlockKind::ListItem),
            ]
        );
    }

    #[test]
    fn marked_elements_become_removed_blocks() {
        let html = Html::parse_document(
            "<body><div id=main class='story x'><p>Keep me.</p><div class=share>Share <a>Facebook</a></div></div></body>",
        );
        let sel = scraper::Selector::parse(".share").unwrap();
        let id = html.select(&sel).next().unwrap().id();
        let marks = Marks::from_iter([(id, "share".to_string())]);
        let b = extract(&html, &marks);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].kind, BlockKind::Paragraph);
        assert_eq!(b[0].removed_by, None);
        assert_eq!(b[1].text, "Share Facebook");
        assert_eq!(b[1].removed_by.as_deref(), Some("share"));
    }

    #[test]
    fn data_table_rows_are_lines_but_layout_cells_are_blocks() {
        let got = blocks(
            "<table><tr><th>Pos.</th><th>Driver</th></tr><tr><td>1</td><td><b>Ann</b> Lee</td></tr>\
             <tr><td><p>Layout one.</p></td><td>side</td></tr></table>",
        );
        let texts: Vec<_> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["Pos. Driver", "1 Ann Lee", "Layout one.", "side"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 5_000;
        let src = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let b = extract(&Html::parse_document(&src), &Marks::default());
        assert_eq!(b.len(), 1);
    }
}
