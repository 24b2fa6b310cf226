//! The timer schedule: a hierarchical timing wheel at millisecond
//! resolution in front of a small binary heap.
//!
//! - Entries due in the wheel's current millisecond (or earlier) are in the
//!   heap, in exact order: earliest deadline first (nanoseconds), and among
//!   equal deadlines the newest timer (highest id) first.
//! - Later entries are in the wheel: level L (0..=7) has 256 buckets of
//!   256^L ms each; an entry goes to the level of the highest 8-bit group in
//!   which its deadline (in ms) differs from the wheel's position, so
//!   insertion is O(1) and every level-L entry is earlier than every entry
//!   at a higher level.
//! - Nothing moves with the clock: when the heap runs out, the earliest
//!   non-empty bucket is spread one level down (level 0: into the heap) and
//!   the wheel's position moves to its start. Each entry moves at most once
//!   per level, and the heap holds about a millisecond's worth of entries,
//!   so the cost of a firing does not grow with the number of timers.
//! - The position may run ahead of the clock (to the next deadline, when
//!   nothing is due before it); a timer created due before the position
//!   goes straight to the heap, which then holds more than a millisecond.
//! - Entries are never removed in place: a deleted or rescheduled timer's
//!   entry becomes stale and is dropped when it reaches the front (the
//!   caller says which entries are live), or by `retain`.

/// A scheduled timer: its deadline (monotonic ns), id and slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub deadline: u64,
    pub id: i64,
    pub slot: u32,
}

impl Entry {
    /// Fires before `other`: earlier deadline, or the same and newer.
    fn before(&self, other: &Entry) -> bool {
        self.deadline < other.deadline || (self.deadline == other.deadline && self.id > other.id)
    }
}

const BITS: u32 = 8;
const SLOTS: usize = 1 << BITS;
/// Words of a level's occupancy bitmap.
const WORDS: usize = SLOTS / 64;
/// Levels 0..=7 cover every u64 millisecond value (8 * 8 = 64).
const LEVELS: usize = 8;
/// Entries per block: buckets are chains of blocks, filled at the tail and
/// recycled when drained, so a bucket never copies what it holds to grow.
const BLOCK: usize = 32;
const NO_BLOCK: u32 = u32::MAX;

fn ms(deadline: u64) -> u64 {
    deadline / 1_000_000
}

struct Block {
    entries: [Entry; BLOCK],
    len: u32,
    next: u32,
}

#[derive(Clone, Copy)]
struct Bucket {
    head: u32,
    tail: u32,
}

const EMPTY: Bucket = Bucket { head: NO_BLOCK, tail: NO_BLOCK };

pub struct TimerWheel {
    heap: Vec<Entry>,
    buckets: Vec<Bucket>,
    /// Every block, in a bucket or free.
    blocks: Vec<Block>,
    free: Vec<u32>,
    /// Per level, which buckets hold entries.
    occupied: [[u64; WORDS]; LEVELS],
    /// The wheel's position (ms): every wheel entry is due in a later
    /// millisecond, every entry due in this one or earlier is in the heap.
    position: u64,
    len: usize,
    /// The first ms of the earliest non-empty bucket (u64::MAX: none).
    next_start: u64,
    /// `due_slots`'s walk of the heap.
    dfs: Vec<usize>,
}

impl Default for TimerWheel {
    fn default() -> Self {
        TimerWheel {
            heap: Vec::new(),
            buckets: vec![EMPTY; LEVELS * SLOTS],
            blocks: Vec::new(),
            free: Vec::new(),
            occupied: [[0; WORDS]; LEVELS],
            position: 0,
            len: 0,
            next_start: u64::MAX,
            dfs: Vec::new(),
        }
    }
}

impl TimerWheel {
    /// Entries held, stale ones included.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, e: Entry) {
        self.len += 1;
        self.place(e);
    }

    fn place(&mut self, e: Entry) {
        let m = ms(e.deadline);
        if m <= self.position {
            self.heap_push(e);
            return;
        }
        let diff = m ^ self.position;
        let level = ((63 - diff.leading_zeros()) / BITS) as usize;
        let slot = ((m >> (BITS * level as u32)) & (SLOTS as u64 - 1)) as usize;
        self.append(level * SLOTS + slot, e);
        self.occupied[level][slot / 64] |= 1 << (slot % 64);
        self.next_start = self.next_start.min(self.start_of(level, slot));
    }

    fn append(&mut self, bucket: usize, e: Entry) {
        let tail = self.buckets[bucket].tail as usize;
        let tail = match self.blocks.get(tail) {
            Some(b) if (b.len as usize) < BLOCK => tail,
            _ => {
                let new = self.new_block();
                match self.blocks.get_mut(tail) {
                    Some(b) => b.next = new,
                    None => self.buckets[bucket].head = new,
                }
                self.buckets[bucket].tail = new;
                new as usize
            }
        };
        if let Some(b) = self.blocks.get_mut(tail) {
            if let Some(slot) = b.entries.get_mut(b.len as usize) {
                *slot = e;
                b.len += 1;
            }
        }
    }

    fn new_block(&mut self) -> u32 {
        if let Some(i) = self.free.pop() {
            if let Some(b) = self.blocks.get_mut(i as usize) {
                b.len = 0;
                b.next = NO_BLOCK;
            }
            return i;
        }
        let filler = Entry { deadline: 0, id: 0, slot: 0 };
        self.blocks.push(Block { entries: [filler; BLOCK], len: 0, next: NO_BLOCK });
        (self.blocks.len() - 1) as u32
    }

    /// The earliest entry `live` accepts, dropping the stale ones in front
    /// of it.
    pub fn peek(&mut self, live: &mut impl FnMut(&Entry) -> bool) -> Option<Entry> {
        loop {
            match self.heap.first() {
                Some(e) if live(e) => return Some(*e),
                Some(_) => {
                    self.heap_pop();
                    self.len -= 1;
                }
                None => {
                    if !self.cascade() {
                        return None;
                    }
                }
            }
        }
    }

    /// The front entry, live or stale: its slot and deadline.
    #[inline]
    pub fn peek_raw(&mut self) -> Option<(u32, u64)> {
        while self.heap.is_empty() {
            if !self.cascade() {
                return None;
            }
        }
        self.heap.first().map(|e| (e.slot, e.deadline))
    }

    /// Removes the entry `peek` returned.
    pub fn pop(&mut self) -> Option<Entry> {
        let e = self.heap_pop()?;
        self.len -= 1;
        Some(e)
    }

    /// Fills `out` with the slots of up to `max` heap entries due by `now`
    /// (those at the front, in no particular order).
    pub fn due_slots(&mut self, now: u64, max: usize, out: &mut Vec<u32>) {
        out.clear();
        if self.heap.first().is_none_or(|e| e.deadline > now) {
            return;
        }
        let stack = &mut self.dfs;
        stack.clear();
        stack.push(0);
        while let Some(i) = stack.pop() {
            if out.len() >= max {
                break;
            }
            out.push(self.heap[i].slot);
            for c in [2 * i + 1, 2 * i + 2] {
                if self.heap.get(c).is_some_and(|e| e.deadline <= now) {
                    stack.push(c);
                }
            }
        }
    }

    /// Spreads the earliest non-empty bucket one level down (level 0: into
    /// the heap) and moves the position to its start. False when the wheel
    /// is empty.
    fn cascade(&mut self) -> bool {
        let Some((level, slot, start)) = self.earliest() else { return false };
        self.position = start;
        self.next_start = u64::MAX;
        self.occupied[level][slot / 64] &= !(1 << (slot % 64));
        let bucket = std::mem::replace(&mut self.buckets[level * SLOTS + slot], EMPTY);
        let mut at = bucket.head;
        while let Some(b) = self.blocks.get(at as usize) {
            let (n, next) = (b.len as usize, b.next);
            // The block is in no bucket and not free: placing cannot touch it.
            for k in 0..n.min(BLOCK) {
                let e = self.blocks[at as usize].entries[k];
                self.place(e);
            }
            self.free.push(at);
            at = next;
        }
        self.next_start = self.earliest().map_or(u64::MAX, |(_, _, start)| start);
        self.shrink();
        true
    }

    /// When most blocks are free (many entries left the wheel for good),
    /// packs what is left into fresh storage and gives the rest back.
    fn shrink(&mut self) {
        let free = self.free.len();
        if free > 1024 && free > 3 * (self.blocks.len() - free) {
            self.retain(|_| true);
        }
    }

    /// The earliest non-empty bucket: its level, slot and first ms.
    fn earliest(&self) -> Option<(usize, usize, u64)> {
        let (level, word) = (0..LEVELS).find_map(|l| self.occupied[l].iter().position(|&w| w != 0).map(|w| (l, w)))?;
        let slot = word * 64 + self.occupied[level][word].trailing_zeros() as usize;
        Some((level, slot, self.start_of(level, slot)))
    }

    /// The first ms of bucket `slot` of `level`, seen from the position.
    fn start_of(&self, level: usize, slot: usize) -> u64 {
        let shift = BITS * level as u32;
        let above = shift + BITS;
        let high = if above >= 64 { 0 } else { (self.position >> above) << above };
        high | ((slot as u64) << shift)
    }

    /// Moves every entry due by `now` into the heap, and the position to
    /// now (if it is behind).
    #[inline]
    pub fn advance(&mut self, now: u64) {
        while self.next_start <= ms(now) && self.cascade() {}
        // Every bucket starts after now: the position may move up to now,
        // so entries due by now (a timer rescheduled in this pass) go
        // straight to the heap.
        self.position = self.position.max(ms(now));
    }

    /// Keeps only the entries `live` accepts, and gives the pool's spare
    /// blocks back.
    pub fn retain(&mut self, mut live: impl FnMut(&Entry) -> bool) {
        let mut kept: Vec<Entry> = std::mem::take(&mut self.heap);
        kept.retain(&mut live);
        for bucket in &mut self.buckets {
            let mut at = std::mem::replace(bucket, EMPTY).head;
            while let Some(b) = self.blocks.get(at as usize) {
                kept.extend(b.entries[..b.len as usize].iter().filter(|e| live(e)));
                at = b.next;
            }
        }
        self.blocks = Vec::new();
        self.free.clear();
        self.occupied = [[0; WORDS]; LEVELS];
        self.next_start = u64::MAX;
        self.len = kept.len();
        for e in kept {
            self.place(e);
        }
    }

    pub fn clear(&mut self) {
        self.heap = Vec::new();
        self.buckets.fill(EMPTY);
        self.blocks = Vec::new();
        self.free.clear();
        self.occupied = [[0; WORDS]; LEVELS];
        self.next_start = u64::MAX;
        self.len = 0;
    }

    fn heap_push(&mut self, e: Entry) {
        self.heap.push(e);
        let mut pos = self.heap.len() - 1;
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !e.before(&self.heap[parent]) {
                break;
            }
            self.heap[pos] = self.heap[parent];
            pos = parent;
        }
        self.heap[pos] = e;
    }

    fn heap_pop(&mut self) -> Option<Entry> {
        let last = self.heap.pop()?;
        let Some(&top) = self.heap.first() else { return Some(last) };
        let len = self.heap.len();
        let mut pos = 0;
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].before(&self.heap[left]) { right } else { left };
            if !self.heap[child].before(&last) {
                break;
            }
            self.heap[pos] = self.heap[child];
            pos = child;
        }
        self.heap[pos] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// The wheel against an ordered set: random deadlines from sub-ms to
    /// centuries apart, deletions (stale entries), pops in between, inserts
    /// before the wheel's position; every front must be the set's minimum.
    #[test]
    fn fronts_follow_an_ordered_set() {
        for seed in 1..=30u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut w = TimerWheel::default();
            // Ordered as the wheel orders: (deadline, -id).
            let mut set: BTreeSet<(u64, i64, u32)> = BTreeSet::new();
            let mut live: std::collections::HashMap<u32, (u64, i64)> = Default::default();
            let mut now = 5_000_000_000u64;
            for step in 0..4000u32 {
                match rng.next() % 10 {
                    0..=4 => {
                        let span = [1u64, 1_000_000, 64_000_000, 5_000_000_000, 1 << 50, u64::MAX / 2]
                            [(rng.next() % 6) as usize];
                        let d = now.saturating_sub(2_000_000).saturating_add(rng.next() % span);
                        // Equal deadlines too.
                        let d = if rng.next() % 4 == 0 { now + 3_000_000 } else { d };
                        let id = step as i64;
                        w.push(Entry { deadline: d, id, slot: step });
                        set.insert((d, -id, step));
                        live.insert(step, (d, id));
                    }
                    5 => {
                        // A pass at a later time moves what is due into the heap.
                        now += rng.next() % [1_000u64, 2_000_000, 300_000_000][(rng.next() % 3) as usize];
                        w.advance(now);
                    }
                    6 => {
                        if let Some(&(d, nid, s)) = set.iter().nth((rng.next() % 7) as usize) {
                            set.remove(&(d, nid, s));
                            live.remove(&s);
                        }
                    }
                    _ => {
                        let front = w.peek(&mut |e| live.get(&e.slot) == Some(&(e.deadline, e.id)));
                        let want = set.first().map(|&(d, nid, s)| Entry { deadline: d, id: -nid, slot: s });
                        assert_eq!(front, want, "seed {seed} step {step}");
                        if let Some(e) = front {
                            if rng.next() % 2 == 0 {
                                assert_eq!(w.pop(), Some(e));
                                set.remove(&(e.deadline, -e.id, e.slot));
                                live.remove(&e.slot);
                                now = now.max(e.deadline);
                            }
                        }
                    }
                }
                if step % 500 == 0 {
                    w.retain(|e| live.get(&e.slot) == Some(&(e.deadline, e.id)));
                    assert_eq!(w.len(), set.len());
                }
            }
            while let Some(e) = w.peek(&mut |e| live.get(&e.slot) == Some(&(e.deadline, e.id))) {
                let first = set.pop_first().unwrap();
                assert_eq!((e.deadline, -e.id, e.slot), first);
                w.pop();
                live.remove(&e.slot);
            }
            assert!(set.is_empty());
        }
    }
}
