//! anetRecvTimeout (Redis 6.0+).

use core::ffi::{c_char, c_int, c_longlong};

use super::status;
use crate::anet;
use crate::ffi::boundary::ErrOut;

/// SO_RCVTIMEO of `ms` milliseconds, 0 disables.
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetRecvTimeout(err: *mut c_char, fd: c_int, ms: c_longlong) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::recv_timeout(fd, ms))
}
