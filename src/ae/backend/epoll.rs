//! epoll(7): one kernel call per interest change, level-triggered.

use crate::abi::ae::{AE_READABLE, AE_WRITABLE, aeFiredEvent};
use crate::sys::{self, SysResult, epoll};

use super::Interest;

pub struct Epoll {
    epfd: i32,
    events: Vec<epoll::Event>,
}

fn kernel_events(mask: Interest) -> u32 {
    let mut ev = 0;
    if mask & AE_READABLE != 0 {
        ev |= libc::EPOLLIN as u32;
    }
    if mask & AE_WRITABLE != 0 {
        ev |= libc::EPOLLOUT as u32;
    }
    ev
}

/// Error and hang-up wake both directions, so a read-only registration sees
/// the EOF instead of spinning (the reference maps them to WRITABLE only).
fn ae_mask(events: u32) -> i32 {
    let mut mask = 0;
    if events & libc::EPOLLIN as u32 != 0 {
        mask |= AE_READABLE;
    }
    if events & libc::EPOLLOUT as u32 != 0 {
        mask |= AE_WRITABLE;
    }
    if events & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0 {
        mask |= AE_READABLE | AE_WRITABLE;
    }
    mask
}

impl Epoll {
    pub fn new(setsize: usize) -> SysResult<Epoll> {
        let mut events = Vec::new();
        events.try_reserve_exact(setsize).map_err(|_| sys::Errno(libc::ENOMEM))?;
        events.resize(setsize, epoll::Event { events: 0, u64: 0 });
        let epfd = epoll::create_cloexec()?;
        Ok(Epoll { epfd, events })
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        let op = if old == 0 { libc::EPOLL_CTL_ADD } else { libc::EPOLL_CTL_MOD };
        epoll::ctl(self.epfd, op, fd, kernel_events(old | add))
    }

    pub fn del(&mut self, fd: i32, old: Interest, del: Interest) {
        let left = old & !del;
        let op = if left == 0 { libc::EPOLL_CTL_DEL } else { libc::EPOLL_CTL_MOD };
        let _ = epoll::ctl(self.epfd, op, fd, kernel_events(left));
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        if setsize > self.events.len() {
            self.events
                .try_reserve_exact(setsize - self.events.len())
                .map_err(|_| sys::Errno(libc::ENOMEM))?;
        }
        self.events.resize(setsize, epoll::Event { events: 0, u64: 0 });
        self.events.shrink_to(setsize);
        Ok(())
    }

    pub fn poll(&mut self, timeout_ms: i32, fired: &mut [aeFiredEvent]) -> usize {
        let room = self.events.len().min(fired.len());
        let n = epoll::wait(self.epfd, &mut self.events[..room], timeout_ms).unwrap_or(0);
        for (slot, ev) in fired.iter_mut().zip(&self.events[..n]) {
            let (bits, data) = (ev.events, ev.u64);
            *slot = aeFiredEvent { fd: data as u32 as i32, mask: ae_mask(bits) };
        }
        n
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        let _ = sys::fd::close(self.epfd);
    }
}
