//! Inputs: where bytes come from. `archive` opens zip, tar and gzip containers (support
//! bundles, `.har.gz`, Fiddler `.saz`), sends every member through the format
//! dispatcher and writes a redacted archive of the same kind back.

pub mod archive;

pub use archive::{sanitize_archive, sniff_archive, ArchiveKind};
