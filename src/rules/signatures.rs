//! Whether a page may hold any site's signature, answered without running the case-insensitive
//! signature search over every byte of every page.
//!
//! Pages whose URL names no known site are recognised by signatures: literal strings such as
//! `China Daily Information Co`, matched case-insensitively anywhere in the page. Most pages
//! hold none, yet the union search took about 7% of the HTML pipeline: its literal prefilter
//! keys on each signature's first bytes (`the`, `chi`, `t.m`), which ordinary text is full of,
//! and every hit is a verification.
//!
//! Contract: [`Signatures::any_in`] is exactly `union.is_match(text)` for the union regex of
//! every signature. A cheaper search runs first over one short, rare piece ("window") of each
//! signature; no window in the page means no signature either, so the union search runs only
//! on the few pages where a window occurs.
//!
//! Why the windows are sound: the union is `(?i)` with Unicode case folding, so a signature's
//! ASCII letters also match their non-ASCII case variants. Among ASCII letters only `k` (KELVIN
//! SIGN) and `s` (LONG S) have such variants, so windows are taken from runs of ASCII bytes
//! without `k` and `s`: inside those, a regex match implies an ASCII-case-insensitive match.

/// The signature search with its window prefilter.
#[derive(Debug, Clone)]
pub struct Signatures {
    union: regex::Regex,
    /// `None` when some signature has no usable window: then every page runs the union.
    windows: Option<regex::Regex>,
}

/// Shortest window worth searching: shorter ones occur in most pages anyway.
const MIN_WINDOW: usize = 3;
/// Windows this long are preferred: short pieces of a signature are ordinary words ("publi",
/// "y policy" occur in most pages) and would send every page on to the full search. Longer
/// ones made the prefilter slower: their starts could not be chosen as rare.
const GOOD_WINDOW: usize = 8;
/// Longest window: longer ones only cost verification time.
const MAX_WINDOW: usize = 24;

impl Signatures {
    /// The search over `signatures` (literal strings), or `None` when there are none or the
    /// union is too large to compile.
    pub fn build(signatures: &[String]) -> Option<Signatures> {
        if signatures.is_empty() {
            return None;
        }
        let alternatives: Vec<String> = signatures.iter().map(|s| regex::escape(s)).collect();
        let union = regex::Regex::new(&format!("(?i){}", alternatives.join("|"))).ok()?;
        let windows: Option<Vec<&str>> = signatures.iter().map(|s| window(s)).collect();
        // ASCII case-insensitive (`-u`): windows hold no letter with a non-ASCII variant.
        let windows = windows.and_then(|w| {
            let w: Vec<String> = w.iter().map(|w| regex::escape(w)).collect();
            regex::Regex::new(&format!("(?i-u){}", w.join("|"))).ok()
        });
        Some(Signatures { union, windows })
    }

    /// Whether `text` holds any signature, case-insensitively.
    pub fn any_in(&self, text: &str) -> bool {
        self.windows.as_ref().is_none_or(|w| w.is_match(text)) && self.union.is_match(text)
    }
}

/// The rarest short piece of `signature` that is safe to search ASCII-case-insensitively, or
/// `None` if it has no run of [`MIN_WINDOW`] such bytes.
fn window(signature: &str) -> Option<&str> {
    let b = signature.as_bytes();
    let safe = |c: u8| c.is_ascii() && !matches!(c.to_ascii_lowercase(), b'k' | b's');
    // Candidates start anywhere inside a safe run with at least MIN_WINDOW safe bytes left.
    // Longer windows fire on fewer pages, so length decides up to GOOD_WINDOW; then the first
    // bytes, which the prefilter keys on, decide how often it stops to verify.
    let mut best: Option<((usize, u32), usize, usize)> = None;
    let mut start = 0;
    while start < b.len() {
        let run = b[start..].iter().take_while(|&&c| safe(c)).count();
        if run >= MIN_WINDOW {
            for at in start..=start + run - MIN_WINDOW {
                let len = (start + run - at).min(MAX_WINDOW);
                let common: u32 = b[at..at + MIN_WINDOW].iter().map(|&c| commonness(c)).sum();
                let score = (GOOD_WINDOW - len.min(GOOD_WINDOW), common);
                if best.is_none_or(|(s, _, l)| score < s || (score == s && len > l)) {
                    best = Some((score, at, len));
                }
            }
        }
        start += run + 1;
    }
    // Safe bytes are ASCII, so the window's bounds are char boundaries.
    best.and_then(|(_, at, len)| signature.get(at..at + len))
}

/// How often a byte occurs in web pages, roughly (higher is more common): the letters of
/// English text, spaces and markup punctuation first, then the rest.
fn commonness(c: u8) -> u32 {
    match c.to_ascii_lowercase() {
        b' ' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b'r' | b'h' | b'l' | b'<' | b'>'
        | b'"' | b'=' | b'/' => 10,
        b'c' | b'd' | b'u' | b'm' | b'p' | b'-' | b'\n' | b'.' => 7,
        b'f' | b'g' | b'w' | b'y' | b'b' | b'v' | b',' | b':' | b'_' | b'0'..=b'9' => 5,
        b'j' | b'q' | b'x' | b'z' => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The soundness argument rests on which ASCII letters have non-ASCII case variants under
    /// the regex crate's folding: check it against the crate itself.
    #[test]
    fn only_k_and_s_fold_to_non_ascii() {
        let any_letter = regex::Regex::new("^(?i)[a-z]$").unwrap();
        let variants: Vec<char> = (0x80u32..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| any_letter.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(variants, ['\u{17F}', '\u{212A}']);
        assert!(regex::Regex::new("(?i)s").unwrap().is_match("\u{17F}"));
        assert!(regex::Regex::new("(?i)k").unwrap().is_match("\u{212A}"));
    }

    #[test]
    fn windows_avoid_k_s_and_common_starts() {
        assert_eq!(window("@globaltimes.com.cn"), Some("@globaltime"));
        assert_eq!(window("chinadaily.com.cn"), Some("y.com.cn"));
        // Not "Publi", which most pages hold ("publish", "public").
        assert_eq!(window("The Edge Publishing Pte Ltd"), Some("Edge Publi"));
        // Not "Privacy Policy and Term", a common footer; stops before "cookie"'s `k`.
        assert_eq!(
            window("revised Privacy Policy and Terms of Use. You can change your cookie"),
            Some(". You can change your co")
        );
        assert_eq!(window("ksks"), None);
        assert_eq!(window("näh"), None);
    }

    #[test]
    fn finds_signatures_in_any_case_including_unicode_variants() {
        let sigs =
            Signatures::build(&["Kiosk News Ltd".into(), "@globaltimes.com.cn".into()]).unwrap();
        assert!(sigs.windows.is_some());
        assert!(sigs.any_in("<p>© KIOSK NEWS LTD</p>"));
        assert!(
            sigs.any_in("<p>\u{212A}io\u{17F}k News Ltd</p>"),
            "Kelvin K, long s"
        );
        assert!(sigs.any_in("mail: x@GlobalTimes.com.cn"));
        assert!(!sigs.any_in("Kiosk News Limited, globaltimes.com"));
    }

    proptest! {
        /// The prefilter never changes the answer: pages built from signature pieces, case
        /// changes and the two non-ASCII variants give the union search's own verdict.
        #[test]
        fn agrees_with_the_union_search(
            parts in prop::collection::vec(
                prop_oneof![
                    Just("china daily information co".to_string()),
                    Just("Pte Ltd".to_string()),
                    Just("The Edge Publishing".to_string()),
                    Just("@globaltimes.com".to_string()),
                    Just(".cn".to_string()),
                    Just("\u{212A}".to_string()),
                    Just("\u{17F}".to_string()),
                    "[a-zA-Z .@]{0,6}",
                ],
                0..12,
            ),
            upper in any::<bool>(),
        ) {
            let all = [
                "China Daily Information Co".to_string(),
                "The Edge Publishing Pte Ltd".to_string(),
                "@globaltimes.com.cn".to_string(),
            ];
            let sigs = Signatures::build(&all).unwrap();
            let mut text = parts.concat();
            if upper {
                text = text.to_uppercase();
            }
            prop_assert_eq!(sigs.any_in(&text), sigs.union.is_match(&text), "{:?}", text);
        }
    }
}
