//! epoll(7), level-triggered, with interest changes applied lazily.
//!
//! - A new registration reaches the kernel at once, so aeCreateFileEvent
//!   reports EPERM, EBADF and EEXIST as the reference does; so does the
//!   removal of an fd's last direction, since the caller may close it next.
//! - Other changes are recorded and applied right before the next wait, so
//!   an interest armed and disarmed within one iteration costs nothing.
//! - A disarmed WRITABLE stays in the kernel until the kernel reports the fd
//!   writable while ae does not want it; only then is it removed. Redis 3.0
//!   arms WRITABLE for every reply and disarms it after writing: under load
//!   the next reply re-arms it before that happens, and no syscall is made.
//! - What a wait reports is masked down to what ae wanted when the wait
//!   began, so a handler runs exactly when the reference's would.

use crate::abi::ae::{AE_READABLE, AE_WRITABLE, aeFiredEvent};
use crate::sys::{self, SysResult, epoll};

use super::Interest;

const R: u8 = AE_READABLE as u8;
const W: u8 = AE_WRITABLE as u8;
const RW: u8 = R | W;
/// Per-fd flags.
const DIRTY: u8 = 1;
const DROP_WRITABLE: u8 = 2;

pub struct Epoll {
    epfd: i32,
    events: Vec<epoll::Event>,
    /// What the kernel watches for each fd (0: not in the epoll set).
    kernel: Vec<u8>,
    /// What ae wants for each fd now.
    want: Vec<u8>,
    /// What ae wanted when the last wait began: reports are masked by it.
    at_wait: Vec<u8>,
    flags: Vec<u8>,
    /// fds with DIRTY set, each listed once.
    dirty: Vec<i32>,
    /// How many fds have a WRITABLE in the kernel that ae did not want when
    /// the wait began; while there are none, reports need no masking.
    lazy: usize,
}

fn kernel_events(mask: u8) -> u32 {
    let mut ev = 0;
    if mask & R != 0 {
        ev |= libc::EPOLLIN as u32;
    }
    if mask & W != 0 {
        ev |= libc::EPOLLOUT as u32;
    }
    ev
}

/// Error and hang-up wake both directions, so a read-only registration sees
/// the EOF instead of spinning (the reference maps them to WRITABLE only).
fn ae_mask(events: u32) -> u8 {
    let mut mask = 0;
    if events & libc::EPOLLIN as u32 != 0 {
        mask |= R;
    }
    if events & libc::EPOLLOUT as u32 != 0 {
        mask |= W;
    }
    if events & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0 {
        mask |= RW;
    }
    mask
}

fn grow(v: &mut Vec<u8>, len: usize) -> SysResult<()> {
    if len > v.len() {
        v.try_reserve_exact(len - v.len()).map_err(|_| sys::Errno(libc::ENOMEM))?;
    }
    v.resize(len, 0);
    Ok(())
}

impl Epoll {
    pub fn new(setsize: usize) -> SysResult<Epoll> {
        let mut epoll = Epoll {
            epfd: -1,
            events: Vec::new(),
            kernel: Vec::new(),
            want: Vec::new(),
            at_wait: Vec::new(),
            flags: Vec::new(),
            dirty: Vec::new(),
            lazy: 0,
        };
        epoll.resize(setsize)?;
        epoll.epfd = epoll::create_cloexec()?;
        Ok(epoll)
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        usize::try_from(fd).ok().filter(|&i| i < self.kernel.len())
    }

    fn is_lazy(&self, i: usize) -> bool {
        self.kernel[i] & W != 0 && self.at_wait[i] & W == 0
    }

    /// Records the kernel's interest and the wanted one for fd slot `i`.
    fn set(&mut self, i: usize, kernel: u8, at_wait: u8) {
        let was = self.is_lazy(i);
        self.kernel[i] = kernel;
        self.at_wait[i] = at_wait;
        match (was, self.is_lazy(i)) {
            (false, true) => self.lazy += 1,
            (true, false) => self.lazy -= 1,
            _ => {}
        }
    }

    fn mark(&mut self, i: usize, fd: i32, flag: u8) {
        if self.flags[i] & DIRTY == 0 {
            self.dirty.push(fd);
        }
        self.flags[i] |= DIRTY | flag;
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        let Some(i) = self.slot(fd) else { return Err(sys::Errno(libc::ERANGE)) };
        let new = (old | add) as u8 & RW;
        if self.kernel[i] == 0 {
            epoll::ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, kernel_events(new))?;
            self.set(i, new, new);
        } else {
            self.mark(i, fd, 0);
        }
        self.want[i] = new;
        Ok(())
    }

    pub fn del(&mut self, fd: i32, _old: Interest, del: Interest) {
        let Some(i) = self.slot(fd) else { return };
        let left = self.want[i] & !(del as u8);
        self.want[i] = left;
        if left != 0 {
            self.mark(i, fd, 0);
            return;
        }
        if self.kernel[i] != 0 {
            let _ = epoll::ctl(self.epfd, libc::EPOLL_CTL_DEL, fd, 0);
        }
        self.set(i, 0, 0);
    }

    /// Applies the recorded changes: at most one epoll_ctl per fd whose
    /// kernel interest must change, none for changes that cancelled out.
    fn flush(&mut self) {
        for k in 0..self.dirty.len() {
            let fd = self.dirty[k];
            let Some(i) = self.slot(fd) else { continue };
            let want = self.want[i];
            let keep = if self.flags[i] & DROP_WRITABLE != 0 { 0 } else { self.kernel[i] & W };
            self.flags[i] = 0;
            let mut kernel = self.kernel[i];
            if want != 0 && kernel != 0 && kernel != want | keep {
                self.apply(fd, want | keep);
                kernel = want | keep;
            }
            self.set(i, kernel, want);
        }
        self.dirty.clear();
    }

    /// A MOD the kernel no longer knows (the fd was closed and its number
    /// reused without a delete) becomes an ADD, so the new file is watched.
    fn apply(&self, fd: i32, target: u8) {
        let events = kernel_events(target);
        if let Err(e) = epoll::ctl(self.epfd, libc::EPOLL_CTL_MOD, fd, events) {
            if e.0 == libc::ENOENT {
                let _ = epoll::ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, events);
            }
        }
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        // Slots past a smaller size hold nothing (maxfd < setsize), so the
        // lazy count is unaffected.
        for v in [&mut self.kernel, &mut self.want, &mut self.at_wait, &mut self.flags] {
            grow(v, setsize)?;
            v.shrink_to(setsize);
        }
        if setsize > self.events.len() {
            self.events.try_reserve_exact(setsize - self.events.len()).map_err(|_| sys::Errno(libc::ENOMEM))?;
        }
        self.events.resize(setsize, epoll::Event { events: 0, u64: 0 });
        self.events.shrink_to(setsize);
        self.dirty.retain(|&fd| (fd as usize) < setsize);
        Ok(())
    }

    pub fn poll(&mut self, timeout_ms: i32, fired: &mut [aeFiredEvent]) -> usize {
        self.flush();
        let room = self.events.len().min(fired.len());
        let n = epoll::wait(self.epfd, &mut self.events[..room], timeout_ms).unwrap_or(0);
        if self.lazy == 0 {
            // The kernel watches exactly what ae wanted: report as is.
            for (slot, ev) in fired.iter_mut().zip(&self.events[..n]) {
                let (bits, data) = (ev.events, ev.u64);
                *slot = aeFiredEvent { fd: data as u32 as i32, mask: ae_mask(bits) as i32 };
            }
            return n;
        }
        let mut out = 0;
        let mut lazy_writable = false;
        for ev in &self.events[..n] {
            let (bits, data) = (ev.events, ev.u64);
            let fd = data as u32 as i32;
            let Some(&wanted) = self.at_wait.get(fd as usize) else { continue };
            let mask = ae_mask(bits) & wanted;
            lazy_writable |= bits & libc::EPOLLOUT as u32 != 0 && wanted & W == 0;
            if mask != 0 {
                if let Some(slot) = fired.get_mut(out) {
                    *slot = aeFiredEvent { fd, mask: mask as i32 };
                    out += 1;
                }
            }
        }
        if lazy_writable {
            self.drop_reported_writables(n);
        }
        out
    }

    /// A WRITABLE kept lazily was reported while ae does not want it: it
    /// now costs wake-ups, so the next flush removes it.
    fn drop_reported_writables(&mut self, n: usize) {
        for k in 0..n {
            let (bits, data) = (self.events[k].events, self.events[k].u64);
            let fd = data as u32 as i32;
            if let Some(i) = self.slot(fd) {
                if bits & libc::EPOLLOUT as u32 != 0 && self.at_wait[i] & W == 0 {
                    self.mark(i, fd, DROP_WRITABLE);
                }
            }
        }
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        let _ = sys::fd::close(self.epfd);
    }
}
