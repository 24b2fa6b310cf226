//! Error text as anet writes it: formatted into a fixed 256-byte buffer
//! (ANET_ERR_LEN), cut at 255 bytes, always NUL-terminated. No allocation.

use core::fmt;

pub const ERR_LEN: usize = 256;

/// A message being built on the stack, truncated like vsnprintf(err, 256).
pub struct ErrText {
    buf: [u8; ERR_LEN],
    len: usize,
}

impl ErrText {
    pub fn new() -> Self {
        ErrText { buf: [0; ERR_LEN], len: 0 }
    }

    pub fn format(args: fmt::Arguments<'_>) -> Self {
        let mut t = ErrText::new();
        let _ = fmt::write(&mut t, args);
        t
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

impl Default for ErrText {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Write for ErrText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = ERR_LEN - 1 - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
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
