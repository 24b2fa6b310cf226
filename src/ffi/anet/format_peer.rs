//! anetFormatPeer and anetFormatSock (3.2–6.0; 6.2 made them anetFormatFdAddr).

use core::ffi::{c_char, c_int};

use libc::size_t;

use crate::anet;
use crate::ffi::boundary::{TextOut, snprintf_ret};

/// The peer of `fd` formatted as by anetFormatAddr ("?:0" on failure).
///
/// # Safety
/// `fmt` is NULL or has `fmt_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatPeer(fd: c_int, fmt: *mut c_char, fmt_len: size_t) -> c_int {
    // SAFETY: this function's contract; 64 bytes hold any text.
    let mut out = unsafe { TextOut::new(fmt, fmt_len) };
    snprintf_ret(anet::format_peer(fd, out.bytes(64)))
}

/// The local address of `fd` formatted as by anetFormatAddr ("?:0" on
/// failure).
///
/// # Safety
/// As for `anetFormatPeer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatSock(fd: c_int, fmt: *mut c_char, fmt_len: size_t) -> c_int {
    // SAFETY: this function's contract; 64 bytes hold any text.
    let mut out = unsafe { TextOut::new(fmt, fmt_len) };
    snprintf_ret(anet::format_sock(fd, out.bytes(64)))
}
