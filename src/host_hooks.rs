//! What the library asks of the host program beyond allocation, through
//! weak references in csrc/host_hooks.c (a program without them links):
//! Redis 6.2+'s `monotonicInit`, which its aeCreateEventLoop calls, and 7.0+'s
//! `_serverPanic`, where its ae ends when the wait fails.

use core::ffi::{CStr, c_char, c_int};

use crate::generation::current::GENERATION;

unsafe extern "C" {
    fn aenet_host_monotonic_init();
    fn aenet_host_panic(file: *const c_char, line: c_int, call: *const c_char, errnum: c_int) -> !;
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

/// Where a failure was seen, as the host's panic reports it.
#[derive(Clone, Copy)]
pub struct Location {
    pub file: &'static CStr,
    pub line: u32,
}

/// The source location of the macro's use, for `panic_wait_failed`.
#[macro_export]
macro_rules! here {
    () => {
        $crate::host_hooks::Location {
            file: match ::core::ffi::CStr::from_bytes_with_nul(concat!(file!(), "\0").as_bytes()) {
                Ok(f) => f,
                Err(_) => c"aenet",
            },
            line: line!(),
        }
    };
}

/// The wait (`call`: "epoll_wait", "poll") failed with `errnum`: the
/// host's panic with the reference's text, "aeApiPoll: <call>, <strerror>",
/// or that text on stderr and abort without one. Never returns.
pub fn panic_wait_failed(at: Location, call: &CStr, errnum: c_int) -> ! {
    let line = c_int::try_from(at.line).unwrap_or(c_int::MAX);
    // SAFETY: both strings are NUL-terminated and static; the shim aborts
    // after the host's panic if that returns.
    unsafe { aenet_host_panic(at.file.as_ptr(), line, call.as_ptr(), errnum) }
}
