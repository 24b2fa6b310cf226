//! The C ABI: constants, callback types and struct layouts of every
//! generation's headers, one file per layout (all compiled in every build,
//! with their layouts asserted); cbindgen reads the ones a generation's
//! headers are made of (build.rs).

pub mod ae_common;
pub mod ae_layout;
pub mod ae_v30;
pub mod ae_v40;
pub mod ae_v60;
pub mod ae_v62;
pub mod ae_v80;
pub mod ae_v81;
pub mod anet;
pub mod anet_fd_to;
pub mod anet_prefer;
pub mod cluster;
pub mod cluster_frame;
pub mod cluster_host;
pub mod cluster_v30;
pub mod cluster_v50;
