//! Fuzz target `html_parse`: see [`deboiler_fuzz::check_html_parse`] for what it feeds and asserts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deboiler_fuzz::check_html_parse(data));
