//! Fuzz target `gunzip`: see [`deboiler_fuzz::check_gunzip`] for what it feeds and asserts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| deboiler_fuzz::check_gunzip(data));
