//! aenetClusterCheckFrameHeader (the 7.x+ frame header check) with
//! arbitrary rules and bytes, through its C entry point:
//! - its verdict on every prefix length of the input equals a plain model
//!   of the rules (signature, then totlen against the minimum of its kind,
//!   light where light headers exist and the type has 0x8000, then the
//!   bound), and it never reads past `len` (the buffer is exactly `len`
//!   bytes long, so a sanitizer or a guard would see an overread);
//! - fed to a reader shaped like Redis 7.2's clusterReadHandler with the
//!   check inserted, a stream of arbitrary bytes yields only frames that
//!   satisfy the rules, and the reader never buffers more than the bound.
#![no_main]

use aenet::abi::cluster_frame::{
    AENET_CLUSTER_FRAME_BAD_SIGNATURE, AENET_CLUSTER_FRAME_INCOMPLETE, AENET_CLUSTER_FRAME_INVALID,
    AENET_CLUSTER_FRAME_OK, AENET_CLUSTER_FRAME_TOO_LONG, AENET_CLUSTER_FRAME_TOO_SHORT,
};
use aenet::ffi::cluster_frame::aenetClusterCheckFrameHeader;
use libfuzzer_sys::fuzz_target;

struct Rules {
    min: u32,
    light: u32,
    max: u32,
}

fn effective(r: &Rules) -> (u32, u32) {
    (if r.min == 0 { 2256 } else { r.min }, if r.max == 0 { 64 << 20 } else { r.max })
}

/// The rules, written out plainly.
fn model(buf: &[u8], r: &Rules) -> (i32, Option<u32>) {
    let hdr = if r.light != 0 { 14 } else { 8 };
    let (min, max) = effective(r);
    if min <= hdr as u32 || (r.light != 0 && r.light <= hdr as u32) {
        return (AENET_CLUSTER_FRAME_INVALID, None);
    }
    if buf.len() < hdr {
        return (AENET_CLUSTER_FRAME_INCOMPLETE, None);
    }
    let totlen = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
    if &buf[..4] != b"RCmb" {
        return (AENET_CLUSTER_FRAME_BAD_SIGNATURE, Some(totlen));
    }
    let light = r.light != 0 && (u16::from_be_bytes([buf[12], buf[13]]) & 0x8000) != 0;
    let need = if light { r.light } else { min };
    if totlen < need {
        (AENET_CLUSTER_FRAME_TOO_SHORT, Some(totlen))
    } else if totlen > max {
        (AENET_CLUSTER_FRAME_TOO_LONG, Some(totlen))
    } else {
        (AENET_CLUSTER_FRAME_OK, Some(totlen))
    }
}

/// The entry point's verdict and what it left in `*totlen` (which starts
/// as `sentinel`).
fn check(buf: &[u8], r: &Rules, sentinel: u32) -> (i32, u32) {
    // An exact-size copy: any read past `len` is outside the allocation.
    let exact: Vec<u8> = buf.to_vec();
    let mut out = sentinel;
    // SAFETY: `exact` has exactly `len` bytes; `out` is a writable u32.
    let code = unsafe { aenetClusterCheckFrameHeader(exact.as_ptr(), exact.len(), r.min, r.light, r.max, &mut out) };
    (code, out)
}

/// Splits `stream` into frames as a 7.2-style read handler would, checking
/// each header with the library; returns the frames it delivered.
fn read_stream(stream: &[u8], r: &Rules) -> Vec<(u32, bool)> {
    let hdr = if r.light != 0 { 14 } else { 8 };
    let (_, max) = effective(r);
    let mut frames = Vec::new();
    let mut at = 0;
    while stream.len() - at >= hdr {
        let head = &stream[at..at + hdr];
        // SAFETY: `head` has exactly `hdr` readable bytes.
        let code =
            unsafe { aenetClusterCheckFrameHeader(head.as_ptr(), hdr, r.min, r.light, r.max, core::ptr::null_mut()) };
        if code != AENET_CLUSTER_FRAME_OK {
            assert!(code < 0, "a complete header is never incomplete");
            break;
        }
        let totlen = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        assert!(totlen as usize > hdr, "a frame no longer than its header passed");
        assert!(totlen <= max, "a frame above the bound passed");
        if stream.len() - at < totlen as usize {
            break; // the rest has not arrived
        }
        let light = r.light != 0 && (u16::from_be_bytes([head[12], head[13]]) & 0x8000) != 0;
        frames.push((totlen, light));
        at += totlen as usize;
    }
    frames
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    // Rules from the first six bytes: small minimums (so short frames fit
    // an input), light headers on or off, a small or a default bound.
    let r = Rules {
        min: u32::from(u16::from_le_bytes([data[0], data[1]])) % 4096,
        light: if data[2] & 1 != 0 { u32::from(data[2] >> 1) } else { 0 },
        max: match data[3] % 4 {
            0 => 0,
            1 => u32::MAX,
            _ => u32::from(u16::from_le_bytes([data[4], data[5]])),
        },
    };
    let body = &data[6..];
    // Every prefix length up to a little past the header.
    for len in 0..=body.len().min(20) {
        let (want, claimed) = model(&body[..len], &r);
        let sentinel = claimed.map_or(0x5a5a_5a5a, |t| !t);
        let (got, out) = check(&body[..len], &r, sentinel);
        assert_eq!(got, want, "verdict for {len} bytes");
        assert_eq!(out, claimed.unwrap_or(sentinel), "claimed length for {len} bytes");
    }
    // NULL with a length is refused; NULL with none is incomplete (or invalid rules).
    // SAFETY: NULL is allowed by the contract.
    let code =
        unsafe { aenetClusterCheckFrameHeader(core::ptr::null(), 8, r.min, r.light, r.max, core::ptr::null_mut()) };
    assert_eq!(code, AENET_CLUSTER_FRAME_INVALID);
    if model(&[], &r).0 != AENET_CLUSTER_FRAME_INVALID {
        let (min, _) = effective(&r);
        for (totlen, light) in read_stream(body, &r) {
            assert!(totlen >= if light { r.light } else { min });
        }
    }
});
