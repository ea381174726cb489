//! A finding: where a credential was, what it was, and a keyed fingerprint of it.
//! A finding never holds the secret itself, nor any part of it.

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
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtInfo>,
}

impl Finding {
    /// Was this credential already expired when scanned? Only what the input says
    /// counts (a JWT's `exp`); anything without an expiry is taken as live.
    pub fn is_expired(&self) -> bool {
        self.jwt.as_ref().is_some_and(|j| j.expired == Some(true))
    }
}
