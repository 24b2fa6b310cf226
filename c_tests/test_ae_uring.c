/* The io_uring backend: one system call per loop iteration (counted by the
 * kernel through perf's syscall tracepoints), removal before close, the
 * fallback to epoll, and forked children. Tests that count skip on the
 * other backends or where perf cannot count; the others run everywhere. */
#include "runner.h"
#include "gen.h"
#include "ae.h"
#include "test_helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static void nop(aeEventLoop *el, int fd, void *data, int mask) { (void)el; (void)fd; (void)data; (void)mask; }

static int uring_only(void) { return strcmp(aeGetApiName(), "io_uring") == 0; }

/* A counter of this thread's entries into the tracepoint `event`
 * ("raw_syscalls/sys_enter": every system call), or -1. */
static int open_counter(const char *event) {
    const char *roots[] = { "/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events" };
    for (int r = 0; r < 2; r++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s/id", roots[r], event);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        long long id = -1;
        int ok = fscanf(f, "%lld", &id) == 1;
        fclose(f);
        if (!ok) continue;
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.type = PERF_TYPE_TRACEPOINT;
        a.size = sizeof a;
        a.config = (unsigned long long)id;
        a.sample_period = 1;
        return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    }
    return -1;
}

static int syscalls_fd = -1, enters_fd = -1;

/* System calls and io_uring_enter calls so far; reading costs one read(2)
 * each, which `counted` takes off. */
static long long read_counter(int fd) {
    long long v = 0;
    CHECK(read(fd, &v, sizeof v) == (ssize_t)sizeof v);
    return v;
}

struct counts { long long syscalls, enters; };

static struct counts counted(void) {
    struct counts c;
    c.syscalls = read_counter(syscalls_fd);
    c.enters = read_counter(enters_fd);
    return c;
}

/* System calls between two `counted` calls, the counters' own reads taken off. */
static long long syscalls_between(struct counts a, struct counts b) { return b.syscalls - a.syscalls - 2; }

static int open_counters(void) {
    if (getenv("AENET_UNDER_VALGRIND")) return 0; /* valgrind makes calls of its own */
    syscalls_fd = open_counter("raw_syscalls/sys_enter");
    enters_fd = open_counter("syscalls/sys_enter_io_uring_enter");
    return syscalls_fd >= 0 && enters_fd >= 0;
}

static int writes, reads;
static void on_write(aeEventLoop *el, int fd, void *data, int mask) {
    (void)data; (void)mask;
    writes++;
    aeDeleteFileEvent(el, fd, AE_WRITABLE);
}
static void on_read_arm(aeEventLoop *el, int fd, void *data, int mask) {
    (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
    reads++;
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE, on_write, NULL), AE_OK);
}

/* Redis 3.0's reply path: each request arms WRITABLE in the read handler,
 * the write handler disarms it. With epoll that is two epoll_ctl per
 * request; here the arm, the re-arms and the wait are one io_uring_enter
 * per iteration, and nothing else. */
TEST(uring_one_syscall_per_iteration) {
    aeEventLoop *el = aeCreateEventLoop(64);
    if (!uring_only()) SKIP("counts io_uring_enter");
    if (!open_counters()) SKIP("perf cannot count system calls here (or valgrind adds its own)");
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read_arm, NULL), AE_OK);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    const int requests = 50;
    struct counts a = counted();
    for (int i = 0; i < requests; i++) {
        CHECK(write(sv[1], "b", 1) == 1);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1); /* read, arm */
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1); /* write, disarm */
    }
    struct counts b = counted();
    CHECK_EQ_INT(reads, requests);
    CHECK_EQ_INT(writes, requests);
    /* Per request: the client's write, the handler's read, two iterations. */
    CHECK_EQ_INT(b.enters - a.enters, 2 * requests);
    CHECK_EQ_INT(syscalls_between(a, b), 4 * requests);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(uring_changes_that_cancel_cost_nothing) {
    aeEventLoop *el = aeCreateEventLoop(64);
    if (!uring_only()) SKIP("counts io_uring_enter");
    if (!open_counters()) SKIP("perf cannot count system calls here (or valgrind adds its own)");
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    struct counts a = counted();
    /* A new registration is checked at once (one epoll_ctl, as epoll's). */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, nop, NULL), AE_OK);
    struct counts b = counted();
    CHECK_EQ_INT(syscalls_between(a, b), 1);
    CHECK_EQ_INT(b.enters - a.enters, 0);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    a = counted();
    for (int i = 0; i < 100; i++) {
        CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, nop, NULL), AE_OK);
        aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    }
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    b = counted();
    CHECK_EQ_INT(syscalls_between(a, b), 1);
    CHECK_EQ_INT(b.enters - a.enters, 1);
    /* Removing the last direction cancels the poll at once: one call. */
    a = counted();
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    b = counted();
    CHECK_EQ_INT(syscalls_between(a, b), 1);
    CHECK_EQ_INT(b.enters - a.enters, 1);
    aeDeleteEventLoop(el);
    return 0;
}

/* A blocking wait with a timer: one call that submits and waits, however
 * many fds are watched. */
static int fired;
static timer_ret once(aeEventLoop *el, long long id, void *data) { (void)el; (void)id; (void)data; fired++; return AE_NOMORE; }

TEST(uring_wait_with_timeout_is_one_call) {
    aeEventLoop *el = aeCreateEventLoop(64);
    if (!uring_only()) SKIP("counts io_uring_enter");
    if (!open_counters()) SKIP("perf cannot count system calls here (or valgrind adds its own)");
    int sv[8][2];
    for (int i = 0; i < 8; i++) {
        CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) == 0);
        CHECK_EQ_INT(aeCreateFileEvent(el, sv[i][0], AE_READABLE, nop, NULL), AE_OK);
    }
    CHECK(aeCreateTimeEvent(el, 20, once, NULL, NULL) != AE_ERR);
    struct counts a = counted();
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 1);
    struct counts b = counted();
    CHECK_EQ_INT(fired, 1);
    CHECK_EQ_INT(b.enters - a.enters, 1);
    CHECK_EQ_INT(syscalls_between(a, b), 1);
    aeDeleteEventLoop(el);
    return 0;
}

/* A watched fd deleted and closed: its peer sees the close at once, without
 * another pass of the loop (an io_uring poll in flight holds the file). */
TEST(deleted_then_closed_fd_is_closed_now) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE | AE_WRITABLE, nop, NULL), AE_OK);
    aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT); /* READABLE is in the kernel now */
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    CHECK(close(sv[0]) == 0);
    CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
    char c;
    CHECK_EQ_INT(read(sv[1], &c, 1), 0); /* EOF, not EAGAIN */
    aeDeleteEventLoop(el);
    return 0;
}

/* The same for the fds still watched when the loop is deleted. */
TEST(deleted_loop_releases_its_fds) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, nop, NULL), AE_OK);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    aeDeleteEventLoop(el);
    CHECK(close(sv[0]) == 0);
    CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
    char c;
    CHECK_EQ_INT(read(sv[1], &c, 1), 0);
    return 0;
}

/* A process that closes a watched fd without deleting its event and then
 * exits (as Valkey's SHUTDOWN closes its listening sockets): the file is
 * released by the time the process is gone, as with epoll, not later when
 * the kernel gets round to tearing the ring down (a listening port would
 * still accept connections after the server exited). */
TEST(closed_fd_is_released_when_the_process_exits) {
    for (int round = 0; round < 20; round++) {
        int pair[2];
        CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
        CHECK(fcntl(pair[1], F_SETFL, O_NONBLOCK) == 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            close(pair[1]);
            aeEventLoop *el = aeCreateEventLoop(64);
            if (aeCreateFileEvent(el, pair[0], AE_READABLE, nop, NULL) != AE_OK) _exit(2);
            aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT); /* its poll is in the kernel */
            close(pair[0]);
            exit(0);
        }
        close(pair[0]);
        int status;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        char c;
        CHECK_EQ_INT(read(pair[1], &c, 1), 0); /* EOF, not EAGAIN */
        close(pair[1]);
    }
    return 0;
}

/* io_uring refused (as a seccomp filter or kernel.io_uring_disabled refuse
 * it): the loop runs on epoll, and says so. */
static void refuse_io_uring_setup(void) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { (unsigned short)(sizeof filter / sizeof filter[0]), filter };
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0);
}

static int readable_events;
static void count_read(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
    readable_events++;
}

/* Readiness is what holds when the wait begins: an fd that became readable
 * and was drained again before the next wait (its byte read by other code,
 * while other registrations made the backend talk to the kernel) is not
 * reported (with io_uring, its poll completed before that wait began). */
TEST(readiness_gone_before_the_wait_is_not_reported) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2], other[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, other) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, count_read, NULL), AE_OK);
    readable_events = 0;
    for (int round = 0; round < 3; round++) {
        CHECK_EQ_INT(aeCreateFileEvent(el, other[0], AE_READABLE, count_read, NULL), AE_OK);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
        CHECK(write(sv[1], "x", 1) == 1);
        /* A change that reaches the kernel now (io_uring: a cancel). */
        aeDeleteFileEvent(el, other[0], AE_READABLE);
        char c;
        CHECK(read(sv[0], &c, 1) == 1);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    }
    CHECK_EQ_INT(readable_events, 0);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(refused_io_uring_falls_back_to_epoll) {
    /* Before any call reads it: this process asks for io_uring. */
    CHECK(setenv("AENET_BACKEND", "io_uring", 1) == 0);
    refuse_io_uring_setup();
    aeEventLoop *el = aeCreateEventLoop(64);
    CHECK(el != NULL);
    CHECK_EQ_STR(aeGetApiName(), "epoll");
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, count_read, NULL), AE_OK);
    CHECK(write(sv[1], "x", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(readable_events, 1);
    aeDeleteEventLoop(el);
    return 0;
}

/* A child forked while the loop has polls in flight uses the loop on its
 * own: the parent still gets its events. */
TEST(forked_child_leaves_parent_events_alone) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, count_read, NULL), AE_OK);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0); /* a poll in flight */
    CHECK(write(sv[1], "x", 1) == 1); /* completes it before the fork */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* The child serves the same fd from its copy of the loop, and
         * consumes the byte; then it exits. */
        int n = aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
        _exit(n == 1 && readable_events == 1 ? 0 : 1);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(write(sv[1], "y", 1) == 1); /* the child read the first byte */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(readable_events, 1);
    aeDeleteEventLoop(el);
    return 0;
}

/* A loop made on one thread and waited on from another (redis-benchmark's
 * threads do this), then from the first again: events keep coming. */
static void *process_once(void *el) {
    long n = aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    return (void *)n;
}

TEST(loop_waited_on_from_other_threads) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, count_read, NULL), AE_OK);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    for (int round = 0; round < 3; round++) {
        CHECK(write(sv[1], "x", 1) == 1);
        pthread_t t;
        void *n;
        CHECK(pthread_create(&t, NULL, process_once, el) == 0);
        CHECK(pthread_join(t, &n) == 0);
        CHECK_EQ_INT((long)n, 1);
        CHECK(write(sv[1], "y", 1) == 1);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    }
    CHECK_EQ_INT(readable_events, 6);
    /* Deleting and closing from this thread closes: the peer sees the end
     * of the stream. Not at once: the first wait from another thread left
     * the ring the first thread owned (ae-32), and its poll on sv[0] holds
     * the file until the kernel's teardown of that ring ends it. */
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    CHECK(close(sv[0]) == 0);
    struct pollfd pfd = {.fd = sv[1], .events = POLLIN};
    CHECK_EQ_INT(poll(&pfd, 1, 5000), 1);
    char c;
    CHECK_EQ_INT(read(sv[1], &c, 1), 0);
    aeDeleteEventLoop(el);
    return 0;
}

/* AENET_URING_BATCH_US: a wait that found readiness may go on gathering
 * more for that long, as many events as the last wait found, never past
 * the loop's timeout. A loop serving one event at a time never waits.
 * Kernels before 6.12 have no minimum wait: the setting is ignored there. */
static int kernel_at_least(int major, int minor) {
    struct utsname u;
    int ma = 0, mi = 0;
    return uname(&u) == 0 && sscanf(u.release, "%d.%d", &ma, &mi) == 2 && (ma > major || (ma == major && mi >= minor));
}

struct late_write { int fd; int after_ms; };

static void *write_late(void *arg) {
    struct late_write *w = arg;
    struct timespec ts = { 0, w->after_ms * 1000000L };
    nanosleep(&ts, NULL);
    ssize_t n = write(w->fd, "b", 1);
    return (void *)(long)n;
}

static timer_ret stop_timer(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id;
    (*(int *)data)++;
    return AE_NOMORE;
}

#define BATCH_US 100000

static int process_timed(aeEventLoop *el, int flags, long long *waited_us) {
    long long t0 = mono_us();
    int n = aeProcessEvents(el, flags);
    *waited_us = mono_us() - t0;
    return n;
}

TEST(uring_batched_wait_gathers_what_the_last_wait_found) {
    CHECK(setenv("AENET_URING_BATCH_US", "100000", 1) == 0);
    if (!uring_only()) SKIP("io_uring's minimum wait");
    if (!kernel_at_least(6, 12)) SKIP("the kernel has no minimum wait (6.12)");
    if (getenv("AENET_UNDER_VALGRIND")) SKIP("times the kernel's wait");
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    long long waited;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, count_read, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, b[0], AE_READABLE, count_read, NULL), AE_OK);
    readable_events = 0;

    /* One event at a time: every wait returns at its event (ten waits of
     * the minimum would take a second). */
    long long t0 = mono_us();
    for (int i = 0; i < 10; i++) {
        CHECK(write(a[1], "a", 1) == 1);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 1);
    }
    CHECK(mono_us() - t0 < BATCH_US);
    CHECK_EQ_INT(readable_events, 10);

    /* Two found at once: the next wait gathers two, the second arriving
     * 20 ms into it. */
    CHECK(write(a[1], "a", 1) == 1);
    CHECK(write(b[1], "b", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    CHECK(write(a[1], "a", 1) == 1);
    struct late_write w = { b[1], 20 };
    pthread_t t;
    t0 = mono_us();
    CHECK(pthread_create(&t, NULL, write_late, &w) == 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    waited = mono_us() - t0;
    void *wrote;
    CHECK(pthread_join(t, &wrote) == 0);
    CHECK_EQ_INT((long)wrote, 1);
    CHECK(waited >= 19000 && waited < BATCH_US);
    CHECK_EQ_INT(readable_events, 14);

    /* The second never comes: the wait returns the first after the
     * minimum, and the next asks for one again. */
    CHECK(write(a[1], "a", 1) == 1);
    CHECK_EQ_INT(process_timed(el, AE_FILE_EVENTS, &waited), 1);
    CHECK(waited >= BATCH_US - 1000);
    CHECK(write(a[1], "a", 1) == 1);
    CHECK_EQ_INT(process_timed(el, AE_FILE_EVENTS, &waited), 1);
    CHECK(waited < BATCH_US / 2);

    /* A timer due in 10 ms ends a batched wait: the fd's event comes
     * with it, well before the minimum wait. */
    CHECK(write(a[1], "a", 1) == 1);
    CHECK(write(b[1], "b", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 2);
    int fired = 0;
    CHECK(aeCreateTimeEvent(el, 10, stop_timer, &fired, NULL) >= 0);
    CHECK(write(a[1], "a", 1) == 1);
    t0 = mono_us();
    int n = aeProcessEvents(el, AE_ALL_EVENTS);
    CHECK(n >= 1 && n <= 2);
    CHECK_EQ_INT(readable_events, 19);
    if (fired == 0) CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS), 1);
    waited = mono_us() - t0;
    CHECK_EQ_INT(fired, 1);
    CHECK(waited < BATCH_US - 1000);
    aeDeleteEventLoop(el);
    return 0;
}

/* A poll armed by one thread and waited for by another (Valkey 8: the
 * main thread changes the loop an IO thread polls): the waiter learns of
 * the readiness at once, also while the thread that armed the poll sleeps
 * (its completion runs as that thread's task work in the kernel). */
static long long waiter_done_us;

static void *wait_once(void *el) {
    long n = aeProcessEvents(el, AE_FILE_EVENTS);
    waiter_done_us = mono_us();
    return (void *)n;
}

TEST(poll_armed_by_a_sleeping_thread_wakes_the_waiter) {
    aeEventLoop *el = aeCreateEventLoop(64);
    /* valgrind (3.19) runs io_uring_enter holding the lock that lets one
     * thread run at a time: the writer would never run while the waiter
     * waits. */
    if (uring_only() && getenv("AENET_UNDER_VALGRIND")) {
        aeDeleteEventLoop(el);
        SKIP("valgrind blocks every thread in io_uring_enter");
    }
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pthread_t t, w;
    void *n;
    /* Another thread's wait first: the loop's ring is one for any thread. */
    CHECK(pthread_create(&t, NULL, process_once, el) == 0);
    CHECK(pthread_join(t, &n) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, count_read, NULL), AE_OK);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0); /* armed here */
    readable_events = 0;
    long long t0 = mono_us();
    struct late_write lw = { sv[1], 100 };
    CHECK(pthread_create(&t, NULL, wait_once, el) == 0);
    CHECK(pthread_create(&w, NULL, write_late, &lw) == 0);
    struct timespec nap = { 2, 0 };
    while (nanosleep(&nap, &nap) != 0) {}
    CHECK(pthread_join(t, &n) == 0);
    CHECK(pthread_join(w, NULL) == 0);
    CHECK_EQ_INT((long)n, 1);
    CHECK_EQ_INT(readable_events, 1);
    CHECK(waiter_done_us - t0 < 1000000);
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    aeDeleteEventLoop(el);
    return 0;
}

/* The same with the arming thread busy in user space, as Valkey 8's IO
 * threads spin waiting for jobs: the waiter must not wait for that
 * thread's next entry into the kernel (a timer tick later) to learn of the
 * readiness. Rounds: the spinner re-arms the poll, this thread makes the
 * fd readable and waits; the median wait is a wake-up, not a tick. */
struct spinner { aeEventLoop *el; int go, armed, stop; };

static void *spin_and_arm(void *arg) {
    struct spinner *sp = arg;
    for (;;) {
        while (!__atomic_load_n(&sp->go, __ATOMIC_ACQUIRE))
            if (__atomic_load_n(&sp->stop, __ATOMIC_ACQUIRE)) return NULL;
        __atomic_store_n(&sp->go, 0, __ATOMIC_RELAXED);
        aeProcessEvents(sp->el, AE_FILE_EVENTS | AE_DONT_WAIT);
        __atomic_store_n(&sp->armed, 1, __ATOMIC_RELEASE);
    }
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

#define SPIN_ROUNDS 101

TEST(poll_armed_by_a_spinning_thread_wakes_the_waiter) {
    if (getenv("AENET_UNDER_VALGRIND")) SKIP("times wake-ups (valgrind runs one thread at a time)");
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    pthread_t t;
    void *n;
    CHECK(pthread_create(&t, NULL, process_once, el) == 0); /* a ring for any thread */
    CHECK(pthread_join(t, &n) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, count_read, NULL), AE_OK);
    struct spinner sp = { el, 0, 0, 0 };
    CHECK(pthread_create(&t, NULL, spin_and_arm, &sp) == 0);
    long long waits[SPIN_ROUNDS];
    readable_events = 0;
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        __atomic_store_n(&sp.armed, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&sp.go, 1, __ATOMIC_RELEASE);
        while (!__atomic_load_n(&sp.armed, __ATOMIC_ACQUIRE)) {}
        CHECK(write(sv[1], "x", 1) == 1);
        long long t0 = mono_us();
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 1);
        waits[i] = mono_us() - t0;
    }
    __atomic_store_n(&sp.stop, 1, __ATOMIC_RELEASE);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_EQ_INT(readable_events, SPIN_ROUNDS);
    qsort(waits, SPIN_ROUNDS, sizeof waits[0], cmp_ll);
    if (waits[SPIN_ROUNDS / 2] >= 250)
        fprintf(stderr, "median wait %lld us, max %lld us\n", waits[SPIN_ROUNDS / 2], waits[SPIN_ROUNDS - 1]);
    CHECK(waits[SPIN_ROUNDS / 2] < 250);
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    aeDeleteEventLoop(el);
    return 0;
}

const struct test_entry ae_uring_tests[] = {
    TEST_ENTRY(uring_batched_wait_gathers_what_the_last_wait_found),
    TEST_ENTRY(loop_waited_on_from_other_threads),
    TEST_ENTRY(poll_armed_by_a_sleeping_thread_wakes_the_waiter),
    TEST_ENTRY(poll_armed_by_a_spinning_thread_wakes_the_waiter),
    TEST_ENTRY(readiness_gone_before_the_wait_is_not_reported),
    TEST_ENTRY(uring_one_syscall_per_iteration),
    TEST_ENTRY(uring_changes_that_cancel_cost_nothing),
    TEST_ENTRY(uring_wait_with_timeout_is_one_call),
    TEST_ENTRY(deleted_then_closed_fd_is_closed_now),
    TEST_ENTRY(deleted_loop_releases_its_fds),
    TEST_ENTRY(closed_fd_is_released_when_the_process_exits),
    TEST_ENTRY(refused_io_uring_falls_back_to_epoll),
    TEST_ENTRY(forked_child_leaves_parent_events_alone),
    TEST_END
};
