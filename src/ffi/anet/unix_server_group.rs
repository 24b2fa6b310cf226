//! anetUnixServer with its `group` (Valkey 8).

use core::ffi::{c_char, c_int};

use libc::mode_t;

use super::{POLICY, fd_or_err, null_path};
use crate::anet;
use crate::ffi::boundary::{ErrOut, c_str};

/// A unix-domain listener; with a non-NULL `group`, the socket file's group
/// is set to it between bind and listen.
///
/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `path` is NULL or a
/// NUL-terminated string; `group` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixServer(
    err: *mut c_char,
    path: *mut c_char,
    perm: mode_t,
    backlog: c_int,
    group: *mut c_char,
) -> c_int {
    // SAFETY: this function's contract.
    let (err, path, group) = unsafe { (ErrOut::new(err), c_str(path), c_str(group)) };
    let r = match path {
        Some(p) => anet::unix_server(p, perm, backlog, group, POLICY),
        None => Err(null_path()),
    };
    fd_or_err(&err, r)
}
