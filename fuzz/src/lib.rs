//! Fuzz targets for harscrub. The checks live in [`checks`] (plain functions that
//! panic when an invariant breaks) so that `tests/adversarial.rs` in the main crate can
//! replay every saved crash (`fuzz/regressions/<target>/*`) through the very same code
//! in an ordinary `cargo test`.

pub mod checks;
