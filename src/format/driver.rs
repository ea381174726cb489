//! The one clean → verify → rewrite driver. Every document goes through [`clean`]:
//! in-memory documents of any kind ([`InMemory`]) and HAR files streamed from a
//! reader into a spool ([`HarStream`]: the CLI's large files, the library's
//! [`crate::clean_reader`]). A handler only says how to write one copy, how to scan
//! a copy again and how to search its decoded views; the order of the passes and when
//! a document fails are decided here, once.
//!
//! 1. **Write.** A first pass writes the copy. A handler that can learn secrets as it
//!    goes (the HAR stream: a cookie value found in entry 10 is redacted wherever it
//!    appears from the next batch on) writes a usable copy now; the others only
//!    discover the secrets identified by their context (cookie values, password
//!    fields…).
//! 2. **Keep, repair or rewrite.** The first copy is kept only if it is the one a pass
//!    that knew every secret from the start would have written (every secret named the
//!    same way everywhere) and it verifies clean. Otherwise the copy is written again
//!    with every secret known, so a copy of one in an unremarkable place (a URL, an
//!    earlier response body) is redacted too. A streamed HAR is first repaired instead:
//!    only the entries that may hold a secret learnt after they were written are
//!    scrubbed again, the rest is taken from the first copy (`har::repair`); the
//!    repaired copy is kept on the same terms as the first, else the copy is written
//!    again whole.
//! 3. **Verify.** The detector scans the copy again, and every decoded view of the
//!    copy (escapes, percent, base64, compressed…) is searched for every secret of the
//!    first pass in each of its encoded forms. Anything still found fails the document:
//!    no copy. A streamed HAR's scan reads again only the strings the write pass
//!    changed or read through a layer the views do not open; why that is as strong as
//!    reading every string is in `detect::touched`.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::{har, survivor_error, Kind};
use crate::detect::touched::Touched;
use crate::detect::views::{find_raw_in_reader, find_survivor, find_survivor_in_reader, Survivor};
use crate::detect::{Discovered, Known, Touch};
use crate::engine::Engine;
use crate::finding::Findings;
use crate::session::{Seed, Session};

/// What a pass produced.
pub(crate) struct Written {
    pub(crate) findings: Findings,
    pub(crate) discovered: Discovered,
    /// A progressive pass (one that learnt secrets as it went) or a repair: how it
    /// named each secret.
    progressive: Option<har::Pass>,
}

impl Written {
    /// Is the copy written the one a pass knowing `known` (this pass's discoveries)
    /// from the start would have written? Never for a pass that only discovered.
    fn consistent_with(&self, engine: &Engine, known: &Known) -> bool {
        self.progressive
            .as_ref()
            .is_some_and(|p| p.consistent_with(engine, known))
    }
}

/// The outcome of verifying a copy.
enum Verdict {
    Clean,
    /// Something is still readable: the error that fails the document.
    Dirty(anyhow::Error),
}

/// A document being cleaned, seen by the driver.
pub(crate) trait Document {
    /// Write a copy with every secret in `known` redacted wherever it appears.
    /// `first`: the first pass (the handler may learn secrets as it goes).
    fn write(&mut self, known: &Known, first: bool) -> Result<Written>;
    /// Scan the copy with the detector: what it still finds.
    fn rescan(&mut self, known: &Known) -> Result<Findings>;
    /// Search every decoded view of the copy for the secrets in `known`.
    fn survivor(&mut self, known: &Known) -> Result<Option<Survivor>>;
    /// Search the copy as it is (no decoding) for the secrets in `known`, in each of
    /// their encoded forms: a part of [`Document::survivor`] that costs one sweep.
    /// `None` from a document that does not take this shortcut.
    fn raw_survivor(&mut self, _known: &Known) -> Result<Option<Survivor>> {
        Ok(None)
    }
    /// Write the copy again from the first one (`first`, written by a progressive
    /// pass), knowing every secret: `None` when this document cannot, or the repair
    /// did not work out (the caller then writes the copy again whole). Without a copy
    /// (a scan), the first pass's findings are repaired the same way.
    fn repair(&mut self, _known: &Known, _first: Written) -> Result<Option<Written>> {
        Ok(None)
    }
    /// Progress: a new pass over the document starts.
    fn stage(&mut self, _what: &str) {}
    /// The session of the input the document is part of.
    fn session(&self) -> &Session;
}

/// Clean `doc`: its findings, once its copy is written and verified. A document of an
/// archive starts knowing what the documents before it learnt, and tells what it
/// learnt itself (`session`).
pub(crate) fn clean(engine: &Engine, doc: &mut impl Document) -> Result<Findings> {
    let (findings, discovered) = match doc.session().seed() {
        None => clean_alone(engine, doc)?,
        Some(seed) => clean_seeded(doc, seed)?,
    };
    doc.session().learn(&discovered);
    Ok(findings)
}

/// [`clean`] knowing no secret to start with; also returns the secrets it discovered.
fn clean_alone(engine: &Engine, doc: &mut impl Document) -> Result<(Findings, Discovered)> {
    doc.stage("writing the copy");
    let first = doc.write(&Known::default(), true)?;
    if first.findings.is_empty() {
        // Nothing to redact: the copy is the input, byte for byte.
        return Ok((first.findings, first.discovered));
    }
    let discovered = first.discovered.clone();
    let known = Known::new(&discovered);
    // A first copy that still shows a known secret as it is would fail the views check
    // after a full rescan: one sweep for the secrets' forms finds that first. (The usual
    // cause: an entry holding a secret that a later entry revealed, which the repair
    // below removes.)
    if first.consistent_with(engine, &known) {
        doc.stage("searching the copy for known secrets");
        if doc.raw_survivor(&known)?.is_none() {
            if let Verdict::Clean = verify(doc, &known)? {
                return Ok((first.findings, discovered));
            }
        }
    }
    if !engine.rewrite_whole {
        if let Some(repaired) = doc.repair(&known, first)? {
            if repaired.consistent_with(engine, &known) {
                if let Verdict::Clean = verify(doc, &known)? {
                    return Ok((repaired.findings, discovered));
                }
            }
        }
    }
    doc.stage("writing the copy again (every secret known)");
    let written = doc.write(&known, false)?;
    match verify(doc, &known)? {
        Verdict::Clean => Ok((written.findings, discovered)),
        Verdict::Dirty(e) => Err(e),
    }
}

/// [`clean`] knowing the secrets `seed` (learnt by other documents of its archive)
/// from the start: one pass knowing them, and another if this document discovered
/// more of its own.
fn clean_seeded(doc: &mut impl Document, seed: Seed) -> Result<(Findings, Discovered)> {
    doc.stage("writing the copy");
    let first = doc.write(&seed.known, false)?;
    if first.findings.is_empty() {
        return Ok((first.findings, first.discovered));
    }
    let new: Vec<_> = first
        .discovered
        .iter()
        .filter(|(k, _)| !seed.learnt.contains_key(*k))
        .collect();
    // The seed's index serves the verification too, unless this document learnt more.
    let (known, written) = if new.is_empty() {
        (seed.known, first)
    } else {
        let mut all = (*seed.learnt).clone();
        all.extend(new.into_iter().map(|(k, v)| (k.clone(), v.clone())));
        let known = Arc::new(Known::new(&all));
        doc.stage("writing the copy again (every secret known)");
        (Arc::clone(&known), doc.write(&known, false)?)
    };
    match verify(doc, &known)? {
        Verdict::Clean => Ok((written.findings, written.discovered)),
        Verdict::Dirty(e) => Err(e),
    }
}

/// Is the copy clean, to the detector and then in every decoded view? (An error is
/// one of reading the copy, not a verdict.)
fn verify(doc: &mut impl Document, known: &Known) -> Result<Verdict> {
    doc.stage("verifying the copy");
    let left = doc.rescan(known)?;
    if let Some(first) = left.first() {
        return Ok(Verdict::Dirty(anyhow::Error::new(
            crate::error::VerificationFailed(format!(
                "verification failed: {} credential(s) still found in the redacted copy \
                 (first at {})",
                left.len(),
                first.location
            )),
        )));
    }
    doc.stage("checking decoded views of the copy");
    if let Some(s) = doc.survivor(known)? {
        return Ok(Verdict::Dirty(anyhow::Error::new(
            crate::error::VerificationFailed(survivor_error(&s)),
        )));
    }
    Ok(Verdict::Clean)
}

/// Scan only: the findings `clean` reports, without a copy. One pass discovers the
/// secrets identified by their context (a streamed HAR: progressively, as `clean`'s
/// first pass does); a second, knowing them, also reports each copy of one found in an
/// unremarkable place. `clean` keeps its first copy only when that copy named
/// everything as this second pass does, so the two agree finding for finding. For a
/// streamed HAR the second pass is a repair of the first pass's findings: only the
/// values that may hold a secret learnt after them are read again (`har::repair`).
///
/// Also returns the secrets the first pass discovered by their context: nothing
/// verified the scrubbed document a scan reads names and URLs from, so the caller
/// leaves out any that may hold a trace of one.
pub(crate) fn scan(engine: &Engine, doc: &mut impl Document) -> Result<(Findings, Discovered)> {
    doc.stage("scanning");
    let first = doc.write(&Known::default(), true)?;
    if first.discovered.is_empty() {
        // Nothing to propagate: a second pass would find the same.
        return Ok((first.findings, first.discovered));
    }
    let known = Known::new(&first.discovered);
    let discovered = first.discovered.clone();
    if !engine.rewrite_whole {
        if let Some(repaired) = doc.repair(&known, first)? {
            return Ok((repaired.findings, discovered));
        }
    }
    doc.stage("scanning again (every secret known)");
    Ok((doc.write(&known, false)?.findings, discovered))
}

/// A document held in memory, of any kind but archives.
pub(crate) struct InMemory<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) session: &'a Session,
    pub(crate) provenance: &'a str,
    pub(crate) kind: Kind,
    pub(crate) data: &'a [u8],
    /// The copy, once written.
    pub(crate) copy: Vec<u8>,
}

impl Document for InMemory<'_> {
    fn write(&mut self, known: &Known, _first: bool) -> Result<Written> {
        let (out, found, discovered) = super::pass(
            self.engine,
            self.session,
            self.provenance,
            self.kind,
            self.data,
            known,
            false,
        )?;
        self.copy = out;
        let mut findings = Findings::new();
        findings.extend(found).context("recording findings")?;
        Ok(Written {
            findings,
            discovered,
            progressive: None,
        })
    }

    fn rescan(&mut self, known: &Known) -> Result<Findings> {
        let (_, left, _) = super::pass(
            self.engine,
            self.session,
            self.provenance,
            self.kind,
            &self.copy,
            known,
            true,
        )?;
        let mut findings = Findings::count_only();
        findings.extend(left).context("recording findings")?;
        Ok(findings)
    }

    fn survivor(&mut self, known: &Known) -> Result<Option<Survivor>> {
        Ok(find_survivor(&self.copy, known))
    }

    fn session(&self) -> &Session {
        self.session
    }
}

/// Where a streamed copy is written, read back to be verified, and written again when
/// it has to be: a file, or a `Cursor<Vec<u8>>`.
pub trait Spool: Read + Write + Seek {
    /// Empty it, ready to be written from the start.
    fn restart(&mut self) -> std::io::Result<()>;
    /// Keep only its first `len` bytes. A spool that cannot (the default) has its copy
    /// written again whole where it could have been repaired: slower, the same copy.
    fn truncate(&mut self, _len: u64) -> std::io::Result<()> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this spool cannot be cut",
        ))
    }
}

impl Spool for std::fs::File {
    fn restart(&mut self) -> std::io::Result<()> {
        self.set_len(0)?;
        self.seek(SeekFrom::Start(0)).map(drop)
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.set_len(len)
    }
}

impl Spool for std::io::Cursor<Vec<u8>> {
    fn restart(&mut self) -> std::io::Result<()> {
        self.get_mut().clear();
        self.set_position(0);
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.get_mut()
            .truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(())
    }
}

impl<S: Spool + ?Sized> Spool for &mut S {
    fn restart(&mut self) -> std::io::Result<()> {
        (**self).restart()
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        (**self).truncate(len)
    }
}

/// One spool read at one place and written at another: a repair reads the first copy
/// from the start of the spool and writes the new one after it. Every read or write
/// seeks first, so the two never disturb each other.
struct Head<S> {
    spool: std::sync::Arc<std::sync::Mutex<S>>,
    pos: u64,
    /// Reads stop here.
    end: u64,
}

impl<S> Head<S> {
    fn lock(&self) -> std::io::Result<std::sync::MutexGuard<'_, S>> {
        self.spool
            .lock()
            .map_err(|_| std::io::Error::other("a thread using the copy panicked"))
    }
}

impl<S: Read + Seek> Read for Head<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.end - self.pos).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = {
            let mut s = self.lock()?;
            s.seek(SeekFrom::Start(self.pos))?;
            s.read(&mut buf[..want])?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: Write + Seek> Write for Head<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = {
            let mut s = self.lock()?;
            s.seek(SeekFrom::Start(self.pos))?;
            s.write(buf)?
        };
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.lock()?.flush()
    }
}

/// Move `len` bytes at `from` to the start of `s` (`from` ≥ the start: a forward copy
/// in chunks never overwrites what it has still to read) and cut `s` after them.
fn move_to_start(s: &mut impl Spool, from: u64, len: u64) -> std::io::Result<()> {
    let mut buf = vec![0u8; usize::try_from(len).map_or(STREAM_BUFFER, |l| l.min(STREAM_BUFFER))];
    let mut done = 0u64;
    while done < len {
        let n = buf
            .len()
            .min(usize::try_from(len - done).unwrap_or(usize::MAX));
        s.seek(SeekFrom::Start(from + done))?;
        s.read_exact(&mut buf[..n])?;
        s.seek(SeekFrom::Start(done))?;
        s.write_all(&buf[..n])?;
        done += n as u64;
    }
    s.flush()?;
    s.truncate(len)
}

/// Buffer size for writing streamed HAR files and for moving a repaired copy.
///
/// The passes read the input and the copy without a `BufReader`: the HAR tokenizer
/// and the decoded views read in chunks of their own, and a `BufReader` only added a
/// copy, and a megabyte filled with zeros before its first read from a reader that
/// cannot read into memory not yet written (the progress meter's): for every pass of
/// every file, that was an eighth of the time of a batch of small files.
const STREAM_BUFFER: usize = 1 << 20;

/// A HAR file read from `input` (read again from the start for every pass), its
/// copy written to `copy`. Memory stays bounded whatever the size of the file.
/// Without a `copy` (a scan) nothing is written.
pub(crate) struct HarStream<'a, I, S> {
    pub(crate) engine: &'a Engine,
    /// A new top-level input's session.
    pub(crate) session: Session,
    pub(crate) provenance: &'a str,
    pub(crate) input: I,
    pub(crate) copy: Option<S>,
    /// Called when a pass starts (the CLI's progress bar).
    pub(crate) on_stage: Option<&'a dyn Fn(&str)>,
    /// The strings of the copy last written that its verification reads again.
    pub(crate) touched: Option<Touched>,
}

impl<I: Read + Seek + Send, S: Spool + Send> HarStream<'_, I, S> {
    /// Go back to the start of the input; its length.
    fn rewind_input(&mut self) -> Result<u64> {
        let len = self
            .input
            .seek(SeekFrom::End(0))
            .context("reading the input again")?;
        self.input
            .seek(SeekFrom::Start(0))
            .context("reading the input again")?;
        Ok(len)
    }

    fn copy(&mut self) -> Result<&mut S> {
        let c = self.copy.as_mut().expect("a copy is being verified");
        c.flush().context("writing copy")?;
        c.seek(SeekFrom::Start(0)).context("re-reading the copy")?;
        Ok(c)
    }
}

impl<I: Read + Seek + Send, S: Spool + Send> Document for HarStream<'_, I, S> {
    fn write(&mut self, known: &Known, first: bool) -> Result<Written> {
        let (engine, provenance) = (self.engine, self.provenance);
        let progressive = first;
        // Borrow the input and the copy separately (both live in `self`).
        let len = self.rewind_input()?;
        let input = &mut self.input;
        let out = match self.copy.as_mut() {
            Some(c) => {
                c.restart().context("writing copy")?;
                Some(std::io::BufWriter::with_capacity(STREAM_BUFFER, c))
            }
            None => None,
        };
        self.touched = None;
        self.touched = out.as_ref().map(|_| Touched::for_input(len));
        let touch = self.touched.as_ref().map_or(Touch::Off, Touch::Record);
        let p = har::scrub(
            engine,
            &self.session,
            provenance,
            known,
            input,
            out,
            Findings::new(),
            progressive,
            touch,
            true,
        )?;
        let mut p = p;
        Ok(Written {
            findings: std::mem::take(&mut p.findings),
            discovered: std::mem::take(&mut p.discovered),
            progressive: progressive.then_some(p),
        })
    }

    fn rescan(&mut self, known: &Known) -> Result<Findings> {
        let (engine, provenance) = (self.engine, self.provenance);
        let session = self.session.clone();
        let touched = self.touched.take();
        let touch = match &touched {
            Some(t) if !engine.full_rescan => Touch::Skip(t),
            _ => Touch::Off,
        };
        let copy = self.copy()?;
        let left = har::scrub(
            engine,
            &session,
            provenance,
            known,
            copy,
            None::<std::io::Sink>,
            Findings::count_only(),
            false,
            touch,
            // The verification reads with the whole detector, remembering nothing.
            false,
        )?
        .findings;
        self.touched = touched;
        Ok(left)
    }

    fn survivor(&mut self, known: &Known) -> Result<Option<Survivor>> {
        let copy = self.copy()?;
        find_survivor_in_reader(copy, known).context("re-reading the copy")
    }

    fn raw_survivor(&mut self, known: &Known) -> Result<Option<Survivor>> {
        let copy = self.copy()?;
        find_raw_in_reader(copy, known).context("re-reading the copy")
    }

    fn repair(&mut self, known: &Known, first: Written) -> Result<Option<Written>> {
        let Some(mut pass) = first.progressive else {
            return Ok(None);
        };
        if self.copy.is_none() {
            // A scan: its findings only.
            if !pass.repairable() {
                return Ok(None);
            }
            pass.findings = first.findings;
            pass.discovered = first.discovered;
            self.stage("scanning again the entries holding secrets learnt after them");
            self.rewind_input()?;
            let p = har::repair(
                self.engine,
                &self.session,
                self.provenance,
                known,
                &mut self.input,
                None::<std::io::Empty>,
                None::<std::io::Sink>,
                pass,
                Touch::Off,
            );
            // Any error: the caller scans again whole (and meets a reading error again).
            let Ok(mut p) = p else {
                return Ok(None);
            };
            return Ok(Some(Written {
                findings: std::mem::take(&mut p.findings),
                discovered: std::mem::take(&mut p.discovered),
                progressive: Some(p),
            }));
        }
        let (Some(touched), Some(mut copy)) = (self.touched.take(), self.copy.take()) else {
            return Ok(None);
        };
        if !pass.repairable() {
            self.touched = Some(touched);
            self.copy = Some(copy);
            return Ok(None);
        }
        pass.findings = first.findings;
        pass.discovered = first.discovered;
        self.stage("repairing the copy (entries holding secrets learnt after them)");
        let (engine, provenance) = (self.engine, self.provenance);
        copy.flush().context("writing copy")?;
        let old_len = copy.seek(SeekFrom::End(0)).context("writing copy")?;
        // A repair moves the new copy to the start of the spool and cuts it there.
        if copy.truncate(old_len).is_err() {
            self.touched = Some(touched);
            self.copy = Some(copy);
            return Ok(None);
        }
        self.rewind_input()?;
        let spool = std::sync::Arc::new(std::sync::Mutex::new(copy));
        let old = Head {
            spool: spool.clone(),
            pos: 0,
            end: old_len,
        };
        let new = Head {
            spool: spool.clone(),
            pos: old_len,
            end: old_len,
        };
        let repaired = har::repair(
            engine,
            &self.session,
            provenance,
            known,
            &mut self.input,
            Some(old),
            Some(std::io::BufWriter::with_capacity(STREAM_BUFFER, new)),
            pass,
            Touch::Record(&touched),
        );
        let mut copy = std::sync::Arc::into_inner(spool)
            .expect("the repair's readers and writers are gone")
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a thread writing the copy panicked"))?;
        let outcome = match repaired {
            Ok(mut p) => {
                let end = copy.seek(SeekFrom::End(0)).context("writing copy")?;
                move_to_start(&mut copy, old_len, end - old_len).context("writing copy")?;
                Some(Written {
                    findings: std::mem::take(&mut p.findings),
                    discovered: std::mem::take(&mut p.discovered),
                    progressive: Some(p),
                })
            }
            // The copy is written again whole (which starts the spool afresh).
            Err(_) => None,
        };
        self.copy = Some(copy);
        self.touched = Some(touched);
        Ok(outcome)
    }

    fn stage(&mut self, what: &str) {
        if let Some(f) = self.on_stage {
            f(what);
        }
    }

    fn session(&self) -> &Session {
        &self.session
    }
}
