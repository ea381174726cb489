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

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

/// The budget of one top-level input.
#[derive(Debug)]
pub(crate) struct TreeBudget {
    /// Bytes that may still be inflated.
    pub(crate) remaining: u64,
    /// What it started at, and why (for the error message).
    pub(crate) limit: u64,
    pub(crate) input_len: u64,
    pub(crate) relative: bool,
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
pub(crate) struct Installed {
    prev: Option<Session>,
}

impl Installed {
    pub(crate) fn new(session: Session) -> Installed {
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
