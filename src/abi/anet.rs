//! anet.h of Redis 3.0.7, plus the 3.2 additions.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::c_int;

pub const ANET_OK: c_int = 0;
pub const ANET_ERR: c_int = -1;
pub const ANET_ERR_LEN: c_int = 256;

/* Flags used with certain functions. */
pub const ANET_NONE: c_int = 0;
pub const ANET_IP_ONLY: c_int = 1 << 0;
