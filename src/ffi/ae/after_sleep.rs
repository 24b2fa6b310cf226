//! aeSetAfterSleepProc (Redis 4.0+). The callback runs right after the wait,
//! before anything is dispatched, when aeProcessEvents is given
//! AE_CALL_AFTER_SLEEP (8 in 4.0/5.0, 16 from 6.0; aeMain passes it).
#![allow(non_snake_case)]

use super::loop_ref;
use crate::ffi::boundary::refuse;
use crate::generation::current::ae_abi::{aeAfterSleepProcPtr, aeEventLoop};

/// # Safety
/// `eventLoop` is NULL or a live loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aeSetAfterSleepProc(eventLoop: *mut aeEventLoop, aftersleep: aeAfterSleepProcPtr) {
    // SAFETY: this function's contract.
    match unsafe { loop_ref(eventLoop) } {
        // SAFETY: the loop is live; the field is read before every dispatch.
        Some(_) => unsafe { (*eventLoop).aftersleep = aftersleep },
        None => refuse(()),
    }
}
