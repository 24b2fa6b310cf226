//! The links this library created and has not freed yet, and what the
//! unproven ones hold. A handler or freeClusterLink given anything else (a
//! stale or already-freed link) does nothing instead of touching freed
//! memory. A link is unproven until it delivers its first complete frame;
//! the receive-buffer bytes all unproven links hold together are bounded,
//! so peers that never finish a frame cannot buy a node's memory.

use std::collections::HashMap;

use crate::sys::mutex::StaticMutex;

#[derive(Clone, Copy, Default)]
struct Entry {
    proven: bool,
    /// Receive-buffer capacity while unproven (0 once proven).
    held: usize,
}

#[derive(Default)]
struct Links {
    live: HashMap<usize, Entry>,
    /// Sum of `held` over unproven links.
    unproven_bytes: usize,
}

static LINKS: StaticMutex<Option<Links>> = StaticMutex::new(None);

fn with<R>(f: impl FnOnce(&mut Links) -> R) -> Option<R> {
    LINKS.with(|g| f(g.get_or_insert_with(Links::default)))
}

pub fn insert(addr: usize) {
    with(|l| l.live.insert(addr, Entry::default()));
}

/// Removes `addr`; true when it was live.
pub fn remove(addr: usize) -> bool {
    with(|l| match l.live.remove(&addr) {
        Some(e) => {
            l.unproven_bytes -= e.held;
            true
        }
        None => false,
    })
    .unwrap_or(false)
}

pub fn contains(addr: usize) -> bool {
    with(|l| l.live.contains_key(&addr)).unwrap_or(false)
}

/// The link delivered a complete valid frame: its buffer no longer counts.
pub fn mark_proven(addr: usize) {
    with(|l| {
        if let Some(e) = l.live.get_mut(&addr) {
            if !e.proven {
                l.unproven_bytes -= e.held;
                *e = Entry { proven: true, held: 0 };
            }
        }
    });
}

/// What an unproven link must give up when the bound is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverBound {
    /// The unproven link holding the most.
    pub largest: usize,
    pub largest_held: usize,
    pub total: usize,
}

/// Records that unproven link `addr` now holds `held` bytes of receive
/// buffer. When all unproven links together hold more than `bound`, names
/// the one holding the most, for the caller to close.
pub fn note_held(addr: usize, held: usize, bound: usize) -> Option<OverBound> {
    with(|l| {
        let e = l.live.get_mut(&addr)?;
        if e.proven {
            return None;
        }
        l.unproven_bytes = l.unproven_bytes - e.held + held;
        e.held = held;
        if l.unproven_bytes <= bound {
            return None;
        }
        let (&largest, e) = l.live.iter().filter(|(_, e)| !e.proven).max_by_key(|(_, e)| e.held)?;
        Some(OverBound { largest, largest_held: e.held, total: l.unproven_bytes })
    })
    .flatten()
}

/// Bytes held by unproven links now.
pub fn unproven_bytes() -> usize {
    with(|l| l.unproven_bytes).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the process-wide registry, with addresses no other
    // test uses.
    #[test]
    fn unproven_bytes_are_bounded_and_the_largest_named() {
        let (a, b, c) = (0x1000_0001usize, 0x1000_0002usize, 0x1000_0003usize);
        for x in [a, b, c] {
            insert(x);
        }
        let base = unproven_bytes();
        assert_eq!(note_held(a, 100, base + 1000), None);
        assert_eq!(note_held(b, 500, base + 1000), None);
        assert_eq!(unproven_bytes(), base + 600);
        mark_proven(b);
        assert_eq!(unproven_bytes(), base + 100);
        assert_eq!(note_held(b, 5000, base + 1000), None, "proven links do not count");
        let over = note_held(c, 1200, base + 1000).expect("over the bound");
        assert_eq!((over.largest, over.largest_held), (c, 1200));
        assert!(remove(c));
        assert!(!remove(c));
        assert_eq!(unproven_bytes(), base + 100);
        assert!(remove(a) && remove(b));
        assert_eq!(unproven_bytes(), base);
    }
}
