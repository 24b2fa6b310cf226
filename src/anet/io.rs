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

/// anetPipe: a pipe whose read end gets `read_flags` and write end
/// `write_flags` (O_CLOEXEC, O_NONBLOCK, ...). pipe2 applies O_CLOEXEC and
/// the flags common to both ends; the rest is set per end. When pipe2
/// refuses the flags (EINVAL) or does not exist (ENOSYS), a plain pipe is
/// made and every flag set per end, close-on-exec only where asked, as the
/// reference does. Deliberate difference: status flags are added to what
/// pipe2 set (the reference's F_SETFL replaces them, dropping a common
/// O_NONBLOCK from an end that has one more flag). Both ends are closed on
/// a failure after the pipe was made.
pub fn pipe(read_flags: i32, write_flags: i32) -> Result<[i32; 2], Errno> {
    let common = libc::O_CLOEXEC | (read_flags & write_flags);
    let (fds, applied) = match fd::pipe2(common) {
        Ok(fds) => (fds, common),
        Err(e) if e.0 == libc::EINVAL || e.0 == libc::ENOSYS => (fd::pipe()?, 0),
        Err(e) => return Err(e),
    };
    let finish = || -> Result<(), Errno> {
        for (end, flags) in [(fds[0], read_flags & !applied), (fds[1], write_flags & !applied)] {
            if flags & libc::O_CLOEXEC != 0 {
                fd::set_fd_flags(end, libc::FD_CLOEXEC)?;
            }
            let status = flags & !libc::O_CLOEXEC;
            if status != 0 {
                let cur = fd::get_flags(end)?;
                fd::set_flags(end, cur | status)?;
            }
        }
        Ok(())
    };
    if let Err(e) = finish() {
        let _ = fd::close(fds[0]);
        let _ = fd::close(fds[1]);
        return Err(e);
    }
    Ok(fds)
}
