//! What the socket helpers do differently from one generation to the next;
//! each generation's table (src/generation) sets these once.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// "unable to bind socket, errno: %d" (3.2+) instead of 3.0's
    /// "unable to bind socket".
    pub bind_error_with_errno: bool,
}
