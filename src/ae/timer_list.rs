//! The C-visible list of time events: the nodes the host may walk from
//! `timeEventHead`, newest first, each linked to its neighbours in the
//! generation's own `aeTimeEvent` layout. The scheduler decides; this file
//! only keeps the list in step with it.

/// A C `aeTimeEvent` of some generation's layout, as the core updates it.
pub trait TimerNode {
    /// What running and finalizing the timer needs (its C callbacks).
    type Callbacks: Copy;
    fn callbacks(&self) -> Self::Callbacks;
    /// The id the host sees: the timer's own, or AE_DELETED_EVENT_ID (-1)
    /// while a deleted timer waits to be freed.
    fn set_id(&mut self, id: i64);
    /// The due time, on the wall clock (ms since the epoch) and on the
    /// monotonic clock (µs), for layouts that show one or the other.
    fn set_due(&mut self, wall_ms: i64, mono_us: u64);
    /// Whether the callback is running (the refcount of 6.0+ layouts).
    fn set_running(&mut self, running: bool);
    /// The list links; `prev` is ignored by layouts without one.
    fn set_links(&mut self, prev: *mut Self, next: *mut Self);
}

/// Links between list members, by slot index.
#[derive(Clone, Copy, Default)]
pub struct Links {
    /// Towards the head (the C `prev`).
    pub newer: Option<u32>,
    /// Towards the tail (the C `next`).
    pub older: Option<u32>,
}

/// Access to the nodes and links the list is made of.
pub trait Members<N> {
    fn node(&mut self, slot: u32) -> Option<&mut N>;
    fn links(&mut self, slot: u32) -> Option<&mut Links>;
}

#[derive(Default)]
pub struct TimerList {
    head: Option<u32>,
}

fn ptr<N>(m: &mut impl Members<N>, slot: Option<u32>) -> *mut N {
    match slot.and_then(|s| m.node(s)) {
        Some(n) => n as *mut N,
        None => core::ptr::null_mut(),
    }
}

impl TimerList {
    pub fn head(&self) -> Option<u32> {
        self.head
    }

    pub fn head_ptr<N>(&self, m: &mut impl Members<N>) -> *mut N {
        ptr(m, self.head)
    }

    /// Makes `slot` the new head.
    pub fn push_front<N: TimerNode>(&mut self, m: &mut impl Members<N>, slot: u32) {
        let old = self.head;
        if let Some(l) = m.links(slot) {
            *l = Links { newer: None, older: old };
        }
        if let Some(l) = old.and_then(|o| m.links(o)) {
            l.newer = Some(slot);
        }
        self.head = Some(slot);
        self.relink(m, Some(slot));
        self.relink(m, old);
    }

    /// Takes `slot` out, joining its neighbours.
    pub fn unlink<N: TimerNode>(&mut self, m: &mut impl Members<N>, slot: u32) {
        let Some(&mut Links { newer, older }) = m.links(slot) else { return };
        match newer.and_then(|n| m.links(n)) {
            Some(l) => l.older = older,
            None => self.head = older,
        }
        if let Some(l) = older.and_then(|o| m.links(o)) {
            l.newer = newer;
        }
        self.relink(m, newer);
        self.relink(m, older);
    }

    /// Writes the C pointers of `slot` from its links.
    fn relink<N: TimerNode>(&self, m: &mut impl Members<N>, slot: Option<u32>) {
        let Some(s) = slot else { return };
        let Some(l) = m.links(s).copied() else { return };
        let (prev, next) = (ptr(m, l.newer), ptr(m, l.older));
        if let Some(n) = m.node(s) {
            n.set_links(prev, next);
        }
    }
}
