//! epoll(7), level-triggered, with interest changes applied lazily.
//!
//! - A new registration reaches the kernel at once, so aeCreateFileEvent
//!   reports EPERM, EBADF and EEXIST as the reference does; so does the
//!   removal of an fd's last direction, since the caller may close it next.
//! - Other changes are recorded and applied right before the next wait, so
//!   changes that cancel out within one iteration cost nothing.
//! - A disarmed WRITABLE may stay in the kernel, for fds where that has paid
//!   (see `KeepWritable`): Redis 3.0 arms WRITABLE for every reply and
//!   disarms it after writing; when the next reply comes before the kernel
//!   is asked again, neither costs a syscall.
//! - What a wait reports is masked down to what ae wanted when the wait
//!   began, so a handler runs exactly when the reference's would, and a
//!   wait that saw only unwanted reports goes on waiting.

use std::sync::OnceLock;

use crate::abi::ae::{AE_READABLE, AE_WRITABLE, aeFiredEvent};
use crate::sys::{self, SysResult, epoll};

use super::Interest;

const R: u8 = AE_READABLE as u8;
const W: u8 = AE_WRITABLE as u8;
const RW: u8 = R | W;
/// Per-fd flags.
const DIRTY: u8 = 1;
/// A kept WRITABLE is removed at the next flush unless re-armed first.
const REMOVE_WRITABLE: u8 = 2;
/// A kept WRITABLE was reported unwanted once, by a wait that reported
/// wanted events too (so it cost no wake-up).
const REPORTED_ONCE: u8 = 4;

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
    kept: usize,
    keep: KeepWritable,
}

/// Per fd, whether keeping a disarmed WRITABLE in the kernel pays. A re-arm
/// that finds it still there saves two epoll_ctl (a hit). Removing it after
/// the kernel reported it unwanted costs the removal anyway, plus reports
/// and often a wake-up of its own (a miss). An fd keeps while it has credit;
/// one without is disarmed at once, and tried again every `PROBE_EVERY`
/// disarms.
struct KeepWritable {
    enabled: bool,
    /// Low nibble: credit; high nibble: disarms since the credit ran out.
    state: Vec<u8>,
}

const CREDIT: u8 = 0x0f;
const HIT_GAIN: u8 = 2;
const MISS_LOSS: u8 = 1;
const PROBE_EVERY: u8 = 8;

impl KeepWritable {
    /// On unless the environment says AENET_KEEP_WRITABLE=0, read once per
    /// process: then every disarm reaches the kernel before the next wait.
    fn new() -> KeepWritable {
        static ENABLED: OnceLock<bool> = OnceLock::new();
        let enabled = *ENABLED.get_or_init(|| std::env::var_os("AENET_KEEP_WRITABLE").is_none_or(|v| v != "0"));
        KeepWritable { enabled, state: Vec::new() }
    }

    fn on_disarm(&mut self, i: usize) -> bool {
        if !self.enabled {
            return false;
        }
        let s = self.state[i];
        if s & CREDIT != 0 {
            return true;
        }
        let cold = (s >> 4) + 1;
        self.state[i] = if cold >= PROBE_EVERY { 0 } else { cold << 4 };
        cold >= PROBE_EVERY
    }

    fn hit(&mut self, i: usize) {
        self.state[i] = (self.state[i] & CREDIT).saturating_add(HIT_GAIN).min(CREDIT);
    }

    fn miss(&mut self, i: usize) {
        self.state[i] = (self.state[i] & CREDIT).saturating_sub(MISS_LOSS);
    }

    fn forget(&mut self, i: usize) {
        self.state[i] = 0;
    }
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

fn resize_slots(v: &mut Vec<u8>, len: usize) -> SysResult<()> {
    if len > v.len() {
        v.try_reserve_exact(len - v.len()).map_err(|_| sys::Errno(libc::ENOMEM))?;
    }
    v.resize(len, 0);
    v.shrink_to(len);
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
            kept: 0,
            keep: KeepWritable::new(),
        };
        epoll.resize(setsize)?;
        epoll.epfd = epoll::create_cloexec()?;
        Ok(epoll)
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        usize::try_from(fd).ok().filter(|&i| i < self.kernel.len())
    }

    fn is_kept(&self, i: usize) -> bool {
        self.kernel[i] & W != 0 && self.at_wait[i] & W == 0
    }

    /// Records the kernel's interest and the wanted one for fd slot `i`.
    fn set(&mut self, i: usize, kernel: u8, at_wait: u8) {
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
        let Some(i) = self.slot(fd) else { return Err(sys::Errno(libc::ERANGE)) };
        let new = (old | add) as u8 & RW;
        if self.kernel[i] == 0 {
            epoll::ctl(self.epfd, libc::EPOLL_CTL_ADD, fd, kernel_events(new))?;
            self.set(i, new, new);
            self.flags[i] &= DIRTY;
            self.keep.forget(i);
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
            let flags = std::mem::take(&mut self.flags[i]);
            let (want, kernel) = (self.want[i], self.kernel[i]);
            if want == 0 || kernel == 0 {
                continue;
            }
            let keep_writable = if want & W != 0 || kernel & W == 0 {
                if self.is_kept(i) && want & W != 0 {
                    self.keep.hit(i);
                }
                0
            } else if flags & REMOVE_WRITABLE != 0 {
                self.keep.miss(i);
                0
            } else if self.is_kept(i) || self.keep.on_disarm(i) {
                W
            } else {
                0
            };
            let target = want | keep_writable;
            if target != kernel {
                self.apply(fd, target);
            }
            self.set(i, target, want);
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
        // kept count is unaffected.
        for v in [&mut self.kernel, &mut self.want, &mut self.at_wait, &mut self.flags, &mut self.keep.state] {
            resize_slots(v, setsize)?;
        }
        if setsize > self.events.len() {
            self.events.try_reserve_exact(setsize - self.events.len()).map_err(|_| sys::Errno(libc::ENOMEM))?;
        }
        self.events.resize(setsize, epoll::Event { events: 0, u64: 0 });
        self.events.shrink_to(setsize);
        self.dirty.retain(|&fd| (fd as usize) < setsize);
        Ok(())
    }

    pub fn poll(&mut self, timeout: impl Fn() -> i32, fired: &mut [aeFiredEvent]) -> usize {
        self.flush();
        let timeout_ms = timeout();
        let n = self.wait(timeout_ms, fired.len());
        if self.kept == 0 {
            // The kernel watches exactly what ae wanted: report as is.
            for (slot, ev) in fired.iter_mut().zip(&self.events[..n]) {
                let (bits, data) = (ev.events, ev.u64);
                *slot = aeFiredEvent { fd: data as u32 as i32, mask: ae_mask(bits) as i32 };
            }
            return n;
        }
        let out = self.mask_reports(n, fired);
        if out > 0 || n == 0 || timeout_ms == 0 {
            return out;
        }
        // Only kept WRITABLEs were reported, and the reference would still be
        // waiting: remove them and wait out the rest, once (a second such
        // report, from a file closed without a delete but still open
        // elsewhere, returns to the caller rather than spin here).
        let rest = timeout();
        if rest == 0 {
            return 0;
        }
        self.flush();
        let n = self.wait(rest, fired.len());
        self.mask_reports(n, fired)
    }

    fn wait(&mut self, timeout_ms: i32, room: usize) -> usize {
        let room = self.events.len().min(room);
        epoll::wait(self.epfd, &mut self.events[..room], timeout_ms).unwrap_or(0)
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
            unwanted |= bits & libc::EPOLLOUT as u32 != 0 && wanted & W == 0;
            let mask = ae_mask(bits) & wanted;
            if mask != 0 {
                if let Some(slot) = fired.get_mut(out) {
                    *slot = aeFiredEvent { fd, mask: mask as i32 };
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
            if bits & libc::EPOLLOUT as u32 == 0 || self.at_wait[i] & W != 0 {
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

impl Drop for Epoll {
    fn drop(&mut self) {
        let _ = sys::fd::close(self.epfd);
    }
}
