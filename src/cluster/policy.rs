//! What the cluster bus link layer does differently per generation, where
//! the library provides it (3.0–5.0); each generation's table sets it once.
//! Frame sizes and the node layout come from the host when it gives them
//! (its cluster.h knows them); these are the defaults.

/// How the link buffers are laid out for the host's sds functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SdsFormat {
    /// 3.0: `{uint32 len; uint32 free;}` before the bytes.
    V30,
    /// 3.2+: a type byte before the bytes, here always sdshdr32
    /// `{uint32 len; uint32 alloc; uint8 flags}`.
    V32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub sds: SdsFormat,
    /// CLUSTERMSG_MIN_LEN: the smallest totlen accepted.
    pub min_frame_len: usize,
    /// sizeof(clusterMsg): the reference's read chunk.
    pub read_chunk: usize,
    /// offsetof(clusterNode, link).
    pub node_link_offset: usize,
    /// The writable event is armed with AE_BARRIER (3.2+).
    pub write_barrier: bool,
}
