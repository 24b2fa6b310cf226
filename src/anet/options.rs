//! Blocking mode and socket options (anetSetBlock, anetKeepAlive,
//! TCP_NODELAY, SO_SNDBUF, SO_SNDTIMEO, SO_REUSEADDR, IPV6_V6ONLY).

use super::error::{AnetError, AnetResult};
use crate::sys::{fd, socket};

/// Sets (`non_block`) or clears O_NONBLOCK. F_SETFL is called even when
/// the flag is already as asked, unless `skip_unchanged` (6.2+).
pub fn set_block_as(fd: i32, non_block: bool, skip_unchanged: bool) -> AnetResult<()> {
    let flags = fd::get_flags(fd).map_err(|e| AnetError::sys("fcntl(F_GETFL)", e, ""))?;
    if skip_unchanged && (flags & libc::O_NONBLOCK != 0) == non_block {
        return Ok(());
    }
    let flags = if non_block { flags | libc::O_NONBLOCK } else { flags & !libc::O_NONBLOCK };
    fd::set_flags(fd, flags).map_err(|e| AnetError::sys("fcntl(F_SETFL,O_NONBLOCK)", e, ""))
}

/// Sets (`non_block`) or clears O_NONBLOCK, always calling F_SETFL.
pub fn set_block(fd: i32, non_block: bool) -> AnetResult<()> {
    set_block_as(fd, non_block, false)
}

/// anetNonBlock.
pub fn set_nonblock(fd: i32) -> AnetResult<()> {
    set_block(fd, true)
}

/// anetBlock.
pub fn set_blocking(fd: i32) -> AnetResult<()> {
    set_block(fd, false)
}

/// anetCloexec: sets FD_CLOEXEC unless set; returns what the last fcntl
/// returned (the flags when already set, 0 after setting), or the errno.
/// EINTR is retried.
pub fn cloexec(fd: i32) -> Result<i32, crate::sys::Errno> {
    let flags = loop {
        match fd::get_fd_flags(fd) {
            Err(e) if e.0 == libc::EINTR => continue,
            r => break r?,
        }
    };
    if flags & libc::FD_CLOEXEC != 0 {
        return Ok(flags);
    }
    loop {
        match fd::set_fd_flags(fd, flags | libc::FD_CLOEXEC) {
            Err(e) if e.0 == libc::EINTR => continue,
            r => return r.map(|()| 0),
        }
    }
}

fn set_int(fd: i32, level: i32, name: i32, value: i32, what: &str, suffix: &str) -> AnetResult<()> {
    socket::setsockopt_int(fd, level, name, value).map_err(|e| AnetError::sys(what, e, suffix))
}

/// anetKeepAlive: SO_KEEPALIVE, then (Linux) TCP_KEEPIDLE = interval,
/// TCP_KEEPINTVL = max(interval/3, 1), TCP_KEEPCNT = 3. A failure leaves
/// the options set before it in place.
pub fn keepalive(fd: i32, interval: i32) -> AnetResult<()> {
    set_int(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1, "setsockopt SO_KEEPALIVE", "")?;
    #[cfg(target_os = "linux")]
    {
        // The reference's messages for these three end in "\n".
        set_int(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, interval, "setsockopt TCP_KEEPIDLE", "\n")?;
        let intvl = match interval / 3 {
            0 => 1,
            v => v,
        };
        set_int(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, intvl, "setsockopt TCP_KEEPINTVL", "\n")?;
        set_int(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3, "setsockopt TCP_KEEPCNT", "\n")?;
    }
    #[cfg(not(target_os = "linux"))]
    let _ = interval;
    Ok(())
}

/// anetTcpKeepAlive: SO_KEEPALIVE only.
pub fn tcp_keepalive(fd: i32) -> AnetResult<()> {
    set_int(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1, "setsockopt SO_KEEPALIVE", "")
}

/// anetEnableTcpNoDelay / anetDisableTcpNoDelay.
pub fn set_tcp_nodelay(fd: i32, on: bool) -> AnetResult<()> {
    set_int(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, i32::from(on), "setsockopt TCP_NODELAY", "")
}

/// anetSetSendBuffer: SO_SNDBUF = buffsize.
pub fn set_send_buffer(fd: i32, buffsize: i32) -> AnetResult<()> {
    set_int(fd, libc::SOL_SOCKET, libc::SO_SNDBUF, buffsize, "setsockopt SO_SNDBUF", "")
}

/// anetSendTimeout: SO_SNDTIMEO of `ms` milliseconds, 0 disables. A
/// negative value reaches the kernel as is (EDOM), like the reference.
pub fn send_timeout(fd: i32, ms: i64) -> AnetResult<()> {
    socket::setsockopt_timeval(fd, libc::SOL_SOCKET, libc::SO_SNDTIMEO, ms / 1000, (ms % 1000) * 1000)
        .map_err(|e| AnetError::sys("setsockopt SO_SNDTIMEO", e, ""))
}

/// anetRecvTimeout: SO_RCVTIMEO of `ms` milliseconds, 0 disables.
pub fn recv_timeout(fd: i32, ms: i64) -> AnetResult<()> {
    socket::setsockopt_timeval(fd, libc::SOL_SOCKET, libc::SO_RCVTIMEO, ms / 1000, (ms % 1000) * 1000)
        .map_err(|e| AnetError::sys("setsockopt SO_RCVTIMEO", e, ""))
}

/// anetSetSockMarkId: SO_MARK on Linux ("setsockopt: %s"); where the
/// platform has no such option, OK with a message in `err`, as the
/// reference.
pub fn set_sock_mark_id(fd: i32, id: u32) -> Result<(), AnetError> {
    #[cfg(target_os = "linux")]
    {
        socket::setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_MARK, id as i32)
            .map_err(|e| AnetError::sys("setsockopt", e, ""))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (fd, id);
        Ok(())
    }
}

/// anetGetError: the socket's pending error (SO_ERROR), or getsockopt's
/// errno when that fails.
pub fn pending_error(fd: i32) -> i32 {
    socket::getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_ERROR).unwrap_or_else(|e| e.0)
}

/// SO_REUSEADDR = 1 (set on every socket anet creates, clients included).
pub(crate) fn set_reuse_addr(fd: i32) -> AnetResult<()> {
    set_int(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1, "setsockopt SO_REUSEADDR", "")
}

/// IPV6_V6ONLY = 1 (anetTcp6Server).
pub(crate) fn set_v6only(fd: i32) -> AnetResult<()> {
    set_int(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1, "setsockopt", "")
}
