//! Model-based property test of the event loop core: random sequences of
//! operations, some of them performed re-entrantly from inside callbacks,
//! checked after every step against a plain model of what ae promises.
//! Real socketpairs, the real clock, both backends; a fixed-seed xorshift
//! generator makes every failure reproducible (the seed is printed).

use core::cell::RefCell;
use core::ffi::c_void;
use std::collections::BTreeMap;

use aenet::abi::ae_common::{
    AE_BARRIER, AE_DONT_WAIT, AE_FILE_EVENTS, AE_NOMORE, AE_READABLE, AE_TIME_EVENTS, AE_WRITABLE, aeFileProcPtr,
};
use aenet::abi::ae_layout::{CTimeEvent, TimerCallbacks};
use aenet::abi::ae_v40::aeTimeEvent;
use aenet::ae::EventLoop;
use aenet::ae::backend::Kind;
use aenet::ae::dispatch::{self, Host};
use aenet::ae::policy::{Policy, TimerDelete};
use aenet::generation;

type Core = EventLoop<aeTimeEvent>;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

unsafe extern "C" fn file_proc(_: *mut c_void, _: i32, _: *mut c_void, _: i32) {}
unsafe extern "C" fn other_file_proc(_: *mut c_void, _: i32, _: *mut c_void, _: i32) {}
unsafe extern "C" fn time_proc(_: *mut c_void, _: i64, _: *mut c_void) -> i32 {
    0
}
unsafe extern "C" fn finalizer(_: *mut c_void, _: *mut c_void) {}

#[derive(Default)]
struct Model {
    setsize: i32,
    masks: BTreeMap<i32, i32>,
    /// Listed timers, newest first, and whether each was deleted (lazily:
    /// still listed, id -1, until the next timer pass).
    timers: Vec<(i64, bool)>,
    next_id: i64,
    finalized: Vec<i64>,
    lazy: bool,
}

impl Model {
    fn maxfd(&self) -> i32 {
        self.masks.iter().filter(|(_, m)| **m != 0).map(|(fd, _)| *fd).max().unwrap_or(-1)
    }

    fn live(&self) -> Vec<i64> {
        self.timers.iter().filter(|t| !t.1).map(|t| t.0).collect()
    }

    fn is_live(&self, id: i64) -> bool {
        self.timers.contains(&(id, false))
    }

    fn delete(&mut self, id: i64) {
        if self.lazy {
            for t in self.timers.iter_mut().filter(|t| t.0 == id) {
                t.1 = true;
            }
        } else {
            self.timers.retain(|t| t.0 != id);
            self.finalized.push(id);
        }
    }

    /// A timer pass frees what was deleted lazily before it began (the
    /// file events of the same call included), not what its own timer
    /// callbacks deleted.
    fn reap(&mut self, deleted_in_pass: &[i64]) {
        self.timers.retain(|t| !t.1 || deleted_in_pass.contains(&t.0));
    }
}

struct TestHost<'a> {
    cell: &'a RefCell<Core>,
    model: &'a RefCell<Model>,
    rng: &'a RefCell<Rng>,
    fds: &'a [i32],
    /// Timers fired in the current pass (each at most once).
    fired_this_pass: RefCell<Vec<i64>>,
    /// Ids created by timer callbacks during the current pass: they wait
    /// for the next pass (timers created by file handlers before the pass
    /// may fire in it, as in the reference).
    created_in_pass: RefCell<Vec<i64>>,
    in_timer: core::cell::Cell<bool>,
    /// Timers deleted by timer callbacks (or their own AE_NOMORE) during
    /// the current pass.
    deleted_in_pass: RefCell<Vec<i64>>,
    calls: RefCell<Vec<(char, i32, i32)>>,
}

impl TestHost<'_> {
    /// A random mutation of the loop from inside a callback, mirrored in the model.
    fn mutate(&self) {
        let op = self.rng.borrow_mut().below(6);
        let fd = self.fds[self.rng.borrow_mut().below(self.fds.len() as u64) as usize];
        match op {
            0 => {
                let mask =
                    [AE_READABLE, AE_WRITABLE, AE_READABLE | AE_WRITABLE][self.rng.borrow_mut().below(3) as usize];
                if self.cell.borrow_mut().create_file_event(fd, mask, Some(file_proc), core::ptr::null_mut()).is_ok() {
                    *self.model.borrow_mut().masks.entry(fd).or_default() |= mask;
                }
            }
            1 => {
                let mask = [AE_READABLE, AE_WRITABLE][self.rng.borrow_mut().below(2) as usize];
                self.cell.borrow_mut().delete_file_event(fd, mask);
                delete_in_model(&mut self.model.borrow_mut(), fd, mask);
            }
            2 => {
                let ms = self.rng.borrow_mut().range(-20, 20);
                let cb = TimerCallbacks {
                    proc_: Some(time_proc as unsafe extern "C" fn(_, _, _) -> _),
                    finalizer: Some(finalizer as unsafe extern "C" fn(_, _)),
                    client_data: core::ptr::null_mut(),
                };
                let id =
                    self.cell.borrow_mut().timers.create(ms, dispatch::now_clock(), |id| aeTimeEvent::fresh(id, cb));
                let mut m = self.model.borrow_mut();
                assert_eq!(id, m.next_id);
                m.next_id += 1;
                m.timers.insert(0, (id, false));
                if self.in_timer.get() {
                    self.created_in_pass.borrow_mut().push(id);
                }
            }
            3 => {
                let victim = {
                    let live = self.model.borrow().live();
                    if live.is_empty() {
                        None
                    } else {
                        Some(live[self.rng.borrow_mut().below(live.len() as u64) as usize])
                    }
                };
                if let Some(id) = victim {
                    let how = self.cell.borrow().policy.timer_delete;
                    let f = self.cell.borrow_mut().timers.delete(id, how);
                    assert!(f.is_some(), "live timer {id} not found");
                    assert_eq!(f.flatten().is_some(), how == TimerDelete::Eager, "finalizer at once only when eager");
                    self.model.borrow_mut().delete(id);
                    if self.in_timer.get() {
                        self.deleted_in_pass.borrow_mut().push(id);
                    }
                }
            }
            4 => {
                let size = self.model.borrow().setsize + self.rng.borrow_mut().range(-4, 8) as i32;
                let ok = self.cell.borrow_mut().resize(size).is_ok();
                let mut m = self.model.borrow_mut();
                assert_eq!(ok, size >= 0 && m.maxfd() < size, "resize to {size} with maxfd {}", m.maxfd());
                if ok {
                    m.setsize = size;
                }
            }
            _ => {}
        }
    }
}

fn delete_in_model(m: &mut Model, fd: i32, mask: i32) {
    if let Some(cur) = m.masks.get_mut(&fd) {
        let mut mask = mask;
        if mask & AE_WRITABLE != 0 {
            mask |= AE_BARRIER;
        }
        *cur &= !mask;
        if *cur & (AE_READABLE | AE_WRITABLE) == 0 {
            *cur = 0;
        }
    }
}

impl Host for TestHost<'_> {
    type Node = aeTimeEvent;

    fn file_proc(&self, proc_: aeFileProcPtr, fd: i32, _: *mut c_void, mask: i32) {
        let registered = self.model.borrow().masks.get(&fd).copied().unwrap_or(0);
        // A handler only runs for a direction that is both fired and still registered.
        let dir = if proc_.is_some() { registered & mask & (AE_READABLE | AE_WRITABLE) } else { 0 };
        assert_ne!(dir, 0, "fd {fd}: handler ran with fired {mask} but registered {registered}");
        self.calls.borrow_mut().push(('f', fd, mask));
        if self.rng.borrow_mut().below(3) == 0 {
            self.mutate();
        }
    }

    fn time_proc(&self, _: TimerCallbacks<aenet::abi::ae_common::aeTimeProcPtr>, id: i64) -> i64 {
        assert!(!self.created_in_pass.borrow().contains(&id), "timer {id} created during the pass fired");
        assert!(!self.fired_this_pass.borrow().contains(&id), "timer {id} fired twice in one pass");
        assert!(self.model.borrow().is_live(id), "dead timer {id} fired");
        self.fired_this_pass.borrow_mut().push(id);
        if self.rng.borrow_mut().below(3) == 0 {
            self.in_timer.set(true);
            self.mutate();
            self.in_timer.set(false);
        }
        let ret =
            if self.rng.borrow_mut().below(2) == 0 { AE_NOMORE as i64 } else { self.rng.borrow_mut().range(-5, 10) };
        if ret == AE_NOMORE as i64 && self.model.borrow().is_live(id) {
            self.model.borrow_mut().delete(id);
            self.deleted_in_pass.borrow_mut().push(id);
        }
        ret
    }

    fn finalizer(&self, _: TimerCallbacks<aenet::abi::ae_common::aeTimeProcPtr>) {}
    fn before_sleep(&self) {}
    fn after_sleep(&self, _: i32) {}
    fn custom_poll(&self) -> Option<i32> {
        None
    }
    fn wait_failed(&self, errno: i32) {
        panic!("wait failed: {errno}");
    }
    fn publish(&self, _: &mut Core) {}
    fn cancelled(&self) -> bool {
        false
    }
    fn stopped(&self) -> bool {
        false
    }
}

fn check(cell: &RefCell<Core>, model: &RefCell<Model>, fds: &[i32], step: usize) {
    let mut core = cell.borrow_mut();
    let m = model.borrow();
    for &fd in fds {
        let want = if fd < m.setsize { m.masks.get(&fd).copied().unwrap_or(0) } else { 0 };
        assert_eq!(core.get_file_events(fd), want, "step {step}: mask of fd {fd}");
    }
    assert_eq!(core.maxfd(), m.maxfd(), "step {step}: maxfd");
    assert_eq!(core.setsize(), m.setsize, "step {step}: setsize");
    let listed: Vec<i64> = m.timers.iter().map(|&(id, dead)| if dead { -1 } else { id }).collect();
    assert_eq!(core.timers.listed_ids(), listed, "step {step}: the C-visible timer list");
    assert_eq!(core.timers.next_deadline().is_some(), !m.live().is_empty(), "step {step}: next deadline");
    assert_eq!(core.timers.next_id(), m.next_id, "step {step}: timeEventNextId");
}

fn run(kind: Kind, policy: Policy, seed: u64, steps: usize) {
    let mut fds = Vec::new();
    for _ in 0..6 {
        let mut sv = [0i32; 2];
        // SAFETY: sv is a valid array of two ints for socketpair to fill.
        assert_eq!(
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0, sv.as_mut_ptr()) },
            0
        );
        fds.extend(sv);
    }
    let setsize = fds.iter().max().unwrap() + 4;
    let cell = RefCell::new(Core::new(setsize, kind, policy).unwrap());
    assert_eq!(cell.borrow().backend_kind(), kind);
    let lazy = policy.timer_delete == TimerDelete::Lazy;
    let model = RefCell::new(Model { setsize, lazy, ..Default::default() });
    let rng = RefCell::new(Rng(seed));
    let host = TestHost {
        cell: &cell,
        model: &model,
        rng: &rng,
        fds: &fds,
        fired_this_pass: RefCell::new(Vec::new()),
        created_in_pass: RefCell::new(Vec::new()),
        in_timer: core::cell::Cell::new(false),
        deleted_in_pass: RefCell::new(Vec::new()),
        calls: RefCell::new(Vec::new()),
    };
    let mut readable = std::collections::BTreeSet::new();
    let mut probe = fds.clone();
    // Never valid: negative, and far beyond any size a resize reaches.
    probe.extend([-1, -1000, 1 << 20]);
    for step in 0..steps {
        let op = rng.borrow_mut().below(11);
        match op {
            0..=2 => {
                let fd = probe[rng.borrow_mut().below(probe.len() as u64) as usize];
                let mask = [AE_READABLE, AE_WRITABLE, AE_READABLE | AE_WRITABLE, AE_WRITABLE | AE_BARRIER, 0]
                    [rng.borrow_mut().below(5) as usize];
                let proc_: aeFileProcPtr =
                    if rng.borrow_mut().below(2) == 0 { Some(file_proc) } else { Some(other_file_proc) };
                let r = cell.borrow_mut().create_file_event(fd, mask, proc_, core::ptr::null_mut());
                let in_range = fd >= 0 && fd < model.borrow().setsize;
                assert_eq!(r.is_ok(), in_range, "step {step}: create fd {fd} mask {mask}: {r:?}");
                if in_range && mask & (AE_READABLE | AE_WRITABLE) != 0 {
                    *model.borrow_mut().masks.entry(fd).or_default() |= mask;
                }
            }
            3 | 4 => {
                let fd = probe[rng.borrow_mut().below(probe.len() as u64) as usize];
                let mask = [AE_READABLE, AE_WRITABLE, AE_READABLE | AE_WRITABLE][rng.borrow_mut().below(3) as usize];
                cell.borrow_mut().delete_file_event(fd, mask);
                delete_in_model(&mut model.borrow_mut(), fd, mask);
            }
            5 => host.mutate(),
            6 => {
                // Make a random fd readable (nothing ever reads it back).
                let k = rng.borrow_mut().below(fds.len() as u64) as usize;
                // SAFETY: writes one byte from a static buffer.
                unsafe { libc::write(fds[k], b"x".as_ptr().cast(), 1) };
                readable.insert(fds[k ^ 1]);
            }
            7 => {
                // A bare wait reports exactly what is registered and ready,
                // every time (level-triggered): sockets are always writable
                // here, readable once their peer wrote.
                let n = cell.borrow_mut().wait(|| 0).unwrap();
                let mut got: Vec<(i32, i32)> =
                    (0..n).map(|j| cell.borrow().fired(j).unwrap()).map(|e| (e.fd, e.mask)).collect();
                got.sort();
                let m = model.borrow();
                let expected: Vec<(i32, i32)> = m
                    .masks
                    .iter()
                    .map(|(&fd, &mask)| {
                        let ready = AE_WRITABLE | if readable.contains(&fd) { AE_READABLE } else { 0 };
                        (fd, mask & ready & (AE_READABLE | AE_WRITABLE))
                    })
                    .filter(|&(_, mask)| mask != 0)
                    .collect();
                assert_eq!(got, expected, "step {step}: what a wait reports");
            }
            _ => {
                host.fired_this_pass.borrow_mut().clear();
                host.created_in_pass.borrow_mut().clear();
                let flags = [AE_FILE_EVENTS, AE_TIME_EVENTS, AE_FILE_EVENTS | AE_TIME_EVENTS]
                    [rng.borrow_mut().below(3) as usize];
                host.deleted_in_pass.borrow_mut().clear();
                let n = dispatch::process_events(&cell, flags | AE_DONT_WAIT, &host);
                if flags & AE_TIME_EVENTS != 0 {
                    model.borrow_mut().reap(&host.deleted_in_pass.borrow());
                }
                assert!(n >= host.fired_this_pass.borrow().len() as i32);
                if flags & AE_TIME_EVENTS == 0 {
                    assert!(
                        host.fired_this_pass.borrow().is_empty(),
                        "step {step}: timers fired without AE_TIME_EVENTS"
                    );
                }
            }
        }
        check(&cell, &model, &probe, step);
    }
    assert!(!host.calls.borrow().is_empty(), "no file event was ever dispatched");
    for fd in fds {
        // SAFETY: closing fds this test opened.
        unsafe { libc::close(fd) };
    }
}

/// Every generation's loop policy, on every backend.
#[test]
fn ae_core_matches_model_epoll() {
    for g in generation::ALL {
        for seed in 1..=40u64 {
            eprintln!("{} epoll seed {seed}", g.name);
            run(Kind::Epoll, g.ae, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 400);
        }
    }
}

#[test]
fn ae_core_matches_model_poll() {
    for g in generation::ALL {
        for seed in 1..=40u64 {
            eprintln!("{} poll seed {seed}", g.name);
            run(Kind::Poll, g.ae, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 7, 400);
        }
    }
}

#[test]
fn ae_core_matches_model_io_uring() {
    if !aenet::ae::backend::io_uring::available() {
        eprintln!("io_uring is not available here: skipped");
        return;
    }
    for g in generation::ALL {
        for seed in 1..=40u64 {
            eprintln!("{} io_uring seed {seed}", g.name);
            run(Kind::IoUring, g.ae, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 11, 400);
        }
    }
}
