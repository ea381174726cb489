//! harscrub: find and redact credentials in HAR files and support bundles.
//!
//! The pipeline follows the data: `format` (HAR, JSON, text and archive handlers; an
//! archive's members go through the same dispatcher, and `session` holds the
//! decompression budget of one input) → `rules` (load, compile, check) → `detect`
//! (what is a secret, in which context) → `redact` (keyed placeholders) → `output`
//! (atomic copies) → `report` (findings, never secrets). Every document's passes
//! (write, verify, rewrite) are run by one driver, `format::driver`; `codec` holds the
//! decoders that `format` and `detect` share (JSON spans, content codings). No module
//! imports one that imports it back.
//!
//! The library's API is what this page lists: [`EngineBuilder`] and [`Engine`],
//! [`clean_bytes`], [`scan_bytes`], [`clean_reader`] (with a [`Spool`] for the copy),
//! [`scan_reader`],
//! [`Finding`] and [`Error`]. The modules behind it are private; the hidden
//! `internals` module re-exports the few pieces the integration tests and the fuzz
//! targets check directly, and may change in any release.

mod api;
#[cfg(feature = "cli")]
mod cli;
mod codec;
#[cfg(feature = "cli")]
mod config;
mod detect;
mod engine;
mod error;
mod finding;
mod format;
#[cfg(feature = "cli")]
mod output;
mod redact;
#[cfg(feature = "cli")]
mod report;
mod rules;
#[cfg(feature = "cli")]
mod run;
mod session;

pub use api::{clean_bytes, clean_reader, scan_bytes, scan_reader, Cleaned, EngineBuilder, Spool};
pub use engine::{Engine, Limits};
pub use error::Error;
pub use finding::{Finding, Location, Provenance};
pub use redact::Style;

/// The command-line program (`src/main.rs` calls it); returns the exit code.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub use cli::main as cli_main;

/// Internals reached by the integration tests, the fuzz targets and the benchmarks
/// (to check one handler or detector directly). Not part of the API: they change
/// without notice.
#[doc(hidden)]
pub mod internals {
    pub use crate::detect::{apply_edits, Edit, Known, Scrubber};
    pub use crate::format::archive;
    pub use crate::format::{clean_document, sanitize_bytes, sniff, tnetstring, Kind, Outcome};
    pub use crate::redact::Redactor;
    pub use crate::rules::{names, RuleMatch, RuleSet};
    pub use crate::session::Session;
}
