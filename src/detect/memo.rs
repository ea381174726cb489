//! Strings already read and found clean, within one pass over a HAR.
//!
//! Real captures repeat themselves: the same `User-Agent`, `Accept` and cache headers
//! on every request, the same script or stylesheet fetched by several pages, the same
//! polling response. Reading a string costs the whole detector (names, token rules,
//! every escaping layer); a string that was read before, in the same context and with
//! the same secrets known, and in which the detector found nothing, is not read again.
//!
//! What decides a string's reading is all in the key: the string's raw JSON bytes, each
//! context it is judged under (its key, the `{name, value}` pair and header map it sits
//! in, the MIME type and content coding of a body), the pairs being walked around it,
//! and the name the request's URL gives a body. The known secrets are the pass's
//! count of them (a pass only ever adds secrets, so one count is one set). Only what
//! leaves no trace is remembered: no edit, no finding, no discovered secret and no
//! layer the decoded views do not open. The key is the first 128 bits of a SHA-256
//! of all that: two different strings sharing an entry, by accident or by design, is
//! not a practical possibility. A remembered string is left as it is and reports
//! nothing, exactly what reading it again would do. The copy's verification does not
//! use this memo: every string it reads (`detect::touched` says which) is read by
//! the whole detector.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Strings shorter than this are read every time (cheaper than hashing and a lookup).
pub(crate) const MIN_LEN: usize = 48;
/// Entries of one generation: the memo keeps the latest two (about 1 MB in all), so
/// it remembers at least the last `GENERATION` strings it was told about. Repeats are
/// mostly near each other (the headers of consecutive requests).
const GENERATION: usize = 1 << 14;

/// See the module documentation. Shared by the threads of one pass.
#[derive(Default)]
pub(crate) struct Memo {
    clean: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    new: HashMap<[u8; 16], u32>,
    old: HashMap<[u8; 16], u32>,
}

/// A key being built: each part is length-prefixed, so parts never run together.
pub(crate) struct Key(Sha256);

impl Key {
    pub(crate) fn new() -> Key {
        Key(Sha256::new())
    }

    pub(crate) fn part(&mut self, tag: u8, bytes: &[u8]) -> &mut Key {
        self.0.update([tag]);
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    fn finish(self) -> [u8; 16] {
        let h = self.0.finalize();
        let mut k = [0; 16];
        k.copy_from_slice(&h[..16]);
        k
    }
}

impl Memo {
    pub(crate) fn new() -> Memo {
        Memo::default()
    }

    /// Was the string of `key` found clean knowing `known` secrets? The key is
    /// returned for [`Memo::remember`] either way.
    pub(crate) fn seen_clean(&self, key: Key, known: u32) -> ([u8; 16], bool) {
        let k = key.finish();
        let hit = self
            .clean
            .lock()
            .map(|g| g.new.get(&k).or_else(|| g.old.get(&k)) == Some(&known))
            .unwrap_or(false);
        (k, hit)
    }

    /// The string of `key` was read knowing `known` secrets and left no trace.
    pub(crate) fn remember(&self, key: [u8; 16], known: u32) {
        if let Ok(mut g) = self.clean.lock() {
            if g.new.len() >= GENERATION {
                g.old = std::mem::take(&mut g.new);
            }
            g.new.insert(key, known);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[(u8, &[u8])]) -> Key {
        let mut k = Key::new();
        for (t, b) in parts {
            k.part(*t, b);
        }
        k
    }

    #[test]
    fn remembers_per_key_and_known_count() {
        let m = Memo::new();
        let (k, hit) = m.seen_clean(key(&[(1, b"accept"), (9, b"text/html")]), 3);
        assert!(!hit);
        m.remember(k, 3);
        assert!(m.seen_clean(key(&[(1, b"accept"), (9, b"text/html")]), 3).1);
        // More secrets known: read again.
        assert!(!m.seen_clean(key(&[(1, b"accept"), (9, b"text/html")]), 4).1);
        // Another context, or parts that only concatenate the same.
        assert!(!m.seen_clean(key(&[(2, b"accept"), (9, b"text/html")]), 3).1);
        assert!(!m.seen_clean(key(&[(1, b"acceptt"), (9, b"ext/html")]), 3).1);
        assert!(!m.seen_clean(key(&[(1, b"accept")]), 3).1);
    }

    #[test]
    fn keeps_the_latest_two_generations() {
        let m = Memo::new();
        let k = |i: usize| key(&[(1, &i.to_le_bytes())]);
        for i in 0..3 * GENERATION {
            let (h, hit) = m.seen_clean(k(i), 0);
            assert!(!hit);
            m.remember(h, 0);
        }
        assert!(m.seen_clean(k(3 * GENERATION - 1), 0).1);
        assert!(m.seen_clean(k(GENERATION + 1), 0).1);
        assert!(!m.seen_clean(k(0), 0).1);
    }
}
