//! The findings report (JSON, versioned) and the human summary. Rendering only: this
//! module receives findings that never held a secret, and escapes everything that came
//! from the input (file and member names) before it reaches a terminal.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::finding::Finding;

/// Bumped on any incompatible change to the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

/// What happened to one input.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A verified copy was written.
    Written,
    /// Scanned only (no copy requested).
    Scanned,
    /// Could not be processed: no copy.
    Failed,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub findings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    pub files: usize,
    pub files_written: usize,
    pub files_failed: usize,
    pub findings: usize,
    /// Distinct secrets (by fingerprint).
    pub distinct_secrets: usize,
    pub by_kind: BTreeMap<String, usize>,
    /// JWTs whose `exp` is still in the future.
    pub jwt_live: usize,
    /// JWTs already expired when scanned.
    pub jwt_expired: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub command: String,
    pub files: Vec<FileReport>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Report {
    pub fn new(command: &str, files: Vec<FileReport>, findings: Vec<Finding>) -> Report {
        let mut s = Summary {
            files: files.len(),
            files_written: files.iter().filter(|f| f.status == Status::Written).count(),
            files_failed: files.iter().filter(|f| f.status == Status::Failed).count(),
            findings: findings.len(),
            ..Summary::default()
        };
        let mut fps = std::collections::HashSet::new();
        for f in &findings {
            *s.by_kind.entry(f.kind.clone()).or_default() += 1;
            fps.insert((&f.kind, &f.fingerprint));
            if let Some(j) = &f.jwt {
                match j.expired {
                    Some(true) => s.jwt_expired += 1,
                    _ => s.jwt_live += 1,
                }
            }
        }
        s.distinct_secrets = fps.len();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "harscrub",
                version: env!("CARGO_PKG_VERSION"),
            },
            command: command.to_string(),
            files,
            findings,
            summary: s,
        }
    }

    pub fn write_json<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut w, self)?;
        w.write_all(b"\n")
    }

    /// Findings one per line, for `scan --format text`.
    pub fn write_text<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        for f in &self.findings {
            let mut extra = String::new();
            if let Some(j) = &f.jwt {
                extra = format!(
                    "  (jwt alg={} iss={} {})",
                    j.alg.as_deref().unwrap_or("?"),
                    j.iss
                        .as_deref()
                        .map(printable)
                        .unwrap_or_else(|| "?".into()),
                    match j.expired {
                        Some(true) => "expired",
                        Some(false) => "live",
                        None => "no expiry",
                    }
                );
            }
            writeln!(
                w,
                "{}:{}  {}  {}  [{}] len={}{}",
                printable(&f.file),
                printable(&f.location),
                f.kind,
                f.rule,
                f.fingerprint,
                f.length,
                extra
            )?;
        }
        Ok(())
    }

    /// The short human summary (stderr).
    pub fn write_summary<W: Write>(&self, mut w: W, verb: &str) -> std::io::Result<()> {
        let s = &self.summary;
        writeln!(
            w,
            "harscrub {}: {} file(s), {} credential(s) found ({} distinct){}{}",
            verb,
            s.files,
            s.findings,
            s.distinct_secrets,
            if verb == "clean" {
                format!(", {} copy(ies) written", s.files_written)
            } else {
                String::new()
            },
            if s.files_failed > 0 {
                format!(", {} FAILED", s.files_failed)
            } else {
                String::new()
            },
        )?;
        if !s.by_kind.is_empty() {
            let width = s.by_kind.keys().map(|k| k.len()).max().unwrap_or(0);
            for (k, n) in &s.by_kind {
                writeln!(w, "  {:width$}  {:>6}", k, n, width = width)?;
            }
        }
        if s.jwt_live + s.jwt_expired > 0 {
            writeln!(
                w,
                "  JWTs: {} live or without expiry, {} expired",
                s.jwt_live, s.jwt_expired
            )?;
        }
        for f in &self.files {
            if f.status == Status::Failed {
                writeln!(
                    w,
                    "  failed: {}: {}",
                    printable(&f.path),
                    printable(f.error.as_deref().unwrap_or("error"))
                )?;
            }
        }
        Ok(())
    }
}

/// Escape control characters (terminal escapes in hostile file names) for display.
pub fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls() {
        assert_eq!(printable("a\x1b[31mb\n"), "a\\u{1b}[31mb\\n");
    }
}
