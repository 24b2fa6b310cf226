//! Sequences of ae operations, decoded from the input, through the C entry
//! points on a real loop with real socketpairs: file events created and
//! deleted, timers created and deleted, resizes, processing, and callbacks
//! that do the same from inside the loop. After every step the loop's
//! public state matches a plain model (masks, maxfd, setsize, the
//! C-visible timer list). The target is built for redis50, whose deleted
//! timers stay listed with id -1 until the next timer pass frees them
//! (not while their own callback runs).
#![no_main]

use core::cell::RefCell;
use core::ffi::c_void;
use std::collections::BTreeMap;

use aenet::abi::ae_common::{
    AE_BARRIER, AE_DONT_WAIT, AE_ERR, AE_FILE_EVENTS, AE_NOMORE, AE_OK, AE_READABLE, AE_TIME_EVENTS, AE_WRITABLE,
};
use aenet::generation::current::ae_abi::aeEventLoop;
use aenet::ffi::ae::{
    aeCreateEventLoop, aeCreateFileEvent, aeCreateTimeEvent, aeDeleteEventLoop, aeDeleteFileEvent, aeDeleteTimeEvent,
    aeGetFileEvents, aeProcessEvents, aeResizeSetSize,
};
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct State {
    ops: Vec<u8>,
    pos: usize,
    fds: Vec<i32>,
    setsize: i32,
    masks: BTreeMap<i32, i32>,
    /// The C list, head first: (id, deleted but not yet freed).
    timers: Vec<(i64, bool)>,
    /// Timers whose callback is running, outermost first.
    running: Vec<i64>,
    /// Per running aeProcessEvents call, innermost last: its timer pass
    /// has not freed the deleted timers yet.
    reap_pending: Vec<bool>,
    depth: u32,
}

fn live(s: &State, id: i64) -> bool {
    s.timers.iter().any(|&(t, dead)| t == id && !dead)
}

/// The innermost aeProcessEvents call reaches its timer pass, which first
/// frees every deleted timer whose callback is not running (those deleted
/// by file callbacks of the same call included).
fn reap_if_pending() {
    ST.with(|s| {
        let mut s = s.borrow_mut();
        if s.reap_pending.last() == Some(&true) {
            *s.reap_pending.last_mut().unwrap() = false;
            let running = s.running.clone();
            s.timers.retain(|&(t, dead)| !dead || running.contains(&t));
        }
    });
}

/// Deleted lazily: listed with id -1 until the next timer pass.
fn mark_deleted(id: i64) {
    ST.with(|s| {
        for t in s.borrow_mut().timers.iter_mut().filter(|t| t.0 == id) {
            t.1 = true;
        }
    });
}

thread_local! {
    static ST: RefCell<State> = RefCell::new(State::default());
}

fn byte() -> u8 {
    ST.with(|s| {
        let mut s = s.borrow_mut();
        let b = s.ops.get(s.pos).copied().unwrap_or(0);
        s.pos += 1;
        b
    })
}

fn more() -> bool {
    ST.with(|s| {
        let s = s.borrow();
        s.pos < s.ops.len()
    })
}

fn pick_fd() -> i32 {
    let b = byte();
    ST.with(|s| {
        let s = s.borrow();
        match b % 20 {
            18 => -1,
            19 => 100_000,
            i => s.fds[i as usize % s.fds.len()],
        }
    })
}

unsafe extern "C" fn on_file(el: *mut c_void, fd: i32, _: *mut c_void, mask: i32) {
    let el = el.cast::<aeEventLoop>();
    let registered = ST.with(|s| s.borrow().masks.get(&fd).copied().unwrap_or(0));
    assert_ne!(registered & mask & (AE_READABLE | AE_WRITABLE), 0, "stale dispatch on fd {fd}");
    if mask & AE_READABLE != 0 {
        let mut b = [0u8; 64];
        // SAFETY: reads into a local buffer.
        unsafe { libc::read(fd, b.as_mut_ptr().cast(), b.len()) };
    }
    if byte() % 2 == 0 {
        step(el);
    }
}

unsafe extern "C" fn on_timer(el: *mut c_void, id: i64, _: *mut c_void) -> i32 {
    let el = el.cast::<aeEventLoop>();
    reap_if_pending();
    assert!(ST.with(|s| live(&s.borrow(), id)), "dead timer {id} fired");
    ST.with(|s| s.borrow_mut().running.push(id));
    if byte() % 2 == 0 {
        step(el);
    }
    ST.with(|s| s.borrow_mut().running.pop());
    let r = byte();
    if r % 3 == 0 {
        mark_deleted(id);
        AE_NOMORE
    } else {
        // A period from -3 to 3, never -1 (that is AE_NOMORE).
        match (r as i32 % 7) - 3 {
            AE_NOMORE => -2,
            p => p,
        }
    }
}

fn delete_in_model(fd: i32, mask: i32) {
    ST.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(m) = s.masks.get_mut(&fd) {
            let del = if mask & AE_WRITABLE != 0 { mask | AE_BARRIER } else { mask };
            *m &= !del;
            if *m & (AE_READABLE | AE_WRITABLE) == 0 {
                *m = 0;
            }
        }
    });
}

fn maxfd() -> i32 {
    ST.with(|s| s.borrow().masks.iter().filter(|(_, m)| **m != 0).map(|(fd, _)| *fd).max().unwrap_or(-1))
}

/// One operation decoded from the input.
fn step(el: *mut aeEventLoop) {
    let op = byte() % 8;
    // SAFETY (all calls below): el is the live loop of this run.
    match op {
        0 | 1 => {
            let fd = pick_fd();
            let mask =
                [AE_READABLE, AE_WRITABLE, AE_READABLE | AE_WRITABLE, AE_WRITABLE | AE_BARRIER][byte() as usize % 4];
            let rc = unsafe { aeCreateFileEvent(el, fd, mask, Some(on_file), core::ptr::null_mut()) };
            let in_range = fd >= 0 && fd < ST.with(|s| s.borrow().setsize);
            assert_eq!(rc == AE_OK, in_range, "create fd {fd}");
            if rc == AE_OK {
                ST.with(|s| *s.borrow_mut().masks.entry(fd).or_default() |= mask);
            }
        }
        2 => {
            let fd = pick_fd();
            let mask = [AE_READABLE, AE_WRITABLE, AE_READABLE | AE_WRITABLE][byte() as usize % 3];
            unsafe { aeDeleteFileEvent(el, fd, mask) };
            delete_in_model(fd, mask);
        }
        3 => {
            let ms = (byte() as i64 % 21) - 10;
            let id = unsafe { aeCreateTimeEvent(el, ms, Some(on_timer), core::ptr::null_mut(), None) };
            assert!(id >= 0);
            ST.with(|s| s.borrow_mut().timers.insert(0, (id, false)));
        }
        4 => {
            let victim = ST.with(|s| s.borrow().timers.iter().find(|t| !t.1).map_or(12345, |t| t.0));
            let known = ST.with(|s| live(&s.borrow(), victim));
            let rc = unsafe { aeDeleteTimeEvent(el, victim) };
            assert_eq!(rc == AE_OK, known);
            mark_deleted(victim);
        }
        5 => {
            let size = ST.with(|s| s.borrow().setsize) + (byte() as i32 % 9) - 4;
            let rc = unsafe { aeResizeSetSize(el, size) };
            let ok = size >= 0 && maxfd() < size;
            assert_eq!(rc == AE_OK, ok, "resize to {size}");
            if ok {
                ST.with(|s| s.borrow_mut().setsize = size);
            } else {
                assert_eq!(rc, AE_ERR);
            }
        }
        6 => {
            let fd = pick_fd();
            if fd >= 0 && fd < 100_000 {
                // SAFETY: writes one byte to a socket of this run.
                unsafe { libc::write(fd, b"x".as_ptr().cast(), 1) };
            }
        }
        _ => {
            let depth = ST.with(|s| s.borrow().depth);
            if depth < 3 {
                ST.with(|s| s.borrow_mut().depth += 1);
                let flags = [AE_FILE_EVENTS, AE_TIME_EVENTS, AE_FILE_EVENTS | AE_TIME_EVENTS][byte() as usize % 3];
                ST.with(|s| s.borrow_mut().reap_pending.push(flags & AE_TIME_EVENTS != 0));
                unsafe { aeProcessEvents(el, flags | AE_DONT_WAIT) };
                reap_if_pending();
                ST.with(|s| s.borrow_mut().reap_pending.pop());
                ST.with(|s| s.borrow_mut().depth -= 1);
            }
        }
    }
    check(el);
}

fn check(el: *mut aeEventLoop) {
    let (fds, setsize, masks, timers) = ST.with(|s| {
        let s = s.borrow();
        (s.fds.clone(), s.setsize, s.masks.clone(), s.timers.clone())
    });
    for fd in fds {
        let want = if fd < setsize { masks.get(&fd).copied().unwrap_or(0) } else { 0 };
        // SAFETY: el is live.
        assert_eq!(unsafe { aeGetFileEvents(el, fd) }, want, "mask of fd {fd}");
    }
    // SAFETY: reading the public fields and walking the public list of a live loop.
    unsafe {
        assert_eq!((*el).maxfd, maxfd());
        assert_eq!((*el).setsize, setsize);
        let mut listed = Vec::new();
        let mut te = (*el).timeEventHead;
        while !te.is_null() {
            listed.push((*te).id);
            te = (*te).next;
        }
        let want: Vec<i64> = timers.iter().map(|&(t, dead)| if dead { -1 } else { t }).collect();
        assert_eq!(listed, want, "the C-visible timer list");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut fds = Vec::new();
    for _ in 0..4 {
        let mut sv = [0i32; 2];
        // SAFETY: sv is a valid array for socketpair to fill.
        assert_eq!(
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0, sv.as_mut_ptr()) },
            0
        );
        fds.extend(sv);
    }
    let setsize = fds.iter().max().unwrap() + 4;
    ST.with(|s| {
        *s.borrow_mut() = State { ops: data.to_vec(), fds: fds.clone(), setsize, ..Default::default() };
    });
    let el = aeCreateEventLoop(setsize);
    while more() {
        step(el);
    }
    // SAFETY: el is live and no call on it is running.
    unsafe { aeDeleteEventLoop(el) };
    for fd in fds {
        // SAFETY: closing this run's sockets.
        unsafe { libc::close(fd) };
    }
});
