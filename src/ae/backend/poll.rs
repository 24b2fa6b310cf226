//! poll(2): the portable fallback. A dense pollfd array plus an fd -> slot
//! index, so registration changes are O(1) and a wait scans only live fds.

use crate::abi::ae_common::aeFiredEvent;
use crate::ae::interest::Interest;
use crate::sys::{Errno, SysResult, poll};

const NO_SLOT: u32 = u32::MAX;

pub struct Poll {
    fds: Vec<poll::PollFd>,
    slot_of: Vec<u32>,
}

fn kernel_events(i: Interest) -> i16 {
    let mut ev = 0;
    if i.readable() {
        ev |= libc::POLLIN;
    }
    if i.writable() {
        ev |= libc::POLLOUT;
    }
    ev
}

fn reported(revents: i16) -> Interest {
    let mut i = Interest::NONE;
    if revents & libc::POLLIN != 0 {
        i = i | Interest::READABLE;
    }
    if revents & libc::POLLOUT != 0 {
        i = i | Interest::WRITABLE;
    }
    if revents & (libc::POLLERR | libc::POLLHUP) != 0 {
        i = Interest::BOTH;
    }
    i
}

impl Poll {
    pub fn new(setsize: usize) -> Poll {
        Poll { fds: Vec::new(), slot_of: vec![NO_SLOT; setsize] }
    }

    fn slot(&self, fd: i32) -> Option<usize> {
        match self.slot_of.get(usize::try_from(fd).ok()?) {
            Some(&s) if s != NO_SLOT => Some(s as usize),
            _ => None,
        }
    }

    pub fn add(&mut self, fd: i32, old: Interest, add: Interest) -> SysResult<()> {
        let events = kernel_events(old | add);
        match self.slot(fd) {
            Some(s) => {
                // Re-arm a slot that a wait had parked after POLLNVAL.
                self.fds[s] = poll::PollFd { fd, events, revents: 0 };
            }
            None => {
                let Some(entry) = usize::try_from(fd).ok().and_then(|i| self.slot_of.get_mut(i)) else {
                    return Err(Errno(libc::ERANGE));
                };
                *entry = self.fds.len() as u32;
                self.fds.push(poll::PollFd { fd, events, revents: 0 });
            }
        }
        Ok(())
    }

    pub fn remove(&mut self, fd: i32, old: Interest, del: Interest) {
        let Some(s) = self.slot(fd) else { return };
        let left = old & !del;
        if !left.is_empty() {
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
        if setsize > self.slot_of.len() {
            self.slot_of.try_reserve_exact(setsize - self.slot_of.len()).map_err(|_| Errno(libc::ENOMEM))?;
        }
        self.slot_of.resize(setsize, NO_SLOT);
        Ok(())
    }

    pub fn wait(&mut self, timeout_ms: i32, fired: &mut [aeFiredEvent]) -> SysResult<usize> {
        let ready = match poll::poll(&mut self.fds, timeout_ms) {
            Err(e) if e.0 == libc::EINTR => return Ok(0),
            r => r?,
        };
        if ready == 0 {
            return Ok(0);
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
            *slot = aeFiredEvent { fd: pfd.fd, mask: reported(pfd.revents).mask() };
            n += 1;
        }
        Ok(n)
    }
}
