//! Writing copies: where each copy goes, and writing it atomically (a temporary file
//! in the destination folder, renamed into place only once complete and verified), so
//! a crash, a kill or a full disk never leaves a partial copy under its final name.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};

use anyhow::{bail, Context, Result};
use tempfile::NamedTempFile;

use crate::format::driver::Spool;

/// Extensions that belong together (`capture.har.gz` → `capture.redacted.har.gz`).
const COMPOUND: &[&str] = &[
    ".tar.gz",
    ".har.gz",
    ".json.gz",
    ".log.gz",
    ".txt.gz",
    ".ndjson.gz",
];

/// `NAME.redacted.EXT` next to the input.
pub fn redacted_name(file_name: &str) -> String {
    let lower = file_name.to_ascii_lowercase();
    for c in COMPOUND {
        if lower.ends_with(c) && lower.len() > c.len() {
            let cut = file_name.len() - c.len();
            return format!("{}.redacted{}", &file_name[..cut], &file_name[cut..]);
        }
    }
    match file_name.rfind('.') {
        Some(p) if p > 0 => format!("{}.redacted{}", &file_name[..p], &file_name[p..]),
        _ => format!("{}.redacted", file_name),
    }
}

/// Is this file itself a copy written by harscrub (skipped when walking folders)?
pub fn is_redacted_name(file_name: &str) -> bool {
    file_name.contains(".redacted.") || file_name.ends_with(".redacted")
}

/// Temporary files harscrub has open right now (copies and reports being written), so
/// that an interrupt can remove them: see [`remove_temporaries`].
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Held shared while a temporary file is created and registered, and for good by the
/// interrupt handler: it waits for the files being created to be registered, and no
/// new one is started after it. Shared, so that workers creating copies at the same
/// time do not wait for each other (nor a commit's [`forget_temp`] for them).
static CREATING: RwLock<()> = RwLock::new(());

fn live() -> MutexGuard<'static, BTreeSet<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The name prefix of harscrub's temporary files: `.harscrub-<pid>-`, so that a later
/// run can tell a file of a live run from one an interrupted run left behind.
fn temp_prefix() -> String {
    format!(".harscrub-{}-", std::process::id())
}

/// Is `name` one of harscrub's temporary files (`.harscrub-*.tmp`)?
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(".harscrub-") && name.ends_with(".tmp")
}

/// A temporary file in `dir`, registered so that [`remove_temporaries`] finds it.
pub fn temp_file_in(dir: &Path) -> std::io::Result<NamedTempFile> {
    let _creating = CREATING.read().unwrap_or_else(|e| e.into_inner());
    let t = tempfile::Builder::new()
        .prefix(&temp_prefix())
        .suffix(".tmp")
        .tempfile_in(dir)?;
    live().insert(t.path().to_path_buf());
    Ok(t)
}

/// The temporary file at `path` is gone (renamed into place or removed).
pub fn forget_temp(path: &Path) {
    live().remove(path);
}

/// For the interrupt handler: remove every temporary file this process has open, and
/// keep the registry locked so that no new one is created before the process exits.
/// Returns how many were removed.
pub fn remove_temporaries() -> usize {
    // Every file being created is registered once this is held.
    let creating = CREATING.write().unwrap_or_else(|e| e.into_inner());
    let g = live();
    let n = g.iter().filter(|p| fs::remove_file(p).is_ok()).count();
    // Never unlocked: the process is about to exit, and a worker that tries to start a
    // new copy now waits for that.
    std::mem::forget(g);
    std::mem::forget(creating);
    n
}

/// Remove the temporary files (`.harscrub-<pid>-*.tmp`) that an interrupted or killed
/// run left under `dir`; files of a run that is still going (its process exists) stay.
/// Returns the paths removed.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for e in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !e.file_type().is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy();
        if !is_temp_name(&name) || live().contains(e.path()) {
            continue;
        }
        let pid = name
            .strip_prefix(".harscrub-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && process_alive(p)) {
            continue;
        }
        if fs::remove_file(e.path()).is_ok() {
            removed.push(e.path().to_path_buf());
        }
    }
    removed
}

/// Is a process with this id running (on this machine)? Where that cannot be told, a
/// temporary file younger than a day is assumed to belong to a running process.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// What [`Pending::commit`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// The copy was renamed into place (there was none before, or `force`).
    Written(PathBuf),
    /// A copy existed and was identical, byte for byte: left as it was.
    Unchanged(PathBuf),
    /// A copy existed that differed only in placeholder fingerprints (the same
    /// redaction of the same input under another fingerprint key): replaced, so that
    /// the copy and this run's report agree.
    Rekeyed(PathBuf),
}

/// A copy being written: a temporary file beside its destination.
pub struct Pending {
    tmp: Option<NamedTempFile>,
    dest: PathBuf,
    permissions: Option<fs::Permissions>,
    writes: Writes,
    /// Flush to disk before the rename whatever was written (a file cleaned in place).
    durable: bool,
}

/// How a copy was written, as far as a crash of the machine goes.
///
/// A copy written once, from start to end, only ever held its own bytes: a crash
/// before they reach the disk can leave an empty or short file under its name (as
/// after `cp`), never anything else. A copy whose bytes were overwritten (a streamed HAR
/// whose first copy was repaired or written again, because it missed a secret learnt
/// later) could show the first bytes after a crash; it is flushed (`fsync`) before the
/// rename. So is every copy that replaces its input (`--in-place`): the input is gone
/// once the rename is on disk.
#[derive(Debug, Default)]
struct Writes {
    /// Where the next read or write goes.
    pos: u64,
    /// The end of what was written.
    end: u64,
    /// Something already written was written over, cut or emptied.
    rewritten: bool,
}

/// A [`Pending`] copy's file, as the passes see it: every read, write and seek goes
/// to the file, and writes are watched ([`Writes`]).
pub struct CopyFile<'a> {
    file: &'a mut fs::File,
    writes: &'a mut Writes,
}

impl std::io::Read for CopyFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.writes.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Write for CopyFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.writes.pos < self.writes.end {
            self.writes.rewritten = true;
        }
        let n = self.file.write(buf)?;
        self.writes.pos += n as u64;
        self.writes.end = self.writes.end.max(self.writes.pos);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl std::io::Seek for CopyFile<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.writes.pos = self.file.seek(to)?;
        Ok(self.writes.pos)
    }
}

impl Spool for CopyFile<'_> {
    fn restart(&mut self) -> std::io::Result<()> {
        self.writes.rewritten |= self.writes.end > 0;
        self.file.restart()?;
        self.writes.pos = 0;
        self.writes.end = 0;
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.writes.rewritten |= len < self.writes.end;
        self.file.truncate(len)?;
        self.writes.end = self.writes.end.min(len);
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(t) = self.tmp.take() {
            let p = t.path().to_path_buf();
            drop(t);
            forget_temp(&p);
        }
    }
}

impl Pending {
    /// Start a copy for `dest`. An existing destination is dealt with at [`commit`]
    /// time (see [`Committed`]).
    ///
    /// [`commit`]: Pending::commit
    pub fn create(dest: &Path) -> Result<Pending> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // `mkdir` of a folder that exists still locks it, against the other workers'
        // copies being created and renamed in it: looked up first.
        if !dir.is_dir() {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = temp_file_in(&dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        Ok(Pending {
            tmp: Some(tmp),
            dest: dest.to_path_buf(),
            permissions: None,
            writes: Writes::default(),
            durable: false,
        })
    }

    /// Flush the copy to disk before its rename, however it was written (a copy that
    /// replaces its input).
    pub fn durable(&mut self) {
        self.durable = true;
    }

    /// Must the copy be flushed to disk before its rename (see [`Writes`])?
    fn needs_flush(&self) -> bool {
        self.durable || self.writes.rewritten
    }

    /// Give the copy these permissions (those of its input) when it is committed.
    pub fn keep_permissions(&mut self, p: fs::Permissions) {
        self.permissions = Some(p);
    }

    /// The copy's file, to write, read back and rewrite.
    pub fn file(&mut self) -> CopyFile<'_> {
        CopyFile {
            file: self
                .tmp
                .as_mut()
                .expect("a pending copy has its file")
                .as_file_mut(),
            writes: &mut self.writes,
        }
    }

    /// Flush to disk when it needs it (see [`Writes`]) and rename into place.
    /// Dropping a `Pending` instead removes it.
    ///
    /// Without `force`, an existing destination is only replaced when it holds the same
    /// redaction (see [`Committed`]); otherwise the copy fails and the existing file
    /// stays.
    pub fn commit(mut self, force: bool) -> Result<Committed> {
        let tmp = self.tmp.take().expect("a pending copy has its file");
        let tmp_path = tmp.path().to_path_buf();
        let r = self.commit_file(tmp, force);
        forget_temp(&tmp_path);
        r
    }

    fn commit_file(&self, tmp: NamedTempFile, force: bool) -> Result<Committed> {
        let dest = self.dest.clone();
        if self.needs_flush() {
            tmp.as_file()
                .sync_all()
                .with_context(|| format!("writing {}", dest.display()))?;
        }
        if let Some(p) = &self.permissions {
            tmp.as_file()
                .set_permissions(p.clone())
                .with_context(|| format!("setting the permissions of {}", dest.display()))?;
        }
        if force {
            tmp.persist(&dest)
                .map_err(|e| e.error)
                .with_context(|| format!("renaming the copy into {}", dest.display()))?;
            return Ok(Committed::Written(dest));
        }
        if fs::symlink_metadata(&dest).is_ok() {
            let same = if fs::metadata(&dest).is_ok_and(|m| m.is_file()) {
                compare(tmp.path(), &dest)
                    .with_context(|| format!("comparing with the existing {}", dest.display()))?
            } else {
                Same::Different
            };
            match same {
                Same::Identical => {
                    if let Some(p) = &self.permissions {
                        // Best effort: the content is what matters.
                        let _ = fs::set_permissions(&dest, p.clone());
                    }
                    return Ok(Committed::Unchanged(dest));
                }
                Same::Rekeyed => {
                    tmp.persist(&dest)
                        .map_err(|e| e.error)
                        .with_context(|| format!("renaming the copy into {}", dest.display()))?;
                    return Ok(Committed::Rekeyed(dest));
                }
                Same::Different => bail!(
                    "{} already exists and differs from this run's copy (--force overwrites \
                     it, --skip-existing keeps it)",
                    dest.display()
                ),
            }
        }
        tmp.persist_noclobber(&dest)
            .map_err(|e| e.error)
            .with_context(|| {
                format!(
                    "{} already exists (--force overwrites it, --skip-existing keeps it)",
                    dest.display()
                )
            })?;
        Ok(Committed::Written(dest))
    }
}

/// How an existing copy compares with a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Same {
    Identical,
    /// Equal except for the 8 hex digits of `[REDACTED:<kind>:<fingerprint>]`
    /// placeholders.
    Rekeyed,
    Different,
}

/// Compare the new copy `new` with the existing file `old`, streaming.
pub fn compare(new: &Path, old: &Path) -> std::io::Result<Same> {
    let (a, b) = (fs::File::open(new)?, fs::File::open(old)?);
    if a.metadata()?.len() != b.metadata()?.len() {
        return Ok(Same::Different);
    }
    let (mut a, mut b) = (
        std::io::BufReader::with_capacity(1 << 20, a),
        std::io::BufReader::with_capacity(1 << 20, b),
    );
    let mut m = Matcher::default();
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = read_full(&mut a, &mut ba)?;
        let k = read_full(&mut b, &mut bb)?;
        if n != k {
            return Ok(Same::Different);
        }
        if n == 0 {
            break;
        }
        if !m.block(&ba[..n], &bb[..n]) {
            return Ok(Same::Different);
        }
    }
    Ok(if m.pending {
        Same::Different
    } else if m.rekeyed {
        Same::Rekeyed
    } else {
        Same::Identical
    })
}

fn read_full<R: std::io::Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Where in a `[REDACTED:<kind>:<hex8>]` placeholder the bytes of the new copy are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Pos {
    #[default]
    Out,
    /// Matched this many bytes of `[REDACTED:`.
    Prefix(usize),
    /// In the kind (this many bytes).
    Kind(usize),
    /// In the fingerprint (this many hex digits).
    Hex(usize),
}

const PREFIX: &[u8] = b"[REDACTED:";
const MAX_KIND: usize = 64;

#[derive(Debug, Default)]
struct Matcher {
    pos: Pos,
    /// A difference inside the current candidate placeholder, accepted once it closes.
    pending: bool,
    /// Some placeholder differed.
    rekeyed: bool,
}

impl Matcher {
    /// Compare one block; false when the files differ elsewhere than in fingerprints.
    fn block(&mut self, a: &[u8], b: &[u8]) -> bool {
        if a == b && !self.pending {
            // Only the state at the end matters: replay the tail from its last `[`
            // (a placeholder is shorter than the tail).
            let tail = a.len().saturating_sub(PREFIX.len() + MAX_KIND + 16);
            self.pos = Pos::Out;
            if let Some(i) = memchr::memrchr(b'[', &a[tail..]) {
                for &c in &a[tail + i..] {
                    self.step(c);
                }
            }
            return true;
        }
        let hex = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
        for (&x, &y) in a.iter().zip(b) {
            if x != y {
                if !(matches!(self.pos, Pos::Hex(n) if n < 8) && hex(x) && hex(y)) {
                    return false;
                }
                self.pending = true;
            }
            if !self.step(x) {
                return false;
            }
        }
        true
    }

    /// Advance over one byte of the new copy; false when a candidate holding a
    /// difference turns out not to be a placeholder.
    fn step(&mut self, c: u8) -> bool {
        let next = match self.pos {
            Pos::Out => None,
            Pos::Prefix(n) if PREFIX[n] == c => Some(if n + 1 == PREFIX.len() {
                Pos::Kind(0)
            } else {
                Pos::Prefix(n + 1)
            }),
            Pos::Kind(n) if n > 0 && c == b':' => Some(Pos::Hex(0)),
            Pos::Kind(n)
                if n < MAX_KIND && (c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') =>
            {
                Some(Pos::Kind(n + 1))
            }
            Pos::Hex(n) if n < 8 && (c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) => {
                Some(Pos::Hex(n + 1))
            }
            Pos::Hex(8) if c == b']' => {
                // A whole placeholder: its differences are fingerprints.
                if self.pending {
                    self.rekeyed = true;
                    self.pending = false;
                }
                self.pos = Pos::Out;
                return true;
            }
            _ => None,
        };
        match next {
            Some(p) => self.pos = p,
            None => {
                if self.pending {
                    return false;
                }
                self.pos = if c == b'[' { Pos::Prefix(1) } else { Pos::Out };
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn names() {
        assert_eq!(redacted_name("capture.har"), "capture.redacted.har");
        assert_eq!(redacted_name("x.har.gz"), "x.redacted.har.gz");
        assert_eq!(redacted_name("b.TAR.GZ"), "b.redacted.TAR.GZ");
        assert_eq!(redacted_name("README"), "README.redacted");
        assert_eq!(redacted_name(".env"), ".env.redacted");
        assert!(is_redacted_name("capture.redacted.har"));
        assert!(!is_redacted_name("capture.har"));
    }

    #[test]
    fn atomic_and_no_clobber() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out.har");
        let mut p = Pending::create(&dest).unwrap();
        p.file().write_all(b"abc").unwrap();
        assert!(!dest.exists(), "nothing under the final name before commit");
        p.commit(false).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"abc");
        let mut p = Pending::create(&dest).unwrap();
        p.file().write_all(b"abd").unwrap();
        assert!(p.commit(false).is_err(), "a different copy is not replaced");
        let mut p = Pending::create(&dest).unwrap();
        p.file().write_all(b"abc").unwrap();
        assert_eq!(p.commit(false).unwrap(), Committed::Unchanged(dest.clone()));
        let mut p = Pending::create(&dest).unwrap();
        p.file().write_all(b"new").unwrap();
        drop(p);
        assert_eq!(
            fs::read(&dest).unwrap(),
            b"abc",
            "dropped copy leaves the old file"
        );
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temporary left behind"
        );
    }

    #[test]
    fn only_copies_written_over_need_a_flush() {
        use std::io::{Read, Seek, SeekFrom};
        let d = tempfile::tempdir().unwrap();
        let fresh = || Pending::create(&d.path().join("c.har")).unwrap();
        // Written once from start to end, read back: no flush needed.
        let mut p = fresh();
        p.file().write_all(b"abcdef").unwrap();
        p.file().seek(SeekFrom::Start(0)).unwrap();
        let mut back = Vec::new();
        p.file().read_to_end(&mut back).unwrap();
        p.file().write_all(b"gh").unwrap();
        assert_eq!(back, b"abcdef");
        assert!(!p.needs_flush());
        // Written over, cut, emptied: flushed.
        let mut p = fresh();
        p.file().write_all(b"abcdef").unwrap();
        p.file().seek(SeekFrom::Start(2)).unwrap();
        p.file().write_all(b"x").unwrap();
        assert!(p.needs_flush());
        let mut p = fresh();
        p.file().write_all(b"abcdef").unwrap();
        p.file().truncate(3).unwrap();
        assert!(p.needs_flush());
        let mut p = fresh();
        p.file().restart().unwrap();
        p.file().write_all(b"abc").unwrap();
        assert!(!p.needs_flush(), "nothing was written before the restart");
        p.file().restart().unwrap();
        assert!(p.needs_flush());
        // In place: always.
        let mut p = fresh();
        p.durable();
        p.file().write_all(b"abc").unwrap();
        assert!(p.needs_flush());
    }

    /// A streamed HAR whose first copy kept a secret that a later batch revealed is
    /// repaired or written again: that copy is flushed before its rename. One that
    /// learnt nothing late is written once.
    #[test]
    fn a_repaired_har_copy_is_flushed() {
        let engine = crate::EngineBuilder::new().key(b"k").build().unwrap();
        let secret = "Zq8Lw3Rk9Vb7Xc2NpT4s";
        let entry = |url: &str, headers: &str, body: &str| {
            format!(
                r#"{{"startedDateTime":"2024-01-01T00:00:00Z","time":1,"request":{{"method":"GET","url":"{url}","httpVersion":"HTTP/1.1","headers":[{headers}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{{"size":0,"mimeType":"text/plain","text":"{body}"}},"redirectURL":"","headersSize":-1,"bodySize":-1}},"cache":{{}},"timings":{{"send":0,"wait":0,"receive":0}}}}"#
            )
        };
        let filler = "lorem ipsum dolor sit amet ".repeat(120_000);
        let d = tempfile::tempdir().unwrap();
        for (late, flushed) in [(true, true), (false, false)] {
            let cookie = if late {
                format!(r#"{{"name":"Cookie","value":"sid={secret}"}}"#)
            } else {
                String::new()
            };
            let entries = [
                entry(&format!("https://a.example/p?ref={secret}"), "", ""),
                entry("https://a.example/big", "", &filler),
                entry("https://a.example/me", &cookie, ""),
            ];
            let har = format!(
                r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},"entries":[{}]}}}}"#,
                entries.join(",")
            );
            let dest = d.path().join(format!("{late}.har"));
            let mut p = Pending::create(&dest).unwrap();
            crate::format::clean_stream(
                &engine,
                "t.har",
                "t.har",
                std::io::Cursor::new(har.as_bytes()),
                p.file(),
                None,
            )
            .unwrap();
            assert_eq!(p.needs_flush(), flushed, "late secret: {late}");
            p.commit(false).unwrap();
            let copy = fs::read_to_string(&dest).unwrap();
            assert_eq!(copy.contains(secret), !late, "late secret: {late}");
        }
    }

    fn cmp(a: &str, b: &str) -> Same {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("a"), a).unwrap();
        fs::write(d.path().join("b"), b).unwrap();
        compare(&d.path().join("a"), &d.path().join("b")).unwrap()
    }

    #[test]
    fn compare_copies() {
        let p1 = r#"{"c": "[REDACTED:cookie:0123abcd]", "t": "Bearer [REDACTED:jwt:ffff0000]"}"#;
        let p2 = r#"{"c": "[REDACTED:cookie:9f9f9f9f]", "t": "Bearer [REDACTED:jwt:ffff0000]"}"#;
        assert_eq!(cmp(p1, p1), Same::Identical);
        assert_eq!(cmp(p1, p2), Same::Rekeyed);
        assert_eq!(
            cmp("[REDACTED:cookie:0123abcd", "[REDACTED:cookie:0123abce"),
            Same::Different
        );
        assert_eq!(cmp("xx 0123abcd]", "xx 0123abce]"), Same::Different);
        assert_eq!(
            cmp("[REDACTED:cookie:0123abcd]", "[REDACTED:cookie:0123abcdx"),
            Same::Different
        );
        assert_eq!(
            cmp("[REDACTED:cookie:0123abcd]", "[REDACTED:cookie:0123abcD]"),
            Same::Different
        );
        assert_eq!(cmp("abc", "abcd"), Same::Different);
        // Across a block boundary (1 MiB).
        let pad = "x".repeat((1 << 20) - 20);
        let a = format!("{pad}[REDACTED:cookie:0123abcd] tail");
        let b = format!("{pad}[REDACTED:cookie:99999999] tail");
        assert_eq!(cmp(&a, &b), Same::Rekeyed);
        let b = format!("{pad}[REDACTED:cookie:0123abcd] tall");
        assert_eq!(cmp(&a, &b), Same::Different);
        let pad = "x".repeat((1 << 20) - 100);
        let a = format!("{pad}[REDACTED:cookie:0123abcd] tail");
        assert_eq!(
            cmp(&a, &format!("{pad}[REDACTED:cookie:0123abcf] tail")),
            Same::Rekeyed
        );
        assert_eq!(cmp(&a, &a), Same::Identical);
    }

    #[test]
    fn stale_temporaries() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("sub")).unwrap();
        // A pid that cannot be running (above the kernel's pid_max).
        fs::write(d.path().join("sub/.harscrub-4999999-abc.tmp"), "x").unwrap();
        fs::write(d.path().join(".harscrub-old.tmp"), "x").unwrap();
        // pid 1 is always running.
        fs::write(d.path().join(".harscrub-1-live.tmp"), "x").unwrap();
        fs::write(d.path().join("keep.har"), "x").unwrap();
        let mut removed = remove_stale_temporaries(d.path());
        removed.sort();
        assert_eq!(removed.len(), 2, "{removed:?}");
        assert!(d.path().join("keep.har").exists());
        assert!(!d.path().join(".harscrub-old.tmp").exists());
        assert!(d.path().join(".harscrub-1-live.tmp").exists());
    }
}
