//! Thin wrappers over the system calls the library makes. Every `unsafe`
//! block that touches libc for I/O lives here, one call per wrapper.

pub mod epoll;
pub mod fd;
pub mod io_uring;
pub mod mutex;
pub mod netdb;
pub mod poll;
pub mod sockaddr;
pub mod socket;
pub mod time;

pub use errno::Errno;

/// The result of a call that reports failure through errno.
pub type SysResult<T> = Result<T, Errno>;

/// Turns a libc return value into a result: -1 means errno is set.
pub fn cvt<T: IsMinusOne>(rc: T) -> SysResult<T> {
    if rc.is_minus_one() { Err(errno::errno()) } else { Ok(rc) }
}

pub trait IsMinusOne: Copy {
    fn is_minus_one(self) -> bool;
}

impl IsMinusOne for i32 {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

impl IsMinusOne for isize {
    fn is_minus_one(self) -> bool {
        self == -1
    }
}

/// Sets the calling thread's errno, as the reference leaves it for C callers.
pub fn set_errno(e: i32) {
    errno::set_errno(Errno(e));
}

/// The calling thread's errno.
pub fn errno() -> i32 {
    errno::errno().0
}
