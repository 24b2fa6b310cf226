//! How many events a batched wait gathers before its minimum wait is up,
//! learnt from the waits before it. A wait asks for what the last one
//! found, and for more only when the last one found more than it asked
//! for (events were arriving together), so a loop serving one client at a
//! time keeps asking for one and never waits out the minimum, while a
//! loop with many busy clients grows its batches up to `MAX`. A wait that
//! found fewer than it asked for (the minimum ran out) asks for that many
//! next; an idle wait (it timed out with nothing) starts over at one.

/// The most events one wait asks for.
pub const MAX: u32 = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchSize(u32);

impl Default for BatchSize {
    fn default() -> Self {
        BatchSize(1)
    }
}

impl BatchSize {
    /// The events the next wait asks for (1: it returns at the first).
    pub fn get(self) -> u32 {
        self.0
    }

    /// After a wait that asked for `get()` events and found `found`.
    pub fn found(&mut self, found: usize) {
        let found = u32::try_from(found).unwrap_or(MAX);
        self.0 = found.clamp(1, MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_at_a_time_never_asks_for_more() {
        let mut b = BatchSize::default();
        for _ in 0..100 {
            assert_eq!(b.get(), 1);
            b.found(1);
        }
    }

    #[test]
    fn follows_what_waits_find_within_bounds() {
        let mut b = BatchSize::default();
        b.found(5);
        assert_eq!(b.get(), 5);
        b.found(2);
        assert_eq!(b.get(), 2);
        b.found(1000);
        assert_eq!(b.get(), MAX);
        b.found(0);
        assert_eq!(b.get(), 1);
    }
}
