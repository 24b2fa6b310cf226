//! The host interface, stored process-wide. The server sets it once at
//! start-up (compat/redis-3.0/ does it from a constructor); until then, and
//! for every member left NULL/0, the defaults apply.

use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::abi::cluster_host::{
    AENET_CLUSTER_DEFAULT_KEEPALIVE, AENET_CLUSTER_DEFAULT_MAX_FRAME, AENET_CLUSTER_DEFAULT_MAX_PENDING,
    aenetClusterHost,
};

const NONE: aenetClusterHost = aenetClusterHost {
    processPacket: None,
    eventLoop: None,
    acceptAllowed: None,
    log: None,
    messageSent: None,
    keepaliveInterval: 0,
    maxFrameLen: 0,
    maxPendingBytes: 0,
};

static HOST: RwLock<aenetClusterHost> = RwLock::new(NONE);
static MESSAGES_SENT: AtomicI64 = AtomicI64::new(0);

pub fn set(h: Option<aenetClusterHost>) {
    if let Ok(mut g) = HOST.write() {
        *g = h.unwrap_or(NONE);
    }
}

pub fn get() -> aenetClusterHost {
    HOST.read().map(|g| *g).unwrap_or(NONE)
}

pub fn max_frame(h: &aenetClusterHost) -> usize {
    if h.maxFrameLen == 0 { AENET_CLUSTER_DEFAULT_MAX_FRAME as usize } else { h.maxFrameLen as usize }
}

pub fn max_pending(h: &aenetClusterHost) -> usize {
    if h.maxPendingBytes == 0 { AENET_CLUSTER_DEFAULT_MAX_PENDING as usize } else { h.maxPendingBytes as usize }
}

pub fn keepalive_interval(h: &aenetClusterHost) -> i32 {
    if h.keepaliveInterval <= 0 { AENET_CLUSTER_DEFAULT_KEEPALIVE } else { h.keepaliveInterval }
}

/// The default sent-message counter.
pub fn count_sent() {
    MESSAGES_SENT.fetch_add(1, Ordering::Relaxed);
}

pub fn messages_sent() -> i64 {
    MESSAGES_SENT.load(Ordering::Relaxed)
}
