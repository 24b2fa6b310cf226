//! Mutual exclusion on `pthread_mutex_t`. Every lock in the library is one
//! of these rather than std's, whose locks wait on raw futex words: race
//! checkers (ThreadSanitizer's interceptors, valgrind's helgrind) model the
//! pthread calls, so with these they see every hand-over between threads,
//! also when std itself is not instrumented.
//!
//! The data is reached only through `with`, which holds the lock for the
//! call and gives the closure the only `&mut` there is.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

struct Raw(UnsafeCell<libc::pthread_mutex_t>);

impl Raw {
    const fn new() -> Raw {
        Raw(UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER))
    }

    /// Locks; false when the mutex refuses (an error-checking mutex already
    /// held by this thread answers EDEADLK).
    fn lock(&self) -> bool {
        // SAFETY: the mutex is initialised and does not move while in use
        // (a static, or its own heap allocation).
        unsafe { libc::pthread_mutex_lock(self.0.get()) == 0 }
    }

    fn unlock(&self) {
        // SAFETY: called once per successful `lock`, on the locking thread.
        unsafe { libc::pthread_mutex_unlock(self.0.get()) };
    }

    /// Runs `f` on `data` under the lock; None when the lock is refused.
    /// The lock is released even if `f` unwinds (tests).
    fn run<T, R>(&self, data: &UnsafeCell<T>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        struct Unlock<'a>(&'a Raw);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                self.0.unlock();
            }
        }
        if !self.lock() {
            return None;
        }
        let _unlock = Unlock(self);
        // SAFETY: the lock is held until `_unlock` drops, so no other
        // reference to the data exists (a nested `run` on this thread is
        // refused by an error-checking mutex, or blocks on a normal one).
        Some(f(unsafe { &mut *data.get() }))
    }
}

/// An error-checking pthread mutex in its own allocation (a pthread mutex
/// must not move once initialised), destroyed on drop.
struct HeapRaw(Box<Raw>);

impl HeapRaw {
    fn new() -> HeapRaw {
        let raw = Box::new(Raw::new());
        let mut attr = MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
        // SAFETY: attr is initialised by pthread_mutexattr_init before use
        // and destroyed after; the mutex is initialised in place, in its
        // final allocation, before anything locks it. If any step fails the
        // mutex keeps its static initialiser (a normal mutex: a re-entrant
        // lock would block instead of being refused, and none is made).
        unsafe {
            if libc::pthread_mutexattr_init(attr.as_mut_ptr()) == 0 {
                if libc::pthread_mutexattr_settype(attr.as_mut_ptr(), libc::PTHREAD_MUTEX_ERRORCHECK) == 0 {
                    libc::pthread_mutex_init(raw.0.get(), attr.as_ptr());
                }
                libc::pthread_mutexattr_destroy(attr.as_mut_ptr());
            }
        }
        HeapRaw(raw)
    }
}

impl Drop for HeapRaw {
    fn drop(&mut self) {
        // SAFETY: nothing holds the mutex: its owner is being dropped.
        unsafe { libc::pthread_mutex_destroy(self.0.0.get()) };
    }
}

/// State on the heap shared between threads (a Valkey 8 loop's core). The
/// lock is error-checking: taken again on the thread that holds it, it is
/// refused (`with` returns None) instead of deadlocking.
pub struct Mutex<T> {
    raw: HeapRaw,
    data: UnsafeCell<T>,
}

// SAFETY: the data is reached only under the lock, by one thread at a time,
// so sharing the mutex moves the data between threads and needs no more
// than `T: Send`.
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    pub fn new(value: T) -> Mutex<T> {
        Mutex { raw: HeapRaw::new(), data: UnsafeCell::new(value) }
    }

    /// Runs `f` on the data under the lock; None when this thread holds it
    /// already.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.raw.0.run(&self.data, f)
    }

    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

/// Process-wide state in a `static`: statically initialised, never moved,
/// never destroyed. Not error-checking: nothing takes it re-entrantly.
pub struct StaticMutex<T> {
    raw: Raw,
    data: UnsafeCell<T>,
}

// SAFETY: as for `Mutex`.
unsafe impl<T: Send> Sync for StaticMutex<T> {}

impl<T> StaticMutex<T> {
    pub const fn new(value: T) -> StaticMutex<T> {
        StaticMutex { raw: Raw::new(), data: UnsafeCell::new(value) }
    }

    /// Runs `f` on the data under the lock (None only if the lock fails).
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.raw.run(&self.data, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn reentrant_lock_is_refused_not_deadlocked() {
        let m = Mutex::new(1);
        let nested = m.with(|v| {
            *v += 1;
            m.with(|_| ())
        });
        assert_eq!(nested, Some(None));
        assert_eq!(m.with(|v| *v), Some(2));
        assert_eq!(m.into_inner(), 2);
    }

    #[test]
    fn threads_are_serialised() {
        let m = Arc::new(Mutex::new(0u64));
        static S: StaticMutex<u64> = StaticMutex::new(0);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        m.with(|v| *v += 1);
                        S.with(|v| *v += 1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(m.with(|v| *v), Some(40_000));
        assert_eq!(S.with(|v| *v), Some(40_000));
    }
}
