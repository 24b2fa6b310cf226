//! Redis 3.2+'s sds, always as sdshdr32: `{uint32 len; uint32 alloc;
//! uint8 flags}` packed before the string, flags SDS_TYPE_32 (3), so the
//! host's sdslen/sdsalloc/sdsfree read it as their own.

use super::Format;
use crate::abi::cluster::sds;

pub struct V32;

const SDS_TYPE_32: u8 = 3;

fn field(s: sds, back: usize) -> *mut u8 {
    s.cast::<u8>().wrapping_sub(back)
}

impl Format for V32 {
    const HDR: usize = 9;
    const MAX_CAP: usize = u32::MAX as usize;

    unsafe fn len(s: sds) -> usize {
        // SAFETY: the packed header precedes every live sds (unaligned).
        unsafe { field(s, 9).cast::<u32>().read_unaligned() as usize }
    }

    unsafe fn cap(s: sds) -> usize {
        // SAFETY: as above.
        unsafe { field(s, 5).cast::<u32>().read_unaligned() as usize }
    }

    unsafe fn set(s: sds, len: usize, cap: usize) {
        // SAFETY: the 9 header bytes precede s; both values fit.
        unsafe {
            field(s, 9).cast::<u32>().write_unaligned(len as u32);
            field(s, 5).cast::<u32>().write_unaligned(cap as u32);
            field(s, 1).write(SDS_TYPE_32);
        }
    }
}
