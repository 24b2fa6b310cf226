//! aenet: Redis 3.0/3.2's event loop (ae), socket helpers (anet) and
//! cluster-bus link layer, as a memory-safe library with the reference C ABI.
//!
//! Layout: `ffi` is the thin `extern "C"` surface (the only place that turns
//! C pointers into Rust values); `ae`, `anet` and `cluster` are the safe
//! cores; `sys` holds the thin syscall wrappers.

#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(all(not(panic = "abort"), not(test), not(debug_assertions)))]
compile_error!("aenet release builds must use panic = \"abort\": no unwind may cross the C ABI");

pub mod abi;
pub mod ae;
pub mod alloc;
pub mod anet;
pub mod cluster;
pub mod errbuf;
pub mod ffi;
pub mod sys;

#[global_allocator]
static HOST_ALLOCATOR: alloc::HostAllocator = alloc::HostAllocator;
