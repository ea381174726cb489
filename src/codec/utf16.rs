//! UTF-16 text (a log PowerShell's `Out-File` or `>` wrote, a body sent as
//! `charset=utf-16`): read as UTF-8 and written back exactly as it was, in the same
//! byte order, with its byte order mark if it had one.

/// How a UTF-16 text is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf16 {
    big_endian: bool,
    bom: bool,
}

impl Utf16 {
    /// UTF-16 by its byte order mark.
    pub fn by_bom(d: &[u8]) -> Option<Self> {
        match d {
            [0xFF, 0xFE, ..] => Some(Utf16 {
                big_endian: false,
                bom: true,
            }),
            [0xFE, 0xFF, ..] => Some(Utf16 {
                big_endian: true,
                bom: true,
            }),
            _ => None,
        }
    }

    /// UTF-16 by its byte order mark, by the charset a body's type declares
    /// (`application/json; charset=utf-16le`), or without either by its look: text
    /// where every other byte is NUL (`{\0"\0p\0…`).
    pub fn sniff(d: &[u8], mime: &[u8]) -> Option<Self> {
        if let Some(u) = Self::by_bom(d) {
            return Some(u);
        }
        if d.len() < 2 || d.len() % 2 == 1 {
            return None;
        }
        let sample = &d[..d.len().min(1024)];
        let pairs = sample.len() / 2;
        let zeros = |at: usize| {
            sample
                .iter()
                .skip(at)
                .step_by(2)
                .filter(|&&b| b == 0)
                .count()
        };
        let (even, odd) = (zeros(0), zeros(1));
        let long = d.len() >= 8;
        let looks_le = long && odd * 10 >= pairs * 9 && even * 10 <= pairs;
        let looks_be = long && even * 10 >= pairs * 9 && odd * 10 <= pairs;
        let declared = mime.to_ascii_lowercase();
        let declared = memchr::memmem::find(&declared, b"utf-16").is_some();
        if looks_le || (declared && !looks_be) {
            let big = !looks_le
                && memchr::memmem::find(&mime.to_ascii_lowercase(), b"utf-16be").is_some();
            return Some(Utf16 {
                big_endian: big,
                bom: false,
            });
        }
        looks_be.then_some(Utf16 {
            big_endian: true,
            bom: false,
        })
    }

    /// The text as UTF-8; `None` when it is no UTF-16 (an odd length, a lone
    /// surrogate): what could not be written back the same way is not read so.
    pub fn decode(self, d: &[u8]) -> Option<String> {
        let body = if self.bom { &d[2..] } else { d };
        if body.len() % 2 == 1 {
            return None;
        }
        let units = body.chunks_exact(2).map(|c| {
            if self.big_endian {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    }

    /// `text` written as this UTF-16 was.
    pub fn encode(self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2 + 2);
        if self.bom {
            out.extend_from_slice(if self.big_endian {
                &[0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE]
            });
        }
        for u in text.encode_utf16() {
            out.extend_from_slice(&if self.big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    #[test]
    fn round_trips_byte_for_byte() {
        for (d, mime) in [
            (le("{\"p\": \"é€😀\"}\r\n", true), ""),
            (le("{\"p\": \"abc\"}", false), ""),
            (le("x", false), "text/plain; charset=UTF-16LE"),
        ] {
            let u = Utf16::sniff(&d, mime.as_bytes()).expect("utf-16");
            let t = u.decode(&d).expect("valid");
            assert_eq!(u.encode(&t), d);
        }
        let mut be = vec![0xFE, 0xFF];
        be.extend("k=v".encode_utf16().flat_map(u16::to_be_bytes));
        let u = Utf16::sniff(&be, b"").unwrap();
        assert_eq!(u.decode(&be).unwrap(), "k=v");
        assert_eq!(u.encode("k=v"), be);
    }

    #[test]
    fn text_and_binary_are_not_utf16() {
        assert_eq!(Utf16::sniff(b"{\"p\": \"abc\"}", b""), None);
        assert_eq!(Utf16::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", b""), None);
        // A lone surrogate cannot be written back the same way.
        let d = [0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00];
        assert_eq!(Utf16::by_bom(&d).unwrap().decode(&d), None);
    }
}
