//! Turning finding locations into line and column, for formats that want a region
//! (SARIF). Findings locate a value by JSON Pointer (JSON and HAR) or by `line:column`
//! with a byte column (text); a viewer wants a line and a column in UTF-16 code units.
//!
//! Both are computed by streaming the file once, without holding it in memory: a HAR
//! of gigabytes is read at disk speed and the scan stops as soon as every location
//! asked for has been seen. Nothing here keeps or returns file content.

use std::collections::HashMap;
use std::io::{self, Read};

/// A 1-based line and a 1-based column counted in UTF-16 code units (SARIF's default
/// `columnKind`). Lines end at `\n`, as in harscrub's own `line:column` locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

/// Deepest nesting followed when resolving JSON Pointers.
const MAX_DEPTH: usize = 1024;

/// Buffered byte reader that tracks the line and UTF-16 column of the next byte.
struct Cursor<R> {
    r: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    line: u64,
    /// UTF-16 code units before the next byte on the current line.
    col: u64,
}

impl<R: Read> Cursor<R> {
    fn new(r: R) -> Self {
        Cursor {
            r,
            buf: vec![0u8; 64 << 10].into_boxed_slice(),
            pos: 0,
            len: 0,
            line: 1,
            col: 0,
        }
    }

    fn here(&self) -> Position {
        Position {
            line: self.line,
            column: self.col + 1,
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.pos == self.len {
            loop {
                match self.r.read(&mut self.buf) {
                    Ok(n) => {
                        self.len = n;
                        self.pos = 0;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if self.len == 0 {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[self.pos]))
    }

    fn next(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 0;
            } else if b & 0xC0 != 0x80 {
                // A character starts here; four-byte sequences are surrogate pairs.
                self.col += if b >= 0xF0 { 2 } else { 1 };
            }
        }
        Ok(b)
    }
}

/// Why the JSON walk stopped early.
enum Halt {
    /// Every pointer was found.
    Done,
    /// Not JSON we can follow (or a read error): positions found so far stand.
    Bad,
}

impl From<io::Error> for Halt {
    fn from(_: io::Error) -> Self {
        Halt::Bad
    }
}

#[derive(Default)]
struct Node {
    children: HashMap<String, usize>,
    /// Index into the pointer list when a pointer ends here.
    target: Option<usize>,
}

struct Walk<'p, R> {
    cur: Cursor<R>,
    nodes: Vec<Node>,
    pointers: &'p [String],
    found: HashMap<String, Position>,
    remaining: usize,
}

/// Split a JSON Pointer (RFC 6901) into unescaped reference tokens; `None` when it is
/// not a pointer.
fn pointer_tokens(p: &str) -> Option<Vec<String>> {
    if p.is_empty() {
        return Some(Vec::new());
    }
    let rest = p.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Positions of the values that JSON Pointers designate in a JSON document (a UTF-8
/// BOM is skipped). Pointers that do not resolve, or that follow a point where the
/// document stops being JSON, are absent from the result.
pub fn json_positions<R: Read>(r: R, pointers: &[String]) -> HashMap<String, Position> {
    let mut nodes = vec![Node::default()];
    let mut remaining = 0;
    for (i, p) in pointers.iter().enumerate() {
        let Some(tokens) = pointer_tokens(p) else {
            continue;
        };
        let mut n = 0;
        for t in tokens {
            n = match nodes[n].children.get(&t) {
                Some(&c) => c,
                None => {
                    nodes.push(Node::default());
                    let c = nodes.len() - 1;
                    nodes[n].children.insert(t, c);
                    c
                }
            };
        }
        if nodes[n].target.is_none() {
            nodes[n].target = Some(i);
            remaining += 1;
        }
    }
    let mut w = Walk {
        cur: Cursor::new(r),
        nodes,
        pointers,
        found: HashMap::new(),
        remaining,
    };
    if remaining > 0 {
        let _ = w.document();
    }
    w.found
}

impl<R: Read> Walk<'_, R> {
    fn document(&mut self) -> Result<(), Halt> {
        // UTF-8 BOM: not part of the document, and not a column either.
        if self.cur.peek()? == Some(0xEF) {
            for want in [0xEF, 0xBB, 0xBF] {
                if self.cur.next()? != Some(want) {
                    return Err(Halt::Bad);
                }
            }
            self.cur.col = 0;
        }
        self.value(Some(0), 0)
    }

    fn ws(&mut self) -> Result<Option<u8>, Halt> {
        while let Some(b) = self.cur.peek()? {
            if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                self.cur.next()?;
            } else {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    fn expect(&mut self, want: u8) -> Result<(), Halt> {
        if self.ws()? == Some(want) {
            self.cur.next()?;
            Ok(())
        } else {
            Err(Halt::Bad)
        }
    }

    fn child(&self, node: Option<usize>, token: &str) -> Option<usize> {
        node.and_then(|n| self.nodes[n].children.get(token).copied())
    }

    fn value(&mut self, node: Option<usize>, depth: usize) -> Result<(), Halt> {
        if depth > MAX_DEPTH {
            return Err(Halt::Bad);
        }
        let first = self.ws()?.ok_or(Halt::Bad)?;
        if !matches!(
            first,
            b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
        ) {
            return Err(Halt::Bad);
        }
        if let Some(t) = node.and_then(|n| self.nodes[n].target) {
            let p = self.pointers[t].clone();
            if let std::collections::hash_map::Entry::Vacant(e) = self.found.entry(p) {
                e.insert(self.cur.here());
                self.remaining -= 1;
                if self.remaining == 0 {
                    return Err(Halt::Done);
                }
            }
        }
        // Past this point only descendants matter: a leaf target needs no more.
        let node = node.filter(|&n| !self.nodes[n].children.is_empty());
        match first {
            b'{' => {
                self.cur.next()?;
                if self.ws()? == Some(b'}') {
                    self.cur.next()?;
                    return Ok(());
                }
                loop {
                    if self.ws()? != Some(b'"') {
                        return Err(Halt::Bad);
                    }
                    self.cur.next()?;
                    let child = match node {
                        Some(_) => {
                            let key = self.string(true)?;
                            self.child(node, &key)
                        }
                        None => {
                            self.string(false)?;
                            None
                        }
                    };
                    self.expect(b':')?;
                    self.value(child, depth + 1)?;
                    match self.ws()? {
                        Some(b',') => {
                            self.cur.next()?;
                        }
                        Some(b'}') => {
                            self.cur.next()?;
                            return Ok(());
                        }
                        _ => return Err(Halt::Bad),
                    }
                }
            }
            b'[' => {
                self.cur.next()?;
                if self.ws()? == Some(b']') {
                    self.cur.next()?;
                    return Ok(());
                }
                let mut index = 0usize;
                loop {
                    let child = match node {
                        Some(_) => self.child(node, &index.to_string()),
                        None => None,
                    };
                    self.value(child, depth + 1)?;
                    index += 1;
                    match self.ws()? {
                        Some(b',') => {
                            self.cur.next()?;
                        }
                        Some(b']') => {
                            self.cur.next()?;
                            return Ok(());
                        }
                        _ => return Err(Halt::Bad),
                    }
                }
            }
            b'"' => {
                self.cur.next()?;
                self.string(false)?;
                Ok(())
            }
            _ => {
                // Number, true, false, null: up to the next delimiter.
                let mut any = false;
                while let Some(b) = self.cur.peek()? {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    any = true;
                    self.cur.next()?;
                }
                if any {
                    Ok(())
                } else {
                    Err(Halt::Bad)
                }
            }
        }
    }

    /// The rest of a string after its opening quote; decoded when `decode`.
    fn string(&mut self, decode: bool) -> Result<String, Halt> {
        let mut out: Vec<u8> = Vec::new();
        let mut pending_high: Option<u16> = None;
        loop {
            let b = self.cur.next()?.ok_or(Halt::Bad)?;
            match b {
                b'"' => break,
                b'\\' => {
                    let e = self.cur.next()?.ok_or(Halt::Bad)?;
                    if !decode {
                        continue;
                    }
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut v: u16 = 0;
                            for _ in 0..4 {
                                let h = self.cur.next()?.ok_or(Halt::Bad)?;
                                let d = (h as char).to_digit(16).ok_or(Halt::Bad)?;
                                v = (v << 4) | d as u16;
                            }
                            if (0xD800..0xDC00).contains(&v) {
                                if pending_high.replace(v).is_some() {
                                    out.extend_from_slice("\u{FFFD}".as_bytes());
                                }
                                continue;
                            }
                            if (0xDC00..0xE000).contains(&v) {
                                let c = match pending_high.take() {
                                    Some(h) => char::decode_utf16([h, v])
                                        .next()
                                        .and_then(|r| r.ok())
                                        .unwrap_or('\u{FFFD}'),
                                    None => '\u{FFFD}',
                                };
                                push_char(&mut out, c);
                                continue;
                            }
                            char::from_u32(v as u32).unwrap_or('\u{FFFD}')
                        }
                        _ => return Err(Halt::Bad),
                    };
                    if pending_high.take().is_some() {
                        out.extend_from_slice("\u{FFFD}".as_bytes());
                    }
                    push_char(&mut out, c);
                }
                _ => {
                    if decode {
                        if pending_high.take().is_some() {
                            out.extend_from_slice("\u{FFFD}".as_bytes());
                        }
                        out.push(b);
                    }
                }
            }
        }
        if pending_high.is_some() {
            out.extend_from_slice("\u{FFFD}".as_bytes());
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// Parse harscrub's `line:column` text location (column in bytes).
pub fn parse_line_col(loc: &str) -> Option<(u64, u64)> {
    let (l, c) = loc.split_once(':')?;
    let l: u64 = l.parse().ok()?;
    let c: u64 = c.parse().ok()?;
    (l >= 1 && c >= 1).then_some((l, c))
}

/// Convert `(line, byte column)` locations of a text file into positions with UTF-16
/// columns. Locations beyond the end of the file are absent from the result.
pub fn text_positions<R: Read>(r: R, wanted: &[(u64, u64)]) -> HashMap<(u64, u64), Position> {
    let mut by_line: HashMap<u64, Vec<u64>> = HashMap::new();
    for &(l, c) in wanted {
        by_line.entry(l).or_default().push(c);
    }
    let mut found = HashMap::new();
    let Some(&last) = by_line.keys().max() else {
        return found;
    };
    let mut cur = Cursor::new(r);
    // Bytes before the next one on the current line.
    let mut byte_col: u64 = 0;
    loop {
        let line = cur.line;
        if line > last {
            break;
        }
        if let Some(cols) = by_line.get(&line) {
            for &c in cols {
                if c == byte_col + 1 {
                    found.insert(
                        (line, c),
                        Position {
                            line,
                            column: cur.col + 1,
                        },
                    );
                }
            }
        }
        match cur.next() {
            Ok(Some(b'\n')) => byte_col = 0,
            Ok(Some(_)) => byte_col += 1,
            _ => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u64, column: u64) -> Position {
        Position { line, column }
    }

    #[test]
    fn pointers_resolve_to_value_starts() {
        let doc = "{\n  \"log\": {\n    \"entries\": [\n      {\"a\": 1},\n      {\"x/y\": \"v\", \"b~c\": [true, \"\u{e9}\u{1F600}\", null]}\n    ]\n  }\n}\n";
        let ptrs: Vec<String> = [
            "/log/entries/1/x~1y",
            "/log/entries/1/b~0c/2",
            "/log/entries/0",
            "/log/missing",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let got = json_positions(doc.as_bytes(), &ptrs);
        assert_eq!(got["/log/entries/1/x~1y"], pos(5, 15));
        // "é" is one UTF-16 unit, the emoji two: the null starts at column 41.
        assert_eq!(got["/log/entries/1/b~0c/2"], pos(5, 41));
        assert_eq!(got["/log/entries/0"], pos(4, 7));
        assert_eq!(got[""], pos(1, 1));
        assert!(!got.contains_key("/log/missing"));
    }

    #[test]
    fn escaped_keys_and_bom() {
        let doc = "\u{FEFF}{\"a\\u002Fb\": {\"k\": 5}}";
        let got = json_positions(doc.as_bytes(), &["/a~1b/k".to_string()]);
        assert_eq!(got["/a~1b/k"], pos(1, 20));
    }

    #[test]
    fn broken_json_keeps_what_was_found() {
        let doc = "{\"a\": 1, \"b\": [tru";
        let got = json_positions(doc.as_bytes(), &["/a".to_string(), "/b/0".to_string()]);
        assert_eq!(got["/a"], pos(1, 7));
        assert_eq!(got["/b/0"], pos(1, 16));
        let got = json_positions("[1, }".as_bytes(), &["/1".to_string()]);
        assert!(got.is_empty());
    }

    #[test]
    fn text_columns_become_utf16() {
        let doc = "first\nh\u{e9}llo token=abc\n\u{1F600}x=1\n";
        let got = text_positions(doc.as_bytes(), &[(2, 14), (3, 5), (9, 1)]);
        // "héllo " is 7 bytes but 6 characters.
        assert_eq!(got[&(2, 14)], pos(2, 13));
        // The emoji is 4 bytes, 2 UTF-16 units.
        assert_eq!(got[&(3, 5)], pos(3, 3));
        assert!(!got.contains_key(&(9, 1)));
    }

    #[test]
    fn line_col_parsing() {
        assert_eq!(parse_line_col("12:3"), Some((12, 3)));
        assert_eq!(parse_line_col("/log/entries/0"), None);
        assert_eq!(parse_line_col("0:1"), None);
    }
}
