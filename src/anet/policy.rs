//! What the socket helpers do differently from one generation to the next;
//! each generation's table (src/generation) sets these once.

/// The meaning of anetFdToString's last argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdToString {
    /// 6.2, 7.0: `fd_to_str_type`, FD_TO_PEER_NAME (0) is the peer.
    ZeroIsPeer,
    /// 7.2+: `remote`, non-zero is the peer.
    NonZeroIsPeer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// "unable to bind socket, errno: %d" (3.2+) instead of 3.0's
    /// "unable to bind socket".
    pub bind_error_with_errno: bool,
    /// anetSetBlock leaves the flags alone when already as asked (6.2+).
    pub set_block_skips_unchanged: bool,
    /// A server bind address of "*" (and "::*" for IPv6) is the wildcard (6.2+).
    pub wildcard_bind_addrs: bool,
    /// Accepted sockets come back non-blocking and close-on-exec (7.0+;
    /// callers stopped setting it).
    pub accept_nonblock_cloexec: bool,
    pub fd_to_string: FdToString,
    /// anetFdToString fails when the address text does not fit (7.0+;
    /// 6.2 failed only on a zero length).
    pub fd_to_string_checks_room: bool,
    /// Client and unix-server sockets are created close-on-exec, unix
    /// servers non-blocking and without SO_REUSEADDR (Valkey 8).
    pub sockets_cloexec: bool,
    /// anetResolve takes ANET_PREFER_IPV4 / ANET_PREFER_IPV6 and falls back
    /// to the other family (Valkey 8).
    pub resolve_prefers_family: bool,
}

impl Policy {
    /// Redis 3.0's behaviour; later tables change what their version changed.
    pub const REDIS30: Policy = Policy {
        bind_error_with_errno: false,
        set_block_skips_unchanged: false,
        wildcard_bind_addrs: false,
        accept_nonblock_cloexec: false,
        fd_to_string: FdToString::ZeroIsPeer,
        fd_to_string_checks_room: false,
        sockets_cloexec: false,
        resolve_prefers_family: false,
    };
}
