//! aeSetDontWait (Redis 6.0+): while set, every wait has a zero timeout.
//! Where in aeProcessEvents it is read is the generation's (policy
//! BeforeSleep): before the before-sleep callback in 6.0–7.0, after it in
//! 7.2+.
#![allow(non_snake_case)]

use core::ffi::c_int;

use super::{loop_ref, set_flag};
use crate::abi::ae_common::AE_DONT_WAIT;
use crate::ffi::boundary::refuse;
use crate::generation::current::ae_abi::aeEventLoop;

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeSetDontWait(eventLoop: *mut aeEventLoop, noWait: c_int) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        Some(l) => set_flag(l, AE_DONT_WAIT, noWait != 0),
        None => refuse(()),
    }
}
