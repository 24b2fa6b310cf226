//! anetGenericResolve: the first address getaddrinfo gives for a name.

use core::ffi::CStr;

use super::addr::IpText;
use super::error::{AnetError, AnetResult};
use crate::sys::netdb::{self, Hints};
use crate::sys::sockaddr::Decoded;

/// Resolves `host` (AF_UNSPEC, SOCK_STREAM; numeric only when `ip_only`)
/// and returns the first result's address text, in glibc's order.
pub fn resolve(host: Option<&CStr>, ip_only: bool) -> AnetResult<IpText> {
    let hints = Hints {
        flags: if ip_only { libc::AI_NUMERICHOST } else { 0 },
        family: libc::AF_UNSPEC,
        socktype: libc::SOCK_STREAM,
    };
    let list = netdb::getaddrinfo(host, None, &hints).map_err(AnetError::gai)?;
    let first = list.iter().next();
    match first.map(|ai| ai.addr.decode()) {
        Some(Decoded::V4 { addr, .. }) => Ok(IpText::ntop(libc::AF_INET, &addr)),
        Some(Decoded::V6 { addr, .. }) => Ok(IpText::ntop(libc::AF_INET6, &addr)),
        // getaddrinfo with AF_UNSPEC answers only IPv4/IPv6, never empty.
        _ => Err(AnetError::gai(libc::EAI_FAMILY)),
    }
}
