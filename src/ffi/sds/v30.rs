//! Redis 3.0's sds: `{uint32 len; uint32 free;}` (8 bytes, so the string is
//! as aligned as the allocation).

use super::Format;
use crate::abi::cluster::sds;

pub struct V30;

fn header(s: sds) -> *mut u32 {
    s.cast::<u8>().wrapping_sub(8).cast::<u32>()
}

impl Format for V30 {
    const HDR: usize = 8;
    const MAX_CAP: usize = u32::MAX as usize;

    unsafe fn len(s: sds) -> usize {
        // SAFETY: the 8-aligned header precedes every live sds.
        unsafe { header(s).read() as usize }
    }

    unsafe fn cap(s: sds) -> usize {
        // SAFETY: as above; capacity is len + free.
        unsafe { header(s).read() as usize + header(s).add(1).read() as usize }
    }

    unsafe fn set(s: sds, len: usize, cap: usize) {
        // SAFETY: the header precedes s; both values fit (cap <= MAX_CAP).
        unsafe {
            header(s).write(len as u32);
            header(s).add(1).write((cap - len) as u32);
        }
    }
}
