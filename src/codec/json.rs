//! A span-keeping JSON reader.
//!
//! serde_json would re-serialise the whole document; harscrub must instead copy every
//! byte that is not a secret unchanged (formatting, key order, escapes, number
//! spellings). This module parses JSON into a light tree that only records byte ranges,
//! so a handler can decide what to redact and splice placeholders into the original
//! bytes. Strings are decoded on demand, with a map from decoded offsets back to raw
//! offsets so an edit in the decoded text lands on the right raw bytes.
//!
//! Nesting is limited (`max_depth`) so hostile input cannot overflow the stack.

use std::borrow::Cow;
use std::ops::Range;

/// A parsed JSON value; strings and scalars are byte ranges into the source.
#[derive(Debug, Clone)]
pub enum Value {
    /// Raw contents between the quotes (escapes not decoded).
    Str(Range<usize>),
    /// Number, `true`, `false` or `null`.
    Scalar(Range<usize>),
    Arr(Vec<Value>),
    /// Members in document order: (raw key range, value).
    Obj(Vec<(Range<usize>, Value)>),
}

impl Value {
    #[cfg(test)]
    pub fn as_str_span(&self) -> Option<Range<usize>> {
        match self {
            Value::Str(r) => Some(r.clone()),
            _ => None,
        }
    }
}

/// Error with a byte offset, turned into a line/column message by the caller.
#[derive(Debug)]
pub struct SyntaxError {
    pub offset: usize,
    pub msg: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.msg, self.offset)
    }
}

impl std::error::Error for SyntaxError {}

/// Recursive-descent parser over a byte slice.
pub struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a [u8], max_depth: usize) -> Self {
        Parser {
            src,
            pos: 0,
            depth: 0,
            max_depth,
        }
    }

    fn err<T>(&self, msg: &'static str) -> std::result::Result<T, SyntaxError> {
        Err(SyntaxError {
            offset: self.pos,
            msg,
        })
    }

    pub fn skip_ws(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Parse a complete document: one value with only whitespace around it.
    pub fn parse_document(mut self) -> std::result::Result<Value, SyntaxError> {
        let v = self.parse_value()?;
        self.skip_ws();
        if self.pos != self.src.len() {
            return self.err("trailing characters after JSON value");
        }
        Ok(v)
    }

    /// Where the parser is: after [`parse_value`](Self::parse_value), the end of the
    /// value it read.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Parse one value starting at the current position (leading whitespace skipped).
    pub fn parse_value(&mut self) -> std::result::Result<Value, SyntaxError> {
        self.skip_ws();
        match self.src.get(self.pos) {
            None => self.err("unexpected end of input"),
            Some(b'"') => Ok(Value::Str(self.parse_string()?)),
            Some(b'{') => self.parse_object(),
            Some(b'[') => self.parse_array(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            // Not JSON, but written by Python's `json` and some exporters: kept as is.
            Some(b'N') => self.literal(b"NaN"),
            Some(b'I') => self.literal(b"Infinity"),
            Some(b'-') if self.src[self.pos + 1..].starts_with(b"Infinity") => {
                self.pos += 1;
                self.literal(b"Infinity")
                    .map(|_| Value::Scalar(self.pos - 9..self.pos))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.err("unexpected character"),
        }
    }

    fn literal(&mut self, word: &[u8]) -> std::result::Result<Value, SyntaxError> {
        let start = self.pos;
        if self.src[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(Value::Scalar(start..self.pos))
        } else {
            self.err("invalid literal")
        }
    }

    fn number(&mut self) -> std::result::Result<Value, SyntaxError> {
        let start = self.pos;
        if self.src.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.src.get(p.pos), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return self.err("invalid number");
        }
        if self.src.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !digits(self) {
                return self.err("invalid number");
            }
        }
        if matches!(self.src.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.src.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return self.err("invalid number");
            }
        }
        Ok(Value::Scalar(start..self.pos))
    }

    /// Parse a string at the current `"`; returns the raw range between the quotes.
    pub fn parse_string(&mut self) -> std::result::Result<Range<usize>, SyntaxError> {
        debug_assert_eq!(self.src.get(self.pos), Some(&b'"'));
        self.pos += 1;
        let start = self.pos;
        loop {
            match memchr::memchr3(b'"', b'\\', b'\n', &self.src[self.pos..]) {
                None => return self.err("unterminated string"),
                Some(i) => {
                    self.pos += i;
                    match self.src[self.pos] {
                        b'"' => {
                            let end = self.pos;
                            self.pos += 1;
                            if self.src[start..end].iter().any(|&b| b < 0x20) {
                                return self.err("control character in string");
                            }
                            return Ok(start..end);
                        }
                        b'\\' => {
                            let esc = self.src.get(self.pos + 1).copied();
                            match esc {
                                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                                    self.pos += 2
                                }
                                Some(b'u') => {
                                    let hex = self.src.get(self.pos + 2..self.pos + 6);
                                    match hex {
                                        Some(h) if h.iter().all(u8::is_ascii_hexdigit) => {
                                            self.pos += 6
                                        }
                                        _ => return self.err("invalid \\u escape"),
                                    }
                                }
                                _ => return self.err("invalid escape"),
                            }
                        }
                        _ => return self.err("newline in string"),
                    }
                }
            }
        }
    }

    fn enter(&mut self) -> std::result::Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return self.err("nesting too deep");
        }
        Ok(())
    }

    fn parse_array(&mut self) -> std::result::Result<Value, SyntaxError> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Arr(items));
        }
        loop {
            items.push(self.parse_value()?);
            self.skip_ws();
            match self.src.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                None => return self.err("unexpected end of input in array"),
                _ => return self.err("expected ',' or ']'"),
            }
        }
        self.depth -= 1;
        Ok(Value::Arr(items))
    }

    fn parse_object(&mut self) -> std::result::Result<Value, SyntaxError> {
        self.enter()?;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Obj(members));
        }
        loop {
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b'"') {
                return self.err("expected string key");
            }
            let key = self.parse_string()?;
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b':') {
                return self.err("expected ':'");
            }
            self.pos += 1;
            let v = self.parse_value()?;
            members.push((key, v));
            self.skip_ws();
            match self.src.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                None => return self.err("unexpected end of input in object"),
                _ => return self.err("expected ',' or '}'"),
            }
        }
        self.depth -= 1;
        Ok(Value::Obj(members))
    }
}

/// Decode a raw JSON string body (between the quotes). Borrowed when it has no escapes.
pub fn decode(raw: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(b'\\', raw).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    decode_into(raw, &mut out);
    Cow::Owned(out)
}

/// Decoded bytes between two marks of an [`OffsetMap`].
const MAP_STRIDE: usize = 128;

/// Maps offsets in the decoded form of a raw JSON string body back to raw offsets.
///
/// It does not keep one entry per byte (a 1 GiB string would need gigabytes of map):
/// only a mark every `MAP_STRIDE` decoded bytes, and a lookup decodes forward from
/// the mark before it (at most `MAP_STRIDE` characters). About 1/16 of a byte per
/// decoded byte; nothing at all for a string without escapes.
pub struct OffsetMap<'a> {
    raw: &'a [u8],
    /// For decoded offset `k * MAP_STRIDE`: the raw offset of the character (plain
    /// byte or escape) that produced it, shifted left by 2, plus how many bytes that
    /// character produced before it (0..=3, UTF-8 from a `\u` escape).
    marks: Vec<u64>,
    /// Length of the decoded string.
    len: usize,
    /// No escapes: decoded and raw offsets are the same.
    identity: bool,
}

/// The [`OffsetMap`] of a raw JSON string body, without decoding it into memory.
pub fn offset_map(raw: &[u8]) -> OffsetMap<'_> {
    if memchr::memchr(b'\\', raw).is_none() {
        return OffsetMap {
            raw,
            marks: Vec::new(),
            len: raw.len(),
            identity: true,
        };
    }
    let mut marks = Vec::with_capacity(raw.len() / MAP_STRIDE + 1);
    let (mut i, mut d) = (0usize, 0usize);
    let mut buf = [0u8; 4];
    while i < raw.len() {
        // A run of plain bytes: decoded and raw offsets advance together.
        let run = memchr::memchr(b'\\', &raw[i..]).unwrap_or(raw.len() - i);
        let mut next = marks.len() * MAP_STRIDE;
        while next < d + run {
            marks.push(((i + next - d) as u64) << 2);
            next += MAP_STRIDE;
        }
        i += run;
        d += run;
        if i >= raw.len() {
            break;
        }
        let (used, produced) = unescape(raw, i, &mut buf);
        let mut next = marks.len() * MAP_STRIDE;
        while next < d + produced {
            marks.push(((i as u64) << 2) | (next - d) as u64);
            next += MAP_STRIDE;
        }
        i += used;
        d += produced;
    }
    OffsetMap {
        raw,
        marks,
        len: d,
        identity: false,
    }
}

impl OffsetMap<'_> {
    /// Raw offset for a decoded offset. Every byte a character produced maps to the
    /// start of that character (of its escape); the end maps to the raw end.
    pub fn raw_offset(&self, decoded: usize) -> usize {
        if self.identity {
            return decoded.min(self.raw.len());
        }
        if decoded >= self.len {
            return self.raw.len();
        }
        let mark = self.marks[decoded / MAP_STRIDE];
        let mut i = (mark >> 2) as usize;
        let mut d = decoded / MAP_STRIDE * MAP_STRIDE - (mark & 3) as usize;
        let mut buf = [0u8; 4];
        loop {
            let (used, produced) = if self.raw[i] == b'\\' {
                unescape(self.raw, i, &mut buf)
            } else {
                (1, 1)
            };
            if decoded < d + produced {
                return i;
            }
            d += produced;
            i += used;
        }
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(b.get(..4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Decode the escape at `raw[i]` (a backslash) into `buf`: (raw bytes used, bytes
/// produced). Malformed escapes (which the parser refuses) decode to something
/// harmless rather than failing: a lone `\\`, U+FFFD for bad `\u` digits.
fn unescape(raw: &[u8], i: usize, buf: &mut [u8; 4]) -> (usize, usize) {
    let esc = raw.get(i + 1).copied().unwrap_or(b'\\');
    let simple = match esc {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => b'\x08',
        b'f' => b'\x0c',
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let hi = hex4(&raw[(i + 2).min(raw.len())..]).unwrap_or(0xFFFD);
            let mut len = 6;
            let ch = if (0xD800..0xDC00).contains(&hi)
                && raw.get(i + 6) == Some(&b'\\')
                && raw.get(i + 7) == Some(&b'u')
            {
                match hex4(&raw[(i + 8).min(raw.len())..]) {
                    Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                        len = 12;
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    }
                    _ => None,
                }
            } else {
                char::from_u32(hi)
            };
            let n = ch.unwrap_or('\u{FFFD}').encode_utf8(buf).len();
            return (len.min(raw.len() - i), n);
        }
        _ => b'\\',
    };
    buf[0] = simple;
    (2.min(raw.len() - i), 1)
}

fn decode_into(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < raw.len() {
        let run = memchr::memchr(b'\\', &raw[i..]).unwrap_or(raw.len() - i);
        out.extend_from_slice(&raw[i..i + run]);
        i += run;
        if i >= raw.len() {
            break;
        }
        let (used, produced) = unescape(raw, i, &mut buf);
        out.extend_from_slice(&buf[..produced]);
        i += used;
    }
}

/// Encode bytes as the contents of a JSON string (no quotes), escaping minimally.
pub fn encode_into(s: &[u8], out: &mut Vec<u8>) {
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(format!("\\u{:04x}", b).as_bytes()),
            _ => out.push(b),
        }
    }
}

/// Turn a syntax error offset into a `line L, column C` message.
pub fn describe_error(src: &[u8], e: &SyntaxError) -> String {
    let upto = &src[..e.offset.min(src.len())];
    let line = memchr::memchr_iter(b'\n', upto).count() + 1;
    let col = upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    format!("{} (line {}, column {})", e.msg, line, col)
}

/// Parse a whole document, with a readable error.
#[cfg(test)]
pub fn parse(src: &[u8], max_depth: usize) -> anyhow::Result<Value> {
    match Parser::new(src, max_depth).parse_document() {
        Ok(v) => Ok(v),
        Err(e) => anyhow::bail!("invalid JSON: {}", describe_error(src, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps_spans() {
        let src = br#"{"a": "x\/y", "b": [1, -2.5e3, true, null], "c": {}}"#;
        let v = parse(src, 64).unwrap();
        let Value::Obj(m) = v else { panic!() };
        assert_eq!(m.len(), 3);
        let a = m[0].1.as_str_span().unwrap();
        assert_eq!(&src[a.clone()], br"x\/y");
        assert_eq!(decode(&src[a]).as_ref(), b"x/y");
    }

    #[test]
    fn decode_map_points_back_to_raw() {
        let raw = br"ab\u0041\/cd\ud83d\ude00e";
        let bytes = decode(raw);
        let map = offset_map(raw);
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), "abA/cd\u{1F600}e");
        // 'c' is at decoded 4, raw 10
        assert_eq!(map.raw_offset(4), 10);
        // end maps to raw end
        assert_eq!(map.raw_offset(bytes.len()), raw.len());
        // the emoji's bytes all map to the start of its escape
        assert_eq!(map.raw_offset(6), 12);
        assert_eq!(map.raw_offset(10), 24);
    }

    /// The sparse map agrees with a map of every byte, across strides and escapes of
    /// every width (including UTF-8 from `\u` escapes split across a mark).
    #[test]
    fn offset_map_matches_a_full_map() {
        let pieces: [&[u8]; 9] = [
            b"abc",
            br"\n",
            br"\u00e9",
            br"\ud83d\ude00",
            br"\u20ac",
            br"\/",
            b"x",
            br"\\",
            br"\ud800x",
        ];
        for seed in 0..40u32 {
            let mut raw = Vec::new();
            let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(7);
            for _ in 0..(seed as usize * 37 % 400 + 1) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                raw.extend_from_slice(pieces[x as usize % pieces.len()]);
            }
            // Reference: one raw offset per decoded byte.
            let mut full = Vec::new();
            let mut decoded = Vec::new();
            let mut i = 0;
            let mut buf = [0u8; 4];
            while i < raw.len() {
                let (used, produced) = if raw[i] == b'\\' {
                    unescape(&raw, i, &mut buf)
                } else {
                    buf[0] = raw[i];
                    (1, 1)
                };
                decoded.extend_from_slice(&buf[..produced]);
                full.extend(std::iter::repeat_n(i, produced));
                i += used;
            }
            full.push(raw.len());
            assert_eq!(decode(&raw).as_ref(), decoded.as_slice(), "seed {seed}");
            let m = offset_map(&raw);
            for (d, want) in full.iter().enumerate() {
                assert_eq!(m.raw_offset(d), *want, "seed {seed}, decoded offset {d}");
            }
        }
        // Without escapes: the identity, and no marks at all.
        let m = offset_map(b"plain text");
        assert!(m.marks.is_empty());
        assert_eq!(m.raw_offset(3), 3);
        assert_eq!(m.raw_offset(10), 10);
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            &b"{"[..],
            b"{\"a\" 1}",
            b"[1,]",
            b"\"abc",
            b"{\"a\":tru}",
            b"[1] x",
            b"\"a\\qb\"",
        ] {
            assert!(
                parse(bad, 64).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn depth_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let e = parse(deep.as_bytes(), 512).unwrap_err();
        assert!(e.to_string().contains("nesting too deep"));
    }

    #[test]
    fn encode_roundtrip() {
        let mut out = Vec::new();
        encode_into(b"a\"b\\c\nd\x01", &mut out);
        assert_eq!(out, br#"a\"b\\c\nd\u0001"#);
        assert_eq!(decode(&out).as_ref(), b"a\"b\\c\nd\x01");
    }
}
