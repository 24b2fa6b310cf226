//! ae.h of Valkey 8.1: Valkey 8.0's layout, with an `aeTimeProc` that
//! returns long long (an int result read as long long would carry garbage
//! in its upper half, so this is a build of its own).
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_int, c_longlong, c_void};
use core::mem::{offset_of, size_of};

use super::ae_common::{aeBeforeSleepProcPtr, aeEventFinalizerProcPtr, aeFileEvent, aeFiredEvent};
use super::ae_layout::{AfterSleep, CEventLoop, CTimeEvent, Published, TimerCallbacks, aeCustomPollProcPtr};
use crate::ae::timer_list::TimerNode;

pub const AE_CALL_BEFORE_SLEEP: c_int = 8;
pub const AE_CALL_AFTER_SLEEP: c_int = 16;

pub const AE_PROTECT_POLL: c_int = 32;

/// `aeTimeProc *` of 8.1 (returns long long).
pub type aeTimeProcLongPtr =
    Option<unsafe extern "C" fn(eventLoop: *mut c_void, id: c_longlong, clientData: *mut c_void) -> c_longlong>;

/// `aeAfterSleepProc *`.
pub type aeAfterSleepProcPtr = Option<unsafe extern "C" fn(eventLoop: *mut c_void, numevents: c_int)>;

/// `monotime` of monotonic.h: microseconds.
pub type monotime = u64;

#[repr(C)]
pub struct aeTimeEvent {
    pub id: c_longlong,
    pub when: monotime,
    pub timeProc: aeTimeProcLongPtr,
    pub finalizerProc: aeEventFinalizerProcPtr,
    pub clientData: *mut c_void,
    pub prev: *mut aeTimeEvent,
    pub next: *mut aeTimeEvent,
    pub refcount: c_int,
}

#[repr(C)]
pub struct aeEventLoop {
    pub maxfd: c_int,
    pub setsize: c_int,
    pub timeEventNextId: c_longlong,
    pub events: *mut aeFileEvent,
    pub fired: *mut aeFiredEvent,
    pub timeEventHead: *mut aeTimeEvent,
    pub stop: c_int,
    pub apidata: *mut c_void,
    pub beforesleep: aeBeforeSleepProcPtr,
    pub aftersleep: aeAfterSleepProcPtr,
    pub custompoll: aeCustomPollProcPtr,
    pub poll_mutex: libc::pthread_mutex_t,
    pub flags: c_int,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<aeTimeEvent>() == 64);
    assert!(offset_of!(aeTimeEvent, when) == 8);
    assert!(offset_of!(aeTimeEvent, timeProc) == 16);
    assert!(offset_of!(aeTimeEvent, finalizerProc) == 24);
    assert!(offset_of!(aeTimeEvent, clientData) == 32);
    assert!(offset_of!(aeTimeEvent, prev) == 40);
    assert!(offset_of!(aeTimeEvent, next) == 48);
    assert!(offset_of!(aeTimeEvent, refcount) == 56);
    assert!(size_of::<aeEventLoop>() == 128);
    assert!(offset_of!(aeEventLoop, custompoll) == 72);
    assert!(offset_of!(aeEventLoop, poll_mutex) == 80);
    assert!(offset_of!(aeEventLoop, events) == 16);
    assert!(offset_of!(aeEventLoop, fired) == 24);
    assert!(offset_of!(aeEventLoop, timeEventHead) == 32);
    assert!(offset_of!(aeEventLoop, stop) == 40);
    assert!(offset_of!(aeEventLoop, apidata) == 48);
    assert!(offset_of!(aeEventLoop, beforesleep) == 56);
    assert!(offset_of!(aeEventLoop, aftersleep) == 64);
    assert!(offset_of!(aeEventLoop, flags) == 120);
};

impl TimerNode for aeTimeEvent {
    type Callbacks = TimerCallbacks<aeTimeProcLongPtr>;
    fn callbacks(&self) -> Self::Callbacks {
        TimerCallbacks { proc_: self.timeProc, finalizer: self.finalizerProc, client_data: self.clientData }
    }
    fn set_id(&mut self, id: i64) {
        self.id = id;
    }
    fn set_due(&mut self, _wall_ms: i64, mono_us: u64) {
        self.when = mono_us;
    }
    fn set_running(&mut self, running: bool) {
        self.refcount = c_int::from(running);
    }
    fn set_links(&mut self, prev: *mut Self, next: *mut Self) {
        self.prev = prev;
        self.next = next;
    }
}

impl CTimeEvent for aeTimeEvent {
    type Proc = aeTimeProcLongPtr;
    fn fresh(id: c_longlong, cb: TimerCallbacks<aeTimeProcLongPtr>) -> Self {
        aeTimeEvent {
            id,
            when: 0,
            timeProc: cb.proc_,
            finalizerProc: cb.finalizer,
            clientData: cb.client_data,
            prev: core::ptr::null_mut(),
            next: core::ptr::null_mut(),
            refcount: 0,
        }
    }
    unsafe fn call(proc_: aeTimeProcLongPtr, el: *mut c_void, id: c_longlong, data: *mut c_void) -> i64 {
        // SAFETY: forwarded contract.
        proc_.map_or(-1, |f| unsafe { f(el, id, data) })
    }
}

impl CEventLoop for aeEventLoop {
    type TimeEvent = aeTimeEvent;
    fn fresh(setsize: c_int, apidata: *mut c_void) -> Self {
        aeEventLoop {
            maxfd: -1,
            setsize,
            timeEventNextId: 0,
            events: core::ptr::null_mut(),
            fired: core::ptr::null_mut(),
            timeEventHead: core::ptr::null_mut(),
            stop: 0,
            apidata,
            beforesleep: None,
            aftersleep: None,
            custompoll: None,
            poll_mutex: libc::PTHREAD_MUTEX_INITIALIZER,
            flags: 0,
        }
    }
    fn apidata(&self) -> *mut c_void {
        self.apidata
    }
    fn set_apidata(&mut self, apidata: *mut c_void) {
        self.apidata = apidata;
    }
    fn publish(&mut self, p: &Published<aeTimeEvent>) {
        self.maxfd = p.maxfd;
        self.setsize = p.setsize;
        self.timeEventNextId = p.next_id;
        self.events = p.events;
        self.fired = p.fired;
        self.timeEventHead = p.head;
        self.flags = p.flags;
    }
    fn stop(&self) -> bool {
        self.stop != 0
    }
    fn set_stop(&mut self, stop: bool) {
        self.stop = c_int::from(stop);
    }
    fn before_sleep(&self) -> aeBeforeSleepProcPtr {
        self.beforesleep
    }
    fn set_before_sleep(&mut self, proc_: aeBeforeSleepProcPtr) {
        self.beforesleep = proc_;
    }
    fn after_sleep(&self) -> AfterSleep {
        self.aftersleep.map_or(AfterSleep::None, AfterSleep::WithEvents)
    }
    fn custom_poll(&self) -> aeCustomPollProcPtr {
        self.custompoll
    }
}

/// This layout's `aeTimeProc *`, by one name for every layout.
pub type TimeProcPtr = aeTimeProcLongPtr;
