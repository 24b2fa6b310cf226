//! ae.h of Redis 3.0.7, plus the 3.2 additions AE_BARRIER and AE_DELETED_EVENT_ID.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_int, c_long, c_longlong, c_void};
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
    Option<unsafe extern "C" fn(eventLoop: *mut aeEventLoop, fd: c_int, clientData: *mut c_void, mask: c_int)>;
/// `aeTimeProc *`.
pub type aeTimeProcPtr =
    Option<unsafe extern "C" fn(eventLoop: *mut aeEventLoop, id: c_longlong, clientData: *mut c_void) -> c_int>;
/// `aeEventFinalizerProc *`.
pub type aeEventFinalizerProcPtr = Option<unsafe extern "C" fn(eventLoop: *mut aeEventLoop, clientData: *mut c_void)>;
/// `aeBeforeSleepProc *`.
pub type aeBeforeSleepProcPtr = Option<unsafe extern "C" fn(eventLoop: *mut aeEventLoop)>;

/// File event structure: one per fd, indexed by fd.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct aeFileEvent {
    pub mask: c_int,
    pub rfileProc: aeFileProcPtr,
    pub wfileProc: aeFileProcPtr,
    pub clientData: *mut c_void,
}

/// Time event structure: the C-visible list node of a live timer.
#[repr(C)]
pub struct aeTimeEvent {
    pub id: c_longlong,
    pub when_sec: c_long,
    pub when_ms: c_long,
    pub timeProc: aeTimeProcPtr,
    pub finalizerProc: aeEventFinalizerProcPtr,
    pub clientData: *mut c_void,
    pub next: *mut aeTimeEvent,
}

/// A fired event.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct aeFiredEvent {
    pub fd: c_int,
    pub mask: c_int,
}

/// State of an event based program.
#[repr(C)]
pub struct aeEventLoop {
    pub maxfd: c_int,
    pub setsize: c_int,
    pub timeEventNextId: c_longlong,
    pub lastTime: libc::time_t,
    pub events: *mut aeFileEvent,
    pub fired: *mut aeFiredEvent,
    pub timeEventHead: *mut aeTimeEvent,
    pub stop: c_int,
    pub apidata: *mut c_void,
    pub beforesleep: aeBeforeSleepProcPtr,
}

impl aeFileEvent {
    pub const EMPTY: aeFileEvent =
        aeFileEvent { mask: AE_NONE, rfileProc: None, wfileProc: None, clientData: core::ptr::null_mut() };
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<aeFileEvent>() == 32);
    assert!(offset_of!(aeFileEvent, rfileProc) == 8);
    assert!(offset_of!(aeFileEvent, wfileProc) == 16);
    assert!(offset_of!(aeFileEvent, clientData) == 24);
    assert!(size_of::<aeTimeEvent>() == 56);
    assert!(offset_of!(aeTimeEvent, when_sec) == 8);
    assert!(offset_of!(aeTimeEvent, when_ms) == 16);
    assert!(offset_of!(aeTimeEvent, timeProc) == 24);
    assert!(offset_of!(aeTimeEvent, finalizerProc) == 32);
    assert!(offset_of!(aeTimeEvent, clientData) == 40);
    assert!(offset_of!(aeTimeEvent, next) == 48);
    assert!(size_of::<aeFiredEvent>() == 8);
    assert!(offset_of!(aeFiredEvent, mask) == 4);
    assert!(size_of::<aeEventLoop>() == 72);
    assert!(offset_of!(aeEventLoop, setsize) == 4);
    assert!(offset_of!(aeEventLoop, timeEventNextId) == 8);
    assert!(offset_of!(aeEventLoop, lastTime) == 16);
    assert!(offset_of!(aeEventLoop, events) == 24);
    assert!(offset_of!(aeEventLoop, fired) == 32);
    assert!(offset_of!(aeEventLoop, timeEventHead) == 40);
    assert!(offset_of!(aeEventLoop, stop) == 48);
    assert!(offset_of!(aeEventLoop, apidata) == 56);
    assert!(offset_of!(aeEventLoop, beforesleep) == 64);
};
