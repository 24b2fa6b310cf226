//! The event loop core.
