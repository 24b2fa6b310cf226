//! Redis 3.0.7 sds strings, as the host's C code reads them: a `char *`
//! preceded by `{uint32 len; uint32 free;}`, allocated with the host's
//! zmalloc so the host's sdsfree/zfree could release them.

use core::ffi::{c_char, c_void};

use crate::abi::cluster::sds;
use crate::alloc::{aenet_host_free, aenet_host_malloc, aenet_host_realloc};

const HDR: usize = 8;
const MAX_PREALLOC: usize = 1024 * 1024;

fn header(s: sds) -> *mut u32 {
    s.cast::<u8>().wrapping_sub(HDR).cast::<u32>()
}

/// A new empty sds, or NULL when memory is exhausted.
pub fn empty() -> sds {
    // SAFETY: plain allocation of header + NUL.
    let p = unsafe { aenet_host_malloc(HDR + 1) }.cast::<u8>();
    if p.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: p points to HDR + 1 writable bytes, 8-aligned (malloc/zmalloc).
    unsafe {
        p.cast::<u32>().write(0);
        p.cast::<u32>().add(1).write(0);
        p.add(HDR).write(0);
        p.add(HDR).cast::<c_char>()
    }
}

/// # Safety
/// `s` is a live sds.
pub unsafe fn len(s: sds) -> usize {
    // SAFETY: the header precedes every live sds.
    unsafe { header(s).read() as usize }
}

/// # Safety
/// `s` is a live sds.
unsafe fn avail(s: sds) -> usize {
    // SAFETY: the header precedes every live sds.
    unsafe { header(s).add(1).read() as usize }
}

/// # Safety
/// `s` is a live sds; `len + free` stays its capacity.
unsafe fn set_len(s: sds, len: usize, free: usize) {
    // SAFETY: the header precedes every live sds; the terminator fits because
    // len + free + 1 bytes follow the header.
    unsafe {
        header(s).write(len as u32);
        header(s).add(1).write(free as u32);
        s.add(len).write(0);
    }
}

/// The bytes of `s`.
///
/// # Safety
/// `s` is a live sds that is not written to while the slice lives.
pub unsafe fn bytes<'a>(s: sds) -> &'a [u8] {
    // SAFETY: len bytes follow the header of a live sds.
    unsafe { core::slice::from_raw_parts(s.cast::<u8>(), len(s)) }
}

/// Bytes allocated for `s`: header, capacity and terminator.
///
/// # Safety
/// `s` is a live sds.
pub unsafe fn alloc_size(s: sds) -> usize {
    // SAFETY: forwarded contract.
    unsafe { HDR + len(s) + avail(s) + 1 }
}

/// Makes room for `add` more bytes; returns the (possibly moved) sds, or
/// None with `s` untouched when memory is exhausted or 4 GiB is exceeded.
///
/// # Safety
/// `s` is a live sds; on success the old pointer is dead.
pub unsafe fn reserve(s: sds, add: usize, exact: bool) -> Option<sds> {
    // SAFETY: forwarded contract.
    let (cur, free) = unsafe { (len(s), avail(s)) };
    if free >= add {
        return Some(s);
    }
    let need = cur.checked_add(add)?;
    let cap = if exact {
        need
    } else if need < MAX_PREALLOC {
        need * 2
    } else {
        need + MAX_PREALLOC
    };
    if cap > u32::MAX as usize {
        return None;
    }
    // SAFETY: header(s) is the start of the allocation of a live sds.
    let p = unsafe { aenet_host_realloc(header(s).cast::<c_void>(), HDR + cap + 1) }.cast::<u8>();
    if p.is_null() {
        return None;
    }
    // SAFETY: p is the moved allocation of HDR + cap + 1 bytes.
    let s = unsafe { p.add(HDR) }.cast::<c_char>();
    // SAFETY: s is live with capacity cap >= cur.
    unsafe { set_len(s, cur, cap - cur) };
    Some(s)
}

/// The writable spare room after the content.
///
/// # Safety
/// `s` is a live sds not otherwise accessed while the slice lives.
pub unsafe fn spare<'a>(s: sds) -> &'a mut [u8] {
    // SAFETY: avail bytes of capacity follow the content of a live sds.
    unsafe { core::slice::from_raw_parts_mut(s.cast::<u8>().add(len(s)), avail(s)) }
}

/// Marks `n` bytes of the spare room as content.
///
/// # Safety
/// `s` is a live sds and `n <= avail(s)`.
pub unsafe fn grow_len(s: sds, n: usize) {
    // SAFETY: forwarded contract.
    unsafe {
        let (cur, free) = (len(s), avail(s));
        let n = n.min(free);
        set_len(s, cur + n, free - n);
    }
}

/// Appends `data`; None (s untouched) when memory is exhausted.
///
/// # Safety
/// `s` is a live sds; `data` does not overlap it.
pub unsafe fn cat(s: sds, data: &[u8]) -> Option<sds> {
    // SAFETY: forwarded contract; reserve guarantees the room.
    unsafe {
        let s = reserve(s, data.len(), false)?;
        spare(s)[..data.len()].copy_from_slice(data);
        grow_len(s, data.len());
        Some(s)
    }
}

/// Drops the first `n` bytes (sdsrange(s, n, -1)).
///
/// # Safety
/// `s` is a live sds.
pub unsafe fn drop_front(s: sds, n: usize) {
    // SAFETY: both ranges lie inside the content of a live sds.
    unsafe {
        let (cur, free) = (len(s), avail(s));
        let n = n.min(cur);
        core::ptr::copy(s.add(n), s, cur - n);
        set_len(s, cur - n, free + n);
    }
}

/// Empties `s`, giving back memory above `keep` bytes of capacity.
///
/// # Safety
/// `s` is a live sds; the returned pointer replaces it.
pub unsafe fn clear(s: sds, keep: usize) -> sds {
    // SAFETY: forwarded contract.
    unsafe {
        let cap = len(s) + avail(s);
        if cap > keep {
            let p = aenet_host_realloc(header(s).cast::<c_void>(), HDR + keep + 1).cast::<u8>();
            if !p.is_null() {
                let s = p.add(HDR).cast::<c_char>();
                set_len(s, 0, keep);
                return s;
            }
        }
        set_len(s, 0, cap);
        s
    }
}

/// # Safety
/// `s` is NULL or a live sds, dead afterwards.
pub unsafe fn free(s: sds) {
    if !s.is_null() {
        // SAFETY: header(s) is the start of the allocation.
        unsafe { aenet_host_free(header(s).cast::<c_void>()) }
    }
}
