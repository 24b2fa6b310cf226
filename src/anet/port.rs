//! The service string getaddrinfo gets for a port number.

use core::ffi::CStr;
use core::fmt::Write;

use super::error::{AnetError, AnetResult};
use crate::bounded::Bounded;

/// A port in 0..=65535 printed as "%d", NUL-terminated.
pub struct PortStr {
    buf: [u8; 6],
}

impl PortStr {
    /// Deliberate difference: the reference prints the port into 6 bytes
    /// and lets glibc wrap it (70000 binds 4464, 123456 binds 12345); a
    /// port outside 0..=65535 is an error here ("invalid port %d", EINVAL).
    pub fn new(port: i32) -> AnetResult<Self> {
        if !(0..=65535).contains(&port) {
            return Err(AnetError::new(libc::EINVAL, format_args!("invalid port {port}")));
        }
        let mut buf = [0u8; 6];
        let mut w = Bounded::new(&mut buf);
        let _ = write!(w, "{port}");
        w.terminate();
        Ok(PortStr { buf })
    }

    pub fn as_cstr(&self) -> &CStr {
        // The last byte is always 0, so this cannot fail.
        CStr::from_bytes_until_nul(&self.buf).unwrap_or(c"0")
    }
}

/// `"%d"` of an int into a stack buffer; returns the digits.
pub(crate) fn int_text(v: i32, buf: &mut [u8; 12]) -> &[u8] {
    let mut w = Bounded::new(&mut buf[..]);
    let _ = write!(w, "{v}");
    let n = w.len();
    &buf[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range() {
        assert_eq!(PortStr::new(0).unwrap().as_cstr(), c"0");
        assert_eq!(PortStr::new(65535).unwrap().as_cstr(), c"65535");
        let e = PortStr::new(65536).err().unwrap();
        assert_eq!(e.message(), b"invalid port 65536");
        assert_eq!(e.errno, libc::EINVAL);
        assert!(PortStr::new(-1).is_err());
        let mut b = [0u8; 12];
        assert_eq!(int_text(i32::MIN, &mut b), b"-2147483648");
    }
}
