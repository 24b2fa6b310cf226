//! aeWait: a one-shot poll(2) on a single fd.

use crate::abi::ae_common::{AE_READABLE, AE_WRITABLE};
use crate::sys::{self, poll};

/// Returns the ready mask (POLLIN as READABLE; POLLOUT, POLLERR and POLLHUP
/// as WRITABLE, as the reference maps them), 0 on timeout, or the errno.
/// A wait longer than i32::MAX ms is clamped instead of truncated.
pub fn wait(fd: i32, mask: i32, ms: i64) -> sys::SysResult<i32> {
    let mut pfd = poll::PollFd { fd, events: 0, revents: 0 };
    if mask & AE_READABLE != 0 {
        pfd.events |= libc::POLLIN;
    }
    if mask & AE_WRITABLE != 0 {
        pfd.events |= libc::POLLOUT;
    }
    let timeout = if ms < 0 { -1 } else { ms.min(i32::MAX as i64) as i32 };
    let n = poll::poll(core::slice::from_mut(&mut pfd), timeout)?;
    if n != 1 {
        return Ok(n as i32);
    }
    let mut ret = 0;
    if pfd.revents & libc::POLLIN != 0 {
        ret |= AE_READABLE;
    }
    if pfd.revents & (libc::POLLOUT | libc::POLLERR | libc::POLLHUP) != 0 {
        ret |= AE_WRITABLE;
    }
    Ok(ret)
}
