//! harscrub: find and redact credentials in HAR files and support bundles.
//!
//! The pipeline follows the data: `input` (files, directories, archives and where each
//! byte came from) → `format` (HAR, JSON, text handlers) → `rules` (load, compile,
//! check) → `detect` (what is a secret, in which context) → `redact` (keyed
//! placeholders) → `output` (atomic copies) → `report` (findings, never secrets).

pub mod cli;
pub mod config;
pub mod detect;
pub mod engine;
pub mod finding;
pub mod format;
pub mod input;
pub mod output;
pub mod redact;
pub mod report;
pub mod rules;
pub mod run;

pub use finding::Finding;
