//! The checker: every way a reader could decode a copy, written from scratch here and
//! sharing no code with `src/` (so it does not share the detector's blind spots).
//!
//! `views(bytes)` starts from the raw bytes and applies, recursively (up to [`DEPTH`]
//! levels, each new distinct result becoming a view; see [`views`] for how lines are
//! decoded on their own):
//! * archive members (zip, tar) and gzip streams;
//! * backslash unescaping over the whole text, JSON and JS alike (`\"`, `\\`, `\/`,
//!   `\n`…, `\uXXXX` with surrogate pairs, `\u{…}`, `\xHH`, `\'`);
//! * percent-decoding, once per level (so twice over two levels), with and without `+`
//!   as space;
//! * HTML entities (`&quot;`, `&amp;`, `&lt;`, `&gt;`, `&apos;`, `&#NN;`, `&#xHH;`);
//! * every run of base64 / base64url characters of 16+ characters (line wraps at 40+
//!   columns joined, padding optional), decoded from its start at each of the 4
//!   alignments; decoded runs that are gzip, zlib or raw deflate streams are inflated.
//!   `data:` URLs and JWT segments are such runs (the `,` and `.` end a run), so they are
//!   decoded on the way. Decoded runs that are mostly text are decoded further; binary
//!   ones are searched, and their runs of 8+ printable characters decoded further;
//! * hex: runs of 32+ hex digits (wrapped lines joined) and the words of hex dump lines,
//!   all of a text's dump lines joined; gzip and zlib streams inflated.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::Read;

pub const DEPTH: usize = 4;
const MAX_INFLATE: u64 = 8 << 20;

fn h(v: &[u8]) -> u64 {
    let mut s = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut s);
    s.finish()
}

/// All the views of `bytes` (the raw bytes first).
///
/// Each document (the bytes, and every archive member, recursively) is a view, plus
/// one level of every decoding over the whole document (for what spans lines); then
/// each line is decoded recursively on its own. Lines keep the branching small: a
/// pretty-printed HAR has one JSON string per line, and a transform that changes
/// nothing on a line adds no view, whereas over a whole file holding twenty encodings
/// every transform changes something and the views multiply level after level.
pub fn views(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for doc in documents(bytes) {
        for (t, _) in decode_once(&doc, true) {
            if t != doc {
                out.push(t);
            }
        }
        for line in doc.split(|&b| b == b'\n') {
            if line.len() >= 8 {
                out.extend(deep(line).into_iter().skip(1));
            }
        }
        out.insert(0, doc);
    }
    out
}

/// The bytes and every archive member, recursively.
fn documents(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![bytes.to_vec()];
    for m in containers(bytes) {
        out.extend(documents(&m));
    }
    out
}

/// One level of every decoding: (result, decode it further?).
/// `whole`: over a whole document, where only base64 wrapped over lines is decoded
/// (the lines' own runs are decoded line by line).
fn decode_once(v: &[u8], whole: bool) -> Vec<(Vec<u8>, bool)> {
    let mut produced: Vec<(Vec<u8>, bool)> = Vec::new();
    for m in containers(v) {
        produced.push((m, true));
    }
    produced.push((unbackslash(v), true));
    produced.push((unpercent(v, false), true));
    if v.contains(&b'+') {
        produced.push((unpercent(v, true), true));
    }
    produced.push((unentity(v), true));
    if has_qp(v) {
        produced.push((unqp(v), true));
    }
    produced.extend(hex_views(v, whole));
    let (texty, binary) = base64_runs(v, whole);
    for t in texty {
        produced.push((t, true));
    }
    if !binary.is_empty() {
        produced.push((binary, false));
    }
    produced
}

/// `v` and its decodings, recursively up to [`DEPTH`] levels.
pub fn deep(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![bytes.to_vec()];
    let mut seen: HashSet<u64> = HashSet::new();
    seen.insert(h(bytes));
    let mut frontier = vec![bytes.to_vec()];
    for _ in 0..DEPTH {
        let mut next = Vec::new();
        for v in &frontier {
            for (nv, recurse) in decode_once(v, false) {
                if nv.is_empty() || nv == *v || !seen.insert(h(&nv)) {
                    continue;
                }
                if recurse {
                    next.push(nv.clone());
                }
                out.push(nv);
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    out
}

/// Members of a zip or tar, the content of a gzip stream.
fn containers(v: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if v.starts_with(b"PK\x03\x04") {
        if let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(v)) {
            for i in 0..z.len() {
                if let Ok(mut f) = z.by_index(i) {
                    let mut b = Vec::new();
                    if f.read_to_end(&mut b).is_ok() {
                        out.push(b);
                    }
                }
            }
        }
    }
    if v.starts_with(&[0x1f, 0x8b]) {
        if let Some(b) = inflate(v, 0) {
            out.push(b);
        }
    }
    if v.len() >= 262 && &v[257..262] == b"ustar" {
        let mut a = tar::Archive::new(v);
        if let Ok(entries) = a.entries() {
            for mut e in entries.flatten() {
                let mut b = Vec::new();
                if e.read_to_end(&mut b).is_ok() {
                    out.push(b);
                }
            }
        }
    }
    out
}

/// 0 gzip, 1 zlib, 2 raw deflate; `None` unless the stream decodes to something.
fn inflate(v: &[u8], kind: u8) -> Option<Vec<u8>> {
    let mut b = Vec::new();
    let ok = match kind {
        0 => flate2::read::MultiGzDecoder::new(v)
            .take(MAX_INFLATE)
            .read_to_end(&mut b)
            .is_ok(),
        1 => flate2::read::ZlibDecoder::new(v)
            .take(MAX_INFLATE)
            .read_to_end(&mut b)
            .is_ok(),
        _ => return inflate_raw(v),
    };
    (ok && !b.is_empty()).then_some(b)
}

thread_local! {
    /// One raw-deflate state per thread, reset for each attempt: raw deflate has no
    /// header, so it is tried on many base64 runs, and a fresh state per try (tens of
    /// kilobytes zeroed) dominated the checker's time in a debug build.
    static RAW: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(false));
}

fn inflate_raw(v: &[u8]) -> Option<Vec<u8>> {
    use flate2::{FlushDecompress, Status};
    RAW.with(|z| {
        let mut z = z.borrow_mut();
        z.reset(false);
        let mut out = Vec::with_capacity(v.len() * 4 + 64);
        loop {
            let (tin, tout) = (z.total_in(), z.total_out());
            let st = z
                .decompress_vec(&v[tin as usize..], &mut out, FlushDecompress::Finish)
                .ok()?;
            match st {
                Status::StreamEnd => return (!out.is_empty()).then_some(out),
                _ if out.len() == out.capacity() && (out.len() as u64) < MAX_INFLATE => {
                    out.reserve(out.len())
                }
                _ if z.total_in() == tin && z.total_out() == tout => return None,
                _ => {}
            }
        }
    })
}

fn hexval(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

fn hex_at(v: &[u8], i: usize, n: usize) -> Option<u32> {
    if i + n > v.len() {
        return None;
    }
    let mut x = 0;
    for &c in &v[i..i + n] {
        x = x * 16 + hexval(c)?;
    }
    Some(x)
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
}

/// JSON and JS backslash escapes, over the whole text.
pub fn unbackslash(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] != b'\\' || i + 1 >= v.len() {
            out.push(v[i]);
            i += 1;
            continue;
        }
        let c = v[i + 1];
        match c {
            b'"' | b'\\' | b'/' | b'\'' | b'`' => {
                out.push(c);
                i += 2;
            }
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
            b'x' => match hex_at(v, i + 2, 2) {
                Some(x) => {
                    push_char(&mut out, x);
                    i += 4;
                }
                None => {
                    out.push(c);
                    i += 2;
                }
            },
            b'u' if v.get(i + 2) == Some(&b'{') => {
                let end = v[i + 3..].iter().position(|&b| b == b'}');
                match end.and_then(|e| {
                    std::str::from_utf8(&v[i + 3..i + 3 + e])
                        .ok()
                        .and_then(|s| u32::from_str_radix(s, 16).ok())
                        .map(|x| (e, x))
                }) {
                    Some((e, x)) => {
                        push_char(&mut out, x);
                        i += 4 + e;
                    }
                    None => {
                        out.push(c);
                        i += 2;
                    }
                }
            }
            b'u' => match hex_at(v, i + 2, 4) {
                Some(hi) if (0xD800..0xDC00).contains(&hi) => {
                    let lo = (v.get(i + 6) == Some(&b'\\') && v.get(i + 7) == Some(&b'u'))
                        .then(|| hex_at(v, i + 8, 4))
                        .flatten()
                        .filter(|lo| (0xDC00..0xE000).contains(lo));
                    match lo {
                        Some(lo) => {
                            push_char(&mut out, 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                            i += 12;
                        }
                        None => {
                            push_char(&mut out, 0xFFFD);
                            i += 6;
                        }
                    }
                }
                Some(x) => {
                    push_char(&mut out, x);
                    i += 6;
                }
                None => {
                    out.push(c);
                    i += 2;
                }
            },
            _ => {
                out.push(c);
                i += 2;
            }
        }
    }
    out
}

/// Does `v` hold a quoted-printable `=` (`=XX` in capitals, or `=` ending a line)?
fn has_qp(v: &[u8]) -> bool {
    v.windows(3).any(|w| {
        w[0] == b'='
            && (w[1] == b'\n'
                || w[1] == b'\r'
                || (w[1].is_ascii_hexdigit()
                    && w[2].is_ascii_hexdigit()
                    && !w[1].is_ascii_lowercase()
                    && !w[2].is_ascii_lowercase()))
    }) || v.ends_with(b"=")
}

/// Quoted-printable: soft line breaks (`=` before CRLF or LF) removed, `=XX` decoded.
fn unqp(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'=' {
            if v[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if v[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let Some(x) = hex_at(v, i + 1, 2) {
                out.push(x as u8);
                i += 3;
                continue;
            }
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

/// UTF-16LE text (a NUL after most ASCII characters), decoded.
fn utf16le_text(d: &[u8]) -> Option<Vec<u8>> {
    if d.len() < 16 {
        return None;
    }
    let pairs = d.len() / 2;
    let ascii = d
        .chunks_exact(2)
        .filter(|p| p[1] == 0 && (0x20..0x7f).contains(&p[0]))
        .count();
    if ascii * 10 < pairs * 8 {
        return None;
    }
    let units: Vec<u16> = d
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    Some(String::from_utf16_lossy(&units).into_bytes())
}

/// `%HH` (either case), optionally `+` as space.
pub fn unpercent(v: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        match v[i] {
            b'%' => match hex_at(v, i + 1, 2) {
                Some(x) => {
                    out.push(x as u8);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// HTML character references.
pub fn unentity(v: &[u8]) -> Vec<u8> {
    const NAMED: &[(&[u8], u8)] = &[
        (b"&quot;", b'"'),
        (b"&amp;", b'&'),
        (b"&lt;", b'<'),
        (b"&gt;", b'>'),
        (b"&apos;", b'\''),
        (b"&sol;", b'/'),
        (b"&equals;", b'='),
        (b"&plus;", b'+'),
        (b"&colon;", b':'),
        (b"&comma;", b','),
        (b"&period;", b'.'),
        (b"&lowbar;", b'_'),
        (b"&hyphen;", b'-'),
        (b"&num;", b'#'),
        (b"&quest;", b'?'),
        (b"&percnt;", b'%'),
    ];
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    'outer: while i < v.len() {
        if v[i] == b'&' {
            let rest = &v[i..];
            for (n, c) in NAMED {
                if rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n) {
                    out.push(*c);
                    i += n.len();
                    continue 'outer;
                }
            }
            if rest.starts_with(b"&#") {
                let (hex, start) = match rest.get(2) {
                    Some(b'x') | Some(b'X') => (true, 3),
                    _ => (false, 2),
                };
                let digits = rest[start..]
                    .iter()
                    .take_while(|b| {
                        if hex {
                            b.is_ascii_hexdigit()
                        } else {
                            b.is_ascii_digit()
                        }
                    })
                    .count();
                if digits > 0 && digits <= 7 {
                    let s = std::str::from_utf8(&rest[start..start + digits]).unwrap();
                    let cp = u32::from_str_radix(s, if hex { 16 } else { 10 }).unwrap();
                    push_char(&mut out, cp);
                    i += start + digits;
                    if v.get(i) == Some(&b';') {
                        i += 1;
                    }
                    continue;
                }
            }
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

fn b64val(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    })
}

/// Lenient base64 decoding of a run of alphabet characters (either alphabet, no
/// padding needed; a trailing partial quantum is dropped).
fn b64decode(run: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(run.len() * 3 / 4);
    let mut acc = 0u32;
    let mut n = 0;
    for &c in run {
        let Some(x) = b64val(c) else { continue };
        acc = (acc << 6) | x as u32;
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
    out
}

/// Text a reader would read: 90% printable ASCII or whitespace, or valid UTF-8 with
/// few control characters (random bytes are neither).
fn mostly_text(b: &[u8]) -> bool {
    let ok = |c: &u8| (0x20..0x7f).contains(c) || matches!(c, b'\n' | b'\r' | b'\t');
    if b.iter().filter(|c| ok(c)).count() * 10 >= b.len() * 9 {
        return true;
    }
    match std::str::from_utf8(b) {
        Ok(s) => {
            s.chars()
                .filter(|c| c.is_control() && !c.is_whitespace())
                .count()
                * 10
                <= s.chars().count()
        }
        Err(_) => false,
    }
}

/// The runs of base64 characters (16+), with wrapped lines joined (only those when
/// `wrapped_only`).
pub fn runs(v: &[u8], wrapped_only: bool) -> Vec<Vec<u8>> {
    let full = |line: usize| line >= 40 && line.is_multiple_of(4);
    wrapped_runs(v, |c| b64val(c).is_some(), full)
        .into_iter()
        .filter(|(run, wrapped)| run.len() >= 16 && (*wrapped || !wrapped_only))
        .map(|(run, _)| run)
        .collect()
}

/// The runs of the characters `is_char` takes, each going on over a line break (LF or
/// CRLF) after a line `full` takes (a wrapped blob): each run, and whether it went on.
fn wrapped_runs(
    v: &[u8],
    is_char: impl Fn(u8) -> bool,
    full: impl Fn(usize) -> bool,
) -> Vec<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        if !is_char(v[i]) {
            i += 1;
            continue;
        }
        let (mut run, mut line, mut wrapped) = (Vec::new(), 0usize, false);
        loop {
            while i < v.len() && is_char(v[i]) {
                run.push(v[i]);
                line += 1;
                i += 1;
            }
            let mut j = i;
            while j < v.len() && (v[j] == b'\r' || v[j] == b'\n') {
                j += 1;
            }
            if j > i && j - i <= 2 && full(line) && j < v.len() && is_char(v[j]) {
                (i, line, wrapped) = (j, 0, true);
                continue;
            }
            break;
        }
        out.push((run, wrapped));
    }
    out
}

/// Hex, decoded: every run of 32+ hex digits (lines of 32+ joined where the run goes
/// on after a line break, as `xxd -p` wraps), at both alignments; and the words of
/// every hex dump line (an offset of 4 to 8 digits, `0x` and `:` optional, then words
/// of 2 or 4 digits; a text column after them is left out by not being such words), all
/// the dump lines of `v` joined. Gzip and zlib streams are inflated. `whole`: only what
/// spans lines. (result, decode it further?)
fn hex_views(v: &[u8], whole: bool) -> Vec<(Vec<u8>, bool)> {
    let unhex = |h: &[u8]| -> Vec<u8> {
        h.chunks_exact(2)
            .filter_map(|p| Some((hexval(p[0])? * 16 + hexval(p[1])?) as u8))
            .collect()
    };
    let mut decoded: Vec<Vec<u8>> = Vec::new();
    for (run, wrapped) in wrapped_runs(v, |c| c.is_ascii_hexdigit(), |line| line >= 32) {
        if run.len() >= 32 && (wrapped || !whole) {
            decoded.push(unhex(&run));
            decoded.push(unhex(&run[1..]));
        }
    }
    let mut dump = Vec::new();
    let mut lines = 0;
    for l in v.split(|&b| b == b'\n') {
        let t = l.trim_ascii_start();
        let t = t.strip_prefix(b"0x").unwrap_or(t);
        let digits = t.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if !(4..=8).contains(&digits) {
            continue;
        }
        let rest = &t[digits..];
        let rest = rest.strip_prefix(b":").unwrap_or(rest);
        let mut words = Vec::new();
        for w in rest
            .split(|&b| b == b' ' || b == b'\t')
            .filter(|w| !w.is_empty())
        {
            if !matches!(w.len(), 2 | 4) || !w.iter().all(u8::is_ascii_hexdigit) {
                break;
            }
            words.extend_from_slice(w);
        }
        if !words.is_empty() {
            dump.extend(unhex(&words));
            lines += 1;
        }
    }
    if lines >= 2 || (!whole && lines == 1) {
        decoded.push(dump);
    }
    let mut out = Vec::new();
    for d in decoded {
        let kind = if d.starts_with(&[0x1f, 0x8b]) {
            Some(0)
        } else if d.len() >= 2 && d[0] == 0x78 && (u16::from(d[0]) << 8 | u16::from(d[1])) % 31 == 0
        {
            Some(1)
        } else {
            None
        };
        if let Some(x) = kind.and_then(|k| inflate(&d, k)) {
            out.push((x, true));
        }
        let text = mostly_text(&d);
        out.push((d, text));
    }
    out
}

/// Decode every run at every alignment: (texty decodes and inflated streams, to decode
/// further), and all binary decodes joined (only searched).
fn base64_runs(v: &[u8], wrapped_only: bool) -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut texty = Vec::new();
    let mut binary = Vec::new();
    let mut joined_text = Vec::new();
    for run in runs(v, wrapped_only) {
        for off in 0..4 {
            if run.len() < off + 16 {
                break;
            }
            let d = b64decode(&run[off..]);
            if d.len() >= 2 && d[0] == 0x1f && d[1] == 0x8b {
                if let Some(x) = inflate(&d, 0) {
                    texty.push(x);
                }
            } else if d.len() >= 2
                && d[0] == 0x78
                && (u16::from(d[0]) << 8 | u16::from(d[1])) % 31 == 0
            {
                if let Some(x) = inflate(&d, 1) {
                    texty.push(x);
                }
            } else if off == 0 && d.len() >= 24 && (d[0] >> 1) & 3 != 3 && !mostly_text(&d) {
                // raw deflate has no header: tried on whole runs only
                if let Some(x) = inflate(&d, 2) {
                    if mostly_text(&x) {
                        texty.push(x);
                    }
                }
            }
            if let Some(t) = utf16le_text(&d) {
                texty.push(t);
            }
            if mostly_text(&d) {
                joined_text.extend_from_slice(&d);
                joined_text.extend_from_slice(b"\n\x00\n");
            } else {
                // what `strings` shows of binary is text a reader can decode
                for s in d.split(|c| !(0x20..0x7f).contains(c)) {
                    if s.len() >= 8 {
                        joined_text.extend_from_slice(s);
                        joined_text.extend_from_slice(b"\n\x00\n");
                    }
                }
                binary.extend_from_slice(&d);
                binary.extend_from_slice(b"\n\x00\n");
            }
        }
    }
    if !joined_text.is_empty() {
        texty.push(joined_text);
    }
    (texty, binary)
}

/// The bytes of a document with archives opened: the members of a zip or tar (through
/// gzip) joined, recursively; any other document as it is.
pub fn flatten(v: &[u8]) -> Vec<u8> {
    let inner = containers(v);
    if inner.is_empty() {
        return v.to_vec();
    }
    let mut out = Vec::new();
    for m in inner {
        out.extend(flatten(&m));
        out.extend_from_slice(b"\n\x00\n");
    }
    out
}
