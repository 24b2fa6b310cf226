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

pub fn get_fd_flags(fd: i32) -> SysResult<i32> {
    // SAFETY: F_GETFD takes no pointer argument.
    cvt(unsafe { libc::fcntl(fd, libc::F_GETFD) })
}

pub fn set_fd_flags(fd: i32, flags: i32) -> SysResult<()> {
    // SAFETY: F_SETFD takes an int argument.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFD, flags) }).map(|_| ())
}

/// pipe2(2); the two ends, read first.
pub fn pipe2(flags: i32) -> SysResult<[i32; 2]> {
    let mut fds = [-1i32; 2];
    // SAFETY: fds is a valid array of two ints for pipe2 to fill.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), flags) })?;
    Ok(fds)
}

/// pipe(2); the two ends, read first.
pub fn pipe() -> SysResult<[i32; 2]> {
    let mut fds = [-1i32; 2];
    // SAFETY: fds is a valid array of two ints for pipe to fill.
    cvt(unsafe { libc::pipe(fds.as_mut_ptr()) })?;
    Ok(fds)
}

/// The file type bits of `path` (stat's st_mode & S_IFMT).
pub fn file_type(path: &core::ffi::CStr) -> SysResult<u32> {
    // SAFETY: stat is plain old data; all-zero is a valid value to overwrite.
    let mut st = unsafe { core::mem::zeroed::<libc::stat>() };
    // SAFETY: path is NUL-terminated and st a valid out-pointer.
    cvt(unsafe { libc::stat(path.as_ptr(), &mut st) })?;
    Ok(st.st_mode & libc::S_IFMT)
}
