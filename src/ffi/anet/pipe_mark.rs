//! anetPipe and anetSetSockMarkId (Redis 7.0+).

use core::ffi::{c_char, c_int};

use super::status;
use crate::anet;
use crate::ffi::boundary::{ErrOut, fail_with, refuse};

/// A pipe with `read_flags` on the read end and `write_flags` on the write
/// end (O_CLOEXEC, O_NONBLOCK, ...); 0, or -1 with errno (a NULL `fds`:
/// EINVAL, where the reference would crash).
///
/// # Safety
/// `fds` is NULL or points to two writable ints.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetPipe(fds: *mut c_int, read_flags: c_int, write_flags: c_int) -> c_int {
    if fds.is_null() {
        return refuse(-1);
    }
    match anet::pipe(read_flags, write_flags) {
        Ok(p) => {
            // SAFETY: non-NULL with two writable ints per the contract.
            unsafe {
                fds.write(p[0]);
                fds.add(1).write(p[1]);
            }
            0
        }
        Err(e) => fail_with(e.0, -1),
    }
}

/// SO_MARK = `id` ("setsockopt: %s" on failure).
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSetSockMarkId(err: *mut c_char, fd: c_int, id: u32) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::set_sock_mark_id(fd, id))
}
