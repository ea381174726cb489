//! harscrub: find and redact credentials in HAR files and support bundles.
//!
//! The pipeline follows the data: `format` (HAR, JSON, text and archive handlers; an
//! archive's members go through the same dispatcher, and `session` holds the
//! decompression budget of one input) → `rules` (load, compile, check) → `detect`
//! (what is a secret, in which context) → `redact` (keyed placeholders) → `output`
//! (atomic copies) → `report` (findings, never secrets).
//!
//! The library's API is what this page lists: [`EngineBuilder`], [`clean_bytes`],
//! [`scan_bytes`], [`clean_reader`], [`Finding`] and [`Error`]. The modules behind it
//! are public only for the binary, the benchmarks and the integration tests (hidden
//! from these docs); they may change in any release.

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod codec;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod detect;
#[doc(hidden)]
pub mod engine;
#[doc(hidden)]
pub mod finding;
#[doc(hidden)]
pub mod format;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod output;
#[doc(hidden)]
pub mod redact;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod rules;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod run;
#[doc(hidden)]
pub mod session;

mod api;
pub mod error;

pub use api::{clean_bytes, clean_reader, scan_bytes, Cleaned, EngineBuilder, Spool};
pub use engine::{Engine, Limits};
pub use error::Error;
pub use finding::{Finding, Location, Provenance};
pub use redact::Style;
