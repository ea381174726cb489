//! HAR files, streamed.
//!
//! The document is read once, front to back: everything outside `log.entries` is small
//! and handled whole; each entry is cut out as raw bytes, scrubbed on its own (in
//! parallel, in batches), and written back in order. Whitespace and punctuation between
//! values are copied as they are, so a copy differs from its input only where a secret
//! was. Memory is bounded by the batch size and the largest single entry, not the file.

use std::collections::HashMap;
use std::io::{Read, Write};

use anyhow::{bail, Context, Result};
#[cfg(feature = "parallel")]
use rayon::prelude::*;

use crate::codec::json::{self, Parser};
use crate::detect::memo::Memo;
use crate::detect::walk::Walker;
use crate::detect::{apply_edits, placeholder_kinds, Births, Discovered, Known, Scrubber, Touch};
use crate::engine::Engine;
use crate::finding::{Finding, Findings};
use crate::session::Session;

/// Bytes of entries gathered before a batch is scrubbed in parallel. With one batch
/// being read, one being scrubbed and one being written (plus one waiting on each side)
/// this bounds the memory of a pass at a few times this, whatever the file's size.
/// (2 MB rather than 4: peak RSS of `clean` on 107 MB of real entries 128 → 109 MB, the
/// same CPU time.)
const BATCH_BYTES: usize = 2 << 20;

/// HAR files smaller than this are scrubbed without reader and writer threads.
const SMALL_BYTES: usize = 256 << 10;
const READ_CHUNK: usize = 1 << 20;
/// Entries up to this size get names, methods and URLs in their findings (the
/// scrubbed entry is parsed once more for that).
const ANNOTATE_MAX: usize = 64 << 20;

/// What one pass over a HAR produced.
#[derive(Debug, Default)]
pub struct Pass {
    pub findings: Findings,
    /// Context-found secrets, for propagation to unremarkable places.
    pub discovered: HashMap<Vec<u8>, String>,
    /// Progressive passes only: the kind each fingerprint was reported under, and the
    /// fingerprints reported under more than one kind (see [`Pass::consistent_with`]).
    kinds: HashMap<String, String>,
    mixed: std::collections::HashSet<String>,
    /// Progressive passes only: each secret's place in the order of discovery, how
    /// many secrets were known when each value was last scrubbed, and how many findings
    /// each value had (`None` past [`MAX_VALUES`]): what [`repair`] needs to keep most
    /// of this pass's copy.
    born: HashMap<Vec<u8>, u32>,
    gens: Vec<u32>,
    counts: Option<Vec<u32>>,
    /// Progressive passes only: the values (by their index in the document) that read
    /// a body through a layer the decoded views do not open.
    opaque: Vec<usize>,
}

/// Values of a document whose finding counts a progressive pass keeps for [`repair`]
/// (16 MB of counts; a HAR with more entries is written again instead).
const MAX_VALUES: usize = 1 << 22;

impl Pass {
    /// Can [`repair`] start from this pass? (A progressive pass that kept its counts.)
    pub(crate) fn repairable(&self) -> bool {
        self.counts.is_some()
    }

    /// Would a pass that knew every discovered secret from the start (`known`, built
    /// from this pass's discoveries) have named each one the same way? A progressive
    /// pass learns secrets batch by batch, so an occurrence met before its secret was
    /// discovered may have been named by its own context instead. When this holds and
    /// the copy verifies clean against `known`, the copy is the one the three-pass
    /// path writes.
    pub fn consistent_with(&self, engine: &Engine, known: &Known) -> bool {
        placeholder_kinds(engine, known)
            .into_iter()
            .all(|(fp, kind)| {
                !self.mixed.contains(&fp) && self.kinds.get(&fp).is_none_or(|k| *k == kind)
            })
    }
}

/// A buffered byte reader that hands out raw JSON tokens and values.
struct Stream<R> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    consumed: u64,
}

impl<R: Read> Stream<R> {
    fn new(r: R) -> Self {
        Stream {
            r,
            buf: Vec::with_capacity(READ_CHUNK * 2),
            pos: 0,
            eof: false,
            consumed: 0,
        }
    }

    fn offset(&self) -> u64 {
        self.consumed + self.pos as u64
    }

    /// Make at least one unread byte available; false at end of input.
    fn fill(&mut self) -> Result<bool> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.consumed += self.buf.len() as u64;
        self.buf.clear();
        self.pos = 0;
        // Up to READ_CHUNK bytes, without zeroing more of the buffer than is read (a
        // small file is read into a small part of it).
        let n = (&mut self.r)
            .take(READ_CHUNK as u64)
            .read_to_end(&mut self.buf)
            .context("reading input")?;
        self.eof = n < READ_CHUNK;
        Ok(n > 0)
    }

    /// Write everything not read yet to `out`.
    fn copy_rest(&mut self, out: &mut impl Write) -> Result<()> {
        loop {
            out.write_all(&self.buf[self.pos..])
                .context("writing copy")?;
            self.pos = self.buf.len();
            if !self.fill()? {
                return Ok(());
            }
        }
    }

    fn peek(&mut self) -> Result<Option<u8>> {
        Ok(if self.fill()? {
            Some(self.buf[self.pos])
        } else {
            None
        })
    }

    /// Copy whitespace to `out`.
    fn ws(&mut self, out: &mut Vec<u8>) -> Result<()> {
        while let Some(b) = self.peek()? {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                out.push(b);
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(())
    }

    fn expect(&mut self, want: u8, out: &mut Vec<u8>, what: &str) -> Result<()> {
        match self.peek()? {
            Some(b) if b == want => {
                out.push(b);
                self.pos += 1;
                Ok(())
            }
            Some(_) => bail!("invalid HAR: expected {} at byte {}", what, self.offset()),
            None => bail!("invalid HAR: unexpected end of file, expected {}", what),
        }
    }

    /// Copy one complete JSON value (raw) into `out`. Syntax inside is checked later
    /// by the parser; this only finds where the value ends.
    fn value(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let mut depth: usize = 0;
        let mut in_str = false;
        let mut esc = false;
        let mut started = false;
        loop {
            if !self.fill()? {
                if started && depth == 0 && !in_str {
                    return Ok(()); // a scalar at end of input
                }
                bail!("invalid HAR: unexpected end of file (truncated?)");
            }
            let chunk = &self.buf[self.pos..];
            let mut i = 0;
            let mut done = false;
            while i < chunk.len() {
                if in_str {
                    if esc {
                        esc = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                        None => {
                            i = chunk.len();
                            break;
                        }
                        Some(j) => {
                            i += j;
                            if chunk[i] == b'\\' {
                                esc = true;
                            } else {
                                in_str = false;
                                if depth == 0 {
                                    i += 1;
                                    done = true;
                                    break;
                                }
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                let b = chunk[i];
                match b {
                    b'"' => {
                        in_str = true;
                        started = true;
                    }
                    b'{' | b'[' => {
                        depth += 1;
                        started = true;
                    }
                    b'}' | b']' => {
                        if depth == 0 {
                            if started {
                                done = true;
                                break;
                            }
                            bail!(
                                "invalid HAR: unexpected '{}' at byte {}",
                                b as char,
                                self.offset() + i as u64
                            );
                        }
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    b',' | b' ' | b'\t' | b'\n' | b'\r' | b':' if depth == 0 => {
                        if started {
                            done = true;
                            break;
                        }
                        if b == b',' || b == b':' {
                            bail!(
                                "invalid HAR: unexpected '{}' at byte {}",
                                b as char,
                                self.offset() + i as u64
                            );
                        }
                    }
                    _ => started = true,
                }
                i += 1;
            }
            out.extend_from_slice(&chunk[..i]);
            self.pos += i;
            if done {
                return Ok(());
            }
        }
    }
}

enum Seg {
    Raw(Vec<u8>),
    /// A value to scrub: its JSON Pointer, the key it sits under, its raw bytes.
    Value {
        loc: String,
        key: Vec<u8>,
        raw: Vec<u8>,
        /// `raw` is one member wrapped in braces (`{"name": value}`), so that the
        /// member's name is scrubbed too; the braces are dropped again after.
        wrapped: bool,
    },
}

struct Done {
    bytes: Vec<u8>,
    findings: Vec<Finding>,
    discovered: HashMap<Vec<u8>, String>,
    /// See `Scrubber::opaque`.
    opaque: bool,
    /// How many secrets were known when it was scrubbed.
    gen: u32,
}

/// Scrub one raw JSON value found at `loc` under `key`.
///
/// Without `copy` (scan and verification passes) the scrubbed bytes are not built and
/// an empty vector is returned in their place. Last: was a body read through a layer
/// the decoded views of a copy do not open (`Scrubber::opaque`)?
#[allow(clippy::too_many_arguments)]
pub fn scrub_value(
    engine: &Engine,
    session: &Session,
    file: &str,
    known: &Known,
    loc: &str,
    key: &[u8],
    raw: &[u8],
    copy: bool,
    touch: Touch<'_>,
    memo: Option<&Memo>,
) -> Result<(Vec<u8>, Vec<Finding>, Discovered, bool)> {
    let tree = Parser::new(raw, engine.limits.max_json_depth)
        .parse_document()
        .map_err(|e| {
            if e.msg == "nesting too deep" {
                // A limit (the parser's stack), not damage: say which.
                crate::error::limit_error!(
                    "JSON nesting deeper than {} levels at {} {}",
                    engine.limits.max_json_depth,
                    loc,
                    json::describe_error(raw, &e).trim_start_matches("nesting too deep ")
                )
            } else {
                anyhow::anyhow!("invalid JSON at {}: {}", loc, json::describe_error(raw, &e))
            }
        })?;
    let mut s = Scrubber::new(engine, session, file, known);
    s.loc.push_str(loc);
    s.touched = touch;
    s.memo = memo;
    s.url_name = crate::detect::walk::url_secret_name(raw, &tree);
    let mut edits = Vec::new();
    let mut w = Walker::top();
    w.value(&mut s, raw, &tree, Some(key), 0, &mut edits);
    if let Some(e) = w.error {
        return Err(e);
    }
    let mut out = Vec::new();
    if edits.is_empty() {
        if copy {
            out.extend_from_slice(raw);
        }
    } else if copy || raw.len() <= ANNOTATE_MAX {
        // A scan builds the scrubbed entry too (when not huge): names and the URL in
        // the report are read from it, never from the input.
        out.reserve(raw.len());
        apply_edits(raw, &mut edits, &mut out);
    }
    if !s.findings.is_empty() && !out.is_empty() && out.len() <= ANNOTATE_MAX {
        if let Ok(v) = Parser::new(&out, engine.limits.max_json_depth).parse_document() {
            super::annotate::json(engine, &mut s.findings, loc, &out, &v);
        }
    }
    if !copy {
        out = Vec::new();
    }
    Ok((out, s.findings, s.discovered, s.opaque))
}

/// Cuts the document into segments and hands them over in batches.
struct Driver<'s> {
    /// Where full batches go: a channel to the scrubbing thread, or (without the
    /// `parallel` feature) straight to the processor and writer.
    sink: &'s mut dyn FnMut(Vec<Seg>) -> Result<()>,
    pending: Vec<Seg>,
    pending_bytes: usize,
    /// Values cut so far.
    values: usize,
    /// A repair whose values from this one on are all kept as the first copy has them:
    /// reading stops here ([`Tail`]).
    stop_before: Option<usize>,
}

/// A repair read the input up to its tail: the values left are all kept as the first
/// copy has them, so the rest of that copy is taken as it is ([`Writer::keep_rest`]).
#[derive(Debug)]
struct Tail;

impl std::fmt::Display for Tail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the rest of the first copy is kept")
    }
}

impl std::error::Error for Tail {}

impl Driver<'_> {
    fn raw(&mut self, bytes: &mut Vec<u8>) {
        if !bytes.is_empty() {
            self.pending.push(Seg::Raw(std::mem::take(bytes)));
        }
    }

    fn value(&mut self, loc: String, key: &[u8], raw: Vec<u8>, wrapped: bool) -> Result<()> {
        if self.stop_before == Some(self.values) {
            // (The bytes before this value, already pending, go with the last batch.)
            self.flush()?;
            return Err(Tail.into());
        }
        self.values += 1;
        self.pending_bytes += raw.len();
        self.pending.push(Seg::Value {
            loc,
            key: key.to_vec(),
            raw,
            wrapped,
        });
        if self.pending_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.pending_bytes = 0;
        if self.pending.is_empty() {
            return Ok(());
        }
        (self.sink)(std::mem::take(&mut self.pending))
    }
}

/// Scrubs batches in parallel and writes them in order.
struct Processor<'a> {
    engine: &'a Engine,
    /// The input's session (its budget), shared by the worker threads.
    session: Session,
    file: &'a str,
    known: std::borrow::Cow<'a, Known>,
    /// Extend `known` with each batch's discoveries before the next batch.
    progressive: bool,
    discovered: HashMap<Vec<u8>, String>,
    /// A copy is written: build the scrubbed bytes.
    copy: bool,
    /// Record the strings verification must read again, or read only those.
    touch: Touch<'a>,
    /// Progressive passes: each secret's place in the order of discovery.
    born: HashMap<Vec<u8>, u32>,
    /// Progressive passes record, repairs read: see [`Pass::gens`].
    gens: Vec<u32>,
    /// A repair pass: the values to scrub again are those that may hold a secret
    /// discovered after they were last scrubbed; the others are taken from the first
    /// copy.
    late: Option<Late>,
    /// A repair: the first value from which on every value is kept as the first copy
    /// has it (none was scrubbed before a secret was learnt), when there is one.
    stop_before: Option<usize>,
    /// Values seen in the batches before this one.
    values: usize,
    /// Progressive passes record, repairs read: see [`Pass::opaque`].
    opaque: Vec<usize>,
    /// Strings found clean in this pass (`detect::memo`); none in a verification.
    memo: Option<Memo>,
}

/// The secrets a progressive pass learnt, in the order it discovered them: a value
/// scrubbed when only the first `gen` were known was written without the others, and
/// is stale if it holds one of them in any form. That is a value holding a trace of
/// one (its longest run of letters and digits, which survives JSON escapes and
/// percent-encoding), or one in any decoded view of which (base64, compressed,
/// escaped: `detect::views`) the secret is found in any of its encoded forms.
struct Late {
    ac: aho_corasick::AhoCorasick,
    /// The secrets, and each one's place in the order of discovery.
    secrets: Vec<(Vec<u8>, u32)>,
    /// The secrets in the order of discovery, with their kinds.
    births: Births,
    /// For the generations of the batch being repaired: the index of the forms of the
    /// secrets discovered after it.
    current: HashMap<u32, Known>,
}

impl Late {
    /// `known` (every secret) names their kinds.
    fn new(born: &HashMap<Vec<u8>, u32>, known: &Known) -> Result<Late> {
        let secrets: Vec<(Vec<u8>, u32)> = born.iter().map(|(k, &b)| (k.clone(), b)).collect();
        let ac = trace_automaton(secrets.iter().map(|(k, _)| k.as_slice()))?;
        let mut in_order: Vec<&(Vec<u8>, u32)> = secrets.iter().collect();
        in_order.sort_by_key(|(_, b)| *b);
        let births = Births::new(
            in_order
                .into_iter()
                .map(|(k, _)| (k.clone(), known.kind_of(k).unwrap_or("secret").to_string()))
                .collect(),
        );
        Ok(Late {
            ac,
            secrets,
            births,
            current: HashMap::new(),
        })
    }

    /// Were secrets discovered after a value scrubbed knowing `gen` of them?
    fn behind(&self, gen: u32) -> bool {
        (gen as usize) < self.secrets.len()
    }

    /// Get ready for a batch whose values were scrubbed knowing `gens` secrets: the
    /// secrets discovered after each, indexed.
    fn enter(&mut self, gens: &[u32]) {
        self.current.retain(|g, _| gens.contains(g));
        for &g in gens {
            if !self.behind(g) || self.current.contains_key(&g) {
                continue;
            }
            self.current.insert(g, self.births.from(g as usize));
        }
    }

    /// May the value `raw`, scrubbed knowing `gen` secrets (its batch just
    /// [`Late::enter`]ed), hold a secret learnt after it was written?
    fn hits(&self, raw: &[u8], gen: u32) -> bool {
        let Some(later) = self.current.get(&gen) else {
            return false;
        };
        self.ac
            .find_overlapping_iter(raw)
            .any(|m| self.secrets[m.pattern().as_usize()].1 >= gen)
            || crate::detect::views::find_survivor(raw, later).is_some()
    }
}

impl Processor<'_> {
    /// Scrub the segments at `idx` (in parallel) with the current known secrets.
    fn run(&self, segs: &[Seg], idx: &[usize]) -> Result<Vec<Option<Done>>> {
        let (engine, file, known) = (self.engine, self.file, &*self.known);
        // The largest values first: the threads finish a batch together instead of one
        // of them scrubbing a large body alone at its end.
        let size = |i: usize| match &segs[i] {
            Seg::Value { raw, .. } => raw.len(),
            Seg::Raw(_) => 0,
        };
        let mut order: Vec<usize> = (0..idx.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(size(idx[k])));
        #[cfg(feature = "parallel")]
        let it = order.par_iter().with_max_len(1);
        #[cfg(not(feature = "parallel"))]
        let it = order.iter();
        let done: Vec<Result<Option<Done>>> = it
            .map(|&k| self.one(segs, idx[k], engine, file, known))
            .collect();
        // Back in the batch's order (its first error too).
        let mut out: Vec<Result<Option<Done>>> = (0..idx.len()).map(|_| Ok(None)).collect();
        for (k, d) in order.into_iter().zip(done) {
            out[k] = d;
        }
        out.into_iter().collect()
    }

    fn one(
        &self,
        segs: &[Seg],
        i: usize,
        engine: &Engine,
        file: &str,
        known: &Known,
    ) -> Result<Option<Done>> {
        match &segs[i] {
            Seg::Raw(_) => Ok(None),
            Seg::Value {
                loc,
                key,
                raw,
                wrapped,
            } => {
                let (mut bytes, findings, discovered, opaque) = scrub_value(
                    engine,
                    &self.session,
                    file,
                    known,
                    loc,
                    key,
                    raw,
                    self.copy,
                    self.touch,
                    self.memo.as_ref(),
                )?;
                if let Touch::Record(t) = self.touch {
                    if self.copy && bytes != *raw {
                        t.record_changes(raw, &bytes);
                    }
                }
                if *wrapped && self.copy {
                    if bytes.first() != Some(&b'{') || bytes.last() != Some(&b'}') {
                        bail!(
                            "internal error: a wrapped member lost its braces at {}",
                            loc
                        );
                    }
                    bytes.pop();
                    bytes.remove(0);
                }
                Ok(Some(Done {
                    bytes,
                    findings,
                    discovered,
                    opaque,
                    gen: u32::try_from(known.len()).unwrap_or(u32::MAX),
                }))
            }
        }
    }

    /// Progressive passes: when this batch discovered secrets, make them known and
    /// scrub again the entries of the batch that may hold one, so that an entry does not
    /// miss a copy of a secret discovered by an entry beside it. A few rounds at most;
    /// the caller's verification catches anything left (e.g. a copy inside a base64
    /// body).
    fn catch_up(&mut self, segs: &[Seg], done: &mut [Option<Done>]) -> Result<()> {
        for _round in 0..3 {
            let mut new: Vec<Vec<u8>> = Vec::new();
            for d in done.iter().flatten() {
                for (k, v) in &d.discovered {
                    if !self.discovered.contains_key(k) {
                        self.discovered.insert(k.clone(), v.clone());
                        self.born.insert(k.clone(), self.born.len() as u32);
                        new.push(k.clone());
                    }
                }
            }
            if new.is_empty() {
                return Ok(());
            }
            let discovered = &self.discovered;
            self.known
                .to_mut()
                .extend(new.iter().filter_map(|k| discovered.get_key_value(k)));
            // Search the raw JSON for a trace of each new secret.
            let ac = trace_automaton(new.iter().map(Vec::as_slice))?;
            let redo: Vec<usize> = segs
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, Seg::Value { raw, .. } if ac.is_match(raw)))
                .map(|(i, _)| i)
                .collect();
            let again = self.run(segs, &redo)?;
            for (i, d) in redo.into_iter().zip(again) {
                done[i] = d;
            }
        }
        Ok(())
    }

    /// Scrub one batch; its pieces go to the writer, in order.
    fn batch(&mut self, segs: Vec<Seg>) -> Result<Vec<Piece>> {
        // A repair: how many secrets each value of the batch was scrubbed knowing.
        let mut gens = vec![u32::MAX; segs.len()];
        if let Some(late) = self.late.as_mut() {
            let mut vi = self.values;
            for (g, s) in gens.iter_mut().zip(&segs) {
                if let Seg::Value { .. } = s {
                    *g = *self
                        .gens
                        .get(vi)
                        .context("repair: more values than before")?;
                    vi += 1;
                }
            }
            let mut distinct = gens.clone();
            distinct.sort_unstable();
            distinct.dedup();
            late.enter(&distinct);
        }
        let mut done = match &self.late {
            None => {
                let all: Vec<usize> = (0..segs.len()).collect();
                self.run(&segs, &all)?
            }
            Some(late) => {
                // A value that read a body through a layer the views do not open is
                // scrubbed again whenever a secret was learnt after it.
                let mut vi = self.values;
                let mut opaque = vec![false; segs.len()];
                for (i, s) in segs.iter().enumerate() {
                    if let Seg::Value { .. } = s {
                        opaque[i] = late.behind(gens[i]) && self.opaque.binary_search(&vi).is_ok();
                        vi += 1;
                    }
                }
                #[cfg(feature = "parallel")]
                let it = segs.par_iter().enumerate();
                #[cfg(not(feature = "parallel"))]
                let it = segs.iter().enumerate();
                let redo: Vec<usize> = it
                    .filter(|&(i, s)| {
                        matches!(s, Seg::Value { raw, .. } if opaque[i] || late.hits(raw, gens[i]))
                    })
                    .map(|(i, _)| i)
                    .collect();
                let mut done: Vec<Option<Done>> = (0..segs.len()).map(|_| None).collect();
                for (i, d) in redo.iter().zip(self.run(&segs, &redo)?) {
                    done[*i] = d;
                }
                done
            }
        };
        if self.progressive {
            self.catch_up(&segs, &mut done)?;
        }
        // Secrets this batch discovered (not already made known by its catch-up).
        let mut grew: Vec<Vec<u8>> = Vec::new();
        let mut pieces = Vec::with_capacity(segs.len());
        for (seg, d) in segs.into_iter().zip(done) {
            match (seg, d) {
                (Seg::Raw(b), _) if self.copy => pieces.push(Piece::Raw(b)),
                (Seg::Raw(_), _) => {}
                (Seg::Value { wrapped, .. }, Some(d)) => {
                    if self.progressive && d.opaque {
                        self.opaque.push(self.values);
                    }
                    if self.progressive && self.gens.len() < MAX_VALUES {
                        self.gens.push(d.gen);
                    }
                    self.values += 1;
                    for (k, v) in d.discovered {
                        if self.late.is_some() {
                            // A repair knows every secret of the document already.
                            if self.known.kind_of(&k).is_none() {
                                bail!("repair: a value discovered a secret not known before");
                            }
                            continue;
                        }
                        if let std::collections::hash_map::Entry::Vacant(e) =
                            self.discovered.entry(k)
                        {
                            if self.progressive {
                                self.born.insert(e.key().clone(), self.born.len() as u32);
                                grew.push(e.key().clone());
                            }
                            e.insert(v);
                        }
                    }
                    pieces.push(Piece::Value {
                        bytes: d.bytes,
                        findings: d.findings,
                        wrapped,
                    });
                }
                (Seg::Value { wrapped, .. }, None) if self.late.is_some() => {
                    self.values += 1;
                    pieces.push(Piece::Reuse { wrapped })
                }
                (Seg::Value { .. }, None) => unreachable!(),
            }
        }
        if !grew.is_empty() {
            let discovered = &self.discovered;
            self.known
                .to_mut()
                .extend(grew.iter().filter_map(|k| discovered.get_key_value(k)));
        }
        Ok(pieces)
    }
}

/// What the writer receives: bytes to copy as they are, a scrubbed value and its
/// findings, or (a repair) the next value of the first copy to keep as it is.
enum Piece {
    Raw(Vec<u8>),
    Value {
        bytes: Vec<u8>,
        findings: Vec<Finding>,
        wrapped: bool,
    },
    Reuse {
        wrapped: bool,
    },
}

/// The writer thread's side: the copy, the findings, and (progressive passes and
/// repairs) the kinds each fingerprint was reported under.
struct Writer<W, O = std::io::Empty> {
    out: Option<W>,
    findings: Findings,
    progressive: bool,
    kinds: HashMap<String, String>,
    mixed: std::collections::HashSet<String>,
    /// Progressive passes: the number of findings of each value.
    counts: Option<Vec<u32>>,
    /// A repair: the first copy, read alongside.
    old: Option<Old<O>>,
}

/// The first copy of a document and its findings, read in step with the input by a
/// repair: the same values in the same order, with the same bytes between them.
struct Old<O> {
    /// The first copy (none for a scan: its findings only).
    st: Option<Stream<O>>,
    buf: Vec<u8>,
    findings: crate::finding::Drain,
    counts: std::vec::IntoIter<u32>,
}

impl<O: Read> Old<O> {
    /// The bytes between two values: the same as the input's.
    fn skip_raw(&mut self, raw: &[u8]) -> Result<()> {
        self.buf.clear();
        let Some(st) = self.st.as_mut() else {
            return Ok(());
        };
        for &b in raw {
            st.expect(b, &mut self.buf, "the bytes of the input")?;
        }
        Ok(())
    }

    /// The next value (a member `"name": value` when `wrapped`); empty without a copy.
    fn value(&mut self, wrapped: bool) -> Result<&[u8]> {
        self.buf.clear();
        let Some(st) = self.st.as_mut() else {
            return Ok(&self.buf);
        };
        if wrapped {
            st.value(&mut self.buf)?;
            st.ws(&mut self.buf)?;
            st.expect(b':', &mut self.buf, "':'")?;
            st.ws(&mut self.buf)?;
        }
        st.value(&mut self.buf)?;
        Ok(&self.buf)
    }

    /// The findings the first pass reported for the next value.
    fn findings(&mut self) -> Result<Vec<Finding>> {
        let n = self
            .counts
            .next()
            .context("repair: more values than before")?;
        (0..n)
            .map(|_| {
                self.findings
                    .next()
                    .context("reading findings")?
                    .context("repair: fewer findings than before")
            })
            .collect()
    }
}

impl<W: Write, O: Read> Writer<W, O> {
    fn pieces(&mut self, pieces: Vec<Piece>) -> Result<()> {
        for p in pieces {
            match p {
                Piece::Raw(b) => {
                    if let Some(o) = self.old.as_mut() {
                        o.skip_raw(&b)?;
                    }
                    if let Some(w) = self.out.as_mut() {
                        w.write_all(&b).context("writing copy")?;
                    }
                }
                Piece::Value {
                    bytes, findings, ..
                } if self.old.is_none() => {
                    if let Some(w) = self.out.as_mut() {
                        w.write_all(&bytes).context("writing copy")?;
                    }
                    self.record(findings)?;
                }
                Piece::Value {
                    bytes,
                    findings,
                    wrapped,
                } => {
                    let o = self.old.as_mut().expect("a repair");
                    o.value(wrapped)?;
                    o.findings()?;
                    if let Some(w) = self.out.as_mut() {
                        w.write_all(&bytes).context("writing copy")?;
                    }
                    self.record(findings)?;
                }
                Piece::Reuse { wrapped } => {
                    let o = self.old.as_mut().expect("only a repair reuses values");
                    let bytes = o.value(wrapped)?;
                    if let Some(w) = self.out.as_mut() {
                        w.write_all(bytes).context("writing copy")?;
                    }
                    let findings = o.findings()?;
                    self.record(findings)?;
                }
            }
        }
        Ok(())
    }

    /// A repair that stopped reading at its tail: the rest of the first copy and the
    /// findings of its values, as they are (what reusing each value would write).
    fn keep_rest(&mut self) -> Result<()> {
        let mut o = self.old.take().expect("only a repair keeps the rest");
        let mut rest = || -> Result<()> {
            while o.counts.len() > 0 {
                let findings = o.findings()?;
                self.record(findings)?;
            }
            if let (Some(st), Some(w)) = (o.st.as_mut(), self.out.as_mut()) {
                st.copy_rest(w)?;
                w.flush().context("writing copy")?;
            }
            Ok(())
        };
        let kept = rest();
        self.old = Some(o);
        kept
    }

    /// The findings of one value.
    fn record(&mut self, findings: Vec<Finding>) -> Result<()> {
        if let Some(c) = self.counts.as_mut() {
            if c.len() < MAX_VALUES {
                c.push(u32::try_from(findings.len()).unwrap_or(u32::MAX));
            } else {
                self.counts = None;
            }
        }
        if self.progressive || self.old.is_some() {
            for f in &findings {
                match self.kinds.get(&f.fingerprint) {
                    None => {
                        self.kinds.insert(f.fingerprint.clone(), f.kind.clone());
                    }
                    Some(k) if *k != f.kind => {
                        self.mixed.insert(f.fingerprint.clone());
                    }
                    Some(_) => {}
                }
            }
        }
        self.findings.extend(findings).context("recording findings")
    }
}

/// A scan writes no copy, so nothing verified the scrubbed entries that names and URLs
/// were read from: a secret discovered by context in one entry and copied verbatim to
/// an unremarkable place of another (a URL parameter not named like a credential)
/// may still be there. Such a name or URL is left out of the findings: any trace of one
/// of those secrets (its longest alphanumeric run) drops it, also in a pass that knew
/// them from the start (a copy in another encoding, or cut short, may have been missed).
fn without_unverified_context(
    mut findings: Findings,
    discovered: &HashMap<Vec<u8>, String>,
) -> Result<Findings> {
    let traces = Traces::new(discovered)?;
    let mut out = Findings::new();
    findings
        .for_each(|f| {
            let mut f = f.clone();
            traces.clear(&mut f);
            out.push(f)
        })
        .context("recording findings")?;
    Ok(out)
}

/// Traces of discovered secrets, for leaving unverified names and URLs out of a
/// scan's findings (see `without_unverified_context`).
pub(crate) struct Traces {
    automaton: aho_corasick::AhoCorasick,
    /// The last URL looked at and whether it held a trace: the findings of one entry
    /// follow each other and share its URL.
    last_url: std::cell::RefCell<Option<(String, bool)>>,
}

impl Traces {
    pub(crate) fn new(discovered: &HashMap<Vec<u8>, String>) -> Result<Traces> {
        Ok(Traces {
            automaton: trace_automaton(discovered.keys().map(Vec::as_slice))?,
            last_url: Default::default(),
        })
    }

    /// Drop `f`'s URL and name if either holds a trace of a discovered secret.
    pub(crate) fn clear(&self, f: &mut Finding) {
        if let Some(url) = &f.url {
            let mut last = self.last_url.borrow_mut();
            let leaky = match &*last {
                Some((u, leaky)) if u == url => *leaky,
                _ => {
                    let leaky = self.automaton.is_match(url);
                    *last = Some((url.clone(), leaky));
                    leaky
                }
            };
            if leaky {
                f.url = None;
            }
        }
        if f.name.as_ref().is_some_and(|t| self.automaton.is_match(t)) {
            f.name = None;
        }
    }
}

/// An automaton of the traces of `secrets`: the longest run of letters and digits of
/// each, which survives JSON escapes and percent-encoding unchanged.
fn trace_automaton<'a>(
    secrets: impl Iterator<Item = &'a [u8]>,
) -> Result<aho_corasick::AhoCorasick> {
    let patterns: Vec<&[u8]> = secrets.map(longest_alnum_run).collect();
    aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(&patterns)
        .context("building the automaton of discovered secrets")
}

/// The longest run of ASCII letters and digits in `v` (all of `v` if it has none).
fn longest_alnum_run(v: &[u8]) -> &[u8] {
    let mut best = (0, 0);
    let mut start = 0;
    for (i, b) in v.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            start = i + 1;
        } else if i + 1 - start > best.1 - best.0 {
            best = (start, i + 1);
        }
    }
    if best.1 == best.0 {
        v
    } else {
        &v[best.0..best.1]
    }
}

fn key_text(raw_with_quotes: &[u8]) -> Vec<u8> {
    let inner = &raw_with_quotes[1..raw_with_quotes.len() - 1];
    json::decode(inner).into_owned()
}

/// Scrub a HAR from `input`, writing the copy to `out` when given and the findings to
/// `findings`. Fails on anything that is not a HAR (no `log` object, no `log.entries`
/// array) or not valid JSON.
///
/// With `progressive`, secrets discovered in one batch of entries are known (and so
/// redacted wherever they appear) from the next batch on; the caller verifies the copy
/// and checks [`Pass::consistent_with`] to know whether a full rewrite is needed.
///
/// With `memo`, a string found clean is not read again where it repeats in the same
/// context (`detect::memo`); a verification passes false, so it reads every string it
/// reads with the whole detector.
///
/// With the `parallel` feature a reader thread cuts the document into entries while
/// the rayon pool scrubs the previous batch, so reading, scrubbing and writing overlap;
/// without it everything runs on the calling thread, one batch at a time.
#[allow(clippy::too_many_arguments)]
pub fn scrub<R: Read + Send, W: Write + Send>(
    engine: &Engine,
    session: &Session,
    file: &str,
    known: &Known,
    input: R,
    out: Option<W>,
    findings: Findings,
    progressive: bool,
    touch: Touch<'_>,
    memo: bool,
) -> Result<Pass> {
    let mut p = Processor {
        engine,
        session: session.clone(),
        file,
        known: std::borrow::Cow::Borrowed(known),
        progressive,
        discovered: HashMap::new(),
        copy: out.is_some(),
        touch,
        born: HashMap::new(),
        gens: Vec::new(),
        late: None,
        stop_before: None,
        values: 0,
        opaque: Vec::new(),
        memo: memo.then(Memo::new),
    };
    let w = Writer::<W> {
        counts: progressive.then(Vec::new),
        out,
        findings,
        progressive,
        kinds: HashMap::new(),
        mixed: Default::default(),
        old: None,
    };
    let (w, _) = drive(&mut p, w, input)?;
    let mut findings = w.findings;
    if !p.copy && !findings.is_count_only() && !p.discovered.is_empty() {
        findings = without_unverified_context(findings, &p.discovered)?;
    }
    Ok(Pass {
        findings,
        discovered: p.discovered,
        kinds: w.kinds,
        mixed: w.mixed,
        born: p.born,
        gens: p.gens,
        counts: w.counts,
        opaque: p.opaque,
    })
}

/// Write a copy of a HAR again, knowing every secret of it (`known`), from `first`, the
/// progressive pass that wrote `old`, the first copy: only the values that may hold a
/// secret learnt after they were written (a trace of one discovered in their batch or
/// later, see [`Late`]) are scrubbed again; every other value, its findings and the
/// bytes between values are taken from the first copy and its findings. After the last
/// value scrubbed before a secret was learnt, nothing is scrubbed again: reading the
/// input stops there, and the rest of the first copy and its findings are taken whole
/// ([`Writer::keep_rest`]). What it writes is verified like any copy; an error (the
/// first copy does not read in step with the input, a value discovered an unknown
/// secret) means: write the copy again instead.
///
/// Without a copy (`old` and `out` both `None`: a scan) only the findings are
/// repaired: those of a second pass knowing every secret, since a value that holds no
/// form of a secret learnt after it, in any layer the detector reads, is read the
/// same way whether that secret is known or not (the argument of `detect::touched`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn repair<R: Read + Send, O: Read + Send, W: Write + Send>(
    engine: &Engine,
    session: &Session,
    file: &str,
    known: &Known,
    input: R,
    old: Option<O>,
    out: Option<W>,
    first: Pass,
    touch: Touch<'_>,
) -> Result<Pass> {
    if old.is_some() != out.is_some() {
        bail!("repair: a copy is read without one written, or the other way round");
    }
    let counts = first
        .counts
        .context("repair: the first pass kept no counts")?;
    let late = Late::new(&first.born, known)?;
    // The values after the last one scrubbed before a secret was learnt are all kept
    // as they are: reading stops there, and the rest of the first copy is taken whole.
    let tail = first
        .gens
        .iter()
        .rposition(|&g| late.behind(g))
        .map_or(0, |i| i + 1);
    let stop_before = (tail < first.gens.len()).then_some(tail);
    let mut p = Processor {
        engine,
        session: session.clone(),
        file,
        known: std::borrow::Cow::Borrowed(known),
        progressive: false,
        discovered: HashMap::new(),
        copy: true,
        touch,
        born: HashMap::new(),
        gens: first.gens,
        late: Some(late),
        stop_before,
        values: 0,
        opaque: first.opaque,
        memo: Some(Memo::new()),
    };
    p.copy = out.is_some();
    let w = Writer {
        counts: None,
        out,
        findings: Findings::new(),
        progressive: false,
        kinds: HashMap::new(),
        mixed: Default::default(),
        old: Some(Old {
            st: old.map(Stream::new),
            buf: Vec::new(),
            findings: first.findings.drain().context("reading findings")?,
            counts: counts.into_iter(),
        }),
    };
    let (mut w, tail) = drive(&mut p, w, input)?;
    if tail {
        w.keep_rest()?;
    }
    let o = w.old.as_mut().expect("a repair");
    let longer = match o.st.as_mut() {
        Some(st) => st.peek()?.is_some(),
        None => false,
    };
    if longer || o.counts.next().is_some() {
        bail!("repair: the first pass read more than the input");
    }
    let mut findings = w.findings;
    if !p.copy && !first.discovered.is_empty() {
        findings = without_unverified_context(findings, &first.discovered)?;
    }
    Ok(Pass {
        findings,
        discovered: first.discovered,
        kinds: w.kinds,
        mixed: w.mixed,
        born: HashMap::new(),
        gens: Vec::new(),
        counts: None,
        opaque: Vec::new(),
    })
}

/// Run one pass of `p` over `input`, its pieces to `w`. True when a repair stopped
/// reading at its tail ([`Processor::stop_before`]).
fn drive<R: Read + Send, W: Write + Send, O: Read + Send>(
    p: &mut Processor<'_>,
    w: Writer<W, O>,
    input: R,
) -> Result<(Writer<W, O>, bool)> {
    // A small document is scrubbed on the calling thread: a reader and a writer thread
    // would only add their start-up to it (batches of thousands of small files, where
    // the files themselves run in parallel).
    let mut head = Vec::new();
    let mut input = input;
    (&mut input)
        .take(SMALL_BYTES as u64)
        .read_to_end(&mut head)
        .context("reading the HAR")?;
    let whole = head.len() < SMALL_BYTES;
    let input = std::io::Cursor::new(head).chain(input);
    // One worker thread (`-j 1`): no reader and writer threads beside it either.
    #[cfg(feature = "parallel")]
    let one_thread = rayon::current_num_threads() == 1;
    #[cfg(not(feature = "parallel"))]
    let one_thread = true;
    let (read, processed, written) = if whole || one_thread {
        sequential(p, w, input)
    } else {
        parallel(p, w, input)
    };
    let w = written?;
    processed?;
    match read {
        Err(e) if e.is::<Tail>() => Ok((w, true)),
        read => read.map(|_| (w, false)),
    }
}

/// What the reading, the scrubbing and the writing of one pass ended with.
type Ended<W, O> = (Result<usize>, Result<()>, Result<Writer<W, O>>);

/// One pass on the calling thread.
fn sequential<R: Read, W: Write, O: Read>(
    p: &mut Processor<'_>,
    mut w: Writer<W, O>,
    input: R,
) -> Ended<W, O> {
    {
        let stop_before = p.stop_before;
        let read = {
            let mut sink = |batch: Vec<Seg>| -> Result<()> {
                let pieces = p.batch(batch)?;
                w.pieces(pieces)
            };
            let mut d = Driver {
                sink: &mut sink,
                pending: Vec::new(),
                pending_bytes: 0,
                values: 0,
                stop_before,
            };
            read_har(input, &mut d).and_then(|n| d.flush().map(|_| n))
        };
        let written = match w.out.as_mut().map(|o| o.flush()) {
            Some(Err(e)) => Err(anyhow::Error::new(e).context("writing copy")),
            _ => Ok(w),
        };
        (read, Ok::<(), anyhow::Error>(()), written)
    }
}

/// One pass with a reader thread cutting entries, batches scrubbed in parallel here,
/// and a writer thread keeping their order.
#[cfg(feature = "parallel")]
fn parallel<R: Read + Send, W: Write + Send, O: Read + Send>(
    p: &mut Processor<'_>,
    mut w: Writer<W, O>,
    input: R,
) -> Ended<W, O> {
    let stop_before = p.stop_before;
    std::thread::scope(|sc| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Seg>>(1);
        let (wtx, wrx) = std::sync::mpsc::sync_channel::<Vec<Piece>>(1);
        let reader = sc.spawn(move || {
            let mut sink = move |batch: Vec<Seg>| -> Result<()> {
                tx.send(batch).map_err(|_| anyhow::anyhow!("stopped"))
            };
            let mut d = Driver {
                sink: &mut sink,
                pending: Vec::new(),
                pending_bytes: 0,
                values: 0,
                stop_before,
            };
            let n = read_har(input, &mut d)?;
            d.flush()?;
            Ok::<usize, anyhow::Error>(n)
        });
        // Writing (and spooling findings) overlaps the scrubbing of the next batch.
        let writer = sc.spawn(move || {
            for pieces in wrx.iter() {
                w.pieces(pieces)?;
            }
            if let Some(o) = w.out.as_mut() {
                o.flush().context("writing copy")?;
            }
            Ok::<Writer<W, O>, anyhow::Error>(w)
        });
        let mut processed = Ok(());
        for batch in rx.iter() {
            match p.batch(batch) {
                Ok(pieces) => {
                    if wtx.send(pieces).is_err() {
                        break; // the writer failed: its error is reported below
                    }
                }
                Err(e) => {
                    processed = Err(e);
                    break;
                }
            }
        }
        drop(rx);
        drop(wtx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("HAR writer thread panicked")));
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("HAR reader thread panicked")));
        (read, processed, written)
    })
}

#[cfg(not(feature = "parallel"))]
fn parallel<R: Read, W: Write, O: Read>(
    p: &mut Processor<'_>,
    w: Writer<W, O>,
    input: R,
) -> Ended<W, O> {
    sequential(p, w, input)
}

/// Cut a HAR into segments: raw bytes between values, and values to scrub.
fn read_har<R: Read>(input: R, d: &mut Driver<'_>) -> Result<usize> {
    let mut st = Stream::new(input);
    let mut entries = 0;
    let mut raw = Vec::new();
    // UTF-8 byte order mark (Fiddler): kept.
    if st.peek()? == Some(0xEF) {
        for want in [0xEFu8, 0xBB, 0xBF] {
            st.expect(want, &mut raw, "a UTF-8 byte order mark")?;
        }
    }
    st.ws(&mut raw)?;
    if st.peek()? != Some(b'{') {
        bail!("not a HAR: the file does not start with a JSON object");
    }
    st.expect(b'{', &mut raw, "'{'")?;
    let mut saw_log = false;
    let mut saw_entries = false;
    let mut first = true;
    loop {
        st.ws(&mut raw)?;
        if st.peek()? == Some(b'}') {
            st.expect(b'}', &mut raw, "'}'")?;
            break;
        }
        if !first {
            st.expect(b',', &mut raw, "',' or '}'")?;
            st.ws(&mut raw)?;
        }
        first = false;
        let key_start = raw.len();
        let key = read_key(&mut st, &mut raw)?;
        if key == b"log" && st.peek()? == Some(b'{') {
            saw_log = true;
            st.expect(b'{', &mut raw, "'{'")?;
            let mut first2 = true;
            loop {
                st.ws(&mut raw)?;
                if st.peek()? == Some(b'}') {
                    st.expect(b'}', &mut raw, "'}'")?;
                    break;
                }
                if !first2 {
                    st.expect(b',', &mut raw, "',' or '}'")?;
                    st.ws(&mut raw)?;
                }
                first2 = false;
                let k2_start = raw.len();
                let k2 = read_key(&mut st, &mut raw)?;
                if k2 == b"entries" && st.peek()? == Some(b'[') {
                    saw_entries = true;
                    st.expect(b'[', &mut raw, "'['")?;
                    let mut i = 0usize;
                    loop {
                        st.ws(&mut raw)?;
                        if st.peek()? == Some(b']') {
                            st.expect(b']', &mut raw, "']'")?;
                            break;
                        }
                        if i > 0 {
                            st.expect(b',', &mut raw, "',' or ']' in log.entries")?;
                            st.ws(&mut raw)?;
                        }
                        if st.peek()? != Some(b'{') {
                            bail!("invalid HAR: log.entries[{}] is not an object", i);
                        }
                        d.raw(&mut raw);
                        let mut v = Vec::new();
                        st.value(&mut v)?;
                        d.value(format!("/log/entries/{}", i), b"entries", v, false)?;
                        i += 1;
                    }
                    entries = i;
                } else {
                    member(&mut st, d, &mut raw, k2_start, "/log", b"log")?;
                }
            }
        } else {
            member(&mut st, d, &mut raw, key_start, "", b"")?;
        }
    }
    st.ws(&mut raw)?;
    if st.peek()?.is_some() {
        bail!(
            "invalid HAR: unexpected data after the end of the document (byte {})",
            st.offset()
        );
    }
    if !saw_log {
        bail!("not a HAR: no \"log\" object");
    }
    if !saw_entries {
        bail!("not a HAR: \"log\" has no \"entries\" array");
    }
    d.raw(&mut raw);
    Ok(entries)
}

/// A member outside `log.entries` (of `log` or of the top-level object) whose name has
/// just been read into `raw[key_start..]`: it is scrubbed as the one-member object
/// `{"name": value}` under `loc`, so that a credential used as the name is found and
/// redacted like any other, and no location ever spells it.
fn member<R: Read>(
    st: &mut Stream<R>,
    d: &mut Driver<'_>,
    raw: &mut Vec<u8>,
    key_start: usize,
    loc: &str,
    parent: &[u8],
) -> Result<()> {
    let mut v = Vec::with_capacity(raw.len() - key_start + 2);
    v.push(b'{');
    v.extend_from_slice(&raw[key_start..]);
    raw.truncate(key_start);
    d.raw(raw);
    st.value(&mut v)?;
    v.push(b'}');
    d.value(loc.to_string(), parent, v, true)
}

fn read_key<R: Read>(st: &mut Stream<R>, raw: &mut Vec<u8>) -> Result<Vec<u8>> {
    if st.peek()? != Some(b'"') {
        bail!(
            "invalid HAR: expected a member name at byte {}",
            st.offset()
        );
    }
    let start = raw.len();
    st.value(raw)?;
    let key = key_text(&raw[start..]);
    st.ws(raw)?;
    st.expect(b':', raw, "':'")?;
    st.ws(raw)?;
    Ok(key)
}

/// A `.har` file in another layout than one `{"log": …}` object (JSON lines of
/// entries, concatenated HARs): read as generic JSON instead.
/// So is a `.har` holding one JSON object without `log` (its entries at the top, a
/// HAR-like export of another tool) or whose `log` has no `entries`.
pub fn other_layout(e: &anyhow::Error) -> bool {
    let m = e.to_string();
    m.starts_with("invalid HAR: unexpected data after the end")
        || m.starts_with("not a HAR: no \"log\" object")
        || m.starts_with("not a HAR: \"log\" has no \"entries\"")
}

/// Does this look like a HAR (a JSON object whose members include `log`)? Checks the
/// first kilobytes only.
pub fn looks_like_har(prefix: &[u8]) -> bool {
    let p = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let t = p
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(p.len());
    if p.get(t) != Some(&b'{') {
        return false;
    }
    // `{"log": {` — a Docker json-file log line (`{"log": "text\n", …}`) is JSON.
    let mut rest = &p[t + 1..];
    for want in [&b"\"log\""[..], b":", b"{"] {
        rest = rest.trim_ascii_start();
        match rest.strip_prefix(want) {
            Some(r) => rest = r,
            // The prefix ended before the value: judge by what was seen.
            None if rest.is_empty() => return true,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A verification scan (`Touch::Skip`) reads only the strings the write pass
    /// recorded, and reads a recorded one whole: a token in a JSON body's own string
    /// is found when the body string is recorded, not when it is not.
    #[test]
    fn verification_reads_recorded_strings_whole() {
        let engine = Engine::builtin().unwrap();
        let session = Session::default();
        let known = Known::default();
        let text = r#"{\"note\":\"x\",\"token\":\"ghp_aaaaBBBBccccDDDDeeeeFFFFgggg01234567\"}"#;
        let entry = format!(
            r#"{{"response":{{"content":{{"mimeType":"application/json","text":"{text}"}}}}}}"#
        );
        let found = |touch: Touch<'_>| {
            let (_, f, _, _) = scrub_value(
                &engine,
                &session,
                "t.har",
                &known,
                "/log/entries/0",
                b"0",
                entry.as_bytes(),
                false,
                touch,
                None,
            )
            .unwrap();
            f.len()
        };
        assert_eq!(found(Touch::Off), 1);
        let none = crate::detect::touched::Touched::for_input(0);
        assert_eq!(found(Touch::Skip(&none)), 0);
        let body = crate::detect::touched::Touched::for_input(0);
        body.insert(text.as_bytes());
        assert_eq!(found(Touch::Skip(&body)), 1);
    }
}
