//! Credential names: which header, cookie, parameter and JSON-key names hold secrets.
//! The lists are data (`patterns/names.toml`), extended by the user's config.

use std::collections::HashSet;

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

#[derive(Debug)]
struct Lists {
    exact: HashSet<String>,
    scheme: HashSet<String>,
    weak: HashSet<String>,
    contains: Vec<String>,
    safe: HashSet<String>,
    url: HashSet<String>,
}

impl Lists {
    fn from(s: Section) -> Self {
        let set = |v: Vec<String>| v.iter().map(|x| normalize_str(x)).collect();
        Lists {
            exact: set(s.exact),
            scheme: set(s.scheme),
            weak: set(s.weak),
            contains: s.contains.iter().map(|x| normalize_str(x)).collect(),
            safe: set(s.safe),
            url: set(s.url),
        }
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
            headers: Lists::from(f.headers),
            params: Lists::from(f.params),
        })
    }

    /// Add user-supplied sensitive names (headers, cookies, parameters, JSON keys).
    pub fn add_sensitive(&mut self, headers: &[String], params: &[String]) {
        for h in headers {
            let n = normalize_str(h);
            self.headers.safe.remove(&n);
            self.headers.exact.insert(n);
        }
        for p in params {
            let n = normalize_str(p);
            self.params.safe.remove(&n);
            self.params.weak.remove(&n);
            self.params.exact.insert(n);
        }
    }

    pub fn header(&self, name: &[u8]) -> HeaderClass {
        let n = normalize(name);
        let l = &self.headers;
        match n.as_str() {
            "cookie" | "cookie2" => return HeaderClass::Cookie,
            "setcookie" | "setcookie2" => return HeaderClass::SetCookie,
            _ => {}
        }
        if l.safe.contains(&n) {
            return HeaderClass::Other;
        }
        if l.scheme.contains(&n) {
            return HeaderClass::Scheme;
        }
        if l.exact.contains(&n) {
            return HeaderClass::Secret;
        }
        if l.url.contains(&n) {
            return HeaderClass::Url;
        }
        if n.starts_with("accesscontrol") {
            return HeaderClass::Other;
        }
        if l.contains.iter().any(|c| n.contains(c.as_str())) {
            return HeaderClass::Secret;
        }
        HeaderClass::Other
    }

    pub fn param(&self, name: &[u8]) -> ParamClass {
        let n = normalize(name);
        let l = &self.params;
        if n.is_empty() || l.safe.contains(&n) {
            return ParamClass::Other;
        }
        if l.weak.contains(&n) {
            return ParamClass::Weak;
        }
        if l.exact.contains(&n) {
            return ParamClass::Secret;
        }
        if l.url.contains(&n) {
            return ParamClass::Url;
        }
        // Endings such as `...Token`, `...Secret`, `...Password`.
        if l.contains.iter().any(|c| n.contains(c.as_str())) {
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
