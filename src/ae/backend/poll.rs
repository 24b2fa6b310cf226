//! poll(2): the portable fallback. A dense pollfd array plus an fd -> slot
//! index, so registration changes are O(1) and a poll scans only live fds.

use crate::abi::ae::{AE_READABLE, AE_WRITABLE, aeFiredEvent};
use crate::sys::{SysResult, poll};

use super::Interest;

const NO_SLOT: u32 = u32::MAX;

pub struct Poll {
    fds: Vec<poll::PollFd>,
    slot_of: Vec<u32>,
}

fn kernel_events(mask: Interest) -> i16 {
    let mut ev = 0;
    if mask & AE_READABLE != 0 {
        ev |= libc::POLLIN;
    }
    if mask & AE_WRITABLE != 0 {
        ev |= libc::POLLOUT;
    }
    ev
}

fn ae_mask(revents: i16) -> i32 {
    let mut mask = 0;
    if revents & libc::POLLIN != 0 {
        mask |= AE_READABLE;
    }
    if revents & libc::POLLOUT != 0 {
        mask |= AE_WRITABLE;
    }
    if revents & (libc::POLLERR | libc::POLLHUP) != 0 {
        mask |= AE_READABLE | AE_WRITABLE;
    }
    mask
}

impl Poll {
    pub fn new(setsize: usize) -> Poll {
        Poll { fds: Vec::new(), slot_of: vec![NO_SLOT; setsize] }
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        match self.slot_of.get(fd as usize) {
            Some(&s) if s != NO_SLOT => Some(s as usize),
            _ => None,
        }
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        let events = kernel_events(old | add);
        match self.slot(fd) {
            Some(s) => {
                // Re-arm a slot that poll had parked after POLLNVAL.
                self.fds[s] = poll::PollFd { fd, events, revents: 0 };
            }
            None => {
                let Some(entry) = self.slot_of.get_mut(fd as usize) else {
                    return Err(crate::sys::Errno(libc::ERANGE));
                };
                *entry = self.fds.len() as u32;
                self.fds.push(poll::PollFd { fd, events, revents: 0 });
            }
        }
        Ok(())
    }

    pub fn del(&mut self, fd: i32, old: Interest, del: Interest) {
        let Some(s) = self.slot(fd) else { return };
        let left = old & !del;
        if left != 0 {
            self.fds[s].events = kernel_events(left);
            return;
        }
        self.fds.swap_remove(s);
        self.slot_of[fd as usize] = NO_SLOT;
        if let Some(moved) = self.fds.get(s) {
            let moved_fd = if moved.fd < 0 { !moved.fd } else { moved.fd };
            self.slot_of[moved_fd as usize] = s as u32;
        }
    }

    pub fn resize(&mut self, setsize: usize) -> SysResult<()> {
        self.slot_of.resize(setsize, NO_SLOT);
        Ok(())
    }

    pub fn poll(&mut self, timeout_ms: i32, fired: &mut [aeFiredEvent]) -> usize {
        let ready = poll::poll(&mut self.fds, timeout_ms).unwrap_or(0);
        if ready == 0 {
            return 0;
        }
        let mut n = 0;
        for pfd in self.fds.iter_mut() {
            if pfd.revents == 0 {
                continue;
            }
            if pfd.revents & libc::POLLNVAL != 0 {
                // The fd was closed while registered: park it (the kernel
                // skips negative fds) as epoll forgets a closed fd.
                pfd.fd = !pfd.fd;
                continue;
            }
            let Some(slot) = fired.get_mut(n) else { break };
            *slot = aeFiredEvent { fd: pfd.fd, mask: ae_mask(pfd.revents) };
            n += 1;
        }
        n
    }
}
