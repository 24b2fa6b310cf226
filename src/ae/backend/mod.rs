//! The readiness backends, one per file, chosen once per process: epoll by
//! default, poll(2) when the environment says AENET_BACKEND=poll.

pub mod epoll;
pub mod poll;

use std::ffi::CStr;
use std::sync::OnceLock;

use crate::abi::ae::aeFiredEvent;
use crate::sys::SysResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Epoll,
    Poll,
}

impl Kind {
    /// The process-wide choice, read from AENET_BACKEND on first use.
    pub fn configured() -> Kind {
        static KIND: OnceLock<Kind> = OnceLock::new();
        *KIND.get_or_init(|| match std::env::var_os("AENET_BACKEND") {
            Some(v) if v == "poll" => Kind::Poll,
            _ => Kind::Epoll,
        })
    }

    pub fn name(self) -> &'static CStr {
        match self {
            Kind::Epoll => c"epoll",
            Kind::Poll => c"poll",
        }
    }
}

/// Interest bits as ae spells them (AE_READABLE | AE_WRITABLE).
pub type Interest = i32;

pub enum Backend {
    Epoll(epoll::Epoll),
    Poll(poll::Poll),
}

impl Backend {
    pub fn new(kind: Kind, setsize: usize) -> SysResult<Backend> {
        Ok(match kind {
            Kind::Epoll => Backend::Epoll(epoll::Epoll::new(setsize)?),
            Kind::Poll => Backend::Poll(poll::Poll::new(setsize)),
        })
    }

    /// Widens the kernel interest of `fd` from `old` to `old | add`.
    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        match self {
            Backend::Epoll(b) => b.add(fd, old, add),
            Backend::Poll(b) => b.add(fd, old, add),
        }
    }

    /// Narrows the kernel interest of `fd` from `old` to `old & !del`.
    /// Errors are ignored, as in the reference (the fd may be closed already).
    pub fn del(&mut self, fd: i32, old: Interest, del: Interest) {
        match self {
            Backend::Epoll(b) => b.del(fd, old, del),
            Backend::Poll(b) => b.del(fd, old, del),
        }
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        match self {
            Backend::Epoll(b) => b.resize(setsize),
            Backend::Poll(b) => b.resize(setsize),
        }
    }

    /// Waits up to `timeout()` milliseconds (-1: forever) and fills `fired`;
    /// returns how many entries are valid. Poll errors (EINTR included)
    /// count as none. `timeout` is asked again for the rest of the wait when
    /// one has to be resumed.
    pub fn poll(&mut self, timeout: impl Fn() -> i32, fired: &mut [aeFiredEvent]) -> usize {
        match self {
            Backend::Epoll(b) => b.poll(timeout, fired),
            Backend::Poll(b) => b.poll(timeout(), fired),
        }
    }
}
