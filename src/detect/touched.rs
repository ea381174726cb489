//! The strings of a streamed HAR copy that its verification must read again.
//!
//! Verification re-detects the copy (`driver::verify`): every string of it, in the
//! context it sits in, with every secret of the document known. Most strings of a real
//! capture were not touched by the write pass, and re-detecting one of those repeats
//! the write pass's own reading of it, with one difference: the secrets known then
//! (a progressive pass learns them entry by entry) may be fewer than the secrets known
//! now. So the write pass records here every string it changed (by its bytes in the
//! copy), and every string whose reading opened a layer that the independent search of
//! the copy (`detect::views`) does not open (a brotli body, a body that decodes to
//! binary). The re-detection skips the strings this set does not hold. That is as
//! strong as re-detecting them:
//!
//! - a string of the copy the set does not hold was not changed (a changed string is
//!   always recorded; a filter has false positives only), so the same bytes were read
//!   by the write pass in the same place, under the same names, by the same detector,
//!   and nothing was found (a finding always changes its bytes);
//! - what only the secrets learnt later can find in it, a copy of a known secret in
//!   some encoding, the search of every decoded view of the copy finds: it reads every
//!   layer the detector reads in a string it did not record, and searches each for
//!   every known secret in every encoded form.
//!
//! The only other difference, names around the string now holding placeholders where
//! they held a secret, says nothing about the string itself.
//!
//! A repaired copy (`format::har::repair`) keeps the filter of the first copy: the
//! values it takes from that copy are the same bytes, recorded then, and the values it
//! scrubs again record their own changes.
//!
//! `Engine::set_full_rescan` turns the skipping off (the reference tests compare).
//!
//! The set is a Bloom filter of a fixed size chosen from the input's size, shared by
//! the worker threads: memory does not grow with the number of strings, and a full
//! filter only makes more strings read again.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Touched {
    bits: Box<[AtomicU64]>,
    mask: u64,
    /// One seed per filter: a crafted input cannot choose strings that share slots
    /// (which would only make more strings read again).
    hasher: foldhash::quality::RandomState,
}

impl Touched {
    /// A filter for the strings of an input of `len` bytes: about one bit per 16
    /// bytes, between 4 Kbit and 16 Mbit (2 MiB; two million changed strings in it
    /// make about one unchanged string in twenty read again).
    pub fn for_input(len: u64) -> Touched {
        let bits = (len / 16).clamp(1 << 12, 1 << 24).next_power_of_two();
        Touched {
            bits: (0..bits / 64).map(|_| AtomicU64::new(0)).collect(),
            mask: bits - 1,
            hasher: foldhash::quality::RandomState::default(),
        }
    }

    fn slots(&self, s: &[u8]) -> [u64; 2] {
        let h = self.hasher.hash_one(s);
        [h & self.mask, h.rotate_right(32) & self.mask]
    }

    /// Record a string (its raw JSON bytes, without the quotes).
    pub fn insert(&self, s: &[u8]) {
        for i in self.slots(s) {
            self.bits[(i / 64) as usize].fetch_or(1 << (i % 64), Ordering::Relaxed);
        }
    }

    /// May `s` have been recorded? (False: it certainly was not.)
    pub fn may_hold(&self, s: &[u8]) -> bool {
        self.slots(s)
            .iter()
            .all(|&i| self.bits[(i / 64) as usize].load(Ordering::Relaxed) & (1 << (i % 64)) != 0)
    }

    /// Record the strings of `after` (JSON that the write pass made of the JSON
    /// `before`) that differ from the string in the same place of `before`. The write
    /// pass changes strings and turns numbers into strings, so the two hold the same
    /// strings and scalars in the same order; if they do not, every string of `after`
    /// is recorded.
    pub fn record_changes(&self, before: &[u8], after: &[u8]) {
        let (mut a, mut b) = (Tokens { j: before, i: 0 }, Tokens { j: after, i: 0 });
        loop {
            match (a.next(), b.next()) {
                (x, Some(Token::Str(s))) => {
                    if !matches!(x, Some(Token::Str(r)) if r == s) {
                        self.insert(s);
                    }
                    if x.is_none() {
                        break;
                    }
                }
                (Some(_), Some(_)) => {}
                (None, None) => return,
                _ => break,
            }
        }
        // The shapes differ: every string of `after` (those recorded above again).
        for t in (Tokens { j: after, i: 0 }) {
            if let Token::Str(s) = t {
                self.insert(s);
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    /// A string's raw bytes, without the quotes.
    Str(&'a [u8]),
    /// A number, `true`, `false` or `null`.
    Scalar(&'a [u8]),
}

/// The strings and scalars of a JSON text, in order (punctuation and white space
/// skipped). Not a validator: the text was parsed already.
struct Tokens<'a> {
    j: &'a [u8],
    i: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let j = self.j;
        let mut i = self.i;
        let sep = |b: u8| {
            matches!(
                b,
                b'{' | b'}' | b'[' | b']' | b':' | b',' | b' ' | b'\t' | b'\r' | b'\n'
            )
        };
        while i < j.len() && sep(j[i]) {
            i += 1;
        }
        if i >= j.len() {
            self.i = i;
            return None;
        }
        if j[i] == b'"' {
            let start = i + 1;
            let mut k = start;
            loop {
                match memchr::memchr2(b'"', b'\\', &j[k.min(j.len())..]) {
                    Some(p) if j[k + p] == b'\\' => k += p + 2,
                    Some(p) => {
                        k += p;
                        break;
                    }
                    None => {
                        k = j.len();
                        break;
                    }
                }
            }
            let end = k.min(j.len());
            self.i = end + 1;
            return Some(Token::Str(&j[start..end]));
        }
        let start = i;
        while i < j.len() && !sep(j[i]) && j[i] != b'"' {
            i += 1;
        }
        self.i = i;
        Some(Token::Scalar(&j[start..i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_json() {
        let j = br#"{"a\"b": [1, -2.5e3, true, null, "x\\"], "c":"\u00e9"}"#;
        assert_eq!(
            Tokens { j, i: 0 }.collect::<Vec<_>>(),
            [
                Token::Str(br#"a\"b"#),
                Token::Scalar(b"1"),
                Token::Scalar(b"-2.5e3"),
                Token::Scalar(b"true"),
                Token::Scalar(b"null"),
                Token::Str(br#"x\\"#),
                Token::Str(b"c"),
                Token::Str(br#"\u00e9"#),
            ]
        );
    }

    /// Every string that changed is recorded, and only those (the filter is large
    /// enough here for no false positive); a number turned into a string is recorded;
    /// when the shapes differ, every string is.
    #[test]
    fn records_exactly_the_changed_strings() {
        let t = Touched::for_input(1 << 20);
        let before = br#"{"name":"Authorization","value":"Bearer abc.def.ghi","pin":4711,"n":1}"#;
        let after = br#"{"name":"Authorization","value":"Bearer [REDACTED:jwt:1f]","pin":"[REDACTED:pin:2e]","n":1}"#;
        t.record_changes(before, after);
        assert!(t.may_hold(b"Bearer [REDACTED:jwt:1f]"));
        assert!(t.may_hold(b"[REDACTED:pin:2e]"));
        for same in [&b"name"[..], b"Authorization", b"value", b"pin", b"n"] {
            assert!(!t.may_hold(same), "{}", String::from_utf8_lossy(same));
        }
        let t = Touched::for_input(0);
        t.record_changes(br#"["a", "b"]"#, br#"["a", "b", "c"]"#);
        assert!(t.may_hold(b"a") && t.may_hold(b"b") && t.may_hold(b"c"));
        assert!(!t.may_hold(b"d"));
    }
}
