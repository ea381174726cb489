//! harscrub: find and redact credentials in HAR files and support bundles.
//!
//! The pipeline follows the data: `input` (files, directories, archives and where each
//! byte came from) → `format` (HAR, JSON, text handlers) → `rules` (load, compile,
//! check) → `detect` (what is a secret, in which context) → `redact` (keyed
//! placeholders) → `output` (atomic copies) → `report` (findings, never secrets).

#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod detect;
pub mod engine;
pub mod finding;
pub mod format;
pub mod input;
#[cfg(feature = "cli")]
pub mod output;
pub mod redact;
pub mod report;
pub mod rules;
#[cfg(feature = "cli")]
pub mod run;

mod api;
pub mod error;

pub use api::{clean_bytes, clean_reader, scan_bytes, Cleaned, EngineBuilder};
pub use engine::{Engine, Limits};
pub use error::Error;
pub use finding::{Finding, Location, Provenance};
