//! The library front door: build an [`Engine`] with [`EngineBuilder`], then clean or
//! scan documents from memory ([`clean_bytes`], [`scan_bytes`]) or from a reader
//! ([`clean_reader`]). Errors are an [`Error`] the caller can match.
//!
//! The core does no I/O of its own: no files, no clock, no random numbers. The caller
//! gives the fingerprint key and the current time; each call is one input with its own
//! limits budget, so calls on different threads never share limits.

use std::io::{Read, Write};

use crate::engine::{Engine, Limits};
use crate::error::Error;
use crate::finding::Finding;
use crate::redact::{Redactor, Style};

/// Builds an [`Engine`]: built-in rules and names, the caller's key and clock.
///
/// ```
/// use harscrub::{EngineBuilder, Limits};
///
/// let engine = EngineBuilder::new()
///     .key(b"a secret key kept by the caller")
///     .now(1_700_000_000)
///     .limits(Limits { max_depth: 4, ..Limits::default() })
///     .allow_value("demo-key")
///     .build()?;
/// assert_eq!(engine.limits.max_depth, 4);
/// # Ok::<(), harscrub::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct EngineBuilder {
    key: Vec<u8>,
    now: i64,
    limits: Limits,
    placeholder: Style,
    allow_values: Vec<String>,
    allow_patterns: Vec<String>,
    allow_paths: Vec<String>,
}

impl EngineBuilder {
    /// Defaults: an empty key (give one: placeholders and fingerprints are keyed with
    /// it), time 0 (give "now": it decides whether JWTs and cookies are expired),
    /// default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// The HMAC key for fingerprints and placeholders (any length).
    pub fn key(mut self, key: &[u8]) -> Self {
        self.key = key.to_vec();
        self
    }

    /// The current time, unix seconds.
    pub fn now(mut self, unix_seconds: i64) -> Self {
        self.now = unix_seconds;
        self
    }

    /// Limits against archive bombs and runaway inputs.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How placeholders look in the copies.
    pub fn placeholder(mut self, style: Style) -> Self {
        self.placeholder = style;
        self
    }

    /// A value never redacted (exact match).
    pub fn allow_value(mut self, v: impl Into<String>) -> Self {
        self.allow_values.push(v.into());
        self
    }

    /// A regular expression whose whole-value matches are never redacted.
    pub fn allow_pattern(mut self, p: impl Into<String>) -> Self {
        self.allow_patterns.push(p.into());
        self
    }

    /// A JSON Pointer (`*` for any one segment) never redacted.
    pub fn allow_path(mut self, p: impl Into<String>) -> Self {
        self.allow_paths.push(p.into());
        self
    }

    /// Compile the rules and lists.
    pub fn build(self) -> Result<Engine, Error> {
        let bad = |m: String| Error::Malformed(m);
        let mut allow_patterns = Vec::new();
        for p in &self.allow_patterns {
            allow_patterns.push(
                regex::bytes::Regex::new(p)
                    .map_err(|e| bad(format!("allow pattern {p:?}: {e}")))?,
            );
        }
        let mut allow_paths = Vec::new();
        for p in &self.allow_paths {
            if !p.starts_with('/') {
                return Err(bad(format!(
                    "allow path {p:?} must be a JSON Pointer starting with '/'"
                )));
            }
            allow_paths.push(p.split('/').skip(1).map(str::to_string).collect());
        }
        Ok(Engine {
            rules: crate::rules::RuleSet::builtin().map_err(Error::from_anyhow)?,
            names: crate::rules::names::Names::builtin().map_err(Error::from_anyhow)?,
            redactor: Redactor::new(&self.key),
            placeholder: self.placeholder,
            limits: self.limits,
            now: self.now,
            allow_values: self
                .allow_values
                .into_iter()
                .map(String::into_bytes)
                .collect(),
            allow_patterns,
            allow_paths,
        })
    }
}

/// A cleaned document: the redacted copy and what was found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Cleaned {
    /// The verified, redacted copy (byte-identical to the input outside the secrets).
    pub copy: Vec<u8>,
    /// The credentials found, in document order (never the secrets themselves).
    pub findings: Vec<Finding>,
}

/// Clean one document held in memory. `name` is its file name (used with its content
/// to recognise HAR, JSON, text, HTTP dumps and zip/tar/gzip archives) and names it in
/// the findings.
///
/// ```
/// use harscrub::{clean_bytes, EngineBuilder};
///
/// let engine = EngineBuilder::new().key(b"k").now(1_700_000_000).build()?;
/// let log = b"GET /api ok\ntoken=ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567\n";
/// let cleaned = clean_bytes(&engine, "app.log", log)?;
/// assert_eq!(cleaned.findings.len(), 1);
/// assert_eq!(cleaned.findings[0].kind, "github-token");
/// let copy = String::from_utf8(cleaned.copy).unwrap();
/// assert!(copy.starts_with("GET /api ok\ntoken=[REDACTED:github-token:"));
/// assert!(!copy.contains("ghp_"));
/// # Ok::<(), harscrub::Error>(())
/// ```
pub fn clean_bytes(engine: &Engine, name: &str, data: &[u8]) -> Result<Cleaned, Error> {
    let out =
        crate::format::sanitize_bytes(engine, name, name, data, 0).map_err(Error::from_anyhow)?;
    Ok(Cleaned {
        copy: out.output,
        findings: out.findings,
    })
}

/// Find credentials without keeping a copy.
///
/// ```
/// use harscrub::{scan_bytes, EngineBuilder};
///
/// let engine = EngineBuilder::new().key(b"k").build()?;
/// let har = br#"{"log":{"entries":[{"request":{"headers":[
///     {"name":"Authorization","value":"Bearer ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567"}]}}]}}"#;
/// let findings = scan_bytes(&engine, "session.har", har)?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].location, "/log/entries/0/request/headers/0/value");
/// # Ok::<(), harscrub::Error>(())
/// ```
pub fn scan_bytes(engine: &Engine, name: &str, data: &[u8]) -> Result<Vec<Finding>, Error> {
    Ok(clean_bytes(engine, name, data)?.findings)
}

/// Clean a document from `input`, writing the verified copy to `output`. Nothing is
/// written when the document fails (fail closed). Read and write failures are
/// [`Error::Io`].
///
/// The document is read into memory first (the copy must be verified before any of
/// it is written); a bounded-memory streaming path for large HAR files is the CLI's.
///
/// ```
/// use harscrub::{clean_bytes, clean_reader, EngineBuilder};
///
/// let engine = EngineBuilder::new().key(b"k").build()?;
/// let log = b"password=hunter2-but-longer\n".to_vec();
/// let mut copy = Vec::new();
/// let findings = clean_reader(&engine, "app.log", log.as_slice(), &mut copy)?;
/// assert_eq!(copy, clean_bytes(&engine, "app.log", &log)?.copy);
/// assert_eq!(findings.len(), 1);
/// # Ok::<(), harscrub::Error>(())
/// ```
pub fn clean_reader(
    engine: &Engine,
    name: &str,
    mut input: impl Read,
    mut output: impl Write,
) -> Result<Vec<Finding>, Error> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    let cleaned = clean_bytes(engine, name, &data)?;
    output.write_all(&cleaned.copy)?;
    output.flush()?;
    Ok(cleaned.findings)
}
