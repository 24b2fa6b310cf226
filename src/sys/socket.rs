//! Socket system calls, one call per wrapper.

use core::ffi::CStr;
use core::mem::size_of;

use super::sockaddr::SockAddr;
use super::{SysResult, cvt};

/// socket(2); the descriptor is owned by the result (closed when dropped).
pub fn socket(domain: i32, ty: i32, protocol: i32) -> SysResult<std::os::fd::OwnedFd> {
    // SAFETY: socket takes no pointers.
    let fd = cvt(unsafe { libc::socket(domain, ty, protocol) })?;
    // SAFETY: fd was just returned by socket and is owned by nobody else.
    Ok(unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
}

pub fn setsockopt_int(fd: i32, level: i32, name: i32, value: i32) -> SysResult<()> {
    // SAFETY: `value` is a live int and its exact size is passed.
    cvt(unsafe { libc::setsockopt(fd, level, name, (&raw const value).cast(), size_of::<i32>() as libc::socklen_t) })
        .map(|_| ())
}

pub fn setsockopt_timeval(fd: i32, level: i32, name: i32, sec: i64, usec: i64) -> SysResult<()> {
    let tv = libc::timeval { tv_sec: sec as libc::time_t, tv_usec: usec as libc::suseconds_t };
    // SAFETY: `tv` is a live timeval and its exact size is passed.
    cvt(unsafe {
        libc::setsockopt(fd, level, name, (&raw const tv).cast(), size_of::<libc::timeval>() as libc::socklen_t)
    })
    .map(|_| ())
}

pub fn getsockopt_int(fd: i32, level: i32, name: i32) -> SysResult<i32> {
    let mut value: i32 = 0;
    let mut len = size_of::<i32>() as libc::socklen_t;
    // SAFETY: `value` and `len` are live locals; len is value's size.
    cvt(unsafe { libc::getsockopt(fd, level, name, (&raw mut value).cast(), &raw mut len) }).map(|_| value)
}

pub fn bind(fd: i32, addr: &SockAddr) -> SysResult<()> {
    // SAFETY: `addr` holds at least `addr.len()` initialised bytes.
    cvt(unsafe { libc::bind(fd, addr.as_ptr(), addr.len()) }).map(|_| ())
}

pub fn connect(fd: i32, addr: &SockAddr) -> SysResult<()> {
    // SAFETY: `addr` holds at least `addr.len()` initialised bytes.
    cvt(unsafe { libc::connect(fd, addr.as_ptr(), addr.len()) }).map(|_| ())
}

pub fn listen(fd: i32, backlog: i32) -> SysResult<()> {
    // SAFETY: listen takes no pointers.
    cvt(unsafe { libc::listen(fd, backlog) }).map(|_| ())
}

/// accept(2) into `addr`, which receives the peer address.
pub fn accept(fd: i32, addr: &mut SockAddr) -> SysResult<i32> {
    let (p, len) = addr.as_mut_parts();
    // SAFETY: p/len describe addr's whole storage and its length field.
    cvt(unsafe { libc::accept(fd, p, len) })
}

pub fn getpeername(fd: i32, addr: &mut SockAddr) -> SysResult<()> {
    let (p, len) = addr.as_mut_parts();
    // SAFETY: p/len describe addr's whole storage and its length field.
    cvt(unsafe { libc::getpeername(fd, p, len) }).map(|_| ())
}

pub fn getsockname(fd: i32, addr: &mut SockAddr) -> SysResult<()> {
    let (p, len) = addr.as_mut_parts();
    // SAFETY: p/len describe addr's whole storage and its length field.
    cvt(unsafe { libc::getsockname(fd, p, len) }).map(|_| ())
}

pub fn chmod(path: &CStr, mode: u32) -> SysResult<()> {
    // SAFETY: `path` is a valid NUL-terminated string.
    cvt(unsafe { libc::chmod(path.as_ptr(), mode as libc::mode_t) }).map(|_| ())
}

/// accept4(2) with `flags` (SOCK_NONBLOCK, SOCK_CLOEXEC) into `addr`.
pub fn accept4(fd: i32, addr: &mut SockAddr, flags: i32) -> SysResult<i32> {
    let (p, len) = addr.as_mut_parts();
    // SAFETY: p/len describe addr's whole storage and its length field.
    cvt(unsafe { libc::accept4(fd, p, len, flags) })
}

pub fn chown_group(path: &CStr, gid: libc::gid_t) -> SysResult<()> {
    // SAFETY: `path` is a valid NUL-terminated string; uid -1 keeps the owner.
    cvt(unsafe { libc::chown(path.as_ptr(), libc::uid_t::MAX, gid) }).map(|_| ())
}
