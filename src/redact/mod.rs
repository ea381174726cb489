//! Keyed placeholders: `[REDACTED:<kind>:<fingerprint>]`.
//!
//! The fingerprint is the first 8 hex digits of HMAC-SHA256(key, secret). The key is
//! random per run unless the user supplies one, so without it nobody can test guesses
//! of a short password against its fingerprint; with a fixed key, runs are reproducible
//! and the same secret can be correlated across files and runs, and whoever knows the key
//! can test guesses (SECURITY.md).
//!
//! The config file can choose a shorter [`Style`]: `[REDACTED:<kind>]` or `[REDACTED]`.
//! Every style is recognised whatever the configured one (so cleaning a copy again
//! changes nothing, even with another style), and never flagged as a secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Length of the fingerprint in hex digits.
pub const FP_LEN: usize = 8;

/// Turns secrets into placeholders.
#[derive(Clone)]
pub struct Redactor {
    mac: HmacSha256,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor { key: <hidden> }")
    }
}

impl Redactor {
    /// A redactor keyed with `key` (any length).
    pub fn new(key: &[u8]) -> Self {
        Redactor {
            mac: HmacSha256::new_from_slice(key).expect("HMAC accepts any key length"),
        }
    }

    /// A redactor with a fresh random 32-byte key.
    #[cfg(feature = "cli")]
    pub fn random() -> Self {
        let key: [u8; 32] = rand::random();
        Self::new(&key)
    }

    /// The keyed fingerprint of a secret.
    pub fn fingerprint(&self, secret: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(secret);
        let out = mac.finalize().into_bytes();
        let mut s = String::with_capacity(FP_LEN);
        for b in &out[..FP_LEN / 2] {
            s.push_str(&format!("{:02x}", b));
        }
        s
    }

    /// The placeholder for a secret of the given kind.
    pub fn placeholder(&self, kind: &str, secret: &[u8]) -> String {
        placeholder_for(kind, &self.fingerprint(secret))
    }
}

/// How placeholders look in the copies (`placeholder` in `.harscrub.toml`). The report
/// always has kind and fingerprint; only the copies change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    /// `[REDACTED:<kind>:<fingerprint>]`: the same secret gets the same placeholder,
    /// so requests can be correlated in the copy (the default).
    #[default]
    KindFingerprint,
    /// `[REDACTED:<kind>]`: what it was, but not which one.
    Kind,
    /// `[REDACTED]`: nothing but the fact that something was removed.
    Fixed,
}

impl Style {
    /// The placeholder for a secret of `kind` with fingerprint `fp`.
    pub fn render(self, kind: &str, fp: &str) -> String {
        match self {
            Style::KindFingerprint => placeholder_for(kind, fp),
            Style::Kind => format!("[REDACTED:{}]", kind),
            Style::Fixed => "[REDACTED]".to_string(),
        }
    }
}

/// The default placeholder, `[REDACTED:<kind>:<fingerprint>]`.
pub fn placeholder_for(kind: &str, fp: &str) -> String {
    format!("[REDACTED:{}:{}]", kind, fp)
}

/// Length of the placeholder starting at `s[0]`, if `s` starts with one (of any
/// [`Style`]: `[REDACTED:<kind>:<8 hex>]`, `[REDACTED:<kind>]` or `[REDACTED]`).
pub fn placeholder_len(s: &[u8]) -> Option<usize> {
    const OPEN: usize = b"[REDACTED".len();
    let rest = s.strip_prefix(b"[REDACTED")?;
    match rest.first()? {
        b']' => return Some(OPEN + 1),
        b':' => {}
        _ => return None,
    }
    let rest = &rest[1..];
    let kind_len = rest
        .iter()
        .position(|&b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))?;
    if kind_len == 0 {
        return None;
    }
    match rest.get(kind_len) {
        Some(b']') => return Some(OPEN + 1 + kind_len + 1),
        Some(b':') => {}
        _ => return None,
    }
    let fp = rest.get(kind_len + 1..kind_len + 1 + FP_LEN)?;
    if !lower_hex(fp) {
        return None;
    }
    if rest.get(kind_len + 1 + FP_LEN) != Some(&b']') {
        return None;
    }
    Some(OPEN + 1 + kind_len + 1 + FP_LEN + 1)
}

/// Digits of a fingerprint: lower-case hex.
fn lower_hex(s: &[u8]) -> bool {
    s.iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

/// True when `s` is the start of a placeholder and no more (`[REDACTE`,
/// `[REDACTED:jwt:87b1`): what the end of a cut view (the text a truncated stream
/// inflates to) leaves of one.
pub fn cut_placeholder(s: &[u8]) -> bool {
    const OPEN: &[u8] = b"[REDACTED";
    if s.len() <= OPEN.len() {
        return !s.is_empty() && OPEN.starts_with(s);
    }
    let Some(rest) = s.strip_prefix(b"[REDACTED:") else {
        return false;
    };
    let kind_len = rest
        .iter()
        .take_while(|&&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        .count();
    match rest.get(kind_len) {
        None => true,
        Some(b':') => {
            let fp = &rest[kind_len + 1..];
            kind_len > 0 && fp.len() <= FP_LEN && lower_hex(fp)
        }
        Some(_) => false,
    }
}

/// True when `s` is exactly one placeholder.
pub fn is_placeholder(s: &[u8]) -> bool {
    placeholder_len(s) == Some(s.len())
}

/// True when the value holds nothing but placeholders, whitespace and separators, so it
/// was already redacted (keeps `clean` idempotent).
pub fn only_placeholders(s: &[u8]) -> bool {
    let mut i = 0;
    let mut saw = false;
    while i < s.len() {
        if let Some(n) = placeholder_len(&s[i..]) {
            i += n;
            saw = true;
        } else if matches!(s[i], b' ' | b',' | b';' | b'.' | b'\t' | b'\r' | b'\n') {
            i += 1;
        } else if s[i] == b'\\' && matches!(s.get(i + 1), Some(b'n' | b'r' | b't')) {
            // A line break written as an escape (`"\n[REDACTED:private-key:…]\n"`).
            i += 2;
        } else {
            return false;
        }
    }
    saw
}

/// Does the text at `s[start..]` continue a placeholder that began before `start`? Used
/// to avoid matching rules inside placeholders.
pub fn inside_placeholder(s: &[u8], start: usize, end: usize) -> bool {
    // Look back for a '[REDACTED' that starts at or before `start` and covers
    // [start, end) (the window reaches far enough to hold one starting at `start`).
    let to = (start + 9).min(s.len());
    let from = start.saturating_sub(64).min(to);
    let window = &s[from..to];
    if let Some(p) = memchr::memmem::rfind(window, b"[REDACTED") {
        let abs = from + p;
        if let Some(n) = placeholder_len(&s[abs..]) {
            return abs + n >= end;
        }
        // A placeholder cut off by the end of the text or of its line (a wrapped
        // base64 blob decoded line by line ends inside one): it covers the rest of it.
        let rest = &s[abs + 1..];
        let rest = &rest[..memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len())];
        if rest.len() < 64
            && rest
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_' | b'.'))
        {
            return abs + 1 + rest.len() >= end;
        }
    }
    // Or the span itself starts a placeholder.
    placeholder_len(&s[start..]).is_some_and(|n| start + n >= end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_secret_same_placeholder_and_key_matters() {
        let r = Redactor::new(b"k1");
        let a = r.placeholder("cookie", b"abc");
        assert_eq!(a, r.placeholder("cookie", b"abc"));
        assert_ne!(a, r.placeholder("cookie", b"abd"));
        assert_ne!(a, Redactor::new(b"k2").placeholder("cookie", b"abc"));
        assert!(is_placeholder(a.as_bytes()));
        assert_eq!(a.len(), "[REDACTED:cookie:12345678]".len());
    }

    #[test]
    fn the_start_of_a_placeholder_is_a_cut_one() {
        let p = Redactor::new(b"k").placeholder("github-token", b"ghp_x");
        for cut in 1..p.len() {
            assert!(cut_placeholder(&p.as_bytes()[..cut]), "{}", &p[..cut]);
        }
        assert!(!cut_placeholder(p.as_bytes()));
        for other in [
            &b""[..],
            b"[REDACTED:Api",
            b"[REDACTED:a:12z",
            b"[REDACTEX",
            b"[REDACTED:a:",
        ] {
            assert_eq!(
                cut_placeholder(other),
                other == b"[REDACTED:a:",
                "{other:?}"
            );
        }
    }

    #[test]
    fn recognises_placeholders() {
        assert!(is_placeholder(b"[REDACTED:api-key:0123abcd]"));
        assert!(!is_placeholder(b"[REDACTED:api-key:0123abcz]"));
        assert!(!is_placeholder(b"[REDACTED:Api:0123abcd]"));
        assert!(!is_placeholder(b"[REDACTED:api:0123abcd"));
        assert!(only_placeholders(
            b"[REDACTED:a:0123abcd]; [REDACTED:b:0123abcd]"
        ));
        assert!(!only_placeholders(b"[REDACTED:a:0123abcd]x"));
        assert!(!only_placeholders(b""));
        let s = b"x=[REDACTED:token:0123abcd]&y";
        assert!(inside_placeholder(s, 13, 20));
        assert!(!inside_placeholder(s, 0, 1));
        // Cut off by the end of the text or of its line: it covers the rest of that,
        // and no further.
        let s = b"k=\"[REDACTED:token:01\nab\"; next=ghp_x";
        assert!(inside_placeholder(s, 3, 21));
        assert!(inside_placeholder(s, 10, 21));
        assert!(!inside_placeholder(s, 3, 24));
        assert!(inside_placeholder(b"k=[REDACTED:tok", 2, 15));
    }

    #[test]
    fn every_style_is_recognised() {
        for (style, want) in [
            (Style::KindFingerprint, "[REDACTED:api-key:0123abcd]"),
            (Style::Kind, "[REDACTED:api-key]"),
            (Style::Fixed, "[REDACTED]"),
        ] {
            let p = style.render("api-key", "0123abcd");
            assert_eq!(p, want);
            assert!(is_placeholder(p.as_bytes()), "{p}");
            assert!(only_placeholders(format!("{p}; {p}").as_bytes()), "{p}");
            assert!(!only_placeholders(format!("{p}x").as_bytes()), "{p}");
            let s = format!("x={p}&y");
            assert!(inside_placeholder(
                s.as_bytes(),
                2 + p.len() - 4,
                2 + p.len() - 1
            ));
            assert!(!inside_placeholder(s.as_bytes(), 0, 1));
        }
        for bad in [
            &b"[REDACTED"[..],
            b"[REDACTED:]",
            b"[REDACTED:Api]",
            b"[REDACTED:api:]",
            b"[REDACTED:api:0123abc]",
            b"[REDACTEDx]",
            b"[redacted]",
        ] {
            assert!(!is_placeholder(bad), "{}", String::from_utf8_lossy(bad));
        }
        let parse = |t: &str| toml::from_str::<std::collections::HashMap<String, Style>>(t);
        assert_eq!(parse("s = 'kind'").unwrap()["s"], Style::Kind);
        assert_eq!(parse("s = 'fixed'").unwrap()["s"], Style::Fixed);
        assert_eq!(
            parse("s = 'kind-fingerprint'").unwrap()["s"],
            Style::KindFingerprint
        );
        assert!(parse("s = 'hash'").is_err());
    }

    #[test]
    fn debug_hides_key() {
        assert!(!format!("{:?}", Redactor::new(b"supersecret")).contains("supersecret"));
    }
}
