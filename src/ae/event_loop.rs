//! The loop's state: the fd-indexed file event table (the C `events[]`
//! array), the fired array (`fired[]`), the backend and the timers.

use core::ffi::c_void;

use crate::abi::ae_common::{AE_BARRIER, AE_NONE, AE_WRITABLE, aeFileEvent, aeFileProcPtr, aeFiredEvent};
use crate::sys::{Errno, SysResult};

use super::backend::{Backend, Kind};
use super::interest::Interest;
use super::policy::Policy;
use super::timer_list::TimerNode;
use super::timers::Timers;

pub struct EventLoop<N: TimerNode> {
    maxfd: i32,
    events: Vec<aeFileEvent>,
    fired: Vec<aeFiredEvent>,
    backend: Backend,
    pub timers: Timers<N>,
    pub policy: Policy,
    /// Wall-clock seconds at the last timer pass (the C `lastTime`).
    pub last_time: i64,
    /// The loop's C `flags` (6.0+): AE_DONT_WAIT set by aeSetDontWait
    /// makes every wait zero; other bits are the host's (AE_PROTECT_POLL).
    pub flags: i32,
}

fn zeroed_vec<T: Clone>(len: usize, value: T) -> SysResult<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Errno(libc::ENOMEM))?;
    v.resize(len, value);
    Ok(v)
}

fn grow_to<T: Clone>(v: &mut Vec<T>, len: usize, value: T) -> SysResult<()> {
    if len > v.len() {
        v.try_reserve_exact(len - v.len()).map_err(|_| Errno(libc::ENOMEM))?;
    }
    v.resize(len, value);
    v.shrink_to(len);
    Ok(())
}

impl<N: TimerNode> EventLoop<N> {
    /// A loop for fds `0..setsize`; EINVAL for a negative size, ENOMEM when
    /// the arrays cannot be allocated, the backend's errno when it fails.
    pub fn new(setsize: i32, kind: Kind, policy: Policy) -> SysResult<Self> {
        let size = usize::try_from(setsize).map_err(|_| Errno(libc::EINVAL))?;
        let events = zeroed_vec(size, aeFileEvent::EMPTY)?;
        let fired = zeroed_vec(size, aeFiredEvent::default())?;
        let backend = Backend::new(kind, size)?;
        let last_time = crate::sys::time::wall_ms().div_euclid(1000);
        Ok(EventLoop { maxfd: -1, events, fired, backend, timers: Timers::new(), policy, last_time, flags: 0 })
    }

    /// The backend this loop got (io_uring may have fallen back to epoll).
    pub fn backend_kind(&self) -> Kind {
        self.backend.kind()
    }

    /// aeSetDontWait is in effect.
    pub fn dont_wait(&self) -> bool {
        self.flags & crate::abi::ae_common::AE_DONT_WAIT != 0
    }

    pub fn setsize(&self) -> i32 {
        self.events.len() as i32
    }

    pub fn maxfd(&self) -> i32 {
        self.maxfd
    }

    pub fn events_ptr(&mut self) -> *mut aeFileEvent {
        self.events.as_mut_ptr()
    }

    pub fn fired_ptr(&mut self) -> *mut aeFiredEvent {
        self.fired.as_mut_ptr()
    }

    /// The file event of `fd`, or None outside `0..setsize`.
    pub fn file_event(&self, fd: i32) -> Option<aeFileEvent> {
        usize::try_from(fd).ok().and_then(|i| self.events.get(i)).copied()
    }

    pub fn fired(&self, j: usize) -> Option<aeFiredEvent> {
        self.fired.get(j).copied()
    }

    /// aeCreateFileEvent: ERANGE outside `0..setsize`; the backend's errno
    /// when the kernel refuses, with nothing changed.
    pub fn create_file_event(
        &mut self,
        fd: i32,
        mask: i32,
        proc_: aeFileProcPtr,
        client_data: *mut c_void,
    ) -> SysResult<()> {
        let Some(fe) = usize::try_from(fd).ok().and_then(|i| self.events.get_mut(i)) else {
            return Err(Errno(libc::ERANGE));
        };
        let add = Interest::of_mask(mask);
        if add.is_empty() {
            // Registering no direction is a no-op (the reference left a
            // kernel registration behind that made the next create fail).
            return Ok(());
        }
        let old = Interest::of_mask(fe.mask);
        if !old.contains(add) {
            self.backend.add(fd, old, add)?;
        }
        fe.mask |= (add.mask()) | (mask & AE_BARRIER);
        if add.readable() {
            fe.rfileProc = proc_;
        }
        if add.writable() {
            fe.wfileProc = proc_;
        }
        fe.clientData = client_data;
        if fd > self.maxfd {
            self.maxfd = fd;
        }
        Ok(())
    }

    /// aeDeleteFileEvent: a no-op outside `0..setsize` or when nothing is
    /// registered. Removing WRITABLE removes AE_BARRIER with it.
    pub fn delete_file_event(&mut self, fd: i32, mask: i32) {
        let Some(fe) = usize::try_from(fd).ok().and_then(|i| self.events.get_mut(i)) else { return };
        if fe.mask == AE_NONE {
            return;
        }
        let mut mask = mask;
        if mask & AE_WRITABLE != 0 {
            mask |= AE_BARRIER;
        }
        let old = Interest::of_mask(fe.mask);
        let del = old & Interest::of_mask(mask);
        if !del.is_empty() {
            self.backend.remove(fd, old, del);
        }
        fe.mask &= !mask;
        if Interest::of_mask(fe.mask).is_empty() {
            fe.mask = AE_NONE;
        }
        if fd == self.maxfd && fe.mask == AE_NONE {
            self.maxfd = self.events[..fd as usize].iter().rposition(|e| e.mask != AE_NONE).map_or(-1, |i| i as i32);
        }
    }

    pub fn get_file_events(&self, fd: i32) -> i32 {
        self.file_event(fd).map_or(0, |fe| fe.mask)
    }

    /// aeGetFileClientData: the fd's client data, or NULL when nothing is
    /// registered on it.
    pub fn file_client_data(&self, fd: i32) -> *mut c_void {
        match self.file_event(fd) {
            Some(fe) if fe.mask != AE_NONE => fe.clientData,
            _ => core::ptr::null_mut(),
        }
    }

    /// aeResizeSetSize: refuses (with nothing changed) when a registered fd
    /// would not fit, or when memory or the backend cannot follow.
    pub fn resize(&mut self, setsize: i32) -> SysResult<()> {
        if setsize == self.setsize() {
            return Ok(());
        }
        let size = usize::try_from(setsize).map_err(|_| Errno(libc::EINVAL))?;
        if self.maxfd >= setsize {
            return Err(Errno(libc::ERANGE));
        }
        // Reserve everything first so a failure leaves the loop unchanged.
        if size > self.events.len() {
            let extra = size - self.events.len();
            self.events.try_reserve_exact(extra).map_err(|_| Errno(libc::ENOMEM))?;
            self.fired.try_reserve_exact(extra).map_err(|_| Errno(libc::ENOMEM))?;
        }
        self.backend.resize(size)?;
        grow_to(&mut self.events, size, aeFileEvent::EMPTY)?;
        grow_to(&mut self.fired, size, aeFiredEvent::default())?;
        Ok(())
    }

    /// One wait on the backend; fills the fired array and returns its length.
    pub fn wait(&mut self, timeout: impl Fn() -> i32) -> SysResult<usize> {
        self.backend.wait(&timeout, &mut self.fired)
    }
}
