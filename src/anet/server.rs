//! Listening sockets (anetTcpServer, anetTcp6Server, anetUnixServer).

use core::ffi::CStr;

use super::error::{AnetError, AnetResult};
use super::options::{set_reuse_addr, set_v6only};
use super::policy::Policy;
use super::port::PortStr;
use super::sock::{Sock, create_socket};
use super::unix::unix_sockaddr;
use crate::sys::netdb::{self, Hints};
use crate::sys::sockaddr::SockAddr;
use crate::sys::{Errno, errno, socket};

/// Which family a TCP server listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// A blocking TCP listener on `bindaddr` (NULL: the wildcard) and `port`.
/// Only the first address whose socket() succeeds is used; a failure
/// after that ends the call. When no socket can be created the text is
/// "unable to bind socket" (3.2+: ", errno: %d" added) and errno that of
/// the last socket() call.
pub fn tcp_server(
    port: i32,
    bindaddr: Option<&CStr>,
    backlog: i32,
    family: Family,
    policy: &Policy,
) -> AnetResult<i32> {
    let port = PortStr::new(port)?;
    let af = match family {
        Family::V4 => libc::AF_INET,
        Family::V6 => libc::AF_INET6,
    };
    let hints = Hints { flags: libc::AI_PASSIVE, family: af, socktype: libc::SOCK_STREAM };
    let list = netdb::getaddrinfo(bindaddr, Some(port.as_cstr()), &hints).map_err(AnetError::gai)?;
    let mut last = Errno(errno());
    for ai in list.iter() {
        let s = match socket::socket(ai.family, ai.socktype, ai.protocol) {
            Ok(fd) => Sock::new(fd),
            Err(e) => {
                last = e;
                continue;
            }
        };
        if family == Family::V6 {
            set_v6only(s.fd())?;
        }
        set_reuse_addr(s.fd())?;
        return listen_on(s, &ai.addr, backlog, None);
    }
    if policy.bind_error_with_errno {
        return Err(AnetError::new(last.0, format_args!("unable to bind socket, errno: {}", last.0)));
    }
    Err(AnetError::new(last.0, format_args!("unable to bind socket")))
}

/// A unix-domain listener at `path`. With `perm != 0` the socket file's
/// mode is set between bind and listen (deliberate difference: the
/// reference does it after listen, the CVE-2023-45145 window); chmod's
/// result is ignored as in the reference.
pub fn unix_server(path: &CStr, perm: u32, backlog: i32) -> AnetResult<i32> {
    let sa = unix_sockaddr(path)?;
    let s = create_socket(libc::AF_UNIX)?;
    let chmod = if perm != 0 { Some((path, perm)) } else { None };
    listen_on(s, &sa, backlog, chmod)
}

fn listen_on(s: Sock, sa: &SockAddr, backlog: i32, chmod: Option<(&CStr, u32)>) -> AnetResult<i32> {
    socket::bind(s.fd(), sa).map_err(|e| AnetError::sys("bind", e, ""))?;
    if let Some((path, perm)) = chmod {
        let _ = socket::chmod(path, perm);
    }
    socket::listen(s.fd(), backlog).map_err(|e| AnetError::sys("listen", e, ""))?;
    // A listener will accept: hold the spare descriptor from now on, while
    // descriptors are still to be had.
    super::reserve::ensure();
    Ok(s.into_raw())
}
