//! poll(2) wrapper.

use super::{SysResult, cvt};

pub use libc::pollfd as PollFd;

pub fn poll(fds: &mut [PollFd], timeout_ms: i32) -> SysResult<usize> {
    // SAFETY: fds is a valid writable array of fds.len() pollfd entries.
    cvt(unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) }).map(|n| n as usize)
}
