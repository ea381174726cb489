//! Decoded views of a copy: a verification that does not share the detector's blind
//! spots.
//!
//! The detector finds secrets by their context and redacts them; scanning the copy again
//! with the same detector only confirms what it already knows. This module is built the
//! other way round. It knows nothing about HAR, headers or names: it takes the bytes of a
//! copy and decodes them in every way a reader could — JSON and JavaScript string escapes,
//! percent-encoding (once or twice, `+` for space), HTML entities, base64 and base64url
//! runs (padded or not, line-wrapped, at every alignment), gzip, zlib and raw deflate
//! inside those (which also covers `data:` URLs and JWT segments) — recursively, and
//! searches every view for every secret the first pass found. A secret that survives in
//! any recoverable form fails the copy instead of passing silently.
//!
//! The views are bounded: a few levels deep, and a byte budget per call relative to the
//! input, so a crafted input cannot make verification explode.

use std::io::Read;

use super::Known;

/// A secret found in a view of the copy. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survivor {
    /// The kind the secret was discovered under.
    pub kind: String,
    /// The chain of decodings that revealed it (`raw`, `escapes>base64`, …).
    pub view: String,
    /// Byte offset in the copy where it was found (for the raw view), or where the
    /// region searched started.
    pub at: u64,
}

/// How many decodings deep a view may go (`json>percent>base64>gzip` is 4).
const MAX_DEPTH: usize = 5;
/// Base64 runs shorter than this are not decoded (too short to hide a credential that
/// the raw view would not show, and too common in ordinary text).
const MIN_B64_RUN: usize = 12;
/// Largest run decoded at every alignment (longer runs: only from their start).
const ALIGN_ALL_MAX: usize = 64 << 10;
/// Largest inflated size of one compressed stream inside a view.
const MAX_INFLATE: u64 = 64 << 20;

struct Search<'k> {
    known: &'k Known,
    /// Bytes of views still allowed to be built.
    budget: usize,
    path: Vec<&'static str>,
    found: Option<Survivor>,
}

/// Search every decoded view of `data` for every secret in `known`; the first one found.
pub fn find_survivor(data: &[u8], known: &Known) -> Option<Survivor> {
    if known.is_empty() || data.is_empty() {
        return None;
    }
    let mut s = Search {
        known,
        budget: data.len().saturating_mul(24).max(16 << 20),
        path: Vec::new(),
        found: None,
    };
    s.visit(data, 0);
    s.found
}

/// Bytes read per chunk by [`find_survivor_in_reader`].
const CHUNK: usize = 4 << 20;
/// Bytes of each chunk read again with the next one, so that nothing shorter than
/// this that straddles a boundary is missed.
const OVERLAP: usize = 256 << 10;

/// [`find_survivor`] over a copy read from `r`, chunk by chunk (memory does not grow
/// with the copy's size). Chunks end at a line break where there is one in their
/// second half, and overlap by 256 KiB.
pub fn find_survivor_in_reader<R: Read>(
    mut r: R,
    known: &Known,
) -> std::io::Result<Option<Survivor>> {
    if known.is_empty() {
        return Ok(None);
    }
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + OVERLAP);
    let mut eof = false;
    let mut offset = 0u64;
    loop {
        while buf.len() < CHUNK && !eof {
            let at = buf.len();
            buf.resize(CHUNK, 0);
            let n = loop {
                match r.read(&mut buf[at..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            buf.truncate(at + n);
            eof = n == 0;
        }
        let end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[CHUNK / 2..]) {
                Some(p) => CHUNK / 2 + p + 1,
                None => buf.len(),
            }
        };
        if let Some(mut s) = find_survivor(&buf[..end], known) {
            s.at += offset;
            return Ok(Some(s));
        }
        if eof {
            return Ok(None);
        }
        let keep = end.saturating_sub(OVERLAP);
        buf.drain(..keep);
        offset += keep as u64;
    }
}

impl Search<'_> {
    /// Search one view, then its decodings.
    fn visit(&mut self, v: &[u8], depth: usize) {
        if self.found.is_some() {
            return;
        }
        if let Some((at, kind)) = self.known.first_at(v) {
            let view = if self.path.is_empty() {
                "raw".to_string()
            } else {
                self.path.join(">")
            };
            self.found = Some(Survivor {
                kind: kind.to_string(),
                view,
                at: if self.path.is_empty() { at as u64 } else { 0 },
            });
            return;
        }
        if depth >= MAX_DEPTH {
            return;
        }
        if let Some(d) = unescape_backslashes(v) {
            self.child("escapes", d, depth);
        }
        if let Some(d) = percent_decode(v, false) {
            self.child("percent", d, depth);
        }
        if memchr::memchr(b'+', v).is_some() && memchr::memchr(b'%', v).is_some() {
            if let Some(d) = percent_decode(v, true) {
                self.child("form", d, depth);
            }
        }
        if let Some(d) = html_unescape(v) {
            self.child("html", d, depth);
        }
        self.base64_runs(v, depth);
    }

    fn child(&mut self, name: &'static str, d: Vec<u8>, depth: usize) {
        if self.found.is_some() || d.len() > self.budget {
            return;
        }
        self.budget -= d.len();
        self.path.push(name);
        self.visit(&d, depth + 1);
        self.path.pop();
    }

    /// Every run of base64 or base64url characters (line breaks inside allowed),
    /// decoded at its start and, for runs of moderate size, at the other three
    /// alignments; compressed payloads are inflated.
    fn base64_runs(&mut self, v: &[u8], depth: usize) {
        let mut i = 0;
        while i < v.len() && self.found.is_none() {
            if !is_b64(v[i]) {
                i += 1;
                continue;
            }
            let start = i;
            let mut compact = Vec::new();
            while i < v.len() {
                let b = v[i];
                if is_b64(b) {
                    compact.push(b);
                    i += 1;
                } else if matches!(b, b'\r' | b'\n')
                    && v.get(i + 1..).is_some_and(|r| {
                        r.iter()
                            .position(|c| !matches!(c, b'\r' | b'\n'))
                            .is_some_and(|p| is_b64(r[p]))
                    })
                {
                    i += 1;
                } else {
                    break;
                }
            }
            // Padding ends a run.
            while i < v.len() && v[i] == b'=' {
                i += 1;
            }
            let _ = start;
            if compact.len() < MIN_B64_RUN {
                continue;
            }
            let aligns = if compact.len() <= ALIGN_ALL_MAX { 4 } else { 1 };
            for a in 0..aligns {
                let Some(d) = b64_decode_lenient(&compact[a..]) else {
                    continue;
                };
                self.decoded_blob(d, depth);
                if self.found.is_some() {
                    return;
                }
            }
        }
    }

    /// A decoded base64 payload: searched as it is; inflated when compressed; its own
    /// views only when it reads as text (decoded binary is searched, not re-decoded).
    fn decoded_blob(&mut self, d: Vec<u8>, depth: usize) {
        if let Some(inflated) = inflate_any(&d) {
            self.child("inflate", inflated, depth + 1);
        }
        if self.found.is_some() || d.len() > self.budget {
            return;
        }
        self.budget -= d.len();
        self.path.push("base64");
        if texty(&d) {
            self.visit(&d, depth + 1);
        } else if let Some(kind) = self.known.first_in(&d) {
            self.found = Some(Survivor {
                kind: kind.to_string(),
                view: self.path.join(">"),
                at: 0,
            });
        }
        self.path.pop();
    }
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Mostly printable text (UTF-8 or ASCII): worth decoding further.
pub(crate) fn texty(d: &[u8]) -> bool {
    if d.is_empty() {
        return false;
    }
    let sample = &d[..d.len().min(4096)];
    let printable = sample
        .iter()
        .filter(|&&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    printable * 100 >= sample.len() * 90
}

/// Decode base64 in either alphabet, with or without padding; a trailing partial
/// quantum is dropped. None when nothing decodes.
pub(crate) fn b64_decode_lenient(s: &[u8]) -> Option<Vec<u8>> {
    let val = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => (b - b'A') as u32,
            b'a'..=b'z' => (b - b'a' + 26) as u32,
            b'0'..=b'9' => (b - b'0' + 52) as u32,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 3);
    let mut acc = 0u32;
    let mut n = 0;
    for &b in s {
        let Some(x) = val(b) else { continue };
        acc = (acc << 6) | x;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
    (!out.is_empty()).then_some(out)
}

/// Gzip, zlib, zstd or raw deflate, bounded; None unless it inflates to something.
pub(crate) fn inflate_any(d: &[u8]) -> Option<Vec<u8>> {
    let read = |r: &mut dyn Read| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        match r.take(MAX_INFLATE).read_to_end(&mut out) {
            Ok(_) if !out.is_empty() => Some(out),
            // A truncated stream still shows what it inflated so far.
            Err(_) if !out.is_empty() => Some(out),
            _ => None,
        }
    };
    if d.len() < 8 {
        return None;
    }
    if d.starts_with(&[0x1f, 0x8b]) {
        return read(&mut flate2::read::MultiGzDecoder::new(d));
    }
    if crate::format::coding::is_zstd(d) {
        #[cfg(feature = "zstd")]
        {
            let mut z = zstd::stream::read::Decoder::with_buffer(d).ok()?;
            return read(&mut z);
        }
        #[cfg(not(feature = "zstd"))]
        return None;
    }
    if d[0] & 0x0f == 8 && (u16::from(d[0]) << 8 | u16::from(d[1])) % 31 == 0 {
        if let Some(o) = read(&mut flate2::read::ZlibDecoder::new(d)) {
            return Some(o);
        }
    }
    // Raw deflate has no magic: only binary that starts with a valid block type is
    // tried, and only when its first bytes inflate to text is it inflated whole.
    // (Compressed bytes are mostly printable too; text is also valid UTF-8.)
    if (texty(d) && std::str::from_utf8(d).is_ok()) || d.len() < 16 || d[0] & 0b110 == 0b110 {
        return None;
    }
    let mut head = Vec::new();
    let ok = flate2::read::DeflateDecoder::new(d)
        .take(256)
        .read_to_end(&mut head)
        .is_ok();
    if !ok || head.is_empty() || !texty(&head) {
        return None;
    }
    read(&mut flate2::read::DeflateDecoder::new(d)).filter(|o| texty(o))
}

/// JSON and JavaScript escapes (`\"`, `\/`, `\n`, `\xNN`, `\uNNNN`, `\u{…}`, `\\`); None
/// when there are none.
pub(crate) fn unescape_backslashes(v: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'\\', v)?;
    let hex = |s: &[u8]| -> Option<u32> {
        if s.is_empty() || !s.iter().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let Some(p) = memchr::memchr(b'\\', &v[i..]) else {
            out.extend_from_slice(&v[i..]);
            break;
        };
        out.extend_from_slice(&v[i..i + p]);
        i += p;
        let Some(&e) = v.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        let push_char = |c: u32, out: &mut Vec<u8>| {
            let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        };
        match e {
            b'x' => match v.get(i + 2..i + 4).and_then(hex) {
                Some(c) => {
                    out.push(c as u8);
                    i += 4;
                }
                None => {
                    out.push(b'x');
                    i += 2;
                }
            },
            b'u' if v.get(i + 2) == Some(&b'{') => {
                let close = v[i + 2..].iter().position(|&b| b == b'}');
                match close.and_then(|c| hex(&v[i + 3..i + 2 + c]).map(|h| (c, h))) {
                    Some((c, h)) => {
                        push_char(h, &mut out);
                        i += 3 + c;
                    }
                    None => {
                        out.push(b'u');
                        i += 2;
                    }
                }
            }
            b'u' => match v.get(i + 2..i + 6).and_then(hex) {
                Some(hi) => {
                    let lo = (0xD800..0xDC00)
                        .contains(&hi)
                        .then(|| {
                            (v.get(i + 6..i + 8) == Some(b"\\u"))
                                .then(|| v.get(i + 8..i + 12).and_then(hex))
                                .flatten()
                        })
                        .flatten()
                        .filter(|lo| (0xDC00..0xE000).contains(lo));
                    match lo {
                        Some(lo) => {
                            push_char(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), &mut out);
                            i += 12;
                        }
                        None => {
                            push_char(hi, &mut out);
                            i += 6;
                        }
                    }
                }
                None => {
                    out.push(b'u');
                    i += 2;
                }
            },
            b'n' => {
                out.push(b'\n');
                i += 2;
            }
            b'r' => {
                out.push(b'\r');
                i += 2;
            }
            b't' => {
                out.push(b'\t');
                i += 2;
            }
            b'b' => {
                out.push(8);
                i += 2;
            }
            b'f' => {
                out.push(12);
                i += 2;
            }
            other => {
                out.push(other);
                i += 2;
            }
        }
    }
    (out != v).then_some(out)
}

/// Percent-decoding (`+` as space in forms); None when nothing changes.
pub(crate) fn percent_decode(v: &[u8], plus: bool) -> Option<Vec<u8>> {
    let has_pct = memchr::memchr(b'%', v).is_some();
    if !(has_pct || plus && memchr::memchr(b'+', v).is_some()) {
        return None;
    }
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    let mut changed = false;
    while i < v.len() {
        let b = v[i];
        if b == b'%' && i + 2 < v.len() {
            if let (Some(h), Some(l)) = (hex(v[i + 1]), hex(v[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                changed = true;
                continue;
            }
        }
        if plus && b == b'+' {
            out.push(b' ');
            changed = true;
        } else {
            out.push(b);
        }
        i += 1;
    }
    changed.then_some(out)
}

/// HTML character references: numeric (`&#61;`, `&#x3D;`, with or without `;`) and the
/// named ones that matter for credentials; None when nothing changes.
pub(crate) fn html_unescape(v: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr(b'&', v)?;
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    let mut changed = false;
    while i < v.len() {
        if v[i] != b'&' {
            out.push(v[i]);
            i += 1;
            continue;
        }
        if let Some((c, used)) = html_entity(&v[i..]) {
            let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            i += used;
            changed = true;
        } else {
            out.push(b'&');
            i += 1;
        }
    }
    changed.then_some(out)
}

/// The character reference at the start of `s` (which starts with `&`): the code point
/// and the bytes it takes.
pub(crate) fn html_entity(s: &[u8]) -> Option<(u32, usize)> {
    if s.get(1) == Some(&b'#') {
        let (radix, from) = match s.get(2) {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let digits = s[from..]
            .iter()
            .take(8)
            .take_while(|b| {
                if radix == 16 {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let c =
            u32::from_str_radix(std::str::from_utf8(&s[from..from + digits]).ok()?, radix).ok()?;
        let mut used = from + digits;
        if s.get(used) == Some(&b';') {
            used += 1;
        }
        return Some((c, used));
    }
    const NAMED: &[(&[u8], u32)] = &[
        (b"&quot;", '"' as u32),
        (b"&amp;", '&' as u32),
        (b"&lt;", '<' as u32),
        (b"&gt;", '>' as u32),
        (b"&apos;", '\'' as u32),
        (b"&sol;", '/' as u32),
        (b"&equals;", '=' as u32),
        (b"&plus;", '+' as u32),
        (b"&colon;", ':' as u32),
        (b"&period;", '.' as u32),
        (b"&lowbar;", '_' as u32),
        (b"&hyphen;", '-' as u32),
        (b"&percnt;", '%' as u32),
        (b"&num;", '#' as u32),
        (b"&quest;", '?' as u32),
        (b"&nbsp;", 0xA0),
    ];
    NAMED
        .iter()
        .find(|(n, _)| s.len() >= n.len() && s[..n.len()].eq_ignore_ascii_case(n))
        .map(|(n, c)| (*c, n.len()))
}

/// A string left in a copy that still looks like a credential: credential-shaped and
/// right after a credential word. Listed for a person to review ("kept, please
/// review"), never with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// Byte offset of the value in the searched bytes.
    pub at: usize,
    /// Length of the value.
    pub length: usize,
    /// The credential word before it (`token`, `password`, …), lowercase.
    pub word: String,
}

/// At most this many suspects are listed per document.
pub const MAX_SUSPECTS: usize = 200;

/// Strings in `v` that look like credentials the redaction kept: a value of 16 or more
/// token characters mixing letters and digits, within a few separators after a name
/// containing a credential word (`"resetToken": "…"`, `api_key=…`, `X-Session: …`).
/// Placeholders, and hex digests after `hash`/`etag`-like names, are not suspects.
pub fn suspects(v: &[u8]) -> Vec<Suspect> {
    use std::sync::OnceLock;
    static WORDS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    const W: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "session",
        "bearer",
        "credential",
        "privatekey",
        "private_key",
        "signature",
        "cookie",
        "auth",
    ];
    let ac = WORDS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(W)
            .expect("static word list")
    });
    let tok = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.' | b'~')
    };
    let mut found = Vec::new();
    let mut next = 0;
    for m in ac.find_iter(v) {
        if m.start() < next {
            continue;
        }
        // Rest of the name, then separators.
        let mut i = m.end();
        while i < v.len()
            && i - m.end() < 24
            && (v[i].is_ascii_alphanumeric() || v[i] == b'_' || v[i] == b'-')
        {
            i += 1;
        }
        let sep_start = i;
        while i < v.len()
            && i - sep_start < 6
            && matches!(v[i], b'"' | b'\'' | b':' | b'=' | b' ' | b'\\' | b'>')
        {
            i += 1;
        }
        if i == sep_start
            || !v[sep_start..i]
                .iter()
                .any(|b| matches!(b, b':' | b'=' | b'>'))
        {
            continue;
        }
        // Skip a scheme word (`Bearer `, `Basic `).
        let vs = i;
        let mut e = vs;
        while e < v.len() && tok(v[e]) {
            e += 1;
        }
        let val = &v[vs..e];
        if val.len() < 16
            || crate::redact::only_placeholders(val)
            || (vs > 0 && v[vs - 1] == b'[')
            || !super::looks_like_token(val)
        {
            continue;
        }
        // A digest after a name such as `tokenHash` is not a credential.
        let name = &v[m.start()..sep_start];
        let lname = name.to_ascii_lowercase();
        if [&b"hash"[..], b"type", b"url", b"uri", b"name", b"id"]
            .iter()
            .any(|w| lname.ends_with(w))
        {
            continue;
        }
        found.push(Suspect {
            at: vs,
            length: val.len(),
            word: String::from_utf8_lossy(&v[m.start()..m.end()]).to_ascii_lowercase(),
        });
        next = e;
        if found.len() >= MAX_SUSPECTS {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use std::collections::HashMap;
    use std::io::Write;

    fn known(s: &str) -> Known {
        let mut m = HashMap::new();
        m.insert(s.as_bytes().to_vec(), "token".to_string());
        Known::new(&m)
    }

    #[test]
    fn finds_secrets_in_every_encoding() {
        let secret = "Zq8/Lw+t3Rk=9mXp2Vb7";
        let k = known(secret);
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("x={secret}&y=1"));
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"t\":\"{secret}\"}}"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(format!("token={secret}").as_bytes()).unwrap();
        let gzb64 = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        let pct: String = secret
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let cases = [
            secret.to_string(),
            secret.replace('/', "\\/"),
            secret.replace('=', "\\u003d"),
            secret.replace('=', "\\x3D"),
            pct.clone(),
            pct.replace('%', "%25"),
            pct.replace("%2F", "%2f")
                .replace("%2B", "%2b")
                .replace("%3D", "%3d"),
            secret.replace('=', "&#x3D;").replace('+', "&#43;"),
            format!("data:text/plain;base64,{b64}"),
            b64url.clone(),
            // Line-wrapped.
            format!("{}\n{}", &b64[..8], &b64[8..]),
            gzb64,
            // Embedded at another alignment.
            format!("AB{b64}"),
        ];
        for c in cases {
            let doc = format!("{{\"a\": \"{c}\"}}");
            assert!(find_survivor(doc.as_bytes(), &k).is_some(), "{c}");
        }
        let clean = "{\"a\": \"[REDACTED:token:1234abcd]\", \"b\": \"aGVsbG8gd29ybGQgaGVsbG8=\"}";
        assert_eq!(find_survivor(clean.as_bytes(), &k), None);
    }

    #[test]
    fn suspects_are_credential_shaped_values_after_credential_words() {
        let v = br#"{"resetToken": "a8Fk29sLq0Zx83Jd9QwE", "token": "[REDACTED:token:12ab34cd]", "tokenHash": "9f86d081884c7d659a2feaa0", "note": "a8Fk29sLq0Zx83Jd9QwE", "Password: too short (minimum is 12 characters)", "api_key=ZXk0N2Fz9LmQ2w8PqR"}"#;
        let s = suspects(v);
        let words: Vec<&str> = s.iter().map(|x| x.word.as_str()).collect();
        assert_eq!(words, ["token", "api_key"]);
        assert_eq!(&v[s[0].at..s[0].at + s[0].length], b"a8Fk29sLq0Zx83Jd9QwE");
    }

    #[test]
    fn decoders() {
        assert_eq!(
            unescape_backslashes(br#"a\/b\u003d\x3D\"\u{41}"#).unwrap(),
            b"a/b==\"A"
        );
        assert_eq!(percent_decode(b"a%2Bb+c", true).unwrap(), b"a+b c");
        assert_eq!(percent_decode(b"abc", false), None);
        assert_eq!(html_unescape(b"a&#x3D;&#61&quot;&amp;").unwrap(), b"a==\"&");
        assert_eq!(b64_decode_lenient(b"aGVsbG8").unwrap(), b"hello");
        assert_eq!(b64_decode_lenient(b"-_-_").unwrap(), vec![0xfb, 0xff, 0xbf]);
    }
}
