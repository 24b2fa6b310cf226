//! anetFormatFdAddr (Redis 6.2 and 7.0).

use core::ffi::{c_char, c_int};

use libc::size_t;

use super::fd_to_string::wants_peer;
use crate::anet;
use crate::ffi::boundary::{TextOut, snprintf_ret};

/// The peer (`fd_to_str_type` FD_TO_PEER_NAME) or local address of `fd`
/// formatted as by anetFormatAddr ("?:0" on failure), like snprintf.
///
/// # Safety
/// `buf` is NULL or has `buf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatFdAddr(
    fd: c_int,
    buf: *mut c_char,
    buf_len: size_t,
    fd_to_str_type: c_int,
) -> c_int {
    // SAFETY: this function's contract; 64 bytes hold any text.
    let mut out = unsafe { TextOut::new(buf, buf_len) };
    let n = if wants_peer(fd_to_str_type) {
        anet::format_peer(fd, out.bytes(64))
    } else {
        anet::format_sock(fd, out.bytes(64))
    };
    snprintf_ret(n)
}
