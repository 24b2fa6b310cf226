//! An fd owned while a socket is being set up: closed exactly once when
//! dropped on an error path, handed over with `into_raw` on success.

use crate::sys::fd;

pub struct Sock(i32);

impl Sock {
    pub fn new(fd: i32) -> Self {
        Sock(fd)
    }

    pub fn fd(&self) -> i32 {
        self.0
    }

    /// Gives up ownership: the caller now closes the fd.
    pub fn into_raw(self) -> i32 {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

impl Drop for Sock {
    fn drop(&mut self) {
        // The reference ignores close's result too; errno is captured
        // before any drop, so a failing close cannot change the report.
        let _ = fd::close(self.0);
    }
}

/// anetCreateSocket: a SOCK_STREAM socket of `domain` with SO_REUSEADDR.
/// "creating socket: %s" when socket() fails; the fd is closed when
/// SO_REUSEADDR cannot be set.
pub fn create_socket(domain: i32) -> super::AnetResult<Sock> {
    let fd = crate::sys::socket::socket(domain, libc::SOCK_STREAM, 0)
        .map_err(|e| super::AnetError::sys("creating socket", e, ""))?;
    let s = Sock::new(fd);
    super::options::set_reuse_addr(s.fd())?;
    Ok(s)
}
