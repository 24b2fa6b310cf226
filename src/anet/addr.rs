//! Addresses as anet reports them: IP text formatted by glibc's
//! inet_ntop into a fixed stack buffer, or the unix-socket marker.

use core::fmt;

use crate::sys::netdb::{self, INET6_ADDRSTRLEN};
use crate::sys::sockaddr::{Decoded, SockAddr};

/// What anet reports for a unix-domain endpoint (reference text).
pub const UNIX_SOCKET_TEXT: &[u8] = b"/unixsocket";

/// An address in text form, at most INET6_ADDRSTRLEN-1 bytes, no NUL.
#[derive(Clone, Copy)]
pub struct IpText {
    buf: [u8; INET6_ADDRSTRLEN],
    len: usize,
}

impl IpText {
    fn from_bytes(b: &[u8]) -> Self {
        let mut t = IpText { buf: [0; INET6_ADDRSTRLEN], len: 0 };
        let n = b.len().min(INET6_ADDRSTRLEN - 1);
        t.buf[..n].copy_from_slice(&b[..n]);
        t.len = n;
        t
    }

    /// inet_ntop of an IPv4 or IPv6 address (4 or 16 bytes).
    pub fn ntop(af: i32, addr: &[u8]) -> Self {
        let mut buf = [0u8; INET6_ADDRSTRLEN];
        // The buffer holds any address text, so inet_ntop cannot run out
        // of room; for an impossible failure report an empty string.
        let len = netdb::ntop(af, addr, &mut buf).unwrap_or(0);
        IpText { buf, len: len.min(INET6_ADDRSTRLEN - 1) }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The text as &str (inet_ntop output is ASCII).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl fmt::Debug for IpText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for IpText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The far or near end of a socket, as anet tells them apart.
#[derive(Clone, Copy, Debug)]
pub enum Endpoint {
    /// AF_INET or AF_INET6: address text and port.
    Ip { ip: IpText, port: u16 },
    /// AF_UNIX: reported as "/unixsocket", port 0.
    Unix,
    /// Any other address family.
    Other(i32),
}

impl Endpoint {
    pub fn from_sockaddr(sa: &SockAddr) -> Self {
        match sa.decode() {
            Decoded::V4 { addr, port } => Endpoint::Ip { ip: IpText::ntop(libc::AF_INET, &addr), port },
            Decoded::V6 { addr, port } => Endpoint::Ip { ip: IpText::ntop(libc::AF_INET6, &addr), port },
            Decoded::Unix => Endpoint::Unix,
            Decoded::Other(f) => Endpoint::Other(f),
        }
    }

    /// The text anet writes into `ip`: the address, "/unixsocket", or "?"
    /// for an unknown family.
    pub fn ip_bytes(&self) -> &[u8] {
        match self {
            Endpoint::Ip { ip, .. } => ip.as_bytes(),
            Endpoint::Unix => UNIX_SOCKET_TEXT,
            Endpoint::Other(_) => b"?",
        }
    }

    /// The port anet reports: the address's port, 0 for anything else.
    pub fn port(&self) -> u16 {
        match self {
            Endpoint::Ip { port, .. } => *port,
            _ => 0,
        }
    }

    pub(crate) fn text(&self) -> IpText {
        IpText::from_bytes(self.ip_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntop_matches_glibc_forms() {
        assert_eq!(IpText::ntop(libc::AF_INET, &[1, 2, 3, 4]).as_str(), "1.2.3.4");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(IpText::ntop(libc::AF_INET6, &v6).as_str(), "::1");
        let mut mapped = [0u8; 16];
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        mapped[12..].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(IpText::ntop(libc::AF_INET6, &mapped).as_str(), "::ffff:1.2.3.4");
    }
}
