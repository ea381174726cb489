//! Running a command over inputs: enumerate files (walking directories), process them
//! in parallel, collect results in input order, write copies atomically.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use crate::engine::Engine;
use crate::format::{self, Kind};
use crate::output::{self, Committed, Pending};
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
        /// Leave an input whose copy already exists alone (not read; reported skipped).
        skip_existing: bool,
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

/// Where the inputs come from: paths given on the command line, or listed in a file
/// (`--files-from`).
#[derive(Debug, Clone)]
pub struct Root {
    pub path: PathBuf,
    /// Listed by `--files-from`: the path keeps its place under `--out` (a file
    /// `logs/app.log` is copied to `OUT/logs/app.log`, not `OUT/app.log`).
    pub listed: bool,
}

impl Root {
    pub fn arg(path: PathBuf) -> Root {
        Root {
            path,
            listed: false,
        }
    }
}

/// How folders are walked.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions<'a> {
    /// The `--out` folder: skipped when it is inside an input folder.
    pub out: Option<&'a Path>,
    /// Process files named like harscrub's copies (`*.redacted.*`) too.
    pub include_own_output: bool,
}

/// One entry of the enumeration: a file to process, or an input that is already
/// accounted for (skipped, with the reason, or failed).
#[derive(Debug, Clone)]
pub enum Item {
    Input(Input),
    Done(FileReport),
}

/// An [`Item`] and the key that assigns it to a shard: its path relative to the input
/// root (see [`Shard`]).
#[derive(Debug, Clone)]
pub struct Entry {
    pub item: Item,
    pub key: String,
}

/// `--shard I/N`: this run takes the inputs whose key hashes to `I - 1` modulo `N`.
///
/// The key is the path relative to the input root (a folder argument: the path under
/// it; a file argument: its file name; `--files-from`: the path as listed), so the
/// assignment is the same on every machine and in every run, whatever the number of
/// threads, the order of the walk or the folder the inputs are mounted in. The hash is
/// the first 8 bytes of SHA-256 (big-endian), stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected I/N, e.g. 1/4"))?;
        let index: u32 = i
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: I is not a number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: N is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("`{s}`: need 1 <= I <= N"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Does the input with this key belong to this shard?
    pub fn takes(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index - 1
    }
}

/// The 0-based shard of `key` among `count`.
pub fn shard_of(key: &str, count: u32) -> u32 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(key.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(b) % u64::from(count.max(1))) as u32
}

/// A path as a shard key: components joined with `/`, without `.` components.
fn key_of(p: &Path) -> String {
    p.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Read a `--files-from` list: NUL-separated when it holds a NUL byte, else one path a
/// line (`\r\n` too); empty entries are ignored.
pub fn read_file_list(data: &[u8]) -> Vec<PathBuf> {
    let sep = if data.contains(&0) { b'\0' } else { b'\n' };
    data.split(|&b| b == sep)
        .map(|l| {
            if sep == b'\n' {
                l.strip_suffix(b"\r").unwrap_or(l)
            } else {
                l
            }
        })
        .filter(|l| !l.is_empty())
        .map(path_from_bytes)
        .collect()
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// Expand the inputs into files, in order: each root in turn, folders walked
/// recursively in name order. Every path is accounted for: what is not processed is
/// an [`Item::Done`] with the reason — symlinks and special files inside folders (not
/// followed), VCS folders (`.git`, `.hg`, `.svn`), the `--out` folder, harscrub's own
/// copies (`*.redacted.*`, unless `include_own_output`) and temporary files
/// (`.harscrub-*.tmp`), and paths that cannot be read.
pub fn enumerate(roots: &[Root], opts: &WalkOptions) -> Vec<Entry> {
    let mut entries = Vec::new();
    let out_canon = opts.out.and_then(|o| fs::canonicalize(o).ok());
    for root in roots {
        let p = &root.path;
        let shown = p.to_string_lossy().into_owned();
        if p.as_os_str() == "-" {
            entries.push(Entry {
                item: Item::Input(Input {
                    path: p.clone(),
                    rel: PathBuf::from("-"),
                }),
                key: "-".into(),
            });
            continue;
        }
        // A listed path keeps its place under --out; it must stay inside it.
        let listed_rel = if root.listed {
            let safe = p.components().all(|c| {
                matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
            let rel: PathBuf = p
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            if !safe || rel.as_os_str().is_empty() {
                entries.push(Entry {
                    item: Item::Done(FileReport::failed(
                        &shown,
                        "a path in --files-from must be relative and without `..` (it keeps its place under --out)",
                    )),
                    key: shown.clone(),
                });
                continue;
            }
            Some(rel)
        } else {
            None
        };
        let meta = match fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                entries.push(Entry {
                    item: Item::Done(FileReport::failed(&shown, format!("cannot read: {}", e))),
                    key: shown,
                });
                continue;
            }
        };
        if meta.is_file() {
            let rel = listed_rel.clone().unwrap_or_else(|| {
                p.file_name()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| p.clone())
            });
            entries.push(Entry {
                key: key_of(&rel),
                item: Item::Input(Input {
                    path: p.clone(),
                    rel,
                }),
            });
            continue;
        }
        if meta.is_dir() && out_canon.is_some() && fs::canonicalize(p).ok() == out_canon {
            entries.push(Entry {
                item: Item::Done(FileReport::failed(
                    &shown,
                    "--out is this input folder itself: copies would replace the inputs; choose another --out",
                )),
                key: shown,
            });
            continue;
        }
        if !meta.is_dir() {
            entries.push(Entry {
                item: Item::Done(FileReport::failed(
                    &shown,
                    "not a regular file or directory",
                )),
                key: shown,
            });
            continue;
        }
        let base = listed_rel.unwrap_or_default();
        let rel_of = |path: &Path| base.join(path.strip_prefix(p).unwrap_or(path));
        let walker = walkdir::WalkDir::new(p)
            .follow_links(false)
            .sort_by_file_name();
        let mut it = walker.into_iter();
        while let Some(entry) = it.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(p).to_path_buf();
                    entries.push(Entry {
                        item: Item::Done(FileReport::failed(
                            &path.to_string_lossy(),
                            format!("cannot read: {}", e),
                        )),
                        key: key_of(&rel_of(&path)),
                    });
                    continue;
                }
            };
            let path = entry.path();
            let skip = |reason: &str| Entry {
                item: Item::Done(FileReport::skipped(&path.to_string_lossy(), reason)),
                key: key_of(&rel_of(path)),
            };
            let name = entry.file_name().to_string_lossy();
            let ft = entry.file_type();
            if ft.is_dir() {
                if entry.depth() > 0 && (name == ".git" || name == ".hg" || name == ".svn") {
                    it.skip_current_dir();
                    entries.push(skip("version-control folder (not walked)"));
                    continue;
                }
                if let Some(oc) = &out_canon {
                    if entry.depth() > 0 && fs::canonicalize(path).ok().as_ref() == Some(oc) {
                        it.skip_current_dir();
                        entries.push(skip("the --out folder (not walked)"));
                    }
                }
                continue;
            }
            if ft.is_symlink() {
                entries.push(skip("symbolic link (not followed)"));
                continue;
            }
            if !ft.is_file() {
                entries.push(skip("not a regular file (device, socket or pipe)"));
                continue;
            }
            if output::is_temp_name(&name) {
                entries.push(skip("a temporary file of harscrub"));
                continue;
            }
            if !opts.include_own_output && output::is_redacted_name(&name) {
                entries.push(skip(
                    "named like a harscrub copy (*.redacted.*; --include-own-output processes it)",
                ));
                continue;
            }
            let rel = rel_of(path);
            entries.push(Entry {
                key: key_of(&rel),
                item: Item::Input(Input {
                    path: path.to_path_buf(),
                    rel,
                }),
            });
        }
    }
    entries
}

fn failed(path: &str, error: String) -> FileReport {
    FileReport::failed(path, error)
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

/// A verified copy waiting to be renamed into place (flushed to disk first when it
/// needs it: see `output::Writes`).
struct Commit {
    pending: Pending,
    force: bool,
}

/// Process every input in parallel and hand the results to `sink` in input order.
///
/// Workers take inputs in order (`par_bridge`) and pass their results to a collector
/// thread, which commits the copies (`fsync` where needed, and rename: the workers go
/// on scrubbing meanwhile), puts the results back in order and calls `sink`. Only the few results that
/// finished early wait in memory; their findings may already be on disk (see
/// [`crate::report::store`]).
///
/// With one worker thread (`-j 1`) the run is single-threaded: each input is read,
/// scrubbed, verified, written and committed on the pool's one thread, in order (see
/// `format::har`), with no collector beside it.
pub fn process_all<F: FnMut(Processed) + Send>(
    engine: &Engine,
    action: &Action,
    inputs: &[Input],
    progress: &indicatif::ProgressBar,
    bytes: Option<&indicatif::MultiProgress>,
    mut sink: F,
) {
    if rayon::current_num_threads() == 1 {
        // On the pool's one thread, where the passes' own parallel loops run inline.
        rayon::scope(|_| {
            for inp in inputs {
                let (mut r, c) = process_one(engine, action, inp, bytes);
                if let Some(c) = c {
                    finish(&mut r, c);
                }
                progress.inc(1);
                sink(r);
            }
        });
        return;
    }
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
                let (r, c) = process_one(engine, action, inp, bytes);
                progress.inc(1);
                // The collector only stops when every sender is gone.
                let _ = tx.send((i, r, c));
            });
    });
}

/// Flush and rename a copy into place; on failure the input is reported failed.
fn finish(r: &mut Processed, c: Commit) {
    match c.pending.commit(c.force) {
        Ok(Committed::Written(dest)) => r.report.output = Some(dest.to_string_lossy().into_owned()),
        Ok(Committed::Unchanged(dest)) => {
            r.report.output = Some(dest.to_string_lossy().into_owned());
            r.report.status = Status::Unchanged;
        }
        Ok(Committed::Rekeyed(dest)) => {
            r.report.output = Some(dest.to_string_lossy().into_owned());
            r.report.reason = Some(
                "replaced an earlier copy that differed only in placeholder fingerprints: \
                 another fingerprint key"
                    .into(),
            );
        }
        Err(e) => {
            r.report = failed(&r.report.path, format!("{:#}", e));
            r.findings = Findings::new();
        }
    }
}

fn process_one(
    engine: &Engine,
    action: &Action,
    input: &Input,
    bytes: Option<&indicatif::MultiProgress>,
) -> (Processed, Option<Commit>) {
    let display = input.display();
    if let Action::Clean {
        out,
        in_place: false,
        force: false,
        skip_existing: true,
    } = action
    {
        let dest = destination(input, out.as_deref(), false);
        if !input.is_stdin() && fs::symlink_metadata(&dest).is_ok() {
            let mut r = FileReport::skipped(&display, "its copy exists (--skip-existing)");
            r.output = Some(dest.to_string_lossy().into_owned());
            return (
                Processed {
                    report: r,
                    findings: Findings::new(),
                },
                None,
            );
        }
    }
    let meter = Meter::new(bytes, input);
    match try_process(engine, action, input, &display, &meter) {
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
                    reason: None,
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
    meter: &Meter,
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
    let name = input
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = File::open(&input.path).context("cannot open")?;
    let on_stage = |what: &str| meter.pass(what);
    match action {
        Action::Scan => {
            let (kind, findings) = format::scan_stream(
                engine,
                display,
                &name,
                meter.counting(file),
                Some(&on_stage),
            )?;
            Ok((kind, None, findings, None))
        }
        Action::Clean {
            out,
            in_place,
            force,
            ..
        } => {
            let dest = destination(input, out.as_deref(), *in_place);
            if !*in_place && same_file(&dest, &input.path) {
                bail!(
                    "the copy would overwrite the input ({}); choose another --out",
                    dest.display()
                );
            }
            let mut pending = Pending::create(&dest)?;
            // The copy gets the input's permission bits (an executable script stays
            // executable, a group-writable file group-writable).
            if let Ok(m) = fs::metadata(&input.path) {
                pending.keep_permissions(m.permissions());
            }
            if *in_place {
                pending.durable();
            }
            let (kind, findings) = format::clean_stream(
                engine,
                display,
                &name,
                meter.counting(file),
                meter.counting(pending.file()),
                Some(&on_stage),
            )?;
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

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Files at least this large get a byte progress bar (on a terminal, without -q).
const METER_MIN_BYTES: u64 = 16 << 20;

/// The byte progress bar of one large file: hidden unless byte progress is on and the
/// file is large. Each pass over the file (write, verify, …) starts it again.
struct Meter {
    bar: Option<indicatif::ProgressBar>,
    name: String,
}

impl Meter {
    fn new(multi: Option<&indicatif::MultiProgress>, input: &Input) -> Meter {
        let name = input
            .path
            .file_name()
            .map(|n| crate::report::printable(&n.to_string_lossy()).into_owned())
            .unwrap_or_default();
        let size = match multi {
            Some(_) if !input.is_stdin() => fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0),
            _ => 0,
        };
        let bar = multi.filter(|_| size >= METER_MIN_BYTES).map(|m| {
            let b = m.add(indicatif::ProgressBar::new(size));
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        Meter { bar, name }
    }

    /// A new pass over the file.
    fn pass(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.reset();
            b.set_message(format!("{}: {}", self.name, what));
        }
    }

    /// `inner`, counting the bytes read from it on the bar.
    fn counting<T>(&self, inner: T) -> Counting<T> {
        Counting {
            inner,
            bar: self.bar.clone(),
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A file (the input, or the copy being written and verified) that advances a progress
/// bar by the bytes read from it.
struct Counting<R> {
    inner: R,
    bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
        Ok(n)
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<S: Seek> Seek for Counting<S> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl<S: format::driver::Spool> format::driver::Spool for Counting<S> {
    fn restart(&mut self) -> std::io::Result<()> {
        self.inner.restart()
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.inner.truncate(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clean `n` small HARs under `threads` workers: for each result in the order the
    /// sink saw it, its input's name, whether its copy is in place, and the pool thread
    /// the sink ran on (`None`: off the pool, on the collector).
    fn clean_with(threads: usize, n: usize) -> Vec<(String, bool, Option<usize>)> {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let inputs: Vec<Input> = (0..n)
            .map(|i| {
                let name = format!("c{i:02}.har");
                let path = d.path().join(&name);
                let har = format!(
                    r#"{{"log":{{"version":"1.2","entries":[{{"request":{{"method":"GET","url":"https://example.com/{i}","headers":[{{"name":"Authorization","value":"Bearer fake-token-{i:04}-abcdefghijklmnop"}}]}},"response":{{"status":200}}}}]}}}}"#
                );
                fs::write(&path, har).unwrap();
                Input {
                    path,
                    rel: PathBuf::from(name),
                }
            })
            .collect();
        let engine = Engine::builtin().unwrap();
        let action = Action::Clean {
            out: Some(out.clone()),
            in_place: false,
            force: false,
            skip_existing: false,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut seen = Vec::new();
        pool.install(|| {
            let bar = indicatif::ProgressBar::hidden();
            process_all(&engine, &action, &inputs, &bar, None, |r| {
                let copy = r.report.output.as_deref().map(Path::new);
                let clean = copy.is_some_and(|c| {
                    let text = fs::read_to_string(c).unwrap();
                    !text.contains("fake-token") && text.contains("REDACTED")
                });
                seen.push((r.report.path.clone(), clean, rayon::current_thread_index()));
            });
        });
        seen.into_iter()
            .map(|(p, clean, t)| {
                let name = Path::new(&p)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (name, clean, t)
            })
            .collect()
    }

    /// Clean 12 files under `threads` workers: the results come in input order, every
    /// copy is committed and redacted; the pool thread the sink ran on, for each.
    fn sink_threads(threads: usize) -> Vec<Option<usize>> {
        let seen = clean_with(threads, 12);
        let names: Vec<_> = seen.iter().map(|s| s.0.clone()).collect();
        let want: Vec<_> = (0..12).map(|i| format!("c{i:02}.har")).collect();
        assert_eq!(names, want, "results in input order");
        assert!(
            seen.iter().all(|s| s.1),
            "every copy committed and redacted"
        );
        seen.into_iter().map(|s| s.2).collect()
    }

    #[test]
    fn one_worker_runs_everything_on_its_one_thread() {
        // No collector thread: the copies were committed and the results handed over
        // on the pool's only thread.
        let threads = sink_threads(1);
        assert!(threads.iter().all(|t| *t == Some(0)), "{threads:?}");
    }

    #[test]
    fn several_workers_hand_their_results_to_the_collector_in_order() {
        let threads = sink_threads(2);
        assert!(threads.iter().all(Option::is_none), "{threads:?}");
    }
}
