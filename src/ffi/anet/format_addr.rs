//! anetFormatAddr (3.2–7.0; 7.2 declares it and defines it nowhere).

use core::ffi::{c_char, c_int};

use libc::size_t;

use crate::anet;
use crate::ffi::boundary::{TextOut, c_str, fail_with, snprintf_ret};

/// Formats "ip:port", or "[ip]:port" when `ip` contains ':', like
/// snprintf(fmt, fmt_len, ...): returns the full length. A NULL `ip`
/// gives -1 (EINVAL) and an empty string.
///
/// # Safety
/// `fmt` is NULL or has `fmt_len` writable bytes; `ip` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatAddr(fmt: *mut c_char, fmt_len: size_t, ip: *mut c_char, port: c_int) -> c_int {
    // SAFETY: this function's contract.
    let (mut out, ip) = unsafe { (TextOut::new(fmt, fmt_len), c_str(ip)) };
    let Some(ip) = ip else {
        out.put(b"");
        return fail_with(libc::EINVAL, -1);
    };
    let ip = ip.to_bytes();
    // "[" + ip + "]:" + at most 11 digits + NUL.
    snprintf_ret(anet::format_addr(out.bytes(ip.len().saturating_add(16)), ip, port))
}
