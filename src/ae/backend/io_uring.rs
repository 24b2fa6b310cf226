//! io_uring(7): one-shot poll requests for the interest set, and one
//! io_uring_enter per loop iteration that submits the iteration's interest
//! changes and waits.
//!
//! - Each fd ae watches has at most one poll request in the kernel, for
//!   the directions ae wanted when it was submitted. A poll completes once;
//!   it is submitted again (re-armed) before the next wait while ae still
//!   wants the fd, and a re-armed poll on a ready fd completes inside that
//!   same call, so readiness is reported at every wait while it lasts, as
//!   level-triggered epoll reports it.
//! - Changes are applied right before the next wait: a direction added to
//!   an fd whose poll is in flight replaces the poll (cancel and add, so
//!   the add finds whatever file the fd number names now); a direction
//!   removed leaves the poll in flight, and what it reports is masked down
//!   to what ae wanted when the wait began, as in the epoll backend; a wait
//!   that saw only unwanted or stale reports goes on waiting.
//! - A poll request holds a reference to its file, so the removal of an
//!   fd's last direction cancels its poll at once (one system call, as
//!   epoll's EPOLL_CTL_DEL): the caller may close the fd next, and the
//!   peer must see the close.
//! - A new registration is checked at once by adding the fd to an epoll
//!   instance kept for that alone, so aeCreateFileEvent reports EPERM and
//!   EBADF as the reference does (io_uring polls regular files and reports
//!   a bad fd only later); the entry is deleted by the next submission.
//! - Only completions posted during a wait are reported: one posted before
//!   it (while the loop ran, or by another call's submission) may describe
//!   an fd drained since, so its poll is submitted again with the wait's.
//! - A poll that finds its fd closed (EBADF) is parked until ae changes
//!   that fd, as epoll forgets a closed fd.
//! - On kernels with a minimum wait (6.12 and later), a wait that found
//!   readiness may go on gathering more for up to AENET_URING_BATCH_US
//!   (50 µs unless set), never past the timeout: as many as the last wait
//!   found (`batch_size`), so a loop that serves one event at a time never
//!   waits. Fewer iterations for the same events, each reported up to
//!   that much later. Set to 0, a wait returns at the first readiness, as
//!   epoll_wait does.
//! - A child forked after the ring was made gets its own ring at its first
//!   use of the loop (the old one is the parent's, memory included).

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::abi::ae_common::aeFiredEvent;
use crate::ae::interest::Interest;

use super::batch_size::BatchSize;
use crate::sys::io_uring::{OP_ASYNC_CANCEL, OP_EPOLL_CTL, OP_POLL_ADD, OP_POLL_REMOVE, Ring, Sqe};
use crate::sys::mutex::StaticMutex;
use crate::sys::{Errno, SysResult, epoll};

/// When the completions being read were posted: those posted before a
/// wait began are re-checked (their polls submitted again), not reported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Posted {
    BeforeWait,
    InWait,
}

/// Per-fd flags.
const DIRTY: u8 = 1;
/// The last poll found the fd closed: nothing is submitted until ae
/// changes the fd's interest.
const PARKED: u8 = 2;
/// The fd's entry in the validation epoll is deleted at the next flush.
const UNVALIDATE: u8 = 4;

/// User data of requests whose completions are not polls (removals,
/// epoll_ctl, cancels): ignored when reaped.
const NOT_POLL: u64 = 1 << 63;
const SEQ_MASK: u32 = 0x7fff_ffff;

const SQ_ENTRIES: u32 = 256;

/// The minimum wait of a batched wait unless AENET_URING_BATCH_US says.
const BATCH_US_DEFAULT: u32 = 50;
/// The longest minimum wait AENET_URING_BATCH_US may ask for.
const BATCH_US_MAX: u32 = 100_000;

/// Waits that saw only stale or unwanted reports before giving up and
/// returning none (the caller simply waits again).
const MAX_EMPTY_ROUNDS: u32 = 4;

fn user_data(fd: i32, seq: u32) -> u64 {
    (u64::from(seq & SEQ_MASK) << 32) | u64::from(fd as u32)
}

fn poll_events(i: Interest) -> u32 {
    let mut ev = 0;
    if i.readable() {
        ev |= libc::POLLIN as u32;
    }
    if i.writable() {
        ev |= libc::POLLOUT as u32;
    }
    ev
}

/// Error and hang-up wake both directions (as the epoll and poll backends).
fn reported(revents: u32) -> Interest {
    let mut i = Interest::NONE;
    if revents & libc::POLLIN as u32 != 0 {
        i = i | Interest::READABLE;
    }
    if revents & libc::POLLOUT as u32 != 0 {
        i = i | Interest::WRITABLE;
    }
    if revents & (libc::POLLERR | libc::POLLHUP) as u32 != 0 {
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

/// What the kernel offers, probed once per process.
#[derive(Clone, Copy)]
struct Ops {
    epoll_ctl: bool,
    cancel: bool,
}

const UNKNOWN: u8 = 0;
const AVAILABLE: u8 = 1;
const UNAVAILABLE: u8 = 2;
static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
static OPS: AtomicU8 = AtomicU8::new(0);

/// True when io_uring can serve a loop here; decided by the first ring
/// this process makes (a probe when no loop made one yet).
pub fn available() -> bool {
    match STATE.load(Ordering::Acquire) {
        AVAILABLE => true,
        UNAVAILABLE => false,
        _ => make_ring(cq_entries_for(0), false).is_ok(),
    }
}

/// Errors that say nothing about the kernel: out of fds or memory now.
fn transient(e: Errno) -> bool {
    matches!(e.0, libc::EMFILE | libc::ENFILE | libc::ENOMEM | libc::EAGAIN | libc::EINTR)
}

/// A ring with the operations the backend needs; records the verdict.
fn make_ring(cq_entries: u32, one_thread: bool) -> SysResult<(Ring, Ops)> {
    let r = Ring::new(SQ_ENTRIES, cq_entries, one_thread).and_then(|ring| {
        if STATE.load(Ordering::Acquire) == AVAILABLE {
            let bits = OPS.load(Ordering::Relaxed);
            return Ok((ring, Ops { epoll_ctl: bits & 1 != 0, cancel: bits & 2 != 0 }));
        }
        let [add, remove, epoll_ctl, cancel] =
            ring.supported([OP_POLL_ADD, OP_POLL_REMOVE, OP_EPOLL_CTL, OP_ASYNC_CANCEL])?;
        if !(add && remove) {
            return Err(Errno(libc::EINVAL));
        }
        OPS.store(u8::from(epoll_ctl) | (u8::from(cancel) << 1), Ordering::Relaxed);
        Ok((ring, Ops { epoll_ctl, cancel }))
    });
    match &r {
        Ok(_) => STATE.store(AVAILABLE, Ordering::Release),
        Err(e) if !transient(*e) => STATE.store(UNAVAILABLE, Ordering::Release),
        Err(_) => {}
    }
    r
}

/// AENET_URING_BATCH_US (read once per process) where `ring`'s kernel
/// takes a minimum wait: how long (µs) a wait that found readiness may go
/// on gathering more (`batch_size`), to serve more events per system call
/// at that cost in latency. 0 (and without the kernel's support): a wait
/// returns at the first readiness, as epoll_wait does.
fn batch_wait_us(ring: &Ring) -> u32 {
    if !ring.has_min_wait() {
        return 0;
    }
    static US: StaticMutex<Option<u32>> = StaticMutex::new(None);
    let from_env = || batch_us_setting(std::env::var("AENET_URING_BATCH_US").ok().as_deref());
    US.with(|u| *u.get_or_insert_with(from_env)).unwrap_or_else(from_env)
}

/// The minimum wait AENET_URING_BATCH_US asks for: unset or not a
/// number, `BATCH_US_DEFAULT`; at most `BATCH_US_MAX`.
fn batch_us_setting(v: Option<&str>) -> u32 {
    v.and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(BATCH_US_DEFAULT).min(BATCH_US_MAX)
}

fn cq_entries_for(setsize: usize) -> u32 {
    (setsize.max(1).next_power_of_two()).clamp(2 * SQ_ENTRIES as usize, 8192) as u32
}

pub struct IoUring {
    ring: Ring,
    ops: Ops,
    /// The epoll instance new registrations are checked against.
    validator: OwnedFd,
    /// What ae wants for each fd now.
    want: Vec<Interest>,
    /// The directions of the fd's poll in flight (NONE: none in flight).
    armed: Vec<Interest>,
    /// What ae wanted when the last wait began: reports are masked by it.
    at_wait: Vec<Interest>,
    /// The sequence number of the fd's latest poll: completions of earlier
    /// ones are stale.
    seq: Vec<u32>,
    flags: Vec<u8>,
    /// fds with DIRTY set, each listed once.
    dirty: Vec<i32>,
    /// The ring serves one thread (see `Ring::new`); after another thread
    /// used the loop, a ring for any thread replaces it.
    one_thread: bool,
    /// The minimum wait of a batched wait (µs; 0: waits are not batched).
    batch_us: u32,
    /// The events the next blocking wait gathers (when batched).
    batch: BatchSize,
}

impl IoUring {
    pub fn new(setsize: usize) -> SysResult<IoUring> {
        let (ring, ops) = make_ring(cq_entries_for(setsize), true)?;
        let batch_us = batch_wait_us(&ring);
        let mut b = IoUring {
            ring,
            ops,
            validator: epoll::create_cloexec()?,
            want: Vec::new(),
            armed: Vec::new(),
            at_wait: Vec::new(),
            seq: Vec::new(),
            flags: Vec::new(),
            dirty: Vec::new(),
            one_thread: true,
            batch_us,
            batch: BatchSize::default(),
        };
        b.resize(setsize)?;
        Ok(b)
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        usize::try_from(fd).ok().filter(|&i| i < self.want.len())
    }

    fn mark(&mut self, i: usize, fd: i32) {
        if self.flags[i] & DIRTY == 0 {
            self.dirty.push(fd);
        }
        self.flags[i] |= DIRTY;
    }

    /// In a child forked since the ring was made: a ring of its own, with
    /// every wanted fd to be polled again.
    fn own_ring(&mut self) -> SysResult<()> {
        if !self.ring.inherited() {
            return Ok(());
        }
        self.new_ring(self.one_thread)
    }

    /// A fresh ring (and validation epoll), every wanted fd to be polled
    /// again; the old ring is closed as it is (its polls end with it).
    fn new_ring(&mut self, one_thread: bool) -> SysResult<()> {
        let (ring, ops) = make_ring(cq_entries_for(self.want.len()), one_thread)?;
        self.one_thread = one_thread;
        let validator = epoll::create_cloexec()?;
        self.batch_us = batch_wait_us(&ring);
        self.ring = ring;
        self.ops = ops;
        self.validator = validator;
        self.dirty.clear();
        for i in 0..self.want.len() {
            self.armed[i] = Interest::NONE;
            self.flags[i] &= PARKED;
            if !self.want[i].is_empty() {
                self.mark(i, i as i32);
            }
        }
        Ok(())
    }

    /// Queues `sqe`, submitting what is queued first when the queue is
    /// full; false if it could not be queued.
    fn queue(&mut self, sqe: Sqe) -> bool {
        self.ring.push(sqe) || (self.ring.enter(0, None).is_ok() && self.ring.push(sqe))
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        self.own_ring()?;
        let Some(i) = self.slot(fd) else { return Err(Errno(libc::ERANGE)) };
        if self.want[i].is_empty() {
            // A new registration: the kernel's verdict now, as epoll_ctl's.
            let vfd = self.validator.as_raw_fd();
            match epoll::ctl(vfd, libc::EPOLL_CTL_ADD, fd, 0) {
                Err(e) if e.0 != libc::EEXIST => return Err(e),
                _ => {}
            }
            if self.ops.epoll_ctl {
                self.flags[i] |= UNVALIDATE;
            } else {
                let _ = epoll::ctl(vfd, libc::EPOLL_CTL_DEL, fd, 0);
            }
        }
        self.want[i] = old | add;
        self.flags[i] &= !PARKED;
        self.mark(i, fd);
        Ok(())
    }

    pub fn remove(&mut self, fd: i32, _old: Interest, del: Interest) {
        if self.own_ring().is_err() {
            return;
        }
        let Some(i) = self.slot(fd) else { return };
        let left = self.want[i] & !del;
        self.want[i] = left;
        self.flags[i] &= !PARKED;
        if !left.is_empty() {
            self.mark(i, fd);
            return;
        }
        if !self.armed[i].is_empty() {
            // The poll holds the file: cancel it before the caller closes.
            let target = user_data(fd, self.seq[i]);
            let sqe = Sqe::poll_remove(target, NOT_POLL).quiet(&self.ring);
            self.armed[i] = Interest::NONE;
            self.seq[i] = self.seq[i].wrapping_add(1);
            if self.queue(sqe) && self.ring.enter(0, None).is_err_and(|e| e.0 == libc::EEXIST) {
                // Another thread's ring: one for any thread, without this poll.
                let _ = self.new_ring(false);
            }
        }
        self.at_wait[i] = Interest::NONE;
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        resize_slots(&mut self.want, setsize)?;
        resize_slots(&mut self.armed, setsize)?;
        resize_slots(&mut self.at_wait, setsize)?;
        resize_slots(&mut self.seq, setsize)?;
        resize_slots(&mut self.flags, setsize)?;
        self.dirty.retain(|&fd| (fd as usize) < setsize);
        Ok(())
    }

    /// Queues the iteration's changes and the re-arms: at most a removal
    /// and an add per fd whose poll must change, none for changes that
    /// cancelled out or only dropped a direction.
    fn flush(&mut self) {
        let mut retry = Vec::new();
        let mut k = 0;
        while k < self.dirty.len() {
            let fd = self.dirty[k];
            k += 1;
            let Some(i) = self.slot(fd) else { continue };
            let flags = self.flags[i];
            self.flags[i] = flags & PARKED;
            if flags & UNVALIDATE != 0 {
                let sqe = Sqe::epoll_del(self.validator.as_raw_fd(), fd, NOT_POLL).quiet(&self.ring);
                self.queue(sqe);
            }
            let (want, armed) = (self.want[i], self.armed[i]);
            self.at_wait[i] = want;
            if flags & PARKED != 0 || want.is_empty() || (!armed.is_empty() && armed.contains(want)) {
                continue;
            }
            if !armed.is_empty() {
                let sqe = Sqe::poll_remove(user_data(fd, self.seq[i]), NOT_POLL).quiet(&self.ring);
                self.queue(sqe);
            }
            let seq = self.seq[i].wrapping_add(1);
            self.seq[i] = seq;
            self.armed[i] = Interest::NONE;
            if self.queue(Sqe::poll_add(fd, poll_events(want), user_data(fd, seq))) {
                self.armed[i] = want;
            } else {
                retry.push(fd);
            }
        }
        self.dirty.clear();
        // The kernel took nothing (out of memory): tried again next time.
        for fd in retry {
            if let Some(i) = self.slot(fd) {
                self.mark(i, fd);
            }
        }
    }

    pub fn wait(&mut self, timeout: &dyn Fn() -> i32, fired: &mut [aeFiredEvent]) -> SysResult<usize> {
        self.own_ring()?;
        // Completions posted since the last wait (by another call's enter,
        // or while the loop ran) may be stale: the fd can have been drained
        // since. Their polls are submitted again, and a ready fd completes
        // at once inside the wait, so only what is ready when the wait
        // begins is reported, as level-triggered epoll reports it.
        self.reap(&mut [], Posted::BeforeWait);
        self.flush();
        let mut ms = timeout();
        let mut round = 0;
        loop {
            let r = match ms {
                0 => self.ring.enter(0, None),
                t if t < 0 => self.enter_wait(None),
                t => self.enter_wait(Some(t as u64 * 1_000_000)),
            };
            let ended = match r {
                Ok(_) => false,
                Err(e) if e.0 == libc::ETIME || e.0 == libc::EINTR => true,
                Err(e) if e.0 == libc::EEXIST && self.one_thread => {
                    // The loop is waited on from another thread than the one
                    // that made the ring: a ring for any thread, once.
                    self.new_ring(false)?;
                    self.flush();
                    continue;
                }
                Err(e) => return Err(e),
            };
            let (seen, out) = self.reap(fired, Posted::InWait);
            round += 1;
            if out > 0 || seen == 0 || ended || ms == 0 || round >= MAX_EMPTY_ROUNDS {
                if ms != 0 {
                    self.batch.found(out);
                }
                return Ok(out);
            }
            // Only stale or unwanted reports: the reference would still be
            // waiting.
            ms = timeout();
            if ms == 0 {
                return Ok(0);
            }
            self.flush();
        }
    }

    /// Submits and waits for a completion, or for a batch of them when
    /// waits are batched (never past the timeout).
    fn enter_wait(&mut self, timeout_ns: Option<u64>) -> SysResult<u32> {
        match (self.batch_us, self.batch.get()) {
            (0, _) | (_, 1) => self.ring.enter(1, timeout_ns),
            (us, events) => {
                let us = timeout_ns.map_or(us, |ns| us.min(u32::try_from(ns / 1000).unwrap_or(u32::MAX)));
                self.ring.enter_batched(events, us, timeout_ns)
            }
        }
    }

    /// Reads every completion: marks completed polls for re-arming and, for
    /// those posted in the wait, fills `fired` with what ae wanted and
    /// became ready. Returns how many
    /// completions were seen and how many entries were filled.
    fn reap(&mut self, fired: &mut [aeFiredEvent], when: Posted) -> (usize, usize) {
        let (mut seen, mut out) = (0, 0);
        loop {
            let IoUring { ring, armed, at_wait, seq, flags, dirty, .. } = self;
            ring.reap(|cqe| {
                seen += 1;
                if cqe.user_data & NOT_POLL != 0 {
                    return;
                }
                let fd = cqe.user_data as u32 as i32;
                let Some(i) = usize::try_from(fd).ok().filter(|&i| i < armed.len()) else { return };
                if armed[i].is_empty() || seq[i] & SEQ_MASK != (cqe.user_data >> 32) as u32 {
                    return;
                }
                armed[i] = Interest::NONE;
                if flags[i] & DIRTY == 0 {
                    dirty.push(fd);
                }
                flags[i] |= DIRTY;
                let got = match cqe.res {
                    r if r == -libc::EBADF => {
                        flags[i] |= PARKED;
                        return;
                    }
                    // Any other failure is shown as an error on the fd: its
                    // handlers find out what it is.
                    r if r < 0 => Interest::BOTH,
                    r => reported(r as u32),
                };
                if when == Posted::BeforeWait {
                    return;
                }
                let mask = got & at_wait[i];
                if !mask.is_empty() {
                    if let Some(slot) = fired.get_mut(out) {
                        *slot = aeFiredEvent { fd, mask: mask.mask() };
                        out += 1;
                    }
                }
            });
            if !ring.overflowed() || ring.enter(0, None).is_err() {
                return (seen, out);
            }
        }
    }
}

impl Drop for IoUring {
    /// Cancels every poll in flight so their files are released now, not
    /// when the kernel gets round to tearing the ring down.
    fn drop(&mut self) {
        if self.ring.inherited() || !self.ops.cancel || self.armed.iter().all(|a| a.is_empty()) {
            return;
        }
        // From another thread than a one-thread ring's, EEXIST: the polls
        // then end when the ring is torn down.
        let sqe = Sqe::cancel_all(NOT_POLL);
        if self.queue(sqe) {
            let _ = self.ring.enter(0, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_round_trips_and_flags_non_polls() {
        let ud = user_data(1234, 0xffff_ffff);
        assert_eq!(ud as u32 as i32, 1234);
        assert_eq!((ud >> 32) as u32, SEQ_MASK);
        assert_eq!(ud & NOT_POLL, 0);
        assert_eq!(reported(libc::POLLHUP as u32), Interest::BOTH);
        assert_eq!(reported(libc::POLLOUT as u32), Interest::WRITABLE);
    }

    #[test]
    fn batch_setting_defaults_bounds_and_turns_off() {
        assert_eq!(batch_us_setting(None), BATCH_US_DEFAULT);
        assert_eq!(batch_us_setting(Some("junk")), BATCH_US_DEFAULT);
        assert_eq!(batch_us_setting(Some("0")), 0);
        assert_eq!(batch_us_setting(Some(" 200 ")), 200);
        assert_eq!(batch_us_setting(Some("999999999")), BATCH_US_MAX);
    }
}
