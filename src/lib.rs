//! aenet: the event loop (ae), socket helpers (anet) and cluster-bus link
//! layer of the Redis family, as a memory-safe library with each
//! generation's C ABI (one generation per build, chosen by cargo feature).
//!
//! Layout: `ffi` is the thin `extern "C"` surface (the only place that turns
//! C pointers into Rust values) and `abi` the C types; `generation` states
//! what differs per generation, once; `ae`, `anet` and `cluster` are the
//! generation-agnostic safe cores; `sys` holds the thin syscall wrappers.

#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(all(not(panic = "abort"), not(test), not(debug_assertions)))]
compile_error!("aenet release builds must use panic = \"abort\": no unwind may cross the C ABI");

pub mod abi;
pub mod ae;
pub mod alloc;
pub mod anet;
pub mod bounded;
pub mod cluster;
pub mod errbuf;
pub mod ffi;
pub mod generation;
pub mod host_hooks;
pub mod sys;

#[global_allocator]
static HOST_ALLOCATOR: alloc::HostAllocator = alloc::HostAllocator;
