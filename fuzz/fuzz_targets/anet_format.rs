//! anet's address formatting and numeric resolution with arbitrary strings
//! and buffer sizes: the output always fits the buffer the caller gave
//! (guard bytes behind it stay untouched) and is NUL-terminated.
#![no_main]

use core::ffi::c_char;

use aenet::ffi::anet::{anetFormatAddr, anetResolveIP};
use libfuzzer_sys::fuzz_target;

const GUARD: u8 = 0xA5;

fn guarded(len: usize) -> Vec<u8> {
    vec![GUARD; len + 16]
}

fn check(buf: &[u8], len: usize) {
    assert!(buf[len..].iter().all(|&b| b == GUARD), "wrote past the buffer");
    if len > 0 {
        assert!(buf[..len].contains(&0), "not NUL-terminated");
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let len = data[0] as usize % 80;
    let port = i32::from_le_bytes([data[1], data[2], data.get(3).copied().unwrap_or(0), 0]) - 0x8000;
    let mut text: Vec<u8> = data[3.min(data.len())..].iter().copied().filter(|&b| b != 0).take(200).collect();
    text.push(0);

    let mut buf = guarded(len);
    // SAFETY: buf holds len writable bytes (plus guards); text is NUL-terminated.
    let rc =
        unsafe { anetFormatAddr(buf.as_mut_ptr().cast::<c_char>(), len, text.as_mut_ptr().cast::<c_char>(), port) };
    assert!(rc >= -1);
    check(&buf, len);

    let mut err = vec![GUARD; 256 + 16];
    let mut ip = guarded(len);
    // SAFETY: err holds 256 bytes, ip holds len bytes; AI_NUMERICHOST: no lookup leaves the machine.
    let rc = unsafe {
        anetResolveIP(
            err.as_mut_ptr().cast::<c_char>(),
            text.as_mut_ptr().cast::<c_char>(),
            ip.as_mut_ptr().cast::<c_char>(),
            len,
        )
    };
    if rc == 0 {
        check(&ip, len);
    } else {
        check(&err, 256);
    }
});
