//! The event loop core: safe Rust over the C-visible data. Callbacks are C
//! function pointers that only the `Host` (implemented at the FFI edge)
//! calls; the driver in `dispatch` never holds a borrow of the loop across
//! a callback, so callbacks may re-enter the loop freely.

pub mod backend;
pub mod dispatch;
pub mod event_loop;
pub mod timer_heap;
pub mod timers;
pub mod wait;

pub use event_loop::EventLoop;
