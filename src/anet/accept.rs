//! Accepting connections (anetTcpAccept, anetUnixAccept).

use super::addr::Endpoint;
use super::error::{AnetError, AnetResult};
use super::reserve;
use crate::sys::sockaddr::SockAddr;
use crate::sys::socket;

/// What accept does when the process has no descriptor left for the new
/// connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutOfFds {
    /// Accept and close what is pending, with the spare descriptor, so the
    /// listener stops being readable (anetTcpAccept, anetUnixAccept).
    Shed,
    /// Leave it queued; the caller stops watching the listener for a while
    /// (the cluster bus).
    Keep,
}

/// How accepted sockets come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Blocking, not close-on-exec (up to 6.2).
    AsIs,
    /// Non-blocking and close-on-exec, in the same call (7.0+: accept4).
    NonBlockCloexec,
}

/// accept(2), retried on EINTR; any other failure is "accept: %s" with
/// errno kept (EAGAIN/EWOULDBLOCK on an empty non-blocking listener).
fn generic_accept(s: i32, sa: &mut SockAddr, how: Accepted, out_of_fds: OutOfFds) -> AnetResult<i32> {
    loop {
        let r = match how {
            Accepted::AsIs => socket::accept(s, sa),
            Accepted::NonBlockCloexec => socket::accept4(s, sa, libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC),
        };
        match r {
            Ok(fd) => {
                if out_of_fds == OutOfFds::Shed {
                    reserve::ensure();
                }
                return Ok(fd);
            }
            Err(e) if e.0 == libc::EINTR => continue,
            Err(e) => {
                if out_of_fds == OutOfFds::Shed {
                    reserve::shed_if_exhausted(s, e.0);
                }
                return Err(AnetError::sys("accept", e, ""));
            }
        }
    }
}

/// Accepts a connection and reports the peer. Deliberate difference: on
/// a unix-domain listener the peer is `Endpoint::Unix` ("/unixsocket",
/// port 0) instead of the reference's junk IPv6 text.
pub fn tcp_accept(s: i32, how: Accepted, out_of_fds: OutOfFds) -> AnetResult<(i32, Endpoint)> {
    let mut sa = SockAddr::empty();
    let fd = generic_accept(s, &mut sa, how, out_of_fds)?;
    Ok((fd, Endpoint::from_sockaddr(&sa)))
}

/// Accepts a connection without reporting the peer.
pub fn unix_accept(s: i32, how: Accepted, out_of_fds: OutOfFds) -> AnetResult<i32> {
    let mut sa = SockAddr::empty();
    generic_accept(s, &mut sa, how, out_of_fds)
}
