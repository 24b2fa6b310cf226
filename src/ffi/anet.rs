//! extern "C" anet functions: the 24 functions of Redis 3.0.7's anet.h,
//! the four that anet.c makes global without declaring them
//! (anetSetBlock, anetSetSendBuffer, anetGenericResolve,
//! anetUnixGenericConnect), and the three 3.2 additions (anetFormatAddr,
//! anetFormatPeer, anetFormatSock). Each one converts its C arguments,
//! calls the safe core in `crate::anet`, and writes the result back the
//! way the reference does: message into `err` (NULL allowed), errno set,
//! ANET_OK / ANET_ERR / an fd returned.

use core::ffi::{c_char, c_int, c_longlong};

use libc::{mode_t, size_t};

use crate::abi::anet::{ANET_ERR, ANET_IP_ONLY, ANET_OK};
use crate::anet::{self, AnetError, AnetResult, Endpoint, Family};
use crate::ffi::cstr::{borrow, write_cstr, write_err};
use crate::sys::set_errno;

/* The connect flags anet.c keeps to itself (anetUnixGenericConnect's
 * `flags` takes them). */
const ANET_CONNECT_NONBLOCK: c_int = 1;

/// Writes the error's text into `err` (unless NULL), sets errno, and
/// returns ANET_ERR.
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
unsafe fn fail(err: *mut c_char, e: &AnetError) -> c_int {
    // SAFETY: forwarded from the caller.
    unsafe { write_err(err, &e.text) };
    set_errno(e.errno);
    ANET_ERR
}

/// ANET_OK, or the error reported through `err` and errno.
///
/// # Safety
/// As for `fail`.
unsafe fn status(err: *mut c_char, r: AnetResult<()>) -> c_int {
    match r {
        Ok(()) => ANET_OK,
        // SAFETY: forwarded from the caller.
        Err(e) => unsafe { fail(err, &e) },
    }
}

/// The fd, or the error reported through `err` and errno.
///
/// # Safety
/// As for `fail`.
unsafe fn fd_or_err(err: *mut c_char, r: AnetResult<c_int>) -> c_int {
    match r {
        Ok(fd) => fd,
        // SAFETY: forwarded from the caller.
        Err(e) => unsafe { fail(err, &e) },
    }
}

/// The error for a NULL unix socket path (the reference would crash).
fn null_path() -> AnetError {
    AnetError::new(libc::EINVAL, format_args!("unix socket path is NULL"))
}

/// Copies address text into the caller's `ip` buffer of `ip_len` bytes,
/// truncated and NUL-terminated. The reference leaves the buffer untouched
/// when inet_ntop runs out of room; here it holds the cut text, and errno
/// is ENOSPC as after the reference's failed inet_ntop.
///
/// # Safety
/// `ip` is NULL or points to `ip_len` writable bytes.
unsafe fn put_ip(ip: *mut c_char, ip_len: size_t, text: &[u8]) {
    // SAFETY: forwarded from the caller.
    if !ip.is_null() && !unsafe { write_cstr(ip, ip_len, text) } {
        set_errno(libc::ENOSPC);
    }
}

/// # Safety
/// `port` is NULL or points to a writable int.
unsafe fn put_port(port: *mut c_int, value: c_int) {
    if !port.is_null() {
        // SAFETY: non-NULL and writable per the caller.
        unsafe { *port = value };
    }
}

/// A byte view of a caller's output buffer, limited to `want` bytes (the
/// most the writer can use), so no more than that is ever touched.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes.
unsafe fn out_buf<'a>(buf: *mut c_char, len: size_t, want: usize) -> &'a mut [u8] {
    if buf.is_null() || len == 0 {
        return &mut [];
    }
    // SAFETY: the first min(len, want) bytes are writable per the caller.
    unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len.min(want)) }
}

/// snprintf's return value: the length, or -1 (EOVERFLOW) beyond INT_MAX.
fn snprintf_ret(n: usize) -> c_int {
    match c_int::try_from(n) {
        Ok(v) => v,
        Err(_) => {
            set_errno(libc::EOVERFLOW);
            -1
        }
    }
}

/* ------------------------------------------------------------------ */
/* Blocking mode and socket options                                    */

/// Sets the socket non-blocking (`non_block` != 0) or blocking.
/// Global in the reference but not declared in its anet.h.
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSetBlock(err: *mut c_char, fd: c_int, non_block: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::set_block(fd, non_block != 0)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetNonBlock(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::set_nonblock(fd)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetBlock(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::set_blocking(fd)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetKeepAlive(err: *mut c_char, fd: c_int, interval: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::keepalive(fd, interval)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetEnableTcpNoDelay(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::set_tcp_nodelay(fd, true)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetDisableTcpNoDelay(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::set_tcp_nodelay(fd, false)) }
}

/// Sets SO_SNDBUF. Global in the reference but not declared in its anet.h.
///
/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSetSendBuffer(err: *mut c_char, fd: c_int, buffsize: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::set_send_buffer(fd, buffsize)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpKeepAlive(err: *mut c_char, fd: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::tcp_keepalive(fd)) }
}

/// # Safety
/// `err` is NULL or points to ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSendTimeout(err: *mut c_char, fd: c_int, ms: c_longlong) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { status(err, anet::send_timeout(fd, ms)) }
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */

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
    // SAFETY: `host` per this function's contract.
    let host = unsafe { borrow(host) };
    match anet::resolve(host, flags & ANET_IP_ONLY != 0) {
        Ok(ip) => {
            // SAFETY: `ipbuf` per this function's contract.
            unsafe { put_ip(ipbuf, ipbuf_len, ip.as_bytes()) };
            ANET_OK
        }
        // SAFETY: `err` per this function's contract.
        Err(e) => unsafe { fail(err, &e) },
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
    unsafe { anetGenericResolve(err, host, ipbuf, ipbuf_len, crate::abi::anet::ANET_NONE) }
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

/* ------------------------------------------------------------------ */
/* Clients                                                             */

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `addr` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpConnect(err: *mut c_char, addr: *mut c_char, port: c_int) -> c_int {
    // SAFETY: `addr` per this function's contract.
    let addr = unsafe { borrow(addr) };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, anet::tcp_connect(addr, port, None, false)) }
}

/// # Safety
/// As for `anetTcpConnect`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpNonBlockConnect(err: *mut c_char, addr: *mut c_char, port: c_int) -> c_int {
    // SAFETY: `addr` per this function's contract.
    let addr = unsafe { borrow(addr) };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, anet::tcp_connect(addr, port, None, true)) }
}

/// # Safety
/// As for `anetTcpConnect`; `source_addr` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpNonBlockBindConnect(
    err: *mut c_char,
    addr: *mut c_char,
    port: c_int,
    source_addr: *mut c_char,
) -> c_int {
    // SAFETY: `addr` and `source_addr` per this function's contract.
    let (addr, source) = unsafe { (borrow(addr), borrow(source_addr)) };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, anet::tcp_connect(addr, port, source, true)) }
}

/// When the attempt with `source_addr` fails, retries once without it;
/// `err` then keeps the first attempt's message even on success, as in
/// the reference.
///
/// # Safety
/// As for `anetTcpNonBlockBindConnect`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpNonBlockBestEffortBindConnect(
    err: *mut c_char,
    addr: *mut c_char,
    port: c_int,
    source_addr: *mut c_char,
) -> c_int {
    // SAFETY: `addr` and `source_addr` per this function's contract.
    let (addr, source) = unsafe { (borrow(addr), borrow(source_addr)) };
    let out = anet::tcp_connect_best_effort(addr, port, source, true);
    if let Some(first) = &out.first_error {
        // SAFETY: `err` per this function's contract.
        unsafe { write_err(err, &first.text) };
    }
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, out.result) }
}

/// A unix-domain client; `flags` & 1 (ANET_CONNECT_NONBLOCK) makes it
/// non-blocking. Global in the reference but not declared in its anet.h.
///
/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `path` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixGenericConnect(err: *mut c_char, path: *mut c_char, flags: c_int) -> c_int {
    // SAFETY: `path` per this function's contract.
    let r = match unsafe { borrow(path) } {
        Some(p) => anet::unix_connect(p, flags & ANET_CONNECT_NONBLOCK != 0),
        None => Err(null_path()),
    };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, r) }
}

/// # Safety
/// As for `anetUnixGenericConnect`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixConnect(err: *mut c_char, path: *mut c_char) -> c_int {
    // SAFETY: same contract.
    unsafe { anetUnixGenericConnect(err, path, 0) }
}

/// # Safety
/// As for `anetUnixGenericConnect`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixNonBlockConnect(err: *mut c_char, path: *mut c_char) -> c_int {
    // SAFETY: same contract.
    unsafe { anetUnixGenericConnect(err, path, ANET_CONNECT_NONBLOCK) }
}

/* ------------------------------------------------------------------ */
/* Full reads and writes                                               */

/// The length anetRead/anetWrite may use: Err(return value) when there is
/// nothing to do (0 for a zero count) or the arguments are bad (-1 with
/// EINVAL for a negative count, EFAULT for a NULL buffer).
fn full_io_len(buf_is_null: bool, count: c_int) -> Result<usize, c_int> {
    let Ok(n) = usize::try_from(count) else {
        set_errno(libc::EINVAL);
        return Err(-1);
    };
    if n == 0 {
        return Err(0);
    }
    if buf_is_null {
        set_errno(libc::EFAULT);
        return Err(-1);
    }
    Ok(n)
}

fn full_io_result(count: c_int, r: Result<usize, crate::sys::Errno>) -> c_int {
    match r {
        Ok(total) => c_int::try_from(total).unwrap_or(count),
        Err(e) => {
            set_errno(e.0);
            -1
        }
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

/* ------------------------------------------------------------------ */
/* Servers and accept                                                  */

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `bindaddr` is NULL
/// or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcpServer(err: *mut c_char, port: c_int, bindaddr: *mut c_char, backlog: c_int) -> c_int {
    // SAFETY: `bindaddr` per this function's contract.
    let bindaddr = unsafe { borrow(bindaddr) };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, anet::tcp_server(port, bindaddr, backlog, Family::V4)) }
}

/// # Safety
/// As for `anetTcpServer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetTcp6Server(err: *mut c_char, port: c_int, bindaddr: *mut c_char, backlog: c_int) -> c_int {
    // SAFETY: `bindaddr` per this function's contract.
    let bindaddr = unsafe { borrow(bindaddr) };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, anet::tcp_server(port, bindaddr, backlog, Family::V6)) }
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes; `path` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixServer(err: *mut c_char, path: *mut c_char, perm: mode_t, backlog: c_int) -> c_int {
    // SAFETY: `path` per this function's contract.
    let r = match unsafe { borrow(path) } {
        Some(p) => anet::unix_server(p, perm, backlog),
        None => Err(null_path()),
    };
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, r) }
}

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
    match anet::tcp_accept(serversock, anet::OutOfFds::Shed) {
        Ok((fd, peer)) => {
            // SAFETY: `ip` and `port` per this function's contract.
            unsafe {
                put_ip(ip, ip_len, peer.ip_bytes());
                put_port(port, c_int::from(peer.port()));
            }
            fd
        }
        // SAFETY: `err` per this function's contract.
        Err(e) => unsafe { fail(err, &e) },
    }
}

/// # Safety
/// `err` is NULL or has ANET_ERR_LEN writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetUnixAccept(err: *mut c_char, serversock: c_int) -> c_int {
    // SAFETY: `err` per this function's contract.
    unsafe { fd_or_err(err, anet::unix_accept(serversock, anet::OutOfFds::Shed)) }
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

/// The error path of anetPeerToString / anetSockName: "?" (or "" when
/// only one byte fits, nothing when none does), port 0, -1.
///
/// # Safety
/// As for `put_ip` and `put_port`.
unsafe fn name_failed(ip: *mut c_char, ip_len: size_t, port: *mut c_int) -> c_int {
    // SAFETY: forwarded from the caller. The "?" is written with a
    // length check (the reference's anetSockName writes two bytes blindly).
    unsafe {
        write_cstr(ip, ip_len, b"?");
        put_port(port, 0);
    }
    -1
}

/// # Safety
/// `ip` is NULL or has `ip_len` writable bytes; `port` is NULL or a
/// writable int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetPeerToString(fd: c_int, ip: *mut c_char, ip_len: size_t, port: *mut c_int) -> c_int {
    match anet::peer_name(fd) {
        Ok(ep @ (Endpoint::Ip { .. } | Endpoint::Unix)) if ip_len != 0 => {
            // SAFETY: `ip` and `port` per this function's contract.
            unsafe {
                put_ip(ip, ip_len, ep.ip_bytes());
                put_port(port, c_int::from(ep.port()));
            }
            0
        }
        Err(e) => {
            // SAFETY: as above.
            let r = unsafe { name_failed(ip, ip_len, port) };
            set_errno(e.0);
            r
        }
        // SAFETY: as above.
        Ok(_) => unsafe { name_failed(ip, ip_len, port) },
    }
}

/// # Safety
/// As for `anetPeerToString`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetSockName(fd: c_int, ip: *mut c_char, ip_len: size_t, port: *mut c_int) -> c_int {
    match anet::sock_name(fd) {
        Ok(ep @ (Endpoint::Ip { .. } | Endpoint::Unix)) => {
            // SAFETY: `ip` and `port` per this function's contract.
            unsafe {
                put_ip(ip, ip_len, ep.ip_bytes());
                put_port(port, c_int::from(ep.port()));
            }
            0
        }
        Err(e) => {
            // SAFETY: as above.
            let r = unsafe { name_failed(ip, ip_len, port) };
            set_errno(e.0);
            r
        }
        // SAFETY: as above.
        Ok(Endpoint::Other(_)) => unsafe { name_failed(ip, ip_len, port) },
    }
}

/// Formats "ip:port", or "[ip]:port" when `ip` contains ':', like
/// snprintf(fmt, fmt_len, ...): returns the full length. A NULL `ip`
/// gives -1 (EINVAL) and an empty string.
///
/// # Safety
/// `fmt` is NULL or has `fmt_len` writable bytes; `ip` is NULL or a
/// NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatAddr(fmt: *mut c_char, fmt_len: size_t, ip: *mut c_char, port: c_int) -> c_int {
    // SAFETY: `ip` per this function's contract.
    let Some(ip) = (unsafe { borrow(ip) }) else {
        // SAFETY: `fmt` per this function's contract.
        unsafe { write_cstr(fmt, fmt_len, b"") };
        set_errno(libc::EINVAL);
        return -1;
    };
    let ip = ip.to_bytes();
    // "[" + ip + "]:" + at most 11 digits + NUL.
    let want = ip.len().saturating_add(16);
    // SAFETY: `fmt` per this function's contract.
    let out = unsafe { out_buf(fmt, fmt_len, want) };
    snprintf_ret(anet::format_addr(out, ip, port))
}

/// The peer of `fd` formatted as by anetFormatAddr ("?:0" on failure).
///
/// # Safety
/// `fmt` is NULL or has `fmt_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatPeer(fd: c_int, fmt: *mut c_char, fmt_len: size_t) -> c_int {
    // SAFETY: `fmt` per this function's contract; 64 bytes hold any text.
    let out = unsafe { out_buf(fmt, fmt_len, 64) };
    snprintf_ret(anet::format_peer(fd, out))
}

/// The local address of `fd` formatted as by anetFormatAddr ("?:0" on
/// failure).
///
/// # Safety
/// As for `anetFormatPeer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn anetFormatSock(fd: c_int, fmt: *mut c_char, fmt_len: size_t) -> c_int {
    // SAFETY: `fmt` per this function's contract; 64 bytes hold any text.
    let out = unsafe { out_buf(fmt, fmt_len, 64) };
    snprintf_ret(anet::format_sock(fd, out))
}
