//! Peer and local names (anetPeerToString, anetSockName, anetFormat*).

use super::addr::Endpoint;
use crate::sys::sockaddr::SockAddr;
use crate::sys::{Errno, socket};

/// The connected peer of `fd` (getpeername).
pub fn peer_name(fd: i32) -> Result<Endpoint, Errno> {
    let mut sa = SockAddr::empty();
    socket::getpeername(fd, &mut sa)?;
    Ok(Endpoint::from_sockaddr(&sa))
}

/// The local address of `fd` (getsockname).
pub fn sock_name(fd: i32) -> Result<Endpoint, Errno> {
    let mut sa = SockAddr::empty();
    socket::getsockname(fd, &mut sa)?;
    Ok(Endpoint::from_sockaddr(&sa))
}

/// What anetFormatPeer / anetFormatSock print: the endpoint, or "?" and
/// port 0 when the name cannot be had or the family is unknown.
fn text_and_port(r: Result<Endpoint, Errno>) -> (super::addr::IpText, i32) {
    match r {
        Ok(ep @ (Endpoint::Ip { .. } | Endpoint::Unix)) => (ep.text(), i32::from(ep.port())),
        _ => (Endpoint::Other(0).text(), 0),
    }
}

/// Writes `ip:port` (or `[ip]:port` when `ip` contains ':') into `out`
/// like snprintf: truncated, NUL-terminated when `out` is not empty.
/// Returns the full length the text needs, without the NUL.
pub fn format_addr(out: &mut [u8], ip: &[u8], port: i32) -> usize {
    let mut digits = [0u8; 12];
    let digits = super::port::int_text(port, &mut digits);
    let v6 = ip.contains(&b':');
    let parts: [&[u8]; 5] = if v6 { [b"[", ip, b"]", b":", digits] } else { [b"", ip, b"", b":", digits] };
    let mut w = crate::bounded::Bounded::new(out);
    for p in parts {
        w.push(p);
    }
    w.terminate()
}

/// anetFormatPeer: the peer of `fd` as "ip:port" / "[ip]:port".
pub fn format_peer(fd: i32, out: &mut [u8]) -> usize {
    let (ip, port) = text_and_port(peer_name(fd));
    format_addr(out, ip.as_bytes(), port)
}

/// anetFormatSock: the local address of `fd` as "ip:port" / "[ip]:port".
pub fn format_sock(fd: i32, out: &mut [u8]) -> usize {
    let (ip, port) = text_and_port(sock_name(fd));
    format_addr(out, ip.as_bytes(), port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(len: usize, ip: &str, port: i32) -> (String, usize) {
        let mut b = vec![0xAAu8; len];
        let n = format_addr(&mut b, ip.as_bytes(), port);
        let s = b.iter().position(|&c| c == 0).map(|z| String::from_utf8_lossy(&b[..z]).into_owned());
        (s.unwrap_or_else(|| "<no nul>".into()), n)
    }

    #[test]
    fn format_addr_like_snprintf() {
        assert_eq!(fmt(64, "1.2.3.4", 80), ("1.2.3.4:80".into(), 10));
        assert_eq!(fmt(64, "::1", 6379), ("[::1]:6379".into(), 10));
        assert_eq!(fmt(5, "::1", 6379), ("[::1".into(), 10));
        assert_eq!(fmt(1, "::1", 6379), ("".into(), 10));
        assert_eq!(fmt(0, "::1", 6379).1, 10);
        assert_eq!(fmt(64, "?", 0), ("?:0".into(), 3));
        assert_eq!(fmt(64, "x", -1), ("x:-1".into(), 4));
    }
}
