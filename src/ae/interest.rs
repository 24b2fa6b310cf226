//! What a backend is asked to watch on one fd: readable, writable, both or
//! neither. One type for the event table and every backend.

use core::ops::{BitAnd, BitOr, Not};

use crate::abi::ae_common::{AE_READABLE, AE_WRITABLE};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest(u8);

impl Interest {
    pub const NONE: Interest = Interest(0);
    pub const READABLE: Interest = Interest(AE_READABLE as u8);
    pub const WRITABLE: Interest = Interest(AE_WRITABLE as u8);
    pub const BOTH: Interest = Interest((AE_READABLE | AE_WRITABLE) as u8);

    /// The READABLE/WRITABLE bits of an ae mask (AE_BARRIER and the rest
    /// are not the kernel's business).
    pub fn of_mask(mask: i32) -> Interest {
        Interest((mask & (AE_READABLE | AE_WRITABLE)) as u8)
    }

    /// As an ae mask.
    pub fn mask(self) -> i32 {
        i32::from(self.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn readable(self) -> bool {
        self.0 & Self::READABLE.0 != 0
    }

    pub fn writable(self) -> bool {
        self.0 & Self::WRITABLE.0 != 0
    }

    /// True when every direction of `other` is in `self`.
    pub fn contains(self, other: Interest) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for Interest {
    type Output = Interest;
    fn bitor(self, rhs: Interest) -> Interest {
        Interest(self.0 | rhs.0)
    }
}

impl BitAnd for Interest {
    type Output = Interest;
    fn bitand(self, rhs: Interest) -> Interest {
        Interest(self.0 & rhs.0)
    }
}

impl Not for Interest {
    type Output = Interest;
    fn not(self) -> Interest {
        Interest(!self.0 & Self::BOTH.0)
    }
}
