//! anetGetError and anetIsFifo (Redis 7.2+).

use core::ffi::{c_char, c_int};

use crate::anet;
use crate::ffi::boundary::{c_str, refuse};

/// The socket's pending error (SO_ERROR), or getsockopt's errno.
#[unsafe(no_mangle)]
pub extern "C" fn anetGetError(fd: c_int) -> c_int {
    anet::pending_error(fd)
}

/// 1 when `filepath` is a FIFO, 0 otherwise (also when stat fails, and for
/// NULL, with errno EINVAL, where the reference would crash).
///
/// # Safety
/// `filepath` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetIsFifo(filepath: *mut c_char) -> c_int {
    // SAFETY: this function's contract.
    match unsafe { c_str(filepath) } {
        Some(p) => c_int::from(crate::sys::fd::file_type(p).is_ok_and(|t| t == libc::S_IFIFO)),
        None => refuse(0),
    }
}
