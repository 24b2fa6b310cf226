//! The event loop core: safe Rust over the C-visible data, the same for
//! every generation (what differs is a `Policy` and the C node type).
//! Callbacks are C function pointers that only the `Host` (implemented at
//! the FFI edge) calls; the driver in `dispatch` never holds a borrow of the
//! loop across a callback, so callbacks may re-enter the loop freely.

pub mod backend;
pub mod dispatch;
pub mod event_loop;
pub mod interest;
pub mod loop_cell;
pub mod policy;
pub mod slab;
pub mod timer_list;
pub mod timer_wheel;
pub mod timers;
pub mod wait;

pub use event_loop::EventLoop;
