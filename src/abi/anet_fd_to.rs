//! anet.h of Redis 6.2 and 7.0: anetFdToString's `fd_to_str_type`.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::c_int;

pub const FD_TO_PEER_NAME: c_int = 0;
pub const FD_TO_SOCK_NAME: c_int = 1;
