//! ae.h of Redis 6.0.2–6.0.20: an 88-byte loop with `flags`, a 72-byte timer
//! with `refcount`. The sleep flags are renumbered: AE_CALL_BEFORE_SLEEP is
//! 8, AE_CALL_AFTER_SLEEP 16.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_int, c_long, c_longlong, c_void};
use core::mem::{offset_of, size_of};

use super::ae_common::{
    aeBeforeSleepProcPtr, aeEventFinalizerProcPtr, aeFileEvent, aeFiredEvent, aeTimeProcPtr, call_int_time_proc,
};
use super::ae_layout::{AfterSleep, CEventLoop, CTimeEvent, Published, TimerCallbacks};
use crate::ae::timer_list::TimerNode;

pub const AE_CALL_BEFORE_SLEEP: c_int = 8;
pub const AE_CALL_AFTER_SLEEP: c_int = 16;

/// `aeBeforeSleepProc *`, the type of the after-sleep callback here.
pub type aeAfterSleepProcPtr = aeBeforeSleepProcPtr;

#[repr(C)]
pub struct aeTimeEvent {
    pub id: c_longlong,
    pub when_sec: c_long,
    pub when_ms: c_long,
    pub timeProc: aeTimeProcPtr,
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
    pub lastTime: libc::time_t,
    pub events: *mut aeFileEvent,
    pub fired: *mut aeFiredEvent,
    pub timeEventHead: *mut aeTimeEvent,
    pub stop: c_int,
    pub apidata: *mut c_void,
    pub beforesleep: aeBeforeSleepProcPtr,
    pub aftersleep: aeAfterSleepProcPtr,
    pub flags: c_int,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<aeTimeEvent>() == 72);
    assert!(offset_of!(aeTimeEvent, refcount) == 64);
    assert!(offset_of!(aeTimeEvent, timeProc) == 24);
    assert!(offset_of!(aeTimeEvent, prev) == 48);
    assert!(offset_of!(aeTimeEvent, next) == 56);
    assert!(size_of::<aeEventLoop>() == 88);
    assert!(offset_of!(aeEventLoop, flags) == 80);
    assert!(offset_of!(aeEventLoop, lastTime) == 16);
    assert!(offset_of!(aeEventLoop, events) == 24);
    assert!(offset_of!(aeEventLoop, timeEventHead) == 40);
    assert!(offset_of!(aeEventLoop, stop) == 48);
    assert!(offset_of!(aeEventLoop, apidata) == 56);
    assert!(offset_of!(aeEventLoop, beforesleep) == 64);
    assert!(offset_of!(aeEventLoop, aftersleep) == 72);
};

impl TimerNode for aeTimeEvent {
    type Callbacks = TimerCallbacks<aeTimeProcPtr>;
    fn callbacks(&self) -> Self::Callbacks {
        TimerCallbacks { proc_: self.timeProc, finalizer: self.finalizerProc, client_data: self.clientData }
    }
    fn set_id(&mut self, id: i64) {
        self.id = id;
    }
    fn set_due(&mut self, wall_ms: i64, _mono_us: u64) {
        self.when_sec = wall_ms.div_euclid(1000) as c_long;
        self.when_ms = wall_ms.rem_euclid(1000) as c_long;
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
    type Proc = aeTimeProcPtr;
    fn fresh(id: c_longlong, cb: TimerCallbacks<aeTimeProcPtr>) -> Self {
        aeTimeEvent {
            id,
            when_sec: 0,
            when_ms: 0,
            timeProc: cb.proc_,
            finalizerProc: cb.finalizer,
            clientData: cb.client_data,
            prev: core::ptr::null_mut(),
            next: core::ptr::null_mut(),
            refcount: 0,
        }
    }
    unsafe fn call(proc_: aeTimeProcPtr, el: *mut c_void, id: c_longlong, data: *mut c_void) -> i64 {
        // SAFETY: forwarded contract.
        unsafe { call_int_time_proc(proc_, el, id, data) }
    }
}

impl CEventLoop for aeEventLoop {
    type TimeEvent = aeTimeEvent;
    fn fresh(setsize: c_int, apidata: *mut c_void) -> Self {
        aeEventLoop {
            maxfd: -1,
            setsize,
            timeEventNextId: 0,
            lastTime: 0,
            events: core::ptr::null_mut(),
            fired: core::ptr::null_mut(),
            timeEventHead: core::ptr::null_mut(),
            stop: 0,
            apidata,
            beforesleep: None,
            aftersleep: None,
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
        self.lastTime = p.last_time as libc::time_t;
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
        self.aftersleep.map_or(AfterSleep::None, AfterSleep::Plain)
    }
}

/// This layout's `aeTimeProc *`, by one name for every layout.
pub type TimeProcPtr = aeTimeProcPtr;
