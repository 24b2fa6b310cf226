//! A socket address held in a `sockaddr_storage`, and its decoding.
//!
//! This is the one place that reinterprets the storage as one of the
//! family-specific structures; everything above it sees `Decoded`.

use core::mem::size_of;

/// Room for any socket address, plus the length the kernel reported.
#[derive(Clone, Copy)]
pub struct SockAddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

/// A socket address as the anet functions tell it apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded {
    V4 { addr: [u8; 4], port: u16 },
    V6 { addr: [u8; 16], port: u16 },
    Unix,
    Other(i32),
}

/// `sizeof(((struct sockaddr_un *)0)->sun_path)`: 108 on Linux.
pub const SUN_PATH_LEN: usize = 108;

const STORAGE_LEN: usize = size_of::<libc::sockaddr_storage>();

impl SockAddr {
    /// An all-zero address with the full storage length, ready to be
    /// filled by accept/getpeername/getsockname.
    pub fn empty() -> Self {
        // SAFETY: sockaddr_storage is plain old data; all-zero is valid.
        let storage = unsafe { core::mem::zeroed::<libc::sockaddr_storage>() };
        SockAddr { storage, len: STORAGE_LEN as libc::socklen_t }
    }

    /// Copies `len` bytes of a C socket address. Returns None when `addr`
    /// is NULL or `len` exceeds a `sockaddr_storage`.
    ///
    /// # Safety
    /// `addr` is NULL or points to at least `len` readable bytes.
    pub unsafe fn from_raw(addr: *const libc::sockaddr, len: libc::socklen_t) -> Option<Self> {
        let n = len as usize;
        if addr.is_null() || n > STORAGE_LEN {
            return None;
        }
        let mut sa = SockAddr::empty();
        // SAFETY: `addr` has `n` readable bytes (caller), the storage has
        // STORAGE_LEN >= n writable bytes, and the two cannot overlap.
        unsafe { core::ptr::copy_nonoverlapping(addr.cast::<u8>(), (&raw mut sa.storage).cast::<u8>(), n) };
        sa.len = len;
        Some(sa)
    }

    /// A zeroed AF_UNIX address holding `path` NUL-terminated, with length
    /// `sizeof(struct sockaddr_un)` as the reference passes it. None when
    /// the path (without its NUL) does not fit in 107 bytes.
    pub fn unix(path: &[u8]) -> Option<Self> {
        if path.len() >= SUN_PATH_LEN {
            return None;
        }
        // SAFETY: sockaddr_un is plain old data; all-zero is valid.
        let mut un = unsafe { core::mem::zeroed::<libc::sockaddr_un>() };
        un.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (dst, src) in un.sun_path.iter_mut().zip(path) {
            *dst = *src as libc::c_char;
        }
        let len = size_of::<libc::sockaddr_un>() as libc::socklen_t;
        // SAFETY: `un` is a live local of exactly `len` bytes.
        unsafe { SockAddr::from_raw((&raw const un).cast(), len) }
    }

    pub fn family(&self) -> i32 {
        i32::from(self.storage.ss_family)
    }

    pub fn len(&self) -> libc::socklen_t {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }

    /// Pointer and in/out length for calls that fill the address.
    pub fn as_mut_parts(&mut self) -> (*mut libc::sockaddr, *mut libc::socklen_t) {
        self.len = STORAGE_LEN as libc::socklen_t;
        ((&raw mut self.storage).cast(), &raw mut self.len)
    }

    /// Reads the family-specific fields. Only AF_INET and AF_INET6 are
    /// decoded as IP addresses; the storage is always large enough and
    /// zero-filled beyond what the kernel wrote.
    pub fn decode(&self) -> Decoded {
        match self.family() {
            libc::AF_INET => {
                // SAFETY: the storage is at least as large and as aligned
                // as sockaddr_in, and every bit pattern is a valid value.
                let sin = unsafe { &*(&raw const self.storage).cast::<libc::sockaddr_in>() };
                Decoded::V4 { addr: sin.sin_addr.s_addr.to_ne_bytes(), port: u16::from_be(sin.sin_port) }
            }
            libc::AF_INET6 => {
                // SAFETY: as above, for sockaddr_in6.
                let sin6 = unsafe { &*(&raw const self.storage).cast::<libc::sockaddr_in6>() };
                Decoded::V6 { addr: sin6.sin6_addr.s6_addr, port: u16::from_be(sin6.sin6_port) }
            }
            libc::AF_UNIX => Decoded::Unix,
            f => Decoded::Other(f),
        }
    }
}

impl core::fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SockAddr").field("len", &self.len).field("addr", &self.decode()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_path_limits() {
        assert!(SockAddr::unix(&[b'a'; 107]).is_some());
        assert!(SockAddr::unix(&[b'a'; 108]).is_none());
        let sa = SockAddr::unix(b"/tmp/x").unwrap();
        assert_eq!(sa.decode(), Decoded::Unix);
        assert_eq!(sa.len() as usize, size_of::<libc::sockaddr_un>());
    }
}
