//! The socket helpers core.
