//! The C ABI: constants, callback types and struct layouts of the reference
//! headers. These are plain data shared by the safe cores and the `extern
//! "C"` surface; cbindgen reads these files to generate include/.

pub mod ae;
pub mod anet;
pub mod cluster;
pub mod cluster_host;
