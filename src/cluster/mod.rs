//! The cluster-bus link layer core: frame decisions, the host interface
//! and the registry of live links. The I/O glue that touches the C-visible
//! link and its sds buffers lives in `ffi::cluster`.

pub mod frame;
pub mod host;
pub mod registry;
