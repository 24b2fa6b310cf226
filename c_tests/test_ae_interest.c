/* Interest changes reach the kernel lazily (epoll backend): counted by
 * interposing epoll_ctl and epoll_wait in this test binary. */
#include "runner.h"
#include "gen.h"
#include "ae.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The interposed calls serve the whole binary: the thread tests make them
 * from several threads at once, so they count under a lock. The tests of
 * this file read the counters with no other thread running. */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctl_calls;
static int reported; /* events the kernel returned, wanted or not */

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
    pthread_mutex_lock(&count_lock);
    ctl_calls++;
    pthread_mutex_unlock(&count_lock);
    return (int)syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout) {
    int n = (int)syscall(SYS_epoll_pwait, epfd, events, maxevents, timeout, NULL, 8);
    if (n > 0) {
        pthread_mutex_lock(&count_lock);
        reported += n;
        pthread_mutex_unlock(&count_lock);
    }
    return n;
}

static void nop(aeEventLoop *el, int fd, void *data, int mask) { (void)el; (void)fd; (void)data; (void)mask; }

static int writes;
static void on_write(aeEventLoop *el, int fd, void *data, int mask) { (void)data; (void)mask; writes++; aeDeleteFileEvent(el, fd, AE_WRITABLE); }

static int epoll_only(void) { return strcmp(aeGetApiName(), "epoll") == 0; }

TEST(interest_changes_that_cancel_cost_no_syscall) {
    if (!epoll_only()) SKIP("counts epoll_ctl calls");
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    ctl_calls = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, nop, NULL), AE_OK);
    CHECK_EQ_INT(ctl_calls, 1); /* a new fd reaches the kernel at once */
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    ctl_calls = 0;
    for (int i = 0; i < 100; i++) {
        CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, nop, NULL), AE_OK);
        aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    }
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), AE_READABLE);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    CHECK_EQ_INT(ctl_calls, 0);
    /* A change that does not cancel costs one call, at the next wait. */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, on_write, NULL), AE_OK);
    CHECK_EQ_INT(ctl_calls, 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ctl_calls, 1);
    CHECK_EQ_INT(writes, 1);
    /* The handler disarmed itself. A fresh fd has no credit for keeping a
     * disarmed WRITABLE: applied before the next wait, and the writable
     * event no longer fires. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(ctl_calls, 2);
    CHECK_EQ_INT(writes, 1);
    /* Removing the last direction is immediate (the fd may be closed next). */
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    CHECK_EQ_INT(ctl_calls, 3);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(reused_fd_without_delete_is_watched) {
    if (!epoll_only()) SKIP("the stale-mask case is epoll's");
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, nop, NULL), AE_OK);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    int fd = a[0];
    close(a[0]); /* closed without aeDeleteFileEvent: the mask goes stale */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
    CHECK(b[0] == fd || dup2(b[0], fd) == fd);
    /* The reference answers ENOENT here; the change is applied as an ADD. */
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE, on_write, NULL), AE_OK);
    writes = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(writes, 1);
    aeDeleteEventLoop(el);
    return 0;
}

/* The Redis 3.0 pattern: a request arms WRITABLE, the write handler
 * disarms it, the next request arms it again. */
static int reads;
static void on_read_rearm(aeEventLoop *el, int fd, void *data, int mask) {
    (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
    reads++;
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE, on_write, NULL), AE_OK);
}

/* Under load: each request arrives before the loop asks the kernel again. */
static void serve_under_load(aeEventLoop *el, int client, int requests) {
    for (int i = 0; i < requests; i++) {
        CHECK(write(client, "b", 1) == 1);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1); /* read, arm */
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1); /* write, disarm */
    }
}

static aeEventLoop *request_reply_loop(int sv[2]) {
    aeEventLoop *el = aeCreateEventLoop(64);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read_rearm, NULL), AE_OK);
    writes = reads = 0;
    return el;
}

TEST(rearmed_writable_costs_no_syscall_under_load) {
    if (!epoll_only()) SKIP("counts epoll_ctl calls");
    int sv[2];
    aeEventLoop *el = request_reply_loop(sv);
    serve_under_load(el, sv[1], 20);
    /* The reference makes two epoll_ctl per request; once the fd has shown
     * that its WRITABLE is re-armed before the kernel reports it, none. */
    ctl_calls = 0;
    serve_under_load(el, sv[1], 40);
    CHECK_EQ_INT(reads, 60);
    CHECK_EQ_INT(writes, 60);
    CHECK_EQ_INT(ctl_calls, 0);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(keeping_writable_can_be_turned_off) {
    if (!epoll_only()) SKIP("counts epoll_ctl calls");
    CHECK(setenv("AENET_KEEP_WRITABLE", "0", 1) == 0); /* read at the first loop */
    int sv[2];
    aeEventLoop *el = request_reply_loop(sv);
    serve_under_load(el, sv[1], 20);
    ctl_calls = 0;
    serve_under_load(el, sv[1], 10);
    CHECK_EQ_INT(ctl_calls, 20); /* the reference's arm and disarm */
    CHECK_EQ_INT(writes, 30);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(unwanted_writable_reports_stay_rare_when_idle) {
    if (!epoll_only()) SKIP("counts epoll_wait reports");
    int sv[2];
    aeEventLoop *el = request_reply_loop(sv);
    const int requests = 64;
    ctl_calls = reported = 0;
    for (int i = 0; i < requests; i++) {
        CHECK(write(sv[1], "b", 1) == 1);
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1); /* read, arm */
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1); /* write, disarm */
        /* Idle before the next request: nothing may run. */
        CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    }
    CHECK_EQ_INT(writes, requests);
    /* The reference's cost: one report for the read, one for the write and
     * two epoll_ctl per request. A kept WRITABLE reported while unwanted is
     * an extra report; the fd stops keeping after such misses and only
     * tries again now and then. */
    CHECK(ctl_calls <= 2 * requests);
    CHECK(reported >= 2 * requests);
    CHECK(reported - 2 * requests <= requests / 4);
    aeDeleteEventLoop(el);
    return 0;
}

/* Idle connections must not cost every later wait a report: a kept
 * WRITABLE is left in the kernel through one busy wait (one that reported
 * wanted events too), and removed after the second. */
static void drain_one(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
}

TEST(kept_writable_is_removed_after_two_busy_reports) {
    if (!epoll_only()) SKIP("counts epoll_wait reports");
    int sv[2], busy[2];
    aeEventLoop *el = request_reply_loop(sv);
    serve_under_load(el, sv[1], 20); /* sv[0] now keeps a disarmed WRITABLE */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, busy) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, busy[0], AE_READABLE, drain_one, NULL), AE_OK);
    CHECK(write(busy[1], "0123456789", 10) == 10);
    ctl_calls = reported = 0;
    /* Each pass reads one byte of busy[0]; sv[0] is idle but writable. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(reported, 2);
    CHECK_EQ_INT(ctl_calls, 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(reported, 4);
    CHECK_EQ_INT(ctl_calls, 0);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(reported, 4 + 8);
    CHECK_EQ_INT(ctl_calls, 1); /* the removal, as the reference's disarm */
    CHECK_EQ_INT(writes, 20);
    aeDeleteEventLoop(el);
    return 0;
}

static int timer_fired;
static timer_ret on_timer(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    timer_fired++;
    return AE_NOMORE;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

TEST(blocking_wait_is_not_ended_by_a_kept_writable) {
    if (!epoll_only()) SKIP("keeping WRITABLE is epoll's");
    int sv[2];
    aeEventLoop *el = request_reply_loop(sv);
    serve_under_load(el, sv[1], 20);
    /* The last write disarmed a WRITABLE the kernel keeps; the socket is
     * writable. A blocking pass must sleep until the timer, as the
     * reference's (which no longer watches WRITABLE) does. */
    timer_fired = 0;
    long long t0 = now_ms(); /* before the timer: a stall in between cannot fake an early return */
    CHECK(aeCreateTimeEvent(el, 40, on_timer, NULL, NULL) != AE_ERR);
    reported = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 1);
    CHECK_EQ_INT(timer_fired, 1);
    CHECK(now_ms() - t0 >= 39);
    CHECK(reported >= 1); /* the kept WRITABLE was reported, and hidden */
    CHECK_EQ_INT(writes, 20);
    /* It is gone from the kernel now: the next blocking pass sleeps too. */
    CHECK(aeCreateTimeEvent(el, 20, on_timer, NULL, NULL) != AE_ERR);
    reported = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 1);
    CHECK_EQ_INT(timer_fired, 2);
    CHECK_EQ_INT(reported, 0);
    aeDeleteEventLoop(el);
    return 0;
}

/* A caller bug the reference shares: an fd closed without
 * aeDeleteFileEvent while its file is still open elsewhere (here a dup; in a
 * server, a forked child) stays in the epoll set, and its kept WRITABLE can
 * no longer be removed. A blocking pass must still return to the caller
 * rather than spin inside the wait. */
TEST(stale_kept_writable_does_not_hang_a_blocking_pass) {
    if (!epoll_only()) SKIP("keeping WRITABLE is epoll's");
    int sv[2];
    aeEventLoop *el = request_reply_loop(sv);
    serve_under_load(el, sv[1], 20);
    int copy = dup(sv[0]);
    CHECK(copy >= 0);
    CHECK(close(sv[0]) == 0); /* no aeDeleteFileEvent: the mask goes stale */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 0);
    CHECK_EQ_INT(writes, 20);
    close(copy);
    aeDeleteEventLoop(el);
    return 0;
}

/* A WRITABLE re-armed by a read handler is not dispatched in the same
 * iteration, even when the kernel kept it armed and reports it: reports
 * are masked by what ae wanted when the wait began, as the reference's
 * kernel interest would have been. */
static int logged_reads;
static void log_read(aeEventLoop *el, int fd, void *data, int mask) {
    (void)data; (void)mask;
    char c;
    if (read(fd, &c, 1) == 1) logged_reads++;
    aeCreateFileEvent(el, fd, AE_WRITABLE, on_write, NULL);
}

TEST(kept_writable_is_not_dispatched_early) {
    int sv[2];
    aeEventLoop *el = request_reply_loop(sv);
    serve_under_load(el, sv[1], 20);
    aeCreateFileEvent(el, sv[0], AE_READABLE, log_read, NULL);
    CHECK(write(sv[1], "x", 1) == 1);
    logged_reads = 0;
    /* Readable and (kept) writable both ready: only the read handler runs,
     * and the write it re-arms waits for the next iteration. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(logged_reads, 1);
    CHECK_EQ_INT(writes, 20);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(writes, 21);
    aeDeleteEventLoop(el);
    return 0;
}

/* aeDeleteFileEvent's mask rule. Valkey 8.0's ae.c works out the bits
 * actually removed before it asks the backend (only bits that are set;
 * AE_WRITABLE takes AE_BARRIER with it) and asks only when a direction
 * goes, so removing AE_BARRIER alone or bits never set costs no system
 * call (7.2's made one each time). aenet follows that rule in every
 * generation (ae-12). One difference, ae-26: an fd left with AE_BARRIER
 * and no direction is unregistered (the reference keeps mask AE_BARRIER
 * and the fd stays maxfd). */
TEST(delete_file_event_mask_rule) {
    int counting = epoll_only();
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
    int lo = a[0], hi = b[0];
    CHECK(hi > lo);
    CHECK_EQ_INT(aeCreateFileEvent(el, lo, AE_READABLE, nop, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, lo, AE_WRITABLE | AE_BARRIER, nop, NULL), AE_OK);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    ctl_calls = 0;

    /* AE_BARRIER alone: the directions stay, the kernel is not asked. */
    aeDeleteFileEvent(el, lo, AE_BARRIER);
    CHECK_EQ_INT(aeGetFileEvents(el, lo), AE_READABLE | AE_WRITABLE);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    if (counting) CHECK_EQ_INT(ctl_calls, 0);

    /* AE_WRITABLE takes AE_BARRIER with it: one change, at the next wait. */
    CHECK_EQ_INT(aeCreateFileEvent(el, lo, AE_WRITABLE | AE_BARRIER, nop, NULL), AE_OK);
    CHECK_EQ_INT(aeGetFileEvents(el, lo), AE_READABLE | AE_WRITABLE | AE_BARRIER);
    if (counting) CHECK_EQ_INT(ctl_calls, 0);
    aeDeleteFileEvent(el, lo, AE_WRITABLE);
    CHECK_EQ_INT(aeGetFileEvents(el, lo), AE_READABLE);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    if (counting) CHECK_EQ_INT(ctl_calls, 1);

    /* Bits that are not set: nothing, no call. */
    aeDeleteFileEvent(el, lo, AE_WRITABLE);
    aeDeleteFileEvent(el, lo, AE_BARRIER);
    aeDeleteFileEvent(el, lo, AE_WRITABLE | AE_BARRIER);
    CHECK_EQ_INT(aeGetFileEvents(el, lo), AE_READABLE);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    if (counting) CHECK_EQ_INT(ctl_calls, 1);
    CHECK_EQ_INT(el->maxfd, lo);

    /* A lone AE_BARRIER does not keep an fd registered (ae-26). */
    CHECK_EQ_INT(aeCreateFileEvent(el, hi, AE_READABLE | AE_BARRIER, nop, NULL), AE_OK);
    CHECK_EQ_INT(aeGetFileEvents(el, hi), AE_READABLE | AE_BARRIER);
    CHECK_EQ_INT(el->maxfd, hi);
    if (counting) CHECK_EQ_INT(ctl_calls, 2);
    aeDeleteFileEvent(el, hi, AE_READABLE);
    CHECK_EQ_INT(aeGetFileEvents(el, hi), AE_NONE);
    CHECK_EQ_INT(el->maxfd, lo);
    if (counting) CHECK_EQ_INT(ctl_calls, 3); /* the last direction goes at once */
    aeDeleteFileEvent(el, hi, AE_READABLE | AE_WRITABLE | AE_BARRIER);
    CHECK_EQ_INT(el->maxfd, lo);
    if (counting) CHECK_EQ_INT(ctl_calls, 3);
    aeDeleteEventLoop(el);
    close(a[0]); close(a[1]); close(b[0]); close(b[1]);
    return 0;
}

const struct test_entry ae_interest_tests[] = {
    TEST_ENTRY(rearmed_writable_costs_no_syscall_under_load),
    TEST_ENTRY(keeping_writable_can_be_turned_off),
    TEST_ENTRY(unwanted_writable_reports_stay_rare_when_idle),
    TEST_ENTRY(blocking_wait_is_not_ended_by_a_kept_writable),
    TEST_ENTRY(kept_writable_is_removed_after_two_busy_reports),
    TEST_ENTRY(kept_writable_is_not_dispatched_early),
    TEST_ENTRY(stale_kept_writable_does_not_hang_a_blocking_pass),
    TEST_ENTRY(interest_changes_that_cancel_cost_no_syscall),
    TEST_ENTRY(reused_fd_without_delete_is_watched),
    TEST_ENTRY(delete_file_event_mask_rule),
    TEST_END
};
