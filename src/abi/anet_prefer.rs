//! anet.h of Valkey 8: anetResolve's family preferences.
#![allow(non_camel_case_types, non_snake_case)]

use core::ffi::c_int;

pub const ANET_PREFER_IPV4: c_int = 1 << 1;
pub const ANET_PREFER_IPV6: c_int = 1 << 2;
