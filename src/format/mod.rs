//! Format handlers: each kind of document (HAR, other JSON, text, archives) has its own
//! handler; `sanitize_bytes` sniffs the kind and dispatches.

use crate::engine::Engine;
use crate::finding::Finding;

/// What a handler produced for one document.
#[derive(Debug)]
pub struct Outcome {
    /// The redacted copy (identical to the input when nothing was found).
    pub output: Vec<u8>,
    /// Findings, in document order.
    pub findings: Vec<Finding>,
}

/// Sanitize one in-memory document. `provenance` names it in findings (e.g.
/// `bundle.zip!/case/app.log`), `name` is its file or member name (used with the
/// content to recognise its kind), `depth` is the archive nesting depth (0 for a file
/// given on the command line).
pub fn sanitize_bytes(
    engine: &Engine,
    provenance: &str,
    name: &str,
    data: &[u8],
    depth: usize,
) -> anyhow::Result<Outcome> {
    let _ = (engine, provenance, name, depth);
    anyhow::bail!("not implemented yet ({} bytes)", data.len())
}
