//! aeProcessEvents and aeMain: wait, dispatch file events, fire due timers,
//! with the sleep callbacks where the generation's policy puts them. The
//! loop state is borrowed only between callbacks, so a callback can add,
//! delete, resize, stop or re-enter the loop safely; every read after a
//! callback goes back to the table (no stale entry pointers).

use core::ffi::c_void;

use crate::abi::ae_common::aeFileProcPtr;
use crate::abi::ae_common::{AE_BARRIER, AE_DONT_WAIT, AE_FILE_EVENTS, AE_READABLE, AE_TIME_EVENTS, AE_WRITABLE};
use crate::sys::time;

use super::EventLoop;
use super::loop_cell::LoopCell;
use super::policy::{BeforeSleep, Policy, WaitError};
use super::timer_list::TimerNode;
use super::timers::Clock;

type Callbacks<H> = <<H as Host>::Node as TimerNode>::Callbacks;

/// The side that calls C: implemented at the FFI edge.
pub trait Host {
    type Node: TimerNode;
    fn file_proc(&self, proc_: aeFileProcPtr, fd: i32, client_data: *mut c_void, mask: i32);
    /// Runs a timer's callback; returns its period in ms, or -1 (AE_NOMORE).
    fn time_proc(&self, callbacks: Callbacks<Self>, id: i64) -> i64;
    /// Runs a timer's finalizer, if it has one.
    fn finalizer(&self, callbacks: Callbacks<Self>);
    fn before_sleep(&self);
    fn after_sleep(&self, numevents: i32);
    /// The host's own poll, when one is installed (Valkey 8): the number of
    /// fired events it filled in.
    fn custom_poll(&self) -> Option<i32>;
    /// The wait failed with `errno` under `WaitError::Panic`.
    fn wait_failed(&self, errno: i32);
    /// Refreshes the C-visible fields after the core changed them.
    fn publish(&self, core: &mut EventLoop<Self::Node>);
    /// True once the loop was deleted from inside a callback: nothing more
    /// is dispatched, and the outermost caller frees it.
    fn cancelled(&self) -> bool;
    /// aeStop was called.
    fn stopped(&self) -> bool;
}

pub fn now_clock() -> Clock {
    Clock { mono_ns: time::monotonic_ns(), wall_ms: time::wall_ms() }
}

/// Milliseconds to wait for a deadline, rounded up so an early wake-up
/// never spins; 0 when overdue.
fn timeout_until(deadline: u64, now: u64) -> i32 {
    let ns = deadline.saturating_sub(now);
    ns.div_ceil(1_000_000).min(i32::MAX as u64) as i32
}

/// aeMain: until aeStop (or deletion from inside a callback).
pub fn run_main<H: Host>(cell: &impl LoopCell<H::Node>, host: &H) {
    let Some(policy) = cell.try_with(|c| c.policy) else { return };
    while !host.stopped() && !host.cancelled() {
        if policy.before_sleep == BeforeSleep::ByMain {
            host.before_sleep();
            if host.cancelled() {
                break;
            }
        }
        process_events(cell, policy.main_flags(), host);
    }
}

/// What the wait's timeout is made of, read before it begins.
struct Timeout {
    deadline: Option<u64>,
    zero: bool,
}

impl Timeout {
    fn ms(&self) -> i32 {
        match self.deadline {
            _ if self.zero => 0,
            Some(d) => timeout_until(d, time::monotonic_ns()),
            None => -1,
        }
    }
}

fn timeout_of<N: TimerNode>(c: &mut EventLoop<N>, flags: i32) -> Timeout {
    let (timers, dont_wait) = (flags & AE_TIME_EVENTS != 0, flags & AE_DONT_WAIT != 0);
    let deadline = if timers && !dont_wait { c.timers.next_deadline() } else { None };
    Timeout { deadline, zero: dont_wait || c.dont_wait() }
}

pub fn process_events<H: Host>(cell: &impl LoopCell<H::Node>, flags: i32, host: &H) -> i32 {
    if flags & (AE_TIME_EVENTS | AE_FILE_EVENTS) == 0 {
        return 0;
    }
    let Some((policy, maxfd)) = cell.try_with(|c| (c.policy, c.maxfd())) else { return 0 };
    let timers = flags & AE_TIME_EVENTS != 0;
    let mut processed = 0;

    if maxfd != -1 || (timers && flags & AE_DONT_WAIT == 0) {
        let numevents = match wait(cell, flags, host, &policy) {
            Some(n) => n,
            None => return processed,
        };
        let numevents = if policy.file_events_only_when_asked && flags & AE_FILE_EVENTS == 0 { 0 } else { numevents };
        if policy.call_after_sleep != 0 && flags & policy.call_after_sleep != 0 {
            host.after_sleep(numevents as i32);
        }
        for j in 0..numevents {
            if host.cancelled() {
                return processed;
            }
            dispatch_one(cell, j, host);
            processed += 1;
        }
    }
    if timers && !host.cancelled() {
        processed += process_time_events(cell, host, &policy);
    }
    processed
}

/// The before-sleep callback where the policy puts it, then the host's
/// custom poll or the timeout and the wait. None when the loop was deleted
/// by the callback.
fn wait<H: Host>(cell: &impl LoopCell<H::Node>, flags: i32, host: &H, policy: &Policy) -> Option<usize> {
    let call_before = policy.call_before_sleep != 0 && flags & policy.call_before_sleep != 0;
    let before_sleep = || {
        host.before_sleep();
        !host.cancelled()
    };
    if call_before && policy.before_sleep == BeforeSleep::First && !before_sleep() {
        return None;
    }
    let setsize = cell.with(|c| c.setsize().max(0) as usize);
    if let Some(n) = host.custom_poll() {
        return Some((n.max(0) as usize).min(setsize));
    }
    let timeout = cell.with(|c| Some(timeout_of(c, flags)))?;
    if call_before && policy.before_sleep == BeforeSleep::BeforeWait && !before_sleep() {
        return None;
    }
    match cell.try_with(|c| c.wait(|| timeout.ms()))? {
        Ok(n) => Some(n),
        Err(e) => {
            if policy.wait_error == WaitError::Panic {
                host.wait_failed(e.0);
            }
            Some(0)
        }
    }
}

/// Runs the handlers of fired entry `j`: read before write, or write before
/// read under AE_BARRIER; one call when both directions share a handler.
fn dispatch_one<H: Host>(cell: &impl LoopCell<H::Node>, j: usize, host: &H) {
    let Some((ev, fe)) = cell.with(|c| c.fired(j).and_then(|ev| Some((ev, c.file_event(ev.fd)?)))) else { return };
    let (fd, mask) = (ev.fd, ev.mask);
    let current = || cell.with(|c| c.file_event(fd));
    let invert = fe.mask & AE_BARRIER != 0;
    let mut fired = 0;

    if !invert && fe.mask & mask & AE_READABLE != 0 {
        host.file_proc(fe.rfileProc, fd, fe.clientData, mask);
        fired += 1;
    }
    if host.cancelled() {
        return;
    }
    // The table is read again after a callback only when the entry fired
    // in the direction still to run (one access per plain readable event).
    if mask & AE_WRITABLE != 0 {
        if let Some(fe) = if fired == 0 { Some(fe) } else { current() } {
            if fe.mask & mask & AE_WRITABLE != 0 && (fired == 0 || !same_proc(fe.wfileProc, fe.rfileProc)) {
                host.file_proc(fe.wfileProc, fd, fe.clientData, mask);
                fired += 1;
            }
        }
    }
    if invert && mask & AE_READABLE != 0 && !host.cancelled() {
        if let Some(fe) = current() {
            if fe.mask & mask & AE_READABLE != 0 && (fired == 0 || !same_proc(fe.wfileProc, fe.rfileProc)) {
                host.file_proc(fe.rfileProc, fd, fe.clientData, mask);
            }
        }
    }
}

fn same_proc(a: aeFileProcPtr, b: aeFileProcPtr) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => core::ptr::fn_addr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Frees lazily deleted timers (running their finalizers), then fires every
/// timer due when the pass starts, each at most once, earliest deadline
/// first. Timers created or rescheduled during the pass wait for the next
/// one, so a period of 0 can no longer starve the loop.
fn process_time_events<H: Host>(cell: &impl LoopCell<H::Node>, host: &H, policy: &Policy) -> i32 {
    // One clock read decides whether there is anything to do at all.
    let mono = time::monotonic_ns();
    let Some((due, dead)) = cell.try_with(|c| (c.timers.due_by(mono), c.timers.has_dead())) else {
        return 0;
    };
    if !due && !dead {
        return 0;
    }
    let mut processed = 0;
    let start = Clock { mono_ns: mono, wall_ms: time::wall_ms() };
    cell.with(|c| {
        c.timers.begin_pass(start.mono_ns);
        c.last_time = start.wall_ms.div_euclid(1000);
        host.publish(c);
    });
    // Timers a finalizer creates here are due after this pass.
    if dead {
        reap_deleted(cell, host);
    }
    while due && !host.cancelled() {
        let Some(due) = cell.with(|c| c.timers.take_due()) else { break };
        let ret = host.time_proc(due.callbacks, due.id);
        processed += 1;
        let clock = start.advanced_to(time::monotonic_ns());
        let freed = cell.with(|c| {
            let f = c.timers.finish(due, ret, clock, policy.timer_delete);
            host.publish(c);
            f
        });
        if let Some(f) = freed {
            host.finalizer(f);
        }
    }
    cell.with(|c| c.timers.end_pass());
    processed
}

fn reap_deleted<H: Host>(cell: &impl LoopCell<H::Node>, host: &H) {
    while !host.cancelled() {
        let freed = cell.with(|c| {
            let f = c.timers.take_dead();
            if f.is_some() {
                host.publish(c);
            }
            f
        });
        match freed {
            Some(f) => host.finalizer(f),
            None => break,
        }
    }
}
