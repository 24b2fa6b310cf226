/* Valkey 8's loop shared with an IO thread, as its io_threads.c uses it:
 * beforeSleep hands the loop to an IO thread, which calls aePoll with a
 * zero timeout; the main thread installs a custom poll proc that, instead
 * of computing a timeout and waiting, returns how many events that aePoll
 * left in `fired` (0 while the IO thread is still at it), removes itself
 * and clears AE_PROTECT_POLL; aeProcessEvents then dispatches those
 * entries. Meanwhile the main thread keeps creating and deleting file
 * events. Also: aeSetPollProtect's flag, aePoll's timeout, the after-sleep
 * callback's count, and aeDeleteEventLoop's finalizers (8.0+).
 *
 * The hand-over between the threads is a pthread mutex and condition
 * variable (Valkey uses C11 atomics, which helgrind does not model). */
#include "runner.h"
#include "gen.h"
#include "test_helpers.h"
#include "ae.h"

#if GEN_CUSTOM_POLL

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void make_pair(int sv[2]) {
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
}

static int slow_tool(void) { return getenv("AENET_UNDER_VALGRIND") != NULL; }

/* ---- an IO thread that polls on request ---- */

enum { IO_IDLE, IO_POLL, IO_DONE, IO_QUIT };

static struct {
    pthread_mutex_t m;
    pthread_cond_t cv;
    int state;
    int result;
    struct timeval tv;
    int null_tv;
    long long returned_us;
    aeEventLoop *el;
    pthread_t thread;
} io = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, IO_IDLE, 0, { 0, 0 }, 0, 0, NULL, 0 };

static void *io_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&io.m);
    for (;;) {
        while (io.state != IO_POLL && io.state != IO_QUIT) pthread_cond_wait(&io.cv, &io.m);
        if (io.state == IO_QUIT) break;
        struct timeval tv = io.tv;
        int null_tv = io.null_tv;
        pthread_mutex_unlock(&io.m);
        int n = aePoll(io.el, null_tv ? NULL : &tv);
        long long t = mono_us();
        pthread_mutex_lock(&io.m);
        io.result = n;
        io.returned_us = t;
        io.state = IO_DONE;
        pthread_cond_broadcast(&io.cv);
    }
    pthread_mutex_unlock(&io.m);
    return NULL;
}

static void io_start(aeEventLoop *el) {
    io.el = el;
    io.state = IO_IDLE;
    CHECK(pthread_create(&io.thread, NULL, io_main, NULL) == 0);
}

static void io_stop(void) {
    pthread_mutex_lock(&io.m);
    io.state = IO_QUIT;
    pthread_cond_broadcast(&io.cv);
    pthread_mutex_unlock(&io.m);
    CHECK(pthread_join(io.thread, NULL) == 0);
}

static void io_request(const struct timeval *tv) {
    pthread_mutex_lock(&io.m);
    CHECK_EQ_INT(io.state, IO_IDLE);
    io.null_tv = tv == NULL;
    if (tv) io.tv = *tv;
    io.state = IO_POLL;
    pthread_cond_broadcast(&io.cv);
    pthread_mutex_unlock(&io.m);
}

static int io_is_done(void) {
    pthread_mutex_lock(&io.m);
    int done = io.state == IO_DONE;
    pthread_mutex_unlock(&io.m);
    return done;
}

/* Waits for the IO thread's aePoll; its count. */
static int io_wait(void) {
    pthread_mutex_lock(&io.m);
    while (io.state != IO_DONE) pthread_cond_wait(&io.cv, &io.m);
    int n = io.result;
    io.state = IO_IDLE;
    pthread_mutex_unlock(&io.m);
    return n;
}

/* io_threads.c's getIOThreadPollResults: 0 while the IO thread polls;
 * once it is done, removes itself and the protection and returns its
 * count. */
static int custom_calls;
static int io_results(struct aeEventLoop *el) {
    custom_calls++;
    pthread_mutex_lock(&io.m);
    int state = io.state;
    int n = io.result;
    if (state == IO_DONE) io.state = IO_IDLE;
    pthread_mutex_unlock(&io.m);
    if (state != IO_DONE) return 0;
    aeSetCustomPollProc(el, NULL);
    aeSetPollProtect(el, 0);
    return n;
}

/* ---- recording ---- */

static int after_calls, after_numevents;
static void after(struct aeEventLoop *el, int numevents) {
    (void)el;
    after_calls++;
    after_numevents = numevents;
}

static int before_calls;
static void before(struct aeEventLoop *el) { (void)el; before_calls++; }

enum { STABLE = 8, CHURN = 8 };
static int stable_fd[STABLE], stable_peer[STABLE];
static int churn_fd[CHURN], churn_peer[CHURN];
static int stable_calls[STABLE];
static int churn_calls;
static int late_fd, late_peer, late_calls;

/* Never reads: the byte stays, so the fd stays readable. */
static void stable_read(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el;
    int i = (int)(long)data;
    CHECK(i >= 0 && i < STABLE && stable_fd[i] == fd);
    CHECK(mask & AE_READABLE);
    stable_calls[i]++;
}

static void late_read(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)fd; (void)data; (void)mask;
    late_calls++;
}

static void churn_proc(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)fd; (void)data; (void)mask;
    churn_calls++;
}

static timer_ret far_timer(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    CHECK(0); /* an hour away: never due */
    return AE_NOMORE;
}

/* One step of the main thread's registrations while the IO thread polls:
 * churn fds (readable and writable at all times) come and go, both
 * directions, with and without AE_BARRIER, and the set size moves. */
static void churn_step(aeEventLoop *el, unsigned step) {
    int fd = churn_fd[step % CHURN];
    switch ((step / CHURN) % 6) {
    case 0: CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_READABLE, churn_proc, NULL), AE_OK); break;
    case 1: CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE | AE_BARRIER, churn_proc, NULL), AE_OK); break;
    case 2: aeDeleteFileEvent(el, fd, AE_WRITABLE); break;
    case 3: CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE, churn_proc, NULL), AE_OK); break;
    case 4: aeDeleteFileEvent(el, fd, AE_READABLE | AE_WRITABLE); break;
    case 5: CHECK_EQ_INT(aeResizeSetSize(el, step & 1 ? 512 : 256), AE_OK); break;
    }
}

static void churn_clear(aeEventLoop *el) {
    for (int i = 0; i < CHURN; i++) aeDeleteFileEvent(el, churn_fd[i], AE_READABLE | AE_WRITABLE | AE_BARRIER);
}

/* Many rounds of: the IO thread's aePoll against the main thread's
 * registrations, then the main thread's aeProcessEvents through the
 * custom poll proc. Each round checks that the poll found every stable fd
 * once (and nothing but stable and churn fds), that the after-sleep
 * callback was told its count, and that exactly what the poll found was
 * dispatched, not what a wait would find now: the churn fds were deleted
 * before dispatch (skipped), stable fd 0's byte was read after the poll
 * (dispatched all the same), and a byte written to a registered idle fd
 * after the poll waits for the next one. */
static int io_thread_poll_rounds(int protect) {
    aeEventLoop *el = aeCreateEventLoop(256);
    CHECK(el != NULL);
    for (int i = 0; i < STABLE; i++) {
        int sv[2];
        make_pair(sv);
        stable_fd[i] = sv[0];
        stable_peer[i] = sv[1];
        CHECK(write(sv[1], "x", 1) == 1);
        CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, stable_read, (void *)(long)i), AE_OK);
    }
    for (int i = 0; i < CHURN; i++) {
        int sv[2];
        make_pair(sv);
        churn_fd[i] = sv[0];
        churn_peer[i] = sv[1];
        CHECK(write(sv[1], "y", 1) == 1);
    }
    int lv[2];
    make_pair(lv);
    late_fd = lv[0];
    late_peer = lv[1];
    CHECK_EQ_INT(aeCreateFileEvent(el, late_fd, AE_READABLE, late_read, NULL), AE_OK);
    CHECK(aeCreateTimeEvent(el, 3600 * 1000, far_timer, NULL, NULL) >= 0);
    aeSetAfterSleepProc(el, after);
    aeSetBeforeSleepProc(el, before);
    io_start(el);

    int rounds = slow_tool() ? 100 : 2000;
    unsigned step = 0;
    int overlapped = 0;
    for (int r = 0; r < rounds; r++) {
        /* trySendPollJobToIOThreads */
        aeSetCustomPollProc(el, io_results);
        if (protect) aeSetPollProtect(el, 1);
        CHECK_EQ_INT(!!(el->flags & AE_PROTECT_POLL), protect);
        struct timeval zero = { 0, 0 };
        io_request(&zero);
        int ops = 0;
        do {
            churn_step(el, step++);
            ops++;
            /* valgrind runs one thread at a time and switches rarely
             * while this one spins; yielding lets the IO thread on. */
            if (slow_tool() && ops >= 4) sched_yield();
        } while (!io_is_done() || ops < 4);
        if (ops > 4) overlapped++;
        churn_clear(el);

        /* What the IO thread's aePoll left in fired, read after the
         * hand-over. */
        pthread_mutex_lock(&io.m);
        int n = io.result;
        pthread_mutex_unlock(&io.m);
        CHECK(n >= STABLE && n <= STABLE + CHURN);
        int seen[STABLE] = { 0 };
        for (int j = 0; j < n; j++) {
            int fd = el->fired[j].fd, found = 0;
            for (int i = 0; i < STABLE; i++) {
                if (stable_fd[i] == fd) {
                    CHECK_EQ_INT(el->fired[j].mask, AE_READABLE);
                    seen[i]++;
                    found = 1;
                }
            }
            for (int i = 0; i < CHURN && !found; i++) found = churn_fd[i] == fd;
            CHECK(found);
        }
        for (int i = 0; i < STABLE; i++) CHECK_EQ_INT(seen[i], 1);
        char c;
        CHECK(read(stable_fd[0], &c, 1) == 1);
        CHECK(write(late_peer, "z", 1) == 1);

        /* The main thread's next iteration: the custom poll proc instead
         * of the timeout and the wait (an hour-long timer, no DONT_WAIT:
         * a real wait would block), then exactly what the poll found. */
        memset(stable_calls, 0, sizeof(stable_calls));
        churn_calls = 0;
        custom_calls = after_calls = 0;
        after_numevents = -1;
        int processed = aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP);
        CHECK_EQ_INT(processed, n);
        CHECK_EQ_INT(custom_calls, 1);
        CHECK_EQ_INT(after_calls, 1);
        CHECK_EQ_INT(after_numevents, n);
        for (int i = 0; i < STABLE; i++) CHECK_EQ_INT(stable_calls[i], 1);
        CHECK_EQ_INT(churn_calls, 0);
        CHECK_EQ_INT(late_calls, 0);
        CHECK(write(stable_peer[0], "x", 1) == 1);
        CHECK(read(late_fd, &c, 1) == 1);
        CHECK(el->custompoll == NULL);
        CHECK(!(el->flags & AE_PROTECT_POLL));
    }
    io_stop();
    /* The main thread did register while the IO thread polled. */
    CHECK(overlapped > 0);
    if (getenv("AENET_TEST_VERBOSE")) fprintf(stderr, "%d of %d rounds overlapped\n", overlapped, rounds);
    CHECK_EQ_INT(before_calls, rounds);
    aeDeleteEventLoop(el);
    for (int i = 0; i < STABLE; i++) { close(stable_fd[i]); close(stable_peer[i]); }
    for (int i = 0; i < CHURN; i++) { close(churn_fd[i]); close(churn_peer[i]); }
    close(late_fd);
    close(late_peer);
    return 0;
}

TEST(io_thread_polls_while_main_registers_protected) {
    return io_thread_poll_rounds(1);
}

/* Without AE_PROTECT_POLL the reference's aePoll and registrations race
 * (its lock is taken only under the flag); aenet's loop state is behind
 * its lock either way, so the rounds are just as exact. */
TEST(io_thread_polls_while_main_registers_unprotected) {
    return io_thread_poll_rounds(0);
}

/* ---- the custom poll proc on the main thread ---- */

static int fixed_result;
static int fixed_poll(struct aeEventLoop *el) {
    (void)el;
    custom_calls++;
    return fixed_result;
}

/* A custom poll proc that polls itself, on the main thread (aePoll's
 * comment: "intended to be called from a custom poll function"). */
static int self_poll(struct aeEventLoop *el) {
    custom_calls++;
    struct timeval zero = { 0, 0 };
    return aePoll(el, &zero);
}

static int read_calls;
static void reader(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
    read_calls++;
}

/* Valkey's beforeSleep installs the custom poll proc for the same
 * iteration (trySendPollJobToIOThreads). */
static void before_installs(struct aeEventLoop *el) {
    before_calls++;
    aeSetCustomPollProc(el, fixed_poll);
}

TEST(custom_poll_replaces_timeout_and_wait) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, reader, NULL), AE_OK);
    CHECK(aeCreateTimeEvent(el, 3600 * 1000, far_timer, NULL, NULL) >= 0);
    aeSetAfterSleepProc(el, after);

    /* Returning 0: no wait at all, although a real one would block for an
     * hour; neither the loop's nor the call's AE_DONT_WAIT matters. */
    aeSetCustomPollProc(el, fixed_poll);
    CHECK(el->custompoll == fixed_poll);
    fixed_result = 0;
    custom_calls = after_calls = 0;
    long long t0 = mono_ms();
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT), 0);
    aeSetDontWait(el, 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 0);
    aeSetDontWait(el, 0);
    CHECK(mono_ms() - t0 < 1000);
    CHECK_EQ_INT(custom_calls, 3);
    CHECK_EQ_INT(after_calls, 1);
    CHECK_EQ_INT(after_numevents, 0);

    /* Data is pending, but what runs is what the proc says: nothing. */
    CHECK(write(sv[1], "a", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 0);
    CHECK_EQ_INT(read_calls, 0);

    /* A proc that polls on the main thread itself. */
    aeSetCustomPollProc(el, self_poll);
    custom_calls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_AFTER_SLEEP), 1);
    CHECK_EQ_INT(custom_calls, 1);
    CHECK_EQ_INT(read_calls, 1);
    CHECK_EQ_INT(after_numevents, 1);

    /* Without AE_FILE_EVENTS the proc is still called (it is the wait),
     * the after-sleep callback is told 0 and nothing is dispatched. */
    CHECK(write(sv[1], "b", 1) == 1);
    custom_calls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_INT(custom_calls, 1);
    CHECK_EQ_INT(after_numevents, 0);
    CHECK_EQ_INT(read_calls, 1);

    /* No fd and no wait wanted: the whole wait is skipped, proc included. */
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    custom_calls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(custom_calls, 0);

    /* Installed by beforesleep: used in the same iteration. */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, reader, NULL), AE_OK);
    aeSetCustomPollProc(el, NULL);
    CHECK(el->custompoll == NULL);
    aeSetBeforeSleepProc(el, before_installs);
    custom_calls = before_calls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP), 0);
    CHECK_EQ_INT(before_calls, 1);
    CHECK_EQ_INT(custom_calls, 1);
    CHECK_EQ_INT(read_calls, 1);

    /* Removed: a real wait again, which finds the pending byte. */
    aeSetBeforeSleepProc(el, NULL);
    aeSetCustomPollProc(el, NULL);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 1);
    CHECK_EQ_INT(read_calls, 2);
    CHECK_EQ_INT(custom_calls, 1);
    aeDeleteEventLoop(el);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* A count the fired array cannot hold: negative is no event (the
 * reference passes it on to the after-sleep callback), above the set size
 * is the set size (the reference reads past `fired`). */
TEST(custom_poll_count_out_of_range) {
    aeEventLoop *el = aeCreateEventLoop(8);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, reader, NULL), AE_OK);
    aeSetAfterSleepProc(el, after);
    aeSetCustomPollProc(el, fixed_poll);
    fixed_result = -5;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_INT(after_numevents, 0);
    /* fired[0] names sv[0]: a poll found the pending byte. */
    CHECK(write(sv[1], "a", 1) == 1);
    struct timeval zero = { 0, 0 };
    CHECK_EQ_INT(aePoll(el, &zero), 1);
    fixed_result = 1000;
    read_calls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_CALL_AFTER_SLEEP), 8);
    CHECK_EQ_INT(after_numevents, 8);
    CHECK_EQ_INT(read_calls, 1);
    aeDeleteEventLoop(el);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* ---- aePoll ---- */

/* aePoll fills `fired` and returns the count, dispatching nothing; its
 * timeout is the timeval, microseconds rounded up to milliseconds; NULL
 * waits for an event (here one written by the main thread while the IO
 * thread waits). */
TEST(ae_poll_waits_as_told) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, reader, NULL), AE_OK);
    read_calls = 0;

    struct timeval tv = { 0, 0 };
    CHECK_EQ_INT(aePoll(el, &tv), 0);
    long long t0 = mono_us();
    tv.tv_usec = 1;
    CHECK_EQ_INT(aePoll(el, &tv), 0);
    CHECK(mono_us() - t0 >= 1000);
    t0 = mono_us();
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    CHECK_EQ_INT(aePoll(el, &tv), 0);
    CHECK(mono_us() - t0 >= 100000);

    CHECK(write(sv[1], "a", 1) == 1);
    tv.tv_usec = 0;
    CHECK_EQ_INT(aePoll(el, &tv), 1);
    CHECK_EQ_INT(el->fired[0].fd, sv[0]);
    CHECK_EQ_INT(el->fired[0].mask, AE_READABLE);
    CHECK_EQ_INT(read_calls, 0);
    char c;
    CHECK(read(sv[0], &c, 1) == 1);

    /* NULL: until an event, from another thread. Not under valgrind on
     * io_uring: there the other thread's blocking io_uring_enter never
     * returned (valgrind runs one thread at a time, and this call keeps
     * the writer from running), a hang of the tool's, not of the loop's. */
    if (slow_tool() && strcmp(aeGetApiName(), "io_uring") == 0) {
        aeDeleteEventLoop(el);
        close(sv[0]);
        close(sv[1]);
        SKIP("valgrind: a blocking io_uring_enter on one thread stops the others");
    }
    io_start(el);
    io_request(NULL);
    usleep(50000); /* lets the IO thread reach its wait; not needed for the checks */
    long long written = mono_us();
    CHECK(write(sv[1], "b", 1) == 1);
    CHECK_EQ_INT(io_wait(), 1);
    CHECK(io.returned_us >= written);
    CHECK_EQ_INT(el->fired[0].fd, sv[0]);
    CHECK_EQ_INT(el->fired[0].mask, AE_READABLE);
    io_stop();

    /* A negative timeval is no wait (the reference waits forever). */
    tv.tv_sec = -1;
    tv.tv_usec = 0;
    CHECK(read(sv[0], &c, 1) == 1);
    t0 = mono_us();
    CHECK_EQ_INT(aePoll(el, &tv), 0);
    CHECK(mono_us() - t0 < 1000000);
    CHECK_EQ_INT(read_calls, 0);
    aeDeleteEventLoop(el);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* aeSetPollProtect sets and clears AE_PROTECT_POLL (32) in `flags`, next
 * to aeSetDontWait's bit; the setters and aePoll refuse a NULL loop. */
TEST(poll_protect_flag) {
    aeEventLoop *el = aeCreateEventLoop(64);
    CHECK_EQ_INT(AE_PROTECT_POLL, 32);
    CHECK_EQ_INT(el->flags, 0);
    aeSetPollProtect(el, 1);
    CHECK_EQ_INT(el->flags, AE_PROTECT_POLL);
    aeSetDontWait(el, 1);
    CHECK_EQ_INT(el->flags, AE_PROTECT_POLL | AE_DONT_WAIT);
    aeSetPollProtect(el, 0);
    CHECK_EQ_INT(el->flags, AE_DONT_WAIT);
    aeSetPollProtect(el, 7);
    aeSetDontWait(el, 0);
    CHECK_EQ_INT(el->flags, AE_PROTECT_POLL);
    /* Protected, the loop works as before. */
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, reader, NULL), AE_OK);
    CHECK(write(sv[1], "a", 1) == 1);
    read_calls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(read_calls, 1);
    aeSetPollProtect(el, 0);
    CHECK_EQ_INT(el->flags, 0);

    struct timeval zero = { 0, 0 };
    errno = 0;
    aeSetPollProtect(NULL, 1);
    CHECK_EQ_INT(errno, EINVAL);
    errno = 0;
    aeSetCustomPollProc(NULL, fixed_poll);
    CHECK_EQ_INT(errno, EINVAL);
    errno = 0;
    CHECK_EQ_INT(aePoll(NULL, &zero), 0);
    CHECK_EQ_INT(errno, EINVAL);
    aeDeleteEventLoop(el);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* ---- aeDeleteEventLoop's finalizers (8.0+) ---- */

static aeEventLoop *dying;
static char fin_order[8];
static int nfin;
static void fin(struct aeEventLoop *el, void *data) {
    CHECK(el == dying);
    if (nfin < (int)sizeof(fin_order) - 1) fin_order[nfin++] = *(char *)data;
}

static timer_ret count_timer(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    return AE_NOMORE;
}

/* A finalizer that registers on the loop being deleted (the reference
 * has freed the loop's arrays by then): accepted, and freed with the loop
 * without its finalizer. */
static char late = 'L';
static void fin_registers(struct aeEventLoop *el, void *data) {
    fin(el, data);
    CHECK(aeCreateTimeEvent(el, 10, count_timer, &late, fin) >= 0);
}

/* Every timer still listed gets its finalizer, with the loop and its
 * client data, head (newest) first, as the reference walks its list: a
 * timer deleted but not yet freed by a timer pass too. */
TEST(delete_loop_runs_finalizers) {
    static char a = 'a', b = 'b', c = 'c', d = 'd';
    aeEventLoop *el = aeCreateEventLoop(64);
    dying = el;
    nfin = 0;
    CHECK(aeCreateTimeEvent(el, 100000, count_timer, &a, fin) >= 0);
    long long idb = aeCreateTimeEvent(el, 100000, count_timer, &b, fin);
    CHECK(aeCreateTimeEvent(el, 100000, count_timer, &c, NULL) >= 0);
    CHECK(aeCreateTimeEvent(el, 100000, count_timer, &d, fin_registers) >= 0);
    CHECK_EQ_INT(aeDeleteTimeEvent(el, idb), AE_OK); /* listed, id -1 */
    CHECK_EQ_INT(nfin, 0);
    aeDeleteEventLoop(el);
    fin_order[nfin] = '\0';
    CHECK_EQ_STR(fin_order, "dba");
    return 0;
}

#endif /* GEN_CUSTOM_POLL */

const struct test_entry custom_poll_tests[] = {
#if GEN_CUSTOM_POLL
    TEST_ENTRY(io_thread_polls_while_main_registers_protected),
    TEST_ENTRY(io_thread_polls_while_main_registers_unprotected),
    TEST_ENTRY(custom_poll_replaces_timeout_and_wait),
    TEST_ENTRY(custom_poll_count_out_of_range),
    TEST_ENTRY(ae_poll_waits_as_told),
    TEST_ENTRY(poll_protect_flag),
    TEST_ENTRY(delete_loop_runs_finalizers),
#endif
    TEST_END,
};
