//! The host interface of the cluster link layer: what the embedding server
//! supplies. Every member may be NULL/0, which selects the default (the
//! generation's reference values).
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_char, c_int, c_uint};

// Declared, not defined, in the generated header (the host's own ae.h and
// cluster.h define them); every generation's are layout-compatible here.
use super::ae_v30::aeEventLoop;
use super::cluster_v30::clusterLink;

/* Log levels, as Redis numbers them. */
pub const AENET_LOG_DEBUG: c_int = 0;
pub const AENET_LOG_VERBOSE: c_int = 1;
pub const AENET_LOG_NOTICE: c_int = 2;
pub const AENET_LOG_WARNING: c_int = 3;

/// Default upper bound on a frame's totlen (a peer cannot make a node
/// buffer more than this for one message).
pub const AENET_CLUSTER_DEFAULT_MAX_FRAME: c_uint = 64 * 1024 * 1024;
/// Default bound on the receive-buffer bytes held by all links that have
/// not yet delivered a complete frame; past it the largest is closed.
pub const AENET_CLUSTER_DEFAULT_MAX_PENDING: c_uint = 32 * 1024 * 1024;
/// Default TCP keepalive interval for inbound links, in seconds.
pub const AENET_CLUSTER_DEFAULT_KEEPALIVE: c_int = 300;
/// How long accepting pauses when the host refuses or fds run out, in ms.
pub const AENET_CLUSTER_ACCEPT_RETRY_MS: c_int = 100;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aenetClusterHost {
    /// Handles one whole frame in link->rcvbuf; returns 0 when it freed the
    /// link, non-zero to keep reading. Default: drop the frame, keep the link.
    pub processPacket: Option<unsafe extern "C" fn(link: *mut clusterLink) -> c_int>,
    /// The loop links register on. Default: the last loop created.
    pub eventLoop: Option<unsafe extern "C" fn() -> *mut aeEventLoop>,
    /// Non-zero when inbound bus connections may be accepted now (Redis:
    /// not while loading a dataset as a master). Default: always.
    pub acceptAllowed: Option<unsafe extern "C" fn() -> c_int>,
    /// Receives one log line. Default: discard.
    pub log: Option<unsafe extern "C" fn(level: c_int, msg: *const c_char)>,
    /// Called once per clusterSendMessage (Redis 3.x: stats_bus_messages_sent++).
    /// Default: an internal counter, see aenetClusterMessagesSent().
    pub messageSent: Option<unsafe extern "C" fn()>,
    /// TCP keepalive interval for inbound links, seconds; 0: the default.
    pub keepaliveInterval: c_int,
    /// Largest accepted totlen; 0: the default.
    pub maxFrameLen: c_uint,
    /// Bound on the receive-buffer bytes of links that have not delivered a
    /// complete frame yet, all together; 0: the default.
    pub maxPendingBytes: c_uint,
    /// Called once per clusterSendMessage with the message's type in host
    /// order (Redis 4.0+: stats_bus_messages_sent[type]++), instead of
    /// messageSent when set.
    pub messageSentType: Option<unsafe extern "C" fn(msgtype: u16)>,
    /// CLUSTERMSG_MIN_LEN of the host's cluster.h; 0: the generation's.
    pub minFrameLen: c_uint,
    /// sizeof(clusterMsg) of the host's cluster.h (the read chunk); 0: the
    /// generation's.
    pub readChunk: c_uint,
    /// offsetof(clusterNode, link) of the host's cluster.h; 0: the
    /// generation's.
    pub nodeLinkOffset: c_uint,
}
