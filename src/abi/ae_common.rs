//! What every generation's ae.h has in common: the constants, the file and
//! fired event structs, and the callback types other than aeTimeProc. The
//! callback pointer types take the loop as `*mut c_void`: ABI-identical to
//! the C `struct aeEventLoop *` (the C typedefs are written out by build.rs).
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_int, c_longlong, c_void};
use core::mem::{offset_of, size_of};

pub const AE_OK: c_int = 0;
pub const AE_ERR: c_int = -1;

pub const AE_NONE: c_int = 0;
pub const AE_READABLE: c_int = 1;
pub const AE_WRITABLE: c_int = 2;
pub const AE_BARRIER: c_int = 4;

pub const AE_FILE_EVENTS: c_int = 1;
pub const AE_TIME_EVENTS: c_int = 2;
pub const AE_ALL_EVENTS: c_int = AE_FILE_EVENTS | AE_TIME_EVENTS;
pub const AE_DONT_WAIT: c_int = 4;

pub const AE_NOMORE: c_int = -1;
pub const AE_DELETED_EVENT_ID: c_int = -1;

/// `aeFileProc *`: the C header declares the function type itself.
pub type aeFileProcPtr =
    Option<unsafe extern "C" fn(eventLoop: *mut c_void, fd: c_int, clientData: *mut c_void, mask: c_int)>;
/// `aeEventFinalizerProc *`.
pub type aeEventFinalizerProcPtr = Option<unsafe extern "C" fn(eventLoop: *mut c_void, clientData: *mut c_void)>;
/// `aeTimeProc *` (returns int; Valkey 8.1's returns long long, ae_v81).
pub type aeTimeProcPtr =
    Option<unsafe extern "C" fn(eventLoop: *mut c_void, id: c_longlong, clientData: *mut c_void) -> c_int>;
/// `aeBeforeSleepProc *`.
pub type aeBeforeSleepProcPtr = Option<unsafe extern "C" fn(eventLoop: *mut c_void)>;

/// File event structure: one per fd, indexed by fd (32 bytes everywhere).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct aeFileEvent {
    pub mask: c_int,
    pub rfileProc: aeFileProcPtr,
    pub wfileProc: aeFileProcPtr,
    pub clientData: *mut c_void,
}

impl aeFileEvent {
    pub const EMPTY: aeFileEvent =
        aeFileEvent { mask: AE_NONE, rfileProc: None, wfileProc: None, clientData: core::ptr::null_mut() };
}

/// A fired event.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct aeFiredEvent {
    pub fd: c_int,
    pub mask: c_int,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<aeFileEvent>() == 32);
    assert!(offset_of!(aeFileEvent, rfileProc) == 8);
    assert!(offset_of!(aeFileEvent, wfileProc) == 16);
    assert!(offset_of!(aeFileEvent, clientData) == 24);
    assert!(size_of::<aeFiredEvent>() == 8);
    assert!(offset_of!(aeFiredEvent, mask) == 4);
};

/// Calls an int-returning time proc; AE_NOMORE when there is none.
///
/// # Safety
/// `proc_` was registered with this signature; `el` is its loop.
pub unsafe fn call_int_time_proc(proc_: aeTimeProcPtr, el: *mut c_void, id: c_longlong, data: *mut c_void) -> i64 {
    // SAFETY: forwarded contract.
    proc_.map_or(i64::from(AE_NOMORE), |f| i64::from(unsafe { f(el, id, data) }))
}
