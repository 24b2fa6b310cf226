//! The ae.h functions. Each converts the loop pointer into the shared loop
//! state, calls the safe core, and publishes the C-visible fields again.
#![allow(non_snake_case)]

use core::cell::{Cell, RefCell};
use core::ffi::{c_char, c_int, c_longlong, c_void};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use crate::abi::ae::{
    AE_ALL_EVENTS, AE_ERR, AE_OK, aeBeforeSleepProcPtr, aeEventFinalizerProcPtr, aeEventLoop, aeFileProcPtr,
    aeTimeProcPtr,
};
use crate::ae::EventLoop;
use crate::ae::backend::Kind;
use crate::ae::dispatch::{self, Host};
use crate::sys;

/// The private half of a loop, hung off `apidata`.
struct LoopState {
    core: RefCell<EventLoop>,
    /// How many aeMain/aeProcessEvents calls are running on this loop.
    depth: Cell<u32>,
    /// aeDeleteEventLoop was called while `depth > 0`.
    doomed: Cell<bool>,
}

/// The most recently created loop that is still alive: the cluster link
/// layer's default loop, for a program with one.
pub static LAST_LOOP: AtomicPtr<aeEventLoop> = AtomicPtr::new(ptr::null_mut());

/// Rounds of finalizers run by aeDeleteEventLoop when finalizers keep
/// creating timers; what is left after that is freed without them.
const MAX_FINALIZER_ROUNDS: usize = 64;

/// # Safety
/// `el` is NULL or a loop returned by aeCreateEventLoop and not yet freed.
unsafe fn state<'a>(el: *mut aeEventLoop) -> Option<&'a LoopState> {
    if el.is_null() {
        return None;
    }
    // SAFETY: el is a live loop; apidata was set from Box<LoopState> at creation.
    let p = unsafe { (*el).apidata } as *const LoopState;
    // SAFETY: p is NULL or the live LoopState; only shared references are made.
    unsafe { p.as_ref() }
}

/// Writes the core's view into the C struct's public fields.
///
/// # Safety
/// `el` is a live loop and no Rust reference to `*el` exists.
unsafe fn publish(el: *mut aeEventLoop, core: &mut EventLoop) {
    // SAFETY: el is live; fields are written through the raw pointer only.
    unsafe {
        (*el).maxfd = core.maxfd();
        (*el).setsize = core.setsize();
        (*el).timeEventNextId = core.timers.next_id();
        (*el).lastTime = core.last_time as libc::time_t;
        (*el).events = core.events_ptr();
        (*el).fired = core.fired_ptr();
        (*el).timeEventHead = core.timers.head_ptr();
    }
}

struct CHost<'a> {
    el: *mut aeEventLoop,
    state: &'a LoopState,
}

impl Host for CHost<'_> {
    fn file_proc(&self, proc_: aeFileProcPtr, fd: i32, client_data: *mut c_void, mask: i32) {
        if let Some(f) = proc_ {
            // SAFETY: the caller registered f with this signature for this fd.
            unsafe { f(self.el, fd, client_data, mask) }
        }
    }

    fn time_proc(&self, proc_: aeTimeProcPtr, id: i64, client_data: *mut c_void) -> i32 {
        match proc_ {
            // SAFETY: the caller registered f with this signature for this timer.
            Some(f) => unsafe { f(self.el, id, client_data) },
            None => -1,
        }
    }

    fn finalizer(&self, proc_: aeEventFinalizerProcPtr, client_data: *mut c_void) {
        if let Some(f) = proc_ {
            // SAFETY: the caller registered f as this timer's finalizer.
            unsafe { f(self.el, client_data) }
        }
    }

    fn publish(&self, core: &mut EventLoop) {
        // SAFETY: el is live while its state is borrowed; no reference to *el exists.
        unsafe { publish(self.el, core) }
    }

    fn cancelled(&self) -> bool {
        self.state.doomed.get()
    }
}

/// Runs `f` on the core with a short borrow, then publishes.
///
/// # Safety
/// `el` is NULL or a live loop.
unsafe fn with_core<R>(el: *mut aeEventLoop, f: impl FnOnce(&mut EventLoop) -> R) -> Option<R> {
    // SAFETY: forwarded contract.
    let st = unsafe { state(el) }?;
    let mut core = st.core.try_borrow_mut().ok()?;
    let r = f(&mut core);
    // SAFETY: el is live (its state was found) and not referenced elsewhere.
    unsafe { publish(el, &mut core) };
    Some(r)
}

#[unsafe(no_mangle)]
pub extern "C" fn aeCreateEventLoop(setsize: c_int) -> *mut aeEventLoop {
    let core = match EventLoop::new(setsize, Kind::configured()) {
        Ok(c) => c,
        Err(e) => {
            sys::set_errno(e.0);
            return ptr::null_mut();
        }
    };
    let st = Box::new(LoopState { core: RefCell::new(core), depth: Cell::new(0), doomed: Cell::new(false) });
    let el = Box::into_raw(Box::new(aeEventLoop {
        maxfd: -1,
        setsize,
        timeEventNextId: 0,
        lastTime: 0,
        events: ptr::null_mut(),
        fired: ptr::null_mut(),
        timeEventHead: ptr::null_mut(),
        stop: 0,
        apidata: Box::into_raw(st).cast(),
        beforesleep: None,
    }));
    // SAFETY: el was just created and is live.
    unsafe { with_core(el, |_| ()) };
    LAST_LOOP.store(el, Ordering::Release);
    el
}

/// Frees the loop, its arrays and its remaining timers (running their
/// finalizers). Called from inside a callback, it stops the loop and the
/// outermost aeMain/aeProcessEvents frees it on the way out.
///
/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeDeleteEventLoop(eventLoop: *mut aeEventLoop) {
    // SAFETY: forwarded contract.
    let Some(st) = (unsafe { state(eventLoop) }) else { return };
    if st.depth.get() > 0 {
        st.doomed.set(true);
        // SAFETY: eventLoop is live.
        unsafe { (*eventLoop).stop = 1 };
        return;
    }
    // SAFETY: depth is 0, so no call on this loop is running.
    unsafe { destroy(eventLoop, st) }
}

/// # Safety
/// `el` is live, `st` is its state, and no call on the loop is running.
unsafe fn destroy(el: *mut aeEventLoop, st: &LoopState) {
    let host = CHost { el, state: st };
    for _ in 0..MAX_FINALIZER_ROUNDS {
        let finalizers = match st.core.try_borrow_mut() {
            Ok(mut core) => core.timers.drain(),
            Err(_) => break,
        };
        if finalizers.is_empty() {
            break;
        }
        for f in finalizers {
            dispatch::run_finalizer(&host, f);
        }
    }
    let _ = LAST_LOOP.compare_exchange(el, ptr::null_mut(), Ordering::AcqRel, Ordering::Acquire);
    // SAFETY: both boxes were leaked by aeCreateEventLoop and are freed once:
    // apidata is cleared first so any later call sees a dead loop.
    unsafe {
        let apidata = (*el).apidata as *mut LoopState;
        (*el).apidata = ptr::null_mut();
        drop(Box::from_raw(apidata));
        drop(Box::from_raw(el));
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeStop(eventLoop: *mut aeEventLoop) {
    if !eventLoop.is_null() {
        // SAFETY: eventLoop is live.
        unsafe { (*eventLoop).stop = 1 };
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
    // SAFETY: forwarded contract.
    match unsafe { with_core(eventLoop, |c| c.create_file_event(fd, mask, proc, clientData)) } {
        Some(Ok(())) => AE_OK,
        Some(Err(e)) => {
            sys::set_errno(e.0);
            AE_ERR
        }
        None => {
            sys::set_errno(libc::EINVAL);
            AE_ERR
        }
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeDeleteFileEvent(eventLoop: *mut aeEventLoop, fd: c_int, mask: c_int) {
    // SAFETY: forwarded contract.
    unsafe { with_core(eventLoop, |c| c.delete_file_event(fd, mask)) };
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeGetFileEvents(eventLoop: *mut aeEventLoop, fd: c_int) -> c_int {
    // SAFETY: forwarded contract.
    let Some(st) = (unsafe { state(eventLoop) }) else { return 0 };
    st.core.try_borrow().map_or(0, |c| c.get_file_events(fd))
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeCreateTimeEvent(
    eventLoop: *mut aeEventLoop,
    milliseconds: c_longlong,
    proc: aeTimeProcPtr,
    clientData: *mut c_void,
    finalizerProc: aeEventFinalizerProcPtr,
) -> c_longlong {
    let clock = dispatch::now_clock();
    // SAFETY: forwarded contract.
    unsafe { with_core(eventLoop, |c| c.timers.create(milliseconds, proc, clientData, finalizerProc, clock)) }
        .unwrap_or(AE_ERR as c_longlong)
}

/// Deletes a timer and runs its finalizer before returning, as 3.0.7 does.
///
/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeDeleteTimeEvent(eventLoop: *mut aeEventLoop, id: c_longlong) -> c_int {
    // SAFETY: forwarded contract.
    let found = unsafe { with_core(eventLoop, |c| c.timers.delete(id)) }.flatten();
    let Some(f) = found else { return AE_ERR };
    // SAFETY: the loop was live above and the finalizer runs before returning.
    if let Some(st) = unsafe { state(eventLoop) } {
        dispatch::run_finalizer(&CHost { el: eventLoop, state: st }, f);
    }
    AE_OK
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeProcessEvents(eventLoop: *mut aeEventLoop, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    let Some(st) = (unsafe { state(eventLoop) }) else { return 0 };
    st.depth.set(st.depth.get() + 1);
    let n = dispatch::process_events(&st.core, flags, &CHost { el: eventLoop, state: st });
    // SAFETY: eventLoop is live until `leave` frees it.
    unsafe { leave(eventLoop, st) };
    n
}

/// Ends one level of aeMain/aeProcessEvents; the outermost frees a loop
/// that was deleted from inside a callback.
///
/// # Safety
/// `el` is live and `st` is its state.
unsafe fn leave(el: *mut aeEventLoop, st: &LoopState) {
    st.depth.set(st.depth.get() - 1);
    if st.depth.get() == 0 && st.doomed.get() {
        // SAFETY: no call on this loop is running any more.
        unsafe { destroy(el, st) };
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeMain(eventLoop: *mut aeEventLoop) {
    // SAFETY: forwarded contract.
    let Some(st) = (unsafe { state(eventLoop) }) else { return };
    st.depth.set(st.depth.get() + 1);
    let host = CHost { el: eventLoop, state: st };
    // SAFETY: eventLoop stays live while depth > 0; stop and beforesleep are
    // re-read every iteration because callbacks may change them.
    unsafe {
        (*eventLoop).stop = 0;
        while (*eventLoop).stop == 0 && !st.doomed.get() {
            if let Some(before) = (*eventLoop).beforesleep {
                before(eventLoop);
            }
            if st.doomed.get() {
                break;
            }
            dispatch::process_events(&st.core, AE_ALL_EVENTS, &host);
        }
        leave(eventLoop, st);
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn aeWait(fd: c_int, mask: c_int, milliseconds: c_longlong) -> c_int {
    match crate::ae::wait::wait(fd, mask, milliseconds) {
        Ok(m) => m,
        Err(e) => {
            sys::set_errno(e.0);
            -1
        }
    }
}

/// The backend's name: "epoll" or "poll". The string is static.
#[unsafe(no_mangle)]
pub extern "C" fn aeGetApiName() -> *mut c_char {
    Kind::configured().name().as_ptr() as *mut c_char
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeSetBeforeSleepProc(eventLoop: *mut aeEventLoop, beforesleep: aeBeforeSleepProcPtr) {
    if !eventLoop.is_null() {
        // SAFETY: eventLoop is live.
        unsafe { (*eventLoop).beforesleep = beforesleep };
    }
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeGetSetSize(eventLoop: *mut aeEventLoop) -> c_int {
    // SAFETY: forwarded contract.
    let Some(st) = (unsafe { state(eventLoop) }) else { return 0 };
    st.core.try_borrow().map_or(0, |c| c.setsize())
}

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeResizeSetSize(eventLoop: *mut aeEventLoop, setsize: c_int) -> c_int {
    // SAFETY: forwarded contract.
    match unsafe { with_core(eventLoop, |c| c.resize(setsize)) } {
        Some(Ok(())) => AE_OK,
        Some(Err(e)) => {
            sys::set_errno(e.0);
            AE_ERR
        }
        None => AE_ERR,
    }
}
