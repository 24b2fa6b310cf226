//! The anet.h functions. Each converts its C arguments once (boundary),
//! calls the safe core in `crate::anet`, and writes the result back the way
//! the generation's reference does: message into `err` (NULL allowed), errno
//! set, ANET_OK / ANET_ERR / an fd returned. One file per group of
//! functions that appear and disappear together across generations.
#![allow(non_snake_case)]
// AnetError carries its message inline, as the err buffer it is copied to.
#![allow(clippy::result_large_err)]

use core::ffi::c_int;

use crate::abi::anet::{ANET_ERR, ANET_OK};
use crate::anet::policy::Policy;
use crate::anet::{Accepted, AnetError, AnetResult, Connect};
use crate::ffi::boundary::ErrOut;
use crate::generation::current::GENERATION;
use crate::sys::set_errno;

pub mod base;
pub use base::*;
#[cfg(aenet_group = "anet_cloexec")]
pub mod cloexec;
#[cfg(aenet_group = "anet_cloexec")]
pub use cloexec::*;
#[cfg(aenet_group = "anet_error_fifo")]
pub mod error_fifo;
#[cfg(aenet_group = "anet_error_fifo")]
pub use error_fifo::*;
#[cfg(aenet_group = "anet_fd_to_string")]
pub mod fd_to_string;
#[cfg(aenet_group = "anet_fd_to_string")]
pub use fd_to_string::*;
#[cfg(aenet_group = "anet_format_addr")]
pub mod format_addr;
#[cfg(aenet_group = "anet_format_addr")]
pub use format_addr::*;
#[cfg(aenet_group = "anet_format_fd_addr")]
pub mod format_fd_addr;
#[cfg(aenet_group = "anet_format_fd_addr")]
pub use format_fd_addr::*;
#[cfg(aenet_group = "anet_format_peer")]
pub mod format_peer;
#[cfg(aenet_group = "anet_format_peer")]
pub use format_peer::*;
#[cfg(aenet_group = "anet_legacy")]
pub mod legacy;
#[cfg(aenet_group = "anet_legacy")]
pub use legacy::*;
#[cfg(aenet_group = "anet_pipe_mark")]
pub mod pipe_mark;
#[cfg(aenet_group = "anet_pipe_mark")]
pub use pipe_mark::*;
#[cfg(aenet_group = "anet_recv_timeout")]
pub mod recv_timeout;
#[cfg(aenet_group = "anet_recv_timeout")]
pub use recv_timeout::*;
#[cfg(aenet_group = "anet_resolve")]
pub mod resolve;
#[cfg(aenet_group = "anet_resolve")]
pub use resolve::*;
#[cfg(aenet_group = "anet_unix_connect")]
pub mod unix_connect;
#[cfg(aenet_group = "anet_unix_connect")]
pub use unix_connect::*;
#[cfg(aenet_group = "anet_unix_server")]
pub mod unix_server;
#[cfg(aenet_group = "anet_unix_server")]
pub use unix_server::*;
#[cfg(aenet_group = "anet_unix_server_group")]
pub mod unix_server_group;
#[cfg(aenet_group = "anet_unix_server_group")]
pub use unix_server_group::*;

pub(crate) const POLICY: &Policy = &GENERATION.anet;

/// How this generation's clients are made.
pub(crate) fn connect_how(nonblock: bool) -> Connect {
    Connect { nonblock, cloexec: POLICY.sockets_cloexec }
}

/// How this generation's accepted sockets come back.
pub(crate) fn accepted() -> Accepted {
    if POLICY.accept_nonblock_cloexec { Accepted::NonBlockCloexec } else { Accepted::AsIs }
}

/// O_NONBLOCK set or cleared as this generation's anetSetBlock does.
pub(crate) fn set_block(fd: c_int, non_block: bool) -> AnetResult<()> {
    crate::anet::set_block_as(fd, non_block, POLICY.set_block_skips_unchanged)
}

/// The connect flags anet.c keeps to itself (anetUnixGenericConnect's
/// `flags` takes them).
#[cfg(any(aenet_group = "anet_legacy", aenet_group = "anet_unix_connect"))]
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
