//! epoll(7) wrappers.

use super::{SysResult, cvt};

pub use libc::epoll_event as Event;

pub fn create_cloexec() -> SysResult<std::os::fd::OwnedFd> {
    // SAFETY: no pointer arguments.
    let fd = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
    // SAFETY: fd was just returned by epoll_create1 and is owned by nobody else.
    Ok(unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
}

pub fn ctl(epfd: i32, op: i32, fd: i32, events: u32) -> SysResult<()> {
    // A non-NULL event even for DEL, for kernels before 2.6.9.
    let mut ev = Event { events, u64: fd as u32 as u64 };
    // SAFETY: ev is a valid epoll_event for the duration of the call.
    cvt(unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) }).map(|_| ())
}

pub fn wait(epfd: i32, out: &mut [Event], timeout_ms: i32) -> SysResult<usize> {
    let max = out.len().min(i32::MAX as usize) as i32;
    // SAFETY: out is a valid writable array of `max` epoll_events.
    cvt(unsafe { libc::epoll_wait(epfd, out.as_mut_ptr(), max, timeout_ms) }).map(|n| n as usize)
}
