//! The socket helpers core: safe Rust, one job per module. Every
//! operation returns `AnetResult`, whose error carries the reference's
//! exact message text and the errno to leave for C callers; the `ffi`
//! layer only moves these into C buffers. Rust callers (the cluster bus)
//! use these functions directly.

// AnetError holds its 256-byte message inline so that no error path
// allocates; the large Err variant is deliberate.
#![allow(clippy::result_large_err)]

pub mod accept;
pub mod addr;
pub mod connect;
pub mod error;
pub mod io;
pub mod names;
pub mod options;
pub mod policy;
pub mod port;
pub mod reserve;
pub mod resolve;
pub mod server;
pub mod sock;
pub mod unix;

pub use accept::{Accepted, OutOfFds, tcp_accept, unix_accept};
pub use addr::{Endpoint, IpText};
pub use connect::{BestEffort, Connect, tcp_connect, tcp_connect_best_effort, unix_connect};
pub use error::{AnetError, AnetResult};
pub use io::{pipe, read_full, write_full};
pub use names::{format_addr, format_peer, format_sock, peer_name, sock_name};
pub use options::{
    cloexec, keepalive, pending_error, recv_timeout, send_timeout, set_block, set_block_as, set_blocking, set_nonblock,
    set_send_buffer, set_sock_mark_id, set_tcp_nodelay, tcp_keepalive,
};
pub use resolve::{Prefer, resolve};
pub use server::{Family, tcp_server, unix_server};

#[cfg(test)]
mod tests {
    //! The core used from Rust, as the cluster bus does.
    use super::*;
    use crate::sys::{fd, socket};

    fn listener() -> (i32, u16) {
        let l = tcp_server(0, Some(c"127.0.0.1"), 16, Family::V4, &crate::generation::redis30::GENERATION.anet)
            .expect("server");
        let port = sock_name(l).expect("sockname").port();
        assert!(port > 0);
        (l, port)
    }

    #[test]
    fn connect_accept_roundtrip() {
        let (l, port) = listener();
        let c = tcp_connect(Some(c"127.0.0.1"), i32::from(port), None, Connect::default()).expect("connect");
        set_nonblock(c).unwrap();
        set_tcp_nodelay(c, true).unwrap();
        assert_eq!(socket::getsockopt_int(c, libc::IPPROTO_TCP, libc::TCP_NODELAY).unwrap(), 1);
        let (a, peer) = tcp_accept(l, Accepted::AsIs, OutOfFds::Shed).expect("accept");
        assert_eq!(peer.ip_bytes(), b"127.0.0.1");
        assert_eq!(peer.port(), sock_name(c).unwrap().port());
        assert_eq!(write_full(a, b"abc").unwrap(), 3);
        let _ = fd::close(a);
        let mut buf = [0u8; 8];
        // Non-blocking read may race the data; switch back to blocking.
        set_blocking(c).unwrap();
        assert_eq!(read_full(c, &mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"abc");
        let mut out = [0u8; 32];
        let n = format_peer(c, &mut out);
        let want = format!("127.0.0.1:{port}");
        assert_eq!(n, want.len());
        assert_eq!(&out[..n], want.as_bytes());
        let _ = fd::close(c);
        let _ = fd::close(l);
    }

    #[test]
    fn errors_carry_text_and_errno() {
        let e = set_block(-1, true).unwrap_err();
        assert_eq!(e.message(), b"fcntl(F_GETFL): Bad file descriptor");
        assert_eq!(e.errno, libc::EBADF);
        let e = tcp_server(70000, None, 16, Family::V4, &crate::generation::redis30::GENERATION.anet).unwrap_err();
        assert_eq!(e.message(), b"invalid port 70000");
        let e = resolve(Some(c"localhost"), true, Prefer::Any).unwrap_err();
        assert_eq!(e.message(), b"Name or service not known");
        assert_eq!(resolve(Some(c"127.1"), false, Prefer::Any).unwrap().as_str(), "127.0.0.1");
    }

    #[test]
    fn best_effort_keeps_first_error() {
        let (l, port) = listener();
        let out = tcp_connect_best_effort(
            Some(c"127.0.0.1"),
            i32::from(port),
            Some(c"1.2.3.4"),
            Connect { nonblock: true, cloexec: false },
        );
        let fd = out.result.expect("retry without source");
        assert_eq!(out.first_error.expect("first error").message(), b"bind: Cannot assign requested address");
        let _ = fd::close(fd);
        let _ = fd::close(l);
    }
}
