/* The ae behaviours Redis 7.0 and 7.2 added or fixed, checked in every
 * generation against what that generation's reference does:
 *  - aeGetFileClientData (7.0+);
 *  - a failed wait (other than EINTR) ends in the host's panic from 7.0 on
 *    (_serverPanic when the program defines it, else a message on stderr and
 *    abort); before 7.0 it counts as a wait that saw nothing;
 *  - a TIME-only aeProcessEvents dispatches ready fds before 7.2, not from
 *    7.2 (file events only when AE_FILE_EVENTS is asked);
 *  - a deleted timer never shortens the wait (7.2's fix; ae-21 in
 *    docs/differences.md for the generations before);
 *  - a timer that returns a period whose microseconds overflow an int does
 *    not fire again at once (7.2.2's fix; ae-23 for 6.2-7.2.1).
 * On real sockets, timers and failing system calls. */
#include "runner.h"
#include "gen.h"
#include "test_helpers.h"
#include "break_wait.h"
#include "ae.h"

#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int reads;
static void on_read(aeEventLoop *el, int fd, void *data, int mask) {
    AE_NOTUSED(el); AE_NOTUSED(data); AE_NOTUSED(mask);
    char c;
    CHECK(read(fd, &c, 1) == 1);
    reads++;
}

static void never(aeEventLoop *el, int fd, void *data, int mask) {
    AE_NOTUSED(el); AE_NOTUSED(fd); AE_NOTUSED(data); AE_NOTUSED(mask);
    fprintf(stderr, "a handler ran\n");
    exit(1);
}

static int fired;
static timer_ret count_timer(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(id); AE_NOTUSED(data);
    fired++;
    return AE_NOMORE;
}

static int finalized;
static void count_finalizer(aeEventLoop *el, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(data);
    finalized++;
}

/* Reads `fd` to EOF into buf (NUL-terminated). */
static void read_all(int fd, char *buf, size_t len) {
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, len - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
        if (n == len - 1) break;
    }
    buf[n] = '\0';
}

#if GEN_CLIENT_DATA
/* 7.0+: the clientData registered for an fd, NULL where nothing is
 * registered (out of range, negative, never registered, all bits deleted). */
TEST(file_client_data) {
    aeEventLoop *el = aeCreateEventLoop(64);
    CHECK(el != NULL);
    int sv[2], a, b;
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(aeGetFileClientData(el, sv[0]) == NULL);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, &a), AE_OK);
    CHECK(aeGetFileClientData(el, sv[0]) == &a);
    CHECK(aeGetFileClientData(el, sv[1]) == NULL);
    /* One clientData per fd: the last registration's. */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, on_read, &b), AE_OK);
    CHECK(aeGetFileClientData(el, sv[0]) == &b);
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    CHECK(aeGetFileClientData(el, sv[0]) == &b);
    aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    CHECK(aeGetFileClientData(el, sv[0]) == NULL);
    /* Out of range either way (the reference reads out of bounds for a
     * negative fd); a NULL loop is refused. */
    CHECK(aeGetFileClientData(el, 64) == NULL);
    CHECK(aeGetFileClientData(el, INT_MAX) == NULL);
    CHECK(aeGetFileClientData(el, -1) == NULL);
    CHECK(aeGetFileClientData(el, INT_MIN) == NULL);
    errno = 0;
    CHECK(aeGetFileClientData(NULL, sv[0]) == NULL);
    CHECK_EQ_INT(errno, EINVAL);
    /* After a resize the table is read again. */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[1], AE_READABLE, on_read, &a), AE_OK);
    CHECK_EQ_INT(aeResizeSetSize(el, 128), AE_OK);
    CHECK(aeGetFileClientData(el, sv[1]) == &a);
    aeDeleteEventLoop(el);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
#endif

/* Without _serverPanic in the program (this suite defines none), a failed
 * wait prints the reference's panic text on stderr and aborts, from 7.0 on;
 * before 7.0 it is a wait that saw nothing. Run in a child whose stderr is
 * a pipe. */
TEST(wait_error_without_host_panic) {
    if (!bw_is_epoll() && !bw_is_io_uring() && getenv("AENET_UNDER_VALGRIND"))
        SKIP("valgrind keeps RLIMIT_NOFILE to itself, so poll(2) cannot be made to fail");
    char expected[128];
    bw_expected(expected, sizeof(expected));
    int errpipe[2];
    CHECK(pipe(errpipe) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(errpipe[0]);
        dup2(errpipe[1], 2);
        close(errpipe[1]);
        aeEventLoop *el = aeCreateEventLoop(64);
        if (!el || aeCreateTimeEvent(el, 10000, count_timer, NULL, NULL) < 0) _exit(2);
        if (bw_break(el, never) != 0) _exit(3);
        long long t0 = mono_ms();
        int n = aeProcessEvents(el, AE_ALL_EVENTS);
        /* Only before 7.0: nothing seen, at once. */
        if (n != 0 || fired != 0 || mono_ms() - t0 > 5000) _exit(4);
        aeDeleteEventLoop(el);
        _exit(0);
    }
    close(errpipe[1]);
    char out[4096];
    read_all(errpipe[0], out, sizeof(out));
    close(errpipe[0]);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
#if GEN_WAIT_ERROR_PANICS
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)) {
        fprintf(stderr, "child status %d, stderr:\n%s\n", status, out);
        CHECK(!"the child did not abort");
    }
    char line[160];
    snprintf(line, sizeof(line), "aenet: %s (", expected);
    if (!strstr(out, line)) {
        fprintf(stderr, "stderr of the child:\n%s\n", out);
        CHECK(!"the panic text is missing");
    }
#else
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "child status %d, stderr:\n%s\n", status, out);
        CHECK(!"the child did not carry on after the failed wait");
    }
    CHECK(strstr(out, "aeApiPoll") == NULL);
#endif
    return 0;
}

#if GEN_WAIT_ERROR_PANICS
/* The helper next to this binary: c_tests/progs/panic_host.c, built as
 * panic_host, panic_host_shared, panic_host_asan or panic_host_tsan like
 * this suite. */
static void helper_path(char *buf, size_t len) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    CHECK(n > 0);
    self[n] = '\0';
    char *base = strrchr(self, '/');
    CHECK(base != NULL);
    *base++ = '\0';
    const char *suffix = strncmp(base, "aenet_tests", 11) == 0 ? base + 11 : "";
    snprintf(buf, len, "%s/panic_host%s", self, suffix);
}

/* Runs the helper with `mode`; its stdout and stderr into out, its status
 * back. */
static int run_helper(const char *mode, char *out, size_t len) {
    char path[4200];
    helper_path(path, sizeof(path));
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "%s is missing: build it with make test-c (or check-asan)\n", path);
        CHECK(!"helper missing");
    }
    int outpipe[2];
    CHECK(pipe(outpipe) == 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(outpipe[0]);
        dup2(outpipe[1], 1);
        dup2(outpipe[1], 2);
        close(outpipe[1]);
        execl(path, path, mode, (char *)NULL);
        _exit(127);
    }
    close(outpipe[1]);
    read_all(outpipe[0], out, len);
    close(outpipe[0]);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    return status;
}

/* A program that defines _serverPanic (as Redis 7.0+ does in debug.c) has
 * it called with the reference's text, "aeApiPoll: epoll_wait, <strerror>"
 * ("poll" on the poll backend), and a file and line of the library; a
 * _serverPanic that returns is followed by an abort, never by a spin. */
TEST(wait_error_calls_host_panic) {
    if (!bw_is_epoll() && !bw_is_io_uring() && getenv("AENET_UNDER_VALGRIND"))
        SKIP("valgrind keeps RLIMIT_NOFILE to itself, so poll(2) cannot be made to fail");
    char expected[128], out[4096];
    bw_expected(expected, sizeof(expected));
    int status = run_helper("exit", out, sizeof(out));
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 70)) {
        fprintf(stderr, "helper status %d, stdout:\n%s\n", status, out);
        CHECK(!"the host's _serverPanic did not end the process");
    }
    char file[256];
    int line = 0;
    char msg[256];
    const char *p = strstr(out, "panic file=");
    CHECK(p != NULL);
    CHECK(sscanf(p, "panic file=%255s line=%d msg=%255[^\n]", file, &line, msg) == 3);
    CHECK_EQ_STR(msg, expected);
    CHECK(strstr(file, ".rs") != NULL);
    CHECK(line > 0);
    CHECK(strstr(out, "returned") == NULL && strstr(out, "handler") == NULL);

    status = run_helper("return", out, sizeof(out));
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)) {
        fprintf(stderr, "helper status %d, stdout:\n%s\n", status, out);
        CHECK(!"the library did not abort after _serverPanic returned");
    }
    CHECK(strstr(out, "panic file=") != NULL);
    CHECK(strstr(out, "returned") == NULL);
    char line2[160];
    snprintf(line2, sizeof(line2), "aenet: %s (", expected);
    CHECK(strstr(out, line2) != NULL);
    return 0;
}
#endif

/* aeProcessEvents(AE_TIME_EVENTS) with a ready fd and a timer not due yet:
 * the wait ends at once (the fd is ready); before 7.2 the fd's handler runs
 * too, from 7.2 on only what was asked (timers) is processed. */
TEST(time_only_call_dispatches_files_before_7_2) {
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK(aeCreateTimeEvent(el, 2000, count_timer, NULL, NULL) >= 0);
    CHECK(write(sv[1], "xy", 2) == 2);
    reads = fired = 0;
    long long t0 = mono_ms();
    int n = aeProcessEvents(el, AE_TIME_EVENTS);
    CHECK(mono_ms() - t0 < 1000);
    CHECK_EQ_INT(fired, 0);
#if GEN_FILE_EVENTS_ONLY_WHEN_ASKED
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(reads, 0);
    /* Still ready, and dispatched once files are asked for. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(reads, 1);
#else
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(reads, 1);
#endif
    aeDeleteEventLoop(el);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* A deleted timer that was due before the live one does not end the wait
 * early: the call sleeps until the live timer and fires it. (3.2-7.0 woke
 * at the deleted timer's deadline and returned 0.) */
TEST(deleted_timer_does_not_shorten_the_wait) {
    aeEventLoop *el = aeCreateEventLoop(64);
    fired = finalized = 0;
    long long early = aeCreateTimeEvent(el, 30, count_timer, NULL, count_finalizer);
    CHECK(early >= 0);
    CHECK(aeCreateTimeEvent(el, 400, count_timer, NULL, NULL) >= 0);
    CHECK_EQ_INT(aeDeleteTimeEvent(el, early), AE_OK);
    long long t0 = mono_ms();
    int n = aeProcessEvents(el, AE_ALL_EVENTS);
    long long took = mono_ms() - t0;
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(fired, 1);
    CHECK(took >= 390);
    CHECK(took < 3000);
    CHECK_EQ_INT(finalized, 1);
    aeDeleteEventLoop(el);
    return 0;
}

/* A period of 3,000,000 ms is 3e9 us, past INT_MAX: 6.2-7.2.1 computed
 * `retval * 1000` in int, which wraps negative, so the timer was due again
 * at once. Here (and in 7.2.2+) it is due in 50 minutes. */
static int big_calls;
static timer_ret big_period(aeEventLoop *el, long long id, void *data) {
    AE_NOTUSED(el); AE_NOTUSED(id); AE_NOTUSED(data);
    big_calls++;
    return 3000000;
}

TEST(huge_timer_period_does_not_wrap) {
    aeEventLoop *el = aeCreateEventLoop(64);
    big_calls = 0;
    CHECK(aeCreateTimeEvent(el, -1, big_period, NULL, NULL) >= 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(big_calls, 1);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT), 0);
        usleep(2000);
    }
    CHECK_EQ_INT(big_calls, 1);
    aeTimeEvent *te = el->timeEventHead;
    CHECK(te != NULL);
#if GEN_MONOTONIC_TIMERS
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long now_us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    CHECK((long long)te->when > now_us + 2990000000LL);
    CHECK((long long)te->when < now_us + 3010000000LL);
#else
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long when = (long long)te->when_sec * 1000 + te->when_ms;
    long long now = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    CHECK(when > now + 2990000 && when < now + 3010000);
#endif
    aeDeleteEventLoop(el);
    return 0;
}

const struct test_entry ae_v7_tests[] = {
#if GEN_CLIENT_DATA
    TEST_ENTRY(file_client_data),
#endif
    TEST_ENTRY(wait_error_without_host_panic),
#if GEN_WAIT_ERROR_PANICS
    TEST_ENTRY(wait_error_calls_host_panic),
#endif
    TEST_ENTRY(time_only_call_dispatches_files_before_7_2),
    TEST_ENTRY(deleted_timer_does_not_shorten_the_wait),
    TEST_ENTRY(huge_timer_period_does_not_wrap),
    TEST_END,
};
