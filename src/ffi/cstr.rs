//! Writing into and reading from caller-supplied C buffers.

use core::ffi::{CStr, c_char};

use crate::errbuf::ErrText;

/// Copies `text` and its NUL into the caller's `err` buffer, which by the
/// anet contract holds ANET_ERR_LEN (256) bytes; NULL means "no message".
///
/// # Safety
/// `err` is NULL or points to at least 256 writable bytes.
pub unsafe fn write_err(err: *mut c_char, text: &ErrText) {
    if err.is_null() {
        return;
    }
    let bytes = text.with_nul();
    // SAFETY: the caller guarantees 256 writable bytes; bytes.len() <= 256.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), err.cast::<u8>(), bytes.len()) };
}

/// Copies `text` into a buffer of `len` bytes, truncating and always
/// NUL-terminating when `len > 0`. Returns false when it did not fit whole.
///
/// # Safety
/// `buf` is NULL or points to at least `len` writable bytes.
pub unsafe fn write_cstr(buf: *mut c_char, len: usize, text: &[u8]) -> bool {
    if buf.is_null() || len == 0 {
        return text.is_empty() && len > 0;
    }
    let n = text.len().min(len - 1);
    // SAFETY: n + 1 <= len bytes are written into the caller's buffer.
    unsafe {
        core::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
    }
    n == text.len()
}

/// Borrows a NUL-terminated C string; None for NULL.
///
/// # Safety
/// `s` is NULL or a valid NUL-terminated string that outlives 'a.
pub unsafe fn borrow<'a>(s: *const c_char) -> Option<&'a CStr> {
    if s.is_null() {
        None
    } else {
        // SAFETY: checked non-NULL; validity is the caller's contract.
        Some(unsafe { CStr::from_ptr(s) })
    }
}
