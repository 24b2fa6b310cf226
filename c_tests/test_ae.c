/* ae.h behaviour on real fds and timers (spec section 1). */
#include "runner.h"
#include "gen.h"
#include "test_helpers.h"
#include "ae.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static int is_poll_backend(void) { return strcmp(aeGetApiName(), "poll") == 0; }

static void make_pair(int sv[2]) {
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
}

/* ---- recording handlers ---- */
#define MAX_CALLS 64
struct call { int fd; int mask; char kind; void *data; };
static struct call calls[MAX_CALLS];
static int ncalls;

static void record(char kind, int fd, void *data, int mask) {
    if (ncalls < MAX_CALLS) calls[ncalls++] = (struct call){ fd, mask, kind, data };
}
static void on_read(aeEventLoop *el, int fd, void *data, int mask) { AE_NOTUSED(el); record('r', fd, data, mask); }
static void on_write(aeEventLoop *el, int fd, void *data, int mask) { AE_NOTUSED(el); record('w', fd, data, mask); }
static void on_both(aeEventLoop *el, int fd, void *data, int mask) { AE_NOTUSED(el); record('b', fd, data, mask); }

TEST(create_loop_fields) {
    aeEventLoop *el = aeCreateEventLoop(64);
    CHECK(el != NULL);
    CHECK_EQ_INT(el->setsize, 64);
    CHECK_EQ_INT(aeGetSetSize(el), 64);
    CHECK_EQ_INT(el->maxfd, -1);
    CHECK_EQ_INT(el->stop, 0);
    CHECK(el->beforesleep == NULL);
    CHECK(el->timeEventHead == NULL);
    CHECK_EQ_INT(el->timeEventNextId, 0);
    CHECK(el->events != NULL && el->fired != NULL);
    for (int i = 0; i < 64; i++) CHECK_EQ_INT(el->events[i].mask, AE_NONE);
#if !GEN_MONOTONIC_TIMERS
    CHECK(labs((long)(el->lastTime - time(NULL))) <= 1);
#endif
    const char *want = getenv("AENET_BACKEND");
    if (want && (strcmp(want, "poll") == 0 || strcmp(want, "epoll") == 0 || strcmp(want, "io_uring") == 0))
        CHECK_EQ_STR(aeGetApiName(), want);
    else
        CHECK(strcmp(aeGetApiName(), "epoll") == 0 || strcmp(aeGetApiName(), "io_uring") == 0);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(create_negative_setsize_fails) {
    errno = 0;
    CHECK(aeCreateEventLoop(-1) == NULL);
    CHECK_EQ_INT(errno, EINVAL);
    aeEventLoop *el = aeCreateEventLoop(0);
    CHECK(el != NULL);
    CHECK_EQ_INT(aeGetSetSize(el), 0);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(file_event_out_of_range) {
    aeEventLoop *el = aeCreateEventLoop(8);
    int sv[2];
    make_pair(sv);
    int big = dup2(sv[0], 20);
    CHECK(big == 20);
    errno = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, 20, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(errno, ERANGE);
    errno = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, 8, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(errno, ERANGE);
    errno = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, -1, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(errno, ERANGE);
    CHECK_EQ_INT(aeGetFileEvents(el, 20), 0);
    CHECK_EQ_INT(aeGetFileEvents(el, -5), 0);
    aeDeleteFileEvent(el, 20, AE_READABLE);
    aeDeleteFileEvent(el, -5, AE_READABLE);
    CHECK_EQ_INT(el->maxfd, -1);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(file_event_maxfd_tracking) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    int lo = a[0], hi = b[1];
    CHECK_EQ_INT(aeCreateFileEvent(el, lo, AE_READABLE, on_read, NULL), AE_OK);
    CHECK_EQ_INT(el->maxfd, lo);
    CHECK_EQ_INT(aeCreateFileEvent(el, hi, AE_WRITABLE, on_write, NULL), AE_OK);
    CHECK_EQ_INT(el->maxfd, hi);
    CHECK_EQ_INT(aeGetFileEvents(el, hi), AE_WRITABLE);
    CHECK_EQ_INT(el->events[hi].mask, AE_WRITABLE);
    CHECK(el->events[hi].wfileProc == on_write);
    aeDeleteFileEvent(el, hi, AE_WRITABLE);
    CHECK_EQ_INT(el->maxfd, lo);
    CHECK_EQ_INT(aeGetFileEvents(el, hi), AE_NONE);
    aeDeleteFileEvent(el, lo, AE_READABLE);
    CHECK_EQ_INT(el->maxfd, -1);
    /* Deleting again, or bits never set, is harmless. */
    aeDeleteFileEvent(el, lo, AE_READABLE | AE_WRITABLE);
    CHECK_EQ_INT(el->maxfd, -1);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(file_event_kernel_errors) {
    if (is_poll_backend()) SKIP("poll(2) accepts any fd; kernel refusals are epoll's");
    aeEventLoop *el = aeCreateEventLoop(64);
    char path[] = "/tmp/aenet-regular-XXXXXX";
    int f = mkstemp(path);
    CHECK(f >= 0);
    unlink(path);
    errno = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, f, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(errno, EPERM);
    CHECK_EQ_INT(aeGetFileEvents(el, f), AE_NONE);
    CHECK_EQ_INT(el->maxfd, -1);
    close(f);
    errno = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, f, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(errno, EBADF);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(file_event_mask_none_is_noop) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_NONE, on_read, NULL), AE_OK);
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), AE_NONE);
    CHECK_EQ_INT(el->maxfd, -1);
    /* The reference left a kernel registration behind here (EEXIST next). */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, NULL), AE_OK);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(readable_dispatch_args) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    int tag;
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, &tag), AE_OK);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(ncalls, 0);
    CHECK(write(sv[1], "x", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(calls[0].kind, 'r');
    CHECK_EQ_INT(calls[0].fd, sv[0]);
    CHECK(calls[0].data == &tag);
    CHECK_EQ_INT(calls[0].mask, AE_READABLE);
    /* Level-triggered: still readable until drained. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    char c;
    CHECK(read(sv[0], &c, 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(el->fired[0].fd, sv[0]);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(read_runs_before_write) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, on_write, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK(write(sv[1], "x", 1) == 1);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 2);
    CHECK_EQ_INT(calls[0].kind, 'r');
    CHECK_EQ_INT(calls[1].kind, 'w');
    CHECK_EQ_INT(calls[0].mask, AE_READABLE | AE_WRITABLE);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(same_handler_both_directions_called_once) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE | AE_WRITABLE, on_both, NULL), AE_OK);
    CHECK(write(sv[1], "x", 1) == 1);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(calls[0].mask, AE_READABLE | AE_WRITABLE);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(barrier_inverts_order) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE | AE_BARRIER, on_write, NULL), AE_OK);
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), AE_READABLE | AE_WRITABLE | AE_BARRIER);
    CHECK(write(sv[1], "x", 1) == 1);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 2);
    CHECK_EQ_INT(calls[0].kind, 'w');
    CHECK_EQ_INT(calls[1].kind, 'r');
    /* Deleting WRITABLE takes the barrier with it. */
    aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), AE_READABLE);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(client_data_shared_per_fd) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    int a, b;
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, &a), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, on_write, &b), AE_OK);
    CHECK(el->events[sv[0]].clientData == &b);
    CHECK(write(sv[1], "x", 1) == 1);
    ncalls = 0;
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    CHECK_EQ_INT(ncalls, 2);
    CHECK(calls[0].data == &b && calls[1].data == &b);
    aeDeleteEventLoop(el);
    return 0;
}

/* ---- handlers that mutate the loop ---- */
static int victim_fd = -1;
static void read_deletes_own_write(aeEventLoop *el, int fd, void *data, int mask) {
    record('r', fd, data, mask);
    aeDeleteFileEvent(el, fd, AE_WRITABLE);
}
static void read_deletes_victim(aeEventLoop *el, int fd, void *data, int mask) {
    record('r', fd, data, mask);
    aeDeleteFileEvent(el, victim_fd, AE_READABLE | AE_WRITABLE);
}

TEST(callback_deletes_events_mid_iteration) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, read_deletes_own_write, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_WRITABLE, on_write, NULL), AE_OK);
    CHECK(write(a[1], "x", 1) == 1);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(calls[0].kind, 'r');
    aeDeleteFileEvent(el, a[0], AE_READABLE);
    /* Two ready fds: whichever runs first deletes the other. */
    victim_fd = b[0];
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, read_deletes_victim, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, b[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK(write(b[1], "y", 1) == 1);
    ncalls = 0;
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    /* Either a ran first and b was never dispatched, or b ran then a. */
    CHECK(ncalls == 1 || (ncalls == 2 && calls[0].fd == b[0]));
    CHECK_EQ_INT(aeGetFileEvents(el, b[0]), AE_NONE);
    aeDeleteEventLoop(el);
    return 0;
}

static int added_fd = -1;
static void read_adds_other(aeEventLoop *el, int fd, void *data, int mask) {
    record('r', fd, data, mask);
    char c;
    CHECK(read(fd, &c, 1) == 1);
    CHECK_EQ_INT(aeCreateFileEvent(el, added_fd, AE_READABLE, on_read, NULL), AE_OK);
}

TEST(callback_adds_events) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    added_fd = b[0];
    CHECK(write(b[1], "y", 1) == 1);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, read_adds_other, NULL), AE_OK);
    CHECK(write(a[1], "x", 1) == 1);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(el->maxfd, b[0] > a[0] ? b[0] : a[0]);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(calls[0].fd, b[0]);
    aeDeleteEventLoop(el);
    return 0;
}

static void read_resizes(aeEventLoop *el, int fd, void *data, int mask) {
    record('r', fd, data, mask);
    CHECK_EQ_INT(aeResizeSetSize(el, 4096), AE_OK);
}

TEST(resize_inside_callback_then_write_handler) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    aeFileEvent *before = el->events;
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, read_resizes, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, on_write, NULL), AE_OK);
    CHECK(write(sv[1], "x", 1) == 1);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 2);
    CHECK_EQ_INT(calls[1].kind, 'w');
    CHECK_EQ_INT(el->setsize, 4096);
    CHECK_EQ_INT(el->events[sv[0]].mask, AE_READABLE | AE_WRITABLE);
    CHECK_EQ_INT(el->events[4095].mask, AE_NONE);
    (void)before;
    aeDeleteEventLoop(el);
    return 0;
}

TEST(resize_rules) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    int fd = dup2(sv[0], 40);
    CHECK(fd == 40);
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_READABLE, on_read, NULL), AE_OK);
    CHECK_EQ_INT(aeResizeSetSize(el, 64), AE_OK);
    CHECK_EQ_INT(aeResizeSetSize(el, 40), AE_ERR); /* maxfd 40 does not fit */
    CHECK_EQ_INT(el->setsize, 64);
    CHECK_EQ_INT(aeResizeSetSize(el, 41), AE_OK);
    CHECK_EQ_INT(aeGetSetSize(el), 41);
    CHECK_EQ_INT(aeGetFileEvents(el, 40), AE_READABLE);
    CHECK_EQ_INT(aeResizeSetSize(el, -1), AE_ERR);
    CHECK_EQ_INT(aeResizeSetSize(el, 100000), AE_OK);
    CHECK_EQ_INT(el->events[99999].mask, AE_NONE);
    errno = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, 100000, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(errno, ERANGE);
    aeDeleteEventLoop(el);
    return 0;
}

/* ---- flags ---- */
static int timer_fired;
static timer_ret count_timer(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(id); AE_NOTUSED(data);
    timer_fired++;
    return AE_NOMORE;
}

TEST(process_flags) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK(write(sv[1], "x", 1) == 1);
    timer_fired = 0;
    CHECK(aeCreateTimeEvent(el, -10, count_timer, NULL, NULL) >= 0);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, 0), 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_DONT_WAIT), 0);
    CHECK_EQ_INT(ncalls + timer_fired, 0);
    /* FILE only: the due timer waits. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(timer_fired, 0);
    /* TIME only: the ready fd is dispatched too before 7.2, not since. */
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), GEN_FILE_EVENTS_ONLY_WHEN_ASKED ? 1 : 2);
    CHECK_EQ_INT(ncalls, GEN_FILE_EVENTS_ONLY_WHEN_ASKED ? 0 : 1);
    CHECK_EQ_INT(timer_fired, 1);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(file_only_without_fds_returns_at_once) {
    aeEventLoop *el = aeCreateEventLoop(64);
    long long t0 = mono_ms();
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 0);
    CHECK(mono_ms() - t0 < 1000);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(hangup_wakes_read_only_registration) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, p[0], AE_READABLE, on_read, NULL), AE_OK);
    close(p[1]);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ncalls, 1);
    CHECK(calls[0].mask & AE_READABLE);
    aeDeleteEventLoop(el);
    return 0;
}

/* ---- aeMain, aeStop, beforesleep ---- */
static int sleeps;
static void count_sleep(aeEventLoop *el) { AE_NOTUSED(el); sleeps++; }
static timer_ret stop_after_3(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(id); AE_NOTUSED(data);
    if (++timer_fired == 3) aeStop(el);
    return 1;
}

TEST(main_stop_and_beforesleep) {
    aeEventLoop *el = aeCreateEventLoop(64);
    sleeps = 0;
    timer_fired = 0;
    aeSetBeforeSleepProc(el, count_sleep);
    CHECK(el->beforesleep == count_sleep);
    CHECK(aeCreateTimeEvent(el, 1, stop_after_3, NULL, NULL) >= 0);
    /* beforesleep belongs to aeMain only. */
    aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT);
    CHECK_EQ_INT(sleeps, 0);
    timer_fired = 0;
    aeStop(el);              /* a stop before aeMain is ignored */
    CHECK_EQ_INT(el->stop, 1);
    aeMain(el);
    CHECK_EQ_INT(timer_fired, 3);
    CHECK(sleeps >= 3);
    CHECK_EQ_INT(el->stop, 1);
    aeSetBeforeSleepProc(el, NULL);
    CHECK(el->beforesleep == NULL);
    aeDeleteEventLoop(el);
    return 0;
}

/* ---- time events ---- */
static int fin_calls;
static void *fin_data;
static void finalizer(aeEventLoop *el, void *data) { AE_NOTUSED(el); fin_calls++; fin_data = data; }

TEST(time_event_ids_list_and_delete) {
    aeEventLoop *el = aeCreateEventLoop(64);
    fin_calls = 0;
    int tag;
    long long a = aeCreateTimeEvent(el, 1000, count_timer, NULL, NULL);
    long long b = aeCreateTimeEvent(el, 2000, count_timer, &tag, finalizer);
    long long c = aeCreateTimeEvent(el, 3000, count_timer, NULL, NULL);
    CHECK_EQ_INT(a, 0);
    CHECK_EQ_INT(b, 1);
    CHECK_EQ_INT(c, 2);
    CHECK_EQ_INT(el->timeEventNextId, 3);
    /* The public list: newest first, with the fields filled in. */
    aeTimeEvent *te = el->timeEventHead;
    CHECK(te && te->id == 2);
    CHECK(te->next && te->next->id == 1 && te->next->clientData == &tag);
    CHECK(te->next->finalizerProc == finalizer && te->next->timeProc == count_timer);
    CHECK(te->next->next && te->next->next->id == 0 && te->next->next->next == NULL);
#if GEN_MONOTONIC_TIMERS
    /* 6.2+: monotonic microseconds. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long now_us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    CHECK((long long)te->when >= now_us + 2900000 && (long long)te->when <= now_us + 3100000);
#else
    /* 3.x-6.0: the wall clock's seconds and milliseconds. */
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long when = (long long)te->when_sec * 1000 + te->when_ms;
    long long now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    CHECK(when >= now + 2900 && when <= now + 3100);
    CHECK(te->when_ms >= 0 && te->when_ms < 1000);
#endif
    CHECK_EQ_INT(aeDeleteTimeEvent(el, b), AE_OK);
#if GEN_LAZY_TIMER_DELETE
    /* 3.2+: marked (id -1, still listed) and freed, finalizer and all, by
     * the next timer pass, due timers or not. */
    CHECK_EQ_INT(fin_calls, 0);
    CHECK(el->timeEventHead->next->id == AE_DELETED_EVENT_ID);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
#endif
    /* 3.0: the finalizer runs before aeDeleteTimeEvent returns. */
    CHECK_EQ_INT(fin_calls, 1);
    CHECK(fin_data == &tag);
    CHECK_EQ_INT(aeDeleteTimeEvent(el, b), AE_ERR);
    CHECK_EQ_INT(aeDeleteTimeEvent(el, 12345), AE_ERR);
    CHECK_EQ_INT(aeDeleteTimeEvent(el, -1), AE_ERR);
    CHECK(el->timeEventHead->id == 2 && el->timeEventHead->next->id == 0);
    CHECK(el->timeEventHead->next->next == NULL);
    aeDeleteEventLoop(el);
    return 0;
}

static int zero_count;
static timer_ret zero_period(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(id); AE_NOTUSED(data);
    zero_count++;
    return 0;
}

TEST(zero_period_timer_fires_once_per_call) {
    aeEventLoop *el = aeCreateEventLoop(64);
    zero_count = 0;
    CHECK(aeCreateTimeEvent(el, 0, zero_period, NULL, NULL) >= 0);
    for (int i = 1; i <= 5; i++) {
        CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
        CHECK_EQ_INT(zero_count, i);
    }
    aeDeleteEventLoop(el);
    return 0;
}

static timer_ret self_delete_then_reschedule(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(data);
    timer_fired++;
    CHECK_EQ_INT(aeDeleteTimeEvent(el, id), AE_OK);
    return 100; /* a use-after-free in the reference */
}

TEST(timer_deletes_itself_then_reschedules) {
    aeEventLoop *el = aeCreateEventLoop(64);
    timer_fired = 0;
    fin_calls = 0;
    CHECK(aeCreateTimeEvent(el, 0, self_delete_then_reschedule, NULL, finalizer) >= 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(timer_fired, 1);
#if GEN_LAZY_TIMER_DELETE
    CHECK_EQ_INT(fin_calls, 0);
    CHECK(el->timeEventHead && el->timeEventHead->id == AE_DELETED_EVENT_ID);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
#endif
    CHECK_EQ_INT(fin_calls, 1);
    CHECK(el->timeEventHead == NULL);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(timer_fired, 1);
    aeDeleteEventLoop(el);
    return 0;
}

static long long other_id;
static timer_ret deletes_other(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(id); AE_NOTUSED(data);
    timer_fired++;
    aeDeleteTimeEvent(el, other_id);
    return AE_NOMORE;
}

TEST(timer_deletes_other_due_timer) {
    aeEventLoop *el = aeCreateEventLoop(64);
    timer_fired = 0;
    fin_calls = 0;
    /* Both due; the earlier deadline fires first and deletes the other. */
    CHECK(aeCreateTimeEvent(el, -20, deletes_other, NULL, finalizer) >= 0);
    other_id = aeCreateTimeEvent(el, -10, count_timer, NULL, finalizer);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(timer_fired, 1);
#if GEN_LAZY_TIMER_DELETE
    CHECK_EQ_INT(fin_calls, 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
#endif
    CHECK_EQ_INT(fin_calls, 2);
    CHECK(el->timeEventHead == NULL);
    aeDeleteEventLoop(el);
    return 0;
}

static int created_in_cb;
static timer_ret creates_timer(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(id); AE_NOTUSED(data);
    timer_fired++;
    created_in_cb = (int)aeCreateTimeEvent(el, -100, count_timer, NULL, NULL);
    return AE_NOMORE;
}

TEST(timer_created_in_callback_waits_for_next_pass) {
    aeEventLoop *el = aeCreateEventLoop(64);
    timer_fired = 0;
    CHECK(aeCreateTimeEvent(el, 0, creates_timer, NULL, NULL) >= 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(timer_fired, 1);
    CHECK(el->timeEventHead && el->timeEventHead->id == created_in_cb);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(timer_fired, 2);
    if (GEN_LAZY_TIMER_DELETE) CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    CHECK(el->timeEventHead == NULL);
    aeDeleteEventLoop(el);
    return 0;
}

static void finalizer_creates_timer(aeEventLoop *el, void *data) {
    AE_NOTUSED(data);
    fin_calls++;
    aeCreateTimeEvent(el, 0, count_timer, NULL, NULL);
}

TEST(finalizer_creates_timer) {
    aeEventLoop *el = aeCreateEventLoop(64);
    fin_calls = 0;
    timer_fired = 0;
    CHECK(aeCreateTimeEvent(el, 0, count_timer, NULL, finalizer_creates_timer) >= 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    /* Lazily deleted timers are finalized by the next pass, and a timer
     * their finalizer creates waits for the pass after. */
    if (GEN_LAZY_TIMER_DELETE) CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(fin_calls, 1);
    /* The timer created by the finalizer is live and fires next. */
    CHECK(el->timeEventHead != NULL && el->timeEventHead->id == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(timer_fired, 2);
    aeDeleteEventLoop(el);
    return 0;
}

static int order_log[8], norder;
static timer_ret log_order(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(data);
    order_log[norder++] = (int)id;
    return AE_NOMORE;
}

TEST(due_timers_fire_earliest_first) {
    aeEventLoop *el = aeCreateEventLoop(64);
    norder = 0;
    /* Seconds apart, so slow creation (valgrind) cannot reorder them. */
    aeCreateTimeEvent(el, -1000, log_order, NULL, NULL); /* 0 */
    aeCreateTimeEvent(el, -3000, log_order, NULL, NULL); /* 1 */
    aeCreateTimeEvent(el, -2000, log_order, NULL, NULL); /* 2 */
    aeCreateTimeEvent(el, 60000, log_order, NULL, NULL); /* 3: not due */
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 3);
    CHECK_EQ_INT(norder, 3);
    CHECK_EQ_INT(order_log[0], 1);
    CHECK_EQ_INT(order_log[1], 2);
    CHECK_EQ_INT(order_log[2], 0);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(blocking_wait_honours_timer_deadline) {
    aeEventLoop *el = aeCreateEventLoop(64);
    timer_fired = 0;
    long long t0 = mono_ms();
    CHECK(aeCreateTimeEvent(el, 50, count_timer, NULL, NULL) >= 0);
    int n = 0;
    while (timer_fired == 0) n += aeProcessEvents(el, AE_ALL_EVENTS);
    long long dt = mono_ms() - t0;
    CHECK_EQ_INT(n, 1);
    CHECK(dt >= 50);
    CHECK(dt < 1000);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(overdue_timer_does_not_block) {
    aeEventLoop *el = aeCreateEventLoop(64);
    timer_fired = 0;
    /* The reference slept up to 999 ms here (split sec/ms arithmetic). */
    CHECK(aeCreateTimeEvent(el, -1500, count_timer, NULL, NULL) >= 0);
    long long t0 = mono_ms();
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 1);
    CHECK(mono_ms() - t0 < 200);
    CHECK_EQ_INT(timer_fired, 1);
    aeDeleteEventLoop(el);
    return 0;
}

static timer_ret periodic(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(data);
    timer_fired++;
    return 1 + (int)(id % 20);
}

TEST(thousand_periodic_timers_do_not_livelock) {
    aeEventLoop *el = aeCreateEventLoop(64);
    timer_fired = 0;
    for (int i = 0; i < 1000; i++) CHECK(aeCreateTimeEvent(el, 1 + i % 20, periodic, NULL, NULL) >= 0);
    long long t0 = mono_ms();
    for (int i = 0; i < 50; i++) {
        int n = aeProcessEvents(el, AE_ALL_EVENTS);
        CHECK(n >= 0 && n <= 1000);
    }
    CHECK(timer_fired >= 1000);
    CHECK(mono_ms() - t0 < 10000);
    aeDeleteEventLoop(el);
    return 0;
}

static int nested_calls;
static timer_ret nested_timer(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(id); AE_NOTUSED(data);
    nested_calls++;
    if (nested_calls == 1) aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT);
    return 5;
}

TEST(recursive_process_events_from_timer) {
    aeEventLoop *el = aeCreateEventLoop(64);
    nested_calls = 0;
    long long id = aeCreateTimeEvent(el, 0, nested_timer, NULL, NULL);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(nested_calls, 1);
    CHECK(el->timeEventHead && el->timeEventHead->id == id);
    CHECK_EQ_INT(aeDeleteTimeEvent(el, id), AE_OK);
    aeDeleteEventLoop(el);
    return 0;
}

/* The timers left are freed; their finalizers run where the generation's
 * aeDeleteEventLoop runs them (Valkey 8+), not before. */
TEST(delete_loop_frees_timers) {
    aeEventLoop *el = aeCreateEventLoop(64);
    fin_calls = 0;
    for (int i = 0; i < 10; i++) aeCreateTimeEvent(el, 100000, count_timer, NULL, finalizer);
    size_t before = test_zmalloc_used();
    aeDeleteEventLoop(el);
    CHECK_EQ_INT(fin_calls, GEN_FINALIZE_ON_LOOP_DELETE ? 10 : 0);
    CHECK(test_zmalloc_used() < before);
    return 0;
}

static void read_deletes_loop(aeEventLoop *el, int fd, void *data, int mask) {
    record('r', fd, data, mask);
    aeDeleteEventLoop(el);
}

TEST(delete_loop_from_callback) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    make_pair(a);
    make_pair(b);
    fin_calls = 0;
    aeCreateTimeEvent(el, 0, count_timer, NULL, finalizer);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, read_deletes_loop, NULL), AE_OK);
    CHECK_EQ_INT(aeCreateFileEvent(el, b[0], AE_READABLE, read_deletes_loop, NULL), AE_OK);
    CHECK(write(a[1], "x", 1) == 1 && write(b[1], "x", 1) == 1);
    ncalls = 0;
    timer_fired = 0;
    aeMain(el); /* returns: the loop was deleted inside the handler */
    CHECK_EQ_INT(ncalls, 1);
    CHECK_EQ_INT(timer_fired, 0);
    CHECK_EQ_INT(fin_calls, GEN_FINALIZE_ON_LOOP_DELETE ? 1 : 0);
    return 0;
}

static volatile sig_atomic_t got_alarm;
static void on_alarm(int sig) { (void)sig; got_alarm = 1; }

TEST(signal_interrupts_wait) {
    aeEventLoop *el = aeCreateEventLoop(64);
    if (getenv("AENET_UNDER_VALGRIND") && strcmp(aeGetApiName(), "io_uring") == 0)
        SKIP("valgrind holds signals until io_uring_enter returns");
    int sv[2];
    make_pair(sv);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, NULL), AE_OK);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    struct itimerval it = { {0, 0}, {0, 50000} };
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
    ncalls = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS), 0);
    CHECK(got_alarm);
    CHECK_EQ_INT(ncalls, 0);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(backend_fd_is_cloexec) {
    if (is_poll_backend()) SKIP("the poll backend holds no fd");
    aeEventLoop *el = aeCreateEventLoop(64);
    int found = 0;
    for (int fd = 0; fd < 1024; fd++) {
        char p[64], target[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(p, target, sizeof(target) - 1);
        if (n <= 0) continue;
        target[n] = 0;
        if (strstr(target, "eventpoll")) {
            found++;
            CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        }
    }
    CHECK_EQ_INT(found, 1);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(wait_single_fd) {
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ_INT(aeWait(p[1], AE_WRITABLE, 100), AE_WRITABLE);
    long long t0 = mono_ms();
    CHECK_EQ_INT(aeWait(p[0], AE_READABLE, 20), 0);
    CHECK(mono_ms() - t0 >= 20);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK_EQ_INT(aeWait(p[0], AE_READABLE, 100), AE_READABLE);
    char c;
    CHECK(read(p[0], &c, 1) == 1);
    close(p[1]);
    CHECK_EQ_INT(aeWait(p[0], AE_READABLE, 100), AE_WRITABLE); /* POLLHUP maps to WRITABLE */
    close(p[0]);
    CHECK_EQ_INT(aeWait(p[0], AE_READABLE, 10), 0); /* POLLNVAL only: looks like a timeout */
    return 0;
}

TEST(create_loop_out_of_memory) {
    size_t base = test_zmalloc_used();
    errno = 0;
    CHECK(aeCreateEventLoop(0x7fffffff) == NULL); /* 2^31 fds: ~86 GB of arrays */
    CHECK_EQ_INT(errno, ENOMEM);
    CHECK(test_zmalloc_used() <= base);
    aeEventLoop *el = aeCreateEventLoop(64);
    CHECK_EQ_INT(aeResizeSetSize(el, 0x7fffffff), AE_ERR);
    CHECK_EQ_INT(errno, ENOMEM);
    CHECK_EQ_INT(aeGetSetSize(el), 64);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(create_loop_out_of_fds) {
    if (is_poll_backend()) SKIP("the poll backend needs no fd");
    struct rlimit rl, low;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    int fd = dup(0);
    CHECK(fd >= 0);
    close(fd);
    low = rl;
    low.rlim_cur = (rlim_t)fd; /* the next fd would be past the limit */
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    errno = 0;
    aeEventLoop *el = aeCreateEventLoop(64);
    int e = errno;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    CHECK(el == NULL);
    CHECK_EQ_INT(e, EMFILE);
    return 0;
}

static long long churn_ids[4096];
static int churn_live, churn_rounds, churn_fired;
static timer_ret churn_timer(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(id); AE_NOTUSED(data);
    churn_fired++;
    return 1000000; /* far in the future: only the churner fires */
}
static timer_ret churner(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(id); AE_NOTUSED(data);
    /* Delete every live timer, then create a new thousand, from inside a callback. */
    for (int i = 0; i < churn_live; i++) CHECK_EQ_INT(aeDeleteTimeEvent(el, churn_ids[i]), AE_OK);
    for (int i = 0; i < 1000; i++) {
        churn_ids[i] = aeCreateTimeEvent(el, (i % 2) ? 1000000 : -5, churn_timer, NULL, NULL);
        CHECK(churn_ids[i] >= 0);
    }
    churn_live = 1000;
    return ++churn_rounds < 20 ? 0 : AE_NOMORE;
}

TEST(thousands_of_timers_churned_from_callbacks) {
    aeEventLoop *el = aeCreateEventLoop(64);
    churn_live = churn_rounds = churn_fired = 0;
    CHECK(aeCreateTimeEvent(el, 0, churner, NULL, NULL) >= 0);
    while (churn_rounds < 20) aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT);
    /* 3.2+: the last batch deleted is freed by one more pass. */
    if (GEN_LAZY_TIMER_DELETE) aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT);
    /* The list holds exactly the last thousand, newest first. */
    int n = 0;
    long long prev = -1;
    for (aeTimeEvent *te = el->timeEventHead; te; te = te->next, n++) {
        CHECK(prev == -1 || te->id < prev);
        prev = te->id;
    }
    CHECK_EQ_INT(n, 1000);
    /* Timers created due (-5 ms) fired in the next pass, never in the pass
     * that created them; each batch was deleted before its next pass. */
    CHECK(churn_fired > 0 && churn_fired <= 20 * 500);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(host_zmalloc_accounts_loop_memory) {
    size_t base = test_zmalloc_used();
    long long calls0 = test_zmalloc_calls();
    aeEventLoop *el = aeCreateEventLoop(10000);
    CHECK(test_zmalloc_used() >= base + 10000 * (sizeof(aeFileEvent) + sizeof(aeFiredEvent)));
    long long id = aeCreateTimeEvent(el, 1000, count_timer, NULL, NULL);
    CHECK(test_zmalloc_calls() > calls0);
    aeDeleteTimeEvent(el, id);
    aeDeleteEventLoop(el);
    CHECK(test_zmalloc_used() <= base + 4096);
    return 0;
}

TEST(null_loop_is_refused) {
    CHECK_EQ_INT(aeCreateFileEvent(NULL, 0, AE_READABLE, on_read, NULL), AE_ERR);
    CHECK_EQ_INT(aeCreateTimeEvent(NULL, 0, count_timer, NULL, NULL), AE_ERR);
    CHECK_EQ_INT(aeDeleteTimeEvent(NULL, 0), AE_ERR);
    CHECK_EQ_INT(aeProcessEvents(NULL, AE_ALL_EVENTS), 0);
    CHECK_EQ_INT(aeGetFileEvents(NULL, 0), 0);
    CHECK_EQ_INT(aeGetSetSize(NULL), 0);
    CHECK_EQ_INT(aeResizeSetSize(NULL, 10), AE_ERR);
    aeDeleteFileEvent(NULL, 0, AE_READABLE);
    aeStop(NULL);
    aeMain(NULL);
    aeSetBeforeSleepProc(NULL, NULL);
    aeDeleteEventLoop(NULL);
    return 0;
}

const struct test_entry ae_tests[] = {
    TEST_ENTRY(create_loop_fields),
    TEST_ENTRY(create_negative_setsize_fails),
    TEST_ENTRY(file_event_out_of_range),
    TEST_ENTRY(file_event_maxfd_tracking),
    TEST_ENTRY(file_event_kernel_errors),
    TEST_ENTRY(file_event_mask_none_is_noop),
    TEST_ENTRY(readable_dispatch_args),
    TEST_ENTRY(read_runs_before_write),
    TEST_ENTRY(same_handler_both_directions_called_once),
    TEST_ENTRY(barrier_inverts_order),
    TEST_ENTRY(client_data_shared_per_fd),
    TEST_ENTRY(callback_deletes_events_mid_iteration),
    TEST_ENTRY(callback_adds_events),
    TEST_ENTRY(resize_inside_callback_then_write_handler),
    TEST_ENTRY(resize_rules),
    TEST_ENTRY(process_flags),
    TEST_ENTRY(file_only_without_fds_returns_at_once),
    TEST_ENTRY(hangup_wakes_read_only_registration),
    TEST_ENTRY(main_stop_and_beforesleep),
    TEST_ENTRY(time_event_ids_list_and_delete),
    TEST_ENTRY(zero_period_timer_fires_once_per_call),
    TEST_ENTRY(timer_deletes_itself_then_reschedules),
    TEST_ENTRY(timer_deletes_other_due_timer),
    TEST_ENTRY(timer_created_in_callback_waits_for_next_pass),
    TEST_ENTRY(finalizer_creates_timer),
    TEST_ENTRY(due_timers_fire_earliest_first),
    TEST_ENTRY(blocking_wait_honours_timer_deadline),
    TEST_ENTRY(overdue_timer_does_not_block),
    TEST_ENTRY(thousand_periodic_timers_do_not_livelock),
    TEST_ENTRY(recursive_process_events_from_timer),
    TEST_ENTRY(delete_loop_frees_timers),
    TEST_ENTRY(delete_loop_from_callback),
    TEST_ENTRY(signal_interrupts_wait),
    TEST_ENTRY(backend_fd_is_cloexec),
    TEST_ENTRY(wait_single_fd),
    TEST_ENTRY(create_loop_out_of_memory),
    TEST_ENTRY(create_loop_out_of_fds),
    TEST_ENTRY(thousands_of_timers_churned_from_callbacks),
    TEST_ENTRY(host_zmalloc_accounts_loop_memory),
    TEST_ENTRY(null_loop_is_refused),
    TEST_END
};
