//! JSON Web Tokens: recognise them, split off the signature, decode (never verify) the
//! non-secret claims for triage.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::finding::JwtInfo;
use crate::redact::Redactor;

/// Does `s` start like the base64 of a JSON object: `{"` (`eyJ`), or `{` and a space,
/// a tab or a line break (`eyA`, `ewk`, `ewo`, `ew0`), as a JWT's header does?
pub fn starts_like_jwt(s: &[u8]) -> bool {
    matches!(
        s,
        [b'e', b'y', b'J' | b'A', ..] | [b'e', b'w', b'o' | b'0' | b'k', ..]
    )
}

/// If `s` is exactly a JWS compact token (`header.payload.signature`, header a JSON
/// object with `alg`), returns the offset where the signature starts.
pub fn signature_start(s: &[u8]) -> Option<usize> {
    if !starts_like_jwt(s) || s.len() < 20 {
        return None;
    }
    let d1 = memchr::memchr(b'.', s)?;
    let d2 = d1 + 1 + memchr::memchr(b'.', &s[d1 + 1..])?;
    let b64url = |p: &[u8]| {
        p.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='))
    };
    let (h, p, sig) = (&s[..d1], &s[d1 + 1..d2], &s[d2 + 1..]);
    if h.is_empty() || p.is_empty() || !b64url(h) || !b64url(p) || !b64url(sig) {
        return None;
    }
    let header = decode_segment(h)?;
    if !header.is_object() || header.get("alg").is_none() {
        return None;
    }
    Some(d2 + 1)
}

/// How a JWT-shaped value (accepted by [`signature_start`]) is redacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Signed, with a JSON payload: keep header and payload, replace the signature
    /// (from this offset).
    Signature(usize),
    /// Unsigned (`alg` `none` or an empty signature): a careless server may accept it
    /// as it is and its claims may be the credential, so payload and signature are
    /// replaced (from this offset, the start of the payload); the header stays readable.
    Payload(usize),
    /// The middle part is not a JSON object: nothing to keep, the whole value goes.
    Whole,
}

/// How to redact `s`, when it is JWT-shaped (see [`signature_start`]).
pub fn redaction(s: &[u8]) -> Option<Redaction> {
    let sig = signature_start(s)?;
    let d1 = memchr::memchr(b'.', s)?;
    let payload = &s[d1 + 1..sig - 1];
    if !decode_segment(payload).is_some_and(|p| p.is_object()) {
        return Some(Redaction::Whole);
    }
    let alg_none = decode_segment(&s[..d1])
        .and_then(|h| {
            h.get("alg")
                .and_then(|a| a.as_str())
                .map(|a| a.eq_ignore_ascii_case("none"))
        })
        .unwrap_or(false);
    if sig == s.len() || alg_none {
        return Some(Redaction::Payload(d1 + 1));
    }
    Some(Redaction::Signature(sig))
}

/// Is `s` a JWT cut off before its signature: its header (whole or cut), or its whole
/// header, a `.` and its payload (whole or cut), with no second `.`? The header must be
/// a JOSE header (`alg`, `typ`, `kid`… and nothing else; with a payload, `alg` not
/// `none`, whose payload may be the credential), so a base64 JSON credential (a JWK
/// with its private members, an API key that encodes `{"k":…}`) is never one. What
/// such a cut holds is what a redacted JWT keeps.
pub fn cut_before_signature(s: &[u8]) -> bool {
    // Cut within its first three characters.
    if s.len() < 3 {
        return !s.is_empty() && (b"eyJ".starts_with(s) || b"ewo".starts_with(s));
    }
    if !starts_like_jwt(s) || s.iter().filter(|&&b| b == b'.').count() > 1 {
        return false;
    }
    let b64url = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_');
    match memchr::memchr(b'.', s) {
        Some(d1) => {
            s[d1 + 1..].iter().all(|&b| b64url(b))
                && decode_segment(&s[..d1]).is_some_and(|h| {
                    h.as_object().is_some_and(|m| {
                        m.keys().all(|k| JOSE_HEADER.contains(&k.as_str()))
                            && m.get("alg")
                                .and_then(|a| a.as_str())
                                .is_some_and(|a| !a.eq_ignore_ascii_case("none"))
                    })
                })
        }
        None => {
            if !s.iter().all(|&b| b64url(b)) {
                return false;
            }
            // A cut header decodes to the start of a JSON object: every name in it
            // (each `"name":`) a JOSE one, the first of them `alg`, `typ` or `kid`.
            let Some(text) = crate::detect::views::b64_decode_lenient(s) else {
                return false;
            };
            let Some(body) = text.strip_prefix(b"{") else {
                return false;
            };
            let body = body.trim_ascii_start();
            let names: Vec<&[u8]> = body
                .split(|&b| b == b'"')
                .collect::<Vec<_>>()
                .windows(2)
                .filter(|w| w[1].trim_ascii_start().starts_with(b":"))
                .map(|w| w[0])
                .collect();
            // (Cut within its first name, `ey` or `eyJhbG`, the start of one of those.)
            ["alg", "typ", "kid"].iter().any(|k| {
                let name = format!("\"{k}\"");
                body.starts_with(name.as_bytes()) || name.as_bytes().starts_with(body)
            }) && names
                .iter()
                .all(|n| JOSE_HEADER.iter().any(|k| k.as_bytes() == *n))
        }
    }
}

/// The members a JOSE (JWS or JWE) header may have, and those of a public JWK in it.
const JOSE_HEADER: &[&str] = &[
    "alg", "typ", "kid", "cty", "enc", "zip", "jku", "jwk", "x5u", "x5t", "x5t#S256", "x5c",
    "crit", "b64", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c", "url", "nonce", "ppt", "kty",
    "use", "key_ops", "n", "e", "crv", "x", "y",
];

fn decode_segment(seg: &[u8]) -> Option<serde_json::Value> {
    // Base64url, or the standard alphabet some libraries use.
    let trimmed: Vec<u8> = seg
        .iter()
        .filter(|&&b| b != b'=')
        .map(|&b| match b {
            b'+' => b'-',
            b'/' => b'_',
            b => b,
        })
        .collect();
    let bytes = URL_SAFE_NO_PAD.decode(trimmed).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Decoded claims of a JWT (`s` must satisfy `signature_start`).
pub fn info(s: &[u8], redactor: &Redactor, now: i64) -> JwtInfo {
    let mut parts = s.split(|&b| b == b'.');
    let header = parts.next().and_then(decode_segment);
    let payload = parts.next().and_then(decode_segment);
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) => Some(truncate(s)),
            serde_json::Value::Array(a) => Some(truncate(
                &a.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            )),
            _ => None,
        }
    };
    let num = |v: Option<&serde_json::Value>| v.and_then(|x| x.as_f64()).map(|f| f as i64);
    let h = header.as_ref();
    let p = payload.as_ref();
    let exp = num(p.and_then(|p| p.get("exp")));
    JwtInfo {
        alg: text(h.and_then(|h| h.get("alg"))),
        iss: text(p.and_then(|p| p.get("iss"))),
        aud: text(p.and_then(|p| p.get("aud"))),
        sub_fingerprint: p
            .and_then(|p| p.get("sub"))
            .map(|s| redactor.fingerprint(s.to_string().as_bytes())),
        iat: num(p.and_then(|p| p.get("iat"))),
        exp,
        expired: exp.map(|e| e < now),
    }
}

fn truncate(s: &str) -> String {
    // Claims come from untrusted input: keep them short and printable.
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(header: &str, payload: &str, sig: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            sig
        )
    }

    #[test]
    fn splits_and_decodes() {
        let t = make(
            r#"{"alg":"RS256","typ":"JWT"}"#,
            r#"{"iss":"https://idp.example","aud":["a","b"],"sub":"u1","exp":100,"iat":50}"#,
            "c2lnbmF0dXJlLWZha2UtZmFrZS1mYWtl",
        );
        let at = signature_start(t.as_bytes()).unwrap();
        assert_eq!(&t[at..], "c2lnbmF0dXJlLWZha2UtZmFrZS1mYWtl");
        let i = info(t.as_bytes(), &Redactor::new(b"k"), 200);
        assert_eq!(i.alg.as_deref(), Some("RS256"));
        assert_eq!(i.iss.as_deref(), Some("https://idp.example"));
        assert_eq!(i.aud.as_deref(), Some("a,b"));
        assert_eq!(i.exp, Some(100));
        assert_eq!(i.expired, Some(true));
        assert_eq!(i.sub_fingerprint.as_ref().map(|s| s.len()), Some(8));
    }

    #[test]
    fn unsigned_and_opaque_jwts_are_redacted_further() {
        let signed = make(
            r#"{"alg":"HS256"}"#,
            r#"{"sub":"u"}"#,
            "c2lnbmF0dXJlLWZha2U",
        );
        let at = signature_start(signed.as_bytes()).unwrap();
        assert_eq!(redaction(signed.as_bytes()), Some(Redaction::Signature(at)));
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let none = make(r#"{"alg":"none"}"#, r#"{"sub":"admin"}"#, "");
        assert_eq!(
            redaction(none.as_bytes()),
            Some(Redaction::Payload(header.len() + 1))
        );
        // alg none with a (meaningless) signature: the payload goes too.
        let none_sig = make(r#"{"alg":"None"}"#, r#"{"sub":"admin"}"#, "c2ln");
        assert!(matches!(
            redaction(none_sig.as_bytes()),
            Some(Redaction::Payload(_))
        ));
        // Empty signature with a real algorithm: unsigned all the same.
        let empty = make(r#"{"alg":"HS256"}"#, r#"{"sub":"u"}"#, "");
        assert!(matches!(
            redaction(empty.as_bytes()),
            Some(Redaction::Payload(_))
        ));
        let opaque = format!(
            "{}.eyJub3QganNvbiBhdCBhbGwgRkFLRQ.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#)
        );
        assert_eq!(redaction(opaque.as_bytes()), Some(Redaction::Whole));
        assert_eq!(redaction(b"abc.def.ghi"), None);
    }

    #[test]
    fn rejects_non_jwts() {
        assert!(signature_start(b"eyJhbGciOi.not.jwt").is_none());
        assert!(signature_start(b"abc.def.ghi").is_none());
        let redacted = make(
            r#"{"alg":"HS256"}"#,
            r#"{"a":1}"#,
            "[REDACTED:jwt:0123abcd]",
        );
        assert!(signature_start(redacted.as_bytes()).is_none());
    }

    #[test]
    fn a_jwt_cut_before_its_signature() {
        let jwt = make(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"sub":"u-1","exp":4102444800}"#,
            "c2lnbmF0dXJlX2Zha2U",
        );
        let sig = signature_start(jwt.as_bytes()).unwrap();
        // Cut anywhere before the signature's `.`: header and payload only.
        for cut in 1..sig {
            assert!(
                cut_before_signature(&jwt.as_bytes()[..cut]),
                "{}",
                &jwt[..cut]
            );
        }
        // With its signature, or a part of it, it is no cut one.
        for cut in sig..=jwt.len() {
            assert!(
                !cut_before_signature(&jwt.as_bytes()[..cut]),
                "{}",
                &jwt[..cut]
            );
        }
        // Unsigned (`alg` `none`): its payload may be the credential. Its header
        // alone is only a header.
        let none = make(r#"{"alg":"none"}"#, r#"{"sub":"u"}"#, "");
        assert!(!cut_before_signature(&none.as_bytes()[..none.len() - 1]));
        assert!(cut_before_signature(&none.as_bytes()[..12]));
        // Base64 JSON credentials: a private JWK, a key that encodes `{"k":…}`.
        for secret in [
            r#"{"alg":"RS256","kty":"RSA","n":"sXch","e":"AQAB","d":"VFCWOqXr8n"}"#,
            r#"{"k":"FAKEk3yV4lu3EXAMPLE","n":"ci","id":1}"#,
        ] {
            let b = URL_SAFE_NO_PAD.encode(secret);
            assert!(!cut_before_signature(b.as_bytes()), "{secret}");
        }
    }
}
