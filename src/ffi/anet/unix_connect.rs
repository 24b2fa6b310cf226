//! anetUnixGenericConnect (3.0–7.2; Valkey 8 removed it).

use core::ffi::{c_char, c_int};

use super::{ANET_CONNECT_NONBLOCK, fd_or_err, null_path};
use crate::anet;
use crate::ffi::boundary::{ErrOut, InStr, c_str};

/// A unix-domain client; `flags` & 1 (ANET_CONNECT_NONBLOCK) makes it
/// non-blocking. Global in the reference but, before 6.2, not declared in
/// its anet.h.
///
/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `path` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixGenericConnect(err: *mut c_char, path: InStr, flags: c_int) -> c_int {
    // SAFETY: this function's contract.
    let (err, path) = unsafe { (ErrOut::new(err), c_str(path)) };
    let r = match path {
        Some(p) => anet::unix_connect(p, flags & ANET_CONNECT_NONBLOCK != 0),
        None => Err(null_path()),
    };
    fd_or_err(&err, r)
}
