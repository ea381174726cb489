//! MQTT CONNECT packets (versions 3.1, 3.1.1 and 5), as a browser's MQTT client sends
//! them in a WebSocket frame: where the password is.

use std::ops::Range;

/// A big-endian `u16` at `at`.
fn u16_at(d: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
    ])))
}

/// A variable byte integer (the packet's remaining length, v5 property lengths): its
/// value and how many bytes it takes.
fn varint(d: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for k in 0..4 {
        let b = *d.get(at + k)?;
        value |= usize::from(b & 0x7f) << (7 * k);
        if b & 0x80 == 0 {
            return Some((value, k + 1));
        }
    }
    None
}

/// The password of a CONNECT packet at the start of `d`, and its user name: the byte
/// ranges of their values (length prefixes excluded). None when `d` is no CONNECT
/// packet or has no password.
pub fn connect_credentials(d: &[u8]) -> Option<(Option<Range<usize>>, Range<usize>)> {
    if d.first()? & 0xf0 != 0x10 {
        return None;
    }
    let (remaining, n) = varint(d, 1)?;
    // The packet (more may follow it in the frame).
    let d = d.get(..1 + n + remaining)?;
    let mut at = 1 + n;
    // Protocol name: "MQTT" (3.1.1, 5) or "MQIsdp" (3.1), then the level.
    let name_len = u16_at(d, at)?;
    let name = d.get(at + 2..at + 2 + name_len)?;
    if name != b"MQTT" && name != b"MQIsdp" {
        return None;
    }
    at += 2 + name_len;
    let level = *d.get(at)?;
    let flags = *d.get(at + 1)?;
    at += 4; // level, flags, keep-alive
    if flags & 0x40 == 0 {
        return None;
    }
    // Version 5: properties before the payload.
    let skip_props = |at: usize| -> Option<usize> {
        let (len, n) = varint(d, at)?;
        Some(at + n + len)
    };
    if level == 5 {
        at = skip_props(at)?;
    }
    let field = |at: usize| -> Option<(Range<usize>, usize)> {
        let len = u16_at(d, at)?;
        let r = at + 2..at + 2 + len;
        d.get(r.clone())?;
        Some((r.clone(), r.end))
    };
    // Client identifier; the will (properties in 5, topic, payload) when flagged.
    let (_, next) = field(at)?;
    at = next;
    if flags & 0x04 != 0 {
        if level == 5 {
            at = skip_props(at)?;
        }
        at = field(at)?.1;
        at = field(at)?.1;
    }
    let user = if flags & 0x80 != 0 {
        let (r, next) = field(at)?;
        at = next;
        Some(r)
    } else {
        None
    };
    let (password, _) = field(at)?;
    (!password.is_empty()).then_some((user, password))
}

/// The CONNECT packet at the start of `d` (see [`connect_credentials`]) with the
/// password at `password` replaced by `new`: its length and the packet's remaining
/// length follow, so the packet stays one (what follows it in `d` is kept).
pub fn with_password(d: &[u8], password: Range<usize>, new: &[u8]) -> Vec<u8> {
    let Some((remaining, n)) = varint(d, 1) else {
        return d.to_vec();
    };
    let body = &d[1 + n..];
    let pw_at = password.start - (1 + n);
    let pw_end = password.end - (1 + n);
    let mut rest = Vec::with_capacity(body.len() + new.len());
    rest.extend_from_slice(&body[..pw_at - 2]);
    rest.extend_from_slice(&(new.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
    rest.extend_from_slice(new);
    rest.extend_from_slice(&body[pw_end..]);
    let remaining = remaining + new.len() - (pw_end - pw_at);
    let mut out = vec![d[0]];
    push_varint(&mut out, remaining);
    out.extend(rest);
    out
}

/// `n` as a variable byte integer.
fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        out.push(if n > 0 { b | 0x80 } else { b });
        if n == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CONNECT packet of MQTT `level` (3: 3.1, 4: 3.1.1, 5), with a will or not.
    fn connect(level: u8, will: bool, user: Option<&str>, password: &str) -> Vec<u8> {
        fn put(body: &mut Vec<u8>, s: &[u8]) {
            body.extend_from_slice(&(s.len() as u16).to_be_bytes());
            body.extend_from_slice(s);
        }
        let mut body = Vec::new();
        put(&mut body, if level == 3 { b"MQIsdp" } else { b"MQTT" });
        body.push(level);
        let mut flags = 0x40 | 0x02;
        if will {
            flags |= 0x04;
        }
        if user.is_some() {
            flags |= 0x80;
        }
        body.push(flags);
        body.extend_from_slice(&60u16.to_be_bytes());
        if level == 5 {
            body.extend_from_slice(&[5, 0x11, 0, 0, 0, 30]); // session expiry interval
        }
        put(&mut body, b"client-42");
        if will {
            if level == 5 {
                body.push(0); // no will properties
            }
            put(&mut body, b"status/client-42");
            put(&mut body, b"gone");
        }
        if let Some(u) = user {
            put(&mut body, u.as_bytes());
        }
        put(&mut body, password.as_bytes());
        let mut p = vec![0x10];
        push_varint(&mut p, body.len());
        p.extend(body);
        p
    }

    #[test]
    fn finds_the_password_of_every_version_and_layout() {
        let long = "x".repeat(300);
        for level in [3, 4, 5] {
            for will in [false, true] {
                for user in [None, Some("bob")] {
                    for pw in ["S3cr3t!Passw0rd#2024", long.as_str()] {
                        let p = connect(level, will, user, pw);
                        let (u, r) = connect_credentials(&p)
                            .unwrap_or_else(|| panic!("{level} {will} {user:?}"));
                        assert_eq!(&p[r], pw.as_bytes(), "{level} {will} {user:?}");
                        assert_eq!(
                            u.map(|u| p[u].to_vec()),
                            user.map(|u| u.as_bytes().to_vec())
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_new_password_keeps_the_packet_whole() {
        let tail = b"\xc0\x00"; // a PINGREQ after it in the same frame
        for level in [3, 4, 5] {
            for pw in ["hunter2", &"y".repeat(200)] {
                let mut p = connect(level, true, Some("bob"), pw);
                p.extend_from_slice(tail);
                let (_, r) = connect_credentials(&p).unwrap();
                let q = with_password(&p, r, b"[REDACTED:password:0a1b2c3d]");
                let (u, r) = connect_credentials(&q).expect("still a CONNECT packet");
                assert_eq!(&q[r], b"[REDACTED:password:0a1b2c3d]");
                assert_eq!(&q[u.unwrap()], b"bob");
                assert!(q.ends_with(tail));
                assert_eq!(q, {
                    let mut e = connect(level, true, Some("bob"), "[REDACTED:password:0a1b2c3d]");
                    e.extend_from_slice(tail);
                    e
                });
            }
        }
    }

    #[test]
    fn other_packets_and_truncations_are_none() {
        let p = connect(4, false, Some("bob"), "hunter2");
        for cut in 0..p.len() {
            assert_eq!(connect_credentials(&p[..cut]), None, "cut at {cut}");
        }
        let mut publish = p.clone();
        publish[0] = 0x30;
        assert_eq!(connect_credentials(&publish), None);
        let mut no_password = p.clone();
        no_password[1 + 1 + 2 + 4 + 1] &= !0x40;
        assert_eq!(connect_credentials(&no_password), None);
        assert_eq!(connect_credentials(b"\x10\x00"), None);
    }
}
