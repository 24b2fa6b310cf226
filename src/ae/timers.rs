//! Time events: deadlines on the monotonic clock in a timing wheel
//! (`timer_wheel`: creating, firing and deleting cost the same at any
//! number of timers), each with its C node in the generation's layout, kept
//! listed by `timer_list` so a host that walks `timeEventHead` sees what the
//! reference would show.
//!
//! Deletion is eager (3.0: freed and finalized at once) or lazy (3.2+: the
//! node stays listed with id -1 and is freed, and finalized, by the next
//! timer pass, never while its callback runs).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::policy::TimerDelete;
use super::slab::Slab;
use super::timer_list::{Links, Members, TimerList, TimerNode};
use super::timer_wheel::{Entry, TimerWheel};

const DELETED_ID: i64 = -1;
/// Due timers whose data a pass reads ahead.
const WARM_MAX: usize = 256;
/// Stale schedule entries tolerated before they are swept (and never more
/// than there are live ones).
const STALE_SWEEP_MIN: usize = 1024;

/// Timer ids are sequential, so a multiplicative hash spreads them well.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x100000001b3);
        }
    }
    fn write_i64(&mut self, v: i64) {
        self.0 = (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

struct Slot<N> {
    /// The C node, in place: the slab never moves it.
    node: N,
    id: i64,
    deadline: u64,
    /// Its entry (deadline, id) is in the schedule.
    queued: bool,
    /// Taken by `take_due` and not finished: the schedule shows it as due
    /// right after the pass (a nested wait does not sleep past it).
    parked: bool,
    links: Links,
    /// Deleted lazily: listed, not scheduled, freed by the next pass.
    dead: bool,
    /// Callbacks of this timer running now (nested passes never re-fire a
    /// timer, so at most one).
    running: u32,
}

/// A due timer, for the caller to run.
#[derive(Clone, Copy)]
pub struct Due<C> {
    pub id: i64,
    slot: u32,
    pub callbacks: C,
}

/// Converts monotonic deadlines into the wall-clock and monotonic-µs due
/// times the C nodes show.
#[derive(Clone, Copy)]
pub struct Clock {
    pub mono_ns: u64,
    pub wall_ms: i64,
}

impl Clock {
    /// The same clock at a later monotonic time, without reading the wall
    /// clock again (its offset from the monotonic clock is the pass's).
    pub fn advanced_to(&self, mono_ns: u64) -> Clock {
        let delta_ms = (mono_ns.saturating_sub(self.mono_ns) / 1_000_000) as i64;
        Clock { mono_ns, wall_ms: self.wall_ms.saturating_add(delta_ms) }
    }

    fn wall_ms_of(&self, deadline: u64) -> i64 {
        let delta_ms = (deadline as i128 - self.mono_ns as i128) / 1_000_000;
        (self.wall_ms as i128 + delta_ms).clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }
}

pub struct Timers<N: TimerNode> {
    slots: Slab<Slot<N>>,
    free: Vec<u32>,
    by_id: HashMap<i64, u32, BuildHasherDefault<IdHasher>>,
    wheel: TimerWheel,
    /// Entries in the wheel whose timer was deleted since.
    stale: usize,
    /// Timers parked (see `Slot::parked`).
    parked: usize,
    /// `due_by`'s list of due slots (kept to save allocating it).
    due: Vec<u32>,
    list: TimerList,
    /// Slots deleted lazily and not freed yet.
    dead: Vec<u32>,
    next_id: i64,
    /// The monotonic time the current (or last) firing pass started at.
    /// No deadline is ever set at or before it, so a pass fires each timer
    /// at most once and always ends.
    pass_now: u64,
    /// Passes running now; a nested pass (aeProcessEvents called from a
    /// callback) keeps the outer pass's time, so the timer whose callback
    /// re-entered is not fired again inside itself.
    pass_depth: u32,
}

impl<N: TimerNode> Members<N> for Slab<Slot<N>> {
    fn node(&mut self, slot: u32) -> Option<&mut N> {
        self.get_mut(slot as usize).map(|s| &mut s.node)
    }
    fn links(&mut self, slot: u32) -> Option<&mut Links> {
        self.get_mut(slot as usize).map(|s| &mut s.links)
    }
}

fn deadline_after(now: u64, ms: i64) -> u64 {
    if ms >= 0 {
        now.saturating_add((ms as u64).saturating_mul(1_000_000))
    } else {
        now.saturating_sub(ms.unsigned_abs().saturating_mul(1_000_000))
    }
}

impl<N: TimerNode> Default for Timers<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<N: TimerNode> Timers<N> {
    pub fn new() -> Self {
        Timers {
            slots: Slab::default(),
            free: Vec::new(),
            by_id: HashMap::default(),
            wheel: TimerWheel::default(),
            stale: 0,
            parked: 0,
            due: Vec::new(),
            list: TimerList::default(),
            dead: Vec::new(),
            next_id: 0,
            pass_now: 0,
            pass_depth: 0,
        }
    }

    pub fn next_id(&self) -> i64 {
        self.next_id
    }

    /// Live timers (deleted ones excluded).
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// True while lazily deleted timers wait for a pass to free them.
    pub fn has_dead(&self) -> bool {
        !self.dead.is_empty()
    }

    /// The C-visible list head (newest listed timer), or null.
    pub fn head_ptr(&mut self) -> *mut N {
        self.list.head_ptr(&mut self.slots)
    }

    fn slot_mut(&mut self, slot: u32) -> Option<&mut Slot<N>> {
        self.slots.get_mut(slot as usize)
    }

    fn clamp_deadline(&self, d: u64) -> u64 {
        d.max(self.pass_now.saturating_add(1))
    }

    /// Whether the schedule entry `e` is its timer's current one.
    fn is_live(slots: &Slab<Slot<N>>, e: &Entry) -> bool {
        matches!(slots.get(e.slot as usize), Some(s) if s.queued && s.id == e.id && s.deadline == e.deadline)
    }

    /// Puts slot `slot` on the schedule at its deadline.
    fn enqueue(&mut self, slot: u32) {
        let Some(s) = self.slot_mut(slot) else { return };
        s.queued = true;
        let e = Entry { deadline: s.deadline, id: s.id, slot };
        self.wheel.push(e);
    }

    /// Takes slot `slot` off the schedule (its entry goes stale).
    fn dequeue(&mut self, slot: u32) {
        let Some(s) = self.slot_mut(slot) else { return };
        let (queued, parked) = (s.queued, s.parked);
        s.queued = false;
        s.parked = false;
        if parked {
            self.parked -= 1;
        }
        if queued {
            self.stale += 1;
            if self.stale > STALE_SWEEP_MIN && self.stale > self.wheel.len() / 2 {
                let slots = &self.slots;
                self.wheel.retain(|e| Self::is_live(slots, e));
                self.stale = 0;
            }
        }
    }

    fn show_due(&mut self, slot: u32, clock: Clock) {
        if let Some(s) = self.slot_mut(slot) {
            let (wall, mono_us) = (clock.wall_ms_of(s.deadline), s.deadline / 1000);
            s.node.set_due(wall, mono_us);
        }
    }

    /// Creates a timer due `ms` milliseconds after `clock`, its C node made
    /// by `make` from the id; returns the id.
    pub fn create(&mut self, ms: i64, clock: Clock, make: impl FnOnce(i64) -> N) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let deadline = self.clamp_deadline(deadline_after(clock.mono_ns, ms));
        let slot = Slot {
            node: make(id),
            id,
            deadline,
            queued: false,
            parked: false,
            links: Links::default(),
            dead: false,
            running: 0,
        };
        let index = match self.free.pop() {
            Some(i) => {
                self.slots.set(i as usize, slot);
                i
            }
            None => self.slots.push(slot) as u32,
        };
        self.show_due(index, clock);
        self.list.push_front(&mut self.slots, index);
        self.by_id.insert(id, index);
        self.enqueue(index);
        id
    }

    fn free_slot(&mut self, index: u32) -> Option<N::Callbacks> {
        self.list.unlink(&mut self.slots, index);
        let slot = self.slots.take(index as usize)?;
        self.free.push(index);
        Some(slot.node.callbacks())
    }

    /// aeDeleteTimeEvent. Eager: unlinks and frees timer `id` and returns
    /// its callbacks, for the caller to run the finalizer. Lazy: takes it
    /// off the schedule, shows it with id -1, and leaves it to `take_dead`.
    /// None when no such timer is live.
    pub fn delete(&mut self, id: i64, how: TimerDelete) -> Option<Option<N::Callbacks>> {
        let index = self.by_id.remove(&id)?;
        self.dequeue(index);
        match how {
            TimerDelete::Eager => Some(self.free_slot(index)),
            TimerDelete::Lazy => {
                let s = self.slot_mut(index)?;
                s.dead = true;
                s.node.set_id(DELETED_ID);
                self.dead.push(index);
                Some(None)
            }
        }
    }

    /// Frees one lazily deleted timer whose callback is not running, and
    /// returns its callbacks (for the finalizer).
    pub fn take_dead(&mut self) -> Option<N::Callbacks> {
        let k = self.dead.iter().position(|&i| self.slots.get(i as usize).is_some_and(|s| s.running == 0))?;
        let index = self.dead.swap_remove(k);
        self.free_slot(index)
    }

    /// The earliest deadline among scheduled timers (a timer whose callback
    /// is running counts as due right after the current pass).
    pub fn next_deadline(&mut self) -> Option<u64> {
        let front = self.front().map(|e| e.deadline);
        if self.parked == 0 {
            return front;
        }
        let parked = self.pass_now.saturating_add(1);
        Some(front.map_or(parked, |d| d.min(parked)))
    }

    /// Whether a timer is due by `now` (a pass should run). With many
    /// timers their data is rarely in the cache (or even the TLB), so every
    /// due timer's is read first, in independent loads the CPU overlaps,
    /// rather than one miss after another as they fire.
    pub fn due_by(&mut self, now: u64) -> bool {
        let parked_due = self.parked > 0 && self.pass_now < now;
        if self.wheel.is_empty() {
            return parked_due;
        }
        self.wheel.advance(now);
        if self.wheel.peek_raw().is_none_or(|(_, deadline)| deadline > now) {
            return parked_due;
        }
        let mut due = std::mem::take(&mut self.due);
        self.wheel.due_slots(now, WARM_MAX, &mut due);
        // Loads of what firing reads (the schedule fields and the node's
        // callbacks), in a short loop over independent addresses so the
        // misses overlap.
        for &i in &due {
            if let Some(s) = self.slots.get(i as usize) {
                std::hint::black_box((s.queued, s.id, s.deadline, s.node.callbacks()));
            }
        }
        self.due = due;
        parked_due || self.front_due_by(now).is_some()
    }

    /// The earliest live entry if it is due by `now`. An entry not due is
    /// not checked (nor its timer's data read): if it is stale, every live
    /// one is later still.
    fn front_due_by(&mut self, now: u64) -> Option<Entry> {
        let (_, deadline) = self.wheel.peek_raw()?;
        if deadline > now {
            return None;
        }
        self.front().filter(|e| e.deadline <= now)
    }

    /// The earliest live schedule entry, dropping stale ones before it.
    fn front(&mut self) -> Option<Entry> {
        let (slots, stale) = (&self.slots, &mut self.stale);
        self.wheel.peek(&mut |e| {
            let live = Self::is_live(slots, e);
            if !live {
                *stale = stale.saturating_sub(1);
            }
            live
        })
    }

    /// Starts a firing pass at monotonic time `now`.
    pub fn begin_pass(&mut self, now: u64) {
        if self.pass_depth == 0 {
            self.pass_now = self.pass_now.max(now);
        }
        self.pass_depth += 1;
    }

    pub fn end_pass(&mut self) {
        self.pass_depth = self.pass_depth.saturating_sub(1);
    }

    /// Returns the earliest timer due in the current pass, marked running
    /// and taken off the schedule (it stays live and listed), so it cannot
    /// fire twice in one pass even if its callback re-enters.
    pub fn take_due(&mut self) -> Option<Due<N::Callbacks>> {
        let top = self.front_due_by(self.pass_now)?;
        self.wheel.pop();
        self.parked += 1;
        let s = self.slot_mut(top.slot)?;
        s.queued = false;
        s.parked = true;
        s.running += 1;
        s.node.set_running(true);
        Some(Due { id: s.id, slot: top.slot, callbacks: s.node.callbacks() })
    }

    /// After a due timer's callback returned `ret` (ms, or AE_NOMORE = -1):
    /// reschedules it, or deletes it. A timer the callback deleted stays
    /// deleted. Returns the callbacks of a timer freed now (eager).
    pub fn finish(&mut self, due: Due<N::Callbacks>, ret: i64, clock: Clock, how: TimerDelete) -> Option<N::Callbacks> {
        let s = self.slot_mut(due.slot).filter(|s| s.id == due.id)?;
        s.running = s.running.saturating_sub(1);
        let (running, dead, parked) = (s.running, s.dead, s.parked);
        s.parked = false;
        if parked {
            self.parked -= 1;
        }
        let s = self.slot_mut(due.slot)?;
        if running == 0 {
            s.node.set_running(false);
        }
        if dead {
            return None;
        }
        if ret == -1 {
            return self.delete(due.id, how).flatten();
        }
        let deadline = self.clamp_deadline(deadline_after(clock.mono_ns, ret));
        if let Some(s) = self.slot_mut(due.slot) {
            s.deadline = deadline;
        }
        self.enqueue(due.slot);
        self.show_due(due.slot, clock);
        None
    }

    /// Removes every timer, listed order (newest first), and returns the
    /// callbacks of each, lazily deleted ones included.
    pub fn drain(&mut self) -> Vec<N::Callbacks> {
        let mut out = Vec::with_capacity(self.slots.len() - self.free.len());
        while let Some(h) = self.list.head() {
            match self.free_slot(h) {
                Some(c) => out.push(c),
                None => break,
            }
        }
        self.by_id.clear();
        self.dead.clear();
        self.wheel.clear();
        self.stale = 0;
        self.parked = 0;
        out
    }

    /// The ids the C list shows, head first; for tests.
    pub fn listed_ids(&self) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut cur = self.list.head();
        while let Some(i) = cur {
            let Some(s) = self.slots.get(i as usize) else { break };
            ids.push(if s.dead { DELETED_ID } else { s.id });
            cur = s.links.older;
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::ae_layout::{CTimeEvent, TimerCallbacks};
    use crate::abi::ae_v40::aeTimeEvent;

    unsafe extern "C" fn never(_: *mut core::ffi::c_void, _: i64, _: *mut core::ffi::c_void) -> i32 {
        0
    }

    fn clock(ms: u64) -> Clock {
        Clock { mono_ns: ms * 1_000_000, wall_ms: 1_700_000_000_000 + ms as i64 }
    }

    fn node(id: i64) -> aeTimeEvent {
        aeTimeEvent::fresh(
            id,
            TimerCallbacks { proc_: Some(never), finalizer: None, client_data: core::ptr::null_mut() },
        )
    }

    /// Walks the raw C list: ids forwards, and checks the `prev` links back.
    fn walk(t: &mut Timers<aeTimeEvent>) -> Vec<i64> {
        let mut p = t.head_ptr();
        let mut seen = Vec::new();
        let mut prev: *mut aeTimeEvent = core::ptr::null_mut();
        while !p.is_null() {
            // SAFETY: test-only walk of nodes owned by `t`, which is not mutated meanwhile.
            unsafe {
                assert_eq!((*p).prev, prev);
                seen.push((*p).id);
                prev = p;
                p = (*p).next;
            }
        }
        seen
    }

    #[test]
    fn list_mirrors_timers_newest_first() {
        let mut t = Timers::new();
        let ids: Vec<i64> = (0..5).map(|i| t.create(i * 10, clock(0), node)).collect();
        assert_eq!(walk(&mut t), vec![4, 3, 2, 1, 0]);
        assert!(matches!(t.delete(ids[2], TimerDelete::Eager), Some(Some(_))));
        assert!(t.delete(ids[2], TimerDelete::Eager).is_none());
        assert!(matches!(t.delete(ids[4], TimerDelete::Eager), Some(Some(_))));
        assert_eq!(walk(&mut t), vec![3, 1, 0]);
        // Lazily: listed as -1 until freed.
        assert!(matches!(t.delete(ids[1], TimerDelete::Lazy), Some(None)));
        assert_eq!(walk(&mut t), vec![3, -1, 0]);
        assert_eq!(t.len(), 2);
        assert!(t.take_dead().is_some());
        assert!(t.take_dead().is_none());
        assert_eq!(walk(&mut t), vec![3, 0]);
    }

    #[test]
    fn a_pass_fires_each_due_timer_once_even_with_zero_period() {
        let mut t = Timers::new();
        t.create(0, clock(0), node);
        t.create(-5, clock(0), node);
        t.create(1000, clock(0), node);
        t.begin_pass(5_000_000);
        let mut fired = Vec::new();
        while let Some(d) = t.take_due() {
            fired.push(d.id);
            assert!(t.finish(d, 0, clock(5), TimerDelete::Lazy).is_none());
        }
        t.end_pass();
        assert_eq!(fired, vec![1, 0]);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn a_running_timer_deleted_lazily_is_freed_after_its_callback() {
        let mut t = Timers::new();
        let id = t.create(0, clock(0), node);
        t.begin_pass(1_000_000);
        let d = t.take_due().expect("due");
        assert!(matches!(t.delete(id, TimerDelete::Lazy), Some(None)));
        assert!(t.take_dead().is_none(), "not while its callback runs");
        assert!(t.finish(d, 10, clock(1), TimerDelete::Lazy).is_none());
        t.end_pass();
        assert!(t.take_dead().is_some());
        assert!(t.listed_ids().is_empty());
    }

    #[test]
    fn deleted_timers_do_not_pile_up_in_the_schedule() {
        let mut t = Timers::new();
        let keep: Vec<i64> = (0..100).map(|i| t.create(1000 + i, clock(0), node)).collect();
        for _ in 0..50 {
            let ids: Vec<i64> = (0..1000).map(|i| t.create(3_600_000 + i, clock(0), node)).collect();
            for id in ids {
                assert!(t.delete(id, TimerDelete::Eager).is_some());
            }
            assert!(t.wheel.len() <= 2 * STALE_SWEEP_MIN + 2 * t.len(), "{} entries", t.wheel.len());
        }
        assert_eq!(t.len(), keep.len());
        assert_eq!(t.next_deadline(), Some(1000 * 1_000_000));
    }

    #[test]
    fn a_running_timer_counts_as_due_after_the_pass() {
        let mut t = Timers::new();
        t.create(0, clock(0), node);
        t.create(50, clock(0), node);
        t.begin_pass(1_000_000);
        let d = t.take_due().expect("due");
        // A nested wait must not sleep past the running timer's next turn.
        assert_eq!(t.next_deadline(), Some(1_000_001));
        assert!(t.finish(d, 100, clock(1), TimerDelete::Lazy).is_none());
        t.end_pass();
        assert_eq!(t.next_deadline(), Some(50_000_000));
    }

    #[test]
    fn due_time_mirrors() {
        let mut t = Timers::new();
        t.create(1500, clock(0), node);
        let p = t.head_ptr();
        // SAFETY: test-only read of a node owned by `t`.
        let (s, ms) = unsafe { ((*p).when_sec, (*p).when_ms) };
        assert_eq!(s * 1000 + ms, 1_700_000_000_000 + 1500);
    }
}
