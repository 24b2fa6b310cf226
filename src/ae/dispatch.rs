//! aeProcessEvents: wait, dispatch file events, fire due timers. The loop
//! state sits in a RefCell that is borrowed only between callbacks, so a
//! callback can add, delete, resize, stop or re-enter the loop safely; every
//! read after a callback goes back to the table (no stale entry pointers).

use core::cell::RefCell;
use core::ffi::c_void;

use crate::abi::ae::{
    AE_BARRIER, AE_DONT_WAIT, AE_FILE_EVENTS, AE_NOMORE, AE_READABLE, AE_TIME_EVENTS, AE_WRITABLE,
    aeEventFinalizerProcPtr, aeFileProcPtr, aeTimeProcPtr,
};
use crate::sys::time;

use super::EventLoop;
use super::timers::{Clock, Finalizer};

/// The side that calls C: implemented at the FFI edge.
pub trait Host {
    fn file_proc(&self, proc_: aeFileProcPtr, fd: i32, client_data: *mut c_void, mask: i32);
    fn time_proc(&self, proc_: aeTimeProcPtr, id: i64, client_data: *mut c_void) -> i32;
    fn finalizer(&self, proc_: aeEventFinalizerProcPtr, client_data: *mut c_void);
    /// Refreshes the C-visible fields after the core changed them.
    fn publish(&self, core: &mut EventLoop);
    /// True once the loop was deleted from inside a callback: nothing more
    /// is dispatched, and the outermost caller frees it.
    fn cancelled(&self) -> bool;
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

pub fn run_finalizer(host: &impl Host, f: Finalizer) {
    if f.proc_.is_some() {
        host.finalizer(f.proc_, f.client_data);
    }
}

pub fn process_events(cell: &RefCell<EventLoop>, flags: i32, host: &impl Host) -> i32 {
    if flags & (AE_TIME_EVENTS | AE_FILE_EVENTS) == 0 {
        return 0;
    }
    let timers = flags & AE_TIME_EVENTS != 0;
    let dont_wait = flags & AE_DONT_WAIT != 0;
    let mut processed = 0;

    let must_poll = cell.borrow().maxfd() != -1 || (timers && !dont_wait);
    if must_poll {
        let deadline = if timers && !dont_wait { cell.borrow().timers.next_deadline() } else { None };
        let timeout = || match deadline {
            _ if dont_wait => 0,
            Some(d) => timeout_until(d, time::monotonic_ns()),
            None => -1,
        };
        let numevents = cell.borrow_mut().poll(timeout);
        if flags & AE_FILE_EVENTS != 0 {
            for j in 0..numevents {
                if host.cancelled() {
                    break;
                }
                dispatch_one(cell, j, host);
                processed += 1;
            }
        }
    }
    if timers {
        processed += process_time_events(cell, host);
    }
    processed
}

/// Runs the handlers of fired entry `j`: read before write, or write before
/// read under AE_BARRIER; one call when both directions share a handler.
fn dispatch_one(cell: &RefCell<EventLoop>, j: usize, host: &impl Host) {
    let Some(ev) = cell.borrow().fired(j) else { return };
    let (fd, mask) = (ev.fd, ev.mask);
    let current = || cell.borrow().file_event(fd);
    let Some(fe) = current() else { return };
    let invert = fe.mask & AE_BARRIER != 0;
    let mut fired = 0;

    if !invert && fe.mask & mask & AE_READABLE != 0 {
        host.file_proc(fe.rfileProc, fd, fe.clientData, mask);
        fired += 1;
    }
    if host.cancelled() {
        return;
    }
    if let Some(fe) = current() {
        if fe.mask & mask & AE_WRITABLE != 0 && (fired == 0 || !same_proc(fe.wfileProc, fe.rfileProc)) {
            host.file_proc(fe.wfileProc, fd, fe.clientData, mask);
            fired += 1;
        }
    }
    if invert && !host.cancelled() {
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

/// Fires every timer due when the pass starts, each at most once, earliest
/// deadline first. Timers created or rescheduled during the pass wait for
/// the next one, so a period of 0 can no longer starve the loop.
fn process_time_events(cell: &RefCell<EventLoop>, host: &impl Host) -> i32 {
    // One clock read decides whether there is anything to do at all.
    let mono = time::monotonic_ns();
    if cell.borrow().timers.next_deadline().is_none_or(|d| d > mono) {
        return 0;
    }
    let mut processed = 0;
    let start = Clock { mono_ns: mono, wall_ms: time::wall_ms() };
    {
        let mut core = cell.borrow_mut();
        core.timers.begin_pass(start.mono_ns);
        core.last_time = start.wall_ms.div_euclid(1000);
        host.publish(&mut core);
    }
    while !host.cancelled() {
        let due = cell.borrow_mut().timers.take_due();
        let Some(due) = due else { break };
        let ret = if due.proc_.is_some() { host.time_proc(due.proc_, due.id, due.client_data) } else { AE_NOMORE };
        processed += 1;
        let finalizer = {
            let mut core = cell.borrow_mut();
            let f = if ret == AE_NOMORE {
                core.timers.delete(due.id)
            } else {
                core.timers.reschedule(due.id, ret as i64, start.advanced_to(time::monotonic_ns()));
                None
            };
            host.publish(&mut core);
            f
        };
        if let Some(f) = finalizer {
            run_finalizer(host, f);
        }
    }
    cell.borrow_mut().timers.end_pass();
    processed
}
