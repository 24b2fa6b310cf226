//! The `extern "C"` surface: every function converts its C arguments once
//! (boundary), calls the safe cores, and writes results back the way the
//! generation's reference does. Functions only some generations have are
//! compiled where build.rs's surface table lists their group.

pub mod ae;
pub mod anet;
pub mod boundary;
#[cfg(aenet_group = "cluster_link")]
pub mod cluster;
#[cfg(any(aenet_group = "cluster_frame_check", fuzzing))]
pub mod cluster_frame;
#[cfg(aenet_group = "cluster_link")]
pub mod cluster_host;
pub mod sds;
