//! Hex dumps: `xxd`, `hexdump -C`, `tcpdump -X`, `od -A x -t x1z` and Wireshark's
//! "copy as hex dump". Each line gives an offset, the bytes in hex (one or two bytes a
//! group) and the same bytes as text (a dot for a byte that is not printable):
//!
//! ```text
//! 00000040: 6572 2065 794a 6862 4763 694f 694a 4955  er eyJhbGciOiJIU
//! 00000040  65 72 20 65 79 4a 68 62  47 63 69 4f 69 4a 49 55  |er eyJhbGciOiJIU|
//! \t0x0040:  6572 2065 794a 6862 4763 694f 694a 4955  er eyJhbGciOiJIU
//! ```
//!
//! A credential in the dumped bytes (an HTTP request captured off the wire) is in both
//! columns, cut into lines of 16 bytes: no reader of the text sees it whole. A
//! [`Block`] is a run of consecutive dump lines, each line's offset the one before it
//! plus its byte count: the bytes they dump, in order, with where each byte is written
//! in both columns. A line is a dump line only when its text column is exactly its
//! bytes as a dump shows them, which ordinary text almost never is.

/// One run of dump lines.
#[derive(Debug, Default)]
pub struct Block {
    /// The bytes dumped.
    pub bytes: Vec<u8>,
    /// For each byte: where its two hex digits are, and where its character in the text
    /// column is ([`NO_TEXT`] in a dump without one).
    pub at: Vec<(usize, usize)>,
    /// For each line: where it starts, and the index in `bytes` of its first byte.
    pub lines: Vec<(usize, usize)>,
    /// For each line: where it ends (before its line break).
    pub ends: Vec<usize>,
    /// The bytes (indices in `bytes`) whose character in the text column is escaped,
    /// two characters wide: `\"` for `"` in a dump inside a string literal.
    pub wide: Vec<usize>,
    /// A line next to it starts like a dump line but is none (its text column does not
    /// show its bytes: `&quot;` for `"`): the run is a part of a dump this text shows
    /// escaped, which the view that decodes it reads whole. Not kept.
    fragment: bool,
}

/// The dump lines of `v`, in runs. Quick to say no: only lines that start (after
/// blanks, or after a tag or a quote) with a hex digit are looked at. A text with no
/// dump line is read again with its `\n` escapes as line breaks too: a dump inside a
/// script's string, whose other escapes a layer decoded (`\"`), but not those.
pub fn blocks(v: &[u8]) -> Vec<Block> {
    let found = split_blocks(v, false);
    if found.is_empty() && memchr::memmem::find(v, b"\\n").is_some() {
        return split_blocks(v, true);
    }
    found
}

fn split_blocks(v: &[u8], escaped: bool) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let prefixed = zero_offsets_after_prefix(v);
    // The block being read and the offset its next line must have.
    let mut cur: Option<(Block, u64)> = None;
    // The line before was like a dump line but none.
    let mut prev_near = false;
    let mut ls = 0;
    while ls < v.len() {
        let lf = memchr::memchr(b'\n', &v[ls..]).map_or(v.len(), |p| ls + p);
        let (le, after) = match escaped.then(|| newline_escape(v, ls, lf)).flatten() {
            Some(p) => (p, p + 2),
            None => (lf, lf + 1),
        };
        let end = if le > ls && v[le - 1] == b'\r' {
            le - 1
        } else if escaped && v[ls..le].ends_with(b"\\r") {
            le - 2
        } else {
            le
        };
        // A dump may start after a tag or a quote on its first line (`<pre>0000…`,
        // `blob = "0000…`): tried there when the line itself is none, with its text
        // column only.
        let parsed = line(v, ls, end).map(|d| (ls, d)).or_else(|| {
            within(&prefixed, ls, end).find_map(|p| {
                line(v, p + 1, end)
                    .filter(|d| d.1[0].2 != NO_TEXT)
                    .map(|d| (p + 1, d))
            })
        });
        match parsed {
            Some((at, (offset, bytes))) => {
                let bare = bytes[0].2 == NO_TEXT;
                let follows = cur
                    .as_ref()
                    .is_some_and(|(b, next)| *next == offset && (b.at[0].1 == NO_TEXT) == bare);
                if !follows {
                    if let Some((b, _)) = cur.take() {
                        push(&mut out, b);
                    }
                    // Split at `\n` escapes, a dump's lines are those of a decoded
                    // string: from its start. (Undecoded, its lines with no other
                    // escape, `\"`, would be a run from the middle of it.)
                    if escaped && offset != 0 {
                        ls = after;
                        continue;
                    }
                }
                let (b, next) = cur.get_or_insert_with(|| {
                    let b = Block {
                        fragment: prev_near,
                        ..Block::default()
                    };
                    (b, offset)
                });
                b.lines.push((at, b.bytes.len()));
                b.ends.push(end);
                *next = offset + bytes.len() as u64;
                for (byte, hex, text, width) in bytes {
                    if width == 2 {
                        b.wide.push(b.bytes.len());
                    }
                    b.bytes.push(byte);
                    b.at.push((hex, text));
                }
            }
            None => {
                let near = starts_like_dump(v, ls, end, &prefixed);
                if let Some((mut b, _)) = cur.take() {
                    b.fragment |= near;
                    push(&mut out, b);
                }
                prev_near = near;
                ls = after;
                continue;
            }
        }
        prev_near = false;
        ls = after;
    }
    if let Some((b, _)) = cur {
        push(&mut out, b);
    }
    out
}

/// Keeps a finished block, unless it is of lines with no text column that might not be
/// a dump: such a block needs two lines or more, each but the last of 16 bytes (a line
/// of a few hex words after a number is ordinary text).
fn push(out: &mut Vec<Block>, b: Block) {
    if b.fragment {
        return;
    }
    if b.at[0].1 == NO_TEXT {
        let n = b.lines.len();
        let full = b.lines.windows(2).all(|w| w[1].1 - w[0].1 == 16);
        if n < 2 || !full {
            return;
        }
    }
    out.push(b);
}

/// All the dump lines of `v` as one block, their runs one after the other, or `None`
/// when `v` has none. A credential cut between two runs (two captured packets, a
/// segment per dump) is whole here; the detector and the copy's verification read
/// this same view.
pub fn joined(v: &[u8]) -> Option<Block> {
    let mut runs = blocks(v).into_iter();
    let mut all = runs.next()?;
    for b in runs {
        let n = all.bytes.len();
        all.lines
            .extend(b.lines.into_iter().map(|(ls, i)| (ls, i + n)));
        all.ends.extend(b.ends);
        all.wide.extend(b.wide.into_iter().map(|i| i + n));
        all.bytes.extend(b.bytes);
        all.at.extend(b.at);
    }
    Some(all)
}

/// Where the first `\n` escape in `v[from..to]` is: a backslash that no backslash
/// escapes (`\\n` is a backslash and an `n`), then `n`.
fn newline_escape(v: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut at = from;
    while let Some(p) = memchr::memmem::find(&v[at..to], b"\\n") {
        let p = at + p;
        let run = v[from..p].iter().rev().take_while(|&&b| b == b'\\').count();
        if run % 2 == 0 {
            return Some(p);
        }
        at = p + 2;
    }
    None
}

/// Does the line `v[ls..end]` start like a dump line (an offset, then a word of hex),
/// at its start or after a tag or a quote on it?
fn starts_like_dump(v: &[u8], ls: usize, end: usize, prefixed: &[usize]) -> bool {
    let at = |i: usize| {
        let t = v[i..end].trim_ascii_start();
        let t = t.strip_prefix(b"0x").unwrap_or(t);
        let n = t.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        let t = &t[n..];
        let t = t.strip_prefix(b":").unwrap_or(t);
        let w = t.trim_ascii_start();
        let g = w.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        (4..=8).contains(&n)
            && w.len() < t.len()
            && matches!(g, 2 | 4)
            && w.get(g).is_some_and(|&b| b == b' ' || b == b'\t')
    };
    at(ls) || within(prefixed, ls, end).any(|p| at(p + 1))
}

/// Where in `v` a tag or a quote is followed by a zero offset (the first line of a dump
/// after `<pre>` or an opening quote starts at offset 0), in order: found in one pass
/// over `v`, not one a line.
fn zero_offsets_after_prefix(v: &[u8]) -> Vec<usize> {
    static ZEROS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"0000"));
    ZEROS
        .find_iter(v)
        .filter(|&z| z > 0 && matches!(v[z - 1], b'>' | b'"' | b'\''))
        .map(|z| z - 1)
        .collect()
}

/// The positions of `prefixed` on the line `v[ls..end]` (a prefix at its first
/// character does not count: the line itself is tried from there).
fn within(prefixed: &[usize], ls: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
    let from = prefixed.partition_point(|&p| p < ls);
    prefixed[from..]
        .iter()
        .copied()
        .take_while(move |&p| p + 4 < end)
}

/// How a dump shows a byte in its text column.
pub fn shown(b: u8) -> u8 {
    if (0x20..0x7f).contains(&b) {
        b
    } else {
        b'.'
    }
}

/// The line `v[ls..end]` as a dump line: its offset, and each byte with where its hex
/// digits and its character are.
/// A dump line's offset and, for each byte, the byte, where its hex digits are, where
/// its character in the text column is and how wide that is (1, or 2 escaped).
type Dumped = (u64, Vec<(u8, usize, usize, u8)>);

fn line(v: &[u8], ls: usize, end: usize) -> Option<Dumped> {
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut i = ls;
    while i < end && blank(v[i]) {
        i += 1;
    }
    if !v.get(i).is_some_and(u8::is_ascii_hexdigit) {
        return None;
    }
    if v[i..end].starts_with(b"0x") {
        i += 2;
    }
    let os = i;
    while i < end && v[i].is_ascii_hexdigit() {
        i += 1;
    }
    if !(4..=8).contains(&(i - os)) {
        return None;
    }
    let offset = u64::from_str_radix(std::str::from_utf8(&v[os..i]).ok()?, 16).ok()?;
    if v.get(i) == Some(&b':') {
        i += 1;
    }
    if !(i < end && blank(v[i])) {
        return None;
    }
    // The hex groups, each of one or two bytes, and where each group ends.
    let mut bytes: Vec<(u8, usize)> = Vec::new();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    loop {
        while i < end && blank(v[i]) {
            i += 1;
        }
        let gs = i;
        while i < end && v[i].is_ascii_hexdigit() {
            i += 1;
        }
        let n = i - gs;
        if !(n == 2 || n == 4) || (i < end && !blank(v[i])) {
            break;
        }
        for k in (gs..i).step_by(2) {
            let byte = u8::from_str_radix(std::str::from_utf8(&v[k..k + 2]).ok()?, 16).ok()?;
            bytes.push((byte, k));
        }
        groups.push((gs, bytes.len()));
        if groups.len() > 32 {
            return None;
        }
    }
    // The text column starts after the last hex group taken; the first groups of it
    // may read as hex too (`6162 6364  abcd`): fewer groups are tried until one fits.
    for g in (1..=groups.len()).rev() {
        let n = groups[g - 1].1;
        let hex_end = bytes[n - 1].1 + 2;
        let mut t = hex_end;
        while t < end && blank(v[t]) {
            t += 1;
        }
        let mut text = &v[t..end];
        let mut ts = t;
        if let Some(inner) = text
            .strip_prefix(b"|")
            .and_then(|x| x.strip_suffix(b"|"))
            .or_else(|| text.strip_prefix(b">").and_then(|x| x.strip_suffix(b"<")))
        {
            text = inner;
            ts += 1;
        } else if text.len() < n
            && end > hex_end + n
            && v[hex_end..end - n].iter().all(|&b| blank(b))
        {
            // A text column that starts with a blank (a dumped space) reads as part
            // of the gap before it: it is the line's last `n` characters.
            ts = end - n;
            text = &v[ts..end];
        }
        if text.len() == n && bytes[..n].iter().zip(text).all(|(b, c)| shown(b.0) == *c) {
            let dumped = bytes[..n]
                .iter()
                .enumerate()
                .map(|(k, &(b, h))| (b, h, ts + k, 1))
                .collect();
            return Some((offset, dumped));
        }
        if let Some(widths) = escaped_column(&bytes[..n], text) {
            let mut at = ts;
            let dumped = bytes[..n]
                .iter()
                .zip(widths)
                .map(|(&(b, h), w)| {
                    at += w as usize;
                    (b, h, at - w as usize, w)
                })
                .collect();
            return Some((offset, dumped));
        }
    }
    // No text column (`tcpdump -x`, `od -A x -t x1`): the line ends after its hex.
    if !bytes.is_empty() && v[i..end].iter().all(|&b| blank(b)) {
        return Some((
            offset,
            bytes.into_iter().map(|(b, h)| (b, h, NO_TEXT, 0)).collect(),
        ));
    }
    None
}

/// A text column showing `bytes` with the quotes and backslashes among them escaped
/// (`{\"user\":`), as it is inside a string literal that holds the dump: how wide each
/// byte's character is there. `None` when it shows other bytes, or none escaped.
fn escaped_column(bytes: &[(u8, usize)], text: &[u8]) -> Option<Vec<u8>> {
    if text.len() <= bytes.len() || !text.contains(&b'\\') {
        return None;
    }
    let mut widths = Vec::with_capacity(bytes.len());
    let mut j = 0;
    for &(b, _) in bytes {
        let c = shown(b);
        let w = if text.get(j) == Some(&b'\\') && matches!(c, b'"' | b'\'' | b'\\') {
            (text.get(j + 1) == Some(&c)).then_some(2)?
        } else {
            (text.get(j) == Some(&c)).then_some(1)?
        };
        widths.push(w);
        j += w as usize;
    }
    (j == text.len()).then_some(widths)
}

/// Where [`Block::at`] puts the text column of a dump that has none.
pub const NO_TEXT: usize = usize::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    /// Two bytes a word, as `xxd` and `tcpdump -x` write them.
    fn words(chunk: &[u8]) -> String {
        let hex: Vec<String> = chunk
            .chunks(2)
            .map(|p| p.iter().map(|b| format!("{b:02x}")).collect())
            .collect();
        hex.join(" ")
    }

    fn xxd(data: &[u8]) -> String {
        let mut s = String::new();
        for (k, chunk) in data.chunks(16).enumerate() {
            let text: String = chunk.iter().map(|&b| shown(b) as char).collect();
            s.push_str(&format!("{:08x}: {:<40} {}\n", k * 16, words(chunk), text));
        }
        s
    }

    fn hexdump_c(data: &[u8]) -> String {
        let mut s = String::new();
        for (k, chunk) in data.chunks(16).enumerate() {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let text: String = chunk.iter().map(|&b| shown(b) as char).collect();
            s.push_str(&format!(
                "{:08x}  {:<48}  |{}|\r\n",
                k * 16,
                hex.join(" "),
                text
            ));
        }
        s
    }

    #[test]
    fn reads_the_bytes_of_each_kind_of_dump() {
        let data =
            b"GET / HTTP/1.1\r\nAuthorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\r\n\r\n\x00\x01abcd";
        for dump in [xxd(data), hexdump_c(data)] {
            let b = blocks(dump.as_bytes());
            assert_eq!(b.len(), 1, "{dump}");
            assert_eq!(b[0].bytes, data, "{dump}");
            for (k, &(h, t)) in b[0].at.iter().enumerate() {
                assert_eq!(dump.as_bytes()[t], shown(data[k]));
                assert_eq!(&dump[h..h + 2], format!("{:02x}", data[k]));
            }
        }
    }

    /// `tcpdump -x`: offsets and hex, no text column.
    fn tcpdump_x(data: &[u8]) -> String {
        let mut s = String::new();
        for (k, chunk) in data.chunks(16).enumerate() {
            s.push_str(&format!("\t0x{:04x}:  {}\n", k * 16, words(chunk)));
        }
        s
    }

    #[test]
    fn reads_a_dump_without_a_text_column() {
        let data = b"E\x00\x00\x99\x00\x00GET / HTTP/1.1\r\nCookie: sid=s3ss10nXq8Lm2Wp9\r\n\r\n";
        let dump = tcpdump_x(data);
        let b = blocks(dump.as_bytes());
        assert_eq!(b.len(), 1, "{dump}");
        assert_eq!(b[0].bytes, data);
        assert!(b[0].at.iter().all(|&(_, t)| t == NO_TEXT));
        // One such line alone, or lines that are not full, may be anything.
        assert!(blocks(tcpdump_x(&data[..16]).as_bytes()).is_empty());
        assert!(blocks(b"0010 abcd 1234\n0012 abcd ef01\n").is_empty());
    }

    #[test]
    fn ordinary_text_is_no_dump() {
        let text = "1000 ab cd\n2024 1234 abcd\n0000: nothing here\ndeadbeef  cafe\n";
        assert!(blocks(text.as_bytes()).is_empty());
    }

    #[test]
    fn a_text_column_that_starts_with_a_dumped_space() {
        let data = br#"{"user":"bobby"} sid=Zq7xK2mP9vL4tR8w"#;
        assert_eq!(data[16], b' ');
        let dump = xxd(data);
        let b = blocks(dump.as_bytes());
        assert_eq!(b.len(), 1, "{dump}");
        assert_eq!(b[0].bytes, data);
        let second = b[0].lines[1].0;
        assert_eq!(dump.as_bytes()[b[0].at[16].1], b' ');
        assert_eq!(b[0].at[16].1, second + 51);
    }

    /// A dump inside a string literal: its line breaks, quotes and backslashes
    /// escaped, the first line after the opening quote.
    #[test]
    fn a_dump_inside_a_string_literal() {
        let data = br#"{"user":"bob","key":"-----BEGIN KEY-----\nAbc\n"}"#;
        let escaped = xxd(data)
            .replace('\\', r"\\")
            .replace('"', r#"\""#)
            .replace('\n', r"\n");
        let script = format!("localStorage.setItem(\"meta\", \"{escaped}\");\n");
        let b = blocks(script.as_bytes());
        assert_eq!(b.len(), 1, "{script}");
        assert_eq!(b[0].bytes, data);
        for (k, &(h, t)) in b[0].at.iter().enumerate() {
            assert_eq!(&script[h..h + 2], format!("{:02x}", data[k]));
            let wide = b[0].wide.binary_search(&k).is_ok();
            assert_eq!(wide, matches!(data[k], b'"' | b'\\'), "{k}");
            let c = if wide {
                script.as_bytes()[t + 1]
            } else {
                script.as_bytes()[t]
            };
            assert_eq!(c, data[k]);
        }
        // After a tag, unescaped.
        let page = format!("<pre>{}</pre>\n", xxd(data));
        let b = blocks(page.as_bytes());
        assert_eq!(b.len(), 1, "{page}");
        assert_eq!(b[0].bytes, data);
        assert!(b[0].wide.is_empty());
    }

    /// A dump whose text column shows a line escaped another way (`&quot;` in a page)
    /// is read by the view that decodes it, whole: the lines beside that line are no
    /// block of their own here.
    #[test]
    fn runs_beside_a_line_escaped_otherwise_are_no_block() {
        let data = b"first line, 16 bsecond \"line\" quotedthird line of it";
        let page = xxd(data).replace('"', "&quot;");
        assert!(blocks(page.as_bytes()).is_empty(), "{page}");
        assert_eq!(blocks(xxd(data).as_bytes())[0].bytes, data);
    }

    #[test]
    fn a_newline_escape_is_an_unescaped_backslash_then_n() {
        assert_eq!(newline_escape(br"ab\\ncd\nef", 0, 11), Some(7));
        assert_eq!(newline_escape(br"ab\\\ncd", 0, 8), Some(4));
        assert_eq!(newline_escape(br"ab\\n", 0, 5), None);
    }

    #[test]
    fn a_gap_in_the_offsets_starts_another_block() {
        let one = xxd(b"first packet, sixteen+ bytes");
        let two = xxd(b"second packet here");
        let dump = format!("{one}IP 10.0.0.1 > 10.0.0.2: length 18\n{two}{two}");
        let b = blocks(dump.as_bytes());
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].bytes, b"first packet, sixteen+ bytes");
        assert_eq!(b[2].bytes, b"second packet here");
        let all = joined(dump.as_bytes()).unwrap();
        assert_eq!(
            all.bytes,
            b"first packet, sixteen+ bytessecond packet heresecond packet here"
        );
        assert_eq!(all.lines.len(), 2 + 2 + 2);
        assert_eq!(all.lines[2].1, 28);
        assert_eq!(all.at.len(), all.bytes.len());
        assert_eq!(&dump[all.at[28].0..all.at[28].0 + 2], "73");
    }
}
