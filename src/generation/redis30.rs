//! redis30: Redis 3.0.x (worked case 3.0.7).

use core::cell::RefCell;

use super::Generation;
use crate::abi::cluster_v30;
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::cluster::policy::SdsFormat;
use crate::{anet, cluster};

pub use crate::abi::ae_v30 as ae_abi;
pub use crate::abi::cluster_v30 as cluster_abi;

/// One thread at a time per loop.
pub type LoopCell<N> = RefCell<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "redis30",
    serves: "Redis 3.0.0-3.0.7",
    ae: Policy {
        before_sleep: BeforeSleep::ByMain,
        call_before_sleep: 0,
        call_after_sleep: 0,
        timer_delete: TimerDelete::Eager,
        file_events_only_when_asked: false,
        finalize_timers_on_loop_delete: false,
        wait_error: WaitError::Ignore,
    },
    anet: anet::policy::Policy::REDIS30,
    calls_monotonic_init: false,
    cluster: Some(cluster::policy::Policy {
        sds: SdsFormat::V30,
        min_frame_len: cluster_v30::CLUSTERMSG_MIN_LEN as usize,
        read_chunk: cluster_v30::CLUSTERMSG_READ_CHUNK as usize,
        node_link_offset: cluster_v30::CLUSTER_NODE_LINK_OFFSET,
        write_barrier: false,
    }),
};
