//! Sockets while they are being set up: an `OwnedFd`, closed exactly once
//! when dropped on an error path, handed to the caller with `into_raw_fd`
//! on success. errno is captured into the error before any drop, so a
//! failing close cannot change the report (the reference ignores close's
//! result too).

use std::os::fd::{AsRawFd, OwnedFd};

use super::error::{AnetError, AnetResult};
use super::options::set_reuse_addr;

/// How a socket is created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketFlags {
    pub cloexec: bool,
    pub nonblock: bool,
    pub reuse_addr: bool,
}

/// anetCreateSocket: a socket of `domain`/`ty`/`protocol` with the flags
/// (close-on-exec and non-blocking in the socket call itself).
/// "creating socket: %s" when socket() fails; the socket is closed when
/// SO_REUSEADDR cannot be set.
pub fn create(domain: i32, ty: i32, protocol: i32, flags: SocketFlags) -> AnetResult<OwnedFd> {
    let mut ty = ty;
    if flags.cloexec {
        ty |= libc::SOCK_CLOEXEC;
    }
    if flags.nonblock {
        ty |= libc::SOCK_NONBLOCK;
    }
    let s = crate::sys::socket::socket(domain, ty, protocol).map_err(|e| AnetError::sys("creating socket", e, ""))?;
    if flags.reuse_addr {
        set_reuse_addr(s.as_raw_fd())?;
    }
    Ok(s)
}

/// The 3.0–7.2 unix-socket helper: a SOCK_STREAM socket of `domain` with
/// SO_REUSEADDR.
pub fn create_socket(domain: i32) -> AnetResult<OwnedFd> {
    create(domain, libc::SOCK_STREAM, 0, SocketFlags { reuse_addr: true, ..SocketFlags::default() })
}
