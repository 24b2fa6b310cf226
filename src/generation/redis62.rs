//! redis62: Redis 6.2.2-6.2.16.
//!
//! 6.2: monotonic microsecond timers (aeCreateEventLoop calls the host's
//! monotonicInit); the legacy anet functions gone, anetResolve with flags,
//! anetCloexec, anetFdToString/anetFormatFdAddr (FD_TO_PEER_NAME = 0).

use core::cell::RefCell;

use super::Generation;
use crate::abi::ae_v62::{AE_CALL_AFTER_SLEEP, AE_CALL_BEFORE_SLEEP};
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::anet;

pub use crate::abi::ae_v62 as ae_abi;

/// One thread at a time per loop.
pub type LoopCell<N> = RefCell<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "redis62",
    serves: "Redis 6.2.2-6.2.16",
    ae: Policy {
        before_sleep: BeforeSleep::BeforeWait,
        call_before_sleep: AE_CALL_BEFORE_SLEEP,
        call_after_sleep: AE_CALL_AFTER_SLEEP,
        timer_delete: TimerDelete::Lazy,
        file_events_only_when_asked: false,
        finalize_timers_on_loop_delete: false,
        wait_error: WaitError::Ignore,
    },
    anet: anet::policy::Policy {
        bind_error_with_errno: true,
        set_block_skips_unchanged: true,
        wildcard_bind_addrs: true,
        ..anet::policy::Policy::REDIS30
    },
    calls_monotonic_init: true,
    cluster: None,
};
