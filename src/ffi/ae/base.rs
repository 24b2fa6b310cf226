//! The fifteen functions every generation's ae.h has.
#![allow(non_snake_case)]

use core::ffi::{c_char, c_int, c_longlong, c_void};
use core::ptr;
use core::sync::atomic::Ordering;

use super::{LoopRef, Node, create, destroy, loop_ref};
use crate::abi::ae_common::{AE_ERR, AE_OK, aeBeforeSleepProcPtr, aeEventFinalizerProcPtr, aeFileProcPtr};
use crate::abi::ae_layout::{CEventLoop, CTimeEvent, TimerCallbacks};
use crate::ae::backend::Kind;
use crate::ae::dispatch::{self, Host};
use crate::ae::policy::TimerDelete;
use crate::ffi::boundary::{fail_with, refuse};
use crate::generation::current::ae_abi::{TimeProcPtr, aeEventLoop};
use crate::sys::SysResult;

/// AE_OK, or AE_ERR with the error's errno; a refused loop is AE_ERR, EINVAL.
fn status(r: Option<SysResult<()>>) -> c_int {
    match r {
        Some(Ok(())) => AE_OK,
        Some(Err(e)) => fail_with(e.0, AE_ERR),
        None => refuse(AE_ERR),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn aeCreateEventLoop(setsize: c_int) -> *mut aeEventLoop {
    crate::host_hooks::monotonic_init_if_needed();
    create(setsize).unwrap_or(ptr::null_mut())
}

/// Frees the loop and its arrays and timers. Called from inside a callback,
/// it stops the loop and the outermost aeMain/aeProcessEvents frees it on
/// the way out.
///
/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeDeleteEventLoop(eventLoop: *mut aeEventLoop) {
    // SAFETY: this function's contract.
    let Some(l) = (unsafe { loop_ref(eventLoop) }) else { return refuse(()) };
    if l.st.depth.load(Ordering::Relaxed) > 0 {
        l.st.doomed.store(true, Ordering::Relaxed);
        // SAFETY: the loop is live.
        unsafe { (*eventLoop).set_stop(true) };
        return;
    }
    // SAFETY: depth is 0, so no call on this loop is running.
    unsafe { destroy(l) }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeStop(eventLoop: *mut aeEventLoop) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        // SAFETY: the loop is live.
        Some(_) => unsafe { (*eventLoop).set_stop(true) },
        None => refuse(()),
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeCreateFileEvent(
    eventLoop: *mut aeEventLoop,
    fd: c_int,
    mask: c_int,
    proc: aeFileProcPtr,
    clientData: *mut c_void,
) -> c_int {
    // SAFETY: this function's contract.
    let l = unsafe { loop_ref(eventLoop) };
    status(l.and_then(|l| l.with(|c| c.create_file_event(fd, mask, proc, clientData))))
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeDeleteFileEvent(eventLoop: *mut aeEventLoop, fd: c_int, mask: c_int) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        Some(l) => {
            l.with(|c| c.delete_file_event(fd, mask));
        }
        None => refuse(()),
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeGetFileEvents(eventLoop: *mut aeEventLoop, fd: c_int) -> c_int {
    // SAFETY: this function's contract.
    let l = unsafe { loop_ref(eventLoop) };
    l.and_then(|l| l.read(|c| c.get_file_events(fd))).unwrap_or_else(|| refuse(0))
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeCreateTimeEvent(
    eventLoop: *mut aeEventLoop,
    milliseconds: c_longlong,
    proc: TimeProcPtr,
    clientData: *mut c_void,
    finalizerProc: aeEventFinalizerProcPtr,
) -> c_longlong {
    // SAFETY: this function's contract.
    let Some(l) = (unsafe { loop_ref(eventLoop) }) else { return refuse(AE_ERR as c_longlong) };
    let clock = dispatch::now_clock();
    let callbacks = TimerCallbacks { proc_: proc, finalizer: finalizerProc, client_data: clientData };
    l.with(|c| c.timers.create(milliseconds, clock, |id| Node::fresh(id, callbacks)))
        .unwrap_or_else(|| refuse(AE_ERR as c_longlong))
}

/// Deletes a timer: at once with its finalizer (3.0), or marked deleted
/// and freed by the next timer pass (3.2+), as the generation's reference.
///
/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeDeleteTimeEvent(eventLoop: *mut aeEventLoop, id: c_longlong) -> c_int {
    // SAFETY: this function's contract.
    let Some(l) = (unsafe { loop_ref(eventLoop) }) else { return refuse(AE_ERR) };
    let found = l.with(|c| {
        let how: TimerDelete = c.policy.timer_delete;
        c.timers.delete(id, how)
    });
    match found.flatten() {
        Some(freed) => {
            if let Some(cb) = freed {
                l.host().finalizer(cb);
            }
            AE_OK
        }
        None => AE_ERR,
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeProcessEvents(eventLoop: *mut aeEventLoop, flags: c_int) -> c_int {
    // SAFETY: this function's contract.
    let Some(l) = (unsafe { loop_ref(eventLoop) }) else { return refuse(0) };
    l.enter();
    let n = dispatch::process_events(&l.st.core, flags, &l.host());
    // SAFETY: the loop is live until `leave` frees it.
    unsafe { LoopRef::leave(l) };
    n
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeMain(eventLoop: *mut aeEventLoop) {
    // SAFETY: this function's contract.
    let Some(l) = (unsafe { loop_ref(eventLoop) }) else { return refuse(()) };
    l.enter();
    // SAFETY: the loop is live while depth > 0.
    unsafe { (*eventLoop).set_stop(false) };
    dispatch::run_main(&l.st.core, &l.host());
    // SAFETY: the loop is live until `leave` frees it.
    unsafe { LoopRef::leave(l) };
}

#[unsafe(no_mangle)]
pub extern "C" fn aeWait(fd: c_int, mask: c_int, milliseconds: c_longlong) -> c_int {
    crate::ae::wait::wait(fd, mask, milliseconds).unwrap_or_else(|e| fail_with(e.0, -1))
}

/// The backend's name: "io_uring", "epoll" or "poll" (epoll where io_uring
/// was asked for and the kernel does not offer it). The string is static.
#[unsafe(no_mangle)]
pub extern "C" fn aeGetApiName() -> *mut c_char {
    Kind::effective().name().as_ptr() as *mut c_char
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeSetBeforeSleepProc(eventLoop: *mut aeEventLoop, beforesleep: aeBeforeSleepProcPtr) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        // SAFETY: the loop is live.
        Some(_) => unsafe { (*eventLoop).set_before_sleep(beforesleep) },
        None => refuse(()),
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeGetSetSize(eventLoop: *mut aeEventLoop) -> c_int {
    // SAFETY: this function's contract.
    let l = unsafe { loop_ref(eventLoop) };
    l.and_then(|l| l.read(|c| c.setsize())).unwrap_or_else(|| refuse(0))
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeResizeSetSize(eventLoop: *mut aeEventLoop, setsize: c_int) -> c_int {
    // SAFETY: this function's contract.
    let l = unsafe { loop_ref(eventLoop) };
    status(l.and_then(|l| l.with(|c| c.resize(setsize))))
}
