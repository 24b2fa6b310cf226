//! anetGenericResolve: the first address getaddrinfo gives for a name.

use core::ffi::CStr;

use super::addr::IpText;
use super::error::{AnetError, AnetResult};
use crate::sys::netdb::{self, Hints};
use crate::sys::sockaddr::Decoded;

/// Which address family a resolution asks for first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefer {
    Any,
    /// Valkey 8's ANET_PREFER_IPV4 / ANET_PREFER_IPV6: that family, then
    /// the other when it has no answer.
    V4,
    V6,
}

/// Resolves `host` (SOCK_STREAM; numeric only when `ip_only`) and returns
/// the first result's address text, in glibc's order.
pub fn resolve(host: Option<&CStr>, ip_only: bool, prefer: Prefer) -> AnetResult<IpText> {
    let family = match prefer {
        Prefer::Any => libc::AF_UNSPEC,
        Prefer::V4 => libc::AF_INET,
        Prefer::V6 => libc::AF_INET6,
    };
    let hints = Hints { flags: if ip_only { libc::AI_NUMERICHOST } else { 0 }, family, socktype: libc::SOCK_STREAM };
    let list = match netdb::getaddrinfo(host, None, &hints) {
        Err(_) if prefer != Prefer::Any => {
            let other = if family == libc::AF_INET { libc::AF_INET6 } else { libc::AF_INET };
            netdb::getaddrinfo(host, None, &Hints { family: other, ..hints })
        }
        r => r,
    }
    .map_err(AnetError::gai)?;
    let first = list.iter().next();
    match first.map(|ai| ai.addr.decode()) {
        Some(Decoded::V4 { addr, .. }) => Ok(IpText::ntop(libc::AF_INET, &addr)),
        Some(Decoded::V6 { addr, .. }) => Ok(IpText::ntop(libc::AF_INET6, &addr)),
        // getaddrinfo with AF_UNSPEC answers only IPv4/IPv6, never empty.
        _ => Err(AnetError::gai(libc::EAI_FAMILY)),
    }
}
