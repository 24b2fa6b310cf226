//! aenet_cluster_frame.h (Redis 7.0+, Valkey): the cluster-bus frame header
//! check a host that keeps its own link layer may call from its
//! clusterReadHandler. docs/cluster-host.md shows where.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::c_int;

/* What aenetClusterCheckFrameHeader returns. */
/// The header is valid: a frame of `*totlen` bytes may follow.
pub const AENET_CLUSTER_FRAME_OK: c_int = 0;
/// Fewer bytes than the check reads (8, or 14 with light headers): read
/// more and call again.
pub const AENET_CLUSTER_FRAME_INCOMPLETE: c_int = 1;
/// The frame does not start with "RCmb".
pub const AENET_CLUSTER_FRAME_BAD_SIGNATURE: c_int = -1;
/// totlen is below the minimum of its kind of header.
pub const AENET_CLUSTER_FRAME_TOO_SHORT: c_int = -2;
/// totlen is above the caller's bound.
pub const AENET_CLUSTER_FRAME_TOO_LONG: c_int = -3;
/// The arguments are unusable (NULL `buf` with `len` > 0, or a minimum not
/// above the bytes the check reads); errno EINVAL.
pub const AENET_CLUSTER_FRAME_INVALID: c_int = -4;

/// The bytes checked on a bus without light headers (Redis 7.x, Valkey
/// 7.2): signature and totlen.
pub const AENET_CLUSTER_FRAME_HEADER_LEN: c_int = 8;
/// The bytes checked on a bus with light headers (Valkey 8's
/// RCVBUF_MIN_READ_LEN): signature, totlen, ver, port, type.
pub const AENET_CLUSTER_FRAME_LIGHT_HEADER_LEN: c_int = 14;
/// The type bit of a light header (Valkey 8's CLUSTERMSG_LIGHT).
pub const AENET_CLUSTER_FRAME_LIGHT_FLAG: c_int = 0x8000;
/// CLUSTERMSG_MIN_LEN of Redis 4.0 to Valkey 8: what a `minLen` of 0 means.
pub const AENET_CLUSTER_FRAME_MIN_LEN: c_int = 2256;
/// What a `maxLen` of 0 means (the link layer's default bound, 64 MiB).
pub const AENET_CLUSTER_FRAME_DEFAULT_MAX_LEN: c_int = 64 * 1024 * 1024;

const _: () = {
    assert!(AENET_CLUSTER_FRAME_HEADER_LEN as usize == crate::cluster::frame::PREFIX_LEN);
    assert!(AENET_CLUSTER_FRAME_LIGHT_HEADER_LEN as usize == crate::cluster::frame::LIGHT_PREFIX_LEN);
    assert!(AENET_CLUSTER_FRAME_LIGHT_FLAG as u16 == crate::cluster::frame::LIGHT_FLAG);
    assert!(AENET_CLUSTER_FRAME_DEFAULT_MAX_LEN as u32 == super::cluster_host::AENET_CLUSTER_DEFAULT_MAX_FRAME);
};
