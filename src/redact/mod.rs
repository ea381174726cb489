//! Keyed placeholders: `[REDACTED:<kind>:<fingerprint>]`.

/// Turns secrets into placeholders. The fingerprint is HMAC-SHA256 keyed per run.
pub struct Redactor {
    key: Vec<u8>,
}

impl Redactor {
    pub fn new(key: Vec<u8>) -> Self {
        Redactor { key }
    }
    pub fn key_len(&self) -> usize {
        self.key.len()
    }
}
