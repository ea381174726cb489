//! `harscrub report merge`: combine the reports of the shards of one batch
//! (`--shard I/N`) into the report a single run over the same inputs writes.
//!
//! Order (deterministic whatever the order of the arguments): `files[]` sorted by path,
//! component by component (`in/a/x` before `in/a.b/x`, the order in which a folder is
//! walked), each file's findings in the order its shard reported them; the summary is
//! computed again from the merged lists. A path reported by two shards is an error (the
//! shards overlapped), as are reports of different commands or schema versions.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::{FileReport, Findings, Report, SCHEMA_VERSION};
use crate::finding::Finding;

#[derive(Deserialize)]
struct RawTool {
    name: String,
}

#[derive(Deserialize)]
struct RawReport {
    schema_version: u32,
    tool: RawTool,
    command: String,
    files: Vec<FileReport>,
    findings: Vec<Finding>,
}

/// One file of one shard report with its findings.
struct Part {
    file: FileReport,
    findings: Vec<Finding>,
    from: usize,
}

/// Read and merge the reports at `paths` (at least one).
pub fn merge(paths: &[PathBuf]) -> Result<Report> {
    if paths.is_empty() {
        bail!("no report to merge");
    }
    let mut command: Option<String> = None;
    let mut parts: Vec<Part> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let raw = read(p)?;
        if raw.tool.name != "harscrub" || raw.schema_version != SCHEMA_VERSION {
            bail!(
                "{}: not a harscrub report of schema version {}",
                p.display(),
                SCHEMA_VERSION
            );
        }
        match &command {
            None => command = Some(raw.command.clone()),
            Some(c) if *c != raw.command => bail!(
                "{}: a `{}` report cannot be merged with `{}` reports",
                p.display(),
                raw.command,
                c
            ),
            Some(_) => {}
        }
        let declared: usize = raw.files.iter().map(|f| f.findings).sum();
        if declared != raw.findings.len() {
            bail!(
                "{}: files[] count {} findings but findings[] holds {}: not a complete report",
                p.display(),
                declared,
                raw.findings.len()
            );
        }
        let mut findings = raw.findings.into_iter();
        for file in raw.files {
            let mine: Vec<Finding> = findings.by_ref().take(file.findings).collect();
            parts.push(Part {
                file,
                findings: mine,
                from: i,
            });
        }
    }
    // Component-wise path order, the order of a folder walk; stable for equal paths so
    // the duplicate check below names both reports.
    parts.sort_by(|a, b| Path::new(&a.file.path).cmp(Path::new(&b.file.path)));
    for w in parts.windows(2) {
        if w[0].file.path == w[1].file.path {
            bail!(
                "{} is in both {} and {}: the shards overlap (same --shard given twice, or \
                 inputs listed in two shards?)",
                super::printable(&w[0].file.path),
                paths[w[0].from].display(),
                paths[w[1].from].display()
            );
        }
    }
    let mut files = Vec::with_capacity(parts.len());
    let mut findings = Findings::new();
    for part in parts {
        files.push(part.file);
        findings
            .extend(part.findings)
            .context("recording findings in a temporary file")?;
    }
    Ok(Report::new(
        command.as_deref().unwrap_or("clean"),
        files,
        findings,
    ))
}

fn read(p: &Path) -> Result<RawReport> {
    let f = File::open(p).with_context(|| format!("reading report {}", p.display()))?;
    serde_json::from_reader(BufReader::with_capacity(1 << 20, f))
        .with_context(|| format!("{}: not a harscrub JSON report", p.display()))
}
