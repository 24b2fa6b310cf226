//! The global allocator: every allocation of the library goes through the
//! host's zmalloc/zrealloc/zfree when the host defines them (so Redis's
//! INFO used_memory sees the loop, its arrays and its timers, as with the
//! reference), and through malloc otherwise. The choice is made at link
//! time by weak references in csrc/host_alloc.c, so it never changes
//! while the process runs.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

unsafe extern "C" {
    pub(crate) fn aenet_host_malloc(size: usize) -> *mut c_void;
    pub(crate) fn aenet_host_realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    pub(crate) fn aenet_host_free(ptr: *mut c_void);
}

/// zmalloc without malloc_size support prefixes an 8-byte header, so only
/// 8-byte alignment is guaranteed; anything stricter bypasses the host.
const HOST_ALIGN: usize = 8;

pub struct HostAllocator;

// SAFETY: every path returns memory of at least `layout.size()` bytes
// aligned to `layout.align()`, or null, and frees through the allocator
// family that produced the pointer (the choice depends only on the
// alignment, which dealloc and realloc are given unchanged).
unsafe impl GlobalAlloc for HostAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= HOST_ALIGN {
            // SAFETY: plain C allocation call.
            unsafe { aenet_host_malloc(layout.size()) as *mut u8 }
        } else {
            let mut out: *mut c_void = core::ptr::null_mut();
            // SAFETY: out is a valid pointer to write the result into; the
            // alignment is a power of two that is a multiple of pointer size.
            let rc = unsafe { libc::posix_memalign(&mut out, layout.align(), layout.size()) };
            if rc == 0 { out as *mut u8 } else { core::ptr::null_mut() }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() <= HOST_ALIGN {
            // SAFETY: ptr came from aenet_host_malloc/realloc (same alignment class).
            unsafe { aenet_host_free(ptr as *mut c_void) }
        } else {
            // SAFETY: ptr came from posix_memalign.
            unsafe { libc::free(ptr as *mut c_void) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= HOST_ALIGN {
            // SAFETY: ptr came from aenet_host_malloc/realloc.
            unsafe { aenet_host_realloc(ptr as *mut c_void, new_size) as *mut u8 }
        } else {
            let new_layout = match Layout::from_size_align(new_size, layout.align()) {
                Ok(l) => l,
                Err(_) => return core::ptr::null_mut(),
            };
            // SAFETY: new_layout is valid; on success we copy the smaller of
            // the two sizes and free the old block from its own allocator.
            unsafe {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}
