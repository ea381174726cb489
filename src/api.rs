//! The library front door: build an [`Engine`] with [`EngineBuilder`], then clean or
//! scan documents from memory ([`clean_bytes`], [`scan_bytes`]) or streamed from a
//! reader ([`clean_reader`], [`scan_reader`]: bounded memory for HAR files of any
//! size). Errors are an [`Error`] the caller can match.
//!
//! The core does no I/O of its own: no files, no clock, no random numbers. The caller
//! gives the fingerprint key and the current time; each call is one input with its own
//! limits budget, so calls on different threads never share limits.

use std::io::{Read, Seek, Write};

use crate::engine::{Engine, Limits};
use crate::error::Error;
use crate::finding::Finding;
pub use crate::format::driver::Spool;
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
/// assert_eq!(engine.limits().max_depth, 4);
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
            whole_layers: false,
            full_rescan: false,
            rewrite_whole: false,
            no_memo: false,
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

/// Find credentials without writing a copy: the findings [`clean_bytes`] reports for
/// the same document (a scan runs the same detection passes, without the copy's
/// verification; an archive is cleaned member by member and its copy dropped).
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
    crate::format::scan_bytes(engine, name, name, data).map_err(Error::from_anyhow)
}

/// Clean a document read from `input`, writing its copy to `copy`, with bounded memory
/// for HAR files of any size.
///
/// A HAR file is streamed: its copy is written to `copy`, read back and verified, and
/// written again when it has to be (so `input` is read from the start more than once,
/// and `copy` must be readable and seekable: a file, or a `Cursor<Vec<u8>>`). Any
/// other document is read into memory (bounded by the limits) and cleaned as
/// [`clean_bytes`] does. On `Ok` the copy is verified; on `Err`, `copy` is emptied
/// (and if even that failed, whatever it holds is unverified: discard it). Failures to read
/// `input` or to read or write `copy` are [`Error::Io`].
///
/// ```
/// use std::io::Cursor;
/// use harscrub::{clean_bytes, clean_reader, EngineBuilder};
///
/// let engine = EngineBuilder::new().key(b"k").build()?;
/// let har = br#"{"log":{"entries":[{"request":{"headers":[
///     {"name":"Cookie","value":"sid=a1b2c3d4e5f6a7b8c9d0"}]}}]}}"#;
/// let mut copy = Cursor::new(Vec::new());
/// let findings = clean_reader(&engine, "session.har", Cursor::new(&har[..]), &mut copy)?;
/// assert_eq!(copy.into_inner(), clean_bytes(&engine, "session.har", har)?.copy);
/// assert_eq!(findings.len(), 1);
/// # Ok::<(), harscrub::Error>(())
/// ```
pub fn clean_reader(
    engine: &Engine,
    name: &str,
    input: impl Read + Seek + Send,
    copy: impl Spool + Send,
) -> Result<Vec<Finding>, Error> {
    let mut input = Watched::new(input);
    let mut copy = Watched::new(copy);
    let result = crate::format::clean_stream(engine, name, name, &mut input, &mut copy, None)
        .and_then(|(_, f)| Ok(f.into_vec()?));
    result.map_err(|e| {
        let io = input.error.take().or(copy.error.take());
        // Fail closed: leave no unverified copy behind (best effort: the handle may be
        // what failed).
        let _ = copy.restart();
        match io {
            Some(io) => Error::Io(io),
            None => Error::from_anyhow(e),
        }
    })
}

/// Find credentials in a document read from `input`, without writing a copy, with
/// bounded memory for HAR files of any size: the findings [`clean_reader`] reports
/// for it. A HAR file is read twice (once to discover the secrets identified by their
/// context, once more for the entries that may hold one learnt after they were read);
/// any other document is read into memory and scanned as [`scan_bytes`] does.
///
/// ```
/// use std::io::Cursor;
/// use harscrub::{scan_reader, EngineBuilder};
///
/// let engine = EngineBuilder::new().key(b"k").build()?;
/// let har = br#"{"log":{"entries":[{"request":{"url":"https://example.test/?sid=a1b2c3d4e5f6a7b8c9d0",
///     "headers":[{"name":"Cookie","value":"sid=a1b2c3d4e5f6a7b8c9d0"}]}}]}}"#;
/// let findings = scan_reader(&engine, "session.har", Cursor::new(&har[..]))?;
/// // The cookie, and the same value in the URL.
/// assert_eq!(findings.len(), 2);
/// assert_eq!(findings[0].fingerprint, findings[1].fingerprint);
/// # Ok::<(), harscrub::Error>(())
/// ```
pub fn scan_reader(
    engine: &Engine,
    name: &str,
    input: impl Read + Seek + Send,
) -> Result<Vec<Finding>, Error> {
    let mut input = Watched::new(input);
    let result = crate::format::scan_stream(engine, name, name, &mut input, None)
        .and_then(|(_, f)| Ok(f.into_vec()?));
    result.map_err(|e| match input.error.take() {
        Some(io) => Error::Io(io),
        None => Error::from_anyhow(e),
    })
}

/// A caller's file that remembers its first I/O error, so that a failure to read or
/// write it is reported as [`Error::Io`] and not as a malformed document (decoders
/// report corrupt data as I/O errors too).
struct Watched<T> {
    inner: T,
    error: Option<std::io::Error>,
}

impl<T> Watched<T> {
    fn new(inner: T) -> Self {
        Watched { inner, error: None }
    }

    fn watch<R>(&mut self, r: std::io::Result<R>) -> std::io::Result<R> {
        if let Err(e) = &r {
            if self.error.is_none() {
                self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        }
        r
    }
}

impl<T: Read> Read for Watched<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = self.inner.read(buf);
        self.watch(r)
    }
}

impl<T: Write> Write for Watched<T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.watch(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.watch(r)
    }
}

impl<T: Seek> Seek for Watched<T> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        let r = self.inner.seek(pos);
        self.watch(r)
    }
}

impl<T: Spool> Spool for Watched<T> {
    fn restart(&mut self) -> std::io::Result<()> {
        let r = self.inner.restart();
        self.watch(r)
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        let r = self.inner.truncate(len);
        self.watch(r)
    }
}
