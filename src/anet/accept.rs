//! Accepting connections (anetTcpAccept, anetUnixAccept).

use super::addr::Endpoint;
use super::error::{AnetError, AnetResult};
use crate::sys::sockaddr::SockAddr;
use crate::sys::socket;

/// accept(2), retried on EINTR; any other failure is "accept: %s" with
/// errno kept (EAGAIN/EWOULDBLOCK on an empty non-blocking listener).
/// The new fd is blocking and not close-on-exec, as in the reference.
fn generic_accept(s: i32, sa: &mut SockAddr) -> AnetResult<i32> {
    loop {
        match socket::accept(s, sa) {
            Ok(fd) => return Ok(fd),
            Err(e) if e.0 == libc::EINTR => continue,
            Err(e) => return Err(AnetError::sys("accept", e, "")),
        }
    }
}

/// Accepts a connection and reports the peer. Deliberate difference: on
/// a unix-domain listener the peer is `Endpoint::Unix` ("/unixsocket",
/// port 0) instead of the reference's junk IPv6 text.
pub fn tcp_accept(s: i32) -> AnetResult<(i32, Endpoint)> {
    let mut sa = SockAddr::empty();
    let fd = generic_accept(s, &mut sa)?;
    Ok((fd, Endpoint::from_sockaddr(&sa)))
}

/// Accepts a connection without reporting the peer.
pub fn unix_accept(s: i32) -> AnetResult<i32> {
    let mut sa = SockAddr::empty();
    generic_accept(s, &mut sa)
}
