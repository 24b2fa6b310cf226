//! The generations: what differs between the Redis-family ABIs libaenet
//! serves, stated once per generation, one file each. A build serves
//! exactly one, chosen by its cargo feature; every table is compiled in
//! every build (they are plain data), so the core's tests can run each.
//!
//! What a generation's C surface is made of (which functions, which header
//! pieces) is the other half of its statement: the table in build.rs.

pub mod redis30;
pub mod redis50;
pub mod redis60;
pub mod redis62;
pub mod redis70;
pub mod redis72;
pub mod valkey80;
pub mod valkey81;

use crate::{ae, anet, cluster};

pub struct Generation {
    pub name: &'static str,
    /// The tags it serves.
    pub serves: &'static str,
    pub ae: ae::policy::Policy,
    pub anet: anet::policy::Policy,
    /// aeCreateEventLoop calls the host's monotonicInit (6.2+).
    pub calls_monotonic_init: bool,
    /// None where the host keeps its own link layer.
    pub cluster: Option<cluster::policy::Policy>,
}

pub const ALL: &[&Generation] = &[
    &redis30::GENERATION,
    &redis50::GENERATION,
    &redis60::GENERATION,
    &redis62::GENERATION,
    &redis70::GENERATION,
    &redis72::GENERATION,
    &valkey80::GENERATION,
    &valkey81::GENERATION,
];

/// Exactly one generation feature is enabled.
const SELECTED: [bool; 8] = [
    cfg!(feature = "redis30"),
    cfg!(feature = "redis50"),
    cfg!(feature = "redis60"),
    cfg!(feature = "redis62"),
    cfg!(feature = "redis70"),
    cfg!(feature = "redis72"),
    cfg!(feature = "valkey80"),
    cfg!(feature = "valkey81"),
];
const _: () = {
    let (mut n, mut i) = (0, 0);
    while i < SELECTED.len() {
        n += SELECTED[i] as usize;
        i += 1;
    }
    assert!(
        n == 1,
        "choose exactly one generation feature (redis30, the default, redis50, redis60, redis62, redis70, redis72, valkey80 or valkey81)"
    );
};

#[cfg(feature = "redis30")]
pub use redis30 as current;
#[cfg(feature = "redis50")]
pub use redis50 as current;
#[cfg(feature = "redis60")]
pub use redis60 as current;
#[cfg(feature = "redis62")]
pub use redis62 as current;
#[cfg(feature = "redis70")]
pub use redis70 as current;
#[cfg(feature = "redis72")]
pub use redis72 as current;
#[cfg(feature = "valkey80")]
pub use valkey80 as current;
#[cfg(feature = "valkey81")]
pub use valkey81 as current;
