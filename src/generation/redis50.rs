//! redis50: Redis 3.2.12–5.0.x (worked cases 3.2.13, 4.0.14, 5.0.14). The
//! 4.0 ae is a strict superset of 3.2's (3.2 never passes flag 8), and
//! anet.h is the same from 3.2 to 5.0.

use core::cell::RefCell;

use super::Generation;
use crate::abi::ae_v40::AE_CALL_AFTER_SLEEP;
use crate::abi::cluster_v50;
use crate::ae::EventLoop;
use crate::ae::policy::{BeforeSleep, Policy, TimerDelete, WaitError};
use crate::cluster::policy::SdsFormat;
use crate::{anet, cluster};

pub use crate::abi::ae_v40 as ae_abi;
pub use crate::abi::cluster_v50 as cluster_abi;

/// One thread at a time per loop.
pub type LoopCell<N> = RefCell<EventLoop<N>>;

pub const GENERATION: Generation = Generation {
    name: "redis50",
    serves: "Redis 3.2.12-3.2.13, 4.0.10-4.0.14, 5.0.0-5.0.14",
    ae: Policy {
        before_sleep: BeforeSleep::ByMain,
        call_before_sleep: 0,
        call_after_sleep: AE_CALL_AFTER_SLEEP,
        timer_delete: TimerDelete::Lazy,
        file_events_only_when_asked: false,
        finalize_timers_on_loop_delete: false,
        wait_error: WaitError::Ignore,
    },
    anet: anet::policy::Policy { bind_error_with_errno: true, ..anet::policy::Policy::REDIS30 },
    calls_monotonic_init: false,
    cluster: Some(cluster::policy::Policy {
        sds: SdsFormat::V32,
        min_frame_len: cluster_v50::CLUSTERMSG_MIN_LEN as usize,
        read_chunk: cluster_v50::CLUSTERMSG_READ_CHUNK as usize,
        node_link_offset: cluster_v50::CLUSTER_NODE_LINK_OFFSET,
        write_barrier: true,
    }),
};
