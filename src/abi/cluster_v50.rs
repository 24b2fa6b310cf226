//! Redis 5.0.14's cluster.h, as far as the link layer touches it (3.2.12+ and
//! 4.0 hosts give their own node offset, 2248): the 40-byte clusterLink, clusterNode
//! up to its `link`, the frame sizes.
//! Link buffers are 3.2+ sds (here always sdshdr32).
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_int, c_longlong};
use core::mem::{offset_of, size_of};

use super::cluster::sds;

/// Offset of `link` inside 5.0.14's `clusterNode`.
pub const CLUSTER_NODE_LINK_OFFSET: usize = 2256;
/// Header size up to the data union: the smallest valid frame.
pub const CLUSTERMSG_MIN_LEN: c_int = 2256;
/// sizeof(clusterMsg): the reference's read chunk.
pub const CLUSTERMSG_READ_CHUNK: c_int = 4352;

/// A node of the cluster, as far as the link layer sees it: only `link`
/// (the node's outbound link) is read or written.
#[repr(C)]
pub struct clusterNode {
    pub _unused_head: [u8; CLUSTER_NODE_LINK_OFFSET],
    pub link: *mut clusterLink,
    pub _unused_tail: [u8; 8],
}

/// The cluster link: the state of one bus connection (40 bytes).
#[repr(C)]
pub struct clusterLink {
    pub ctime: c_longlong,
    pub fd: c_int,
    pub sndbuf: sds,
    pub rcvbuf: sds,
    pub node: *mut clusterNode,
}

#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<clusterLink>() == 40);
    assert!(offset_of!(clusterLink, fd) == 8);
    assert!(offset_of!(clusterLink, sndbuf) == 16);
    assert!(offset_of!(clusterLink, rcvbuf) == 24);
    assert!(offset_of!(clusterLink, node) == 32);
    assert!(size_of::<clusterNode>() == 2272);
    assert!(offset_of!(clusterNode, link) == 2256);
};
