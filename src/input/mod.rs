//! Inputs: where bytes come from. `archive` opens zip, tar and gzip containers (support
//! bundles, `.har.gz`, Fiddler `.saz`), sends every member through the format
//! dispatcher and writes a redacted archive of the same kind back; `session` holds the
//! limits budget of one top-level input.

pub mod archive;
pub mod session;

pub use archive::{sanitize_archive, sniff_archive, ArchiveKind};
