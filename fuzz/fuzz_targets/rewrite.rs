#![no_main]
//! See `src/checks.rs` (`rewrite`) for what this target checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harscrub_fuzz::checks::rewrite(data));
