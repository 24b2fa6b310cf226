//! The seven link-layer functions of Redis 3.0–5.0's cluster.c, over the
//! generation's clusterLink and sds format. Each converts its arguments,
//! then runs the core (src/cluster) with this file's `LinkBuffers` (the
//! C-visible link and its sds buffers) and `Bus` (the host's hooks and ae).
#![allow(non_snake_case)]

use core::ffi::{c_int, c_uchar, c_void};
use core::fmt;
use core::marker::PhantomData;
use core::ptr;

use crate::abi::ae_common::{AE_BARRIER, AE_ERR, AE_NOMORE, AE_READABLE, AE_WRITABLE, aeFileProcPtr};
use crate::abi::cluster_host::{AENET_CLUSTER_ACCEPT_RETRY_MS, AENET_LOG_WARNING, aenetClusterHost};
use crate::anet::error::StrError;
use crate::cluster::accept::{self, Acceptor};
use crate::cluster::frame::{self, Limits};
use crate::cluster::link::{self, Bus, LinkBuffers};
use crate::cluster::policy::{Policy, SdsFormat};
use crate::cluster::{host, registry};
use crate::errbuf::ErrText;
use crate::ffi::ae::{aeCreateFileEvent, aeCreateTimeEvent, aeDeleteFileEvent};
use crate::ffi::boundary::{fail_with, refuse};
use crate::ffi::sds::{self, Format, v30::V30, v32::V32};
use crate::generation::current::{self, ae_abi::aeEventLoop, cluster_abi::clusterLink, cluster_abi::clusterNode};
use crate::sys::{self, time};

const POLICY: Policy = match current::GENERATION.cluster {
    Some(p) => p,
    None => panic!("this generation keeps the host's own link layer"),
};

/// Runs `$body` with `$F` the generation's sds format.
macro_rules! with_format {
    ($F:ident => $body:expr) => {
        match POLICY.sds {
            SdsFormat::V30 => {
                type $F = V30;
                $body
            }
            SdsFormat::V32 => {
                type $F = V32;
                $body
            }
        }
    };
}

/// A link this library created and has not freed (checked against the
/// registry at every entry).
struct LinkPtr<F> {
    link: *mut clusterLink,
    _format: PhantomData<F>,
}

impl<F> Clone for LinkPtr<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F> Copy for LinkPtr<F> {}
impl<F> PartialEq for LinkPtr<F> {
    fn eq(&self, other: &Self) -> bool {
        self.link == other.link
    }
}

impl<F: Format> LinkPtr<F> {
    /// None for NULL, unknown and freed links.
    fn live(link: *mut clusterLink) -> Option<Self> {
        (!link.is_null() && registry::contains(link as usize)).then_some(LinkPtr { link, _format: PhantomData })
    }
}

// SAFETY (for every method): `self.link` is live (LinkPtr::live, or named
// by the registry), its sds buffers are this format's, and no C code runs
// while the slices returned live.
impl<F: Format> LinkBuffers for LinkPtr<F> {
    fn id(self) -> usize {
        self.link as usize
    }
    fn fd(self) -> i32 {
        // SAFETY: see the impl.
        unsafe { (*self.link).fd }
    }
    fn received(&self) -> &[u8] {
        // SAFETY: see the impl.
        unsafe { sds::bytes::<F>((*self.link).rcvbuf) }
    }
    fn received_alloc(&self) -> usize {
        // SAFETY: see the impl.
        unsafe { sds::alloc_size::<F>((*self.link).rcvbuf) }
    }
    fn reserve_received(&mut self, add: usize) -> bool {
        // SAFETY: see the impl; the moved buffer replaces the old one.
        unsafe {
            match sds::reserve::<F>((*self.link).rcvbuf, add, true) {
                Some(s) => {
                    (*self.link).rcvbuf = s;
                    true
                }
                None => false,
            }
        }
    }
    fn received_spare(&mut self) -> &mut [u8] {
        // SAFETY: see the impl.
        unsafe { sds::spare::<F>((*self.link).rcvbuf) }
    }
    fn commit_received(&mut self, n: usize) {
        // SAFETY: see the impl.
        unsafe { sds::grow_len::<F>((*self.link).rcvbuf, n) }
    }
    fn restart_received(&mut self, keep: usize) {
        // SAFETY: see the impl.
        unsafe { (*self.link).rcvbuf = sds::clear::<F>((*self.link).rcvbuf, keep) }
    }
    fn queued(&self) -> &[u8] {
        // SAFETY: see the impl.
        unsafe { sds::bytes::<F>((*self.link).sndbuf) }
    }
    fn drop_queued(&mut self, n: usize) {
        // SAFETY: see the impl.
        unsafe { sds::drop_front::<F>((*self.link).sndbuf, n) }
    }
    fn queue(&mut self, bytes: &[u8]) -> bool {
        // SAFETY: see the impl; `bytes` is the caller's message, not the buffer.
        unsafe {
            match sds::cat::<F>((*self.link).sndbuf, bytes) {
                Some(s) => {
                    (*self.link).sndbuf = s;
                    true
                }
                None => false,
            }
        }
    }
}

/// The host's hooks and the loop links register on.
struct CBus {
    h: aenetClusterHost,
    el: *mut aeEventLoop,
}

impl CBus {
    fn new() -> CBus {
        let h = host::get();
        let el = match h.eventLoop {
            // SAFETY: the host's hook takes no arguments.
            Some(f) => unsafe { f() }.cast(),
            None => host::default_loop().cast(),
        };
        CBus { h, el }
    }

    fn log(&self, level: c_int, args: fmt::Arguments<'_>) {
        let Some(f) = self.h.log else { return };
        let text = ErrText::format(args);
        // SAFETY: the host's log hook gets a NUL-terminated string valid for the call.
        unsafe { f(level, text.with_nul().as_ptr().cast()) }
    }
}

impl<F: Format> Bus<LinkPtr<F>> for CBus {
    fn limits(&self) -> Limits {
        host::limits(&self.h, &POLICY)
    }
    fn max_pending(&self) -> usize {
        host::max_pending(&self.h)
    }
    fn log(&self, level: i32, args: fmt::Arguments<'_>) {
        CBus::log(self, level, args)
    }
    fn deliver(&self, link: LinkPtr<F>) -> bool {
        let keep = match self.h.processPacket {
            // SAFETY: the host's hook gets the live link with one whole frame in rcvbuf.
            Some(f) => unsafe { f(link.link.cast()) },
            None => 1,
        };
        keep != 0 && LinkPtr::<F>::live(link.link).is_some()
    }
    fn free(&self, link: LinkPtr<F>) {
        // SAFETY: the link is live.
        unsafe { freeClusterLink(link.link) }
    }
    fn link_at(&self, id: usize) -> LinkPtr<F> {
        LinkPtr { link: id as *mut clusterLink, _format: PhantomData }
    }
    fn arm_writable(&self, link: LinkPtr<F>) -> bool {
        let mask = if POLICY.write_barrier { AE_WRITABLE | AE_BARRIER } else { AE_WRITABLE };
        // SAFETY: el is the host's loop (or NULL, refused); the link is live.
        unsafe {
            aeCreateFileEvent(self.el, link.fd(), mask, file_proc(clusterWriteHandler), link.link.cast()) != AE_ERR
        }
    }
    fn disarm_writable(&self, link: LinkPtr<F>) {
        // SAFETY: as above.
        unsafe { aeDeleteFileEvent(self.el, link.fd(), AE_WRITABLE) }
    }
    fn message_sent(&self, msg: &[u8]) {
        match (self.h.messageSentType, self.h.messageSent) {
            // SAFETY: the host's hooks take a type or nothing.
            (Some(f), _) => unsafe { f(frame::msg_type(msg).unwrap_or(u16::MAX)) },
            // SAFETY: as above.
            (None, Some(f)) => unsafe { f() },
            (None, None) => host::count_sent(),
        }
    }
}

/// A new link for `node` (NULL for inbound links): no fd, empty buffers,
/// no events. NULL with errno ENOMEM when memory is exhausted.
#[unsafe(no_mangle)]
pub extern "C" fn createClusterLink(node: *mut clusterNode) -> *mut clusterLink {
    with_format!(F => {
        let (snd, rcv) = (sds::empty::<F>(), sds::empty::<F>());
        if snd.is_null() || rcv.is_null() {
            // SAFETY: each is NULL or a fresh sds of this format.
            unsafe {
                sds::free::<F>(snd);
                sds::free::<F>(rcv);
            }
            return fail_with(libc::ENOMEM, ptr::null_mut());
        }
        let link = Box::into_raw(Box::new(clusterLink { ctime: time::wall_ms(), fd: -1, sndbuf: snd, rcvbuf: rcv, node }));
        registry::insert(link as usize);
        link
    })
}

/// Unregisters the fd's events (one call), drops both buffers (unsent data
/// is lost, as in the reference), detaches the node when its link is this
/// one, closes the fd. A NULL, unknown or already freed link is ignored.
///
/// # Safety
/// `link` is NULL or a pointer this library handed out.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn freeClusterLink(link: *mut clusterLink) {
    if link.is_null() || !registry::remove(link as usize) {
        return refuse(());
    }
    let bus = CBus::new();
    let offset = host::node_link_offset(&bus.h, &POLICY);
    // SAFETY: link was live (just removed from the registry) and is freed once.
    unsafe {
        let fd = (*link).fd;
        if fd != -1 {
            aeDeleteFileEvent(bus.el, fd, AE_READABLE | AE_WRITABLE);
        }
        with_format!(F => {
            sds::free::<F>((*link).sndbuf);
            sds::free::<F>((*link).rcvbuf);
        });
        let node = (*link).node;
        if !node.is_null() {
            // The host's clusterNode has its `link` at `offset`.
            let slot = node.cast::<u8>().add(offset).cast::<*mut clusterLink>();
            if slot.read_unaligned() == link {
                slot.write_unaligned(ptr::null_mut());
            }
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
/// `link` is NULL or a pointer this library handed out; `msg` is NULL or
/// points to `msglen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterSendMessage(link: *mut clusterLink, msg: *mut c_uchar, msglen: usize) {
    let msg: &[u8] = if msg.is_null() || msglen == 0 {
        &[]
    } else {
        // SAFETY: msg holds msglen bytes by contract.
        unsafe { core::slice::from_raw_parts(msg, msglen) }
    };
    with_format!(F => match LinkPtr::<F>::live(link) {
        Some(l) => link::send(l, msg, &CBus::new()),
        None => refuse(()),
    })
}

type Handler = unsafe extern "C" fn(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int);

/// One of the exported handlers as the aeFileProc the loop stores, so the
/// event table holds the very function the reference registers.
fn file_proc(f: Handler) -> aeFileProcPtr {
    // SAFETY: the two types differ only in the pointee of the first
    // argument (aeEventLoop vs void), which the C ABI passes the same way.
    Some(unsafe { core::mem::transmute::<Handler, unsafe extern "C" fn(*mut c_void, c_int, *mut c_void, c_int)>(f) })
}

/// # Safety
/// `privdata` is the link the event was registered with.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterWriteHandler(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int) {
    let _ = (el, fd, mask);
    with_format!(F => if let Some(l) = LinkPtr::<F>::live(privdata.cast()) {
        link::on_writable(l, &CBus::new());
    })
}

/// # Safety
/// `privdata` is the link the event was registered with.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterReadHandler(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int) {
    let _ = (el, fd, mask);
    with_format!(F => if let Some(l) = LinkPtr::<F>::live(privdata.cast()) {
        link::on_readable(l, &CBus::new());
    })
}

/// The accepting side: the listener, the dispatching loop, the host's hooks.
struct CAcceptor {
    bus: CBus,
    el: *mut aeEventLoop,
    listener: c_int,
    privdata: *mut c_void,
}

struct PausedListener {
    fd: c_int,
    privdata: *mut c_void,
}

unsafe extern "C" fn resume_accept(el: *mut c_void, id: i64, data: *mut c_void) -> c_int {
    let _ = id;
    // SAFETY: data is the PausedListener owned by this timer until its finalizer.
    let p = unsafe { &*data.cast::<PausedListener>() };
    // SAFETY: el is the loop running this timer.
    unsafe { aeCreateFileEvent(el.cast(), p.fd, AE_READABLE, file_proc(clusterAcceptHandler), p.privdata) };
    AE_NOMORE
}

unsafe extern "C" fn free_paused(el: *mut c_void, data: *mut c_void) {
    let _ = el;
    // SAFETY: the timer's finalizer runs once and owns the box.
    drop(unsafe { Box::from_raw(data.cast::<PausedListener>()) });
}

impl Acceptor for CAcceptor {
    fn allowed(&self) -> bool {
        match self.bus.h.acceptAllowed {
            // SAFETY: the host's hook takes no arguments.
            Some(f) => unsafe { f() != 0 },
            None => true,
        }
    }

    fn pause(&self) {
        let paused = Box::into_raw(Box::new(PausedListener { fd: self.listener, privdata: self.privdata }));
        // SAFETY: el is the loop that dispatched the accept handler.
        unsafe {
            aeDeleteFileEvent(self.el, self.listener, AE_READABLE);
            let id = aeCreateTimeEvent(
                self.el,
                AENET_CLUSTER_ACCEPT_RETRY_MS as i64,
                Some(resume_accept),
                paused.cast(),
                Some(free_paused),
            );
            if id == AE_ERR as i64 {
                drop(Box::from_raw(paused));
                aeCreateFileEvent(self.el, self.listener, AE_READABLE, file_proc(clusterAcceptHandler), self.privdata);
            }
        }
    }

    fn keepalive_interval(&self) -> i32 {
        host::keepalive_interval(&self.bus.h)
    }

    fn log(&self, level: i32, args: fmt::Arguments<'_>) {
        self.bus.log(level, args)
    }

    fn adopt(&self, cfd: i32) {
        let link = createClusterLink(ptr::null_mut());
        if link.is_null() {
            let _ = sys::fd::close(cfd);
            return;
        }
        // SAFETY: link is fresh and live; el is the dispatching loop.
        unsafe {
            (*link).fd = cfd;
            if aeCreateFileEvent(self.el, cfd, AE_READABLE, file_proc(clusterReadHandler), link.cast()) == AE_ERR {
                self.bus.log(
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

/// Accepts up to 1000 bus connections per readable event (src/cluster/accept.rs).
///
/// # Safety
/// `el` is the loop dispatching the event and `fd` a listening socket.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clusterAcceptHandler(el: *mut aeEventLoop, fd: c_int, privdata: *mut c_void, mask: c_int) {
    let _ = mask;
    accept::on_acceptable(fd, &CAcceptor { bus: CBus::new(), el, listener: fd, privdata });
}
