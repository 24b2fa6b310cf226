//! How the loop state is shared between the calls that reach it. Every
//! access is a short exclusive borrow that never spans a callback, so
//! callbacks may re-enter the loop freely.
//!
//! - `RefCell`: one thread at a time per loop (each thread may run its own
//!   loops); the generations up to Valkey 7.2. Not `Sync`: two threads in
//!   one loop at once are the caller's bug, as with the reference's ae.c.
//! - `sys::mutex::Mutex` (a pthread mutex): a loop an IO thread polls
//!   (`aePoll`) while the main thread dispatches and registers (Valkey 8);
//!   `Sync`, so the state may be reached from both threads. Error-checking:
//!   a nested access on the thread that holds it is refused like a
//!   `RefCell`'s, not deadlocked.

use core::cell::RefCell;

use crate::sys::mutex::Mutex;

use super::EventLoop;
use super::timer_list::TimerNode;

pub trait LoopCell<N: TimerNode> {
    fn new(core: EventLoop<N>) -> Self;
    /// Runs `f` on the state; None if it is borrowed already (a call from a
    /// place where the borrow is held: a bug of the caller, refused).
    fn try_with<R>(&self, f: impl FnOnce(&mut EventLoop<N>) -> R) -> Option<R>;
    /// Unwraps the state, for deletion.
    fn into_inner(self) -> EventLoop<N>;

    /// Runs `f` on the state. Within the core the state is never borrowed
    /// across a callback, so this cannot find it borrowed on the same thread.
    fn with<R: Default>(&self, f: impl FnOnce(&mut EventLoop<N>) -> R) -> R {
        self.try_with(f).unwrap_or_default()
    }
}

impl<N: TimerNode> LoopCell<N> for RefCell<EventLoop<N>> {
    fn new(core: EventLoop<N>) -> Self {
        RefCell::new(core)
    }

    fn try_with<R>(&self, f: impl FnOnce(&mut EventLoop<N>) -> R) -> Option<R> {
        let mut core = self.try_borrow_mut().ok()?;
        Some(f(&mut core))
    }

    fn into_inner(self) -> EventLoop<N> {
        RefCell::into_inner(self)
    }
}

impl<N: TimerNode> LoopCell<N> for Mutex<EventLoop<N>> {
    fn new(core: EventLoop<N>) -> Self {
        Mutex::new(core)
    }

    /// Waits for another thread's access (an IO thread's poll) to end.
    fn try_with<R>(&self, f: impl FnOnce(&mut EventLoop<N>) -> R) -> Option<R> {
        self.with(f)
    }

    fn into_inner(self) -> EventLoop<N> {
        Mutex::into_inner(self)
    }
}
