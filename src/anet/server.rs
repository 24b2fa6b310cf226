//! Listening sockets (anetTcpServer, anetTcp6Server, anetUnixServer).

use core::ffi::CStr;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};

use super::error::{AnetError, AnetResult, StrError};
use super::options::{set_reuse_addr, set_v6only};
use super::policy::Policy;
use super::port::PortStr;
use super::sock::{self, SocketFlags};
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

/// A blocking TCP listener on `bindaddr` (NULL: the wildcard; 6.2+ also
/// "*", and "::*" for IPv6) and `port`. Only the first address whose
/// socket() succeeds is used; a failure after that ends the call. When no
/// socket can be created the text is "unable to bind socket" (3.2+:
/// ", errno: %d" added) and errno that of the last socket() call.
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
    let wildcard = |b: &CStr| b == c"*" || (family == Family::V6 && b == c"::*");
    let bindaddr = bindaddr.filter(|b| !(policy.wildcard_bind_addrs && wildcard(b)));
    let hints = Hints { flags: libc::AI_PASSIVE, family: af, socktype: libc::SOCK_STREAM };
    let list = netdb::getaddrinfo(bindaddr, Some(port.as_cstr()), &hints).map_err(AnetError::gai)?;
    let mut last = Errno(errno());
    for ai in list.iter() {
        let s = match socket::socket(ai.family, ai.socktype, ai.protocol) {
            Ok(s) => s,
            Err(e) => {
                last = e;
                continue;
            }
        };
        if family == Family::V6 {
            set_v6only(s.as_raw_fd())?;
        }
        set_reuse_addr(s.as_raw_fd())?;
        return listen_on(s, &ai.addr, backlog, None, None);
    }
    if policy.bind_error_with_errno {
        return Err(AnetError::new(last.0, format_args!("unable to bind socket, errno: {}", last.0)));
    }
    Err(AnetError::new(last.0, format_args!("unable to bind socket")))
}

/// A unix-domain listener at `path`. With `perm != 0` the socket file's
/// mode is set between bind and listen (deliberate difference before the
/// CVE-2023-45145 fix: the reference did it after listen); chmod's result
/// is ignored as in the reference. With `group` (Valkey 8) the file's
/// group is set too ("getgrnam error for group '%s': %s", "chown error for
/// group '%s': %s"). Valkey 8 creates it close-on-exec and non-blocking,
/// without SO_REUSEADDR; earlier generations blocking, with it.
pub fn unix_server(path: &CStr, perm: u32, backlog: i32, group: Option<&CStr>, policy: &Policy) -> AnetResult<i32> {
    let sa = unix_sockaddr(path)?;
    let flags = if policy.sockets_cloexec {
        SocketFlags { cloexec: true, nonblock: true, reuse_addr: false }
    } else {
        SocketFlags { reuse_addr: true, ..SocketFlags::default() }
    };
    let s = sock::create(libc::AF_UNIX, libc::SOCK_STREAM, 0, flags)?;
    let chmod = if perm != 0 { Some((path, perm)) } else { None };
    listen_on(s, &sa, backlog, chmod, group.map(|g| (path, g)))
}

fn listen_on(
    s: OwnedFd,
    sa: &SockAddr,
    backlog: i32,
    chmod: Option<(&CStr, u32)>,
    group: Option<(&CStr, &CStr)>,
) -> AnetResult<i32> {
    socket::bind(s.as_raw_fd(), sa).map_err(|e| AnetError::sys("bind", e, ""))?;
    if let Some((path, perm)) = chmod {
        let _ = socket::chmod(path, perm);
    }
    if let Some((path, group)) = group {
        set_group(path, group)?;
    }
    socket::listen(s.as_raw_fd(), backlog).map_err(|e| AnetError::sys("listen", e, ""))?;
    // A listener will accept: hold the spare descriptor from now on, while
    // descriptors are still to be had.
    super::reserve::ensure();
    Ok(s.into_raw_fd())
}

fn set_group(path: &CStr, group: &CStr) -> AnetResult<()> {
    let name = crate::bounded::Lossy(group.to_bytes());
    let gid = match netdb::group_id(group) {
        Ok(Some(gid)) => gid,
        Ok(None) => {
            let e = errno();
            return Err(AnetError::new(e, format_args!("getgrnam error for group '{name}': {}", StrError(e))));
        }
        Err(e) => return Err(AnetError::new(e, format_args!("getgrnam error for group '{name}': {}", StrError(e)))),
    };
    socket::chown_group(path, gid)
        .map_err(|e| AnetError::new(e.0, format_args!("chown error for group '{name}': {}", StrError(e.0))))
}
