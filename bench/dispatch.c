/* Event dispatch cost: the method of libevent's test/bench.c, run for
 * aenet, libev and libevent side by side in one process.
 *
 * N "pipes", A of them active: each read callback reads one byte and, while
 * writes remain, writes one byte to the next pipe, so the events chain
 * through the set. One run primes A pipes and times the non-blocking loop
 * calls until every byte
 * written has been read. Every library watches every pipe from setup on
 * (each has its own epoll set); the libraries take turns run by run, and
 * the median of the runs is reported per library.
 *
 * Sockets are non-blocking (libev may report spurious readiness after a
 * stop/start); a callback that reads nothing does not chain a write.
 *
 * Difference from bench.c: both ends of a socketpair serve as pipes
 * (writing to one end makes the other readable), so N pipes use N fds and
 * N = 10,000 fits under a 20,000 fd limit. */
#include "ae.h"
#include <ev.h>
/* event2/event.h redefines EV_READ (0x02, libev's EV_WRITE): keep libev's. */
enum { LIBEV_READ = EV_READ };
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 25
static int runs = MAX_RUNS;

static int num_pipes, num_active, num_writes;
static int *fds;           /* fds[i]: read end of pipe i */
static int *peer;          /* peer[i]: where to write to make pipe i readable */
static long count, writes, fired;

static long spurious;

static void on_readable(int idx) {
    unsigned char ch;
    if (recv(fds[idx], &ch, 1, 0) != 1) { spurious++; return; }
    count++;
    if (writes) {
        int widx = idx + 1;
        if (widx >= num_pipes) widx -= num_pipes;
        if (send(peer[widx], "e", 1, 0) != 1) abort();
        writes--;
        fired++;
    }
}

static void prime(void) {
    int space = num_pipes / num_active;
    fired = 0;
    for (int i = 0; i < num_active; i++, fired++) send(peer[i * space], "e", 1, 0);
    count = 0;
    writes = num_writes;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- aenet ---- */
static aeEventLoop *ael;
static void ae_cb(aeEventLoop *el, int fd, void *data, int mask) {
    (void)el; (void)fd; (void)mask;
    on_readable((int)(long)data);
}
static double run_aenet(void) {
    prime();
    double t0 = now_us();
    do aeProcessEvents(ael, AE_FILE_EVENTS | AE_DONT_WAIT); while (count != fired);
    return now_us() - t0;
}

/* ---- libev ---- */
static struct ev_loop *evl;
static ev_io *evio;
static void libev_cb(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop; (void)revents;
    on_readable((int)(w - evio));
}
static double run_libev(void) {
    prime();
    double t0 = now_us();
    do ev_run(evl, EVRUN_NOWAIT); while (count != fired);
    return now_us() - t0;
}

/* ---- libevent ---- */
static struct event_base *base;
static struct event **levs;
static void le_cb(evutil_socket_t fd, short which, void *arg) {
    (void)fd; (void)which;
    on_readable((int)(long)arg);
}
static double run_libevent(void) {
    prime();
    double t0 = now_us();
    do event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK); while (count != fired);
    return now_us() - t0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int use_ae = 1, use_ev = 1, use_le = 1;

static void setup(int n) {
    num_pipes = n;
    fds = malloc(sizeof(int) * n);
    peer = malloc(sizeof(int) * n);
    int two_fd = getenv("BENCH_TWO_FD") != NULL;
    for (int i = 0; i < n; i += two_fd ? 1 : 2) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0) { perror("socketpair"); exit(1); }
        fds[i] = sv[0]; peer[i] = sv[1];
        if (!two_fd) { fds[i + 1] = sv[1]; peer[i + 1] = sv[0]; }
    }
    int maxfd = 0;
    for (int i = 0; i < n; i++) if (fds[i] > maxfd) maxfd = fds[i];
    ael = aeCreateEventLoop(maxfd + 64);
    evl = ev_loop_new(EVBACKEND_EPOLL);
    evio = calloc(n, sizeof(ev_io));
    struct event_config *cfg = event_config_new();
    event_config_avoid_method(cfg, "poll");
    event_config_avoid_method(cfg, "select");
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    levs = malloc(sizeof(*levs) * n);
    for (int i = 0; i < n; i++) {
        if (use_ae) aeCreateFileEvent(ael, fds[i], AE_READABLE, ae_cb, (void *)(long)i);
        ev_io_init(&evio[i], libev_cb, fds[i], LIBEV_READ);
        if (use_ev) ev_io_start(evl, &evio[i]);
        levs[i] = event_new(base, fds[i], EV_READ | EV_PERSIST, le_cb, (void *)(long)i);
        if (use_le) event_add(levs[i], NULL);
    }
    aeProcessEvents(ael, AE_FILE_EVENTS | AE_DONT_WAIT);
    ev_run(evl, EVRUN_NOWAIT);
    event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

static void teardown(void) {
    for (int i = 0; i < num_pipes; i++) {
        ev_io_stop(evl, &evio[i]);
        event_free(levs[i]);
        close(fds[i]);
    }
    aeDeleteEventLoop(ael);
    ev_loop_destroy(evl);
    event_base_free(base);
    free(levs); free(evio); free(fds); free(peer);
}

/* Usage: bench_dispatch [WRITES [runs [LIBRARY N A]]]
 * With LIBRARY (aenet, libev or libevent), N and A, only that library runs
 * that configuration: for instruction counts under callgrind. */
static int only_one(const char *lib, int n, int a) {
    use_ae = !strcmp(lib, "aenet");
    use_ev = !strcmp(lib, "libev");
    use_le = !strcmp(lib, "libevent");
    setup(n);
    num_active = a;
    double (*run)(void) = !strcmp(lib, "libev") ? run_libev : !strcmp(lib, "libevent") ? run_libevent : run_aenet;
    long events = 0;
    for (int r = 0; r < runs; r++) { run(); events += fired; }
    printf("%s N=%d A=%d: %ld events dispatched in %d runs (%ld spurious)\n", lib, n, a, events, runs, spurious);
    teardown();
    return 0;
}

int main(int argc, char **argv) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int sizes[] = { 100, 1000, 10000 };
    int actives[] = { 1, 100 };
    num_writes = argc > 1 ? atoi(argv[1]) : 1000;
    if (argc > 2 && atoi(argv[2]) > 0 && atoi(argv[2]) <= MAX_RUNS) runs = atoi(argv[2]);
    if (argc > 5) return only_one(argv[3], atoi(argv[4]), atoi(argv[5]));
    printf("dispatch: median time per run (%d runs, %d chained writes), backends aenet %s, libev epoll, libevent %s\n",
           runs, num_writes, aeGetApiName(), "epoll");
    printf("  %6s %6s %12s %12s %12s %9s %9s\n", "N", "A", "aenet us", "libev us", "libevent us",
           "aenet/ev", "aenet/evt");
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        if ((rlim_t)sizes[s] + 100 > rl.rlim_cur) { printf("  N=%d skipped: fd limit %ld\n", sizes[s], (long)rl.rlim_cur); continue; }
        setup(sizes[s]);
        for (size_t a = 0; a < sizeof(actives) / sizeof(actives[0]); a++) {
            num_active = actives[a];
            double t[3][MAX_RUNS];
            for (int r = 0; r < runs; r++) {
                t[0][r] = run_aenet();
                t[1][r] = run_libev();
                t[2][r] = run_libevent();
            }
            for (int l = 0; l < 3; l++) qsort(t[l], runs, sizeof(double), cmp);
            double ae = t[0][runs / 2], ev = t[1][runs / 2], le = t[2][runs / 2];
            printf("  %6d %6d %12.1f %12.1f %12.1f %9.2f %9.2f\n", sizes[s], num_active, ae, ev, le, ae / ev, ae / le);
        }
        teardown();
    }
    return 0;
}
