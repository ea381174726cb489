//! Credential names: which header, cookie, parameter and JSON-key names hold secrets.
//! The lists are data (`patterns/names.toml`), extended by the user's config.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use anyhow::{Context, Result};
use serde::Deserialize;

const BUILTIN: &str = include_str!("../../patterns/names.toml");

#[derive(Debug, Default, Deserialize)]
struct Section {
    #[serde(default)]
    exact: Vec<String>,
    #[serde(default)]
    scheme: Vec<String>,
    #[serde(default)]
    weak: Vec<String>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    safe: Vec<String>,
    #[serde(default)]
    url: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    headers: Section,
    #[serde(default)]
    params: Section,
}

/// How a header's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderClass {
    /// `Cookie`: every cookie value is a secret.
    Cookie,
    /// `Set-Cookie`: the value of the cookie is a secret, attributes stay.
    SetCookie,
    /// `Authorization` family: keep the scheme word, the rest is a secret.
    Scheme,
    /// The whole value is a credential.
    Secret,
    /// The value is a URL: check its parameters by name.
    Url,
    /// Anything else: only token rules apply.
    Other,
}

/// How a parameter / JSON key's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamClass {
    /// Always a credential.
    Secret,
    /// A credential when it looks like a token (common word in ordinary data too).
    Weak,
    /// The value is a URL.
    Url,
    Other,
}

const EXACT: u8 = 1;
const SCHEME: u8 = 2;
const WEAK: u8 = 4;
const SAFE: u8 = 8;
const URL: u8 = 16;

/// One section's lists: the exact-name lists as bit flags in one map (one lookup per
/// name), the substrings as one automaton.
#[derive(Debug)]
struct Lists {
    flags: HashMap<String, u8>,
    contains: Option<AhoCorasick>,
}

impl Lists {
    fn from(s: Section) -> Result<Self> {
        let mut flags: HashMap<String, u8> = HashMap::new();
        for (list, bit) in [
            (&s.exact, EXACT),
            (&s.scheme, SCHEME),
            (&s.weak, WEAK),
            (&s.safe, SAFE),
            (&s.url, URL),
        ] {
            for x in list {
                *flags.entry(normalize_str(x)).or_default() |= bit;
            }
        }
        let contains: Vec<String> = s.contains.iter().map(|x| normalize_str(x)).collect();
        let contains = if contains.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&contains)
                    .context("building the name-substring automaton")?,
            )
        };
        Ok(Lists { flags, contains })
    }

    fn flags(&self, n: &str) -> u8 {
        self.flags.get(n).copied().unwrap_or(0)
    }

    fn contains(&self, n: &str) -> bool {
        self.contains.as_ref().is_some_and(|ac| ac.is_match(n))
    }
}

/// The name classifier.
#[derive(Debug)]
pub struct Names {
    headers: Lists,
    params: Lists,
}

/// Lowercase and drop separators: `X-Api_Key` → `xapikey`.
pub fn normalize(name: &[u8]) -> String {
    let mut s = String::with_capacity(name.len());
    for &b in name {
        if !matches!(b, b'-' | b'_' | b'.' | b' ' | b'$' | b':') && b.is_ascii() {
            s.push(b.to_ascii_lowercase() as char);
        }
    }
    s
}

/// Names up to this length are normalised on the stack.
const STACK_NAME: usize = 64;

/// A normalised name: borrowed from a stack buffer when short.
enum Normal<'a> {
    Stack(&'a str),
    Heap(String),
}

impl Normal<'_> {
    fn as_str(&self) -> &str {
        match self {
            Normal::Stack(s) => s,
            Normal::Heap(s) => s,
        }
    }
}

/// [`normalize`] without allocating for names that fit `buf`.
fn normalize_into<'a>(name: &[u8], buf: &'a mut [u8; STACK_NAME]) -> Normal<'a> {
    if name.len() > STACK_NAME {
        return Normal::Heap(normalize(name));
    }
    let mut n = 0;
    for &b in name {
        if !matches!(b, b'-' | b'_' | b'.' | b' ' | b'$' | b':') && b.is_ascii() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    // Only ASCII bytes were kept.
    Normal::Stack(std::str::from_utf8(&buf[..n]).unwrap_or_default())
}

fn normalize_str(s: &str) -> String {
    normalize(s.as_bytes())
}

impl Names {
    pub fn builtin() -> Result<Self> {
        Self::from_toml(BUILTIN).context("patterns/names.toml")
    }

    pub fn from_toml(text: &str) -> Result<Self> {
        let f: File = toml::from_str(text)?;
        Ok(Names {
            headers: Lists::from(f.headers)?,
            params: Lists::from(f.params)?,
        })
    }

    /// Add user-supplied sensitive names (headers, cookies, parameters, JSON keys).
    pub fn add_sensitive(&mut self, headers: &[String], params: &[String]) {
        for h in headers {
            let f = self.headers.flags.entry(normalize_str(h)).or_default();
            *f = (*f & !SAFE) | EXACT;
        }
        for p in params {
            let f = self.params.flags.entry(normalize_str(p)).or_default();
            *f = (*f & !(SAFE | WEAK)) | EXACT;
        }
    }

    pub fn header(&self, name: &[u8]) -> HeaderClass {
        let mut buf = [0u8; STACK_NAME];
        let n = normalize_into(name, &mut buf);
        let n = n.as_str();
        let l = &self.headers;
        match n {
            "cookie" | "cookie2" => return HeaderClass::Cookie,
            "setcookie" | "setcookie2" => return HeaderClass::SetCookie,
            _ => {}
        }
        let f = l.flags(n);
        if f & SAFE != 0 {
            return HeaderClass::Other;
        }
        if f & SCHEME != 0 {
            return HeaderClass::Scheme;
        }
        if f & EXACT != 0 {
            return HeaderClass::Secret;
        }
        if f & URL != 0 {
            return HeaderClass::Url;
        }
        if n.starts_with("accesscontrol") {
            return HeaderClass::Other;
        }
        if l.contains(n) {
            return HeaderClass::Secret;
        }
        HeaderClass::Other
    }

    pub fn param(&self, name: &[u8]) -> ParamClass {
        let mut buf = [0u8; STACK_NAME];
        let n = normalize_into(name, &mut buf);
        let n = n.as_str();
        let l = &self.params;
        let f = l.flags(n);
        if n.is_empty() || f & SAFE != 0 {
            return ParamClass::Other;
        }
        if f & WEAK != 0 {
            return ParamClass::Weak;
        }
        if f & EXACT != 0 {
            return ParamClass::Secret;
        }
        if f & URL != 0 {
            return ParamClass::Url;
        }
        // Endings such as `...Token`, `...Secret`, `...Password`.
        if l.contains(n) {
            return ParamClass::Secret;
        }
        ParamClass::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_classes() {
        let n = Names::builtin().unwrap();
        assert_eq!(n.header(b"Cookie"), HeaderClass::Cookie);
        assert_eq!(n.header(b"set-cookie"), HeaderClass::SetCookie);
        assert_eq!(n.header(b"AUTHORIZATION"), HeaderClass::Scheme);
        assert_eq!(n.header(b"Proxy-Authorization"), HeaderClass::Scheme);
        assert_eq!(n.header(b"X-API-Key"), HeaderClass::Secret);
        assert_eq!(n.header(b"x-okta-xsrftoken"), HeaderClass::Secret);
        assert_eq!(n.header(b"Cf-Access-Jwt-Assertion"), HeaderClass::Secret);
        assert_eq!(n.header(b"X-Amz-Security-Token"), HeaderClass::Secret);
        assert_eq!(n.header(b"X-My-Custom-Token"), HeaderClass::Secret);
        assert_eq!(n.header(b"Location"), HeaderClass::Url);
        assert_eq!(n.header(b":path"), HeaderClass::Url);
        assert_eq!(n.header(b":authority"), HeaderClass::Other);
        assert_eq!(
            n.header(b"Access-Control-Allow-Credentials"),
            HeaderClass::Other
        );
        assert_eq!(n.header(b"ETag"), HeaderClass::Other);
        assert_eq!(n.header(b"Sec-WebSocket-Key"), HeaderClass::Other);
    }

    #[test]
    fn param_classes() {
        let n = Names::builtin().unwrap();
        for s in [
            "password",
            "access_token",
            "client_secret",
            "X-Amz-Signature",
            "SAMLResponse",
            "sessionToken",
            "refreshToken",
            "myApiToken",
        ] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Secret, "{s}");
        }
        for s in ["code", "key", "sig"] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Weak, "{s}");
        }
        for s in [
            "token_type",
            "expires_in",
            "username",
            "statusCode",
            "max_tokens",
            "page",
        ] {
            assert_eq!(n.param(s.as_bytes()), ParamClass::Other, "{s}");
        }
        assert_eq!(n.param(b"redirect_uri"), ParamClass::Url);
    }
}
