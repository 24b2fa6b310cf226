//! The one pattern every extern "C" function follows (docs/conventions.md):
//! each raw argument is turned into a safe view once, at entry; the safe core
//! is called with the views; the result goes back through one helper here.
//!
//! - A NULL or dead loop, and any argument the reference would crash on, is
//!   refused with `refuse`: errno EINVAL and the function's failure value
//!   (AE_ERR, ANET_ERR, 0, NULL or nothing).
//! - Output buffers are written through views that never write past the
//!   length the caller gave and always NUL-terminate when it is > 0.
//! - No panic can cross this edge: release builds abort on panic, and the
//!   code here and in the core returns errors instead of panicking.

use core::ffi::{CStr, c_char, c_int};

use crate::bounded::Bounded;
use crate::errbuf::{ERR_LEN, ErrText};
use crate::sys::set_errno;

/// errno EINVAL and `ret`: a NULL or dead object, or an argument the
/// reference would crash on.
pub fn refuse<T>(ret: T) -> T {
    set_errno(libc::EINVAL);
    ret
}

/// errno `e` and `ret`.
pub fn fail_with<T>(e: i32, ret: T) -> T {
    set_errno(e);
    ret
}

/// anet's `char *err`: NULL (no message wanted) or ANET_ERR_LEN bytes.
pub struct ErrOut(*mut c_char);

impl ErrOut {
    /// # Safety
    /// `p` is NULL or points to ANET_ERR_LEN (256) writable bytes.
    pub unsafe fn new(p: *mut c_char) -> Self {
        ErrOut(p)
    }

    pub fn write(&self, text: &ErrText) {
        if self.0.is_null() {
            return;
        }
        let bytes = text.with_nul();
        debug_assert!(bytes.len() <= ERR_LEN);
        // SAFETY: new()'s contract: 256 writable bytes; bytes.len() <= 256.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.0.cast::<u8>(), bytes.len()) };
    }
}

/// A caller's text buffer (`char *ip, size_t ip_len` and the like): NULL,
/// or `len` writable bytes.
pub struct TextOut {
    ptr: *mut c_char,
    len: usize,
}

impl TextOut {
    /// # Safety
    /// `ptr` is NULL or points to `len` writable bytes.
    pub unsafe fn new(ptr: *mut c_char, len: usize) -> Self {
        TextOut { ptr, len }
    }

    pub fn is_null(&self) -> bool {
        self.ptr.is_null()
    }

    /// The buffer, at most `want` bytes of it (the most a writer can use),
    /// so no more than that is ever touched; empty for NULL.
    pub fn bytes(&mut self, want: usize) -> &mut [u8] {
        if self.ptr.is_null() || self.len == 0 {
            return &mut [];
        }
        // SAFETY: new()'s contract: the first len bytes are writable.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.cast::<u8>(), self.len.min(want)) }
    }

    /// Writes `text` cut to fit and NUL-terminated; false when it was cut
    /// (or the buffer is NULL or empty and `text` is not).
    pub fn put(&mut self, text: &[u8]) -> bool {
        let usable = !self.is_null() && self.len > 0;
        let mut w = Bounded::new(self.bytes(text.len() + 1));
        w.push(text);
        let fits = w.fits() && usable;
        w.terminate();
        fits
    }

    /// As `put`, with errno ENOSPC when the text did not fit (what the
    /// reference's inet_ntop leaves); nothing for a NULL buffer.
    pub fn put_address(&mut self, text: &[u8]) {
        if !self.is_null() && !self.put(text) {
            set_errno(libc::ENOSPC);
        }
    }
}

/// A caller's `int *`: NULL or writable.
pub struct IntOut(*mut c_int);

impl IntOut {
    /// # Safety
    /// `p` is NULL or points to a writable int.
    pub unsafe fn new(p: *mut c_int) -> Self {
        IntOut(p)
    }

    pub fn put(&self, v: c_int) {
        if !self.0.is_null() {
            // SAFETY: new()'s contract.
            unsafe { *self.0 = v };
        }
    }
}

/// An input string parameter: `const char *` in the generations whose
/// header says so (6.0+ for the connect family), `char *` before; the same
/// ABI either way (build.rs spells it per generation).
pub type InStr = *const c_char;

/// A caller's NUL-terminated string; None for NULL.
///
/// # Safety
/// `s` is NULL or a valid NUL-terminated string that outlives 'a.
pub unsafe fn c_str<'a>(s: *const c_char) -> Option<&'a CStr> {
    if s.is_null() {
        None
    } else {
        // SAFETY: checked non-NULL; validity is the caller's contract.
        Some(unsafe { CStr::from_ptr(s) })
    }
}

/// snprintf's return value: the length, or -1 (EOVERFLOW) beyond INT_MAX.
pub fn snprintf_ret(n: usize) -> c_int {
    match c_int::try_from(n) {
        Ok(v) => v,
        Err(_) => fail_with(libc::EOVERFLOW, -1),
    }
}
