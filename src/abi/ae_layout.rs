//! How the edge reads and writes a generation's `aeEventLoop` and
//! `aeTimeEvent`: each layout file implements these traits once, so the
//! extern "C" functions are written once for every generation.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_int, c_longlong, c_void};

use super::ae_common::{aeBeforeSleepProcPtr, aeEventFinalizerProcPtr, aeFileEvent, aeFiredEvent};
use crate::ae::timer_list::TimerNode;

/// The C-visible fields the core owns, published after every change.
pub struct Published<T> {
    pub maxfd: c_int,
    pub setsize: c_int,
    pub next_id: c_longlong,
    /// Wall-clock seconds of the last timer pass (layouts with `lastTime`).
    pub last_time: i64,
    pub events: *mut aeFileEvent,
    pub fired: *mut aeFiredEvent,
    pub head: *mut T,
    /// AE_DONT_WAIT (and AE_PROTECT_POLL) as the C `flags` shows them.
    pub flags: c_int,
}

/// The after-sleep callback of a layout, as installed.
#[derive(Clone, Copy)]
pub enum AfterSleep {
    None,
    /// 4.0–7.2: `aeBeforeSleepProc *`.
    Plain(unsafe extern "C" fn(eventLoop: *mut c_void)),
    /// Valkey 8: `aeAfterSleepProc *`, told how many events fired.
    WithEvents(unsafe extern "C" fn(eventLoop: *mut c_void, numevents: c_int)),
}

/// `aeCustomPollProc *` (Valkey 8).
pub type aeCustomPollProcPtr = Option<unsafe extern "C" fn(eventLoop: *mut c_void) -> c_int>;

pub trait CEventLoop {
    type TimeEvent: CTimeEvent;
    fn fresh(setsize: c_int, apidata: *mut c_void) -> Self;
    fn apidata(&self) -> *mut c_void;
    fn set_apidata(&mut self, apidata: *mut c_void);
    fn publish(&mut self, p: &Published<Self::TimeEvent>);
    fn stop(&self) -> bool;
    fn set_stop(&mut self, stop: bool);
    fn before_sleep(&self) -> aeBeforeSleepProcPtr;
    fn set_before_sleep(&mut self, proc_: aeBeforeSleepProcPtr);
    fn after_sleep(&self) -> AfterSleep {
        AfterSleep::None
    }
    fn custom_poll(&self) -> aeCustomPollProcPtr {
        None
    }
}

/// A timer's C callbacks; `P` is the generation's `aeTimeProc *`.
#[derive(Clone, Copy)]
pub struct TimerCallbacks<P> {
    pub proc_: P,
    pub finalizer: aeEventFinalizerProcPtr,
    pub client_data: *mut c_void,
}

pub trait CTimeEvent: TimerNode<Callbacks = TimerCallbacks<Self::Proc>> + Sized {
    /// `aeTimeProc *` of the generation (int or long long result).
    type Proc: Copy;
    fn fresh(id: c_longlong, callbacks: TimerCallbacks<Self::Proc>) -> Self;
    /// Calls the time proc; AE_NOMORE (-1) when there is none.
    ///
    /// # Safety
    /// `proc_` was registered with this signature; `el` is its loop.
    unsafe fn call(proc_: Self::Proc, el: *mut c_void, id: c_longlong, client_data: *mut c_void) -> i64;
}
