//! aenetClusterCheckFrameHeader (Redis 7.0+, Valkey): the link layer's
//! frame header check, for hosts that keep their own link layer.
#![allow(non_snake_case)]

use core::ffi::{c_int, c_uchar};

use libc::size_t;

use crate::abi::cluster_frame::{
    AENET_CLUSTER_FRAME_BAD_SIGNATURE, AENET_CLUSTER_FRAME_DEFAULT_MAX_LEN, AENET_CLUSTER_FRAME_INCOMPLETE,
    AENET_CLUSTER_FRAME_INVALID, AENET_CLUSTER_FRAME_MIN_LEN, AENET_CLUSTER_FRAME_OK, AENET_CLUSTER_FRAME_TOO_LONG,
    AENET_CLUSTER_FRAME_TOO_SHORT,
};
use crate::cluster::frame::{Header, HeaderRules, check_header};
use crate::ffi::boundary::refuse;

/// Checks the header at the start of `buf` (`len` bytes buffered of the
/// frame): the signature "RCmb", then the big-endian totlen against the
/// minimum of its kind and `maxLen`.
///
/// - `minLen`: CLUSTERMSG_MIN_LEN of the host (0: 2256, Redis 4.0 to
///   Valkey 8).
/// - `lightMinLen`: 0 on a bus without light headers (Redis 7.x, Valkey
///   7.2): 8 bytes are checked and the type is not read. Valkey 8+ passes
///   CLUSTERMSG_LIGHT_MIN_LEN (16): 14 bytes are checked, and a type with
///   the 0x8000 bit must have at least that totlen.
/// - `maxLen`: the largest totlen accepted (0: 64 MiB; UINT32_MAX: no
///   bound, as the reference).
/// - `totlen`: NULL, or where the claimed length is written whenever it
///   could be read (also on BAD_SIGNATURE, TOO_SHORT and TOO_LONG, for the
///   log line).
///
/// Returns AENET_CLUSTER_FRAME_OK, _INCOMPLETE (fewer bytes than the check
/// reads), _BAD_SIGNATURE, _TOO_SHORT, _TOO_LONG, or _INVALID with errno
/// EINVAL (NULL `buf` with `len` > 0; a minimum not above the bytes
/// checked, which would let a frame no longer than its header through).
/// Reads at most 14 bytes of `buf`, never more than `len`.
///
/// # Safety
/// `buf` is NULL or has `len` readable bytes; `totlen` is NULL or a
/// writable uint32_t.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aenetClusterCheckFrameHeader(
    buf: *const c_uchar,
    len: size_t,
    minLen: u32,
    lightMinLen: u32,
    maxLen: u32,
    totlen: *mut u32,
) -> c_int {
    let or = |v: u32, default: c_int| if v == 0 { default as u32 } else { v };
    let light = (lightMinLen != 0).then_some(lightMinLen);
    let Some(rules) = HeaderRules::new(
        or(minLen, AENET_CLUSTER_FRAME_MIN_LEN),
        light,
        or(maxLen, AENET_CLUSTER_FRAME_DEFAULT_MAX_LEN),
    ) else {
        return refuse(AENET_CLUSTER_FRAME_INVALID);
    };
    let bytes: &[u8] = match (buf.is_null(), len) {
        (_, 0) => &[],
        (true, _) => return refuse(AENET_CLUSTER_FRAME_INVALID),
        // SAFETY: this function's contract: `len` readable bytes; only the
        // header's first bytes are read.
        (false, _) => unsafe { core::slice::from_raw_parts(buf, len.min(rules.prefix_len())) },
    };
    let (code, claimed) = match check_header(bytes, &rules) {
        Header::Incomplete { .. } => (AENET_CLUSTER_FRAME_INCOMPLETE, None),
        Header::Valid { totlen, .. } => (AENET_CLUSTER_FRAME_OK, Some(totlen)),
        Header::BadSignature { totlen } => (AENET_CLUSTER_FRAME_BAD_SIGNATURE, Some(totlen)),
        Header::TooShort { totlen, .. } => (AENET_CLUSTER_FRAME_TOO_SHORT, Some(totlen)),
        Header::TooLong { totlen } => (AENET_CLUSTER_FRAME_TOO_LONG, Some(totlen)),
    };
    if let Some(t) = claimed {
        // SAFETY: NULL or a writable uint32_t, by contract.
        if let Some(out) = unsafe { totlen.as_mut() } {
            *out = t;
        }
    }
    code
}
