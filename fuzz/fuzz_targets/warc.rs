//! Fuzz target `warc`: see [`deboiler_fuzz::check_warc`] for what it feeds and asserts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deboiler_fuzz::check_warc(data));
