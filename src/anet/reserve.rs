//! One spare descriptor for the process (libuv's trick). When accept fails
//! because descriptors ran out, the pending connection would stay queued and
//! a level-triggered listener readable, so the loop would spin calling a
//! handler that can never succeed. Instead the spare is given up for a
//! moment, what is pending is accepted and closed at once, and the spare is
//! taken back: the listener stops being readable, the caller still gets the
//! original error.

use std::os::fd::{AsRawFd, OwnedFd};

use crate::sys::mutex::StaticMutex;
use crate::sys::sockaddr::SockAddr;
use crate::sys::{fd, poll, socket};

/// The spare, shared by every thread that accepts; one uncontended lock
/// per accept call.
static SPARE: StaticMutex<Option<OwnedFd>> = StaticMutex::new(None);

/// Connections shed in one call at most (a backlog is bounded anyway).
const MAX_SHED: usize = 4096;

fn open_spare() -> Option<OwnedFd> {
    fd::open_cloexec(c"/dev/null", libc::O_RDONLY).ok()
}

/// Makes sure the spare is held (one uncontended lock when it is).
pub fn ensure() {
    SPARE.with(|spare| {
        if spare.is_none() {
            *spare = open_spare();
        }
    });
}

fn is_exhaustion(errno: i32) -> bool {
    errno == libc::EMFILE || errno == libc::ENFILE
}

/// After accept on `listener` failed with `errno`: when descriptors ran
/// out, sheds the pending connections (all of them on a non-blocking
/// listener; on a blocking one the one that is pending, if any) using the
/// spare. Returns how many were shed. Errno is the caller's to restore.
///
/// The spare can be lost: while it is given up, another thread's accept
/// (or open, or socket) may take the descriptor it freed, and taking it
/// back then fails. Any later accept error takes it back as soon as a
/// descriptor is free again (an EAGAIN that ends an accept loop, or this
/// call on exhaustion when one was freed since the accept failed; the
/// next exhaustion is then shed again).
pub fn shed_if_exhausted(listener: i32, errno: i32) -> usize {
    if !is_exhaustion(errno) {
        ensure();
        return 0;
    }
    SPARE.with(|spare| shed_with(spare, listener)).unwrap_or(0)
}

/// The exchange, under the lock: gives up the spare, sheds, takes it back.
fn shed_with(spare: &mut Option<OwnedFd>, listener: i32) -> usize {
    let Some(held) = spare.take() else {
        *spare = open_spare();
        return 0;
    };
    drop(held);
    let nonblocking = fd::get_flags(listener).is_ok_and(|f| f & libc::O_NONBLOCK != 0);
    let mut shed = 0;
    while shed < MAX_SHED {
        if !nonblocking && !readable_now(listener) {
            break;
        }
        let mut sa = SockAddr::empty();
        match socket::accept(listener, &mut sa) {
            Ok(conn) => {
                let _ = fd::close(conn);
                shed += 1;
            }
            Err(e) if e.0 == libc::EINTR => continue,
            Err(_) => break,
        }
        if !nonblocking {
            break;
        }
    }
    *spare = open_spare();
    shed
}

fn readable_now(listener: i32) -> bool {
    let mut p = poll::PollFd { fd: listener, events: libc::POLLIN, revents: 0 };
    poll::poll(core::slice::from_mut(&mut p), 0).is_ok_and(|n| n == 1 && p.revents & libc::POLLIN != 0)
}

/// The spare's descriptor number, for tests.
pub fn spare_fd() -> Option<i32> {
    SPARE.with(|s| s.as_ref().map(|f| f.as_raw_fd())).flatten()
}
