//! anetRead / anetWrite: blocking transfers of a full count.

use crate::sys::{Errno, fd};

/// Reads until `buf` is full or EOF; returns the bytes read. Any error
/// (EINTR and EAGAIN included, as in the reference) fails the whole call
/// and the partial progress is not reported.
pub fn read_full(fd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    let mut total = 0;
    while total < buf.len() {
        let rest = buf.get_mut(total..).unwrap_or_default();
        match fd::read(fd, rest)? {
            0 => break,
            n => total += n.min(rest.len()),
        }
    }
    Ok(total)
}

/// Writes all of `buf` (stopping early only if write returns 0); returns
/// the bytes written. Errors as for `read_full`.
pub fn write_full(fd: i32, buf: &[u8]) -> Result<usize, Errno> {
    let mut total = 0;
    while total < buf.len() {
        let rest = buf.get(total..).unwrap_or_default();
        match fd::write(fd, rest)? {
            0 => break,
            n => total += n.min(rest.len()),
        }
    }
    Ok(total)
}
