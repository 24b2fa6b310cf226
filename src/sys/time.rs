//! Clocks: monotonic for deadlines, wall clock for the C-visible mirror.

fn now(clock: libc::clockid_t) -> libc::timespec {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec to write into; both clocks always exist on Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts
}

/// Nanoseconds on the monotonic clock.
pub fn monotonic_ns() -> u64 {
    let ts = now(libc::CLOCK_MONOTONIC);
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
}

/// Milliseconds since the Unix epoch on the wall clock.
#[allow(clippy::useless_conversion)] // time_t and long are 32-bit on some targets
pub fn wall_ms() -> i64 {
    let ts = now(libc::CLOCK_REALTIME);
    i64::from(ts.tv_sec) * 1000 + i64::from(ts.tv_nsec) / 1_000_000
}
