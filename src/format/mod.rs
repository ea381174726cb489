//! Format handlers: each kind of document (HAR, other JSON, text, archives) has its own
//! handler; [`sanitize_bytes`] recognises the kind and dispatches, and
//! [`clean_document`] adds the verification every copy goes through.

pub mod annotate;
pub mod archive;
pub mod driver;
pub mod har;
pub mod http;
pub mod text;
pub mod tnetstring;

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use anyhow::{bail, Context, Result};

use crate::codec::json;
use crate::detect::{apply_edits, walk::Walker, Discovered, Known, Scrubber};
use crate::engine::Engine;
use crate::error::limit_error;
use crate::finding::Finding;
use crate::finding::Findings;
use crate::session::Session;
use archive::ArchiveKind;

/// What a handler produced for one document.
#[derive(Debug)]
pub struct Outcome {
    /// The redacted copy (identical to the input when nothing was found).
    pub output: Vec<u8>,
    /// Findings, in document order.
    pub findings: Vec<Finding>,
}

/// The kinds of document harscrub understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Har,
    Json,
    Text,
    Archive(ArchiveKind),
    /// Images, fonts, audio and video (recognised by their magic bytes): copied
    /// unchanged unless a token rule matches, in which case the document fails (binary
    /// cannot be redacted safely).
    Media,
    /// Raw HTTP/1.x messages (Fiddler `.saz` members, pasted request/response dumps).
    Http,
    /// mitmproxy flow dumps (a sequence of tnetstrings).
    Mitm,
    /// Binary data harscrub does not understand: refused (no copy), since credentials in
    /// it could be neither found reliably nor removed.
    Unknown,
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Har => "har",
            Kind::Json => "json",
            Kind::Text => "text",
            Kind::Archive(ArchiveKind::Zip) => "zip",
            Kind::Archive(ArchiveKind::Tar) => "tar",
            Kind::Archive(ArchiveKind::Gzip) => "gzip",
            Kind::Archive(ArchiveKind::Xz) => "xz",
            Kind::Archive(ArchiveKind::Bzip2) => "bzip2",
            Kind::Media => "media",
            Kind::Http => "http",
            Kind::Mitm => "mitm",
            Kind::Unknown => "unknown-binary",
        }
    }
}

fn ext(name: &str) -> String {
    name.rsplit('.').next().unwrap_or("").to_ascii_lowercase()
}

/// Recognise a document by content first, then by name. `prefix` is the start of the
/// document (a few kilobytes are enough).
pub fn sniff(name: &str, prefix: &[u8]) -> Kind {
    if let Some(a) = archive::sniff_archive(name, prefix) {
        return Kind::Archive(a);
    }
    if tnetstring::looks_like_mitm(name, prefix) {
        return Kind::Mitm;
    }
    if http::looks_like_http(prefix) {
        return Kind::Http;
    }
    let e = ext(name);
    let body = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    // A `.har` that is a JSON array (HARs wrapped in a list) is walked as JSON.
    if har::looks_like_har(prefix) || (e == "har" && first != Some(b'[')) {
        return Kind::Har;
    }
    if matches!(first, Some(b'{' | b'[')) || e == "json" {
        return Kind::Json;
    }
    if crate::codec::is_media(prefix) {
        return Kind::Media;
    }
    if unopened_compression(prefix).is_some() {
        return Kind::Unknown;
    }
    if !text_with_nuls(prefix) {
        return Kind::Unknown;
    }
    Kind::Text
}

/// Is this the start of a text, NUL bytes aside? A log that `logrotate`'s
/// `copytruncate` left starting with a run of NULs, a stray NUL in a log, a
/// `/proc/PID/environ` dump (NUL-separated `NAME=value`) are texts; a binary file is
/// not: after its leading NULs, a sample of a text holds NULs in at most a quarter of
/// its bytes, no other control character but blanks and escape, and valid UTF-8 (the
/// sample may cut its last character).
fn text_with_nuls(prefix: &[u8]) -> bool {
    let lead = prefix.iter().take_while(|&&b| b == 0).count();
    let rest = &prefix[lead..];
    let sample = &rest[..rest.len().min(8192)];
    let nuls = memchr::memchr_iter(0, sample).count();
    if nuls == 0 && lead == 0 {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, 0 | b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    let utf8 = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && sample.len() == 8192,
    };
    nuls * 4 <= sample.len() && control == 0 && utf8
}

/// A compressed file or archive harscrub does not open, by its signature: zstd
/// (`.tar.zst`), 7-Zip, RAR. Refused with its name (never read as
/// text, even without a NUL byte in it).
fn unopened_compression(d: &[u8]) -> Option<&'static str> {
    if d.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Some("zstd")
    } else if d.starts_with(b"7z\xBC\xAF\x27\x1C") {
        Some("7-Zip")
    } else if d.starts_with(b"Rar!\x1A\x07") {
        Some("RAR")
    } else {
        None
    }
}

/// One scrubbing pass over an in-memory document of a known kind (archives excluded).
/// `verify`: the pass verifies a copy (a HAR's strings are all read, see
/// `detect::memo`).
fn pass(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    kind: Kind,
    data: &[u8],
    known: &Known,
    verify: bool,
) -> Result<(Vec<u8>, Vec<Finding>, Discovered)> {
    match kind {
        Kind::Har => {
            let mut out = Vec::with_capacity(data.len());
            let p = match har::scrub(
                engine,
                session,
                provenance,
                known,
                data,
                Some(&mut out),
                crate::finding::Findings::new(),
                false,
                crate::detect::Touch::Off,
                !verify,
            ) {
                Ok(p) => p,
                // Entries one per line (JSON lines), or a HAR followed by another: the
                // JSON walker reads them by key names like any other JSON.
                Err(e) if har::other_layout(&e) => {
                    return json_doc(engine, session, provenance, data, known)
                }
                Err(e) => return Err(e),
            };
            let findings = p.findings.into_vec().context("recording findings")?;
            Ok((out, findings, p.discovered))
        }
        Kind::Json => json_doc(engine, session, provenance, data, known),
        // A text that prints HTTP messages (a log dumping a response): its messages
        // are read as messages first (a chunked body is de-chunked, so a value split
        // by a chunk boundary is found), then the whole is read as text.
        Kind::Text if http::has_embedded_message(data) => {
            let (mid, mut findings, mut discovered) =
                http::scrub(engine, session, provenance, data, known)?;
            let (out, more, found) = text::scrub(engine, session, provenance, &mid, known);
            findings.extend(more);
            discovered.extend(found);
            Ok((out, findings, discovered))
        }
        Kind::Text => Ok(text::scrub(engine, session, provenance, data, known)),
        Kind::Http => http::scrub(engine, session, provenance, data, known),
        Kind::Mitm => tnetstring::scrub(engine, session, provenance, data, known),
        Kind::Unknown => Err(anyhow::Error::new(crate::error::Unsupported(
            match unopened_compression(data) {
                Some(what) => format!(
                    "{what} data, which harscrub does not open (it opens zip, tar, gzip, \
                     xz and bzip2): no copy written (decompress it, or recompress it as \
                     .tar.gz or .tar.xz, and clean that)"
                ),
                None => "binary content in a format harscrub does not understand: no copy \
                         written (extract it, or export it as HAR, and clean that)"
                    .into(),
            },
        ))),
        Kind::Media => {
            let (_, findings, _) = text::scrub_with(
                engine,
                session,
                provenance,
                data,
                known,
                crate::detect::text::Mode::RulesOnly,
            );
            if !findings.is_empty() {
                bail!(
                    "media file holds {} credential(s) ({}) that cannot be redacted without corrupting it",
                    findings.len(),
                    findings.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
            Ok((data.to_vec(), Vec::new(), HashMap::new()))
        }
        Kind::Archive(_) => unreachable!("archives are handled by sanitize_bytes"),
    }
}

/// Any JSON document (configs, API dumps, NDJSON): walked by key names. Invalid JSON
/// is scrubbed as text instead (it still gets every rule), never passed through.
fn json_doc(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    data: &[u8],
    known: &Known,
) -> Result<(Vec<u8>, Vec<Finding>, Discovered)> {
    let (bom, body) = match data.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) => (3, b),
        None => (0, data),
    };
    let tree = match json::Parser::new(body, engine.limits.max_json_depth).parse_document() {
        Ok(t) => t,
        Err(e) if e.msg == "nesting too deep" => {
            return Err(limit_error!(
                "JSON nesting deeper than {} levels",
                engine.limits.max_json_depth
            ))
        }
        Err(_) => return Ok(text::scrub(engine, session, provenance, data, known)),
    };
    let mut s = Scrubber::new(engine, session, provenance, known);
    let mut edits = Vec::new();
    let mut w = Walker::top();
    w.value(&mut s, body, &tree, None, bom, &mut edits);
    if let Some(e) = w.error {
        return Err(e);
    }
    // A Docker json-file log of one record is a JSON document: its line is read as the
    // container wrote it too (what that finds is located at `/log`).
    s.loc.push_str("/log");
    s.docker_log_view(body, bom, &mut edits);
    s.loc.clear();
    let mut out = Vec::with_capacity(data.len());
    apply_edits(data, &mut edits, &mut out);
    Ok((out, s.findings, s.discovered))
}

/// Sanitize one in-memory document. `provenance` names it in findings (e.g.
/// `bundle.zip!/case/app.log`), `name` is its file or member name (used with the
/// content to recognise its kind), `depth` is the archive nesting depth (0 for a file
/// given on the command line).
///
/// The copy is verified: it is scanned again (with every secret found the first time
/// searched for verbatim); a second pass runs if a copy of a context-found secret was
/// left in an unremarkable place, and if anything is still found the document fails.
pub fn sanitize_bytes(
    engine: &Engine,
    provenance: &str,
    name: &str,
    data: &[u8],
    depth: usize,
) -> Result<Outcome> {
    // A top-level input: its own session (limits budget).
    sanitize_in(engine, &Session::default(), provenance, name, data, depth)
}

/// [`sanitize_bytes`] within the session of the input it is part of (an archive
/// member: the archive's budget).
pub(crate) fn sanitize_in(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    name: &str,
    data: &[u8],
    depth: usize,
) -> Result<Outcome> {
    let kind = sniff(name, &data[..data.len().min(64 << 10)]);
    if let Kind::Archive(a) = kind {
        return archive::sanitize_archive(engine, session, provenance, a, name, data, depth);
    }
    if let Some((u, text)) = utf16_text(data, kind)? {
        let o = sanitize_in(engine, session, provenance, name, text.as_bytes(), depth)?;
        let copy =
            String::from_utf8(o.output).context("the copy of a UTF-16 text is no longer text")?;
        return Ok(Outcome {
            output: u.encode(&copy),
            findings: o.findings,
        });
    }
    document(engine, session, provenance, kind, data)
}

/// A text written in UTF-16 (PowerShell's `Out-File`, Windows logs), as UTF-8: it is
/// read as that, and its copy written back in UTF-16. By its byte order mark, or
/// without one by its look (a NUL in nearly every other byte, none in the others: a
/// text mostly in ASCII, as logs are) when it also reads as text. One that looks so
/// but does not decode (an odd length, a lone surrogate) is refused with that said,
/// rather than as unknown binary. (Kind: what `sniff` saw; media stay media.)
fn utf16_text(data: &[u8], kind: Kind) -> Result<Option<(crate::codec::utf16::Utf16, String)>> {
    use crate::codec::utf16::Utf16;
    if let Some(u) = Utf16::by_bom(data) {
        return Ok(u.decode(data).map(|t| (u, t)));
    }
    if matches!(
        kind,
        Kind::Media | Kind::Archive(_) | Kind::Mitm | Kind::Http
    ) {
        return Ok(None);
    }
    let sample = &data[..data.len().min(1024) & !1];
    let Some(u) = Utf16::sniff(sample, b"") else {
        return Ok(None);
    };
    let Some(text) = u.decode(data) else {
        return Err(anyhow::Error::new(crate::error::Unsupported(
            "looks like UTF-16 text without a byte order mark, but does not decode as \
             UTF-16 (an odd length or a lone surrogate): no copy written (convert it to \
             UTF-8, or save it with a byte order mark, and clean that)"
                .into(),
        )));
    };
    let chars = text.chars().count();
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b'))
        .count();
    // Binary laid out in 16-bit units of small numbers is no text.
    if control * 20 > chars {
        return Ok(None);
    }
    Ok(Some((u, text)))
}

/// Discover, scrub, verify; fail closed (see `format::driver` for the passes). A
/// top-level document of a known kind (archives excluded).
pub fn clean_document(
    engine: &Engine,
    provenance: &str,
    kind: Kind,
    data: &[u8],
) -> Result<Outcome> {
    document(engine, &Session::default(), provenance, kind, data)
}

fn document(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    kind: Kind,
    data: &[u8],
) -> Result<Outcome> {
    if kind == Kind::Har && har::looks_like_har(&data[..data.len().min(SNIFF_BYTES)]) {
        // The streaming passes, over memory: a copy written progressively is usually
        // kept, where the in-memory passes always write twice.
        let mut copy = std::io::Cursor::new(Vec::with_capacity(data.len()));
        let input = std::io::Cursor::new(data);
        let session = session.clone();
        if let Some(f) = har_passes(engine, session, provenance, input, Some(&mut copy), None)? {
            let findings = f.into_vec().context("recording findings")?;
            let output = copy.into_inner();
            return Ok(Outcome { output, findings });
        }
    }
    let mut doc = driver::InMemory {
        engine,
        session,
        provenance,
        kind,
        data,
        copy: Vec::new(),
    };
    let mut findings = driver::clean(engine, &mut doc)?
        .into_vec()
        .context("recording findings")?;
    name_findings(engine, kind, &doc.copy, &mut findings);
    Ok(Outcome {
        output: doc.copy,
        findings,
    })
}

/// The streaming passes over a HAR: a clean when there is a `copy`, else a scan (which
/// leaves out unverified names and URLs as it goes). None when the document is not
/// laid out as one HAR (entries one per line, a HAR followed by another): the caller
/// reads it as JSON instead.
fn har_passes<I: Read + Seek + Send, S: driver::Spool + Send>(
    engine: &Engine,
    session: Session,
    provenance: &str,
    input: I,
    copy: Option<S>,
    on_stage: Option<&dyn Fn(&str)>,
) -> Result<Option<Findings>> {
    let cleaning = copy.is_some();
    let mut doc = driver::HarStream {
        engine,
        session,
        provenance,
        input,
        copy,
        on_stage,
        touched: None,
    };
    let r = if cleaning {
        driver::clean(engine, &mut doc)
    } else {
        driver::scan(engine, &mut doc).map(|(findings, _)| findings)
    };
    match r {
        Err(e) if har::other_layout(&e) => Ok(None),
        r => r.map(Some),
    }
}

/// How many bytes of a document are read to recognise its kind.
const SNIFF_BYTES: usize = 64 << 10;

/// The start of `input` (for [`sniff`]), which is then rewound.
fn prefix(input: &mut (impl Read + Seek)) -> Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    input
        .by_ref()
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)
        .context("cannot read")?;
    input.seek(SeekFrom::Start(0)).context("cannot read")?;
    Ok(prefix)
}

/// Clean a document read from `input`, its copy written to `copy` (verified before
/// this returns `Ok`; after an error, whatever `copy` holds must be discarded). A HAR
/// file is streamed: memory stays bounded whatever its size. Anything else is read
/// into memory (bounded by the limits) and goes through [`sanitize_bytes`].
/// `on_stage` hears when each pass over a streamed HAR starts.
pub fn clean_stream<I: Read + Seek + Send, S: driver::Spool + Send>(
    engine: &Engine,
    provenance: &str,
    name: &str,
    input: I,
    copy: S,
    on_stage: Option<&dyn Fn(&str)>,
) -> Result<(Kind, Findings)> {
    stream(engine, provenance, name, input, Some(copy), on_stage)
}

/// Scan a document read from `input`: the findings [`clean_stream`] reports for it,
/// without writing a copy. A HAR file is streamed.
pub fn scan_stream<I: Read + Seek + Send>(
    engine: &Engine,
    provenance: &str,
    name: &str,
    input: I,
    on_stage: Option<&dyn Fn(&str)>,
) -> Result<(Kind, Findings)> {
    stream(
        engine,
        provenance,
        name,
        input,
        None::<std::io::Cursor<Vec<u8>>>,
        on_stage,
    )
}

/// [`clean_stream`] with a `copy`, [`scan_stream`] without.
fn stream<I: Read + Seek + Send, S: driver::Spool + Send>(
    engine: &Engine,
    provenance: &str,
    name: &str,
    mut input: I,
    mut copy: Option<S>,
    on_stage: Option<&dyn Fn(&str)>,
) -> Result<(Kind, Findings)> {
    let prefix = prefix(&mut input)?;
    let kind = sniff(name, &prefix);
    if kind == Kind::Har && har::looks_like_har(&prefix) {
        let session = Session::default();
        if let Some(f) = har_passes(
            engine,
            session,
            provenance,
            &mut input,
            copy.as_mut(),
            on_stage,
        )? {
            return Ok((kind, f));
        }
        input.seek(SeekFrom::Start(0)).context("cannot read")?;
    }
    let mut data = Vec::new();
    input.read_to_end(&mut data).context("cannot read")?;
    let found = match copy.as_mut() {
        Some(copy) => {
            let o = sanitize_bytes(engine, provenance, name, &data, 0)?;
            copy.restart().context("writing copy")?;
            copy.write_all(&o.output).context("writing copy")?;
            copy.flush().context("writing copy")?;
            o.findings
        }
        None => scan_bytes(engine, provenance, name, &data)?,
    };
    let mut findings = Findings::new();
    findings.extend(found).context("recording findings")?;
    Ok((kind, findings))
}

/// Scan one in-memory top-level document: the findings [`sanitize_bytes`] reports
/// for it, from the two passes of a scan (discover, then report every place each
/// secret appears) and no verified copy. An archive is cleaned member by member and
/// its copy dropped.
pub fn scan_bytes(
    engine: &Engine,
    provenance: &str,
    name: &str,
    data: &[u8],
) -> Result<Vec<Finding>> {
    let prefix = &data[..data.len().min(SNIFF_BYTES)];
    let kind = sniff(name, prefix);
    if let Kind::Archive(_) = kind {
        return Ok(sanitize_bytes(engine, provenance, name, data, 0)?.findings);
    }
    if let Some((_, text)) = utf16_text(data, kind)? {
        return scan_bytes(engine, provenance, name, text.as_bytes());
    }
    if kind == Kind::Har && har::looks_like_har(prefix) {
        // The streaming passes over memory.
        let input = std::io::Cursor::new(data);
        let none = None::<&mut std::io::Cursor<Vec<u8>>>;
        if let Some(f) = har_passes(engine, Session::default(), provenance, input, none, None)? {
            return f.into_vec().context("recording findings");
        }
    }
    let mut doc = driver::InMemory {
        engine,
        session: &Session::default(),
        provenance,
        kind,
        data,
        copy: Vec::new(),
    };
    let (findings, discovered) = driver::scan(engine, &mut doc)?;
    let mut findings = findings.into_vec().context("recording findings")?;
    // Names are read from the last pass's scrubbed document, as `clean` reads them
    // from its verified copy; but nothing verified this one, so a name or URL with a
    // trace of a discovered secret is left out.
    name_findings(engine, kind, &doc.copy, &mut findings);
    if !discovered.is_empty() {
        let traces = har::Traces::new(&discovered)?;
        findings.iter_mut().for_each(|f| traces.clear(f));
    }
    Ok(findings)
}

/// Names (and HAR methods and URLs) for findings, read from the verified copy. HAR
/// entries got theirs as they were scrubbed.
fn name_findings(engine: &Engine, kind: Kind, copy: &[u8], findings: &mut [Finding]) {
    match kind {
        Kind::Json => {
            let body = copy.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(copy);
            let tree = crate::codec::json::Parser::new(body, engine.limits.max_json_depth)
                .parse_document();
            if let Ok(v) = tree {
                annotate::json(engine, findings, "", body, &v);
            } else {
                annotate::lines(engine, findings, copy);
            }
        }
        Kind::Text | Kind::Http => annotate::lines(engine, findings, copy),
        Kind::Mitm => annotate::mitm(engine, findings, copy),
        _ => {}
    }
}

/// The error for a copy in which a decoded view still shows a secret of the first
/// pass (never the secret itself).
pub fn survivor_error(s: &crate::detect::views::Survivor) -> String {
    if s.unsearched {
        return format!(
            "verification failed: the redacted copy decodes into more views than can be \
             searched (near byte {}), so it cannot be shown to be clean",
            s.at
        );
    }
    format!(
        "verification failed: a credential found in the input ({}) is still readable in the \
         redacted copy ({} view, near byte {})",
        s.kind, s.view, s.at
    )
}
