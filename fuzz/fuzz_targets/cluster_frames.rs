//! The cluster frame reader fed an arbitrary byte stream, split into
//! writes of arbitrary sizes, through the real C entry points on a
//! socketpair. Whatever arrives, every frame handed to processPacket is
//! whole and valid, the link is freed exactly when the stream is bad or
//! ends, and nothing is read out of bounds.
#![no_main]

use core::ffi::c_void;
use std::sync::Once;

use aenet::abi::ae_common::AE_READABLE;
use aenet::generation::current::cluster_abi::clusterLink;
use aenet::abi::cluster_host::aenetClusterHost;
use aenet::cluster::{host, registry};
use aenet::ffi::ae::aeCreateEventLoop;
use aenet::ffi::cluster::{clusterReadHandler, createClusterLink, freeClusterLink};
use libfuzzer_sys::fuzz_target;

const MAX_FRAME: u32 = 64 * 1024;

unsafe extern "C" fn check_packet(link: *mut aenet::abi::cluster_v30::clusterLink) -> i32 {
    let link = link.cast::<clusterLink>();
    // SAFETY: the link layer hands a live link whose rcvbuf is a 3.2+ sds
    // (sdshdr32: len, alloc, flags before the string).
    unsafe {
        let buf = (*link).rcvbuf as *const u8;
        assert_eq!(*buf.sub(1), 3, "SDS_TYPE_32");
        let len = (buf.sub(9) as *const u32).read_unaligned() as usize;
        let frame = core::slice::from_raw_parts(buf, len);
        assert_eq!(&frame[..4], b"RCmb");
        let totlen = u32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
        assert_eq!(totlen as usize, len);
        assert!((2256..=MAX_FRAME).contains(&totlen));
        assert_eq!(*buf.add(len), 0, "sds not NUL-terminated");
    }
    1
}

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aeCreateEventLoop(1024);
        host::set(Some(aenetClusterHost {
            processPacket: Some(check_packet),
            eventLoop: None,
            acceptAllowed: None,
            log: None,
            messageSent: None,
            keepaliveInterval: 0,
            maxFrameLen: MAX_FRAME,
            maxPendingBytes: 0,
            messageSentType: None,
            minFrameLen: 0,
            readChunk: 0,
            nodeLinkOffset: 0,
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    setup();
    let (sizes, stream) = data.split_at(data.len().min(8));
    let mut sv = [0i32; 2];
    // SAFETY: sv is a valid array for socketpair to fill.
    assert_eq!(
        unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0, sv.as_mut_ptr()) },
        0
    );
    let link = createClusterLink(core::ptr::null_mut());
    // SAFETY: a fresh live link.
    unsafe { (*link).fd = sv[0] };
    let mut rest = stream;
    let mut k = 0;
    while !rest.is_empty() && registry::contains(link as usize) {
        let chunk = 1 + (*sizes.get(k % sizes.len().max(1)).unwrap_or(&255) as usize) * 17 % 4096;
        k += 1;
        let n = chunk.min(rest.len());
        // SAFETY: writes n bytes from the input slice.
        let w = unsafe { libc::write(sv[1], rest.as_ptr().cast(), n) };
        assert!(w > 0);
        rest = &rest[w as usize..];
        // SAFETY: link was registered as this handler's privdata.
        unsafe { clusterReadHandler(core::ptr::null_mut(), sv[0], link.cast::<c_void>(), AE_READABLE) };
    }
    if registry::contains(link as usize) {
        // SAFETY: closing our own end; the handler sees EOF and frees the link.
        unsafe {
            libc::close(sv[1]);
            clusterReadHandler(core::ptr::null_mut(), sv[0], link.cast::<c_void>(), AE_READABLE);
        }
        assert!(!registry::contains(link as usize), "link survived EOF");
    } else {
        // SAFETY: closing our own end.
        unsafe { libc::close(sv[1]) };
    }
    // A freed link closed its fd; freeing again is ignored.
    // SAFETY: freeClusterLink ignores links it does not know.
    unsafe { freeClusterLink(link) };
    // SAFETY: fcntl on a closed fd only reports EBADF.
    assert_eq!(unsafe { libc::fcntl(sv[0], libc::F_GETFD) }, -1);
});
