//! valkey80: Valkey 8.0.0-8.0.1.
//!
//! Valkey 8.0: the loop shared with IO threads (aeSetCustomPollProc,
//! aePoll, aeSetPollProtect; the state behind a lock), the after-sleep
//! callback told how many events fired, finalizers run by
//! aeDeleteEventLoop; anetUnixServer with `group`, close-on-exec sockets,
//! ANET_PREFER_IPV4/IPV6.

use super::Generation;
use crate::abi::ae_v80::{AE_CALL_AFTER_SLEEP, AE_CALL_BEFORE_SLEEP};
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::anet;
use crate::anet::policy::FdToString;

pub use crate::abi::ae_v80 as ae_abi;

/// An IO thread polls while the main thread dispatches: the core behind a
/// pthread mutex, `Sync` (ffi::ae::custom_poll asserts it).
pub type LoopCell<N> = crate::sys::mutex::Mutex<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "valkey80",
    serves: "Valkey 8.0.0-8.0.1",
    ae: Policy {
        before_sleep: BeforeSleep::First,
        call_before_sleep: AE_CALL_BEFORE_SLEEP,
        call_after_sleep: AE_CALL_AFTER_SLEEP,
        timer_delete: TimerDelete::Lazy,
        file_events_only_when_asked: true,
        finalize_timers_on_loop_delete: true,
        wait_error: WaitError::Panic,
    },
    anet: anet::policy::Policy {
        bind_error_with_errno: true,
        set_block_skips_unchanged: true,
        wildcard_bind_addrs: true,
        accept_nonblock_cloexec: true,
        fd_to_string: FdToString::NonZeroIsPeer,
        fd_to_string_checks_room: true,
        sockets_cloexec: true,
        resolve_prefers_family: true,
    },
    calls_monotonic_init: true,
    cluster: None,
};
