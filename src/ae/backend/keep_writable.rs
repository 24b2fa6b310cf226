//! Per fd, whether keeping a disarmed WRITABLE in the kernel pays. A re-arm
//! that finds it still there saves two epoll_ctl (a hit). Removing it after
//! the kernel reported it unwanted costs the removal anyway, plus reports
//! and often a wake-up of its own (a miss). An fd keeps while it has credit;
//! one without is disarmed at once, and tried again every `PROBE_EVERY`
//! disarms.

use crate::sys::mutex::StaticMutex;
use crate::sys::{Errno, SysResult};

pub struct KeepWritable {
    enabled: bool,
    /// Low nibble: credit; high nibble: disarms since the credit ran out.
    state: Vec<u8>,
}

const CREDIT: u8 = 0x0f;
const HIT_GAIN: u8 = 2;
const MISS_LOSS: u8 = 1;
const PROBE_EVERY: u8 = 8;

impl KeepWritable {
    /// On unless the environment says AENET_KEEP_WRITABLE=0, read once per
    /// process: then every disarm reaches the kernel before the next wait.
    pub fn new() -> KeepWritable {
        static ENABLED: StaticMutex<Option<bool>> = StaticMutex::new(None);
        let from_env = || std::env::var_os("AENET_KEEP_WRITABLE").is_none_or(|v| v != "0");
        let enabled = ENABLED.with(|e| *e.get_or_insert_with(from_env)).unwrap_or_else(from_env);
        KeepWritable { enabled, state: Vec::new() }
    }

    pub fn resize(&mut self, len: usize) -> SysResult<()> {
        if len > self.state.len() {
            self.state.try_reserve_exact(len - self.state.len()).map_err(|_| Errno(libc::ENOMEM))?;
        }
        self.state.resize(len, 0);
        self.state.shrink_to(len);
        Ok(())
    }

    /// WRITABLE of slot `i` was disarmed: true when it should stay in the
    /// kernel for now.
    pub fn on_disarm(&mut self, i: usize) -> bool {
        if !self.enabled {
            return false;
        }
        let s = self.state[i];
        if s & CREDIT != 0 {
            return true;
        }
        let cold = (s >> 4) + 1;
        self.state[i] = if cold >= PROBE_EVERY { 0 } else { cold << 4 };
        cold >= PROBE_EVERY
    }

    /// A re-arm found the WRITABLE still kept.
    pub fn hit(&mut self, i: usize) {
        self.state[i] = (self.state[i] & CREDIT).saturating_add(HIT_GAIN).min(CREDIT);
    }

    /// A kept WRITABLE had to be removed.
    pub fn miss(&mut self, i: usize) {
        self.state[i] = (self.state[i] & CREDIT).saturating_sub(MISS_LOSS);
    }

    /// A new registration on slot `i`: nothing is known about it yet.
    pub fn forget(&mut self, i: usize) {
        self.state[i] = 0;
    }
}

impl Default for KeepWritable {
    fn default() -> Self {
        Self::new()
    }
}
