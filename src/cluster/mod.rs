//! The cluster-bus link layer core, the same for every generation that has
//! it: frame checks, the receive-buffer policy, the bound on unproven links,
//! the read and write loops, accepting. The C-visible link, its sds buffers
//! and the host's hooks are reached through traits the FFI edge implements.

pub mod accept;
pub mod frame;
pub mod host;
pub mod link;
pub mod policy;
pub mod registry;
