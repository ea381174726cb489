//! The resolved configuration of a run: compiled rules, name lists, the redactor and
//! the limits. Built once (from the command line or by a library user) and shared by
//! every worker thread.

use crate::redact::Redactor;
use crate::rules::RuleSet;

/// Limits that protect against archive bombs and runaway inputs.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum total bytes decompressed from one top-level input (all members, all depths).
    pub max_total_bytes: u64,
    /// Maximum compression ratio (decompressed / compressed) for one member.
    pub max_ratio: u64,
    /// Maximum archive nesting depth (an archive inside an archive is depth 2).
    pub max_depth: usize,
    /// Maximum number of members in one archive.
    pub max_members: usize,
    /// Maximum JSON nesting depth.
    pub max_json_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 16 << 30,
            max_ratio: 1000,
            max_depth: 8,
            max_members: 200_000,
            max_json_depth: 512,
        }
    }
}

/// Everything a worker needs to sanitize a document.
pub struct Engine {
    pub rules: RuleSet,
    pub redactor: Redactor,
    pub limits: Limits,
    /// Unix time used to decide whether JWTs and cookies are expired.
    pub now: i64,
}
