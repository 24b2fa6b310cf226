//! File descriptor primitives.

use super::{SysResult, cvt};

pub fn close(fd: i32) -> SysResult<()> {
    // SAFETY: close takes no pointers; closing an unknown fd yields EBADF.
    cvt(unsafe { libc::close(fd) }).map(|_| ())
}

pub fn read(fd: i32, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: buf is a valid writable region of buf.len() bytes.
    cvt(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) }).map(|n| n as usize)
}

pub fn write(fd: i32, buf: &[u8]) -> SysResult<usize> {
    // SAFETY: buf is a valid readable region of buf.len() bytes.
    cvt(unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) }).map(|n| n as usize)
}

pub fn get_flags(fd: i32) -> SysResult<i32> {
    // SAFETY: F_GETFL takes no pointer argument.
    cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })
}

pub fn set_flags(fd: i32, flags: i32) -> SysResult<()> {
    // SAFETY: F_SETFL takes an int argument.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, flags) }).map(|_| ())
}

/// open(2) with O_CLOEXEC; the descriptor is owned by the result.
pub fn open_cloexec(path: &core::ffi::CStr, flags: i32) -> SysResult<std::os::fd::OwnedFd> {
    // SAFETY: path is NUL-terminated; open takes no other pointer.
    let fd = cvt(unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC) })?;
    // SAFETY: fd was just returned by open and is owned by nobody else.
    Ok(unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
}
