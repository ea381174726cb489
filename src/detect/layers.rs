//! Encoding layers inside free text: what the detector sees through.
//!
//! A credential in real traffic often sits under one more encoding than the field it is
//! in: percent-encoded twice in a `next=` parameter, HTML character references in a
//! `data-*` attribute, JavaScript escapes (`\x3d`, `\u002e`) in an inline script, a
//! base64 or base64url blob (padded or not, line-wrapped, possibly gzip, deflate or zstd
//! inside) in a JSON field or a `data:` URL. After the structured handlers of
//! [`Scrubber::text`] have run, each such layer is decoded, scrubbed like any other
//! value, and the edits are brought back: through an offset map for the escaping
//! layers (only the secret's own bytes change), and by re-encoding the whole blob in
//! the same alphabet, padding and line width (and compression) for base64.
//!
//! Layers nest (a percent layer inside a base64 layer…) up to [`MAX_LAYERS`] deep. In a
//! text decoded by an escaping layer, only the kinds of escapes that decoding produced
//! (`%2526` gives `%26`) are decoded again: escapes of another kind that were already
//! there were decoded by the layer beside this one, and a value needing two kinds side
//! by side is read by the mixed layer (percent, HTML and JavaScript escapes at once).
//! Without that rule a script full of `%`, `&` and `\` was read hundreds of times.
//!
//! A long decoded layer (8 KB or more) differs from its text only at its escapes, so
//! only windows around them are read again ([`layer_windows`]): 2 KB on each side, edges
//! moved out to a break between tokens. Everything else was read already, in the text
//! it was decoded from. A layer whose escapes are dense is read whole.

use std::io::Write;

use super::text::Mode;
use super::views::{
    b64_decode_lenient, html_entity, inflate_any, radix_encode, radix_text, texty, Radix,
};
use super::{Edit, Scrubber};

/// How many encodings deep the detector looks.
pub const MAX_LAYERS: u8 = 4;
/// Shortest base64 run worth decoding.
const MIN_B64: usize = 16;

/// One escape in a decoded layer: decoded `dec..dec+dlen` came from raw `raw..raw+rlen`.
#[derive(Clone, Copy)]
struct Unit {
    dec: usize,
    raw: usize,
    dlen: usize,
    rlen: usize,
}

/// A decoded layer with the escapes it decoded, to map offsets back.
struct Mapped {
    bytes: Vec<u8>,
    units: Vec<Unit>,
}

/// Escaping layers (bits of a mask).
const PERCENT: u8 = 1;
const HTML: u8 = 2;
const JS: u8 = 4;
const QP: u8 = 8;
const ALL_ESCAPES: u8 = PERCENT | HTML | JS | QP;

impl Mapped {
    /// Does an escape decode to a byte of `d0..d1` (decoded offsets)?
    fn decodes_within(&self, d0: usize, d1: usize) -> bool {
        let i = self.units.partition_point(|u| u.dec + u.dlen <= d0);
        self.units.get(i).is_some_and(|u| u.dec < d1)
    }

    /// The escaping layers whose escapes this layer's decoding produced: only those
    /// can reveal something new when applied to the decoded text.
    fn produced(&self) -> u8 {
        let mut mask = 0;
        for u in &self.units {
            for &b in &self.bytes[u.dec..u.dec + u.dlen] {
                mask |= match b {
                    b'%' => PERCENT,
                    b'&' => HTML,
                    b'\\' => JS,
                    // A soft break (`=` and a line break) this layer produced the
                    // line break of (`=%0A`, `=\\n`); an `=` it produced before a
                    // line break already there (`%3D` ending a line) is no soft break
                    // a quoted-printable encoder would have written.
                    b'\n' => QP,
                    _ => 0,
                };
            }
        }
        mask
    }

    /// Raw offset of the start of the decoded byte at `d` (an escape's bytes map to
    /// the escape's start).
    fn raw_start(&self, d: usize) -> usize {
        let i = self.units.partition_point(|u| u.dec <= d);
        if i == 0 {
            return d;
        }
        let u = self.units[i - 1];
        if d < u.dec + u.dlen {
            u.raw
        } else {
            u.raw + u.rlen + (d - u.dec - u.dlen)
        }
    }

    /// Raw offset of the end of a decoded span ending at `d` (inside an escape: its end).
    fn raw_end(&self, d: usize) -> usize {
        if d == 0 {
            return 0;
        }
        let i = self.units.partition_point(|u| u.dec < d);
        if i == 0 {
            return d;
        }
        let u = self.units[i - 1];
        if d <= u.dec + u.dlen {
            u.raw + u.rlen
        } else {
            u.raw + u.rlen + (d - u.dec - u.dlen)
        }
    }
}

/// How far beyond its escapes a long decoded layer is read (see [`layer_windows`]).
const LAYER_REACH: usize = 2 << 10;
/// A decoded layer shorter than this is read whole.
const LAYER_WINDOWED_FROM: usize = 4 * LAYER_REACH;
/// How far a window's edge may move out to the end of the token it cuts; further, and
/// the layer is read whole.
const LAYER_SNAP: usize = 4 << 10;

/// The parts of a long decoded layer worth reading again: [`LAYER_REACH`] bytes on each
/// side of every escape it decoded, each edge moved out to the nearest break between
/// tokens (white space, a quote, an angle bracket, a parenthesis or brace, a comma; not
/// a line break inside a wrapped base64 run, nor a square bracket, which would cut a
/// placeholder in two), windows that meet merged. None: read the layer whole (it is short, its
/// escapes are dense, or an edge falls inside a run of token bytes longer than
/// [`LAYER_SNAP`]).
///
/// Everything outside the windows is a verbatim stretch of the text the layer was
/// decoded from, which was read already, in the same mode and with the same known
/// secrets: what reading the layer can add lies next to an escape, where a name, a
/// quote or a token was hidden. Context reaches no further than [`LAYER_REACH`] in all
/// but contrived texts (a name and its value, a header line, a tag). A recall test
/// (`long_bodies_windowed_like_whole`) checks, against reading every layer whole
/// (`Engine::set_whole_layers`), that the copies are clean and no secret is missed.
fn layer_windows(m: &Mapped) -> Option<Vec<(usize, usize)>> {
    let d = &m.bytes;
    if d.len() < LAYER_WINDOWED_FROM {
        return None;
    }
    let stop = |i: usize| -> bool {
        match d[i] {
            b' ' | b'\t' | b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')' | b'{' | b'}' | b',' => {
                true
            }
            b'\r' | b'\n' => {
                // A line break between base64 bytes may wrap a blob: not an edge.
                let before = d[..i].iter().rev().find(|b| !matches!(b, b'\r' | b'\n'));
                let after = d[i..].iter().find(|b| !matches!(b, b'\r' | b'\n'));
                !(before.is_some_and(|&b| is_b64(b)) && after.is_some_and(|&b| is_b64(b)))
            }
            _ => false,
        }
    };
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for u in &m.units {
        let from = u.dec.saturating_sub(LAYER_REACH);
        let to = (u.dec + u.dlen + LAYER_REACH).min(d.len());
        match windows.last_mut() {
            Some(last) if last.1 >= from => last.1 = last.1.max(to),
            _ => windows.push((from, to)),
        }
    }
    let mut snapped: Vec<(usize, usize)> = Vec::with_capacity(windows.len());
    for (from, to) in windows {
        let mut f = from;
        while f > 0 && !stop(f - 1) {
            f -= 1;
            if from - f > LAYER_SNAP {
                return None;
            }
        }
        let mut t = to;
        while t < d.len() && !stop(t) {
            t += 1;
            if t - to > LAYER_SNAP {
                return None;
            }
        }
        match snapped.last_mut() {
            Some(last) if last.1 >= f => last.1 = last.1.max(t),
            _ => snapped.push((f, t)),
        }
    }
    let covered: usize = snapped.iter().map(|(f, t)| t - f).sum();
    (covered * 4 < d.len() * 3).then_some(snapped)
}

/// Decode with `unit` (which, at raw offset `i`, returns the decoded bytes of an escape
/// and the raw bytes it takes, or None for a plain byte); None when nothing decoded.
fn decode_with(
    v: &[u8],
    unit: impl Fn(&[u8], usize, &mut Vec<u8>) -> Option<usize>,
) -> Option<Mapped> {
    let mut bytes = Vec::with_capacity(v.len());
    let mut units = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let dec = bytes.len();
        match unit(v, i, &mut bytes) {
            Some(rlen) => {
                units.push(Unit {
                    dec,
                    raw: i,
                    dlen: bytes.len() - dec,
                    rlen,
                });
                i += rlen;
            }
            None => {
                bytes.push(v[i]);
                i += 1;
            }
        }
    }
    (!units.is_empty()).then_some(Mapped { bytes, units })
}

/// Does decoding `v` into `m` keep it text? Percent escapes that decode to bytes of no
/// UTF-8 text (`ab%B4LH` in a password) are no encoding of it: that layer is not read.
fn text_kept(v: &[u8], m: &Mapped) -> bool {
    std::str::from_utf8(&m.bytes).is_ok() || std::str::from_utf8(v).is_err()
}

fn hexval(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

fn percent_unit(v: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if v[i] != b'%' || i + 2 >= v.len() {
        return None;
    }
    let (h, l) = (hexval(v[i + 1])?, hexval(v[i + 2])?);
    out.push((h * 16 + l) as u8);
    Some(3)
}

/// Form encoding: percent escapes, and `+` for a space.
fn form_unit(v: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if v[i] == b'+' {
        out.push(b' ');
        return Some(1);
    }
    percent_unit(v, i, out)
}

fn html_unit(v: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if v[i] != b'&' {
        return None;
    }
    let (c, used) = html_entity(&v[i..])?;
    let mut buf = [0u8; 4];
    out.extend_from_slice(char::from_u32(c)?.encode_utf8(&mut buf).as_bytes());
    Some(used)
}

/// A tag (`<span class=sf-dump-key>`, `</span>`, `<!-- … -->`): taken out.
fn tag_unit(v: &[u8], i: usize, _out: &mut Vec<u8>) -> Option<usize> {
    if v[i] != b'<'
        || !v
            .get(i + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!'))
    {
        return None;
    }
    memchr::memchr(b'>', &v[i..]).map(|e| e + 1)
}

fn js_unit(v: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if v[i] != b'\\' {
        return None;
    }
    let hex = |s: Option<&[u8]>| -> Option<u32> {
        let s = s?;
        s.iter().try_fold(0u32, |a, &b| Some(a * 16 + hexval(b)?))
    };
    let mut buf = [0u8; 4];
    match v.get(i + 1)? {
        b'x' => {
            out.push(hex(v.get(i + 2..i + 4))? as u8);
            Some(4)
        }
        b'u' => {
            let c = hex(v.get(i + 2..i + 6))?;
            out.extend_from_slice(char::from_u32(c)?.encode_utf8(&mut buf).as_bytes());
            Some(6)
        }
        // An octal escape of a printable character (`\160` is `p`): three digits, so a
        // regular expression's back-reference (`\1`) is none.
        b'0'..=b'3' => {
            let d = v.get(i + 1..i + 4)?;
            if !d.iter().all(|b| (b'0'..=b'7').contains(b)) {
                return None;
            }
            let c = d.iter().fold(0u8, |a, &b| a * 8 + (b - b'0'));
            if !(0x20..0x7f).contains(&c) {
                return None;
            }
            out.push(c);
            Some(4)
        }
        b @ (b'"' | b'\'' | b'/' | b'\\' | b'=' | b'&' | b'-' | b'.') => {
            out.push(*b);
            Some(2)
        }
        _ => None,
    }
}

/// Quoted-printable (RFC 2045 6.7, mail bodies and text copied out of them): `=XX`,
/// and a soft line break (`=` ending a line) that decodes to nothing.
fn qp_unit(v: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if v[i] != b'=' {
        return None;
    }
    match v.get(i + 1..)? {
        [b'\r', b'\n', ..] => Some(3),
        [b'\n', ..] => Some(2),
        [h, l, ..] => {
            out.push((hexval(*h)? * 16 + hexval(*l)?) as u8);
            Some(3)
        }
        _ => None,
    }
}

/// A soft break only (no `=XX` escape: a text not known to be quoted-printable keeps
/// those), its line break raw or written as an escape (`=\r\n` inside a script's
/// string literal, which the JavaScript layer leaves as it is).
fn soft_break_unit(v: &[u8], i: usize, _out: &mut Vec<u8>) -> Option<usize> {
    soft_break_at(v, i)
}

/// The length of the soft break at `v[i]` (an `=`, then a line break, raw or written
/// as `\r\n` / `\n` escapes), if one is there.
pub(crate) fn soft_break_at(v: &[u8], i: usize) -> Option<usize> {
    if v[i] != b'=' {
        return None;
    }
    let rest = &v[i + 1..];
    [&b"\r\n"[..], b"\n", b"\\r\\n", b"\\n"]
        .iter()
        .find_map(|b| rest.starts_with(b).then_some(1 + b.len()))
}

/// The length of the line break (`\n` or `\r\n`) at `i`, if one is there.
fn eol_at(v: &[u8], i: usize) -> Option<usize> {
    match (v[i], v.get(i + 1)) {
        (b'\n', _) => Some(1),
        (b'\r', Some(b'\n')) => Some(2),
        _ => None,
    }
}

/// A line of a `curl --trace-ascii` dump starting at `ls` (`0040: data`): the offset
/// it gives and where its data starts.
fn trace_line(v: &[u8], ls: usize) -> Option<(u64, usize)> {
    let digits = v[ls.min(v.len())..]
        .iter()
        .take(9)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    let i = ls + digits;
    if !(4..=8).contains(&digits) || v.get(i..i + 2) != Some(b": ") {
        return None;
    }
    let offset = u64::from_str_radix(std::str::from_utf8(&v[ls..i]).ok()?, 16).ok()?;
    Some((offset, i + 2))
}

/// The line break at `i` inside a `curl --trace-ascii` dump where curl cut a line of
/// data at 64 bytes, with the next line's offset prefix: it decodes to nothing, and
/// the two lines read as one (a long `Authorization` or `Cookie` header, a JWT).
fn trace_unit(v: &[u8], i: usize, _out: &mut Vec<u8>) -> Option<usize> {
    let eol = eol_at(v, i)?;
    let ls = memchr::memrchr(b'\n', &v[..i]).map_or(0, |p| p + 1);
    let (o1, ds) = trace_line(v, ls)?;
    if i - ds != 64 {
        return None;
    }
    let (o2, ds2) = trace_line(v, i + eol)?;
    (o2 == o1 + 64).then_some(ds2 - i)
}

/// Terminal widths: text copied from a terminal (`curl -v` output, a console) has a
/// line break wherever a line reached the terminal's width, a token cut in two by it.
const TERMINAL_WIDTHS: [usize; 6] = [80, 100, 120, 132, 160, 200];

/// The line break at `i` ends a line as wide as a terminal, in the middle of a word
/// (a token character on both sides): it decodes to nothing, and the two lines read
/// as one.
fn wrap_unit(v: &[u8], i: usize, _out: &mut Vec<u8>) -> Option<usize> {
    let eol = eol_at(v, i)?;
    let ls = memchr::memrchr(b'\n', &v[..i]).map_or(0, |p| p + 1);
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"-_.~+/=%".contains(b);
    let line = &v[ls..i];
    (TERMINAL_WIDTHS.contains(&chars(line))
        && line.last().is_some_and(token)
        && v.get(i + eol).is_some_and(token))
    .then_some(eol)
}

/// Does a line of `v` end at a terminal's width in the middle of a word?
fn has_terminal_wraps(v: &[u8]) -> bool {
    let mut ls = 0;
    memchr::memchr_iter(b'\n', v).any(|p| {
        let start = ls;
        ls = p + 1;
        let end = if p > start && v[p - 1] == b'\r' {
            p - 1
        } else {
            p
        };
        end - start >= TERMINAL_WIDTHS[0] && wrap_unit(v, end, &mut Vec::new()).is_some()
    })
}

/// The number of characters of a line (UTF-8; a byte each where it is not UTF-8).
fn chars(line: &[u8]) -> usize {
    match std::str::from_utf8(line) {
        Ok(s) => s.chars().count(),
        Err(_) => line.len(),
    }
}

/// Is `v` quoted-printable: does a soft line break end a line of 60 characters or more
/// (encoders break lines just short of 76)? A short line ending in `=` is an empty
/// value (`KEY=` in an env file), and a line ending in a padded base64 word
/// (`Authorization: Basic dXNlcjpwdw==`) ends in padding: neither is a soft break.
pub(crate) fn has_soft_breaks(v: &[u8]) -> bool {
    let mut line = 0;
    memchr::memchr_iter(b'\n', v).any(|p| {
        let end = if p > 0 && v[p - 1] == b'\r' { p - 1 } else { p };
        let text = &v[line.min(end)..end];
        line = p + 1;
        let Some(body) = text.strip_suffix(b"=") else {
            return false;
        };
        let word = &text[text
            .iter()
            .rposition(|b| b.is_ascii_whitespace())
            .map_or(0, |i| i + 1)..];
        let padded_base64 = word.len().is_multiple_of(4)
            && word.iter().all(|&b| {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
            })
            && canonical_padding(word);
        // A whole line of 76 (the most quoted-printable writes) with more right
        // after it is a token cut by a soft break, not a base64 value's last line.
        let cut_token = text.len() == 76
            && word.len() == text.len()
            && v.get(p + 1).is_some_and(|&b| b.is_ascii_alphanumeric());
        body.len() >= 60
            && (!padded_base64 || cut_token)
            && !(body.len() > 76 && ends_in_padded_value(text))
    })
}

/// Is the padding of base64 `word` (`…Q=`, `…A==`) what an encoder writes: the bits
/// of its last character beyond the data zero? (`…ZB=` is a soft break after `ZB`.)
fn canonical_padding(word: &[u8]) -> bool {
    let body = word.strip_suffix(b"==").or_else(|| word.strip_suffix(b"="));
    let Some(body) = body else {
        return true;
    };
    let Some(&last) = body.last() else {
        return false;
    };
    let value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        _ => 62,
    };
    let pad = word.len() - body.len();
    value % if pad == 2 { 16 } else { 4 } == 0
}

/// Does a line end in a padded base64 value after its name (`…;SharedAccessKey=…=`,
/// `token: …==`)? On a line longer than quoted-printable allows (76 characters), that
/// is its padding, not a soft break: read as one, the value would run on into the next
/// line.
fn ends_in_padded_value(text: &[u8]) -> bool {
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    let pad = text.len() - body.len();
    let run = body
        .iter()
        .rev()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
        .count();
    let before = body.len() - run;
    pad > 0
        && run >= 16
        && (run + pad).is_multiple_of(4)
        && before > 0
        && matches!(body[before - 1], b'=' | b':' | b' ' | b'"' | b'\'')
        && canonical_padding(&text[before..])
}

/// The escaping layers.
#[derive(Clone, Copy, PartialEq)]
enum Layer {
    Percent,
    Form,
    Html,
    Js,
    /// Percent, HTML and JavaScript escapes at once, each where it occurs (JSON with
    /// `\u002d` in a name inside an HTML attribute with `&quot;`).
    Mixed,
    /// Quoted-printable.
    Qp,
    /// Lines of a `curl --trace-ascii` dump cut at 64 bytes, joined.
    Trace,
    /// Lines a terminal wrapped at its width, joined ([`wrap_unit`]).
    Wrap,
    /// A `<pre>` element's text, its tags taken out.
    Markup,
}

/// How a base64 blob was written, to write it back the same way.
struct B64Form {
    url: bool,
    padded: bool,
    /// Line width and line break when the blob was wrapped.
    wrap: Option<(usize, Vec<u8>)>,
}

impl B64Form {
    fn encode(&self, d: &[u8]) -> Vec<u8> {
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        use base64::Engine as _;
        let e = match (self.url, self.padded) {
            (false, true) => STANDARD.encode(d),
            (false, false) => STANDARD_NO_PAD.encode(d),
            (true, true) => URL_SAFE.encode(d),
            (true, false) => URL_SAFE_NO_PAD.encode(d),
        };
        rewrap(e.into_bytes(), &self.wrap)
    }
}

/// `e` cut into lines of the width a blob was wrapped at, with its line break.
fn rewrap(e: Vec<u8>, wrap: &Option<(usize, Vec<u8>)>) -> Vec<u8> {
    match wrap {
        None => e,
        Some((w, nl)) => {
            let mut out = Vec::with_capacity(e.len() + e.len() / w * nl.len());
            for (k, line) in e.chunks(*w).enumerate() {
                if k > 0 {
                    out.extend_from_slice(nl);
                }
                out.extend_from_slice(line);
            }
            out
        }
    }
}

/// The base64 (or hex…) characters of the run `v[start..body_end]` (`n` of them),
/// without its line breaks when it is wrapped.
fn compact_run<'a>(
    v: &'a [u8],
    start: usize,
    body_end: usize,
    n: usize,
    wrap: &Option<(usize, Vec<u8>)>,
) -> std::borrow::Cow<'a, [u8]> {
    if wrap.is_none() {
        return std::borrow::Cow::Borrowed(&v[start..start + n]);
    }
    let mut c = Vec::with_capacity(n);
    let mut j = start;
    while j < body_end {
        if is_b64(v[j]) {
            c.push(v[j]);
            j += 1;
        } else {
            j += line_break(&v[j..]).max(1);
        }
    }
    std::borrow::Cow::Owned(c)
}

/// How a decoded blob was compressed, to compress it again.
#[derive(Clone, Copy, PartialEq)]
enum Packing {
    None,
    Gzip,
    Zlib,
    Deflate,
    Zstd,
}

/// How a blob was written, to write its scrubbed text back the same way.
#[derive(Clone, Copy)]
enum Spelling {
    /// Hex or base32 text.
    Radix(Radix),
    /// Base64 or base64url (compressed or not: the reading's [`Packing`]).
    Base64,
}

fn pack(p: Packing, d: &[u8]) -> Vec<u8> {
    let level = flate2::Compression::default();
    let r = match p {
        Packing::None => return d.to_vec(),
        Packing::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            e.write_all(d).and_then(|_| e.finish())
        }
        Packing::Zlib => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(d).and_then(|_| e.finish())
        }
        Packing::Deflate => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
            e.write_all(d).and_then(|_| e.finish())
        }
        #[cfg(feature = "zstd")]
        Packing::Zstd => zstd::stream::encode_all(d, 3),
        #[cfg(not(feature = "zstd"))]
        Packing::Zstd => Err(std::io::Error::other("zstd support not compiled in")),
    };
    r.unwrap_or_default()
}

/// The text-string pairs of CBOR maps in `d` that could be a name and its value: a
/// text string of 3 to 23 bytes (header `0x63`–`0x77`) followed at once by a text
/// string of any length up to 65,535 (`0x61`–`0x77`, `0x78` and a length byte, `0x79`
/// and two), both UTF-8: the ranges of the key and of the value. Pairs do not overlap.
fn cbor_text_pairs(d: &[u8]) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut pairs = Vec::new();
    let mut j = 0;
    while j < d.len() {
        let h = d[j];
        j += 1;
        if !(0x63..=0x77).contains(&h) {
            continue;
        }
        let key = j..j + usize::from(h - 0x60);
        let Some(&vh) = d.get(key.end) else {
            continue;
        };
        let (at, len) = match vh {
            0x61..=0x77 => (key.end + 1, usize::from(vh - 0x60)),
            0x78 => match d.get(key.end + 1) {
                Some(&n) => (key.end + 2, usize::from(n)),
                None => continue,
            },
            0x79 => match d.get(key.end + 1..key.end + 3) {
                Some(n) => (key.end + 3, usize::from(u16::from_be_bytes([n[0], n[1]]))),
                None => continue,
            },
            _ => continue,
        };
        let value = at..at + len;
        if len == 0
            || value.end > d.len()
            || !d[key.clone()].first().is_some_and(u8::is_ascii_alphabetic)
            || std::str::from_utf8(&d[key.clone()]).is_err()
            || std::str::from_utf8(&d[value.clone()]).is_err()
        {
            continue;
        }
        j = value.end;
        pairs.push((key, value));
    }
    pairs
}

/// The header of a CBOR text string of `len` bytes (shortest form).
fn cbor_text_header(len: usize) -> Vec<u8> {
    match u8::try_from(len) {
        Ok(n) if n < 24 => vec![0x60 + n],
        Ok(n) => vec![0x78, n],
        Err(_) => match u16::try_from(len) {
            Ok(n) => [&[0x79][..], &n.to_be_bytes()].concat(),
            Err(_) => [&[0x7a][..], &(len as u32).to_be_bytes()].concat(),
        },
    }
}

use super::views::{b64_run_end, is_b64};

/// Does the line starting at `from`, its base64 ending at `at`, continue the wrapped
/// base64 blob on the line before it? It does when its base64 ends the line
/// ([`whole_line`]), and when it is the blob's last line with more text after it (a
/// log line goes on: `…In0= lang=en`): padded (no base64 right after its `=`: that is
/// `name=value`), or too long for a word (16 or more).
/// The line after a value that is a run of its own (`- name: x`, `name: x`,
/// `hello world` after `client-key-data: LS0t…`) is no part of it: taken for one, the
/// blob would reach into text that is not base64 and hide the value's end from the
/// readers that redact it.
fn continues_blob(v: &[u8], from: usize, at: usize) -> bool {
    let pad = v[at.min(v.len())..]
        .iter()
        .take_while(|&&b| b == b'=')
        .count();
    whole_line(v, at)
        || (pad > 0 && at > from && !v.get(at + pad).is_some_and(|&b| is_b64(b)))
        || (at - from >= 16 && v.get(at).is_some_and(|b| matches!(b, b' ' | b'\t')))
}

/// Does a line of a wrapped base64 blob, its base64 ending at `at`, end there? (Its
/// padding, blanks, then a line break, the end, a closing quote, tag or bracket.)
fn whole_line(v: &[u8], at: usize) -> bool {
    let mut j = at;
    while j < v.len() && v[j] == b'=' {
        j += 1;
    }
    while j < v.len() && matches!(v[j], b' ' | b'\t') {
        j += 1;
    }
    j == v.len() || line_break(&v[j..]) > 0 || b"\"'`<\\)]},;".contains(&v[j])
}

/// Does `v` start with a percent-encoded line break (`%0A`, `%0D%0A`, either hex
/// case) and more base64 after it?
fn percent_line_break(v: &[u8]) -> bool {
    let n = if v.len() >= 6 && v[..6].eq_ignore_ascii_case(b"%0d%0a") {
        6
    } else if v.len() >= 3 && v[..3].eq_ignore_ascii_case(b"%0a") {
        3
    } else {
        return false;
    };
    v.get(n).is_some_and(|&c| is_b64(c))
}

/// The length of the line break `v` starts with (CRLF, LF, or the same written as
/// `\r\n` / `\n` inside a JSON or JavaScript string); 0 when it starts with none.
fn line_break(v: &[u8]) -> usize {
    if v.starts_with(b"\r\n") {
        2
    } else if v.first() == Some(&b'\n') {
        1
    } else if v.starts_with(b"\\r\\n") {
        4
    } else if v.starts_with(b"\\n") {
        2
    } else {
        0
    }
}

impl Scrubber<'_> {
    /// `v` read as quoted-printable when its lines are too short, or too ambiguous, to
    /// say so ([`has_soft_breaks`]: a line of a value inside a mail part, or one whose
    /// `=` is also base64 padding) but a provider's token or a known secret runs across
    /// one of its soft breaks once they are dropped (`ghp_…Z6=` then `4K` on the next
    /// line): a match of a token rule that only the join makes is strong evidence.
    fn joined_across_soft_break(&self, v: &[u8]) -> Option<Mapped> {
        // (Every value reaches here: no copy of it is made unless it has a break.)
        memchr::memchr_iter(b'=', v).find(|&i| soft_break_at(v, i).is_some())?;
        let m = decode_with(v, soft_break_unit)?;
        // Where the first break inside `s..e` is, as (decoded, raw) offsets.
        let break_in = |s: usize, e: usize| {
            let i = m.units.partition_point(|u| u.dec <= s);
            m.units.get(i).filter(|u| u.dec < e).map(|u| u.raw)
        };
        let across = |s: usize, e: usize| break_in(s, e).is_some();
        // A match that the same rule makes from the same place without the join, over
        // the break's `=` (an open-ended key whose padding that is, `SharedAccessKey=…=`
        // then a URL on the next line), is no evidence: the join only ran it on. One
        // that stops at the `=` (`xoxb-…` cut there) is.
        let rules = &self.engine.rules;
        let mut ms = Vec::new();
        rules.find_all(&m.bytes, &mut ms);
        let mut raw = Vec::new();
        let token = ms.iter().any(|r| {
            let Some(eq) = break_in(r.start, r.end) else {
                return false;
            };
            rules.rule(r.rule).group != "generic" && {
                if raw.is_empty() {
                    rules.find_all(v, &mut raw);
                }
                let at = m.raw_start(r.start);
                !raw.iter()
                    .any(|x| x.rule == r.rule && x.start == at && x.end > eq)
            }
        });
        (token
            || self
                .known
                .find_all(&m.bytes)
                .any(|(s, e, _, _)| across(s, e)))
        .then_some(m)
    }

    /// Look through the encodings inside `v` (see the module docs); edits go to `out`
    /// in `v`'s coordinates plus `base`, after the ones already there.
    pub(crate) fn layers(&mut self, v: &[u8], base: usize, mode: Mode, out: &mut Vec<Edit>) {
        if self.layer_depth >= MAX_LAYERS || v.len() < 8 {
            return;
        }
        self.layer_depth += 1;
        let first = 0;
        let allow = match self.layer_mask {
            Some((at, len, mask)) if at == v.as_ptr() as usize && len == v.len() => mask,
            _ => ALL_ESCAPES,
        };
        let mut percent_read = false;
        if allow & PERCENT != 0 && memchr::memchr(b'%', v).is_some() {
            if let Some(m) = decode_with(v, percent_unit).filter(|m| text_kept(v, m)) {
                percent_read = true;
                self.through(Layer::Percent, &m, base, mode, first, out);
                // Form-encoded (percent escapes and `+` for spaces:
                // `-----BEGIN+PRIVATE+KEY-----%0A…`): decoded that way too.
                if memchr::memchr(b'+', v).is_some() {
                    if let Some(m) = decode_with(v, form_unit) {
                        self.through(Layer::Form, &m, base, mode, first, out);
                    }
                }
            }
        }
        if allow & HTML != 0 && memchr::memchr(b'&', v).is_some() {
            if let Some(m) = decode_with(v, html_unit) {
                self.through(Layer::Html, &m, base, mode, first, out);
            }
        }
        // (Whatever the mask says: the JavaScript layer leaves `\n` escapes as they
        // are, so no layer beside this one read a soft break written as one.)
        if allow & QP != 0 && has_soft_breaks(v) {
            if let Some(m) = decode_with(v, qp_unit) {
                self.through(Layer::Qp, &m, base, mode, first, out);
            }
        } else if let Some(m) = self.joined_across_soft_break(v) {
            self.through(Layer::Qp, &m, base, mode, first, out);
        }
        if memchr::memmem::find(v, b"0000: ").is_some() {
            if let Some(m) = decode_with(v, trace_unit) {
                self.through(Layer::Trace, &m, base, mode, first, out);
            }
        }
        if has_terminal_wraps(v) {
            if let Some(m) = decode_with(v, wrap_unit) {
                self.through(Layer::Wrap, &m, base, mode, first, out);
            }
        }
        let js = allow & JS != 0 && memchr::memchr(b'\\', v).is_some();
        if js {
            if let Some(m) = decode_with(v, js_unit) {
                self.through(Layer::Js, &m, base, mode, first, out);
            }
        }
        // Escapes of two kinds side by side, each needed to read the other's part.
        let present = [(PERCENT, b'%'), (HTML, b'&'), (JS, b'\\')]
            .iter()
            .filter(|(k, b)| allow & k != 0 && memchr::memchr(*b, v).is_some())
            .fold(0, |m, (k, _)| m | k);
        if present.count_ones() >= 2 {
            let unit = |v: &[u8], i: usize, o: &mut Vec<u8>| match v[i] {
                b'%' if present & PERCENT != 0 => percent_unit(v, i, o),
                b'&' if present & HTML != 0 => html_unit(v, i, o),
                b'\\' if present & JS != 0 => js_unit(v, i, o),
                _ => None,
            };
            if let Some(m) = decode_with(v, unit).filter(|m| text_kept(v, m)) {
                self.through(Layer::Mixed, &m, base, mode, first, out);
            }
        }
        self.base64_blobs(v, base, percent_read, out);
        if matches!(mode, Mode::Code | Mode::Plain) {
            self.preformatted(v, base, out);
        }
        self.layer_depth -= 1;
    }

    /// The text of each `<pre>` element of a page (a debug dump, a log or a request
    /// shown in it: PHP's `print_r`, Symfony's and Laravel's `dump()` with a tag around
    /// every key and value), its tags taken out, read as plain text: a page's
    /// unquoted `name => value` is code, but a `<pre>`'s is data.
    fn preformatted(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut at = 0;
        while let Some(p) = memchr::memmem::find(&v[at..], b"<pre").map(|p| at + p) {
            at = p + 4;
            if !matches!(v.get(at), Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')) {
                continue;
            }
            let Some(open) = memchr::memchr(b'>', &v[at..]) else {
                return;
            };
            let from = at + open + 1;
            let to = memchr::memmem::find(&v[from..], b"</pre").map_or(v.len(), |e| from + e);
            at = to;
            let inner = &v[from..to];
            let m = decode_with(inner, tag_unit).unwrap_or_else(|| Mapped {
                bytes: inner.to_vec(),
                units: Vec::new(),
            });
            self.through(Layer::Markup, &m, base + from, Mode::Plain, 0, out);
        }
    }

    /// Scrub a decoded escaping layer and map its edits back; edits (and their
    /// findings) that add nothing to what is already redacted are dropped.
    #[allow(clippy::too_many_arguments)]
    fn through(
        &mut self,
        layer: Layer,
        m: &Mapped,
        base: usize,
        mode: Mode,
        first: usize,
        out: &mut Vec<Edit>,
    ) {
        let findings = self.findings.len();
        let mut inner = Vec::new();
        let inner_mode = if mode == Mode::RulesOnly {
            Mode::Value
        } else {
            mode
        };
        // Escapes of another kind that were already in the text were decoded by the
        // layers beside this one; in the decoded text only those this layer produced
        // (`%2526`, `&amp;#x25;`) need decoding again. Without this, four layers deep,
        // a script with percent signs, ampersands and backslashes is read hundreds of
        // times.
        let saved = self.layer_mask;
        let produced = m.produced();
        // A decoded value that is a URL or a JSON document of its own is read as one,
        // whole; so is a layer under text that was read for token rules only (the
        // layer is read with more structure than its text was, everywhere).
        let parsed = inner_mode == Mode::Value
            && (super::looks_like_url(&m.bytes) || matches!(m.bytes.first(), Some(b'{' | b'[')));
        // (A `<pre>`'s text is read in another mode than the page was: whole.)
        let windows = if self.engine.whole_layers
            || parsed
            || mode == Mode::RulesOnly
            || matches!(layer, Layer::Markup)
        {
            None
        } else {
            layer_windows(m)
        };
        match windows {
            None => {
                self.layer_mask = Some((m.bytes.as_ptr() as usize, m.bytes.len(), produced));
                if inner_mode == Mode::Value {
                    self.free(&m.bytes, 0, &mut inner);
                } else {
                    self.text(&m.bytes, 0, inner_mode, &mut inner);
                }
            }
            Some(windows) => {
                for (from, to) in windows {
                    let w = &m.bytes[from..to];
                    self.layer_mask = Some((w.as_ptr() as usize, w.len(), produced));
                    self.text(w, from, inner_mode, &mut inner);
                }
            }
        }
        self.layer_mask = saved;
        let mut added = false;
        // What a replacement (a re-encoded blob, say) must look like in this layer.
        let escape = |t: String| -> String {
            match layer {
                Layer::Percent | Layer::Mixed => super::pct_escape_replacement(t),
                Layer::Form => super::pct_escape_replacement(t).replace("%20", "+"),
                Layer::Html | Layer::Markup => t
                    .replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
                Layer::Qp => t.replace('=', "=3D"),
                Layer::Trace | Layer::Wrap => t,
                Layer::Js => t
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\r', "\\r")
                    .replace('\n', "\\n")
                    .replace('\t', "\\t"),
            }
        };
        for e in inner {
            let (s, t) = (base + m.raw_start(e.start), base + m.raw_end(e.end));
            if out[first..].iter().any(|o| o.start <= s && o.end >= t) {
                continue;
            }
            added = true;
            // What this layer did not encode (no escape of it inside: a blob wrapped
            // with raw line breaks in a text whose percent or `\u` escapes are
            // elsewhere) is written back as it stood, unescaped.
            let plain = matches!(
                layer,
                Layer::Percent | Layer::Mixed | Layer::Form | Layer::Js
            ) && !m.decodes_within(e.start, e.end);
            out.push(Edit {
                start: s,
                end: t,
                text: if plain { e.text } else { escape(e.text) },
                claim: base + m.raw_start(e.claim),
            });
        }
        if !added {
            self.findings.truncate(findings);
        }
    }

    /// Base64 / base64url runs (line breaks inside allowed): decoded, inflated when
    /// compressed, scrubbed when they read as text (token rules and known secrets
    /// otherwise), and re-encoded the same way when anything changed.
    ///
    /// `percent_read`: the percent layer read `v`. A run that ends at a percent-encoded
    /// line break before more base64 (`…R5c%0D%0AQ0k2…`: a wrapped blob in a URL
    /// parameter) is then one line of a blob that layer reads whole; read alone, its
    /// text stops mid-value (a JWT cut after its header), which is no credential.
    fn base64_blobs(&mut self, v: &[u8], base: usize, percent_read: bool, out: &mut Vec<Edit>) {
        let mut i = 0;
        while i < v.len() {
            // Runs are taken whole: a run starts after a byte that is not base64.
            if !is_b64(v[i]) {
                i += 1;
                continue;
            }
            let start = i;
            i = b64_run_end(v, i);
            // `%2Fabc…` is percent-encoding, not base64.
            if start > 0 && v[start - 1] == b'%' {
                continue;
            }
            // The run is measured first and copied only when it is long enough to
            // look into (most runs are words and ids, skipped).
            let mut n = i - start;
            let mut wrap: Option<(usize, Vec<u8>)> = None;
            let mut line_start = start;
            let mut ragged = false;
            // The second line's start and width, and whether a later line's width
            // differs from it.
            let mut second: Option<(usize, Option<usize>)> = None;
            let mut ragged_later = false;
            while i < v.len() {
                // A line break followed by more base64: a wrapped blob. Inside a JSON
                // or JavaScript string the break is written `\r\n` or `\n`.
                let nl = line_break(&v[i..]);
                if nl > 0
                    && v.get(i + nl).is_some_and(|&c| is_b64(c))
                    && continues_blob(v, i + nl, b64_run_end(v, i + nl))
                {
                    let w = i - line_start;
                    match &wrap {
                        None => wrap = Some((w, v[i..i + nl].to_vec())),
                        Some((w0, _)) if *w0 != w => ragged = true,
                        _ => {}
                    }
                    match &mut second {
                        Some((_, w2 @ None)) => *w2 = Some(w),
                        Some((_, Some(w2))) => ragged_later |= *w2 != w,
                        None => second = Some((i + nl, None)),
                    }
                    i += nl;
                    line_start = i;
                    let next = b64_run_end(v, i);
                    n += next - i;
                    i = next;
                    continue;
                }
                break;
            }
            // Whether the alphabet is base64url or the standard one (both: not base64).
            let (url, std) = if n < 12 {
                (false, false)
            } else {
                v[start..i].iter().fold((false, false), |(u, s), &b| {
                    (u | matches!(b, b'-' | b'_'), s | matches!(b, b'+' | b'/'))
                })
            };
            let body_end = i;
            let mut padded = false;
            while i < v.len() && v[i] == b'=' && i - start < n + 4 + 64 {
                padded = true;
                i += 1;
            }
            let end = i;
            // Short blobs (12+) can only hide a known secret (a 10-character password):
            // looked into only when they do.
            if percent_read && wrap.is_none() && percent_line_break(&v[i..]) {
                continue;
            }
            let short = n < MIN_B64;
            // Only the first line differs (a word that ends the line before a blob,
            // `$ xxd -p request.bin`, taken for its first line): the blob starts on
            // the second line, read from there.
            if let (true, false, Some((at, Some(_)))) = (ragged, ragged_later, second) {
                i = at;
                continue;
            }
            if (short && (n < 12 || !self.knows_secrets())) || (url && std) || ragged {
                continue;
            }
            // Already redacted by a handler above: nothing to add.
            if out
                .iter()
                .any(|o| o.start <= base + start && o.end >= base + end)
            {
                continue;
            }
            // Hex or base32 text (a JSON body written as hex) is read as what it spells;
            // anything else as base64. Either way it is written back as it came.
            // (A wrapped run is read without its line breaks: `xxd -p` wraps hex.)
            let compact = compact_run(v, start, body_end, n, &wrap);
            let (readings, spelling) = match radix_text(&compact) {
                Some((radix, plain)) => (Self::readings(plain), Spelling::Radix(radix)),
                None => {
                    let Some(readings) = self.b64_readings(&compact, short) else {
                        continue;
                    };
                    (readings, Spelling::Base64)
                }
            };
            drop(compact);
            let findings = self.findings.len();
            let mut inner = Vec::new();
            let mut read = None;
            for (packing, plain) in readings {
                let outer = self.cut_end.replace(plain.as_ptr() as usize + plain.len());
                let text = texty(&plain);
                let wide = (!text)
                    .then(|| crate::codec::utf16::Utf16::sniff(&plain, b""))
                    .flatten()
                    .and_then(|u| Some((u, u.decode(&plain)?)));
                if text && std::str::from_utf8(&plain).is_ok() {
                    self.free_any(&plain, &mut inner);
                } else if let Some((u, t)) = wide {
                    // UTF-16 text (PowerShell's `-EncodedCommand`, a Windows tool's
                    // output): read as UTF-8, written back as UTF-16 the same way.
                    self.cut_end = Some(t.as_ptr() as usize + t.len());
                    self.free_any(t.as_bytes(), &mut inner);
                    self.cut_end = outer;
                    if !inner.is_empty() {
                        let mut scrubbed = Vec::with_capacity(t.len());
                        super::apply_edits(t.as_bytes(), &mut inner, &mut scrubbed);
                        let scrubbed = String::from_utf8_lossy(&scrubbed);
                        read = Some((packing, u.encode(&scrubbed)));
                        break;
                    }
                    continue;
                } else if let Some((_, pw)) = crate::codec::mqtt::connect_credentials(&plain) {
                    // An MQTT CONNECT packet (a browser's MQTT client over a
                    // WebSocket): its password, whatever it looks like, and the packet
                    // rebuilt around the placeholder so that it stays one.
                    let (s, e) = (pw.start, pw.end);
                    self.redact(
                        &plain,
                        s,
                        e,
                        0,
                        "context.protocol",
                        "password",
                        None,
                        true,
                        &mut inner,
                    );
                    if let Some(p) = inner.first() {
                        let packet =
                            crate::codec::mqtt::with_password(&plain, pw, p.text.as_bytes());
                        self.cut_end = outer;
                        read = Some((packing, packet));
                        break;
                    }
                } else {
                    // Mostly printable but no UTF-8: Latin-1 text, or a binary format
                    // whose framing bytes are above ASCII (MessagePack's `\xa5token\xd9
                    // …`). Read both ways (edits that overlap are merged).
                    if text {
                        self.free_any(&plain, &mut inner);
                    }
                    // Binary (protobuf in gRPC-web frames, say): every printable run is
                    // read as text, the way `strings` would show it; and the known
                    // secrets are looked for in the bytes as they are (a 6-digit code
                    // glued to an image's bytes is too short a run to be read).
                    self.printable_runs(&plain, 0, Mode::Plain, &mut inner);
                    self.known_sweep(&plain, 0, &mut inner);
                }
                self.cut_end = outer;
                if !inner.is_empty() {
                    let mut scrubbed = Vec::with_capacity(plain.len());
                    super::apply_edits(&plain, &mut inner, &mut scrubbed);
                    read = Some((packing, scrubbed));
                    break;
                }
            }
            let Some((packing, scrubbed)) = read else {
                self.findings.truncate(findings);
                continue;
            };
            let enc = match spelling {
                Spelling::Radix(radix) => rewrap(
                    radix_encode(radix, padded, &pack(packing, &scrubbed)),
                    &wrap,
                ),
                Spelling::Base64 => {
                    // A standard-alphabet blob with no padding because it needed none
                    // (its length a multiple of 4) was written by a padding encoder: the
                    // new one is padded too, or strict decoders refuse the copy.
                    let padded = padded || (!url && n % 4 == 0);
                    let form = B64Form { url, padded, wrap };
                    form.encode(&pack(packing, &scrubbed))
                }
            };
            out.push(Edit {
                start: base + start,
                end: base + end,
                text: String::from_utf8_lossy(&enc).into_owned(),
                claim: base + start,
            });
        }
    }

    /// The ways a base64 run (`v[start..body_end]`, `n` base64 characters, line breaks
    /// `wrap`) is read: its decoded bytes, inflated when compressed. Raw deflate has no
    /// header, so binary that happens to inflate to text (a BSON document starting
    /// `;\0\0\0`) is also read as it is. None when there is nothing to read: it does
    /// not decode, or it is `short` and holds no known secret.
    fn b64_readings(&self, compact: &[u8], short: bool) -> Option<Vec<(Packing, Vec<u8>)>> {
        let decoded = b64_decode_lenient(compact)?;
        if short && self.known.find_all(&decoded).next().is_none() {
            return None;
        }
        Some(Self::readings(decoded))
    }

    /// The ways decoded bytes are read: inflated when compressed (raw deflate, which
    /// has no header, both inflated and as they are), else as they are.
    fn readings(decoded: Vec<u8>) -> Vec<(Packing, Vec<u8>)> {
        let packing = if decoded.starts_with(&[0x1f, 0x8b]) {
            Packing::Gzip
        } else if crate::codec::coding::is_zstd(&decoded) {
            Packing::Zstd
        } else if crate::codec::coding::is_zlib(&decoded) {
            Packing::Zlib
        } else {
            Packing::Deflate
        };
        match inflate_any(&decoded) {
            Some(p) if packing == Packing::Deflate => {
                vec![(packing, p), (Packing::None, decoded)]
            }
            Some(p) => vec![(packing, p)],
            None => vec![(Packing::None, decoded)],
        }
    }

    /// Runs of printable bytes inside binary data, scrubbed as text in `mode` (edits in
    /// `d`'s coordinates plus `base`): runs of 8 bytes or more, 6 with `RulesOnly` (only
    /// token rules and known secrets, which can be a 6-digit PIN).
    ///
    /// The runs are joined, one a line, and read in one go (a PNG holds thousands of
    /// short runs; reading each on its own costs more than the rest of a HAR). An edit
    /// that spans a line break covers the binary bytes between those runs as well: the
    /// blob then loses them (and is re-encoded), which never keeps a secret.
    pub(crate) fn printable_runs(
        &mut self,
        d: &[u8],
        base: usize,
        mode: Mode,
        out: &mut Vec<Edit>,
    ) {
        let min = if mode == Mode::RulesOnly { 6 } else { 8 };
        let printable = |b: u8| (0x20..0x7f).contains(&b) || b == b'\t';
        // A run that names a credential, framed as a key of a binary map, followed
        // after a few bytes of framing by another run, is a key and its value
        // (MessagePack's `\xa8password\xb4…`, BSON's `\x02password\0` and a length):
        // the two are joined as `name=value`, whatever their lengths. The framing check
        // keeps runs of an image or a font that happen to spell a name (`pin`, `sid`)
        // out of it. (CBOR's short string headers are printable bytes, so a CBOR map is
        // one run: it is read by `cbor_text_pairs` below.)
        let framed = |s: usize, e: usize| {
            let n = e - s;
            let before = |k: usize| s.checked_sub(k).map(|j| d[j]);
            (n < 32 && before(1) == Some(0xa0 | n as u8))
                || (before(2) == Some(0xd9) && before(1) == u8::try_from(n).ok())
                || (d.get(e) == Some(&0) && before(1).is_some_and(|t| (1..=0x13).contains(&t)))
        };
        let engine = self.engine;
        let names = &engine.names;
        let credential_name = |r: &[u8]| {
            (3..=64).contains(&r.len())
                && (r[0].is_ascii_alphabetic() || r[0] == b'_')
                && r.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                && names.field(r) != crate::rules::names::ParamClass::Other
        };
        // (start in `joined`, start in `d`, length) of every run.
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        let mut joined = Vec::new();
        let mut name_end: Option<usize> = None;
        let mut name_at = 0..0;
        // Values under a name that always holds a credential, redacted whole whatever
        // they look like (`pin` in a map holds no number a text would want after `pin=`).
        let mut direct: Vec<(usize, usize, &'static str)> = Vec::new();
        let mut i = 0;
        while i < d.len() {
            if !printable(d[i]) {
                i += 1;
                continue;
            }
            let mut s = i;
            while i < d.len() && printable(d[i]) {
                i += 1;
            }
            let value = name_end.is_some_and(|e| s - e <= 6);
            // A printable length byte on its own (BSON's `!\0\0\0` before 32 bytes)
            // is framing: the value is the run after it.
            if value && i - s == 1 && d.get(i) == Some(&0) {
                continue;
            }
            if value {
                // A length byte that happens to be printable (`\xd9 ` before 32 bytes).
                while s + 1 < i && d[s] == b' ' {
                    s += 1;
                }
            }
            let name = !value && framed(s, i) && credential_name(&d[s..i]);
            if value && names.field(&d[name_at.clone()]) == crate::rules::names::ParamClass::Secret
            {
                direct.push((s, i, crate::detect::kind_for_name(&d[name_at.clone()])));
                name_end = None;
                continue;
            }
            if i - s >= min || value || name {
                if !joined.is_empty() {
                    joined.push(if value { b'=' } else { b'\n' });
                }
                runs.push((joined.len(), s, i - s));
                joined.extend_from_slice(&d[s..i]);
            }
            name_end = name.then_some(i);
            if name {
                name_at = s..i;
            }
        }
        // CBOR maps: a short text string's header is a printable byte (`h` is 0x68, a
        // string of 8), so a map is one run (`hpasswordlS3cr3t…`) in which no name
        // stands on its own. A text key naming a credential and the text value after
        // it are read as `name=value`, like the pairs above.
        let mut pairs: (Vec<u8>, Vec<(usize, usize, usize)>) = (Vec::new(), Vec::new());
        let first_edit = out.len();
        // The pairs read (in order, not overlapping): their values' lengths are mended.
        let mut cbor = Vec::new();
        for (key, value) in cbor_text_pairs(d) {
            if !credential_name(&d[key.clone()]) {
                continue;
            }
            cbor.push((key.clone(), value.clone()));
            if names.field(&d[key.clone()]) == crate::rules::names::ParamClass::Secret {
                let kind = crate::detect::kind_for_name(&d[key]);
                direct.push((value.start, value.end, kind));
                continue;
            }
            let (joined, runs) = &mut pairs;
            if !joined.is_empty() {
                joined.push(b'\n');
            }
            runs.push((joined.len(), key.start, key.len()));
            joined.extend_from_slice(&d[key]);
            joined.push(b'=');
            runs.push((joined.len(), value.start, value.len()));
            joined.extend_from_slice(&d[value]);
        }
        for (s, e, kind) in direct {
            self.redact(d, s, e, base, "context.key-value", kind, None, true, out);
        }
        for (joined, runs) in [(joined, runs), pairs] {
            if runs.is_empty() {
                continue;
            }
            let mut inner = Vec::new();
            self.text(&joined, 0, mode, &mut inner);
            // A position in `joined` in `d`: inside a run, or (a line break) the end of
            // the run before it.
            let to_d = |p: usize| -> usize {
                let k = runs.partition_point(|r| r.0 <= p).saturating_sub(1);
                let (js, ds, len) = runs[k];
                base + ds + (p - js).min(len)
            };
            for mut e in inner {
                e.start = to_d(e.start);
                e.end = to_d(e.end);
                e.claim = to_d(e.claim);
                out.push(e);
            }
        }
        // A CBOR value read above that an edit changed gets a header for its new
        // length, so the copy stays a map that reads the same way (with a stale length
        // a reader, and the verification, would take the placeholder's first bytes for
        // the value). Only those: bytes that merely look like a pair are left alone.
        if cbor.is_empty() {
            return;
        }
        let mut within: Vec<Vec<Edit>> = vec![Vec::new(); cbor.len()];
        for e in out.split_off(first_edit) {
            let i = cbor.partition_point(|(_, v)| base + v.end < e.end);
            match cbor.get(i) {
                Some((_, v)) if e.start >= base + v.start => within[i].push(e),
                _ => out.push(e),
            }
        }
        for ((key, value), mut inside) in cbor.into_iter().zip(within) {
            let (vs, ve) = (base + value.start, base + value.end);
            if inside.is_empty() {
                continue;
            }
            let claim = inside.iter().map(|e| e.claim).min().unwrap_or(vs);
            for e in &mut inside {
                e.start -= vs;
                e.end -= vs;
            }
            let mut new = Vec::with_capacity(value.len());
            super::apply_edits(&d[value], &mut inside, &mut new);
            let header = cbor_text_header(new.len());
            let text = header.iter().chain(&new).copied().collect::<Vec<u8>>();
            let Ok(text) = String::from_utf8(text) else {
                // A length byte of 0x80 or more cannot be an edit's text: the edits
                // stay as they were, the length stale.
                for e in &mut inside {
                    e.start += vs;
                    e.end += vs;
                }
                out.extend(inside);
                continue;
            };
            out.push(Edit {
                start: base + key.end,
                end: ve,
                text,
                claim: claim.min(base + key.end),
            });
        }
    }

    /// A decoded blob whose type is unknown: JSON if it parses, a form if it looks like
    /// one, free text otherwise.
    fn free_any(&mut self, d: &[u8], out: &mut Vec<Edit>) {
        let first = d.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'{' | b'[')) && self.json_text(d, 0, out) {
            return;
        }
        if memchr::memchr(b'=', d).is_some()
            && !d
                .iter()
                .any(|b| b.is_ascii_whitespace() || matches!(b, b'{' | b'<' | b'"'))
        {
            self.params(d, 0, b'&', true, out);
        }
        self.text(d, 0, Mode::Plain, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_pairs_and_headers() {
        let long = "x".repeat(300);
        let mut map = vec![0xa3, 0x64];
        map.extend_from_slice(b"user");
        map.push(0x63);
        map.extend_from_slice(b"bob");
        map.push(0x68);
        map.extend_from_slice(b"password");
        map.extend_from_slice(&[0x78, 30]);
        map.extend_from_slice(&[b'p'; 30]);
        map.push(0x64);
        map.extend_from_slice(b"blob");
        map.extend_from_slice(&[0x79, 0x01, 0x2c]);
        map.extend_from_slice(long.as_bytes());
        let pairs = cbor_text_pairs(&map);
        let text = |r: &std::ops::Range<usize>| std::str::from_utf8(&map[r.clone()]).unwrap();
        let got: Vec<(&str, usize)> = pairs.iter().map(|(k, v)| (text(k), v.len())).collect();
        assert_eq!(got, [("user", 3), ("password", 30), ("blob", 300)]);
        // Cut anywhere: no pair reaches past the end, nothing panics.
        for n in 0..map.len() {
            for (k, v) in cbor_text_pairs(&map[..n]) {
                assert!(k.end <= v.start && v.end <= n);
            }
        }
        for (len, head) in [
            (5, vec![0x65]),
            (23, vec![0x77]),
            (24, vec![0x78, 24]),
            (255, vec![0x78, 255]),
            (256, vec![0x79, 1, 0]),
            (70_000, vec![0x7a, 0, 1, 0x11, 0x70]),
        ] {
            assert_eq!(cbor_text_header(len), head, "{len}");
        }
    }

    #[test]
    fn maps_back() {
        let v = b"a%3Db%25c";
        let m = decode_with(v, percent_unit).unwrap();
        assert_eq!(m.bytes, b"a=b%c");
        assert_eq!(m.raw_start(1), 1);
        assert_eq!(m.raw_end(2), 4);
        assert_eq!(m.raw_start(2), 4);
        assert_eq!(m.raw_end(5), 9);
        let m = decode_with(b"x&#x3D;&amp;y", html_unit).unwrap();
        assert_eq!(m.bytes, b"x=&y");
        assert_eq!((m.raw_start(3), m.raw_end(4)), (12, 13));
        let m = decode_with(br"t\x3d\u002e\/", js_unit).unwrap();
        assert_eq!(m.bytes, b"t=./");
    }

    #[test]
    fn long_layers_are_read_in_windows() {
        let words = |n: usize| "lorem ipsum ".repeat(n / 12);
        // Short: whole.
        let m = decode_with(format!("{}\\/x", words(600)).as_bytes(), js_unit).unwrap();
        assert!(layer_windows(&m).is_none());
        // One escape in 40 KB of words: one window, its edges between words.
        let text = format!("{}token\\u003dabc {}", words(20_000), words(20_000));
        let m = decode_with(text.as_bytes(), js_unit).unwrap();
        let w = layer_windows(&m).unwrap();
        assert_eq!(w.len(), 1);
        let (from, to) = w[0];
        let at = memchr::memmem::find(&m.bytes, b"token=abc").unwrap();
        assert!(from <= at + 5 - LAYER_REACH && to >= at + 6 + LAYER_REACH);
        assert!(to - from < 2 * LAYER_REACH + 64);
        assert_eq!(m.bytes[from - 1], b' ');
        assert_eq!(m.bytes[to], b' ');
        // A wrapped base64 run that the edge falls in is taken whole.
        let blob = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk\n".repeat(60);
        let text = format!("{} {blob} token\\u003dabc {}", words(20_000), words(20_000));
        let m = decode_with(text.as_bytes(), js_unit).unwrap();
        let (from, _) = layer_windows(&m).unwrap()[0];
        let blob_at = memchr::memmem::find(&m.bytes, b"QUJD").unwrap();
        assert_eq!(from, blob_at);
        // Escapes every few hundred bytes: whole.
        let text = "lorem ipsum dolor \\/ sit amet ".repeat(2000);
        let m = decode_with(text.as_bytes(), js_unit).unwrap();
        assert!(layer_windows(&m).is_none());
    }

    #[test]
    fn reencodes_the_same_way() {
        let f = B64Form {
            url: false,
            padded: true,
            wrap: Some((4, b"\n".to_vec())),
        };
        assert_eq!(f.encode(b"hello"), b"aGVs\nbG8=");
        let f = B64Form {
            url: true,
            padded: false,
            wrap: None,
        };
        assert_eq!(f.encode(&[0xfb, 0xff]), b"-_8");
    }
}
