//! anetResolve with its `flags` (Redis 6.2+, under the same name as the
//! four-argument one before): ANET_IP_ONLY, and in Valkey 8
//! ANET_PREFER_IPV4 / ANET_PREFER_IPV6.

use core::ffi::{c_char, c_int};

use libc::size_t;

use super::{POLICY, fail};
use crate::abi::anet::{ANET_IP_ONLY, ANET_OK, ANET_PREFER_IPV4, ANET_PREFER_IPV6};
use crate::anet::{self, Prefer};
use crate::ffi::boundary::{ErrOut, TextOut, c_str};

fn prefer(flags: c_int) -> Prefer {
    if !POLICY.resolve_prefers_family {
        return Prefer::Any;
    }
    match (flags & ANET_PREFER_IPV4 != 0, flags & ANET_PREFER_IPV6 != 0) {
        (true, false) => Prefer::V4,
        (false, true) => Prefer::V6,
        _ => Prefer::Any,
    }
}

/// Resolves `host` into `ipbuf` (numeric hosts only with ANET_IP_ONLY).
///
/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `host` is NULL or a
/// NUL-terminated string; `ipbuf` is NULL or has `ipbuf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetResolve(
    err: *mut c_char,
    host: *mut c_char,
    ipbuf: *mut c_char,
    ipbuf_len: size_t,
    flags: c_int,
) -> c_int {
    // SAFETY: this function's contract.
    let (err, host, mut ipbuf) = unsafe { (ErrOut::new(err), c_str(host), TextOut::new(ipbuf, ipbuf_len)) };
    match anet::resolve(host, flags & ANET_IP_ONLY != 0, prefer(flags)) {
        Ok(ip) => {
            ipbuf.put_address(ip.as_bytes());
            ANET_OK
        }
        Err(e) => fail(&err, &e),
    }
}
