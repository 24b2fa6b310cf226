//! io_uring(7) through the raw system calls: a ring's setup and mappings,
//! writing submission entries, entering the kernel, reading completions.
//! Only what the event loop's backend uses (poll add/remove, epoll_ctl,
//! cancel). The structures follow include/uapi/linux/io_uring.h; their
//! sizes and offsets are asserted below.
//!
//! The ring memory is shared with the kernel: the head and tail indices are
//! read and written with acquire/release atomics, entries only between them.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Once;

use super::mutex::StaticMutex;
use super::{Errno, SysResult};

pub const OP_POLL_ADD: u8 = 6;
pub const OP_POLL_REMOVE: u8 = 7;
pub const OP_ASYNC_CANCEL: u8 = 14;
pub const OP_EPOLL_CTL: u8 = 29;

const SQE_CQE_SKIP_SUCCESS: u8 = 1 << 6;

const SETUP_CQSIZE: u32 = 1 << 3;
const SETUP_SUBMIT_ALL: u32 = 1 << 7;
const SETUP_SINGLE_ISSUER: u32 = 1 << 12;
const SETUP_DEFER_TASKRUN: u32 = 1 << 13;

const FEAT_SINGLE_MMAP: u32 = 1 << 0;
const FEAT_NODROP: u32 = 1 << 1;
const FEAT_EXT_ARG: u32 = 1 << 8;
const FEAT_CQE_SKIP: u32 = 1 << 11;
const FEAT_MIN_TIMEOUT: u32 = 1 << 15;

const ENTER_GETEVENTS: u32 = 1 << 0;
const ENTER_EXT_ARG: u32 = 1 << 3;

const SQ_CQ_OVERFLOW: u32 = 1 << 1;

const ASYNC_CANCEL_ALL: u32 = 1 << 0;
const ASYNC_CANCEL_ANY: u32 = 1 << 2;

const OFF_SQ_RING: i64 = 0;
const OFF_SQES: i64 = 0x1000_0000;

const REGISTER_PROBE: u32 = 8;
const REGISTER_SYNC_CANCEL: u32 = 24;
const PROBE_OP_SUPPORTED: u16 = 1;

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct SqOffsets {
    head: u32,
    tail: u32,
    ring_mask: u32,
    ring_entries: u32,
    flags: u32,
    dropped: u32,
    array: u32,
    resv1: u32,
    user_addr: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CqOffsets {
    head: u32,
    tail: u32,
    ring_mask: u32,
    ring_entries: u32,
    overflow: u32,
    cqes: u32,
    flags: u32,
    resv1: u32,
    user_addr: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Params {
    sq_entries: u32,
    cq_entries: u32,
    flags: u32,
    sq_thread_cpu: u32,
    sq_thread_idle: u32,
    features: u32,
    wq_fd: u32,
    resv: [u32; 3],
    sq_off: SqOffsets,
    cq_off: CqOffsets,
}

/// One submission queue entry (the 64-byte layout).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Sqe {
    pub opcode: u8,
    pub flags: u8,
    pub ioprio: u16,
    pub fd: i32,
    pub off: u64,
    pub addr: u64,
    pub len: u32,
    /// poll32_events, cancel_flags, ... (the op's flags word).
    pub op_flags: u32,
    pub user_data: u64,
    pub buf_index: u16,
    pub personality: u16,
    pub file_index: u32,
    pub addr3: u64,
    pub pad: u64,
}

/// One completion queue entry.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct Cqe {
    pub user_data: u64,
    pub res: i32,
    pub flags: u32,
}

#[repr(C)]
struct GeteventsArg {
    sigmask: u64,
    sigmask_sz: u32,
    min_wait_usec: u32,
    ts: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct ProbeOp {
    op: u8,
    resv: u8,
    flags: u16,
    resv2: u32,
}

#[repr(C)]
struct Probe {
    last_op: u8,
    ops_len: u8,
    resv: u16,
    resv2: [u32; 3],
    ops: [ProbeOp; 256],
}

/// io_uring_sync_cancel_reg.
#[repr(C)]
struct SyncCancelReg {
    addr: u64,
    fd: i32,
    flags: u32,
    timeout: libc::timespec,
    opcode: u8,
    pad: [u8; 7],
    pad2: [u64; 3],
}

const _: () = {
    assert!(size_of::<SyncCancelReg>() == 64);
    assert!(core::mem::offset_of!(SyncCancelReg, timeout) == 16);
    assert!(core::mem::offset_of!(SyncCancelReg, opcode) == 32);
    assert!(size_of::<Params>() == 120);
    assert!(core::mem::offset_of!(Params, sq_off) == 40);
    assert!(core::mem::offset_of!(Params, cq_off) == 80);
    assert!(size_of::<Sqe>() == 64);
    assert!(core::mem::offset_of!(Sqe, fd) == 4);
    assert!(core::mem::offset_of!(Sqe, off) == 8);
    assert!(core::mem::offset_of!(Sqe, addr) == 16);
    assert!(core::mem::offset_of!(Sqe, len) == 24);
    assert!(core::mem::offset_of!(Sqe, op_flags) == 28);
    assert!(core::mem::offset_of!(Sqe, user_data) == 32);
    assert!(size_of::<Cqe>() == 16);
    assert!(size_of::<GeteventsArg>() == 24);
    assert!(size_of::<ProbeOp>() == 8);
    assert!(size_of::<Probe>() == 16 + 256 * 8);
};

impl Sqe {
    /// A one-shot poll for `events` (POLLIN/POLLOUT bits) on `fd`.
    pub fn poll_add(fd: i32, events: u32, user_data: u64) -> Sqe {
        Sqe { opcode: OP_POLL_ADD, fd, op_flags: events, user_data, ..Sqe::default() }
    }

    /// Cancels the poll submitted with `target` as its user data.
    pub fn poll_remove(target: u64, user_data: u64) -> Sqe {
        Sqe { opcode: OP_POLL_REMOVE, fd: -1, addr: target, user_data, ..Sqe::default() }
    }

    /// epoll_ctl(epfd, EPOLL_CTL_DEL, fd).
    pub fn epoll_del(epfd: i32, fd: i32, user_data: u64) -> Sqe {
        Sqe {
            opcode: OP_EPOLL_CTL,
            fd: epfd,
            off: fd as u32 as u64,
            len: libc::EPOLL_CTL_DEL as u32,
            user_data,
            ..Sqe::default()
        }
    }

    /// Cancels every request in flight on the ring.
    pub fn cancel_all(user_data: u64) -> Sqe {
        Sqe {
            opcode: OP_ASYNC_CANCEL,
            fd: -1,
            op_flags: ASYNC_CANCEL_ALL | ASYNC_CANCEL_ANY,
            user_data,
            ..Sqe::default()
        }
    }

    /// No completion is posted when it succeeds (where the kernel can).
    pub fn quiet(mut self, ring: &Ring) -> Sqe {
        if ring.features & FEAT_CQE_SKIP != 0 {
            self.flags |= SQE_CQE_SKIP_SUCCESS;
        }
        self
    }
}

/// Forks seen by this process (counted in the child by an atfork handler):
/// a ring made before a fork is shared with the parent, and the child must
/// neither submit to it nor reap its completions.
static FORKS: AtomicU64 = AtomicU64::new(0);

extern "C" fn count_fork_in_child() {
    FORKS.fetch_add(1, Ordering::Relaxed);
}

fn watch_forks() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a handler that only touches an atomic; the
        // function lives as long as the process (static code).
        unsafe { libc::pthread_atfork(None, None, Some(count_fork_in_child)) };
    });
}

/// The rings this process made and has not dropped: their fds, and the
/// fork count when each was made (a child's inherited ones are not its own).
static LIVE: StaticMutex<Vec<(i32, u64)>> = StaticMutex::new(Vec::new());

/// A poll in flight holds its file, and a ring's requests end only when
/// the kernel tears the ring down, after the process is gone: a listening
/// socket the program closed without deleting its event (as Valkey's
/// SHUTDOWN does) would go on accepting connections after the exit. So at
/// exit every ring of this process cancels its requests, and runs their
/// completions, before the process's files are closed.
extern "C" fn end_requests_at_exit() {
    let forks = FORKS.load(Ordering::Relaxed);
    let _ = LIVE.with(|live| {
        for &(fd, made) in live.iter() {
            if made == forks {
                cancel_all_now(fd);
            }
        }
    });
}

/// Cancels every request of ring `fd` and runs what that completes (the
/// requests release their files). Errors are ignored: at worst the kernel
/// ends the requests later, as without this (a ring only its thread may
/// use answers EEXIST on another; kernels before 6.0 lack the call).
fn cancel_all_now(fd: i32) {
    let reg = SyncCancelReg {
        addr: 0,
        fd: -1,
        flags: ASYNC_CANCEL_ALL | ASYNC_CANCEL_ANY,
        timeout: libc::timespec { tv_sec: 0, tv_nsec: 100_000_000 },
        opcode: 0,
        pad: [0; 7],
        pad2: [0; 3],
    };
    // SAFETY: reg is a valid io_uring_sync_cancel_reg that outlives the
    // call; the kernel reads one of it.
    unsafe { libc::syscall(libc::SYS_io_uring_register, fd, REGISTER_SYNC_CANCEL, &reg as *const SyncCancelReg, 1u32) };
    // SAFETY: submits nothing and waits for nothing; with GETEVENTS the
    // kernel runs the completions deferred to this thread.
    unsafe {
        libc::syscall(libc::SYS_io_uring_enter, fd, 0u32, 0u32, ENTER_GETEVENTS, core::ptr::null::<u8>(), 0usize)
    };
}

fn track(fd: i32, forks: u64) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a handler that takes a lock and makes system
        // calls on fds it recorded; the function is static code.
        unsafe { libc::atexit(end_requests_at_exit) };
    });
    let _ = LIVE.with(|live| live.push((fd, forks)));
}

fn untrack(fd: i32) {
    let _ = LIVE.with(|live| live.retain(|&(f, _)| f != fd));
}

/// A mapping of part of the ring, unmapped on drop.
struct Mapping {
    ptr: *mut u8,
    len: usize,
}

impl Mapping {
    fn new(fd: i32, len: usize, offset: i64) -> SysResult<Mapping> {
        // SAFETY: a fresh shared mapping of the ring fd at the offset the
        // kernel defines for this region; no existing memory is touched.
        let ptr = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd,
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(errno::errno());
        }
        Ok(Mapping { ptr: ptr.cast(), len })
    }

    /// The u32 at byte `off`, as an atomic shared with the kernel.
    fn atomic(&self, off: u32) -> *const AtomicU32 {
        debug_assert!(off as usize + 4 <= self.len);
        self.ptr.wrapping_add(off as usize).cast()
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: ptr/len are exactly what mmap returned; nothing refers
        // to the mapping after the ring is dropped.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}

pub struct Ring {
    fd: OwnedFd,
    rings: Mapping,
    sqes: Mapping,
    sq_entries: u32,
    sq_mask: u32,
    cq_mask: u32,
    sq_off: SqOffsets,
    cq_off: CqOffsets,
    /// The next submission slot to fill (published at the next enter).
    sq_tail: u32,
    features: u32,
    forks: u64,
}

// SAFETY: the ring is owned by one Ring value and only reached through
// &mut self (or &self for reads of kernel-updated indices, which are
// atomics); the kernel accepts submissions from any thread of the process.
unsafe impl Send for Ring {}

impl Drop for Ring {
    fn drop(&mut self) {
        untrack(self.fd());
    }
}

impl Ring {
    /// A ring with `sq_entries` submission and `cq_entries` completion
    /// slots (powers of two; the kernel rounds up). EINVAL when the kernel
    /// lacks what the backend needs (a single mapping, no dropped
    /// completions, timeouts in io_uring_enter).
    ///
    /// `one_thread`: the ring will be used by the calling thread alone
    /// (where the kernel has it, 6.1): completions are then processed only
    /// when that thread enters the kernel to wait, in one batch, instead of
    /// as task work at the return of whatever system call it makes next;
    /// another thread's io_uring_enter fails with EEXIST.
    pub fn new(sq_entries: u32, cq_entries: u32, one_thread: bool) -> SysResult<Ring> {
        watch_forks();
        let forks = FORKS.load(Ordering::Relaxed);
        let cq_entries = cq_entries.max(sq_entries);
        let mut params = Params::default();
        let mut fd = -1;
        // A one-thread ring runs its completions when its thread waits
        // (deferred, 6.1). Elsewhere a poll completes as task work of the
        // thread that armed it, which may not be the one waiting (Valkey
        // 8's IO threads arm polls the main thread waits for), so rings are
        // not cooperative (COOP_TASKRUN): only the kernel's interruption
        // makes that thread run the completion at once rather than at its
        // next entry into the kernel (spinning in user space: its next
        // tick). Older kernels refuse flags and are asked with fewer.
        let base = SETUP_CQSIZE | SETUP_SUBMIT_ALL;
        let deferred = base | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN;
        let attempts: &[u32] = if one_thread { &[deferred, base, SETUP_CQSIZE] } else { &[base, SETUP_CQSIZE] };
        for &flags in attempts {
            params = Params { cq_entries, flags, ..Params::default() };
            // SAFETY: params is a valid io_uring_params the kernel fills in.
            let rc = unsafe { libc::syscall(libc::SYS_io_uring_setup, sq_entries, &mut params as *mut Params) };
            if rc >= 0 {
                fd = rc as i32;
                break;
            }
            let e = errno::errno();
            if e.0 != libc::EINVAL {
                return Err(e);
            }
        }
        if fd < 0 {
            return Err(Errno(libc::EINVAL));
        }
        // SAFETY: fd was just returned by io_uring_setup and is owned by
        // nobody else (it is close-on-exec).
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let need = FEAT_SINGLE_MMAP | FEAT_NODROP | FEAT_EXT_ARG;
        if params.features & need != need {
            return Err(Errno(libc::EINVAL));
        }
        let sq_len = params.sq_off.array as usize + params.sq_entries as usize * 4;
        let cq_len = params.cq_off.cqes as usize + params.cq_entries as usize * size_of::<Cqe>();
        let rings = Mapping::new(fd, sq_len.max(cq_len), OFF_SQ_RING)?;
        let sqes = Mapping::new(fd, params.sq_entries as usize * size_of::<Sqe>(), OFF_SQES)?;
        let mut ring = Ring {
            fd: owned,
            rings,
            sqes,
            sq_entries: params.sq_entries,
            sq_mask: 0,
            cq_mask: 0,
            sq_off: params.sq_off,
            cq_off: params.cq_off,
            sq_tail: 0,
            features: params.features,
            forks,
        };
        track(fd, forks);
        ring.sq_mask = ring.read_u32(params.sq_off.ring_mask);
        ring.cq_mask = ring.read_u32(params.cq_off.ring_mask);
        ring.sq_tail = ring.load(params.sq_off.tail, Ordering::Relaxed);
        // The index array maps each slot to itself, once and for all.
        for i in 0..ring.sq_entries {
            let slot = ring.rings.ptr.wrapping_add(params.sq_off.array as usize + i as usize * 4).cast::<u32>();
            // SAFETY: slot is inside the mapped index array (sq_entries u32s
            // at sq_off.array), which the kernel reads only at submission.
            unsafe { slot.write_volatile(i) };
        }
        Ok(ring)
    }

    fn read_u32(&self, off: u32) -> u32 {
        self.load(off, Ordering::Relaxed)
    }

    fn load(&self, off: u32, order: Ordering) -> u32 {
        // SAFETY: off is one of the kernel's offsets into the live ring
        // mapping, 4-byte aligned; the kernel updates it atomically.
        unsafe { (*self.rings.atomic(off)).load(order) }
    }

    fn store(&self, off: u32, value: u32, order: Ordering) {
        // SAFETY: as in `load`; this index is ours to write.
        unsafe { (*self.rings.atomic(off)).store(value, order) }
    }

    /// True in a child forked after the ring was made: the ring is the
    /// parent's (shared memory and all), so it must be left alone.
    pub fn inherited(&self) -> bool {
        FORKS.load(Ordering::Relaxed) != self.forks
    }

    pub fn fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// Which of `ops` the kernel supports, in order.
    pub fn supported<const N: usize>(&self, ops: [u8; N]) -> SysResult<[bool; N]> {
        let mut probe = Box::new(Probe {
            last_op: 0,
            ops_len: 0,
            resv: 0,
            resv2: [0; 3],
            ops: [ProbeOp { op: 0, resv: 0, flags: 0, resv2: 0 }; 256],
        });
        // SAFETY: probe is a valid io_uring_probe with room for 256 ops, as
        // the last argument says.
        let rc = unsafe {
            libc::syscall(libc::SYS_io_uring_register, self.fd(), REGISTER_PROBE, &mut *probe as *mut Probe, 256u32)
        };
        if rc < 0 {
            return Err(errno::errno());
        }
        Ok(ops.map(|op| op <= probe.last_op && probe.ops[op as usize].flags & PROBE_OP_SUPPORTED != 0))
    }

    /// Entries written and not yet consumed by the kernel.
    pub fn unsubmitted(&self) -> u32 {
        self.sq_tail.wrapping_sub(self.load(self.sq_off.head, Ordering::Acquire))
    }

    /// Writes `sqe` into the next free slot; false when the queue is full
    /// (enter first).
    pub fn push(&mut self, sqe: Sqe) -> bool {
        if self.unsubmitted() >= self.sq_entries {
            return false;
        }
        let index = (self.sq_tail & self.sq_mask) as usize;
        let slot = self.sqes.ptr.cast::<Sqe>().wrapping_add(index);
        // SAFETY: index < sq_entries, so slot is inside the SQE mapping; the
        // kernel reads this slot only after the tail is published past it.
        unsafe { slot.write(sqe) };
        self.sq_tail = self.sq_tail.wrapping_add(1);
        true
    }

    /// Publishes the written entries and calls io_uring_enter: submits
    /// them, then (when `min_complete` > 0) waits for that many completions
    /// or `timeout_ns` (None: no limit). Returns how many were submitted;
    /// ETIME when the timeout passed with nothing submitted, EINTR when a
    /// signal interrupted it.
    pub fn enter(&mut self, min_complete: u32, timeout_ns: Option<u64>) -> SysResult<u32> {
        self.enter_with(min_complete, 0, timeout_ns)
    }

    /// The kernel takes a minimum wait (6.12): see `enter_batched`.
    pub fn has_min_wait(&self) -> bool {
        self.features & FEAT_MIN_TIMEOUT != 0
    }

    /// As `enter`, waiting for `batch` completions but no longer than
    /// `min_wait_us` once at least one is there (where `has_min_wait`;
    /// elsewhere the kernel ignores the minimum and this waits for
    /// `batch`, so callers check first).
    pub fn enter_batched(&mut self, batch: u32, min_wait_us: u32, timeout_ns: Option<u64>) -> SysResult<u32> {
        self.enter_with(batch, min_wait_us, timeout_ns)
    }

    fn enter_with(&mut self, min_complete: u32, min_wait_us: u32, timeout_ns: Option<u64>) -> SysResult<u32> {
        self.store(self.sq_off.tail, self.sq_tail, Ordering::Release);
        let to_submit = self.unsubmitted();
        let ts = timeout_ns.map(|ns| libc::timespec {
            tv_sec: (ns / 1_000_000_000) as libc::time_t,
            tv_nsec: (ns % 1_000_000_000) as libc::c_long,
        });
        let arg = GeteventsArg {
            sigmask: 0,
            sigmask_sz: 0,
            min_wait_usec: min_wait_us,
            ts: ts.as_ref().map_or(0, |t| t as *const libc::timespec as u64),
        };
        let mut flags = ENTER_GETEVENTS;
        let (argp, argsz) = if ts.is_some() || min_wait_us > 0 {
            flags |= ENTER_EXT_ARG;
            (&arg as *const GeteventsArg, size_of::<GeteventsArg>())
        } else {
            (core::ptr::null(), 0)
        };
        // SAFETY: arg and the timespec it points to live until the call
        // returns; with EXT_ARG the kernel reads exactly argsz bytes.
        let rc =
            unsafe { libc::syscall(libc::SYS_io_uring_enter, self.fd(), to_submit, min_complete, flags, argp, argsz) };
        if rc < 0 { Err(errno::errno()) } else { Ok(rc as u32) }
    }

    /// Calls `f` on every completion posted so far and releases them.
    pub fn reap(&mut self, mut f: impl FnMut(Cqe)) {
        let mut head = self.load(self.cq_off.head, Ordering::Relaxed);
        let tail = self.load(self.cq_off.tail, Ordering::Acquire);
        while head != tail {
            let index = (head & self.cq_mask) as usize;
            let at = self.cq_off.cqes as usize + index * size_of::<Cqe>();
            // SAFETY: index <= cq_mask, so the entry lies in the mapped CQE
            // array; the acquire load of the tail makes its contents visible.
            let cqe = unsafe { self.rings.ptr.wrapping_add(at).cast::<Cqe>().read() };
            head = head.wrapping_add(1);
            f(cqe);
        }
        self.store(self.cq_off.head, head, Ordering::Release);
    }

    /// Completions are waiting in the kernel for room in the queue.
    pub fn overflowed(&self) -> bool {
        self.load(self.sq_off.flags, Ordering::Acquire) & SQ_CQ_OVERFLOW != 0
    }
}
