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
//! 2. **Keep or rewrite.** The first copy is kept only if it is the one a pass that
//!    knew every secret from the start would have written (every secret named the same
//!    way everywhere) and it verifies clean. Otherwise the copy is written again with
//!    every secret known, so a copy of one in an unremarkable place (a URL, an earlier
//!    response body) is redacted too.
//! 3. **Verify.** The detector scans the copy again, and every decoded view of the
//!    copy (escapes, percent, base64, compressed…) is searched for every secret of the
//!    first pass in each of its encoded forms. Anything still found fails the document:
//!    no copy. A streamed HAR's scan reads again only the strings the write pass
//!    changed or read through a layer the views do not open; why that is as strong as
//!    reading every string is in `detect::touched`.

use std::io::{BufReader, Read, Seek, SeekFrom, Write};

use anyhow::{Context, Result};

use super::{har, survivor_error, Kind};
use crate::detect::touched::Touched;
use crate::detect::views::{find_survivor, find_survivor_in_reader, Survivor};
use crate::detect::{Discovered, Known, Touch};
use crate::engine::Engine;
use crate::finding::Findings;
use crate::session::Session;

/// What a pass produced.
pub(crate) struct Written {
    pub(crate) findings: Findings,
    pub(crate) discovered: Discovered,
    /// A progressive pass (one that learnt secrets as it went): how it named each one.
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
    /// Progress: a new pass over the document starts.
    fn stage(&mut self, _what: &str) {}
}

/// Clean `doc`: its findings, once its copy is written and verified.
pub(crate) fn clean(engine: &Engine, doc: &mut impl Document) -> Result<Findings> {
    doc.stage("writing the copy");
    let first = doc.write(&Known::default(), true)?;
    if first.findings.is_empty() {
        // Nothing to redact: the copy is the input, byte for byte.
        return Ok(first.findings);
    }
    let known = Known::new(&first.discovered);
    if first.consistent_with(engine, &known) {
        if let Verdict::Clean = verify(doc, &known)? {
            return Ok(first.findings);
        }
    }
    drop(first);
    doc.stage("writing the copy again (every secret known)");
    let written = doc.write(&known, false)?;
    match verify(doc, &known)? {
        Verdict::Clean => Ok(written.findings),
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
/// secrets identified by their context; a second, knowing them, also reports each
/// copy of one found in an unremarkable place. `clean` keeps its first copy only when
/// that copy named everything as this second pass does, so the two agree finding for
/// finding.
///
/// Also returns the secrets the first pass discovered by their context: nothing
/// verified the scrubbed document a scan reads names and URLs from, so the caller
/// leaves out any that may hold a trace of one.
pub(crate) fn scan(doc: &mut impl Document) -> Result<(Findings, Discovered)> {
    doc.stage("scanning");
    let first = doc.write(&Known::default(), false)?;
    if first.discovered.is_empty() {
        // Nothing to propagate: a second pass would find the same.
        return Ok((first.findings, first.discovered));
    }
    let known = Known::new(&first.discovered);
    let discovered = first.discovered;
    drop(first.findings);
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
        )?;
        let mut findings = Findings::count_only();
        findings.extend(left).context("recording findings")?;
        Ok(findings)
    }

    fn survivor(&mut self, known: &Known) -> Result<Option<Survivor>> {
        Ok(find_survivor(&self.copy, known))
    }
}

/// Where a streamed copy is written, read back to be verified, and written again when
/// it has to be: a file, or a `Cursor<Vec<u8>>`.
pub trait Spool: Read + Write + Seek {
    /// Empty it, ready to be written from the start.
    fn restart(&mut self) -> std::io::Result<()>;
}

impl Spool for std::fs::File {
    fn restart(&mut self) -> std::io::Result<()> {
        self.set_len(0)?;
        self.seek(SeekFrom::Start(0)).map(drop)
    }
}

impl Spool for std::io::Cursor<Vec<u8>> {
    fn restart(&mut self) -> std::io::Result<()> {
        self.get_mut().clear();
        self.set_position(0);
        Ok(())
    }
}

impl<S: Spool + ?Sized> Spool for &mut S {
    fn restart(&mut self) -> std::io::Result<()> {
        (**self).restart()
    }
}

/// Buffer size for reading and writing streamed HAR files.
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
    fn copy(&mut self) -> Result<BufReader<&mut S>> {
        let c = self.copy.as_mut().expect("a copy is being verified");
        c.flush().context("writing copy")?;
        c.seek(SeekFrom::Start(0)).context("re-reading the copy")?;
        Ok(BufReader::with_capacity(STREAM_BUFFER, c))
    }
}

impl<I: Read + Seek + Send, S: Spool + Send> Document for HarStream<'_, I, S> {
    fn write(&mut self, known: &Known, first: bool) -> Result<Written> {
        let (engine, provenance) = (self.engine, self.provenance);
        let progressive = first && self.copy.is_some();
        // Borrow the input and the copy separately (both live in `self`).
        let len = self
            .input
            .seek(SeekFrom::End(0))
            .context("reading the input again")?;
        self.input
            .seek(SeekFrom::Start(0))
            .context("reading the input again")?;
        let input = BufReader::with_capacity(STREAM_BUFFER, &mut self.input);
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
        )?
        .findings;
        self.touched = touched;
        Ok(left)
    }

    fn survivor(&mut self, known: &Known) -> Result<Option<Survivor>> {
        let copy = self.copy()?;
        find_survivor_in_reader(copy, known).context("re-reading the copy")
    }

    fn stage(&mut self, what: &str) {
        if let Some(f) = self.on_stage {
            f(what);
        }
    }
}
