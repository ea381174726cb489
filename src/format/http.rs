//! Raw HTTP/1.x messages: Fiddler `.saz` members (`raw/N_c.txt`, `raw/N_s.txt`) and
//! request/response dumps pasted into `.txt` / `.http` files.
//!
//! A message is a start line (the request target is scrubbed as a URL), header lines
//! (each judged by its name, line endings kept exactly) and a body judged by its
//! `Content-Type`. Bodies are first undone the way they were sent
//! (`Transfer-Encoding: chunked`, `Content-Encoding: gzip` / `deflate` / `br` / `zstd`,
//! see [`crate::codec::coding`]), scrubbed, and only when something changed written back the
//! same way (one chunk, recompressed), with `Content-Length` corrected. Bodies that
//! cannot be inspected (unknown codings, corrupt or truncated compressed streams,
//! malformed chunking) fail the document: no copy is written. A body that is text
//! where its `Content-Encoding` promised a compressed stream (a tool printed it decoded)
//! is read as that text.
//! Images, fonts, audio and video are kept byte for byte, unless a token rule matches
//! in them, which also fails the document.
//!
//! Several messages may follow each other (request then response); a message ends
//! where its `Content-Length` or chunked body says (a length may end it where the next
//! start line begins, without a line ending between), or, without either, at the next
//! line that is a start line. Text before the first message, or between messages (a
//! separator line, log lines), is read as text, and the next start line starts a
//! message of its own. A text document that prints a message after its first line
//! ([`has_embedded_message`]) is read this way first, then as text.

use std::ops::Range;
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Result};
use regex::bytes::Regex;

use crate::detect::text::Mode;
use crate::detect::{apply_edits, walk, Discovered, Edit, Known, Scrubber};
use crate::engine::Engine;
use crate::finding::Finding;
use crate::session::Session;

use crate::codec::coding::{self, inflate, inflate_cap};

fn request_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^[A-Z][A-Z_-]{1,19} +([^ \t\r\n]+) +HTTP/[0-9](?:\.[0-9])?[ \t]*\r?$").unwrap()
    })
}

fn response_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^HTTP/[0-9](?:\.[0-9])? +[0-9]{3}(?:[ \t]([^\r\n]*))?\r?$").unwrap()
    })
}

/// What a start line is; the range (relative to the line) is the request target or
/// the reason phrase.
enum Start {
    Request(Range<usize>),
    Response(Range<usize>),
}

/// Parse `line` (without its `\n`) as a start line.
fn start_line(line: &[u8]) -> Option<Start> {
    if line.len() > 16 << 10 {
        return None;
    }
    if line.starts_with(b"HTTP/") {
        let c = response_re().captures(line)?;
        let r = c
            .get(1)
            .map_or(line.len()..line.len(), |m| m.start()..m.end());
        return Some(Start::Response(r));
    }
    let c = request_re().captures(line)?;
    let t = c.get(1)?;
    Some(Start::Request(t.start()..t.end()))
}

/// The line starting at `pos`: (end without the line ending, start of the next line).
fn line_at(data: &[u8], pos: usize) -> (usize, usize) {
    match memchr::memchr(b'\n', &data[pos..]) {
        Some(i) => {
            let nl = pos + i;
            let end = if nl > pos && data[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            (end, nl + 1)
        }
        None => (data.len(), data.len()),
    }
}

/// Does the document start with an HTTP request line or status line?
pub fn looks_like_http(prefix: &[u8]) -> bool {
    let p = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let end = memchr::memchr(b'\n', p).unwrap_or(p.len());
    start_line(&p[..end]).is_some()
}

/// One header line (or a header folded over several lines).
struct Header {
    name: Range<usize>,
    value: Range<usize>,
}

fn header_is(data: &[u8], h: &Header, name: &str) -> bool {
    data[h.name.clone()].eq_ignore_ascii_case(name.as_bytes())
}

/// Parse header lines from `pos` to the empty line that ends them (or the end of the
/// data). Returns the headers, lines without a colon, and where the section ends
/// (after the empty line).
fn parse_headers(data: &[u8], mut pos: usize) -> (Vec<Header>, Vec<Range<usize>>, usize) {
    let mut headers: Vec<Header> = Vec::new();
    let mut junk = Vec::new();
    while pos < data.len() {
        let (end, next) = line_at(data, pos);
        if end == pos {
            return (headers, junk, next);
        }
        let line = &data[pos..end];
        if matches!(line[0], b' ' | b'\t') {
            // Folded continuation of the previous header.
            match headers.last_mut() {
                Some(h) => h.value.end = end,
                None => junk.push(pos..end),
            }
            pos = next;
            continue;
        }
        // HTTP/2 pseudo-headers (`:path: /x`) keep their leading colon in the name.
        let from = usize::from(line[0] == b':');
        match memchr::memchr(b':', &line[from..]) {
            Some(c) if c > 0 => {
                let colon = pos + from + c;
                let mut ne = colon;
                while ne > pos && matches!(data[ne - 1], b' ' | b'\t') {
                    ne -= 1;
                }
                let mut vs = colon + 1;
                while vs < end && matches!(data[vs], b' ' | b'\t') {
                    vs += 1;
                }
                let mut ve = end;
                while ve > vs && matches!(data[ve - 1], b' ' | b'\t') {
                    ve -= 1;
                }
                headers.push(Header {
                    name: pos..ne,
                    value: vs..ve,
                });
            }
            _ => junk.push(pos..end),
        }
        pos = next;
    }
    (headers, junk, data.len())
}

/// Scrub a document of one or more raw HTTP messages.
pub fn scrub(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    data: &[u8],
    known: &Known,
) -> Result<(Vec<u8>, Vec<Finding>, Discovered)> {
    let mut s = Scrubber::new(engine, session, provenance, known);
    let mut starts = vec![0usize];
    starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
    s.lines = Some(starts);
    let mut edits: Vec<Edit> = Vec::new();
    let mut splices: Vec<(Range<usize>, Vec<u8>)> = Vec::new();

    let bom = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    // Text before the first message (a log line saying what follows) is text.
    let mut pos = next_start_line(data, bom).unwrap_or(data.len());
    if pos > bom {
        s.text(&data[bom..pos], bom, Mode::Plain, &mut edits);
    }
    while pos < data.len() {
        let end = message(&mut s, data, pos, &mut edits, &mut splices)?;
        // Blank lines may separate messages; anything else (a separator line, log
        // lines) is text, up to the next message, which is read as a message of its
        // own (its chunked body de-chunked), or to the end.
        let mut p = end;
        while p < data.len() && data[p].is_ascii_whitespace() {
            p += 1;
        }
        if p >= data.len() {
            break;
        }
        let (le, nl) = line_at(data, p);
        if start_line(&data[p..le]).is_some() {
            pos = p;
            continue;
        }
        let next = if nl < data.len() {
            next_start_line(data, nl)
        } else {
            None
        };
        let text_end = next.unwrap_or(data.len());
        s.text(&data[end..text_end], end, Mode::Plain, &mut edits);
        pos = text_end;
    }
    let out = assemble(data, edits, splices);
    Ok((out, s.findings, s.discovered))
}

/// Copy `data` with `edits` (placeholders in header lines) applied and the `splices`
/// (whole rewritten bodies, which no edit overlaps) put in place.
fn assemble(data: &[u8], edits: Vec<Edit>, mut splices: Vec<(Range<usize>, Vec<u8>)>) -> Vec<u8> {
    splices.sort_by_key(|(r, _)| r.start);
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 0;
    for (r, bytes) in &splices {
        segment(data, pos, r.start, &edits, &mut out);
        out.extend_from_slice(bytes);
        pos = r.end;
    }
    segment(data, pos, data.len(), &edits, &mut out);
    out
}

/// `data[from..to]` with the edits that fall inside it applied.
fn segment(data: &[u8], from: usize, to: usize, edits: &[Edit], out: &mut Vec<u8>) {
    let mut local: Vec<Edit> = edits
        .iter()
        .filter(|e| e.start < to && e.end > from)
        .map(|e| Edit {
            start: e.start.max(from) - from,
            end: e.end.min(to) - from,
            text: e.text.clone(),
            claim: e.claim.max(from) - from,
        })
        .collect();
    apply_edits(&data[from..to], &mut local, out);
}

/// `line:column` of a byte offset, for findings inside a decoded body.
fn line_col(s: &Scrubber, at: usize) -> String {
    match &s.lines {
        Some(starts) => {
            let l = starts.partition_point(|&x| x <= at).max(1);
            format!("{}:{}", l, at - starts[l - 1] + 1)
        }
        None => s.loc.clone(),
    }
}

/// Scrub one message starting at `pos`; returns where it ends.
fn message(
    s: &mut Scrubber,
    data: &[u8],
    pos: usize,
    edits: &mut Vec<Edit>,
    splices: &mut Vec<(Range<usize>, Vec<u8>)>,
) -> Result<usize> {
    let (le, next) = line_at(data, pos);
    let Some(start) = start_line(&data[pos..le]) else {
        bail!("not an HTTP message: the first line is neither a request line nor a status line");
    };
    match start {
        Start::Request(t) => {
            let t = pos + t.start..pos + t.end;
            s.url(&data[t.clone()], t.start, edits);
        }
        Start::Response(r) => {
            let r = pos + r.start..pos + r.end;
            s.rules_only(&data[r.clone()], r.start, edits);
        }
    }
    let (headers, junk, body_start) = parse_headers(data, next);
    for h in &headers {
        s.header(
            &data[h.name.clone()],
            &data[h.value.clone()],
            h.value.start,
            edits,
        );
    }
    for j in &junk {
        s.text(&data[j.clone()], j.start, Mode::Plain, edits);
    }

    let first = |name: &str| headers.iter().find(|h| header_is(data, h, name));
    let mime = first("content-type").map_or(&b""[..], |h| &data[h.value.clone()]);
    let encoding: Vec<u8> = headers
        .iter()
        .filter(|h| header_is(data, h, "content-encoding"))
        .flat_map(|h| {
            let mut v = data[h.value.clone()].to_vec();
            v.push(b',');
            v
        })
        .collect();
    let chunked = headers.iter().any(|h| {
        header_is(data, h, "transfer-encoding")
            && data[h.value.clone()]
                .to_ascii_lowercase()
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii() == b"chunked")
    });
    let length = first("content-length");
    let declared: Option<usize> = length.and_then(|h| {
        std::str::from_utf8(&data[h.value.clone()])
            .ok()?
            .trim()
            .parse()
            .ok()
    });
    if body_start >= data.len() {
        return Ok(data.len());
    }

    let label = line_col(s, body_start);
    if chunked {
        let c = dechunk(data, body_start).map_err(|e| anyhow!("body at {}: {}", label, e))?;
        // Trailer fields are headers too.
        let (trailers, tjunk, _) = parse_headers(data, c.trailers);
        for h in &trailers {
            s.header(
                &data[h.name.clone()],
                &data[h.value.clone()],
                h.value.start,
                edits,
            );
        }
        for j in &tjunk {
            s.text(&data[j.clone()], j.start, Mode::Plain, edits);
        }
        if let Some(new) = scrub_body(s, &c.body, mime, &encoding, None, &label)? {
            let eol: &[u8] = if c.crlf { b"\r\n" } else { b"\n" };
            let mut b = format!("{:x}", new.len()).into_bytes();
            b.extend_from_slice(eol);
            b.extend_from_slice(&new);
            b.extend_from_slice(eol);
            b.push(b'0');
            b.extend_from_slice(eol);
            splices.push((body_start..c.trailers, b));
        }
        return Ok(c.end);
    }

    // Without a usable Content-Length the body runs to the next message, if any. A
    // length that ends the body inside a line is stale (the body was edited by hand
    // or by a tool that left the header): the body is read as if it had none, so no
    // value is cut in two and read without its name.
    // A length that ends the body where the next message's start line begins (a dump
    // that put no line ending between them) is right too.
    let declared_end = declared
        .map(|n| body_start.saturating_add(n).min(data.len()))
        .filter(|&e| {
            e == data.len()
                || matches!(data[e], b'\r' | b'\n')
                || data[e - 1] == b'\n'
                || start_line(&data[e..line_at(data, e).0]).is_some()
        });
    let body_end = match declared_end {
        Some(e) => e,
        None => next_start_line(data, body_start).unwrap_or(data.len()),
    };
    let raw = &data[body_start..body_end];
    if let Some(new) = scrub_body(s, raw, mime, &encoding, Some(body_start), &label)? {
        if let (Some(h), Some(n)) = (length, declared) {
            if n == raw.len() {
                edits.push(Edit {
                    start: h.value.start,
                    end: h.value.end,
                    text: new.len().to_string(),
                    claim: h.value.start,
                });
            }
        }
        splices.push((body_start..body_end, new));
    }
    Ok(body_end)
}

/// Does a text hold an HTTP message after its first line (a log that prints a
/// request or a response): a start line at a line start followed by a header line?
/// Such a text is read as messages and text (see [`scrub`]) before it is read as text,
/// so that a chunked body is de-chunked before it is searched.
pub fn has_embedded_message(data: &[u8]) -> bool {
    if memchr::memmem::find(data, b"HTTP/").is_none() {
        return false;
    }
    let mut from = 0;
    while let Some(p) = next_start_line(data, from) {
        let (_, next) = line_at(data, p);
        if next >= data.len() {
            return false;
        }
        let (le, _) = line_at(data, next);
        let line = &data[next..le];
        let is_header = line.iter().position(|&b| b == b':').is_some_and(|c| {
            c > 0
                && line[..c]
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+.^_`|~-".contains(&b))
        });
        if is_header {
            return true;
        }
        from = next;
    }
    false
}

/// Start of the first line at or after `from` (at a line start) that is an HTTP start
/// line: where a body without a length ends when another message follows.
fn next_start_line(data: &[u8], from: usize) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(b" HTTP/");
    let mut p = from;
    loop {
        // Candidate lines are those holding ` HTTP/` or starting with `HTTP/`.
        let (le, next) = line_at(data, p);
        let line = &data[p..le];
        if (line.starts_with(b"HTTP/") || finder.find(line).is_some()) && start_line(line).is_some()
        {
            return Some(p);
        }
        if next >= data.len() {
            return None;
        }
        p = next;
    }
}

/// A de-chunked body.
struct Chunked {
    body: Vec<u8>,
    /// Start of the trailer section (after the `0` line).
    trailers: usize,
    /// End of the message.
    end: usize,
    /// Line endings of the chunk-size lines.
    crlf: bool,
}

fn dechunk(data: &[u8], mut pos: usize) -> Result<Chunked> {
    let mut body = Vec::new();
    let mut crlf = true;
    let mut firstline = true;
    loop {
        if pos >= data.len() {
            bail!("chunked body ends before its last chunk");
        }
        let (le, next) = line_at(data, pos);
        if firstline {
            crlf = le < data.len() && data.get(le) == Some(&b'\r');
            firstline = false;
        }
        let line = &data[pos..le];
        let size_txt = line
            .split(|&b| b == b';')
            .next()
            .unwrap_or(b"")
            .trim_ascii();
        let size = std::str::from_utf8(size_txt)
            .ok()
            .filter(|t| !t.is_empty() && t.len() <= 15)
            .and_then(|t| usize::from_str_radix(t, 16).ok())
            .ok_or_else(|| anyhow!("malformed chunked body: bad chunk size line"))?;
        if size == 0 {
            let trailers = next;
            let (_, _, end) = parse_headers(data, trailers);
            return Ok(Chunked {
                body,
                trailers,
                end,
                crlf,
            });
        }
        let cs = next;
        let ce = cs
            .checked_add(size)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| anyhow!("malformed chunked body: chunk longer than the data"))?;
        body.extend_from_slice(&data[cs..ce]);
        pos = if data[ce..].starts_with(b"\r\n") {
            ce + 2
        } else if data[ce..].starts_with(b"\n") {
            ce + 1
        } else {
            bail!("malformed chunked body: chunk not followed by a line ending");
        };
    }
}

/// Scrub a body as stored, with `Content-Encoding` value `encoding` (may be empty).
/// Returns the new stored bytes when anything changed. `base`: where `raw` sits in
/// the document when findings can be located in it (no coding to undo); otherwise
/// findings are located at `label`.
pub(crate) fn scrub_body(
    s: &mut Scrubber,
    raw: &[u8],
    mime: &[u8],
    encoding: &[u8],
    base: Option<usize>,
    label: &str,
) -> Result<Option<Vec<u8>>> {
    scrub_stored(s, raw, mime, encoding, base, label)
        .map_err(|e| anyhow!("body at {}: {:#}", label, e))
}

fn scrub_stored(
    s: &mut Scrubber,
    raw: &[u8],
    mime: &[u8],
    encoding: &[u8],
    base: Option<usize>,
    label: &str,
) -> Result<Option<Vec<u8>>> {
    if raw.is_empty() {
        return Ok(None);
    }
    let list = coding::parse(encoding)?;
    if list.is_empty() {
        return scrub_payload(s, raw, mime, base, label);
    }
    let mut layers = Vec::new();
    let mut cur = raw.to_vec();
    let cap = inflate_cap(&s.engine.limits, raw.len());
    for (n, c) in list.iter().rev().enumerate() {
        let (dec, kind) = match inflate(&s.engine.limits, &cur, c, cap) {
            Ok(d) => d,
            // A body the tool that printed it had decoded already (a response copied
            // from Fiddler, Burp or mitmproxy as shown, its header kept): text, not
            // the stream the header names. Read as the text it is.
            Err(_)
                if n == 0
                    && std::str::from_utf8(raw).is_ok()
                    && crate::detect::views::texty(raw) =>
            {
                return scrub_payload(s, raw, mime, base, label);
            }
            Err(e) => return Err(e),
        };
        // Inside an archive, what a body inflates to counts towards the whole
        // input's limit too.
        s.session.charge_tree(&s.engine.limits, dec.len() as u64)?;
        layers.push(kind);
        cur = dec;
    }
    let Some(mut new) = scrub_payload(s, &cur, mime, None, label)? else {
        return Ok(None);
    };
    for kind in layers.iter().rev() {
        new = coding::encode(&new, *kind)?;
    }
    Ok(Some(new))
}

/// Media by MIME type or by magic bytes: kept byte for byte.
fn is_media(mime: &[u8], v: &[u8]) -> bool {
    let m = String::from_utf8_lossy(mime).trim().to_ascii_lowercase();
    let textual = ["svg", "xml", "json", "javascript", "text", "html"];
    if ["image/", "font/", "audio/", "video/"]
        .iter()
        .any(|p| m.starts_with(p))
        && !textual.iter().any(|t| m.contains(t))
    {
        return true;
    }
    if textual.iter().any(|t| m.contains(t)) || m.contains("form") {
        return false;
    }
    crate::codec::is_media(v)
}

/// Scrub decoded body bytes; returns the new bytes when anything changed.
fn scrub_payload(
    s: &mut Scrubber,
    v: &[u8],
    mime: &[u8],
    base: Option<usize>,
    label: &str,
) -> Result<Option<Vec<u8>>> {
    let mut edits = Vec::new();
    let saved = match base {
        Some(_) => None,
        None => Some((
            s.lines.take(),
            std::mem::replace(&mut s.loc, label.to_string()),
        )),
    };
    let b = base.unwrap_or(0);
    let media = is_media(mime, v);
    if media {
        s.rules_only(v, b, &mut edits);
    } else {
        walk::body(s, v, mime, b, &mut edits);
    }
    if let Some((lines, loc)) = saved {
        s.lines = lines;
        s.loc = loc;
    }
    if edits.is_empty() {
        return Ok(None);
    }
    if media {
        bail!(
            "{} body holds {} credential(s) that cannot be redacted without corrupting it: no copy written",
            if mime.is_empty() {
                "binary".to_string()
            } else {
                String::from_utf8_lossy(mime).into_owned()
            },
            edits.len()
        );
    }
    for e in edits.iter_mut() {
        e.start -= b;
        e.end -= b;
        e.claim = e.claim.saturating_sub(b);
    }
    let mut out = Vec::with_capacity(v.len());
    apply_edits(v, &mut edits, &mut out);
    if out == v {
        return Ok(None);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines() {
        assert!(looks_like_http(
            b"GET https://h/p?x=1 HTTP/1.1\r\nHost: h\r\n"
        ));
        assert!(looks_like_http(b"POST /x HTTP/2\n"));
        assert!(looks_like_http(b"HTTP/1.1 200 OK\r\n"));
        assert!(looks_like_http(b"HTTP/2 204\n"));
        assert!(!looks_like_http(b"GET is a verb HTTP/1.1 \r\n"));
        assert!(!looks_like_http(b"get / HTTP/1.1\r\n"));
        assert!(!looks_like_http(b"HTTP/1.1 is a protocol\n"));
        assert!(!looks_like_http(b"{\"a\":1}"));
    }

    #[test]
    fn dechunks() {
        let d = b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\nrest";
        let c = dechunk(d, 0).unwrap();
        assert_eq!(c.body, b"hello world");
        assert_eq!(&d[c.end..], b"rest");
        assert!(c.crlf);
        assert!(dechunk(b"5\r\nhel", 0).is_err());
        assert!(dechunk(b"zz\r\nhello\r\n0\r\n\r\n", 0).is_err());
    }

    #[test]
    fn codings_fail_closed() {
        assert!(coding::parse(b"gzip").is_ok());
        assert!(coding::parse(b"identity, deflate").is_ok());
        assert!(coding::parse(b"br, zstd").is_ok());
        assert!(coding::parse(b"compress").is_err());
    }
}
