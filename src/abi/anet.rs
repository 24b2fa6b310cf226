//! anet.h's constants, every generation (the FD_TO_* names of 6.2/7.0 and
//! the ANET_PREFER_* flags of Valkey 8 are in anet_fd_to and anet_prefer,
//! which only those headers include).
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::c_int;

pub const ANET_OK: c_int = 0;
pub const ANET_ERR: c_int = -1;
pub const ANET_ERR_LEN: c_int = 256;

/* Flags used with certain functions. */
pub const ANET_NONE: c_int = 0;
pub const ANET_IP_ONLY: c_int = 1 << 0;

pub use super::anet_prefer::{ANET_PREFER_IPV4, ANET_PREFER_IPV6};
