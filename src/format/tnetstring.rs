//! mitmproxy flow dumps (`.mitm`): a sequence of tnetstrings, one per flow.
//!
//! A tnetstring is `<length>:<payload><type>`, the type being `,` (bytes), `;` (text),
//! `#` (integer), `^` (float), `!` (boolean), `~` (null), `}` (dictionary: key, value,
//! key, value…) or `]` (list). The whole document is parsed and checked first (bounded
//! nesting); anything malformed fails the document, since a length prefix that does
//! not match would make the copy unreadable.
//!
//! Strings are scrubbed by where they sit: `headers` / `trailers` are lists of
//! `[name, value]` pairs (judged by header name); `content` next to `headers` is a
//! body, judged by that message's `Content-Type` after undoing its `Content-Encoding`
//! (mitmproxy stores bodies as they were sent); `path` is a URL; websocket and TCP
//! `messages` carry free text or JSON; any other string gets the free-value treatment.
//! Only changed values are re-serialised (with their enclosing length prefixes);
//! every other byte of the file stays identical.

use std::ops::Range;

use anyhow::{anyhow, Result};

use crate::detect::{apply_edits, Discovered, Edit, Known, Scrubber};
use crate::engine::Engine;
use crate::finding::Finding;
use crate::session::Session;

/// One parsed tnetstring.
#[derive(Debug, Clone)]
pub struct Node {
    /// Offset of the length prefix.
    pub start: usize,
    /// The payload (between `:` and the type byte).
    pub payload: Range<usize>,
    /// Offset just after the type byte.
    pub end: usize,
    /// The type byte.
    pub tag: u8,
    /// Items of a list, or alternating keys and values of a dictionary.
    pub children: Vec<Node>,
}

/// Longest length prefix accepted (in digits).
const MAX_LEN_DIGITS: usize = 12;

/// Parse the tnetstring at `pos`; `depth` is how many more container levels may open.
pub fn parse(data: &[u8], pos: usize, depth: usize) -> std::result::Result<Node, String> {
    let digits = data[pos.min(data.len())..]
        .iter()
        .take(MAX_LEN_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > MAX_LEN_DIGITS {
        return Err(format!("bad length prefix at byte {}", pos));
    }
    let colon = pos + digits;
    if data.get(colon) != Some(&b':') {
        return Err(format!("missing ':' after the length at byte {}", pos));
    }
    let len: usize = std::str::from_utf8(&data[pos..colon])
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("bad length prefix at byte {}", pos))?;
    let ps = colon + 1;
    let pe = ps
        .checked_add(len)
        .filter(|&e| e < data.len())
        .ok_or_else(|| format!("value at byte {} runs past the end of the data", pos))?;
    let tag = data[pe];
    let payload = &data[ps..pe];
    let mut children = Vec::new();
    match tag {
        b',' | b';' => {}
        b'#' => {
            let d = payload.strip_prefix(b"-").unwrap_or(payload);
            if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
                return Err(format!("bad integer at byte {}", pos));
            }
        }
        b'^' => {
            if std::str::from_utf8(payload)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_none()
            {
                return Err(format!("bad float at byte {}", pos));
            }
        }
        b'!' => {
            if payload != b"true" && payload != b"false" {
                return Err(format!("bad boolean at byte {}", pos));
            }
        }
        b'~' => {
            if !payload.is_empty() {
                return Err(format!("null with a payload at byte {}", pos));
            }
        }
        b'}' | b']' => {
            if depth == 0 {
                return Err(format!("nesting too deep at byte {}", pos));
            }
            let mut p = ps;
            while p < pe {
                let c = parse(&data[..pe], p, depth - 1)?;
                if tag == b'}' && children.len() % 2 == 0 && !matches!(c.tag, b',' | b';') {
                    return Err(format!("dictionary key is not a string at byte {}", p));
                }
                p = c.end;
                children.push(c);
            }
            if tag == b'}' && children.len() % 2 == 1 {
                return Err(format!("dictionary key without a value at byte {}", pos));
            }
        }
        other => {
            return Err(format!(
                "unknown type {:?} at byte {}",
                char::from(other),
                pe
            ))
        }
    }
    Ok(Node {
        start: pos,
        payload: ps..pe,
        end: pe + 1,
        tag,
        children,
    })
}

/// Parse a whole document: tnetstrings one after the other (whitespace between them
/// and at the end is allowed).
pub fn parse_all(data: &[u8], max_depth: usize) -> Result<Vec<Node>> {
    let mut nodes = Vec::new();
    let mut pos = 0;
    loop {
        while pos < data.len() && data[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= data.len() {
            return Ok(nodes);
        }
        let n = parse(data, pos, max_depth)
            .map_err(|e| anyhow!("malformed tnetstring (mitmproxy dump): {}", e))?;
        pos = n.end;
        nodes.push(n);
    }
}

/// Is this a mitmproxy dump: a `.mitm` name, or content starting with a tnetstring
/// dictionary (checked as far as `prefix` reaches)?
pub fn looks_like_mitm(name: &str, prefix: &[u8]) -> bool {
    if name
        .rsplit('.')
        .next()
        .is_some_and(|e| e.eq_ignore_ascii_case("mitm"))
    {
        return true;
    }
    let digits = prefix
        .iter()
        .take(MAX_LEN_DIGITS + 1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > MAX_LEN_DIGITS || prefix.get(digits) != Some(&b':') {
        return false;
    }
    let Some(len) = std::str::from_utf8(&prefix[..digits])
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
    else {
        return false;
    };
    let ps = digits + 1;
    if ps.saturating_add(len) < prefix.len() {
        return parse(prefix, 0, 512).is_ok_and(|n| n.tag == b'}');
    }
    // Longer than the prefix: the first key must be a complete string.
    len > 0 && parse(prefix, ps, 0).is_ok_and(|k| matches!(k.tag, b',' | b';'))
}

fn encode(payload: &[u8], tag: u8) -> Vec<u8> {
    let mut out = format!("{}:", payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out.push(tag);
    out
}

fn push_seg(loc: &mut String, seg: &[u8]) {
    loc.push('/');
    for ch in String::from_utf8_lossy(seg).chars() {
        match ch {
            '~' => loc.push_str("~0"),
            '/' => loc.push_str("~1"),
            c => loc.push(c),
        }
    }
}

fn is_str(n: &Node) -> bool {
    matches!(n.tag, b',' | b';')
}

/// A `Content-Length` to correct: (old value, new value).
type LengthFix = Option<(usize, usize)>;

struct Walk<'a, 'e> {
    s: &'a mut Scrubber<'e>,
    data: &'a [u8],
}

impl Walk<'_, '_> {
    fn bytes(&self, n: &Node) -> &[u8] {
        &self.data[n.payload.clone()]
    }

    /// Scrub a string node with `f`; its new encoding when anything changed.
    fn string_with(
        &mut self,
        n: &Node,
        f: impl FnOnce(&mut Scrubber, &[u8], &mut Vec<Edit>),
    ) -> Option<Vec<u8>> {
        let v = &self.data[n.payload.clone()];
        let mut edits = Vec::new();
        f(self.s, v, &mut edits);
        if edits.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(v.len());
        apply_edits(v, &mut edits, &mut out);
        (out != v).then(|| encode(&out, n.tag))
    }

    /// A container whose children may have changed.
    fn rebuild(&self, n: &Node, news: Vec<Option<Vec<u8>>>) -> Option<Vec<u8>> {
        if news.iter().all(Option::is_none) {
            return None;
        }
        let mut payload = Vec::with_capacity(n.payload.len());
        for (c, new) in n.children.iter().zip(news) {
            match new {
                Some(b) => payload.extend_from_slice(&b),
                None => payload.extend_from_slice(&self.data[c.start..c.end]),
            }
        }
        Some(encode(&payload, n.tag))
    }

    /// Any value with no telling context.
    fn generic(&mut self, n: &Node) -> Result<Option<Vec<u8>>> {
        Ok(match n.tag {
            b',' | b';' => self.string_with(n, |s, v, out| s.free(v, 0, out)),
            b'}' => self.dict(n)?,
            b']' => {
                let mut news = Vec::with_capacity(n.children.len());
                for (i, c) in n.children.iter().enumerate() {
                    let mark = self.s.loc.len();
                    self.s.loc.push_str(&format!("/{}", i));
                    news.push(self.generic(c)?);
                    self.s.loc.truncate(mark);
                }
                self.rebuild(n, news)
            }
            _ => None,
        })
    }

    /// `Content-Type` and `Content-Encoding` of a `[[name, value], …]` header list.
    fn header_info(&self, list: &Node) -> (Vec<u8>, Vec<u8>) {
        let mut mime = None;
        let mut enc = Vec::new();
        for pair in &list.children {
            if pair.tag != b']' || pair.children.len() != 2 || !pair.children.iter().all(is_str) {
                continue;
            }
            let name = self.bytes(&pair.children[0]);
            let value = self.bytes(&pair.children[1]);
            if name.eq_ignore_ascii_case(b"content-type") && mime.is_none() {
                mime = Some(value.to_vec());
            } else if name.eq_ignore_ascii_case(b"content-encoding") {
                enc.extend_from_slice(value);
                enc.push(b',');
            }
        }
        (mime.unwrap_or_default(), enc)
    }

    fn dict(&mut self, n: &Node) -> Result<Option<Vec<u8>>> {
        let key = |i: usize| &self.data[n.children[i].payload.clone()];
        let find = |name: &[u8]| (0..n.children.len()).step_by(2).find(|&i| key(i) == name);
        let mut news: Vec<Option<Vec<u8>>> = vec![None; n.children.len()];
        let headers = find(b"headers").filter(|&i| n.children[i + 1].tag == b']');
        let content = find(b"content").filter(|&i| is_str(&n.children[i + 1]));
        let mut fix: LengthFix = None;
        if let (Some(h), Some(c)) = (headers, content) {
            let (mime, enc) = self.header_info(&n.children[h + 1]);
            let node = &n.children[c + 1];
            let mark = self.s.loc.len();
            self.s.loc.push_str("/content");
            let label = self.s.loc.clone();
            let raw = &self.data[node.payload.clone()];
            let res = crate::format::http::scrub_body(self.s, raw, &mime, &enc, None, &label);
            self.s.loc.truncate(mark);
            if let Some(new) = res? {
                fix = Some((raw.len(), new.len()));
                news[c + 1] = Some(encode(&new, node.tag));
            }
        }
        for i in (0..n.children.len()).step_by(2) {
            let (k, v) = (&n.children[i], &n.children[i + 1]);
            let name = self.bytes(k).to_vec();
            news[i] = self.string_with(k, |s, v, out| s.rules_only(v, 0, out));
            if Some(i) == content && headers.is_some() {
                continue;
            }
            let mark = self.s.loc.len();
            push_seg(&mut self.s.loc, &name);
            news[i + 1] = match name.as_slice() {
                b"headers" | b"trailers" if v.tag == b']' => {
                    self.headers(v, if Some(i) == headers { fix } else { None })
                }
                b"path" if is_str(v) => self.string_with(v, |s, v, out| s.url(v, 0, out)),
                b"messages" if v.tag == b']' => self.messages(v)?,
                _ => self.generic(v)?,
            };
            self.s.loc.truncate(mark);
        }
        Ok(self.rebuild(n, news))
    }

    /// `[[name, value], …]`; `fix` corrects a `Content-Length` after a body changed.
    fn headers(&mut self, list: &Node, fix: LengthFix) -> Option<Vec<u8>> {
        let mut news = Vec::with_capacity(list.children.len());
        for (i, pair) in list.children.iter().enumerate() {
            let mark = self.s.loc.len();
            self.s.loc.push_str(&format!("/{}", i));
            let new = if pair.tag == b']'
                && pair.children.len() == 2
                && pair.children.iter().all(is_str)
            {
                let name = self.bytes(&pair.children[0]).to_vec();
                let vnode = &pair.children[1];
                let value = self.bytes(vnode);
                let nv = match fix {
                    Some((old, new))
                        if name.eq_ignore_ascii_case(b"content-length")
                            && value == old.to_string().as_bytes() =>
                    {
                        Some(encode(new.to_string().as_bytes(), vnode.tag))
                    }
                    _ => {
                        self.s.loc.push_str("/1");
                        let r = self.string_with(vnode, |s, v, out| s.header(&name, v, 0, out));
                        self.s.loc.truncate(mark + format!("/{}", i).len());
                        r
                    }
                };
                let nn = self.string_with(&pair.children[0], |s, v, out| s.rules_only(v, 0, out));
                self.rebuild(pair, vec![nn, nv])
            } else {
                self.generic(pair).unwrap_or(None)
            };
            self.s.loc.truncate(mark);
            news.push(new);
        }
        self.rebuild(list, news)
    }

    /// Websocket messages `[type, from_client, content, timestamp, …]` and TCP
    /// messages `[from_client, content, timestamp]`: the content is free text or JSON
    /// (binary websocket frames, type 2, get the token rules only).
    fn messages(&mut self, list: &Node) -> Result<Option<Vec<u8>>> {
        let mut news = Vec::with_capacity(list.children.len());
        for (i, m) in list.children.iter().enumerate() {
            let mark = self.s.loc.len();
            self.s.loc.push_str(&format!("/{}", i));
            let new = if m.tag == b']' {
                let binary = m
                    .children
                    .first()
                    .is_some_and(|t| t.tag == b'#' && self.bytes(t) == b"2");
                let mime: &[u8] = if binary {
                    b"application/octet-stream"
                } else {
                    b""
                };
                let ci = m.children.iter().position(is_str);
                let mut inner = Vec::with_capacity(m.children.len());
                for (j, c) in m.children.iter().enumerate() {
                    let mk = self.s.loc.len();
                    self.s.loc.push_str(&format!("/{}", j));
                    inner.push(if Some(j) == ci {
                        self.string_with(c, |s, v, out| {
                            crate::detect::walk::body(s, v, mime, 0, out)
                        })
                    } else {
                        self.generic(c)?
                    });
                    self.s.loc.truncate(mk);
                }
                self.rebuild(m, inner)
            } else {
                self.generic(m)?
            };
            self.s.loc.truncate(mark);
            news.push(new);
        }
        Ok(self.rebuild(list, news))
    }
}

/// Scrub a mitmproxy dump.
pub fn scrub(
    engine: &Engine,
    session: &Session,
    provenance: &str,
    data: &[u8],
    known: &Known,
) -> Result<(Vec<u8>, Vec<Finding>, Discovered)> {
    let nodes = parse_all(data, engine.limits.max_json_depth)?;
    let mut s = Scrubber::new(engine, session, provenance, known);
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 0;
    for (i, n) in nodes.iter().enumerate() {
        s.loc = format!("/{}", i);
        let new = Walk { s: &mut s, data }.generic(n)?;
        out.extend_from_slice(&data[pos..n.start]);
        match new {
            Some(b) => out.extend_from_slice(&b),
            None => out.extend_from_slice(&data[n.start..n.end]),
        }
        pos = n.end;
    }
    out.extend_from_slice(&data[pos..]);
    Ok((out, s.findings, s.discovered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let d = b"31:5:hello,8:1:a,1:2#]2:ok,4:true!}";
        let n = parse(d, 0, 8).unwrap();
        assert_eq!(n.tag, b'}');
        assert_eq!(n.end, d.len());
        assert_eq!(n.children.len(), 4);
        assert!(parse(b"5:hello", 0, 8).is_err());
        assert!(parse(b"5:hello?", 0, 8).is_err());
        assert!(parse(b"3:abc#", 0, 8).is_err());
        assert!(parse(b"8:1:a,1:b,}", 0, 8).is_ok());
        assert!(parse(b"4:1:a,}", 0, 8).is_err());
        assert!(parse(b"6:1:a,1:b,}", 0, 8).is_err());
        assert!(parse(b"8:1:1#1:a,}", 0, 8).is_err());
        assert!(parse(b"9:6:3:0:]]]]", 0, 4).is_ok());
        assert!(parse(b"9:6:3:0:]]]]", 0, 3).is_err());
        assert!(parse(b"99999999999999:x,", 0, 8).is_err());
    }

    #[test]
    fn sniffs() {
        assert!(looks_like_mitm("x.mitm", b""));
        assert!(looks_like_mitm("flows", b"10:1:a,1:b,}"));
        assert!(looks_like_mitm("flows", b"8290:9:websocket;201:"));
        assert!(!looks_like_mitm("log.txt", b"12:30:00 started the server"));
        assert!(!looks_like_mitm("log.txt", b"100:abc"));
    }
}
