//! anetCloexec (Redis 6.2+).

use core::ffi::c_int;

use crate::anet;
use crate::ffi::boundary::fail_with;

/// Sets FD_CLOEXEC unless it is set; returns what the last fcntl returned
/// (the descriptor flags when already set, 0 after setting it), or -1 with
/// errno. EINTR is retried.
#[unsafe(no_mangle)]
pub extern "C" fn anetCloexec(fd: c_int) -> c_int {
    anet::cloexec(fd).unwrap_or_else(|e| fail_with(e.0, -1))
}
