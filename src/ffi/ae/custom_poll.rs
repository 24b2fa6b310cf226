//! Valkey 8's loop shared with an IO thread: aeSetCustomPollProc,
//! aePoll and aeSetPollProtect. With a custom poll proc installed,
//! aeProcessEvents calls it instead of computing a timeout and waiting; it
//! returns how many entries of `fired` an earlier aePoll (on an IO thread)
//! filled. The loop state is behind a lock in this generation (its
//! LoopCell), so aePoll on one thread and registrations on another are
//! serialised whatever AE_PROTECT_POLL says (the flag is kept for the C
//! `flags` field): aePoll holds the lock for its whole wait, as the
//! reference does under the flag, and writes nothing of the C struct but
//! the `fired` entries.
#![allow(non_snake_case)]

use core::ffi::c_int;

use super::{loop_ref, set_flag};
use crate::abi::ae_layout::aeCustomPollProcPtr;
use crate::ae::policy::WaitError;
use crate::ffi::boundary::refuse;
use crate::generation::current::ae_abi::{AE_PROTECT_POLL, aeEventLoop};

/// What an IO thread's aePoll shares with the main thread is `Sync`: the
/// core behind a pthread mutex, the call counters atomic.
const _: () = {
    const fn shared<T: Sync>() {}
    shared::<super::LoopState>();
};

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeSetCustomPollProc(eventLoop: *mut aeEventLoop, custompoll: aeCustomPollProcPtr) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        // SAFETY: the loop is live; the field is read before every wait.
        Some(_) => unsafe { (*eventLoop).custompoll = custompoll },
        None => refuse(()),
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeSetPollProtect(eventLoop: *mut aeEventLoop, protect: c_int) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        Some(l) => set_flag(l, AE_PROTECT_POLL, protect != 0),
        None => refuse(()),
    }
}

/// The milliseconds epoll waits for `tvp`: NULL is forever, microseconds
/// round up (Redis 6.2's fix for a busy loop).
#[allow(clippy::useless_conversion)] // time_t and suseconds_t are 32-bit on some targets
fn timeout_ms(tvp: Option<&libc::timeval>) -> c_int {
    match tvp {
        None => -1,
        Some(tv) => {
            let ms = i64::from(tv.tv_sec).saturating_mul(1000).saturating_add((i64::from(tv.tv_usec) + 999) / 1000);
            ms.clamp(0, c_int::MAX as i64) as c_int
        }
    }
}

/// One wait on the loop's backend, filling `fired`; the number of events.
///
/// # Safety
/// `eventLoop` is NULL or a live loop; `tvp` is NULL or a valid timeval.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aePoll(eventLoop: *mut aeEventLoop, tvp: *mut libc::timeval) -> c_int {
    // SAFETY: this function's contract.
    let (l, tvp) = unsafe { (loop_ref(eventLoop), tvp.as_ref()) };
    let Some(l) = l else { return refuse(0) };
    let ms = timeout_ms(tvp);
    match l.with_unpublished(|c| (c.policy.wait_error, c.wait(|| ms))) {
        Some((_, Ok(n))) => n as c_int,
        Some((WaitError::Panic, Err(e))) => {
            let call = crate::ae::backend::Kind::effective().wait_call();
            crate::host_hooks::panic_wait_failed(crate::here!(), call, e.0)
        }
        Some((WaitError::Ignore, Err(_))) => 0,
        None => refuse(0),
    }
}
