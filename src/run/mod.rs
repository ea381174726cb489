//! Running a command over inputs: enumerate files (walking directories), process them
//! in parallel, collect results in input order, write copies atomically.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use crate::detect::Known;
use crate::engine::Engine;
use crate::format::{self, har, Kind};
use crate::output::{self, Pending};
use crate::report::{FileReport, Findings, Status};

/// What to do with each input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Find only.
    Scan,
    /// Write copies: under `out` (mirroring directory inputs), in place, or beside the
    /// input as `NAME.redacted.EXT`.
    Clean {
        out: Option<PathBuf>,
        in_place: bool,
        force: bool,
    },
}

/// One file to process.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file on disk (`-` for standard input).
    pub path: PathBuf,
    /// Path relative to the folder given on the command line (the file name for a file
    /// argument): where the copy goes under `--out`.
    pub rel: PathBuf,
}

impl Input {
    pub fn display(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// Expand command-line paths into files. Directories are walked recursively without
/// following symlinks; harscrub's own copies (`*.redacted.*`) and the output folder
/// are skipped. Problems are returned as failed reports.
pub fn enumerate(paths: &[PathBuf], out: Option<&Path>) -> (Vec<Input>, Vec<FileReport>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let out_canon = out.and_then(|o| fs::canonicalize(o).ok());
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input {
                path: p.clone(),
                rel: PathBuf::from("-"),
            });
            continue;
        }
        let meta = match fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                errors.push(failed(&p.to_string_lossy(), format!("cannot read: {}", e)));
                continue;
            }
        };
        if meta.is_file() {
            let name = p
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| p.clone());
            inputs.push(Input {
                path: p.clone(),
                rel: name,
            });
            continue;
        }
        if meta.is_dir() && out_canon.is_some() && fs::canonicalize(p).ok() == out_canon {
            errors.push(failed(
                &p.to_string_lossy(),
                "--out is this input folder itself: copies would replace the inputs; choose another --out".into(),
            ));
            continue;
        }
        if !meta.is_dir() {
            errors.push(failed(
                &p.to_string_lossy(),
                "not a regular file or directory".into(),
            ));
            continue;
        }
        let walker = walkdir::WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name();
        let mut it = walker.into_iter();
        while let Some(entry) = it.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e
                        .path()
                        .map(|x| x.to_string_lossy().into_owned())
                        .unwrap_or_else(|| p.to_string_lossy().into_owned());
                    errors.push(failed(&path, format!("cannot read: {}", e)));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                let n = entry.file_name();
                if entry.depth() > 0 && (n == ".git" || n == ".hg" || n == ".svn") {
                    it.skip_current_dir();
                    continue;
                }
                if let Some(oc) = &out_canon {
                    if fs::canonicalize(entry.path()).ok().as_ref() == Some(oc) {
                        it.skip_current_dir();
                    }
                }
                continue;
            }
            if !entry.file_type().is_file() {
                continue; // symlinks and special files are not followed
            }
            let name = entry.file_name().to_string_lossy();
            if output::is_redacted_name(&name) || name.starts_with(".harscrub-") {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(p)
                .unwrap_or(entry.path())
                .to_path_buf();
            inputs.push(Input {
                path: entry.path().to_path_buf(),
                rel,
            });
        }
    }
    (inputs, errors)
}

fn failed(path: &str, error: String) -> FileReport {
    FileReport {
        path: path.to_string(),
        status: Status::Failed,
        kind: None,
        output: None,
        findings: 0,
        error: Some(error),
    }
}

/// Where the copy of `input` goes.
pub fn destination(input: &Input, out: Option<&Path>, in_place: bool) -> PathBuf {
    if in_place {
        return input.path.clone();
    }
    match out {
        Some(dir) => dir.join(&input.rel),
        None => {
            let name = input
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            input.path.with_file_name(output::redacted_name(&name))
        }
    }
}

/// Result of processing one input.
pub struct Processed {
    pub report: FileReport,
    pub findings: Findings,
}

/// A verified copy waiting to be flushed to disk and renamed into place.
struct Commit {
    pending: Pending,
    force: bool,
}

/// Process every input in parallel and hand the results to `sink` in input order.
///
/// Workers take inputs in order (`par_bridge`) and pass their results to a collector
/// thread, which commits the copies (`fsync` and rename: the workers go on scrubbing
/// meanwhile), puts the results back in order and calls `sink`. Only the few results that
/// finished early wait in memory; their findings may already be on disk (see
/// [`crate::report::store`]).
pub fn process_all<F: FnMut(Processed) + Send>(
    engine: &Engine,
    action: &Action,
    inputs: &[Input],
    progress: &indicatif::ProgressBar,
    mut sink: F,
) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Processed, Option<Commit>)>(64);
    std::thread::scope(|sc| {
        sc.spawn(move || {
            let mut next = 0;
            let mut waiting = std::collections::BTreeMap::new();
            for (i, mut r, c) in rx.iter() {
                // Commit at once (the order only matters to the sink): a result waiting
                // for its turn holds no open temporary file.
                if let Some(c) = c {
                    finish(&mut r, c);
                }
                waiting.insert(i, r);
                while let Some(r) = waiting.remove(&next) {
                    sink(r);
                    next += 1;
                }
            }
        });
        inputs
            .iter()
            .enumerate()
            .par_bridge()
            .for_each_with(tx, |tx, (i, inp)| {
                let (r, c) = process_one(engine, action, inp);
                progress.inc(1);
                // The collector only stops when every sender is gone.
                let _ = tx.send((i, r, c));
            });
    });
}

/// Flush and rename a copy into place; on failure the input is reported failed.
fn finish(r: &mut Processed, c: Commit) {
    match c.pending.commit(c.force) {
        Ok(written) => r.report.output = Some(written.to_string_lossy().into_owned()),
        Err(e) => {
            r.report = failed(&r.report.path, format!("{:#}", e));
            r.findings = Findings::new();
        }
    }
}

fn process_one(engine: &Engine, action: &Action, input: &Input) -> (Processed, Option<Commit>) {
    let display = input.display();
    match try_process(engine, action, input, &display) {
        Ok((kind, output, findings, commit)) => (
            Processed {
                report: FileReport {
                    path: display,
                    status: if output.is_some() {
                        Status::Written
                    } else {
                        Status::Scanned
                    },
                    kind: Some(kind.name().to_string()),
                    output,
                    findings: findings.len(),
                    error: None,
                },
                findings,
            },
            commit,
        ),
        Err(e) => (
            Processed {
                report: failed(&display, format!("{:#}", e)),
                findings: Findings::new(),
            },
            None,
        ),
    }
}

fn try_process(
    engine: &Engine,
    action: &Action,
    input: &Input,
    display: &str,
) -> Result<(Kind, Option<String>, Findings, Option<Commit>)> {
    if input.is_stdin() {
        let mut data = Vec::new();
        std::io::stdin()
            .read_to_end(&mut data)
            .context("reading standard input")?;
        let kind = format::sniff("-", &data[..data.len().min(64 << 10)]);
        let o = format::sanitize_bytes(engine, "-", "-", &data, 0)?;
        let mut findings = Findings::new();
        findings.extend(o.findings).context("recording findings")?;
        if let Action::Clean { .. } = action {
            let mut so = std::io::stdout().lock();
            so.write_all(&o.output).context("writing standard output")?;
            so.flush().context("writing standard output")?;
            return Ok((kind, Some("-".into()), findings, None));
        }
        return Ok((kind, None, findings, None));
    }
    let mut f = File::open(&input.path).with_context(|| "cannot open".to_string())?;
    let mut prefix = vec![0u8; 64 << 10];
    let n = read_up_to(&mut f, &mut prefix).context("cannot read")?;
    prefix.truncate(n);
    let name = input
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = format::sniff(&name, &prefix);
    drop(f);
    match action {
        Action::Scan => {
            let findings = if kind == Kind::Har && har::looks_like_har(&prefix) {
                let r = BufReader::new(File::open(&input.path).context("cannot open")?);
                har::scrub(
                    engine,
                    display,
                    &Known::default(),
                    r,
                    None::<std::io::Sink>,
                    Findings::new(),
                    false,
                )?
                .findings
            } else {
                let data = fs::read(&input.path).context("cannot read")?;
                let mut f = Findings::new();
                f.extend(format::sanitize_bytes(engine, display, &name, &data, 0)?.findings)
                    .context("recording findings")?;
                f
            };
            Ok((kind, None, findings, None))
        }
        Action::Clean {
            out,
            in_place,
            force,
        } => {
            let dest = destination(input, out.as_deref(), *in_place);
            if !*in_place && same_file(&dest, &input.path) {
                bail!(
                    "the copy would overwrite the input ({}); choose another --out",
                    dest.display()
                );
            }
            let mut pending = Pending::create(&dest, *force || *in_place)?;
            let findings = if kind == Kind::Har && har::looks_like_har(&prefix) {
                clean_har_file(engine, display, &input.path, &mut pending)?
            } else {
                let data = fs::read(&input.path).context("cannot read")?;
                let o = format::sanitize_bytes(engine, display, &name, &data, 0)?;
                pending.write_all(&o.output)?;
                let mut f = Findings::new();
                f.extend(o.findings).context("recording findings")?;
                f
            };
            let shown = Some(dest.to_string_lossy().into_owned());
            if *in_place && findings.is_empty() {
                // Nothing to change: leave the input untouched (its mtime too).
                return Ok((kind, shown, findings, None));
            }
            let commit = Commit {
                pending,
                force: *force || *in_place,
            };
            Ok((kind, shown, findings, Some(commit)))
        }
    }
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Stream a HAR from disk into `pending`, then verify the copy (scan it again; anything
/// left fails the file).
///
/// The first pass writes the copy progressively: a secret found by its context (a
/// cookie value, a password field) is redacted from the next batch of entries on
/// wherever it appears. Usually that is the whole job: the copy verifies clean and
/// every secret was named the same way everywhere, which makes it the copy the
/// three-pass method (discover every secret first, then write) produces. Otherwise (a
/// copy of a secret appears before the secret itself, e.g. in an earlier response
/// body) the copy is written again with every secret known from the start.
fn clean_har_file(
    engine: &Engine,
    display: &str,
    input: &Path,
    pending: &mut Pending,
) -> Result<Findings> {
    let open = || -> Result<BufReader<File>> {
        Ok(BufReader::with_capacity(
            1 << 20,
            File::open(input).context("cannot open")?,
        ))
    };
    let writer = |pending: &mut Pending| -> Result<BufWriter<File>> {
        let f = pending.file();
        f.set_len(0).context("writing copy")?;
        f.seek(SeekFrom::Start(0)).context("writing copy")?;
        Ok(BufWriter::with_capacity(
            1 << 20,
            f.try_clone().context("writing copy")?,
        ))
    };
    let copy = pending.path().to_path_buf();
    let verify = |known: &Known| -> Result<Findings> {
        let r =
            BufReader::with_capacity(1 << 20, File::open(&copy).context("re-reading the copy")?);
        let left = har::scrub(
            engine,
            display,
            known,
            r,
            None::<std::io::Sink>,
            Findings::count_only(),
            false,
        )?
        .findings;
        if left.is_empty() {
            // Independent of the detector: every decoded view of the copy, searched
            // for every secret of the first pass.
            let r = BufReader::with_capacity(
                1 << 20,
                File::open(&copy).context("re-reading the copy")?,
            );
            if let Some(s) = crate::detect::views::find_survivor_in_reader(r, known)
                .context("re-reading the copy")?
            {
                bail!("{}", crate::format::survivor_error(&s));
            }
        }
        Ok(left)
    };
    let first = har::scrub(
        engine,
        display,
        &Known::default(),
        open()?,
        Some(writer(pending)?),
        Findings::new(),
        true,
    )?;
    if first.findings.is_empty() {
        // Nothing to redact: the copy is the input, byte for byte.
        return Ok(first.findings);
    }
    let known = Known::new(&first.discovered);
    if first.consistent_with(engine, &known) && verify(&known)?.is_empty() {
        return Ok(first.findings);
    }
    drop(first);
    let written = har::scrub(
        engine,
        display,
        &known,
        open()?,
        Some(writer(pending)?),
        Findings::new(),
        false,
    )?;
    let left = verify(&known)?;
    if let Some(first) = left.first() {
        bail!(
            "verification failed: {} credential(s) still found in the redacted copy (first at {})",
            left.len(),
            first.location
        );
    }
    Ok(written.findings)
}
