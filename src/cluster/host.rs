//! The host interface, stored process-wide. The server sets it once at
//! start-up (the compat/ host files do it from a constructor); until then,
//! and for every member left NULL/0, the defaults apply: the generation's
//! reference values and the library's bounds. The host's default loop is
//! the most recently created live one.

use core::ffi::c_void;
use std::sync::atomic::{AtomicI64, Ordering};

use super::frame::Limits;
use super::policy::Policy;
use crate::abi::cluster_host::{
    AENET_CLUSTER_DEFAULT_KEEPALIVE, AENET_CLUSTER_DEFAULT_MAX_FRAME, AENET_CLUSTER_DEFAULT_MAX_PENDING,
    aenetClusterHost,
};
use crate::sys::mutex::StaticMutex;

const NONE: aenetClusterHost = aenetClusterHost {
    processPacket: None,
    eventLoop: None,
    acceptAllowed: None,
    log: None,
    messageSent: None,
    keepaliveInterval: 0,
    maxFrameLen: 0,
    maxPendingBytes: 0,
    messageSentType: None,
    minFrameLen: 0,
    readChunk: 0,
    nodeLinkOffset: 0,
};

static HOST: StaticMutex<aenetClusterHost> = StaticMutex::new(NONE);
/// Counted by the cluster bus, which runs on the main thread only.
static MESSAGES_SENT: AtomicI64 = AtomicI64::new(0);
/// The address of the most recently created live loop (every thread that
/// creates or deletes a loop writes it).
static DEFAULT_LOOP: StaticMutex<usize> = StaticMutex::new(0);

pub fn set(h: Option<aenetClusterHost>) {
    HOST.with(|g| *g = h.unwrap_or(NONE));
}

pub fn get() -> aenetClusterHost {
    HOST.with(|g| *g).unwrap_or(NONE)
}

fn or_default(v: u32, default: usize) -> usize {
    if v == 0 { default } else { v as usize }
}

pub fn limits(h: &aenetClusterHost, p: &Policy) -> Limits {
    Limits {
        min_len: or_default(h.minFrameLen, p.min_frame_len),
        max_frame: or_default(h.maxFrameLen, AENET_CLUSTER_DEFAULT_MAX_FRAME as usize),
        read_chunk: or_default(h.readChunk, p.read_chunk),
    }
}

pub fn max_pending(h: &aenetClusterHost) -> usize {
    or_default(h.maxPendingBytes, AENET_CLUSTER_DEFAULT_MAX_PENDING as usize)
}

pub fn node_link_offset(h: &aenetClusterHost, p: &Policy) -> usize {
    or_default(h.nodeLinkOffset, p.node_link_offset)
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

/// aeCreateEventLoop made `el`: it is the default loop from now on.
pub fn loop_created(el: *mut c_void) {
    DEFAULT_LOOP.with(|d| *d = el as usize);
}

/// `el` is being freed: it is no longer anyone's default.
pub fn loop_deleted(el: *mut c_void) {
    DEFAULT_LOOP.with(|d| {
        if *d == el as usize {
            *d = 0;
        }
    });
}

/// The loop links register on when the host does not say.
pub fn default_loop() -> *mut c_void {
    DEFAULT_LOOP.with(|d| *d).unwrap_or(0) as *mut c_void
}
