//! aeGetFileClientData (Redis 7.0+).
#![allow(non_snake_case)]

use core::ffi::{c_int, c_void};
use core::ptr;

use super::loop_ref;
use crate::ffi::boundary::refuse;
use crate::generation::current::ae_abi::aeEventLoop;

/// The client data registered for `fd`, or NULL when nothing is (an fd
/// outside the set size, negative ones included, is NULL too).
///
/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeGetFileClientData(eventLoop: *mut aeEventLoop, fd: c_int) -> *mut c_void {
    // SAFETY: this function's contract.
    let l = unsafe { loop_ref(eventLoop) };
    l.and_then(|l| l.read(|c| c.file_client_data(fd))).unwrap_or_else(|| refuse(ptr::null_mut()))
}
