//! The one writer into fixed-size text buffers: keeps what fits, always
//! leaving room for the NUL terminator, and counts what the whole text
//! needed (snprintf's return value). Used for `err` texts, address text,
//! port strings and the anetFormat* functions; never allocates.

use core::fmt;

pub struct Bounded<'a> {
    buf: &'a mut [u8],
    len: usize,
    wanted: usize,
}

impl<'a> Bounded<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Bounded { buf, len: 0, wanted: 0 }
    }

    /// Appends `bytes`, cut where the buffer (less one byte) ends.
    pub fn push(&mut self, bytes: &[u8]) {
        let room = self.buf.len().saturating_sub(1).saturating_sub(self.len);
        let n = bytes.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        self.wanted = self.wanted.saturating_add(bytes.len());
    }

    /// The bytes kept so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when nothing was cut.
    pub fn fits(&self) -> bool {
        self.len == self.wanted
    }

    /// NUL-terminates (when the buffer has room for anything) and returns
    /// the length the whole text needed.
    pub fn terminate(self) -> usize {
        if let Some(b) = self.buf.get_mut(self.len) {
            *b = 0;
        }
        self.wanted
    }
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// C text bytes shown as-is when UTF-8 (glibc's C-locale texts always
/// are), invalid sequences as U+FFFD.
pub struct Lossy<'a>(pub &'a [u8]);

impl fmt::Display for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn like_snprintf() {
        let mut b = [0xAAu8; 5];
        let mut w = Bounded::new(&mut b);
        let (ip, port) = ("::1", 6379);
        write!(w, "{ip}:{port}").unwrap();
        assert!(!w.fits());
        assert_eq!(w.terminate(), 8);
        assert_eq!(&b, b"::1:\0");
        let mut none: [u8; 0] = [];
        let mut w = Bounded::new(&mut none);
        w.push(b"abc");
        assert_eq!(w.terminate(), 3);
        let mut one = [7u8; 1];
        let mut w = Bounded::new(&mut one);
        w.push(b"abc");
        assert_eq!(w.terminate(), 3);
        assert_eq!(one, [0]);
    }
}
