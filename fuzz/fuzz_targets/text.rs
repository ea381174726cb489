#![no_main]
//! See `src/checks.rs` (`text`) for what this target checks.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: harscrub_fuzz::init(),
    |data: &[u8]| harscrub_fuzz::checks::text(data)
);
