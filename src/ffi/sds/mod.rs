//! sds strings as the host's C code reads them (link->sndbuf, link->rcvbuf),
//! allocated with the host's zmalloc so the host's sdsfree/zfree could
//! release them. One format per file; the operations are written once over
//! the `Format` trait.

pub mod v30;
pub mod v32;

use core::ffi::{c_char, c_void};

use crate::abi::cluster::sds;
use crate::alloc::{aenet_host_free, aenet_host_malloc, aenet_host_realloc};

const MAX_PREALLOC: usize = 1024 * 1024;

/// How a format keeps the length and the spare room.
pub trait Format {
    /// Bytes of header before the string.
    const HDR: usize;
    /// Largest capacity the header can describe.
    const MAX_CAP: usize;
    /// # Safety
    /// `s` is a live sds of this format.
    unsafe fn len(s: sds) -> usize;
    /// # Safety
    /// `s` is a live sds of this format.
    unsafe fn cap(s: sds) -> usize;
    /// Writes the header of an sds whose allocation holds `cap` bytes.
    ///
    /// # Safety
    /// `s` points HDR bytes into an allocation of HDR + cap + 1 bytes; len <= cap.
    unsafe fn set(s: sds, len: usize, cap: usize);
}

fn alloc_of<F: Format>(s: sds) -> *mut c_void {
    s.cast::<u8>().wrapping_sub(F::HDR).cast()
}

/// A new empty sds, or NULL when memory is exhausted.
pub fn empty<F: Format>() -> sds {
    // SAFETY: plain allocation of header + NUL.
    let p = unsafe { aenet_host_malloc(F::HDR + 1) }.cast::<u8>();
    if p.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: p has HDR + 1 bytes; the string starts after the header.
    unsafe {
        let s = p.add(F::HDR).cast::<c_char>();
        set_len::<F>(s, 0, 0);
        s
    }
}

/// # Safety
/// `s` is a live sds of format F.
unsafe fn set_len<F: Format>(s: sds, len: usize, cap: usize) {
    // SAFETY: forwarded; the terminator fits because cap + 1 bytes follow.
    unsafe {
        F::set(s, len, cap);
        s.add(len).write(0);
    }
}

/// # Safety
/// `s` is a live sds of format F.
pub unsafe fn len<F: Format>(s: sds) -> usize {
    // SAFETY: forwarded contract.
    unsafe { F::len(s) }
}

/// Bytes allocated for `s`: header, capacity and terminator.
///
/// # Safety
/// `s` is a live sds of format F.
pub unsafe fn alloc_size<F: Format>(s: sds) -> usize {
    // SAFETY: forwarded contract.
    F::HDR + unsafe { F::cap(s) } + 1
}

/// The bytes of `s`.
///
/// # Safety
/// `s` is a live sds of format F, not written to while the slice lives.
pub unsafe fn bytes<'a, F: Format>(s: sds) -> &'a [u8] {
    // SAFETY: len bytes follow the header of a live sds.
    unsafe { core::slice::from_raw_parts(s.cast::<u8>(), F::len(s)) }
}

/// Makes room for `add` more bytes (exactly, or with sds's preallocation
/// rule); returns the possibly moved sds, or None with `s` untouched when
/// memory is exhausted or the format's capacity is exceeded.
///
/// # Safety
/// `s` is a live sds of format F; on success the old pointer is dead.
pub unsafe fn reserve<F: Format>(s: sds, add: usize, exact: bool) -> Option<sds> {
    // SAFETY: forwarded contract.
    let (cur, cap) = unsafe { (F::len(s), F::cap(s)) };
    if cap - cur >= add {
        return Some(s);
    }
    let need = cur.checked_add(add)?;
    let new_cap = if exact {
        need
    } else if need < MAX_PREALLOC {
        need * 2
    } else {
        need + MAX_PREALLOC
    };
    if new_cap > F::MAX_CAP {
        return None;
    }
    // SAFETY: alloc_of(s) is the start of the allocation of a live sds.
    let p = unsafe { aenet_host_realloc(alloc_of::<F>(s), F::HDR + new_cap + 1) }.cast::<u8>();
    if p.is_null() {
        return None;
    }
    // SAFETY: p is the moved allocation of HDR + new_cap + 1 bytes.
    let s = unsafe { p.add(F::HDR) }.cast::<c_char>();
    // SAFETY: s is live with capacity new_cap >= cur.
    unsafe { set_len::<F>(s, cur, new_cap) };
    Some(s)
}

/// The writable spare room after the content.
///
/// # Safety
/// `s` is a live sds of format F not otherwise accessed while the slice lives.
pub unsafe fn spare<'a, F: Format>(s: sds) -> &'a mut [u8] {
    // SAFETY: cap - len bytes of capacity follow the content.
    unsafe { core::slice::from_raw_parts_mut(s.cast::<u8>().add(F::len(s)), F::cap(s) - F::len(s)) }
}

/// Marks `n` bytes of the spare room as content.
///
/// # Safety
/// `s` is a live sds of format F.
pub unsafe fn grow_len<F: Format>(s: sds, n: usize) {
    // SAFETY: forwarded contract; n is capped at the spare room.
    unsafe {
        let (cur, cap) = (F::len(s), F::cap(s));
        set_len::<F>(s, cur + n.min(cap - cur), cap);
    }
}

/// Appends `data`; None (s untouched) when memory is exhausted.
///
/// # Safety
/// `s` is a live sds of format F; `data` does not overlap it.
pub unsafe fn cat<F: Format>(s: sds, data: &[u8]) -> Option<sds> {
    // SAFETY: forwarded contract; reserve guarantees the room.
    unsafe {
        let s = reserve::<F>(s, data.len(), false)?;
        spare::<F>(s)[..data.len()].copy_from_slice(data);
        grow_len::<F>(s, data.len());
        Some(s)
    }
}

/// Drops the first `n` bytes (sdsrange(s, n, -1)).
///
/// # Safety
/// `s` is a live sds of format F.
pub unsafe fn drop_front<F: Format>(s: sds, n: usize) {
    // SAFETY: both ranges lie inside the content of a live sds.
    unsafe {
        let (cur, cap) = (F::len(s), F::cap(s));
        let n = n.min(cur);
        core::ptr::copy(s.add(n), s, cur - n);
        set_len::<F>(s, cur - n, cap);
    }
}

/// Empties `s`, giving back memory above `keep` bytes of capacity.
///
/// # Safety
/// `s` is a live sds of format F; the returned pointer replaces it.
pub unsafe fn clear<F: Format>(s: sds, keep: usize) -> sds {
    // SAFETY: forwarded contract.
    unsafe {
        let cap = F::cap(s);
        if cap > keep {
            let p = aenet_host_realloc(alloc_of::<F>(s), F::HDR + keep + 1).cast::<u8>();
            if !p.is_null() {
                let s = p.add(F::HDR).cast::<c_char>();
                set_len::<F>(s, 0, keep);
                return s;
            }
        }
        set_len::<F>(s, 0, cap);
        s
    }
}

/// # Safety
/// `s` is NULL or a live sds of format F, dead afterwards.
pub unsafe fn free<F: Format>(s: sds) {
    if !s.is_null() {
        // SAFETY: alloc_of(s) is the start of the allocation.
        unsafe { aenet_host_free(alloc_of::<F>(s)) }
    }
}
