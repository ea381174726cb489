//! A finding: where a credential was, what it was, and a keyed fingerprint of it.
//! A finding never holds the secret itself, nor any part of it.

mod store;

pub(crate) use store::Drain;
pub use store::Findings;

use serde::{Deserialize, Serialize};

/// Decoded, non-secret claims of a JWT, for triage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct JwtInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Keyed fingerprint of `sub` (the subject is personal data, so never shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_fingerprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// True when `exp` was already in the past when scanned.
    pub expired: Option<bool>,
}

/// One credential occurrence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Finding {
    /// Provenance of the file: a path, with `!/member` segments for archive members.
    pub file: String,
    /// Where inside the file: a JSON Pointer (`/log/entries/3/request/headers/5/value`)
    /// or `line:column` for text.
    pub location: String,
    /// Id of the rule (or built-in context rule such as `context.cookie`) that matched.
    pub rule: String,
    /// Kind of credential; also the kind word in the placeholder.
    pub kind: String,
    /// Keyed fingerprint (first 8 hex digits of HMAC-SHA256) of the secret.
    pub fingerprint: String,
    /// Length of the secret in bytes.
    pub length: usize,
    /// The header, cookie, query or form parameter, or JSON key the credential was the
    /// value of, where known. Read from the redacted copy, so never a secret.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// HAR entries and mitmproxy flows: the method of the request.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub method: Option<String>,
    /// HAR entries and mitmproxy flows: the URL of the request, taken from the redacted
    /// copy (placeholders where the input had secrets), cut after 512 characters.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtInfo>,
    /// When the cookie that carried the credential expires (unix seconds): the `Max-Age`
    /// (counted from the HAR entry's `startedDateTime`) or `Expires` attribute of a
    /// `Set-Cookie`, or the `expires` of a HAR cookie object. Absent for session cookies,
    /// cookies whose expiry could not be read, credentials that did not come in a
    /// cookie, and a `Max-Age` whose response time is unknown (raw dumps, logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie_expires: Option<i64>,
    /// Whether that cookie had already expired when scanned, or was deleted
    /// (`Max-Age` zero or negative). Present whenever the cookie had a readable
    /// expiry (always with `cookie_expires`); a positive `Max-Age` whose response time
    /// is unknown counts from the scan: live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie_expired: Option<bool>,
}

impl Finding {
    /// Was the credential already expired when scanned: a JWT past its `exp`, or a cookie
    /// past its expiry (or deleted)? Session cookies, tokens without an expiry and
    /// anything whose expiry is unknown count as live.
    pub fn is_expired(&self) -> bool {
        self.jwt.as_ref().and_then(|j| j.expired) == Some(true) || self.cookie_expired == Some(true)
    }
}

/// Where a finding is, typed: the file, the archive members leading to the document,
/// and the place inside it. Derived from [`Finding::file`] and [`Finding::location`]
/// (the report format keeps those strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The top-level file (or the name given to the library).
    pub file: String,
    /// Archive members, outermost first (`bundle.zip!/logs/app.tar!/app.log` gives
    /// `["logs/app.tar", "app.log"]`).
    pub members: Vec<String>,
    /// The place inside the innermost document.
    pub location: Location,
}

/// A place inside a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A JSON Pointer (`/log/entries/3/request/headers/5/value`).
    Pointer(String),
    /// A line and column (1-based) in text.
    LineColumn { line: u64, column: u64 },
    /// Any other description.
    Other(String),
}

impl Finding {
    /// The typed provenance of this finding.
    ///
    /// ```
    /// use harscrub::{Finding, Location};
    ///
    /// let f = Finding {
    ///     file: "bundle.zip!/logs/app.log".into(),
    ///     location: "12:7".into(),
    ///     ..Finding::default()
    /// };
    /// let p = f.provenance();
    /// assert_eq!(p.file, "bundle.zip");
    /// assert_eq!(p.members, ["logs/app.log"]);
    /// assert_eq!(p.location, Location::LineColumn { line: 12, column: 7 });
    /// ```
    pub fn provenance(&self) -> Provenance {
        let mut parts = self.file.split("!/");
        let file = parts.next().unwrap_or_default().to_string();
        let members = parts.map(str::to_string).collect();
        let loc = &self.location;
        let location = if loc.starts_with('/') || loc.is_empty() {
            Location::Pointer(loc.clone())
        } else if let Some((l, c)) = loc
            .split_once(':')
            .and_then(|(l, c)| Some((l.parse().ok()?, c.parse().ok()?)))
        {
            Location::LineColumn { line: l, column: c }
        } else {
            Location::Other(loc.clone())
        };
        Provenance {
            file,
            members,
            location,
        }
    }
}
