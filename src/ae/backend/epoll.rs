//! epoll(7), level-triggered, with interest changes applied lazily.
//!
//! - A new registration reaches the kernel at once, so aeCreateFileEvent
//!   reports EPERM, EBADF and EEXIST as the reference does; so does the
//!   removal of an fd's last direction, since the caller may close it next.
//! - Other changes are recorded and applied right before the next wait, so
//!   changes that cancel out within one iteration cost nothing.
//! - A disarmed WRITABLE may stay in the kernel, for fds where that has paid
//!   (see `KeepWritable`): Redis arms WRITABLE for every reply and disarms
//!   it after writing; when the next reply comes before the kernel is asked
//!   again, neither costs a syscall.
//! - What a wait reports is masked down to what ae wanted when the wait
//!   began, so a handler runs exactly when the reference's would, and a
//!   wait that saw only unwanted reports goes on waiting.

use crate::abi::ae_common::aeFiredEvent;
use crate::sys::{Errno, SysResult, epoll};

use super::keep_writable::KeepWritable;
use crate::ae::interest::Interest;

/// Per-fd flags.
const DIRTY: u8 = 1;
/// A kept WRITABLE is removed at the next flush unless re-armed first.
const REMOVE_WRITABLE: u8 = 2;
/// A kept WRITABLE was reported unwanted once, by a wait that reported
/// wanted events too (so it cost no wake-up).
const REPORTED_ONCE: u8 = 4;

pub struct Epoll {
    epfd: std::os::fd::OwnedFd,
    events: Vec<epoll::Event>,
    /// What the kernel watches for each fd (NONE: not in the epoll set).
    kernel: Vec<Interest>,
    /// What ae wants for each fd now.
    want: Vec<Interest>,
    /// What ae wanted when the last wait began: reports are masked by it.
    at_wait: Vec<Interest>,
    flags: Vec<u8>,
    /// fds with DIRTY set, each listed once.
    dirty: Vec<i32>,
    /// How many fds have a WRITABLE in the kernel that ae did not want when
    /// the wait began; while there are none, reports need no masking.
    kept: usize,
    keep: KeepWritable,
}

fn kernel_events(i: Interest) -> u32 {
    let mut ev = 0;
    if i.readable() {
        ev |= libc::EPOLLIN as u32;
    }
    if i.writable() {
        ev |= libc::EPOLLOUT as u32;
    }
    ev
}

/// Error and hang-up wake both directions, so a read-only registration sees
/// the EOF instead of spinning (as Redis 6.0+; earlier: WRITABLE only).
fn reported(events: u32) -> Interest {
    let mut i = Interest::NONE;
    if events & libc::EPOLLIN as u32 != 0 {
        i = i | Interest::READABLE;
    }
    if events & libc::EPOLLOUT as u32 != 0 {
        i = i | Interest::WRITABLE;
    }
    if events & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0 {
        i = Interest::BOTH;
    }
    i
}

fn resize_slots<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> SysResult<()> {
    if len > v.len() {
        v.try_reserve_exact(len - v.len()).map_err(|_| Errno(libc::ENOMEM))?;
    }
    v.resize(len, T::default());
    v.shrink_to(len);
    Ok(())
}

impl Epoll {
    pub fn new(setsize: usize) -> SysResult<Epoll> {
        let mut epoll = Epoll {
            epfd: epoll::create_cloexec()?,
            events: Vec::new(),
            kernel: Vec::new(),
            want: Vec::new(),
            at_wait: Vec::new(),
            flags: Vec::new(),
            dirty: Vec::new(),
            kept: 0,
            keep: KeepWritable::new(),
        };
        epoll.resize(setsize)?;
        Ok(epoll)
    }

    fn epfd(&self) -> i32 {
        std::os::fd::AsRawFd::as_raw_fd(&self.epfd)
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        usize::try_from(fd).ok().filter(|&i| i < self.kernel.len())
    }

    fn is_kept(&self, i: usize) -> bool {
        self.kernel[i].writable() && !self.at_wait[i].writable()
    }

    /// Records the kernel's interest and the wanted one for fd slot `i`.
    fn set(&mut self, i: usize, kernel: Interest, at_wait: Interest) {
        let was = self.is_kept(i);
        self.kernel[i] = kernel;
        self.at_wait[i] = at_wait;
        match (was, self.is_kept(i)) {
            (false, true) => self.kept += 1,
            (true, false) => self.kept -= 1,
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
        let Some(i) = self.slot(fd) else { return Err(Errno(libc::ERANGE)) };
        let new = old | add;
        if self.kernel[i].is_empty() {
            epoll::ctl(self.epfd(), libc::EPOLL_CTL_ADD, fd, kernel_events(new))?;
            self.set(i, new, new);
            self.flags[i] &= DIRTY;
            self.keep.forget(i);
        } else {
            self.mark(i, fd, 0);
        }
        self.want[i] = new;
        Ok(())
    }

    pub fn remove(&mut self, fd: i32, _old: Interest, del: Interest) {
        let Some(i) = self.slot(fd) else { return };
        let left = self.want[i] & !del;
        self.want[i] = left;
        if !left.is_empty() {
            self.mark(i, fd, 0);
            return;
        }
        if !self.kernel[i].is_empty() {
            let _ = epoll::ctl(self.epfd(), libc::EPOLL_CTL_DEL, fd, 0);
        }
        self.set(i, Interest::NONE, Interest::NONE);
    }

    /// Applies the recorded changes: at most one epoll_ctl per fd whose
    /// kernel interest must change, none for changes that cancelled out.
    fn flush(&mut self) {
        for k in 0..self.dirty.len() {
            let fd = self.dirty[k];
            let Some(i) = self.slot(fd) else { continue };
            let flags = std::mem::take(&mut self.flags[i]);
            let (want, kernel) = (self.want[i], self.kernel[i]);
            if want.is_empty() || kernel.is_empty() {
                continue;
            }
            let keep_writable = if want.writable() || !kernel.writable() {
                if self.is_kept(i) && want.writable() {
                    self.keep.hit(i);
                }
                false
            } else if flags & REMOVE_WRITABLE != 0 {
                self.keep.miss(i);
                false
            } else {
                self.is_kept(i) || self.keep.on_disarm(i)
            };
            let target = if keep_writable { want | Interest::WRITABLE } else { want };
            if target != kernel {
                self.apply(fd, target);
            }
            self.set(i, target, want);
        }
        self.dirty.clear();
    }

    /// A MOD the kernel no longer knows (the fd was closed and its number
    /// reused without a delete) becomes an ADD, so the new file is watched.
    fn apply(&self, fd: i32, target: Interest) {
        let events = kernel_events(target);
        if let Err(e) = epoll::ctl(self.epfd(), libc::EPOLL_CTL_MOD, fd, events) {
            if e.0 == libc::ENOENT {
                let _ = epoll::ctl(self.epfd(), libc::EPOLL_CTL_ADD, fd, events);
            }
        }
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        // Slots past a smaller size hold nothing (maxfd < setsize), so the
        // kept count is unaffected.
        resize_slots(&mut self.kernel, setsize)?;
        resize_slots(&mut self.want, setsize)?;
        resize_slots(&mut self.at_wait, setsize)?;
        resize_slots(&mut self.flags, setsize)?;
        self.keep.resize(setsize)?;
        if setsize > self.events.len() {
            self.events.try_reserve_exact(setsize - self.events.len()).map_err(|_| Errno(libc::ENOMEM))?;
        }
        self.events.resize(setsize, epoll::Event { events: 0, u64: 0 });
        self.events.shrink_to(setsize);
        self.dirty.retain(|&fd| (fd as usize) < setsize);
        Ok(())
    }

    pub fn wait(&mut self, timeout: &dyn Fn() -> i32, fired: &mut [aeFiredEvent]) -> SysResult<usize> {
        self.flush();
        let timeout_ms = timeout();
        let n = self.wait_once(timeout_ms, fired.len())?;
        if self.kept == 0 {
            // The kernel watches exactly what ae wanted: report as is.
            for (slot, ev) in fired.iter_mut().zip(&self.events[..n]) {
                let (bits, data) = (ev.events, ev.u64);
                *slot = aeFiredEvent { fd: data as u32 as i32, mask: reported(bits).mask() };
            }
            return Ok(n);
        }
        let out = self.mask_reports(n, fired);
        if out > 0 || n == 0 || timeout_ms == 0 {
            return Ok(out);
        }
        // Only kept WRITABLEs were reported, and the reference would still be
        // waiting: remove them and wait out the rest, once (a second such
        // report, from a file closed without a delete but still open
        // elsewhere, returns to the caller rather than spin here).
        let rest = timeout();
        if rest == 0 {
            return Ok(0);
        }
        self.flush();
        let n = self.wait_once(rest, fired.len())?;
        Ok(self.mask_reports(n, fired))
    }

    /// One epoll_wait; EINTR is a wait that saw nothing.
    fn wait_once(&mut self, timeout_ms: i32, room: usize) -> SysResult<usize> {
        let room = self.events.len().min(room);
        match epoll::wait(self.epfd(), &mut self.events[..room], timeout_ms) {
            Err(e) if e.0 == libc::EINTR => Ok(0),
            r => r,
        }
    }

    /// Copies the reports of the last wait into `fired`, masked by what ae
    /// wanted when it began.
    fn mask_reports(&mut self, n: usize, fired: &mut [aeFiredEvent]) -> usize {
        let mut out = 0;
        let mut unwanted = false;
        for k in 0..n {
            let (bits, data) = (self.events[k].events, self.events[k].u64);
            let fd = data as u32 as i32;
            let Some(i) = self.slot(fd) else { continue };
            let wanted = self.at_wait[i];
            unwanted |= bits & libc::EPOLLOUT as u32 != 0 && !wanted.writable();
            let mask = reported(bits) & wanted;
            if !mask.is_empty() {
                if let Some(slot) = fired.get_mut(out) {
                    *slot = aeFiredEvent { fd, mask: mask.mask() };
                    out += 1;
                }
            }
        }
        if unwanted {
            self.note_unwanted(n, out == 0);
        }
        out
    }

    /// A kept WRITABLE reported while ae did not want it is removed before
    /// the next wait if it alone ended this one (a wake-up for nothing) or
    /// was reported so before: it then costs what the reference pays, one
    /// epoll_ctl, plus a report. Once, among wanted reports, it is left.
    fn note_unwanted(&mut self, n: usize, woke_for_nothing: bool) {
        for k in 0..n {
            let (bits, data) = (self.events[k].events, self.events[k].u64);
            let fd = data as u32 as i32;
            let Some(i) = self.slot(fd) else { continue };
            if bits & libc::EPOLLOUT as u32 == 0 || self.at_wait[i].writable() {
                continue;
            }
            if woke_for_nothing || self.flags[i] & REPORTED_ONCE != 0 {
                self.mark(i, fd, REMOVE_WRITABLE);
            } else {
                self.flags[i] |= REPORTED_ONCE;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangup_wakes_both_directions() {
        assert_eq!(reported(libc::EPOLLHUP as u32), Interest::BOTH);
        assert_eq!(reported(libc::EPOLLIN as u32), Interest::READABLE);
        assert_eq!(reported((libc::EPOLLIN | libc::EPOLLOUT) as u32), Interest::BOTH);
    }
}
