//! Time events: deadlines on the monotonic clock in an indexed heap (next
//! deadline in O(1), firing and deleting in O(log n)), mirrored as the
//! reference's C-visible `aeTimeEvent` list (newest first) so a caller that
//! walks `timeEventHead` sees exactly the live timers.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use core::ffi::c_void;

use crate::abi::ae::{aeEventFinalizerProcPtr, aeTimeEvent, aeTimeProcPtr};

use super::timer_heap::{Entry, Key, TimerHeap};

const NOT_IN_HEAP: usize = usize::MAX;

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

struct Slot {
    node: Box<aeTimeEvent>,
    deadline: u64,
    heap_pos: usize,
    /// Newer neighbour in the C list (towards the head).
    newer: Option<u32>,
    /// Older neighbour in the C list (the node's `next`).
    older: Option<u32>,
}

/// What the caller needs to run a due timer's callback.
#[derive(Clone, Copy)]
pub struct Due {
    pub id: i64,
    pub proc_: aeTimeProcPtr,
    pub client_data: *mut c_void,
}

/// A deleted timer's finalizer, for the caller to run.
#[derive(Clone, Copy)]
pub struct Finalizer {
    pub proc_: aeEventFinalizerProcPtr,
    pub client_data: *mut c_void,
}

/// Converts monotonic deadlines into the wall-clock `when_sec`/`when_ms`
/// that the C-visible nodes carry.
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

    fn wall_of(&self, deadline: u64) -> (i64, i64) {
        let delta_ms = (deadline as i128 - self.mono_ns as i128) / 1_000_000;
        let wall = (self.wall_ms as i128 + delta_ms).clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        (wall.div_euclid(1000), wall.rem_euclid(1000))
    }
}

pub struct Timers {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    by_id: HashMap<i64, u32, BuildHasherDefault<IdHasher>>,
    heap: TimerHeap,
    head: Option<u32>,
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

impl Default for Timers {
    fn default() -> Self {
        Self::new()
    }
}

fn deadline_after(now: u64, ms: i64) -> u64 {
    if ms >= 0 {
        now.saturating_add((ms as u64).saturating_mul(1_000_000))
    } else {
        now.saturating_sub(ms.unsigned_abs().saturating_mul(1_000_000))
    }
}

impl Timers {
    pub fn new() -> Timers {
        Timers {
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::default(),
            heap: TimerHeap::default(),
            head: None,
            next_id: 0,
            pass_now: 0,
            pass_depth: 0,
        }
    }

    pub fn next_id(&self) -> i64 {
        self.next_id
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The C-visible list head (newest live timer), or null.
    pub fn head_ptr(&mut self) -> *mut aeTimeEvent {
        match self.head {
            Some(s) => self.node_ptr(s),
            None => core::ptr::null_mut(),
        }
    }

    fn node_ptr(&mut self, slot: u32) -> *mut aeTimeEvent {
        match self.slots.get_mut(slot as usize) {
            Some(Some(s)) => &mut *s.node as *mut aeTimeEvent,
            _ => core::ptr::null_mut(),
        }
    }

    fn slot_mut(&mut self, slot: u32) -> Option<&mut Slot> {
        self.slots.get_mut(slot as usize).and_then(Option::as_mut)
    }

    fn clamp_deadline(&self, d: u64) -> u64 {
        d.max(self.pass_now.saturating_add(1))
    }

    fn heap_insert(&mut self, slot: u32) {
        let Some(s) = self.slot_mut(slot) else { return };
        let key = Key { deadline: s.deadline, id: s.node.id };
        let slots = &mut self.slots;
        self.heap.push(Entry { key, slot }, &mut |sl, p| {
            if let Some(Some(s)) = slots.get_mut(sl as usize) {
                s.heap_pos = p;
            }
        });
    }

    fn heap_remove(&mut self, slot: u32) {
        let Some(pos) = self.slot_mut(slot).map(|s| s.heap_pos) else { return };
        if pos == NOT_IN_HEAP {
            return;
        }
        let slots = &mut self.slots;
        self.heap.remove(pos, &mut |sl, p| {
            if let Some(Some(s)) = slots.get_mut(sl as usize) {
                s.heap_pos = p;
            }
        });
        if let Some(s) = self.slot_mut(slot) {
            s.heap_pos = NOT_IN_HEAP;
        }
    }

    /// Creates a timer due `ms` milliseconds after `clock`; returns its id.
    pub fn create(
        &mut self,
        ms: i64,
        proc_: aeTimeProcPtr,
        client_data: *mut c_void,
        finalizer: aeEventFinalizerProcPtr,
        clock: Clock,
    ) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let deadline = self.clamp_deadline(deadline_after(clock.mono_ns, ms));
        let (when_sec, when_ms) = clock.wall_of(deadline);
        let old_head = self.head;
        let next = match old_head {
            Some(h) => self.node_ptr(h),
            None => core::ptr::null_mut(),
        };
        let node = Box::new(aeTimeEvent {
            id,
            when_sec: when_sec as _,
            when_ms: when_ms as _,
            timeProc: proc_,
            finalizerProc: finalizer,
            clientData: client_data,
            next,
        });
        let slot = Slot { node, deadline, heap_pos: NOT_IN_HEAP, newer: None, older: old_head };
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                (self.slots.len() - 1) as u32
            }
        };
        if let Some(h) = old_head.and_then(|h| self.slot_mut(h)) {
            h.newer = Some(index);
        }
        self.head = Some(index);
        self.by_id.insert(id, index);
        self.heap_insert(index);
        id
    }

    /// Unlinks and frees timer `id`; returns its finalizer, or None when no
    /// such timer is live.
    pub fn delete(&mut self, id: i64) -> Option<Finalizer> {
        let index = self.by_id.remove(&id)?;
        self.heap_remove(index);
        let slot = self.slots.get_mut(index as usize)?.take()?;
        self.free.push(index);
        let older_ptr = match slot.older {
            Some(o) => self.node_ptr(o),
            None => core::ptr::null_mut(),
        };
        match slot.newer {
            Some(n) => {
                if let Some(s) = self.slot_mut(n) {
                    s.older = slot.older;
                    s.node.next = older_ptr;
                }
            }
            None => self.head = slot.older,
        }
        if let Some(s) = slot.older.and_then(|o| self.slot_mut(o)) {
            s.newer = slot.newer;
        }
        Some(Finalizer { proc_: slot.node.finalizerProc, client_data: slot.node.clientData })
    }

    /// The earliest deadline among live timers that are not firing now.
    pub fn next_deadline(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.key.deadline)
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

    /// Returns the earliest timer due in the current pass and parks it just
    /// after the pass (it stays live and listed), so it cannot fire twice in
    /// one pass even if its callback re-enters the loop.
    pub fn take_due(&mut self) -> Option<Due> {
        let top = *self.heap.peek()?;
        if top.key.deadline > self.pass_now {
            return None;
        }
        self.set_deadline(top.slot, self.pass_now.saturating_add(1));
        let s = self.slot_mut(top.slot)?;
        Some(Due { id: s.node.id, proc_: s.node.timeProc, client_data: s.node.clientData })
    }

    /// Re-keys a timer in place: a periodic timer sifts down only past the
    /// timers due before it, not through the whole heap.
    fn set_deadline(&mut self, index: u32, deadline: u64) {
        let Some(s) = self.slot_mut(index) else { return };
        s.deadline = deadline;
        let (pos, key) = (s.heap_pos, Key { deadline, id: s.node.id });
        if pos == NOT_IN_HEAP {
            self.heap_insert(index);
            return;
        }
        let slots = &mut self.slots;
        self.heap.change_key(pos, key, &mut |sl, p| {
            if let Some(Some(s)) = slots.get_mut(sl as usize) {
                s.heap_pos = p;
            }
        });
    }

    /// After a callback returned `ms`: schedules timer `id` again, if it is
    /// still live (the callback may have deleted it).
    pub fn reschedule(&mut self, id: i64, ms: i64, clock: Clock) {
        let Some(&index) = self.by_id.get(&id) else { return };
        let deadline = self.clamp_deadline(deadline_after(clock.mono_ns, ms));
        let (when_sec, when_ms) = clock.wall_of(deadline);
        if let Some(s) = self.slot_mut(index) {
            s.node.when_sec = when_sec as _;
            s.node.when_ms = when_ms as _;
        }
        self.set_deadline(index, deadline);
    }

    /// Removes every timer and returns their finalizers, newest first.
    pub fn drain(&mut self) -> Vec<Finalizer> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(h) = self.head {
            let Some(id) = self.slots.get(h as usize).and_then(Option::as_ref).map(|s| s.node.id) else { break };
            match self.delete(id) {
                Some(f) => out.push(f),
                None => break,
            }
        }
        self.heap.clear();
        out
    }

    /// Walks the C-visible list (newest first) and returns the ids; for tests.
    pub fn listed_ids(&mut self) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut cur = self.head;
        while let Some(i) = cur {
            let Some(s) = self.slots.get(i as usize).and_then(Option::as_ref) else { break };
            ids.push(s.node.id);
            cur = s.older;
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn never(_: *mut crate::abi::ae::aeEventLoop, _: i64, _: *mut c_void) -> i32 {
        0
    }

    fn clock(ms: u64) -> Clock {
        Clock { mono_ns: ms * 1_000_000, wall_ms: 1_700_000_000_000 + ms as i64 }
    }

    #[test]
    fn list_mirrors_live_timers_newest_first() {
        let mut t = Timers::new();
        let ids: Vec<i64> =
            (0..5).map(|i| t.create(i * 10, Some(never), core::ptr::null_mut(), None, clock(0))).collect();
        assert_eq!(t.listed_ids(), vec![4, 3, 2, 1, 0]);
        assert!(t.delete(ids[2]).is_some());
        assert!(t.delete(ids[2]).is_none());
        assert!(t.delete(ids[4]).is_some());
        assert_eq!(t.listed_ids(), vec![3, 1, 0]);
        // The raw `next` pointers agree with the list.
        let mut p = t.head_ptr();
        let mut seen = Vec::new();
        while !p.is_null() {
            // SAFETY: test-only walk of nodes owned by `t`, which is not mutated meanwhile.
            unsafe {
                seen.push((*p).id);
                p = (*p).next;
            }
        }
        assert_eq!(seen, vec![3, 1, 0]);
    }

    #[test]
    fn a_pass_fires_each_due_timer_once_even_with_zero_period() {
        let mut t = Timers::new();
        t.create(0, Some(never), core::ptr::null_mut(), None, clock(0));
        t.create(-5, Some(never), core::ptr::null_mut(), None, clock(0));
        t.create(1000, Some(never), core::ptr::null_mut(), None, clock(0));
        t.begin_pass(5_000_000);
        let mut fired = Vec::new();
        while let Some(d) = t.take_due() {
            fired.push(d.id);
            t.reschedule(d.id, 0, clock(5));
        }
        assert_eq!(fired, vec![1, 0]);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn wall_mirror_tracks_deadline() {
        let mut t = Timers::new();
        t.create(1500, Some(never), core::ptr::null_mut(), None, clock(0));
        let p = t.head_ptr();
        // SAFETY: test-only read of a node owned by `t`.
        let (s, ms) = unsafe { ((*p).when_sec, (*p).when_ms) };
        assert_eq!(s as i64 * 1000 + ms as i64, 1_700_000_000_000 + 1500);
    }
}
