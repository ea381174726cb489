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
//! Layers nest (a percent layer inside a base64 layer…) up to [`MAX_LAYERS`] deep.

use std::io::Write;

use super::text::Mode;
use super::views::{b64_decode_lenient, html_entity, inflate_any, texty};
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

impl Mapped {
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
        b @ (b'"' | b'\'' | b'/' | b'\\' | b'=' | b'&' | b'-' | b'.') => {
            out.push(*b);
            Some(2)
        }
        _ => None,
    }
}

/// The escaping layers.
#[derive(Clone, Copy, PartialEq)]
enum Layer {
    Percent,
    Form,
    Html,
    Js,
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
        match &self.wrap {
            None => e.into_bytes(),
            Some((w, nl)) => {
                let mut out = Vec::with_capacity(e.len() + e.len() / w * nl.len());
                for (k, line) in e.as_bytes().chunks(*w).enumerate() {
                    if k > 0 {
                        out.extend_from_slice(nl);
                    }
                    out.extend_from_slice(line);
                }
                out
            }
        }
    }
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

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

impl Scrubber<'_> {
    /// Look through the encodings inside `v` (see the module docs); edits go to `out`
    /// in `v`'s coordinates plus `base`, after the ones already there.
    pub(crate) fn layers(&mut self, v: &[u8], base: usize, mode: Mode, out: &mut Vec<Edit>) {
        if self.layer_depth >= MAX_LAYERS || v.len() < 8 {
            return;
        }
        self.layer_depth += 1;
        let first = 0;
        if memchr::memchr(b'%', v).is_some() {
            if let Some(m) = decode_with(v, percent_unit) {
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
        if memchr::memchr(b'&', v).is_some() {
            if let Some(m) = decode_with(v, html_unit) {
                self.through(Layer::Html, &m, base, mode, first, out);
            }
        }
        if memchr::memchr(b'\\', v).is_some() {
            if let Some(m) = decode_with(v, js_unit) {
                self.through(Layer::Js, &m, base, mode, first, out);
            }
        }
        self.base64_blobs(v, base, out);
        self.layer_depth -= 1;
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
        if inner_mode == Mode::Value {
            // A decoded value may be a URL or a JSON document of its own.
            self.free(&m.bytes, 0, &mut inner);
        } else {
            self.text(&m.bytes, 0, inner_mode, &mut inner);
        }
        let mut added = false;
        // What a replacement (a re-encoded blob, say) must look like in this layer.
        let escape = |t: String| -> String {
            match layer {
                Layer::Percent => super::pct_escape_replacement(t),
                Layer::Form => super::pct_escape_replacement(t).replace("%20", "+"),
                Layer::Html => t
                    .replace('&', "&amp;")
                    .replace('"', "&quot;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;"),
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
            out.push(Edit {
                start: s,
                end: t,
                text: escape(e.text),
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
    fn base64_blobs(&mut self, v: &[u8], base: usize, out: &mut Vec<Edit>) {
        let mut i = 0;
        while i < v.len() {
            if !is_b64(v[i]) || (i > 0 && (is_b64(v[i - 1]) || v[i - 1] == b'%')) {
                i += 1;
                continue;
            }
            let start = i;
            let mut compact = Vec::new();
            let mut url = false;
            let mut std = false;
            let mut wrap: Option<(usize, Vec<u8>)> = None;
            let mut line_start = i;
            let mut ragged = false;
            while i < v.len() {
                let b = v[i];
                if is_b64(b) {
                    url |= matches!(b, b'-' | b'_');
                    std |= matches!(b, b'+' | b'/');
                    compact.push(b);
                    i += 1;
                    continue;
                }
                // A line break followed by more base64: a wrapped blob. Inside a JSON
                // or JavaScript string the break is written `\r\n` or `\n`.
                let nl = if v[i..].starts_with(b"\r\n") {
                    2
                } else if b == b'\n' {
                    1
                } else if v[i..].starts_with(b"\\r\\n") {
                    4
                } else if v[i..].starts_with(b"\\n") {
                    2
                } else {
                    0
                };
                if nl > 0 && v.get(i + nl).is_some_and(|&c| is_b64(c)) {
                    let w = i - line_start;
                    match &wrap {
                        None => wrap = Some((w, v[i..i + nl].to_vec())),
                        Some((w0, _)) if *w0 != w => ragged = true,
                        _ => {}
                    }
                    i += nl;
                    line_start = i;
                    continue;
                }
                break;
            }
            let mut padded = false;
            while i < v.len() && v[i] == b'=' && i - start < compact.len() + 4 + 64 {
                padded = true;
                i += 1;
            }
            let end = i;
            // Short blobs (12+) can only hide a known secret (a 10-character password):
            // looked into only when they do.
            let short = compact.len() < MIN_B64;
            if (short && (compact.len() < 12 || !self.knows_secrets())) || (url && std) || ragged {
                continue;
            }
            // Already redacted by a handler above: nothing to add.
            if out
                .iter()
                .any(|o| o.start <= base + start && o.end >= base + end)
            {
                continue;
            }
            let Some(decoded) = b64_decode_lenient(&compact) else {
                continue;
            };
            if short && self.known.find_all(&decoded).next().is_none() {
                continue;
            }
            let (packing, plain) = match inflate_any(&decoded) {
                Some(p) => (
                    if decoded.starts_with(&[0x1f, 0x8b]) {
                        Packing::Gzip
                    } else if crate::format::coding::is_zstd(&decoded) {
                        Packing::Zstd
                    } else if decoded[0] & 0x0f == 8
                        && (u16::from(decoded[0]) << 8 | u16::from(decoded[1])) % 31 == 0
                    {
                        Packing::Zlib
                    } else {
                        Packing::Deflate
                    },
                    p,
                ),
                None => (Packing::None, decoded),
            };
            let findings = self.findings.len();
            let mut inner = Vec::new();
            if texty(&plain) {
                self.free_any(&plain, &mut inner);
            } else {
                // Binary (protobuf in gRPC-web frames, say): every printable run is
                // read as text, the way `strings` would show it.
                self.printable_runs(&plain, &mut inner);
            }
            if inner.is_empty() {
                self.findings.truncate(findings);
                continue;
            }
            let mut scrubbed = Vec::with_capacity(plain.len());
            super::apply_edits(&plain, &mut inner, &mut scrubbed);
            let form = B64Form { url, padded, wrap };
            let enc = form.encode(&pack(packing, &scrubbed));
            out.push(Edit {
                start: base + start,
                end: base + end,
                text: String::from_utf8_lossy(&enc).into_owned(),
                claim: base + start,
            });
        }
    }

    /// Runs of 8+ printable bytes inside binary data, each scrubbed as text.
    pub(crate) fn printable_runs(&mut self, d: &[u8], out: &mut Vec<Edit>) {
        let printable = |b: u8| (0x20..0x7f).contains(&b) || b == b'\t';
        let mut i = 0;
        while i < d.len() {
            if !printable(d[i]) {
                i += 1;
                continue;
            }
            let s = i;
            while i < d.len() && printable(d[i]) {
                i += 1;
            }
            if i - s >= 8 {
                self.text(&d[s..i], s, Mode::Plain, out);
            }
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
