//! The seven link-layer functions of Redis 3.0.7's cluster.c. They read and
//! write the C-visible `clusterLink` (the host's clusterCron sets `fd`
//! itself) and its sds buffers; framing decisions come from the safe core.
#![allow(non_snake_case)]

use core::ffi::{c_int, c_uchar, c_void};
use core::fmt;
use core::ptr;

use crate::abi::ae::{AE_ERR, AE_NOMORE, AE_READABLE, AE_WRITABLE, aeEventLoop};
use crate::abi::cluster::{MAX_CLUSTER_ACCEPTS_PER_CALL, clusterLink, clusterNode};
use crate::abi::cluster_host::{
    AENET_CLUSTER_ACCEPT_RETRY_MS, AENET_LOG_DEBUG, AENET_LOG_VERBOSE, AENET_LOG_WARNING, aenetClusterHost,
};
use crate::anet::addr::Endpoint;
use crate::anet::error::StrError;
use crate::anet::{accept, options};
use crate::cluster::{frame, host, registry};
use crate::errbuf::ErrText;
use crate::ffi::ae::{LAST_LOOP, aeCreateFileEvent, aeCreateTimeEvent, aeDeleteFileEvent};
use crate::ffi::sds;
use crate::sys::{self, time};

/// Receive-buffer capacity kept between frames; larger buffers are given
/// back after the frame that needed them.
const RCVBUF_KEEP: usize = 16 * 1024;

fn log(h: &aenetClusterHost, level: c_int, args: fmt::Arguments<'_>) {
    let Some(f) = h.log else { return };
    let text = ErrText::format(args);
    // SAFETY: the host's log hook gets a NUL-terminated string valid for the call.
    unsafe { f(level, text.with_nul().as_ptr().cast()) }
}

fn event_loop(h: &aenetClusterHost) -> *mut aeEventLoop {
    match h.eventLoop {
        // SAFETY: the host's hook takes no arguments.
        Some(f) => unsafe { f() },
        None => LAST_LOOP.load(core::sync::atomic::Ordering::Acquire),
    }
}

fn live(link: *mut clusterLink) -> bool {
    !link.is_null() && registry::contains(link as usize)
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

/// A new link for `node` (NULL for inbound links): no fd, empty buffers,
/// no events. NULL with errno ENOMEM when memory is exhausted.
#[unsafe(no_mangle)]
pub extern "C" fn createClusterLink(node: *mut clusterNode) -> *mut clusterLink {
    let (snd, rcv) = (sds::empty(), sds::empty());
    if snd.is_null() || rcv.is_null() {
        // SAFETY: each is NULL or a fresh sds.
        unsafe {
            sds::free(snd);
            sds::free(rcv);
        }
        sys::set_errno(libc::ENOMEM);
        return ptr::null_mut();
    }
    let link = Box::into_raw(Box::new(clusterLink { ctime: time::wall_ms(), fd: -1, sndbuf: snd, rcvbuf: rcv, node }));
    registry::insert(link as usize);
    link
}

/// Unregisters the fd's events (one call), drops both buffers (unsent data
/// is lost, as in the reference), detaches the node, closes the fd. A NULL,
/// unknown or already freed link is ignored.
///
/// # Safety
/// `link` is NULL or a pointer this library handed out.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn freeClusterLink(link: *mut clusterLink) {
    if link.is_null() || !registry::remove(link as usize) {
        return;
    }
    let h = host::get();
    // SAFETY: link was live (just removed from the registry) and is freed once.
    unsafe {
        let fd = (*link).fd;
        if fd != -1 {
            aeDeleteFileEvent(event_loop(&h), fd, AE_READABLE | AE_WRITABLE);
        }
        sds::free((*link).sndbuf);
        sds::free((*link).rcvbuf);
        let node = (*link).node;
        if !node.is_null() && (*node).link == link {
            (*node).link = ptr::null_mut();
        }
        if fd != -1 {
            let _ = sys::fd::close(fd);
        }
        drop(Box::from_raw(link));
    }
}

/// # Safety
/// As freeClusterLink.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn handleLinkIOError(link: *mut clusterLink) {
    // SAFETY: forwarded contract.
    unsafe { freeClusterLink(link) }
}

/// Queues `msglen` bytes and arms the writable event when the queue was
/// empty. Never frees the link, so handlers may call it freely.
///
/// # Safety
/// `link` is NULL or a pointer this library handed out; `msg` points to
/// `msglen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterSendMessage(link: *mut clusterLink, msg: *mut c_uchar, msglen: usize) {
    if !live(link) {
        return;
    }
    let h = host::get();
    // SAFETY: link is live; msg holds msglen bytes by contract.
    unsafe {
        let snd = (*link).sndbuf;
        if sds::len(snd) == 0 && msglen != 0 {
            let el = event_loop(&h);
            if aeCreateFileEvent(el, (*link).fd, AE_WRITABLE, Some(clusterWriteHandler), link.cast()) == AE_ERR {
                log(
                    &h,
                    AENET_LOG_WARNING,
                    format_args!(
                        "Unable to arm the cluster bus write handler on fd {}: {}",
                        (*link).fd,
                        StrError(sys::errno())
                    ),
                );
            }
        }
        if msglen != 0 && !msg.is_null() {
            match sds::cat(snd, core::slice::from_raw_parts(msg, msglen)) {
                Some(s) => (*link).sndbuf = s,
                None => log(
                    &h,
                    AENET_LOG_WARNING,
                    format_args!("Out of memory queueing a {msglen} bytes cluster bus message"),
                ),
            }
        }
        match h.messageSent {
            Some(f) => f(),
            None => host::count_sent(),
        }
    }
}

/// Drains the send queue until the kernel would block; disarms the
/// writable event once it is empty. EAGAIN keeps the link (the reference
/// freed it); EINTR is retried.
///
/// # Safety
/// `privdata` is the link the event was registered with.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterWriteHandler(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int) {
    let _ = mask;
    let link = privdata.cast::<clusterLink>();
    if !live(link) {
        return;
    }
    let h = host::get();
    loop {
        // SAFETY: link is live; the slice is dropped before the buffer changes.
        let result = unsafe {
            let snd = (*link).sndbuf;
            if sds::len(snd) == 0 {
                aeDeleteFileEvent(el, (*link).fd, AE_WRITABLE);
                return;
            }
            sys::fd::write(fd, sds::bytes(snd))
        };
        match result {
            // SAFETY: link is live.
            Ok(n) if n > 0 => unsafe { sds::drop_front((*link).sndbuf, n) },
            Ok(_) => {
                log(&h, AENET_LOG_DEBUG, format_args!("I/O error writing to node link: short write"));
                // SAFETY: link is live.
                return unsafe { handleLinkIOError(link) };
            }
            Err(e) if e.0 == libc::EINTR => continue,
            Err(e) if e.0 == libc::EAGAIN => return,
            Err(e) => {
                log(&h, AENET_LOG_DEBUG, format_args!("I/O error writing to node link: {}", StrError(e.0)));
                // SAFETY: link is live.
                return unsafe { handleLinkIOError(link) };
            }
        }
    }
}

/// Reads frames until the socket would block: the 8-byte prefix first
/// (checked: "RCmb", 2208 <= totlen <= the bound), then the rest into
/// link->rcvbuf, which grows with the bytes that arrive (at most doubling
/// per read), not with the length the prefix claims; each whole frame goes
/// to the host's processPacket. Until a link has delivered its first frame
/// its buffer counts against the bound on unproven links.
///
/// # Safety
/// `privdata` is the link the event was registered with.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterReadHandler(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int) {
    let _ = (el, mask);
    let link = privdata.cast::<clusterLink>();
    if !live(link) {
        return;
    }
    let h = host::get();
    let max = host::max_frame(&h);
    loop {
        // SAFETY: link is live and its rcvbuf a live sds; slices end before it changes.
        let (buffered, want) = unsafe {
            let rcv = sds::bytes((*link).rcvbuf);
            (rcv.len(), frame::next_read(rcv, max))
        };
        let Ok(want) = want else {
            log(&h, AENET_LOG_WARNING, format_args!("Bad message length or signature received from Cluster bus."));
            // SAFETY: link is live.
            return unsafe { handleLinkIOError(link) };
        };
        let budget = frame::read_budget(buffered, want);
        // SAFETY: link is live; reserve returns the moved buffer or leaves it.
        let (rcv, grew) = unsafe {
            let old = sds::alloc_size((*link).rcvbuf);
            match sds::reserve((*link).rcvbuf, budget, true) {
                Some(s) => (s, sds::alloc_size(s) != old),
                None => {
                    log(&h, AENET_LOG_WARNING, format_args!("Out of memory reading a cluster bus frame"));
                    return handleLinkIOError(link);
                }
            }
        };
        // SAFETY: link is live.
        unsafe { (*link).rcvbuf = rcv };
        // SAFETY: rcv is the link's live buffer.
        if grew && unsafe { !within_pending_bound(&h, link, sds::alloc_size(rcv)) } {
            return;
        }
        // SAFETY: reserve left at least `budget` spare bytes.
        let read = unsafe {
            let spare = sds::spare(rcv);
            let n = spare.len().min(want);
            sys::fd::read(fd, &mut spare[..n])
        };
        match read {
            // SAFETY: n <= the spare bytes that were written.
            Ok(n) if n > 0 => unsafe { sds::grow_len(rcv, n) },
            Ok(_) => {
                log(&h, AENET_LOG_DEBUG, format_args!("I/O error reading from node link: connection closed"));
                // SAFETY: link is live.
                return unsafe { handleLinkIOError(link) };
            }
            Err(e) if e.0 == libc::EINTR => continue,
            Err(e) if e.0 == libc::EAGAIN => return,
            Err(e) => {
                log(&h, AENET_LOG_DEBUG, format_args!("I/O error reading from node link: {}", StrError(e.0)));
                // SAFETY: link is live.
                return unsafe { handleLinkIOError(link) };
            }
        }
        // SAFETY: rcv is the link's live buffer.
        if unsafe { frame::is_complete(sds::bytes(rcv)) } {
            registry::mark_proven(link as usize);
            let keep = match h.processPacket {
                // SAFETY: the host's hook gets the live link with one whole frame in rcvbuf.
                Some(f) => unsafe { f(link) },
                None => 1,
            };
            if keep == 0 || !live(link) {
                return;
            }
            // SAFETY: link is still live.
            unsafe { (*link).rcvbuf = sds::clear((*link).rcvbuf, RCVBUF_KEEP) };
        }
    }
}

/// Records what `link` holds; when the unproven links together pass the
/// bound, closes the one holding the most and logs it. False when that was
/// `link` itself.
///
/// # Safety
/// `link` is live.
unsafe fn within_pending_bound(h: &aenetClusterHost, link: *mut clusterLink, held: usize) -> bool {
    let bound = host::max_pending(h);
    let Some(over) = registry::note_held(link as usize, held, bound) else { return true };
    let victim = over.largest as *mut clusterLink;
    // SAFETY: the registry names only live links.
    let peer = unsafe { link_peer((*victim).fd) };
    log(
        h,
        AENET_LOG_WARNING,
        format_args!(
            "Closing cluster bus link from {peer}: {} bytes buffered by links that have not sent a complete \
             message yet (limit {bound}), {} of them by this one",
            over.total, over.largest_held
        ),
    );
    // SAFETY: victim is live (named by the registry).
    unsafe { freeClusterLink(victim) };
    victim != link
}

fn link_peer(fd: c_int) -> Peer {
    Peer(crate::anet::peer_name(fd).unwrap_or(Endpoint::Other(0)))
}

struct PausedListener {
    fd: c_int,
    privdata: *mut c_void,
}

/// Stops watching a listening socket for a while: used when the host does
/// not allow accepting, or when fds run out, so a socket that stays
/// readable does not spin the loop (level-triggered). Pending connections
/// wait in the kernel's backlog.
fn pause_accept(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void) {
    let paused = Box::into_raw(Box::new(PausedListener { fd, privdata }));
    // SAFETY: el is the loop that dispatched the accept handler.
    unsafe {
        aeDeleteFileEvent(el, fd, AE_READABLE);
        let id = aeCreateTimeEvent(
            el,
            AENET_CLUSTER_ACCEPT_RETRY_MS as i64,
            Some(resume_accept),
            paused.cast(),
            Some(free_paused),
        );
        if id == AE_ERR as i64 {
            drop(Box::from_raw(paused));
            aeCreateFileEvent(el, fd, AE_READABLE, Some(clusterAcceptHandler), privdata);
        }
    }
}

unsafe extern "C" fn resume_accept(el: *mut aeEventLoop, id: i64, data: *mut c_void) -> c_int {
    let _ = id;
    // SAFETY: data is the PausedListener owned by this timer until its finalizer.
    let p = unsafe { &*data.cast::<PausedListener>() };
    // SAFETY: el is the loop running this timer.
    unsafe { aeCreateFileEvent(el, p.fd, AE_READABLE, Some(clusterAcceptHandler), p.privdata) };
    AE_NOMORE
}

unsafe extern "C" fn free_paused(el: *mut aeEventLoop, data: *mut c_void) {
    let _ = el;
    // SAFETY: the timer's finalizer runs once and owns the box.
    drop(unsafe { Box::from_raw(data.cast::<PausedListener>()) });
}

/// Accepts up to 1000 bus connections per readable event: each becomes a
/// non-blocking, TCP_NODELAY, keepalive socket with a new inbound link
/// reading frames. An fd that cannot be registered is closed with its link.
///
/// # Safety
/// `el` is the loop dispatching the event and `fd` a listening socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterAcceptHandler(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int) {
    let _ = mask;
    let h = host::get();
    if let Some(allowed) = h.acceptAllowed {
        // SAFETY: the host's hook takes no arguments.
        if unsafe { allowed() } == 0 {
            pause_accept(el, fd, privdata);
            return;
        }
    }
    for _ in 0..MAX_CLUSTER_ACCEPTS_PER_CALL {
        let (cfd, peer) = match accept::tcp_accept(fd, accept::OutOfFds::Keep) {
            Ok(ok) => ok,
            Err(e) => {
                if e.errno != libc::EWOULDBLOCK {
                    log(&h, AENET_LOG_VERBOSE, format_args!("Error accepting cluster node: {e}"));
                }
                if e.errno == libc::EMFILE || e.errno == libc::ENFILE {
                    pause_accept(el, fd, privdata);
                }
                return;
            }
        };
        let _ = options::set_nonblock(cfd);
        let _ = options::set_tcp_nodelay(cfd, true);
        let _ = options::keepalive(cfd, host::keepalive_interval(&h));
        log(&h, AENET_LOG_VERBOSE, format_args!("Accepted cluster node {}", Peer(peer)));
        let link = createClusterLink(ptr::null_mut());
        if link.is_null() {
            let _ = sys::fd::close(cfd);
            continue;
        }
        // SAFETY: link is fresh and live; el is the dispatching loop.
        unsafe {
            (*link).fd = cfd;
            if aeCreateFileEvent(el, cfd, AE_READABLE, Some(clusterReadHandler), link.cast()) == AE_ERR {
                log(
                    &h,
                    AENET_LOG_WARNING,
                    format_args!(
                        "Error registering fd event for the new cluster node fd {cfd}: {}",
                        StrError(sys::errno())
                    ),
                );
                freeClusterLink(link);
            }
        }
    }
}
