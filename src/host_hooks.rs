//! What the library asks of the host program beyond allocation, through
//! weak references in csrc/host_hooks.c (a program without them links):
//! Redis 6.2+'s `monotonicInit`, which its aeCreateEventLoop calls, and 7.0+'s
//! `_serverPanic`, where its ae ends when the wait fails.

use core::ffi::c_int;

use crate::generation::current::GENERATION;

unsafe extern "C" {
    fn aenet_host_monotonic_init();
    fn aenet_host_panic(errnum: c_int);
}

/// aeCreateEventLoop calls the host's monotonicInit where the generation's
/// does (it is idempotent there), so a host that relies on it finds its
/// clock initialised.
pub fn monotonic_init_if_needed() {
    if GENERATION.calls_monotonic_init {
        // SAFETY: a plain call; the shim does nothing without the host's function.
        unsafe { aenet_host_monotonic_init() }
    }
}

/// The wait failed with `errnum`: the host's panic ("aeApiPoll: epoll_wait,
/// <strerror>"), or that message on stderr and abort without one. Never
/// returns.
pub fn panic_wait_failed(errnum: c_int) {
    // SAFETY: a plain call; the shim aborts after the host's panic returns.
    unsafe { aenet_host_panic(errnum) }
}
