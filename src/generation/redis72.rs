//! redis72: Redis 7.2.0-7.2.6, Valkey 7.2.5-7.2.7.
//!
//! 7.2 (and Valkey 7.2, byte-identical): beforesleep first, before the
//! timeout and the DONT_WAIT check; file events only when asked;
//! anetFdToString's last argument is `remote`; anetFormatFdAddr gone;
//! anetGetError, anetIsFifo.

use core::cell::RefCell;

use super::Generation;
use crate::abi::ae_v62::{AE_CALL_AFTER_SLEEP, AE_CALL_BEFORE_SLEEP};
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::anet;
use crate::anet::policy::FdToString;

pub use crate::abi::ae_v62 as ae_abi;

/// One thread at a time per loop.
pub type LoopCell<N> = RefCell<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "redis72",
    serves: "Redis 7.2.0-7.2.6, Valkey 7.2.5-7.2.7",
    ae: Policy {
        before_sleep: BeforeSleep::First,
        call_before_sleep: AE_CALL_BEFORE_SLEEP,
        call_after_sleep: AE_CALL_AFTER_SLEEP,
        timer_delete: TimerDelete::Lazy,
        file_events_only_when_asked: true,
        finalize_timers_on_loop_delete: false,
        wait_error: WaitError::Panic,
    },
    anet: anet::policy::Policy {
        bind_error_with_errno: true,
        set_block_skips_unchanged: true,
        wildcard_bind_addrs: true,
        accept_nonblock_cloexec: true,
        fd_to_string: FdToString::NonZeroIsPeer,
        fd_to_string_checks_room: true,
        ..anet::policy::Policy::REDIS30
    },
    calls_monotonic_init: true,
    cluster: None,
};
