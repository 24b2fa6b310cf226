//! A binary min-heap of timer keys that knows where each entry sits, so any
//! entry can be removed or re-keyed in O(log n). Positions are reported back
//! through a callback so the owner can keep them next to its own data.

/// Ordering key: earliest deadline first; among equal deadlines the newest
/// timer (highest id) first, as the reference walks its list newest-first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub deadline: u64,
    pub id: i64,
}

impl Key {
    fn before(&self, other: &Key) -> bool {
        self.deadline < other.deadline || (self.deadline == other.deadline && self.id > other.id)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub key: Key,
    pub slot: u32,
}

#[derive(Default)]
pub struct TimerHeap {
    entries: Vec<Entry>,
}

impl TimerHeap {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn peek(&self) -> Option<&Entry> {
        self.entries.first()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Inserts and reports every moved entry's new position through `moved`.
    pub fn push(&mut self, e: Entry, moved: &mut impl FnMut(u32, usize)) {
        self.entries.push(e);
        let at = self.entries.len() - 1;
        self.sift_up(at, moved);
    }

    /// Removes the entry at `pos` and returns it.
    pub fn remove(&mut self, pos: usize, moved: &mut impl FnMut(u32, usize)) -> Option<Entry> {
        if pos >= self.entries.len() {
            return None;
        }
        let removed = self.entries.swap_remove(pos);
        if pos < self.entries.len() {
            moved(self.entries[pos].slot, pos);
            let pos = self.sift_up(pos, moved);
            self.sift_down(pos, moved);
        }
        Some(removed)
    }

    /// Gives the entry at `pos` a new key and restores the heap order.
    pub fn change_key(&mut self, pos: usize, key: Key, moved: &mut impl FnMut(u32, usize)) {
        let Some(e) = self.entries.get_mut(pos) else { return };
        let later = e.key.before(&key);
        e.key = key;
        if later {
            self.sift_down(pos, moved);
        } else {
            self.sift_up(pos, moved);
        }
    }

    fn sift_up(&mut self, mut pos: usize, moved: &mut impl FnMut(u32, usize)) -> usize {
        let item = self.entries[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !item.key.before(&self.entries[parent].key) {
                break;
            }
            self.entries[pos] = self.entries[parent];
            moved(self.entries[pos].slot, pos);
            pos = parent;
        }
        self.entries[pos] = item;
        moved(item.slot, pos);
        pos
    }

    fn sift_down(&mut self, mut pos: usize, moved: &mut impl FnMut(u32, usize)) {
        let len = self.entries.len();
        let item = self.entries[pos];
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child =
                if right < len && self.entries[right].key.before(&self.entries[left].key) { right } else { left };
            if !self.entries[child].key.before(&item.key) {
                break;
            }
            self.entries[pos] = self.entries[child];
            moved(self.entries[pos].slot, pos);
            pos = child;
        }
        self.entries[pos] = item;
        moved(item.slot, pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_order_and_tracks_positions() {
        let mut h = TimerHeap::default();
        let mut pos = vec![usize::MAX; 64];
        let deadlines: Vec<u64> = (0..64).map(|i| (i * 37 % 64) as u64 / 2).collect();
        for (i, d) in deadlines.iter().enumerate() {
            h.push(Entry { key: Key { deadline: *d, id: i as i64 }, slot: i as u32 }, &mut |s, p| pos[s as usize] = p);
        }
        // Remove a few from the middle by tracked position.
        for victim in [5u32, 17, 40] {
            let p = pos[victim as usize];
            let e = h.remove(p, &mut |s, p| pos[s as usize] = p).unwrap();
            assert_eq!(e.slot, victim);
        }
        let mut last: Option<Key> = None;
        while !h.is_empty() {
            let e = h.remove(0, &mut |s, p| pos[s as usize] = p).unwrap();
            assert!(![5, 17, 40].contains(&e.slot));
            if let Some(l) = last {
                assert!(l.before(&e.key) || l == e.key);
            }
            last = Some(e.key);
        }
    }
}
