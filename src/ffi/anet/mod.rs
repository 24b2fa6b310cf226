//! The anet.h functions. Each converts its C arguments once (boundary),
//! calls the safe core in `crate::anet`, and writes the result back the way
//! the generation's reference does: message into `err` (NULL allowed), errno
//! set, ANET_OK / ANET_ERR / an fd returned. One file per group of
//! functions that appear and disappear together across generations.
#![allow(non_snake_case)]

use core::ffi::c_int;

use crate::abi::anet::{ANET_ERR, ANET_OK};
use crate::anet::policy::Policy;
use crate::anet::{AnetError, AnetResult};
use crate::ffi::boundary::ErrOut;
use crate::generation::current::GENERATION;
use crate::sys::set_errno;

pub mod base;
pub use base::*;
#[cfg(aenet_group = "anet_format_addr")]
pub mod format_addr;
#[cfg(aenet_group = "anet_format_addr")]
pub use format_addr::*;
#[cfg(aenet_group = "anet_format_peer")]
pub mod format_peer;
#[cfg(aenet_group = "anet_format_peer")]
pub use format_peer::*;
#[cfg(aenet_group = "anet_legacy")]
pub mod legacy;
#[cfg(aenet_group = "anet_legacy")]
pub use legacy::*;
#[cfg(aenet_group = "anet_unix_connect")]
pub mod unix_connect;
#[cfg(aenet_group = "anet_unix_connect")]
pub use unix_connect::*;
#[cfg(aenet_group = "anet_unix_server")]
pub mod unix_server;
#[cfg(aenet_group = "anet_unix_server")]
pub use unix_server::*;

pub(crate) const POLICY: &Policy = &GENERATION.anet;

/// The connect flags anet.c keeps to itself (anetUnixGenericConnect's
/// `flags` takes them).
pub(crate) const ANET_CONNECT_NONBLOCK: c_int = 1;

/// Writes the error's text into `err`, sets errno, returns ANET_ERR.
pub(crate) fn fail(err: &ErrOut, e: &AnetError) -> c_int {
    err.write(&e.text);
    set_errno(e.errno);
    ANET_ERR
}

/// ANET_OK, or the error reported through `err` and errno.
pub(crate) fn status(err: &ErrOut, r: AnetResult<()>) -> c_int {
    match r {
        Ok(()) => ANET_OK,
        Err(e) => fail(err, &e),
    }
}

/// The fd, or the error reported through `err` and errno.
pub(crate) fn fd_or_err(err: &ErrOut, r: AnetResult<c_int>) -> c_int {
    r.unwrap_or_else(|e| fail(err, &e))
}

/// The error for a NULL unix socket path (the reference would crash).
pub(crate) fn null_path() -> AnetError {
    AnetError::new(libc::EINVAL, format_args!("unix socket path is NULL"))
}
