//! redis60: Redis 6.0.2-6.0.20.
//!
//! 6.0: aeProcessEvents calls beforesleep (AE_CALL_BEFORE_SLEEP 8) after the
//! timeout and the loop's DONT_WAIT were read; AE_CALL_AFTER_SLEEP is 16;
//! aeSetDontWait; timers survive nested passes (refcount); anet as 5.0
//! plus anetRecvTimeout.

use core::cell::RefCell;

use super::Generation;
use crate::abi::ae_v60::{AE_CALL_AFTER_SLEEP, AE_CALL_BEFORE_SLEEP};
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::anet;

pub use crate::abi::ae_v60 as ae_abi;

/// One thread at a time per loop.
pub type LoopCell<N> = RefCell<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "redis60",
    serves: "Redis 6.0.2-6.0.20",
    ae: Policy {
        before_sleep: BeforeSleep::BeforeWait,
        call_before_sleep: AE_CALL_BEFORE_SLEEP,
        call_after_sleep: AE_CALL_AFTER_SLEEP,
        timer_delete: TimerDelete::Lazy,
        file_events_only_when_asked: false,
        finalize_timers_on_loop_delete: false,
        wait_error: WaitError::Ignore,
    },
    anet: anet::policy::Policy { bind_error_with_errno: true, ..anet::policy::Policy::REDIS30 },
    calls_monotonic_init: false,
    cluster: None,
};
