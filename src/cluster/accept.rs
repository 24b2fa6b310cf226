//! clusterAcceptHandler: up to MAX_CLUSTER_ACCEPTS_PER_CALL connections per
//! readable event, each a non-blocking, TCP_NODELAY, keepalive socket with a
//! new inbound link. When the host does not allow accepting, or descriptors
//! run out, the listener is paused (unwatched, re-armed by a timer) so a
//! level-triggered listener that stays readable cannot spin the loop; the
//! pending connections wait in the kernel's backlog.

use core::fmt;

use super::link::peer_text;
use crate::abi::cluster::MAX_CLUSTER_ACCEPTS_PER_CALL;
use crate::abi::cluster_host::AENET_LOG_VERBOSE;
use crate::anet::accept::{self, Accepted, OutOfFds};
use crate::anet::options;

pub trait Acceptor {
    /// The host allows accepting now (Redis: not while a master loads).
    fn allowed(&self) -> bool;
    /// Stops watching the listener for a while.
    fn pause(&self);
    fn keepalive_interval(&self) -> i32;
    fn log(&self, level: i32, args: fmt::Arguments<'_>);
    /// Makes an inbound link reading frames from `fd`; on failure it logs
    /// and frees the link and the fd itself.
    fn adopt(&self, fd: i32);
}

pub fn on_acceptable(listener: i32, a: &impl Acceptor) {
    if !a.allowed() {
        return a.pause();
    }
    for _ in 0..MAX_CLUSTER_ACCEPTS_PER_CALL {
        let (cfd, peer) = match accept::tcp_accept(listener, Accepted::AsIs, OutOfFds::Keep) {
            Ok(ok) => ok,
            Err(e) => {
                if e.errno != libc::EWOULDBLOCK {
                    a.log(AENET_LOG_VERBOSE, format_args!("Error accepting cluster node: {e}"));
                }
                if e.errno == libc::EMFILE || e.errno == libc::ENFILE {
                    a.pause();
                }
                return;
            }
        };
        let _ = options::set_nonblock(cfd);
        let _ = options::set_tcp_nodelay(cfd, true);
        let _ = options::keepalive(cfd, a.keepalive_interval());
        a.log(AENET_LOG_VERBOSE, format_args!("Accepted cluster node {}", peer_text(peer)));
        a.adopt(cfd);
    }
}
