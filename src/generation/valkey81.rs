//! valkey81: Valkey 8.1.
//!
//! Valkey 8.1: as 8.0, with aeTimeProc returning long long and the
//! allocator renamed valkey_malloc (and friends).

use super::Generation;
use crate::abi::ae_v81::{AE_CALL_AFTER_SLEEP, AE_CALL_BEFORE_SLEEP};
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::anet;
use crate::anet::policy::FdToString;

pub use crate::abi::ae_v81 as ae_abi;

/// An IO thread polls while the main thread dispatches: the core behind a
/// pthread mutex, `Sync` (ffi::ae::custom_poll asserts it).
pub type LoopCell<N> = crate::sys::mutex::Mutex<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "valkey81",
    serves: "Valkey 8.1",
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
