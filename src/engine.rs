//! The resolved configuration of a run: compiled rules, name lists, the redactor and
//! the limits. Built once (from the command line or by a library user) and shared by
//! every worker thread.

use crate::redact::{Redactor, Style};
use crate::rules::names::Names;
use crate::rules::RuleSet;

/// Limits that protect against archive bombs and runaway inputs.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum total bytes decompressed from one top-level input (all members, all depths).
    pub max_total_bytes: u64,
    /// Maximum compression ratio (decompressed / compressed) for one member, and for
    /// one top-level input as a whole: all members at all depths may not inflate to
    /// more than `max_ratio` times its size (nor less than `min_tree_budget`).
    pub max_ratio: u64,
    /// The whole-input limit `max_ratio` × input size is never below this, so that a
    /// small archive with a few well-compressed logs is not refused.
    pub min_tree_budget: u64,
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
            min_tree_budget: 64 << 20,
            max_depth: 8,
            max_members: 200_000,
            max_json_depth: 512,
        }
    }
}

/// Everything a worker needs to sanitize a document.
pub struct Engine {
    pub(crate) rules: RuleSet,
    pub(crate) names: Names,
    pub(crate) redactor: Redactor,
    /// How placeholders look in the copies (the report always has kind and fingerprint).
    pub(crate) placeholder: Style,
    pub(crate) limits: Limits,
    /// Unix time used to decide whether JWTs and cookies are expired.
    pub(crate) now: i64,
    /// Values that are never redacted (exact match), from the user's config.
    pub(crate) allow_values: Vec<Vec<u8>>,
    /// Patterns whose matches are never redacted, from the user's config.
    pub(crate) allow_patterns: Vec<regex::bytes::Regex>,
    /// JSON Pointer patterns (segments, `*` for any one) never redacted.
    pub(crate) allow_paths: Vec<Vec<String>>,
    /// Read every decoded escaping layer whole instead of in windows around its
    /// escapes: the reference the windowed reading is tested against (see
    /// `detect::layers`).
    pub(crate) whole_layers: bool,
    /// Verification of a streamed HAR re-detects every string of the copy, not only
    /// the strings the write pass changed (see `detect::touched`): the reference the
    /// skipping is tested against.
    pub(crate) full_rescan: bool,
    /// A streamed HAR whose first copy must be written again is written again whole,
    /// not repaired (see `format::har::repair`): the reference the repair is tested
    /// against.
    pub(crate) rewrite_whole: bool,
    /// Read every string of a HAR pass, also one found clean before in the same
    /// context (see `detect::memo`): the reference the memo is tested against.
    pub(crate) no_memo: bool,
}

impl Engine {
    /// Read decoded escaping layers whole (the reference for tests; slower, same copies).
    #[doc(hidden)]
    pub fn set_whole_layers(&mut self, whole: bool) {
        self.whole_layers = whole;
    }

    /// Verify a streamed HAR copy by re-detecting every string of it, not only the
    /// strings the write pass changed (the reference for tests; slower, same verdicts).
    #[doc(hidden)]
    pub fn set_full_rescan(&mut self, full: bool) {
        self.full_rescan = full;
    }

    /// Read every string of a HAR pass, not remembering the strings found clean (the
    /// reference for tests; slower, same copies and findings).
    #[doc(hidden)]
    pub fn set_no_memo(&mut self, off: bool) {
        self.no_memo = off;
    }

    /// Write a streamed HAR's copy again whole when its first copy cannot be kept,
    /// instead of repairing it (the reference for tests; slower, same copies).
    #[doc(hidden)]
    pub fn set_rewrite_whole(&mut self, whole: bool) {
        self.rewrite_whole = whole;
    }

    /// An engine with the built-in rules and names, a random key, the system clock and
    /// default limits (needs the `cli` feature; library users use
    /// [`crate::EngineBuilder`], which takes the key and the time from the caller).
    #[cfg(feature = "cli")]
    pub fn builtin() -> anyhow::Result<Engine> {
        Ok(Engine {
            rules: RuleSet::builtin()?,
            names: Names::builtin()?,
            redactor: Redactor::random(),
            placeholder: Style::default(),
            limits: Limits::default(),
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            allow_values: Vec::new(),
            allow_patterns: Vec::new(),
            allow_paths: Vec::new(),
            whole_layers: false,
            full_rescan: false,
            rewrite_whole: false,
            no_memo: false,
        })
    }

    /// The limits this engine enforces on every input.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The time (unix seconds) against which JWT and cookie expiry is judged.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The fingerprint findings of `secret` carry (a keyed hash: the same secret gets
    /// the same fingerprint under the same key, and it cannot be turned back into the
    /// secret). Lets a caller match findings against a secret it already holds.
    pub fn fingerprint(&self, secret: &[u8]) -> String {
        self.redactor.fingerprint(secret)
    }

    /// The compiled rule set (for the tests of the rules themselves).
    #[doc(hidden)]
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The placeholder this engine writes for `secret` found as `kind`.
    #[doc(hidden)]
    pub fn placeholder_for(&self, kind: &str, secret: &[u8]) -> String {
        self.redactor.placeholder(kind, secret)
    }

    /// Same engine with a fixed fingerprint key (reproducible placeholders).
    pub fn with_key(mut self, key: &[u8]) -> Self {
        self.redactor = Redactor::new(key);
        self
    }

    /// Are any JSON paths allow-listed (so that reading a value depends on where it is)?
    pub(crate) fn has_allowed_paths(&self) -> bool {
        !self.allow_paths.is_empty()
    }

    /// Is this JSON Pointer allow-listed by the user?
    pub fn path_allowed(&self, pointer: &str) -> bool {
        if self.allow_paths.is_empty() || !pointer.starts_with('/') {
            return false;
        }
        let segs: Vec<&str> = pointer.split('/').skip(1).collect();
        self.allow_paths
            .iter()
            .any(|p| p.len() == segs.len() && p.iter().zip(&segs).all(|(a, b)| a == "*" || a == b))
    }

    /// Is this value allow-listed by the user?
    pub fn allowed(&self, v: &[u8]) -> bool {
        (!self.allow_values.is_empty() && self.allow_values.iter().any(|a| a == v))
            || self.allow_patterns.iter().any(|p| {
                p.find(v)
                    .is_some_and(|m| m.start() == 0 && m.end() == v.len())
            })
    }
}
