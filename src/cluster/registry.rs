//! The links this library created and has not freed yet. A handler or
//! freeClusterLink given anything else (a stale or already-freed link)
//! does nothing instead of touching freed memory.

use std::collections::HashSet;
use std::sync::Mutex;

static LIVE: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

pub fn insert(addr: usize) {
    if let Ok(mut g) = LIVE.lock() {
        g.get_or_insert_with(HashSet::new).insert(addr);
    }
}

/// Removes `addr`; true when it was live.
pub fn remove(addr: usize) -> bool {
    LIVE.lock().map(|mut g| g.as_mut().is_some_and(|s| s.remove(&addr))).unwrap_or(false)
}

pub fn contains(addr: usize) -> bool {
    LIVE.lock().map(|g| g.as_ref().is_some_and(|s| s.contains(&addr))).unwrap_or(false)
}
