//! TCP and unix-domain client sockets (anetTcpGenericConnect,
//! anetUnixGenericConnect).

use core::ffi::CStr;
use std::os::fd::{AsRawFd, IntoRawFd};

use super::error::{AnetError, AnetResult};
use super::options::{set_nonblock, set_reuse_addr};
use super::port::PortStr;
use super::sock::create_socket;
use super::unix::unix_sockaddr;
use crate::sys::netdb::{self, Hints};
use crate::sys::{Errno, errno, socket};

const STREAM_ANY: Hints = Hints { flags: 0, family: libc::AF_UNSPEC, socktype: libc::SOCK_STREAM };

/// How a client socket is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Connect {
    /// O_NONBLOCK before connect: an in-progress connect returns the fd.
    pub nonblock: bool,
    /// Created close-on-exec (Valkey 8).
    pub cloexec: bool,
}

/// Connects to `addr`:`port`, trying every address getaddrinfo returns
/// (AF_UNSPEC) in order. With `source`, the socket is bound to the first of
/// its addresses that binds (no family matching, as in the reference).
pub fn tcp_connect(addr: Option<&CStr>, port: i32, source: Option<&CStr>, how: Connect) -> AnetResult<i32> {
    let port = PortStr::new(port)?;
    attempt(addr, &port, source, how)
}

/// The outcome of a best-effort bind connect.
#[derive(Debug)]
pub struct BestEffort {
    /// The connected (or connecting) fd, or the final error.
    pub result: AnetResult<i32>,
    /// The error of the attempt with the source address, when it failed
    /// and a second attempt without it was made. The reference leaves
    /// this text in `err` even when the second attempt succeeds.
    pub first_error: Option<AnetError>,
}

/// anetTcpNonBlockBestEffortBindConnect: like `tcp_connect`, but when the
/// attempt with `source` fails for any reason, it is repeated once
/// without a source address.
pub fn tcp_connect_best_effort(addr: Option<&CStr>, port: i32, source: Option<&CStr>, how: Connect) -> BestEffort {
    let port = match PortStr::new(port) {
        Ok(p) => p,
        Err(e) => {
            return BestEffort { result: Err(e), first_error: None };
        }
    };
    match attempt(addr, &port, source, how) {
        Err(first) if source.is_some() => {
            BestEffort { result: attempt(addr, &port, None, how), first_error: Some(first) }
        }
        result => BestEffort { result, first_error: None },
    }
}

fn attempt(addr: Option<&CStr>, port: &PortStr, source: Option<&CStr>, how: Connect) -> AnetResult<i32> {
    let list = netdb::getaddrinfo(addr, Some(port.as_cstr()), &STREAM_ANY).map_err(AnetError::gai)?;
    let mut last = Errno(errno());
    let ty_flags = if how.cloexec { libc::SOCK_CLOEXEC } else { 0 };
    for ai in list.iter() {
        let s = match socket::socket(ai.family, ai.socktype | ty_flags, ai.protocol) {
            Ok(s) => s,
            Err(e) => {
                last = e;
                continue;
            }
        };
        // From here a failure abandons the whole call (dropping `s`
        // closes it), except connect, which moves on to the next address.
        set_reuse_addr(s.as_raw_fd())?;
        if how.nonblock {
            set_nonblock(s.as_raw_fd())?;
        }
        if let Some(src) = source {
            bind_source(s.as_raw_fd(), src)?;
        }
        match socket::connect(s.as_raw_fd(), &ai.addr) {
            Ok(()) => return Ok(s.into_raw_fd()),
            Err(e) if how.nonblock && e.0 == libc::EINPROGRESS => return Ok(s.into_raw_fd()),
            Err(e) => last = e,
        }
    }
    // The reference's wording, with the errno of the last socket() or
    // connect() failure ("creating socket: Connection refused").
    Err(AnetError::sys("creating socket", last, ""))
}

fn bind_source(fd: i32, source: &CStr) -> AnetResult<()> {
    let list = netdb::getaddrinfo(Some(source), None, &STREAM_ANY).map_err(AnetError::gai)?;
    let mut last = Errno(errno());
    for b in list.iter() {
        match socket::bind(fd, &b.addr) {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
    }
    Err(AnetError::sys("bind", last, ""))
}

/// anetUnixGenericConnect: a unix-domain stream client for `path`.
/// Deliberate differences: a path that does not fit sun_path is an error
/// (no silent truncation), and the fd is closed when O_NONBLOCK fails.
pub fn unix_connect(path: &CStr, nonblock: bool) -> AnetResult<i32> {
    let sa = unix_sockaddr(path)?;
    let s = create_socket(libc::AF_UNIX)?;
    if nonblock {
        set_nonblock(s.as_raw_fd())?;
    }
    match socket::connect(s.as_raw_fd(), &sa) {
        Ok(()) => Ok(s.into_raw_fd()),
        Err(e) if nonblock && e.0 == libc::EINPROGRESS => Ok(s.into_raw_fd()),
        Err(e) => Err(AnetError::sys("connect", e, "")),
    }
}
