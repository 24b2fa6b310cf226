//! The anet functions Redis 6.2 removed: the blocking clients, the full
//! reads and writes, the numeric resolver, the name functions of 3.0–6.0.

use core::ffi::{c_char, c_int};

use libc::size_t;

use super::{ANET_CONNECT_NONBLOCK, connect_how, fail, fd_or_err, status};
use crate::abi::anet::{ANET_IP_ONLY, ANET_NONE, ANET_OK};
use crate::anet::{self, Endpoint};
use crate::ffi::boundary::{ErrOut, InStr, IntOut, TextOut, c_str, fail_with};
use crate::sys::Errno;

/// Sets SO_SNDBUF. Global in the reference but not declared in its anet.h.
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSetSendBuffer(err: *mut c_char, fd: c_int, buffsize: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::set_send_buffer(fd, buffsize))
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpKeepAlive(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: this function's contract.
    let err = unsafe { ErrOut::new(err) };
    status(&err, anet::tcp_keepalive(fd))
}

/// Resolves `host` into `ipbuf` (numeric hosts only with ANET_IP_ONLY).
/// Global in the reference but not declared in its anet.h.
///
/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `host` is NULL or a
/// NUL-terminated string; `ipbuf` is NULL or has `ipbuf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetGenericResolve(
    err: *mut c_char,
    host: *mut c_char,
    ipbuf: *mut c_char,
    ipbuf_len: size_t,
    flags: c_int,
) -> c_int {
    // SAFETY: this function's contract.
    let (err, host, mut ipbuf) = unsafe { (ErrOut::new(err), c_str(host), TextOut::new(ipbuf, ipbuf_len)) };
    match anet::resolve(host, flags & ANET_IP_ONLY != 0, anet::Prefer::Any) {
        Ok(ip) => {
            ipbuf.put_address(ip.as_bytes());
            ANET_OK
        }
        Err(e) => fail(&err, &e),
    }
}

/// # Safety
/// As for `anetGenericResolve`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetResolve(
    err: *mut c_char,
    host: *mut c_char,
    ipbuf: *mut c_char,
    ipbuf_len: size_t,
) -> c_int {
    // SAFETY: same contract.
    unsafe { anetGenericResolve(err, host, ipbuf, ipbuf_len, ANET_NONE) }
}

/// # Safety
/// As for `anetGenericResolve`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetResolveIP(
    err: *mut c_char,
    host: *mut c_char,
    ipbuf: *mut c_char,
    ipbuf_len: size_t,
) -> c_int {
    // SAFETY: same contract.
    unsafe { anetGenericResolve(err, host, ipbuf, ipbuf_len, ANET_IP_ONLY) }
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `addr` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpConnect(err: *mut c_char, addr: InStr, port: c_int) -> c_int {
    // SAFETY: this function's contract.
    let (err, addr) = unsafe { (ErrOut::new(err), c_str(addr)) };
    fd_or_err(&err, anet::tcp_connect(addr, port, None, connect_how(false)))
}

/// # Safety
/// As for `anetTcpConnect`; `source_addr` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpNonBlockBindConnect(
    err: *mut c_char,
    addr: InStr,
    port: c_int,
    source_addr: InStr,
) -> c_int {
    // SAFETY: this function's contract.
    let (err, addr, source) = unsafe { (ErrOut::new(err), c_str(addr), c_str(source_addr)) };
    fd_or_err(&err, anet::tcp_connect(addr, port, source, connect_how(true)))
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `path` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixConnect(err: *mut c_char, path: InStr) -> c_int {
    // SAFETY: same contract.
    unsafe { super::unix_connect::anetUnixGenericConnect(err, path, 0) }
}

/// # Safety
/// As for `anetUnixConnect`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixNonBlockConnect(err: *mut c_char, path: InStr) -> c_int {
    // SAFETY: same contract.
    unsafe { super::unix_connect::anetUnixGenericConnect(err, path, ANET_CONNECT_NONBLOCK) }
}

/// The length anetRead/anetWrite may use: Err(return value) when there is
/// nothing to do (0 for a zero count) or the arguments are bad (-1 with
/// EINVAL for a negative count, EFAULT for a NULL buffer).
fn full_io_len(buf_is_null: bool, count: c_int) -> Result<usize, c_int> {
    let Ok(n) = usize::try_from(count) else { return Err(fail_with(libc::EINVAL, -1)) };
    if n == 0 {
        return Err(0);
    }
    if buf_is_null {
        return Err(fail_with(libc::EFAULT, -1));
    }
    Ok(n)
}

fn full_io_result(count: c_int, r: Result<usize, Errno>) -> c_int {
    match r {
        Ok(total) => c_int::try_from(total).unwrap_or(count),
        Err(e) => fail_with(e.0, -1),
    }
}

/// Reads exactly `count` bytes unless EOF (returns the bytes so far) or
/// an error (-1). A negative `count` is -1 with EINVAL, a NULL `buf`
/// with a positive count -1 with EFAULT.
///
/// # Safety
/// `buf` is NULL or has `count` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetRead(fd: c_int, buf: *mut c_char, count: c_int) -> c_int {
    let n = match full_io_len(buf.is_null(), count) {
        Ok(n) => n,
        Err(ret) => return ret,
    };
    // SAFETY: non-NULL with `count` writable bytes per the contract.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), n) };
    full_io_result(count, anet::read_full(fd, buf))
}

/// Writes exactly `count` bytes unless write returns 0 (returns the bytes
/// so far) or an error (-1). Argument checks as for `anetRead`.
///
/// # Safety
/// `buf` is NULL or has `count` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetWrite(fd: c_int, buf: *mut c_char, count: c_int) -> c_int {
    let n = match full_io_len(buf.is_null(), count) {
        Ok(n) => n,
        Err(ret) => return ret,
    };
    // SAFETY: non-NULL with `count` readable bytes per the contract.
    let buf = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), n) };
    full_io_result(count, anet::write_full(fd, buf))
}

/// The error path of anetPeerToString / anetSockName: "?" (or "" when only
/// one byte fits, nothing when none does), port 0, -1. The "?" is written
/// with a length check (the reference's anetSockName writes two bytes
/// blindly).
fn name_failed(ip: &mut TextOut, port: &IntOut) -> c_int {
    ip.put(b"?");
    port.put(0);
    -1
}

/// # Safety
/// `ip` is NULL or has `ip_len` writable bytes; `port` is NULL or a
/// writable int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetPeerToString(fd: c_int, ip: *mut c_char, ip_len: size_t, port: *mut c_int) -> c_int {
    // SAFETY: this function's contract.
    let (mut ip, port) = unsafe { (TextOut::new(ip, ip_len), IntOut::new(port)) };
    match anet::peer_name(fd) {
        Ok(ep @ (Endpoint::Ip { .. } | Endpoint::Unix)) if ip_len != 0 => {
            ip.put_address(ep.ip_bytes());
            port.put(c_int::from(ep.port()));
            0
        }
        Err(e) => {
            let r = name_failed(&mut ip, &port);
            fail_with(e.0, r)
        }
        Ok(_) => name_failed(&mut ip, &port),
    }
}

/// # Safety
/// As for `anetPeerToString`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSockName(fd: c_int, ip: *mut c_char, ip_len: size_t, port: *mut c_int) -> c_int {
    // SAFETY: this function's contract.
    let (mut ip, port) = unsafe { (TextOut::new(ip, ip_len), IntOut::new(port)) };
    match anet::sock_name(fd) {
        Ok(ep @ (Endpoint::Ip { .. } | Endpoint::Unix)) => {
            ip.put_address(ep.ip_bytes());
            port.put(c_int::from(ep.port()));
            0
        }
        Err(e) => {
            let r = name_failed(&mut ip, &port);
            fail_with(e.0, r)
        }
        Ok(Endpoint::Other(_)) => name_failed(&mut ip, &port),
    }
}
