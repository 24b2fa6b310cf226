//! The error every anet operation reports: the exact message text the
//! reference writes into `err`, and the errno it leaves for C callers.

use core::fmt;

use crate::bounded::Lossy;
use crate::errbuf::ErrText;
use crate::sys::{self, Errno, netdb};

/// A failed anet operation. `text` is the reference's message (already
/// cut to 255 bytes), `errno` the value C callers find in errno.
pub struct AnetError {
    pub text: ErrText,
    pub errno: i32,
}

pub type AnetResult<T> = Result<T, AnetError>;

impl AnetError {
    /// A message built from `args`, with `errno`.
    pub fn new(errno: i32, args: fmt::Arguments<'_>) -> Self {
        AnetError { text: ErrText::format(args), errno }
    }

    /// `"<prefix>: <strerror(e)>"` (plus `suffix`), the shape of most
    /// catalogue entries.
    pub fn sys(prefix: &str, e: Errno, suffix: &str) -> Self {
        AnetError::new(e.0, format_args!("{prefix}: {}{suffix}", StrError(e.0)))
    }

    /// A getaddrinfo failure: the gai_strerror text; errno is whatever the
    /// resolver left, as in the reference.
    pub fn gai(code: i32) -> Self {
        AnetError::new(sys::errno(), format_args!("{}", Lossy(netdb::gai_strerror(code).to_bytes())))
    }

    /// The message as bytes (no NUL).
    pub fn message(&self) -> &[u8] {
        self.text.as_bytes()
    }
}

impl fmt::Debug for AnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnetError").field("text", &self.text).field("errno", &self.errno).finish()
    }
}

impl fmt::Display for AnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Lossy(self.text.as_bytes()).fmt(f)
    }
}

/// strerror(errnum) as a Display value, formatted without allocating.
pub struct StrError(pub i32);

impl fmt::Display for StrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 128];
        Lossy(netdb::strerror(self.0, &mut buf)).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sys_message_shape() {
        let e = AnetError::sys("bind", Errno(libc::EADDRINUSE), "");
        assert_eq!(e.message(), b"bind: Address already in use");
        assert_eq!(e.errno, libc::EADDRINUSE);
        let e = AnetError::sys("setsockopt TCP_KEEPIDLE", Errno(libc::EINVAL), "\n");
        assert_eq!(e.message(), b"setsockopt TCP_KEEPIDLE: Invalid argument\n");
    }

    #[test]
    fn unknown_errno_text_matches_strerror() {
        assert_eq!(format!("{}", StrError(9999)), "Unknown error 9999");
    }

    #[test]
    fn gai_text() {
        let e = AnetError::gai(libc::EAI_NONAME);
        assert_eq!(e.message(), b"Name or service not known");
    }
}
