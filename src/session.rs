//! One input's session: the decompression budget shared by every archive member and
//! every compressed body of one top-level input (all depths), and by nothing else.
//!
//! There is no global state: a [`Session`] is a value, created for each top-level
//! input ([`Session::default`]) and passed down as an argument: to the archive
//! handler, the member handler of every nested archive, every format handler and the
//! HAR worker threads. Two inputs with the same name, cleaned at the same time on
//! different threads, therefore never share limits.
//!
//! The budget: [`tree_limit`] is how much one top-level input may inflate in all (see
//! the `format::archive` module documentation for the limits as a whole); the outermost
//! archive creates the budget (`Session::for_archive`), nested archives join it, and
//! format handlers charge what they inflate with [`Session::charge_tree`].
//!
//! The secrets: the documents of one archive tree (the members of a support bundle)
//! share what they learn. A password found by its name in `conf/.env` is redacted in
//! `logs/app.log` of the same bundle too, where it stands without a name. Each
//! document starts knowing what the documents before it learnt ([`Session::seed`]) and
//! adds its own ([`Session::learn`]); when a document learns a secret after another
//! one was finished, the archive is cleaned again from the start knowing all of them
//! (`format::archive`), so the order of the members does not matter.

use std::sync::{Arc, Mutex};

use anyhow::Result;

use crate::detect::{Discovered, Known};
use crate::engine::Limits;
use crate::error::LimitExceeded;

/// The budget of one top-level input.
#[derive(Debug)]
pub(crate) struct TreeBudget {
    /// Bytes that may still be inflated.
    remaining: u64,
    /// What it started at, and why (for the error message).
    limit: u64,
    input_len: u64,
    relative: bool,
}

/// The session of one top-level input: cheap to clone (clones share the budget).
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// None until the input's outermost archive is opened.
    budget: Option<Arc<Mutex<TreeBudget>>>,
    /// None outside an archive: a document on its own learns for itself only.
    secrets: Option<Arc<Mutex<Shared>>>,
}

/// What a document of an archive tree starts knowing: the secrets the documents
/// before it learnt, and their index (shared by every document that starts from the
/// same set).
pub(crate) struct Seed {
    pub(crate) learnt: Arc<Discovered>,
    pub(crate) known: Arc<Known>,
}

/// The secrets the documents of one archive tree learnt (see the module documentation).
#[derive(Debug, Default)]
struct Shared {
    learnt: Arc<Discovered>,
    /// The index of `learnt`, built once for every document that starts knowing it
    /// (it is dropped when `learnt` grows). A bundle of thousands of members and
    /// hundreds of secrets would otherwise build it once per member.
    known: Option<Arc<Known>>,
    /// Documents finished.
    done: usize,
    /// A document learnt a secret after another one was finished.
    late: bool,
}

// ---------------------------------------------------------------------------------
// Decompression budget shared by one top-level input.

/// The most that may be inflated from a top-level input of `input_len` bytes, all
/// members at all depths: `max_ratio` times its size (but at least
/// `min_tree_budget`), and never more than `max_total_bytes`. True when the relative
/// limit is the one that applies.
pub fn tree_limit(limits: &Limits, input_len: u64) -> (u64, bool) {
    let relative = input_len
        .saturating_mul(limits.max_ratio)
        .max(limits.min_tree_budget);
    if relative < limits.max_total_bytes {
        (relative, true)
    } else {
        (limits.max_total_bytes, false)
    }
}

fn lock<T>(t: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    t.lock().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    /// The session the members of an archive of `input_len` bytes, opened at `depth`,
    /// are worked on in: this one when it already has a budget (a nested archive joins
    /// its input's budget), or one with a new budget (the outermost archive).
    pub(crate) fn for_archive(&self, limits: &Limits, input_len: u64, depth: usize) -> Session {
        if depth > 0 && self.budget.is_some() {
            return self.clone();
        }
        let (limit, relative) = tree_limit(limits, input_len);
        Session {
            budget: Some(Arc::new(Mutex::new(TreeBudget {
                remaining: limit,
                limit,
                input_len,
                relative,
            }))),
            secrets: None,
        }
    }

    /// Does [`Session::for_archive`] start a new tree here (the outermost archive)?
    pub(crate) fn starts_tree(&self, depth: usize) -> bool {
        depth == 0 || self.budget.is_none()
    }

    /// This session, its documents sharing their secrets, starting from `seed`.
    pub(crate) fn sharing(mut self, seed: Discovered) -> Session {
        self.secrets = Some(Arc::new(Mutex::new(Shared {
            learnt: Arc::new(seed),
            ..Shared::default()
        })));
        self
    }

    /// What the documents of this tree learnt so far, and their index; `None` outside
    /// an archive or while nothing was learnt.
    pub(crate) fn seed(&self) -> Option<Seed> {
        let mut s = lock(self.secrets.as_ref()?);
        if s.learnt.is_empty() {
            return None;
        }
        let learnt = Arc::clone(&s.learnt);
        let known = Arc::clone(s.known.get_or_insert_with(|| Arc::new(Known::new(&learnt))));
        Some(Seed { learnt, known })
    }

    /// A document of this tree is finished, having learnt `discovered`.
    pub(crate) fn learn(&self, discovered: &Discovered) {
        let Some(s) = &self.secrets else {
            return;
        };
        let mut s = lock(s);
        let new: Vec<_> = discovered
            .iter()
            .filter(|(k, _)| !s.learnt.contains_key(*k))
            .collect();
        let grew = !new.is_empty();
        if grew {
            let learnt = Arc::make_mut(&mut s.learnt);
            for (k, v) in new {
                learnt.insert(k.clone(), v.clone());
            }
            s.known = None;
        }
        s.late |= grew && s.done > 0;
        s.done += 1;
    }

    /// Did a document of this tree learn a secret after another one was finished?
    /// Then, every secret it learnt.
    pub(crate) fn learnt_late(&self) -> Option<Discovered> {
        let s = lock(self.secrets.as_ref()?);
        s.late.then(|| (*s.learnt).clone())
    }

    /// Bytes that may still be inflated (unlimited before the first archive).
    pub(crate) fn remaining(&self) -> u64 {
        self.budget.as_ref().map_or(u64::MAX, |b| lock(b).remaining)
    }

    /// Take `n` bytes from the budget; false (and nothing taken) if there are not
    /// that many left. Always true before the first archive.
    pub(crate) fn charge(&self, n: u64) -> bool {
        self.budget.as_ref().is_none_or(|b| charge_budget(b, n))
    }

    /// The error for `member` when the budget is exhausted, naming the limit that
    /// applies and the option that raises it.
    pub(crate) fn error(&self, member: &str, limits: &Limits) -> anyhow::Error {
        let why = match &self.budget {
            Some(b) => exhausted(b, limits),
            None => "total decompressed size exceeds the limit".to_string(),
        };
        anyhow::Error::new(LimitExceeded(format!("{member}: {why}")))
    }

    /// Charge `n` bytes inflated by a format handler (an HTTP body's
    /// `Content-Encoding`, say) to this input's budget. Outside an archive there is no
    /// tree budget and nothing is charged (the handler's own limits apply).
    pub fn charge_tree(&self, limits: &Limits, n: u64) -> Result<()> {
        let Some(tree) = &self.budget else {
            return Ok(());
        };
        if charge_budget(tree, n) {
            return Ok(());
        }
        Err(anyhow::Error::new(LimitExceeded(exhausted(tree, limits))))
    }
}

fn charge_budget(tree: &Mutex<TreeBudget>, n: u64) -> bool {
    let mut t = lock(tree);
    if t.remaining >= n {
        t.remaining -= n;
        true
    } else {
        false
    }
}

fn exhausted(tree: &Mutex<TreeBudget>, limits: &Limits) -> String {
    let (limit, input_len, relative) = {
        let t = lock(tree);
        (t.limit, t.input_len, t.relative)
    };
    if relative {
        format!(
            "total decompressed size exceeds limit of {limit} bytes for a {input_len}-byte input \
             ({}:1, at least {} bytes; nested archive bomb?) (raise with --max-ratio)",
            limits.max_ratio, limits.min_tree_budget
        )
    } else {
        format!(
            "total decompressed size exceeds limit of {limit} bytes (raise with --max-total-bytes)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn documents_of_a_tree_share_one_index_until_a_secret_is_learnt() {
        let secret = |k: &str| Discovered::from([(k.as_bytes().to_vec(), "password".into())]);
        assert!(Session::default().seed().is_none(), "outside an archive");
        let s = Session::default().sharing(Discovered::new());
        assert!(s.seed().is_none(), "nothing learnt yet");
        s.learn(&secret("hunter2-first-secret"));
        let (a, b) = (s.seed().unwrap(), s.seed().unwrap());
        assert!(
            Arc::ptr_eq(&a.known, &b.known),
            "one index for the same set"
        );
        assert!(a.known.kind_of(b"hunter2-first-secret").is_some());
        // Learning nothing new keeps the index; learning a secret replaces it.
        s.learn(&secret("hunter2-first-secret"));
        assert!(Arc::ptr_eq(&a.known, &s.seed().unwrap().known));
        s.learn(&secret("hunter2-second-secret"));
        let c = s.seed().unwrap();
        assert!(!Arc::ptr_eq(&a.known, &c.known));
        assert!(c.known.kind_of(b"hunter2-second-secret").is_some());
        assert!(c.known.kind_of(b"hunter2-first-secret").is_some());
        assert_eq!(c.learnt.len(), 2);
        // A seed taken before keeps the set it was taken with.
        assert_eq!(a.learnt.len(), 1);
        assert!(
            s.learnt_late().is_some(),
            "learnt after a document was finished"
        );
    }

    #[test]
    fn tree_limit_is_relative_to_the_input_with_a_floor_and_a_ceiling() {
        let lim = Limits {
            max_ratio: 100,
            min_tree_budget: 1000,
            max_total_bytes: 1_000_000,
            ..limits()
        };
        assert_eq!(tree_limit(&lim, 0), (1000, true));
        assert_eq!(tree_limit(&lim, 5), (1000, true));
        assert_eq!(tree_limit(&lim, 50), (5000, true));
        assert_eq!(tree_limit(&lim, 20_000), (1_000_000, false));
        assert_eq!(tree_limit(&lim, u64::MAX), (1_000_000, false));
        // Defaults: a 19 KB input may inflate to 64 MiB, a 1 MB one to 1 GB, a 100 MB
        // one to 16 GiB.
        assert_eq!(tree_limit(&limits(), 19_000), (64 << 20, true));
        assert_eq!(tree_limit(&limits(), 1_000_000), (1_000_000_000, true));
        assert_eq!(tree_limit(&limits(), 100_000_000), (16 << 30, false));
    }

    #[test]
    fn format_handlers_charge_the_tree_budget() {
        let lim = Limits {
            max_total_bytes: 100,
            ..limits()
        };
        // Outside an archive there is no tree budget.
        let input = Session::default();
        input.charge_tree(&lim, 1 << 40).unwrap();
        let b = input.for_archive(&lim, 10, 0);
        // A nested archive joins it; a new top-level input gets its own.
        let nested = b.for_archive(&lim, 5, 1);
        b.charge_tree(&lim, 60).unwrap();
        let e = format!("{:#}", nested.charge_tree(&lim, 60).unwrap_err());
        assert!(
            e.starts_with("total decompressed size exceeds limit of 100 bytes")
                && e.contains("--max-total-bytes"),
            "{e}"
        );
        assert_eq!(b.remaining(), 40);
        assert_eq!(nested.remaining(), 40);
        assert_eq!(Session::default().for_archive(&lim, 10, 0).remaining(), 100);
        assert!(input.budget.is_none());
    }
}
