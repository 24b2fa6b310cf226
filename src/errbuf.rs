//! Error text as anet writes it: formatted into a fixed 256-byte buffer
//! (ANET_ERR_LEN), cut at 255 bytes, always NUL-terminated. No allocation.

use core::fmt;

use crate::bounded::Bounded;

pub const ERR_LEN: usize = 256;

/// A message built on the stack, truncated like vsnprintf(err, 256).
pub struct ErrText {
    buf: [u8; ERR_LEN],
    len: usize,
}

impl ErrText {
    pub fn format(args: fmt::Arguments<'_>) -> Self {
        let mut buf = [0u8; ERR_LEN];
        let mut w = Bounded::new(&mut buf);
        let _ = fmt::write(&mut w, args);
        let len = w.len();
        w.terminate();
        ErrText { buf, len }
    }

    /// The text without its NUL terminator.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The text plus the NUL terminator (at most 256 bytes).
    pub fn with_nul(&self) -> &[u8] {
        &self.buf[..self.len + 1]
    }
}

impl fmt::Debug for ErrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_at_255_and_terminates() {
        let long = "x".repeat(400);
        let t = ErrText::format(format_args!("a: {}", long));
        assert_eq!(t.as_bytes().len(), 255);
        assert_eq!(t.with_nul().len(), 256);
        assert_eq!(*t.with_nul().last().unwrap(), 0);
    }
}
