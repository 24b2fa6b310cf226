//! The readiness backends, one per file, chosen once per process by
//! AENET_BACKEND (io_uring, epoll or poll; unset: `DEFAULT`). io_uring falls
//! back to epoll when the kernel lacks it, refuses it (kernel.io_uring_disabled,
//! seccomp) or a ring cannot be set up.
//!
//! The contract every backend keeps:
//! - `add(fd, old, add)`: the kernel watches `old | add` for `fd` from the
//!   next wait on (a new registration reaches the kernel at once, so its
//!   errors are the caller's);
//! - `remove(fd, old, del)`: it watches `old & !del` (errors ignored: the
//!   fd may be closed already);
//! - `resize(setsize)`: fds `0..setsize` can be registered;
//! - `wait(timeout, fired)`: waits up to `timeout()` ms (-1: forever; asked
//!   again for the rest when a wait has to be resumed), fills `fired` with
//!   what ae wanted and became ready, and returns how many; EINTR is a wait
//!   that saw nothing, any other failure is returned.

pub mod batch_size;
pub mod epoll;
pub mod io_uring;
pub mod keep_writable;
pub mod poll;

use std::ffi::CStr;

use crate::abi::ae_common::aeFiredEvent;
use crate::sys::SysResult;
use crate::sys::mutex::StaticMutex;

use super::interest::Interest;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Epoll,
    Poll,
    IoUring,
}

/// The backend when AENET_BACKEND does not name one.
pub const DEFAULT: Kind = Kind::Epoll;

impl Kind {
    /// The process-wide request, read from AENET_BACKEND on first use.
    pub fn configured() -> Kind {
        static KIND: StaticMutex<Option<Kind>> = StaticMutex::new(None);
        let from_env = || match std::env::var_os("AENET_BACKEND") {
            Some(v) if v == "poll" => Kind::Poll,
            Some(v) if v == "epoll" => Kind::Epoll,
            Some(v) if v == "io_uring" => Kind::IoUring,
            _ => DEFAULT,
        };
        KIND.with(|k| *k.get_or_insert_with(from_env)).unwrap_or_else(from_env)
    }

    /// The backend loops of this process get: the configured one, or
    /// epoll where io_uring is asked for and not available.
    pub fn effective() -> Kind {
        match Kind::configured() {
            Kind::IoUring if !io_uring::available() => Kind::Epoll,
            k => k,
        }
    }

    pub fn name(self) -> &'static CStr {
        match self {
            Kind::Epoll => c"epoll",
            Kind::Poll => c"poll",
            Kind::IoUring => c"io_uring",
        }
    }

    /// The system call a wait makes, as the panic after a failed wait names
    /// it ("aeApiPoll: epoll_wait, ...").
    pub fn wait_call(self) -> &'static CStr {
        match self {
            Kind::Epoll => c"epoll_wait",
            Kind::Poll => c"poll",
            Kind::IoUring => c"io_uring_enter",
        }
    }
}

pub enum Backend {
    Epoll(epoll::Epoll),
    Poll(poll::Poll),
    IoUring(Box<io_uring::IoUring>),
}

impl Backend {
    /// A backend of `kind`; io_uring falls back to epoll when its ring
    /// cannot be made.
    pub fn new(kind: Kind, setsize: usize) -> SysResult<Backend> {
        Ok(match kind {
            Kind::Epoll => Backend::Epoll(epoll::Epoll::new(setsize)?),
            Kind::Poll => Backend::Poll(poll::Poll::new(setsize)),
            Kind::IoUring => match io_uring::IoUring::new(setsize) {
                Ok(b) => Backend::IoUring(Box::new(b)),
                Err(_) => Backend::Epoll(epoll::Epoll::new(setsize)?),
            },
        })
    }

    pub fn kind(&self) -> Kind {
        match self {
            Backend::Epoll(_) => Kind::Epoll,
            Backend::Poll(_) => Kind::Poll,
            Backend::IoUring(_) => Kind::IoUring,
        }
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        match self {
            Backend::Epoll(b) => b.add(fd, old, add),
            Backend::Poll(b) => b.add(fd, old, add),
            Backend::IoUring(b) => b.add(fd, old, add),
        }
    }

    pub fn remove(&mut self, fd: i32, old: Interest, del: Interest) {
        match self {
            Backend::Epoll(b) => b.remove(fd, old, del),
            Backend::Poll(b) => b.remove(fd, old, del),
            Backend::IoUring(b) => b.remove(fd, old, del),
        }
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        match self {
            Backend::Epoll(b) => b.resize(setsize),
            Backend::Poll(b) => b.resize(setsize),
            Backend::IoUring(b) => b.resize(setsize),
        }
    }

    pub fn wait(&mut self, timeout: &dyn Fn() -> i32, fired: &mut [aeFiredEvent]) -> SysResult<usize> {
        match self {
            Backend::Epoll(b) => b.wait(timeout, fired),
            Backend::Poll(b) => b.wait(timeout(), fired),
            Backend::IoUring(b) => b.wait(timeout, fired),
        }
    }
}
