//! The anet functions every generation has.

use core::ffi::{c_char, c_int, c_longlong};

use libc::size_t;

use super::{POLICY, accepted, connect_how, fail, fd_or_err, set_block, status};
use crate::anet::{self, Family, OutOfFds};
use crate::ffi::boundary::{ErrOut, InStr, IntOut, TextOut, c_str};

/// Sets the socket non-blocking (`non_block` != 0) or blocking. Global in
/// the reference but, before 6.2, not declared in its anet.h.
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSetBlock(err: *mut c_char, fd: c_int, non_block: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, set_block(fd, non_block != 0))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetNonBlock(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, set_block(fd, true))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetBlock(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, set_block(fd, false))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetKeepAlive(err: *mut c_char, fd: c_int, interval: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::keepalive(fd, interval))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetEnableTcpNoDelay(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::set_tcp_nodelay(fd, true))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetDisableTcpNoDelay(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::set_tcp_nodelay(fd, false))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSendTimeout(err: *mut c_char, fd: c_int, ms: c_longlong) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::send_timeout(fd, ms))
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `addr` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpNonBlockConnect(err: *mut c_char, addr: InStr, port: c_int) -> c_int {
    // SAFETY: this function's contract.
    let (err, addr) = unsafe { (ErrOut::new(err), c_str(addr)) };
    fd_or_err(&err, anet::tcp_connect(addr, port, None, connect_how(true)))
}

/// When the attempt with `source_addr` fails, retries once without it;
/// `err` then keeps the first attempt's message even on success, as in
/// the reference.
///
/// # Safety
/// As for `anetTcpNonBlockConnect`; `source_addr` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpNonBlockBestEffortBindConnect(
    err: *mut c_char,
    addr: InStr,
    port: c_int,
    source_addr: InStr,
) -> c_int {
    // SAFETY: this function's contract.
    let (err, addr, source) = unsafe { (ErrOut::new(err), c_str(addr), c_str(source_addr)) };
    let out = anet::tcp_connect_best_effort(addr, port, source, connect_how(true));
    if let Some(first) = &out.first_error {
        err.write(&first.text);
    }
    fd_or_err(&err, out.result)
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `bindaddr` is NULL
/// or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpServer(err: *mut c_char, port: c_int, bindaddr: *mut c_char, backlog: c_int) -> c_int {
    // SAFETY: this function's contract.
    let (err, bindaddr) = unsafe { (ErrOut::new(err), c_str(bindaddr)) };
    fd_or_err(&err, anet::tcp_server(port, bindaddr, backlog, Family::V4, POLICY))
}

/// # Safety
/// As for `anetTcpServer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcp6Server(err: *mut c_char, port: c_int, bindaddr: *mut c_char, backlog: c_int) -> c_int {
    // SAFETY: this function's contract.
    let (err, bindaddr) = unsafe { (ErrOut::new(err), c_str(bindaddr)) };
    fd_or_err(&err, anet::tcp_server(port, bindaddr, backlog, Family::V6, POLICY))
}

/// On EMFILE/ENFILE the pending connections are shed with the library's
/// spare descriptor (docs/differences.md) and the error is returned.
///
/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `ip` is NULL or has
/// `ip_len` writable bytes; `port` is NULL or a writable int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpAccept(
    err: *mut c_char,
    serversock: c_int,
    ip: *mut c_char,
    ip_len: size_t,
    port: *mut c_int,
) -> c_int {
    // SAFETY: this function's contract.
    let (err, mut ip, port) = unsafe { (ErrOut::new(err), TextOut::new(ip, ip_len), IntOut::new(port)) };
    match anet::tcp_accept(serversock, accepted(), OutOfFds::Shed) {
        Ok((fd, peer)) => {
            ip.put_address(peer.ip_bytes());
            port.put(c_int::from(peer.port()));
            fd
        }
        Err(e) => fail(&err, &e),
    }
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixAccept(err: *mut c_char, serversock: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    fd_or_err(&err, anet::unix_accept(serversock, accepted(), OutOfFds::Shed))
}
