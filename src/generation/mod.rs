//! The generations: what differs between the Redis-family ABIs libaenet
//! serves, stated once per generation, one file each. A build serves
//! exactly one, chosen by its cargo feature; every table is compiled in
//! every build (they are plain data), so the core's tests can run each.
//!
//! What a generation's C surface is made of (which functions, which header
//! pieces) is the other half of its statement: the table in build.rs.

pub mod redis30;
pub mod redis50;

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

pub const ALL: &[&Generation] = &[&redis30::GENERATION, &redis50::GENERATION];

#[cfg(not(any(feature = "redis30", feature = "redis50")))]
compile_error!("choose a generation: --features redis30 (the default) or --features redis50");

#[cfg(all(feature = "redis30", feature = "redis50"))]
compile_error!("one generation per build: choose exactly one of the generation features");

#[cfg(feature = "redis30")]
pub use redis30 as current;
#[cfg(feature = "redis50")]
pub use redis50 as current;
