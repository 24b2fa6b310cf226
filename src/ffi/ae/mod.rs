//! The ae.h functions, written once against the current generation's C
//! layout (`generation::current::ae_abi`) through the `CEventLoop` and
//! `CTimeEvent` traits. The functions only some generations have live in
//! their own files, compiled where the generation's surface (build.rs)
//! lists them.
#![allow(non_snake_case)]

use core::ffi::{c_int, c_void};
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::abi::ae_common::aeFileProcPtr;
use crate::abi::ae_layout::{AfterSleep, CEventLoop, CTimeEvent, Published};
use crate::ae::EventLoop;
use crate::ae::dispatch::Host;
use crate::ae::loop_cell::LoopCell;
use crate::generation::current::{self, ae_abi};

pub mod base;
pub use base::*;
#[cfg(aenet_group = "after_sleep")]
pub mod after_sleep;
#[cfg(aenet_group = "after_sleep")]
pub use after_sleep::*;
#[cfg(aenet_group = "client_data")]
pub mod client_data;
#[cfg(aenet_group = "client_data")]
pub use client_data::*;
#[cfg(aenet_group = "custom_poll")]
pub mod custom_poll;
#[cfg(aenet_group = "custom_poll")]
pub use custom_poll::*;
#[cfg(aenet_group = "dont_wait")]
pub mod dont_wait;
#[cfg(aenet_group = "dont_wait")]
pub use dont_wait::*;

pub(crate) type Loop = ae_abi::aeEventLoop;
pub(crate) type Node = <Loop as CEventLoop>::TimeEvent;
type Core = EventLoop<Node>;
type Cell = current::LoopCell<Node>;

/// The private half of a loop, hung off `apidata`. Only the core is
/// reached from other threads (Valkey 8's aePoll); the counters are atomic
/// so the whole state may be shared. It is `Sync` where the generation's
/// cell is (a pthread mutex: valkey80, valkey81), `Send` everywhere.
pub(crate) struct LoopState {
    core: Cell,
    /// How many aeMain/aeProcessEvents calls are running on this loop.
    depth: AtomicU32,
    /// aeDeleteEventLoop was called while `depth > 0`.
    doomed: AtomicBool,
}

// SAFETY: the core holds C pointers (client data, callbacks, the C-visible
// links of its timer nodes) that it stores and hands back to C but never
// dereferences, and memory only it reaches (its arrays, boxed timer nodes,
// backend descriptors). Moving it to another thread, or reaching it from
// one under its cell's lock, is as sound as the host's own use of those
// pointers there; the reference ae.c has no thread affinity either.
unsafe impl<N: crate::ae::timer_list::TimerNode> Send for EventLoop<N> {}

/// A loop pointer from C, checked once at entry: NULL or dead loops are
/// refused by the caller (`loop_ref` returns None).
#[derive(Clone, Copy)]
pub(crate) struct LoopRef<'a> {
    el: *mut Loop,
    st: &'a LoopState,
}

/// # Safety
/// `el` is NULL or a loop returned by aeCreateEventLoop and not yet freed.
pub(crate) unsafe fn loop_ref<'a>(el: *mut Loop) -> Option<LoopRef<'a>> {
    if el.is_null() {
        return None;
    }
    // SAFETY: el is a live loop; apidata was set from Box<LoopState> at
    // creation and is cleared before the loop is freed.
    let p = unsafe { (*el).apidata() } as *const LoopState;
    // SAFETY: p is NULL or the live LoopState; only shared references are made.
    let st = unsafe { p.as_ref() }?;
    Some(LoopRef { el, st })
}

impl<'a> LoopRef<'a> {
    /// Runs `f` on the core with a short borrow, then publishes.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Core) -> R) -> Option<R> {
        self.st.core.try_with(|core| {
            let r = f(core);
            self.publish(core);
            r
        })
    }

    /// Reads from the core without publishing.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Core) -> R) -> Option<R> {
        self.st.core.try_with(|core| f(core))
    }

    /// Runs `f` on the core without publishing, for a change that leaves
    /// every C-visible field as it was (a wait fills `fired` in place). An
    /// IO thread's aePoll goes this way, so it writes nothing in the C
    /// struct the main thread may be reading.
    #[cfg(aenet_group = "custom_poll")]
    pub(crate) fn with_unpublished<R>(&self, f: impl FnOnce(&mut Core) -> R) -> Option<R> {
        self.st.core.try_with(f)
    }

    /// Writes the core's view into the C struct's public fields.
    fn publish(&self, core: &mut Core) {
        let p = Published {
            maxfd: core.maxfd(),
            setsize: core.setsize(),
            next_id: core.timers.next_id(),
            last_time: core.last_time,
            events: core.events_ptr(),
            fired: core.fired_ptr(),
            head: core.timers.head_ptr(),
            flags: core.flags,
        };
        // SAFETY: el is live while its state is reachable; the C side does
        // not touch the struct during this call (one thread per loop, and
        // Valkey's IO thread reaches only the core, under its lock).
        unsafe { (*self.el).publish(&p) };
    }

    fn host(&self) -> CHost<'a> {
        CHost { el: *self }
    }

    fn raw(&self) -> *mut c_void {
        self.el.cast()
    }

    fn enter(&self) {
        self.st.depth.fetch_add(1, Ordering::Relaxed);
    }

    /// Ends one level of aeMain/aeProcessEvents; the outermost frees a loop
    /// that was deleted from inside a callback.
    ///
    /// # Safety
    /// The loop is live; nothing uses this LoopRef afterwards.
    unsafe fn leave(self) {
        if self.st.depth.fetch_sub(1, Ordering::Relaxed) == 1 && self.st.doomed.load(Ordering::Relaxed) {
            // SAFETY: no call on this loop is running any more.
            unsafe { destroy(self) };
        }
    }
}

struct CHost<'a> {
    el: LoopRef<'a>,
}

impl Host for CHost<'_> {
    type Node = Node;

    fn file_proc(&self, proc_: aeFileProcPtr, fd: i32, client_data: *mut c_void, mask: i32) {
        if let Some(f) = proc_ {
            // SAFETY: the caller registered f with this signature for this fd.
            unsafe { f(self.el.raw(), fd, client_data, mask) }
        }
    }

    fn time_proc(&self, cb: <Node as crate::ae::timer_list::TimerNode>::Callbacks, id: i64) -> i64 {
        // SAFETY: the caller registered the proc with this signature for this timer.
        unsafe { Node::call(cb.proc_, self.el.raw(), id, cb.client_data) }
    }

    fn finalizer(&self, cb: <Node as crate::ae::timer_list::TimerNode>::Callbacks) {
        if let Some(f) = cb.finalizer {
            // SAFETY: the caller registered f as this timer's finalizer.
            unsafe { f(self.el.raw(), cb.client_data) }
        }
    }

    fn before_sleep(&self) {
        // SAFETY: the loop is live; the hook is re-read (callbacks change it).
        if let Some(f) = unsafe { (*self.el.el).before_sleep() } {
            // SAFETY: installed with this signature by aeSetBeforeSleepProc.
            unsafe { f(self.el.raw()) }
        }
    }

    fn after_sleep(&self, numevents: i32) {
        // SAFETY: the loop is live.
        match unsafe { (*self.el.el).after_sleep() } {
            AfterSleep::None => {}
            // SAFETY: installed with this signature by aeSetAfterSleepProc.
            AfterSleep::Plain(f) => unsafe { f(self.el.raw()) },
            // SAFETY: as above.
            AfterSleep::WithEvents(f) => unsafe { f(self.el.raw(), numevents) },
        }
    }

    fn custom_poll(&self) -> Option<i32> {
        // SAFETY: the loop is live.
        let f = unsafe { (*self.el.el).custom_poll() }?;
        // SAFETY: installed with this signature by aeSetCustomPollProc.
        Some(unsafe { f(self.el.raw()) })
    }

    fn wait_failed(&self, errno: i32) {
        let call = crate::ae::backend::Kind::effective().wait_call();
        crate::host_hooks::panic_wait_failed(crate::here!(), call, errno);
    }

    fn publish(&self, core: &mut Core) {
        self.el.publish(core);
    }

    fn cancelled(&self) -> bool {
        self.el.st.doomed.load(Ordering::Relaxed)
    }

    fn stopped(&self) -> bool {
        // SAFETY: the loop is live.
        unsafe { (*self.el.el).stop() }
    }
}

/// Frees the loop and its remaining timers (finalizers run only where the
/// generation's aeDeleteEventLoop runs them).
///
/// # Safety
/// The loop is live and no call on it is running.
unsafe fn destroy(l: LoopRef<'_>) {
    let finalize = l.read(|c| c.policy.finalize_timers_on_loop_delete).unwrap_or(false);
    let left = l.with(|c| c.timers.drain()).unwrap_or_default();
    if finalize {
        let host = l.host();
        for cb in left {
            host.finalizer(cb);
        }
    }
    crate::cluster::host::loop_deleted(l.raw());
    // SAFETY: both boxes were leaked by aeCreateEventLoop and are freed
    // once: apidata is cleared first so any later call sees a dead loop.
    unsafe {
        let apidata = (*l.el).apidata() as *mut LoopState;
        (*l.el).set_apidata(ptr::null_mut());
        drop(Box::from_raw(apidata));
        drop(Box::from_raw(l.el));
    }
}

/// A new loop, or None with errno set.
fn create(setsize: c_int) -> Option<*mut Loop> {
    let policy = current::GENERATION.ae;
    let core = match EventLoop::new(setsize, crate::ae::backend::Kind::configured(), policy) {
        Ok(c) => c,
        Err(e) => return crate::ffi::boundary::fail_with(e.0, None),
    };
    let st = Box::new(LoopState { core: Cell::new(core), depth: AtomicU32::new(0), doomed: AtomicBool::new(false) });
    let el = Box::into_raw(Box::new(Loop::fresh(setsize, Box::into_raw(st).cast())));
    // SAFETY: el was just created and is live.
    let l = unsafe { loop_ref(el) }?;
    l.with(|_| ());
    crate::cluster::host::loop_created(l.raw());
    Some(el)
}

/// aeSetDontWait's and aeSetPollProtect's flag bits.
#[cfg(any(aenet_group = "dont_wait", aenet_group = "custom_poll"))]
fn set_flag(l: LoopRef<'_>, bit: c_int, on: bool) {
    l.with(|c| {
        if on {
            c.flags |= bit;
        } else {
            c.flags &= !bit;
        }
    });
}
