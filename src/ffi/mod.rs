//! The `extern "C"` surface: converts C arguments into Rust values, calls
//! the safe cores, and writes results back the way the reference does.

pub mod ae;
pub mod anet;
pub mod cluster;
pub mod cluster_host;
pub mod cstr;
pub mod sds;
