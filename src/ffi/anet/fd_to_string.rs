//! anetFdToString (Redis 6.2+). The last argument is `fd_to_str_type` in
//! 6.2 and 7.0 (FD_TO_PEER_NAME, 0, is the peer) and `remote` from 7.2
//! (non-zero is the peer): the generation's policy says which.

use core::ffi::{c_char, c_int};

use libc::size_t;

use super::POLICY;
use crate::anet::policy::FdToString;
use crate::anet::{self, Endpoint};
use crate::ffi::boundary::{IntOut, TextOut, fail_with};

/// True when the caller asked for the peer.
pub(crate) fn wants_peer(arg: c_int) -> bool {
    match POLICY.fd_to_string {
        FdToString::ZeroIsPeer => arg == 0,
        FdToString::NonZeroIsPeer => arg != 0,
    }
}

/// The error path: "?" (or "" when only one byte fits, nothing when none
/// does), port 0, -1.
fn failed(ip: &mut TextOut, port: &IntOut) -> c_int {
    ip.put(b"?");
    port.put(0);
    -1
}

/// The peer or local address of `fd` into `ip` and `port`; 0, or -1 with
/// "?" and port 0. 6.2 also fails on a zero `ip_len`; 7.0+ fails when the
/// text does not fit (6.2 then keeps what fits, errno ENOSPC).
///
/// # Safety
/// `ip` is NULL or has `ip_len` writable bytes; `port` is NULL or a
/// writable int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFdToString(
    fd: c_int,
    ip: *mut c_char,
    ip_len: size_t,
    port: *mut c_int,
    remote: c_int,
) -> c_int {
    // SAFETY: this function's contract.
    let (mut ipo, porto) = unsafe { (TextOut::new(ip, ip_len), IntOut::new(port)) };
    let name = if wants_peer(remote) { anet::peer_name(fd) } else { anet::sock_name(fd) };
    let ep = match name {
        Ok(ep @ (Endpoint::Ip { .. } | Endpoint::Unix)) => ep,
        Ok(Endpoint::Other(_)) => return failed(&mut ipo, &porto),
        Err(e) => {
            let r = failed(&mut ipo, &porto);
            return fail_with(e.0, r);
        }
    };
    if !POLICY.fd_to_string_checks_room && ip_len == 0 {
        return failed(&mut ipo, &porto);
    }
    if !ipo.is_null() {
        let text = ep.ip_bytes();
        if POLICY.fd_to_string_checks_room {
            if text.len() >= ip_len {
                let r = failed(&mut ipo, &porto);
                return fail_with(libc::ENOSPC, r);
            }
            ipo.put(text);
        } else {
            ipo.put_address(text);
        }
    }
    porto.put(c_int::from(ep.port()));
    0
}
