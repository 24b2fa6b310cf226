//! epoll(7), level-triggered. A new registration reaches the kernel at
//! once (so EPERM, EBADF and EEXIST are reported by aeCreateFileEvent as in
//! the reference); later changes to an fd the kernel already watches are
//! recorded and applied right before the next wait, so an interest armed
//! and disarmed (or the reverse) within one iteration costs no syscall.

use crate::abi::ae::{AE_READABLE, AE_WRITABLE, aeFiredEvent};
use crate::sys::{self, SysResult, epoll};

use super::Interest;

pub struct Epoll {
    epfd: i32,
    events: Vec<epoll::Event>,
    /// What the kernel watches for each fd (0: not in the epoll set).
    kernel: Vec<u8>,
    /// What ae wants for each fd, once it differs from `kernel`.
    wanted: Vec<u8>,
    /// fds whose `wanted` may differ from `kernel`, each listed once.
    dirty: Vec<i32>,
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

const PENDING: u8 = 0x80;
const RW: u8 = (AE_READABLE | AE_WRITABLE) as u8;

impl Epoll {
    pub fn new(setsize: usize) -> SysResult<Epoll> {
        let mut epoll =
            Epoll { epfd: -1, events: Vec::new(), kernel: Vec::new(), wanted: Vec::new(), dirty: Vec::new() };
        epoll.resize(setsize)?;
        epoll.epfd = epoll::create_cloexec()?;
        Ok(epoll)
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        usize::try_from(fd).ok().filter(|&i| i < self.kernel.len())
    }

    /// Records that ae wants `mask` for `fd`; applied by `flush`.
    fn want(&mut self, i: usize, fd: i32, mask: Interest) {
        let pending = self.wanted[i] & PENDING;
        self.wanted[i] = (mask as u8 & RW) | PENDING;
        if pending == 0 {
            self.dirty.push(fd);
        }
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        let Some(i) = self.slot(fd) else { return Err(sys::Errno(libc::ERANGE)) };
        let new = (old | add) as u8 & RW;
        if old != 0 && self.kernel[i] != 0 {
            self.want(i, fd, new as Interest);
            return Ok(());
        }
        // First registration: tell the kernel now, so its refusal is the
        // caller's AE_ERR and errno.
        epoll::ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, kernel_events(new as Interest))?;
        self.kernel[i] = new;
        if self.wanted[i] & PENDING != 0 {
            self.wanted[i] = new | PENDING;
        }
        Ok(())
    }

    pub fn del(&mut self, fd: i32, _old: Interest, del: Interest) {
        let Some(i) = self.slot(fd) else { return };
        let current = if self.wanted[i] & PENDING != 0 { self.wanted[i] & RW } else { self.kernel[i] };
        let left = current & !(del as u8);
        if left == 0 {
            // Removal is immediate: the caller may close the fd next, and a
            // closed fd cannot be removed from the set any more.
            if self.kernel[i] != 0 {
                let _ = epoll::ctl(self.epfd, libc::EPOLL_CTL_DEL, fd, 0);
                self.kernel[i] = 0;
            }
            if self.wanted[i] & PENDING != 0 {
                self.wanted[i] = PENDING;
            }
            return;
        }
        self.want(i, fd, left as Interest);
    }

    /// Applies the recorded interest changes: one epoll_ctl per fd whose
    /// wanted interest differs from the kernel's, none for changes that
    /// cancelled out.
    fn flush(&mut self) {
        for k in 0..self.dirty.len() {
            let fd = self.dirty[k];
            let Some(i) = self.slot(fd) else { continue };
            let want = self.wanted[i] & RW;
            self.wanted[i] = 0;
            if self.kernel[i] != want {
                self.apply(fd, i, want);
            }
        }
        self.dirty.clear();
    }

    /// Brings the kernel's interest for `fd` to `want`. A MOD the kernel
    /// no longer knows (the fd was closed and its number reused without a
    /// delete) becomes an ADD, so the new file is watched; other errors are
    /// ignored, as the reference ignores them on delete.
    fn apply(&mut self, fd: i32, i: usize, want: u8) {
        let events = kernel_events(want as Interest);
        let result = match (self.kernel[i], want) {
            (_, 0) => epoll::ctl(self.epfd, libc::EPOLL_CTL_DEL, fd, 0),
            (0, _) => epoll::ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, events),
            _ => epoll::ctl(self.epfd, libc::EPOLL_CTL_MOD, fd, events),
        };
        if let Err(e) = result {
            if e.0 == libc::ENOENT && want != 0 {
                let _ = epoll::ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, events);
            }
        }
        self.kernel[i] = want;
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        for v in [&mut self.kernel, &mut self.wanted] {
            if setsize > v.len() {
                v.try_reserve_exact(setsize - v.len()).map_err(|_| sys::Errno(libc::ENOMEM))?;
            }
        }
        if setsize > self.events.len() {
            self.events.try_reserve_exact(setsize - self.events.len()).map_err(|_| sys::Errno(libc::ENOMEM))?;
        }
        self.dirty.retain(|&fd| (fd as usize) < setsize);
        self.kernel.resize(setsize, 0);
        self.wanted.resize(setsize, 0);
        self.events.resize(setsize, epoll::Event { events: 0, u64: 0 });
        self.events.shrink_to(setsize);
        Ok(())
    }

    pub fn poll(&mut self, timeout_ms: i32, fired: &mut [aeFiredEvent]) -> usize {
        self.flush();
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
