//! One input's session: the decompression budget shared by every archive member and
//! every compressed body of one top-level input (all depths), and by nothing else.
//!
//! There is no process-wide table: the budget lives in an `Arc` owned by the
//! outermost archive being opened and is made current for the calling thread while
//! that input is worked on (a scoped, restored-on-exit slot, like a call argument that
//! does not have to be threaded through every format handler). Work handed to other
//! threads (the HAR worker pool) carries the session along explicitly
//! ([`current`] then [`within`]). Two inputs with the same name, cleaned at the same
//! time on different threads, therefore never share limits.
//!
//! The budget: [`tree_limit`] is how much one top-level input may inflate in all (see
//! the `format::archive` module documentation for the limits as a whole); the outermost
//! archive creates the budget and makes it current (`Budget::enter`), nested archives
//! join it, and format handlers charge what they inflate with [`charge_tree`].

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use anyhow::Result;

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

/// A handle on the session of the input being worked on (possibly none yet).
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub(crate) budget: Option<Arc<Mutex<TreeBudget>>>,
}

thread_local! {
    static CURRENT: RefCell<Session> = RefCell::new(Session::default());
}

/// The session current on this thread.
pub fn current() -> Session {
    CURRENT.with(|c| c.borrow().clone())
}

/// Run `f` with `session` current on this thread; the previous one is restored
/// afterwards (also when `f` panics).
pub fn within<T>(session: Session, f: impl FnOnce() -> T) -> T {
    let _g = Installed::new(session);
    f()
}

/// Run `f` as a new top-level input: with no budget until its first archive opens.
pub fn fresh<T>(f: impl FnOnce() -> T) -> T {
    within(Session::default(), f)
}

/// Makes a session current until dropped, then restores the one before.
struct Installed {
    prev: Option<Session>,
}

impl Installed {
    fn new(session: Session) -> Installed {
        let prev = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), session));
        Installed { prev: Some(prev) }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
}

// ---------------------------------------------------------------------------------
// Decompression budget shared by one top-level input.

/// A handle on the budget of one top-level input. The outermost archive creates it and
/// makes it current on this thread; nested archives (and [`charge_tree`] callers) find
/// and share it; it is released when the outermost handle goes.
pub(crate) struct Budget {
    tree: Arc<Mutex<TreeBudget>>,
    /// Set on the handle that created the budget: restores the session before it.
    _installed: Option<Installed>,
}

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

fn lock(t: &Mutex<TreeBudget>) -> std::sync::MutexGuard<'_, TreeBudget> {
    t.lock().unwrap_or_else(|e| e.into_inner())
}

impl Budget {
    /// Join the budget of the input being worked on, or (at depth 0, or when there is
    /// none yet) create one from `limits` and `input_len` (the size of the archive
    /// being opened) and make it current until this handle is dropped.
    pub(crate) fn enter(limits: &Limits, input_len: u64, depth: usize) -> Budget {
        if depth > 0 {
            if let Some(tree) = current().budget {
                return Budget {
                    tree,
                    _installed: None,
                };
            }
        }
        let (limit, relative) = tree_limit(limits, input_len);
        let tree = Arc::new(Mutex::new(TreeBudget {
            remaining: limit,
            limit,
            input_len,
            relative,
        }));
        let installed = Installed::new(Session {
            budget: Some(tree.clone()),
        });
        Budget {
            tree,
            _installed: Some(installed),
        }
    }

    pub(crate) fn remaining(&self) -> u64 {
        lock(&self.tree).remaining
    }

    /// Take `n` bytes from the budget; false (and nothing taken) if there are not
    /// that many left.
    pub(crate) fn charge(&self, n: u64) -> bool {
        charge_budget(&self.tree, n)
    }

    /// The error for `member` when the budget is exhausted, naming the limit that
    /// applies and the option that raises it.
    pub(crate) fn error(&self, member: &str, limits: &Limits) -> anyhow::Error {
        anyhow::Error::new(LimitExceeded(format!(
            "{member}: {}",
            exhausted(&self.tree, limits)
        )))
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

/// Charge `n` bytes inflated by a format handler (an HTTP body's `Content-Encoding`,
/// say) to the budget of the input being worked on (`provenance` is where, for the
/// caller's message). Outside an archive there is no tree budget and nothing is
/// charged (the handler's own limits apply).
pub fn charge_tree(_provenance: &str, limits: &Limits, n: u64) -> Result<()> {
    let Some(tree) = current().budget else {
        return Ok(());
    };
    if charge_budget(&tree, n) {
        return Ok(());
    }
    Err(anyhow::Error::new(LimitExceeded(exhausted(&tree, limits))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
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
        charge_tree("loose.http", &lim, 1 << 40).unwrap();
        let b = Budget::enter(&lim, 10, 0);
        charge_tree("t.zip!/a/b.txt", &lim, 60).unwrap();
        let e = format!("{:#}", charge_tree("t.zip!/a/c.txt", &lim, 60).unwrap_err());
        assert!(
            e.starts_with("total decompressed size exceeds limit of 100 bytes")
                && e.contains("--max-total-bytes"),
            "{e}"
        );
        assert_eq!(b.remaining(), 40);
        drop(b);
        assert!(current().budget.is_none());
    }
}
