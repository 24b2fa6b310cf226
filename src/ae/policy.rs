//! What the event loop does differently from one Redis generation to the
//! next. The core reads these knobs; each generation's table (src/generation)
//! sets them once.

/// When aeDeleteTimeEvent frees a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerDelete {
    /// At once, finalizer included (3.0).
    Eager,
    /// At the next timer pass, never while its callback runs (3.2+).
    Lazy,
}

/// Where the before-sleep callback runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeforeSleep {
    /// aeMain calls it before every aeProcessEvents (3.x–5.0).
    ByMain,
    /// aeProcessEvents calls it with AE_CALL_BEFORE_SLEEP, after the wait's
    /// timeout and the loop's DONT_WAIT were read, just before the wait
    /// (6.0–7.0): aeSetDontWait from inside it applies to the next wait.
    BeforeWait,
    /// aeProcessEvents calls it with AE_CALL_BEFORE_SLEEP first, before the
    /// timeout is computed (7.2+): aeSetDontWait from inside it applies now.
    First,
}

/// What an error of the wait (other than EINTR) does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitError {
    /// Counts as a wait that saw nothing.
    Ignore,
    /// Ends in the host's panic (7.0+).
    Panic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub before_sleep: BeforeSleep,
    /// AE_CALL_BEFORE_SLEEP, or 0 where aeProcessEvents never calls it.
    pub call_before_sleep: i32,
    /// AE_CALL_AFTER_SLEEP, or 0 where there is no after-sleep callback.
    pub call_after_sleep: i32,
    pub timer_delete: TimerDelete,
    /// File events are dispatched only when AE_FILE_EVENTS was asked (7.2+;
    /// before, a wait for timers dispatched what it saw too).
    pub file_events_only_when_asked: bool,
    /// aeDeleteEventLoop runs the finalizers of the timers left (Valkey 8+;
    /// before, they were freed or leaked without them).
    pub finalize_timers_on_loop_delete: bool,
    pub wait_error: WaitError,
}

impl Policy {
    /// The flags aeMain passes to aeProcessEvents.
    pub fn main_flags(&self) -> i32 {
        crate::abi::ae_common::AE_ALL_EVENTS | self.call_before_sleep | self.call_after_sleep
    }
}
