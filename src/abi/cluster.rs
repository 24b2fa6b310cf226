//! What every generation's cluster bus (3.0–5.0, where the library provides
//! the link layer) has in common: the frame signature, the accept batch,
//! the sds type. The layouts with their sizes are in cluster_v30/v50.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::{c_char, c_int};

/// The signature every frame starts with.
pub const CLUSTERMSG_SIG: &[u8; 4] = b"RCmb";
/// Accepts per readable event on a cluster listening socket.
pub const MAX_CLUSTER_ACCEPTS_PER_CALL: c_int = 1000;

/// An sds string: `char *` with the host's sds header in front of it.
pub type sds = *mut c_char;
