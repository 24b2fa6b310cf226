//! One bus link's I/O: reading frames (checked prefix, then a buffer that
//! grows with what arrived), writing the queue, queueing messages. The
//! buffers are the host's sds strings, reached through `LinkBuffers`; the
//! rest of the server (its hooks, the event loop) through `Bus`. Both are
//! implemented at the FFI edge.

use core::fmt;

use super::frame::{self, Limits};
use super::registry;
use crate::abi::cluster_host::{AENET_LOG_DEBUG, AENET_LOG_WARNING};
use crate::anet::Endpoint;
use crate::anet::error::StrError;
use crate::sys::fd;

/// Receive-buffer capacity kept between frames; larger buffers are given
/// back after the frame that needed them.
pub const RCVBUF_KEEP: usize = 16 * 1024;

/// A link's fd and buffers. A handle: copies name the same link.
pub trait LinkBuffers: Copy + PartialEq {
    /// The link's identity in the registry.
    fn id(self) -> usize;
    fn fd(self) -> i32;
    /// The bytes of the frame being received.
    fn received(&self) -> &[u8];
    /// Bytes allocated for the receive buffer.
    fn received_alloc(&self) -> usize;
    /// At least `add` spare bytes after what was received; false when
    /// memory is exhausted (nothing changed).
    fn reserve_received(&mut self, add: usize) -> bool;
    fn received_spare(&mut self) -> &mut [u8];
    fn commit_received(&mut self, n: usize);
    /// Empties the receive buffer for the next frame, keeping at most
    /// `keep` bytes of capacity.
    fn restart_received(&mut self, keep: usize);
    fn queued(&self) -> &[u8];
    fn drop_queued(&mut self, n: usize);
    /// Appends to the send queue; false when memory is exhausted.
    fn queue(&mut self, bytes: &[u8]) -> bool;
}

/// What the link layer asks of the rest of the server.
pub trait Bus<L: LinkBuffers> {
    fn limits(&self) -> Limits;
    fn max_pending(&self) -> usize;
    fn log(&self, level: i32, args: fmt::Arguments<'_>);
    /// Hands the whole frame in the receive buffer to the host; false when
    /// the host freed the link.
    fn deliver(&self, link: L) -> bool;
    /// Frees the link (handleLinkIOError).
    fn free(&self, link: L);
    /// The live link the registry names `id`.
    fn link_at(&self, id: usize) -> L;
    /// Watches the link's fd for writability; false when that failed.
    fn arm_writable(&self, link: L) -> bool;
    fn disarm_writable(&self, link: L);
    /// clusterSendMessage queued `msg` (the host's sent counter).
    fn message_sent(&self, msg: &[u8]);
}

struct Peer(Endpoint);

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Endpoint::Ip { ip, port } => write!(f, "{ip}:{port}"),
            Endpoint::Unix => f.write_str("/unixsocket:0"),
            Endpoint::Other(family) => write!(f, "?(family {family}):0"),
        }
    }
}

pub fn peer_of(fd: i32) -> impl fmt::Display {
    Peer(crate::anet::peer_name(fd).unwrap_or(Endpoint::Other(0)))
}

pub fn peer_text(ep: Endpoint) -> impl fmt::Display {
    Peer(ep)
}

/// clusterReadHandler: reads frames until the socket would block. The
/// 8-byte prefix first (checked: "RCmb", min_len <= totlen <= the bound),
/// then the rest into the receive buffer, which grows with the bytes that
/// arrive (at most doubling per read), not with the length the prefix
/// claims; each whole frame goes to the host. Until a link has delivered
/// its first frame its buffer counts against the bound on unproven links.
pub fn on_readable<L: LinkBuffers>(mut link: L, bus: &impl Bus<L>) {
    let limits = bus.limits();
    loop {
        let (buffered, want) = {
            let r = link.received();
            (r.len(), frame::next_read(r, &limits))
        };
        let Ok(want) = want else {
            bus.log(AENET_LOG_WARNING, format_args!("Bad message length or signature received from Cluster bus."));
            return bus.free(link);
        };
        let budget = frame::read_budget(buffered, want, limits.read_chunk);
        let before = link.received_alloc();
        if !link.reserve_received(budget) {
            bus.log(AENET_LOG_WARNING, format_args!("Out of memory reading a cluster bus frame"));
            return bus.free(link);
        }
        let held = link.received_alloc();
        if held != before && !within_pending_bound(link, held, bus) {
            return;
        }
        let fd = link.fd();
        let read = {
            let spare = link.received_spare();
            let n = spare.len().min(want);
            fd::read(fd, &mut spare[..n])
        };
        match read {
            Ok(n) if n > 0 => link.commit_received(n),
            Ok(_) => {
                bus.log(AENET_LOG_DEBUG, format_args!("I/O error reading from node link: connection closed"));
                return bus.free(link);
            }
            Err(e) if e.0 == libc::EINTR => continue,
            Err(e) if e.0 == libc::EAGAIN => return,
            Err(e) => {
                bus.log(AENET_LOG_DEBUG, format_args!("I/O error reading from node link: {}", StrError(e.0)));
                return bus.free(link);
            }
        }
        if frame::is_complete(link.received()) {
            registry::mark_proven(link.id());
            if !bus.deliver(link) {
                return;
            }
            link.restart_received(RCVBUF_KEEP);
        }
    }
}

/// Records what `link` holds; when the unproven links together pass the
/// bound, frees the one holding the most and logs it. False when that was
/// `link` itself.
fn within_pending_bound<L: LinkBuffers>(link: L, held: usize, bus: &impl Bus<L>) -> bool {
    let bound = bus.max_pending();
    let Some(over) = registry::note_held(link.id(), held, bound) else { return true };
    let victim = bus.link_at(over.largest);
    bus.log(
        AENET_LOG_WARNING,
        format_args!(
            "Closing cluster bus link from {}: {} bytes buffered by links that have not sent a complete message \
             yet (limit {bound}), {} of them by this one",
            peer_of(victim.fd()),
            over.total,
            over.largest_held
        ),
    );
    bus.free(victim);
    victim != link
}

/// clusterWriteHandler: drains the send queue until the kernel would block;
/// disarms the writable event once it is empty. EAGAIN keeps the link (the
/// reference freed it); EINTR is retried.
pub fn on_writable<L: LinkBuffers>(mut link: L, bus: &impl Bus<L>) {
    loop {
        let written = {
            let q = link.queued();
            if q.is_empty() {
                return bus.disarm_writable(link);
            }
            fd::write(link.fd(), q)
        };
        match written {
            Ok(n) if n > 0 => link.drop_queued(n),
            Ok(_) => {
                bus.log(AENET_LOG_DEBUG, format_args!("I/O error writing to node link: short write"));
                return bus.free(link);
            }
            Err(e) if e.0 == libc::EINTR => continue,
            Err(e) if e.0 == libc::EAGAIN => return,
            Err(e) => {
                bus.log(AENET_LOG_DEBUG, format_args!("I/O error writing to node link: {}", StrError(e.0)));
                return bus.free(link);
            }
        }
    }
}

/// clusterSendMessage: queues `msg` and arms the writable event when the
/// queue was empty. Never frees the link, so handlers may call it freely.
pub fn send<L: LinkBuffers>(mut link: L, msg: &[u8], bus: &impl Bus<L>) {
    if link.queued().is_empty() && !msg.is_empty() && !bus.arm_writable(link) {
        bus.log(
            AENET_LOG_WARNING,
            format_args!(
                "Unable to arm the cluster bus write handler on fd {}: {}",
                link.fd(),
                StrError(crate::sys::errno())
            ),
        );
    }
    if !msg.is_empty() && !link.queue(msg) {
        bus.log(AENET_LOG_WARNING, format_args!("Out of memory queueing a {} bytes cluster bus message", msg.len()));
    }
    bus.message_sent(msg);
}
