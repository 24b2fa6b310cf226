/* Several loops on several threads, as redis-benchmark --threads runs one
 * loop per thread, and anet called from several threads at once, as Redis's
 * IO threads do. Every generation. Each loop has its own listener, clients
 * and echo servers on real TCP sockets and its own timers; every byte that
 * comes back and every timer firing is checked. The suite is also built with
 * ThreadSanitizer and run under helgrind (make check-tsan, check-helgrind):
 * the tests synchronise only through pthread calls, so both see every
 * hand-over. */
#include "runner.h"
#include "gen.h"
#include "anet_compat.h"
#include "test_helpers.h"
#include "ae.h"
#include "anet.h"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    LOOPS = 4,
    CLIENTS = 4,       /* per loop */
    ONESHOTS = 16,     /* one-shot timers per loop */
    PERIOD_MS = 2,
    PERIODIC_FIRINGS = 40,
    CHUNK = 4096,
};

/* Slower under a race checker: less traffic. */
static size_t payload_bytes(void) {
    return getenv("AENET_UNDER_VALGRIND") ? 16384 : 262144;
}

static unsigned char pattern(int loop, int client, size_t i) {
    return (unsigned char)(i * 7 + (size_t)client * 13 + (size_t)loop * 101);
}

struct loop;

struct conn {
    struct loop *lp;
    int fd;
    int id;
    /* a client: bytes written, bytes read back and checked */
    size_t sent, received;
    /* an echo server: bytes read and not yet written back */
    unsigned char buf[CHUNK];
    size_t len, off;
    size_t echoed;
    int closed;
};

struct loop {
    int index;
    aeEventLoop *el;
    int listener, port;
    size_t total;
    struct conn clients[CLIENTS];
    struct conn servers[CLIENTS];
    int nservers, clients_done, servers_done;
    long long oneshot_created_us;
    int oneshot_delay_ms[ONESHOTS];
    int oneshot_fired[ONESHOTS];
    long long oneshot_late_us[ONESHOTS];
    int periodic_fired;
    long long periodic_last_us, periodic_min_gap_us;
    int finalized;
    int before_sleeps, foreign_before_sleeps;
    int anet_errors_checked;
};

static struct loop loops[LOOPS];
static pthread_barrier_t start_line;
static __thread struct loop *self;

static int all_done(struct loop *lp) {
    if (lp->clients_done < CLIENTS || lp->servers_done < CLIENTS) return 0;
    if (lp->periodic_fired < PERIODIC_FIRINGS) return 0;
    for (int i = 0; i < ONESHOTS; i++) if (!lp->oneshot_fired[i]) return 0;
    return 1;
}

static void maybe_stop(struct loop *lp) {
    if (all_done(lp)) aeStop(lp->el);
}

static void close_conn(struct conn *c) {
    aeDeleteFileEvent(c->lp->el, c->fd, AE_READABLE | AE_WRITABLE);
    CHECK_EQ_INT(aeGetFileEvents(c->lp->el, c->fd), AE_NONE);
    close(c->fd);
    c->closed = 1;
}

/* ---- the echo server side ---- */

static void server_read(aeEventLoop *el, int fd, void *data, int mask);

static void server_write(aeEventLoop *el, int fd, void *data, int mask) {
    (void)mask;
    struct conn *c = data;
    CHECK(el == c->lp->el && fd == c->fd && self == c->lp);
    while (c->off < c->len) {
        ssize_t n = write(fd, c->buf + c->off, c->len - c->off);
        if (n < 0 && errno == EAGAIN) return;
        CHECK(n > 0);
        c->off += (size_t)n;
        c->echoed += (size_t)n;
    }
    /* Flushed: read again. */
    aeDeleteFileEvent(el, fd, AE_WRITABLE);
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_READABLE, server_read, c), AE_OK);
}

static void server_read(aeEventLoop *el, int fd, void *data, int mask) {
    (void)mask;
    struct conn *c = data;
    CHECK(el == c->lp->el && fd == c->fd && self == c->lp);
    ssize_t n = read(fd, c->buf, sizeof(c->buf));
    if (n < 0 && errno == EAGAIN) return;
    CHECK(n >= 0);
    if (n == 0) {
        CHECK_EQ_INT(c->echoed, c->lp->total);
        close_conn(c);
        c->lp->servers_done++;
        maybe_stop(c->lp);
        return;
    }
    c->len = (size_t)n;
    c->off = 0;
    /* Stop reading until this chunk is back out. */
    aeDeleteFileEvent(el, fd, AE_READABLE);
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE, server_write, c), AE_OK);
}

static void accept_handler(aeEventLoop *el, int fd, void *data, int mask) {
    (void)mask;
    struct loop *lp = data;
    CHECK(el == lp->el && self == lp);
    for (;;) {
        char err[ANET_ERR_LEN], ip[64];
        int port = 0;
        int cfd = anetTcpAccept(err, fd, ip, sizeof(ip), &port);
        if (cfd == ANET_ERR) {
            CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
            return;
        }
        CHECK_EQ_STR(ip, "127.0.0.1");
        CHECK(port > 0);
        CHECK(lp->nservers < CLIENTS);
        CHECK_EQ_INT(anetNonBlock(err, cfd), ANET_OK);
        CHECK_EQ_INT(anetEnableTcpNoDelay(err, cfd), ANET_OK);
        struct conn *c = &lp->servers[lp->nservers++];
        c->lp = lp;
        c->fd = cfd;
        CHECK_EQ_INT(aeCreateFileEvent(el, cfd, AE_READABLE, server_read, c), AE_OK);
    }
}

/* ---- the client side: writes the pattern, checks every byte back ---- */

static void client_write(aeEventLoop *el, int fd, void *data, int mask) {
    (void)mask;
    struct conn *c = data;
    CHECK(el == c->lp->el && fd == c->fd && self == c->lp);
    unsigned char out[CHUNK];
    size_t want = c->lp->total - c->sent;
    if (want > sizeof(out)) want = sizeof(out);
    for (size_t i = 0; i < want; i++) out[i] = pattern(c->lp->index, c->id, c->sent + i);
    ssize_t n = write(fd, out, want);
    if (n < 0 && errno == EAGAIN) return;
    CHECK(n > 0);
    c->sent += (size_t)n;
    if (c->sent == c->lp->total) aeDeleteFileEvent(el, fd, AE_WRITABLE);
}

static void client_read(aeEventLoop *el, int fd, void *data, int mask) {
    (void)mask;
    struct conn *c = data;
    CHECK(el == c->lp->el && fd == c->fd && self == c->lp);
    unsigned char in[CHUNK];
    ssize_t n = read(fd, in, sizeof(in));
    if (n < 0 && errno == EAGAIN) return;
    CHECK(n > 0); /* the server never closes first */
    for (ssize_t i = 0; i < n; i++) {
        if (in[i] != pattern(c->lp->index, c->id, c->received + (size_t)i)) {
            fprintf(stderr, "loop %d client %d: byte %zu is %d\n", c->lp->index, c->id,
                    c->received + (size_t)i, in[i]);
            exit(1);
        }
    }
    c->received += (size_t)n;
    CHECK(c->received <= c->sent);
    if (c->received == c->lp->total) {
        close_conn(c); /* the server sees EOF and closes its side */
        c->lp->clients_done++;
        maybe_stop(c->lp);
    }
}

/* ---- timers ---- */

struct oneshot_tag {
    struct loop *lp;
    int i;
};
static struct oneshot_tag tags[LOOPS][ONESHOTS];

static timer_ret oneshot(aeEventLoop *el, long long id, void *data) {
    (void)id;
    struct oneshot_tag *t = data;
    struct loop *lp = t->lp;
    CHECK(el == lp->el && self == lp);
    lp->oneshot_fired[t->i]++;
    lp->oneshot_late_us[t->i] = mono_us() - lp->oneshot_created_us - lp->oneshot_delay_ms[t->i] * 1000LL;
    maybe_stop(lp);
    return AE_NOMORE;
}

static timer_ret periodic(aeEventLoop *el, long long id, void *data) {
    (void)id;
    struct loop *lp = data;
    CHECK(el == lp->el && self == lp);
    long long now = mono_us();
    if (lp->periodic_fired > 0) {
        long long gap = now - lp->periodic_last_us;
        if (lp->periodic_min_gap_us < 0 || gap < lp->periodic_min_gap_us) lp->periodic_min_gap_us = gap;
    }
    lp->periodic_last_us = now;
    lp->periodic_fired++;
    maybe_stop(lp);
    return lp->periodic_fired < PERIODIC_FIRINGS ? PERIOD_MS : AE_NOMORE;
}

static void finalizer(aeEventLoop *el, void *data) {
    (void)data;
    CHECK(self != NULL && el == self->el);
    self->finalized++;
}

static void before_sleep(aeEventLoop *el) {
    if (self && el == self->el) self->before_sleeps++;
    else if (self) self->foreign_before_sleeps++;
}

/* anet's error paths from every thread at once: each message is built in
 * the caller's buffer (strerror_r, not strerror's shared one). */
static void anet_errors(struct loop *lp) {
    for (int i = 0; i < 20; i++) {
        char err[ANET_ERR_LEN] = "";
        char addr[] = "127.0.0.1";
        CHECK_EQ_INT(anetTcpServer(err, lp->port, addr, 16), ANET_ERR);
        CHECK(strstr(err, "Address already in use") != NULL);
        err[0] = '\0';
        CHECK_EQ_INT(anetEnableTcpNoDelay(err, -1), ANET_ERR);
        CHECK_EQ_STR(err, "setsockopt TCP_NODELAY: Bad file descriptor");
        CHECK_EQ_INT(errno, EBADF);
        lp->anet_errors_checked++;
    }
}

static void *loop_thread(void *arg) {
    struct loop *lp = arg;
    self = lp;
    lp->total = payload_bytes();
    lp->periodic_min_gap_us = -1;
    pthread_barrier_wait(&start_line);

    /* Everything from here on runs on the four threads at once. */
    char err[ANET_ERR_LEN], addr[] = "127.0.0.1", ip[64];
    lp->el = aeCreateEventLoop(256);
    CHECK(lp->el != NULL);
    aeSetBeforeSleepProc(lp->el, before_sleep);
    lp->listener = anetTcpServer(err, 0, addr, 64);
    CHECK(lp->listener > 0);
    CHECK_EQ_INT(anetNonBlock(err, lp->listener), ANET_OK);
    CHECK_EQ_INT(t_sock_name(lp->listener, ip, sizeof(ip), &lp->port), 0);
    CHECK(lp->port > 0);
    CHECK_EQ_INT(aeCreateFileEvent(lp->el, lp->listener, AE_READABLE, accept_handler, lp), AE_OK);
    anet_errors(lp);

    for (int i = 0; i < CLIENTS; i++) {
        struct conn *c = &lp->clients[i];
        c->lp = lp;
        c->id = i;
        c->fd = anetTcpNonBlockConnect(err, addr, lp->port);
        CHECK(c->fd >= 0);
        CHECK_EQ_INT(aeCreateFileEvent(lp->el, c->fd, AE_WRITABLE, client_write, c), AE_OK);
        CHECK_EQ_INT(aeCreateFileEvent(lp->el, c->fd, AE_READABLE, client_read, c), AE_OK);
    }
    lp->oneshot_created_us = mono_us();
    for (int i = 0; i < ONESHOTS; i++) {
        tags[lp->index][i] = (struct oneshot_tag){ lp, i };
        lp->oneshot_delay_ms[i] = (i * 7 + lp->index * 3) % 50;
        CHECK(aeCreateTimeEvent(lp->el, lp->oneshot_delay_ms[i], oneshot, &tags[lp->index][i], finalizer) >= 0);
    }
    CHECK(aeCreateTimeEvent(lp->el, PERIOD_MS, periodic, lp, finalizer) >= 0);

    aeMain(lp->el);

    /* One more timer pass frees the timers that ended (3.2+ free them
     * lazily), so every finalizer has run in every generation. */
    aeProcessEvents(lp->el, AE_TIME_EVENTS | AE_DONT_WAIT);
    aeDeleteFileEvent(lp->el, lp->listener, AE_READABLE);
    close(lp->listener);
    CHECK_EQ_INT(lp->el->maxfd, -1);
    aeDeleteEventLoop(lp->el);
    return NULL;
}

TEST(four_loops_on_four_threads) {
    pthread_t th[LOOPS];
    CHECK(pthread_barrier_init(&start_line, NULL, LOOPS) == 0);
    for (int i = 0; i < LOOPS; i++) {
        loops[i].index = i;
        CHECK(pthread_create(&th[i], NULL, loop_thread, &loops[i]) == 0);
    }
    for (int i = 0; i < LOOPS; i++) CHECK(pthread_join(th[i], NULL) == 0);
    pthread_barrier_destroy(&start_line);

    for (int l = 0; l < LOOPS; l++) {
        struct loop *lp = &loops[l];
        CHECK_EQ_INT(lp->anet_errors_checked, 20);
        CHECK_EQ_INT(lp->nservers, CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            CHECK_EQ_INT(lp->clients[i].sent, lp->total);
            CHECK_EQ_INT(lp->clients[i].received, lp->total);
            CHECK_EQ_INT(lp->servers[i].echoed, lp->total);
            CHECK(lp->clients[i].closed && lp->servers[i].closed);
        }
        for (int i = 0; i < ONESHOTS; i++) {
            CHECK_EQ_INT(lp->oneshot_fired[i], 1);
            CHECK(lp->oneshot_late_us[i] >= 0); /* never early */
        }
        CHECK_EQ_INT(lp->periodic_fired, PERIODIC_FIRINGS);
        CHECK(lp->periodic_min_gap_us >= PERIOD_MS * 1000 - 1000);
        CHECK_EQ_INT(lp->finalized, ONESHOTS + 1);
        CHECK(lp->before_sleeps > 0);
        CHECK_EQ_INT(lp->foreign_before_sleeps, 0);
    }
    return 0;
}

/* ---- accept under descriptor exhaustion from two threads ---- */

enum { PENDING = 8, ACCEPT_CAP = 100000 };

struct acceptor {
    int listener;
    int calls, accepted, emfile;
    char last_err[ANET_ERR_LEN];
};

static int readable_now(int fd) {
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* A Redis-style accept handler run by a level-triggered loop: accepts
 * until an error; after EMFILE the loop would call it again while the
 * listener is still readable. An accepted connection is refused at once
 * (closed), as Redis does past maxclients. */
static void *accept_thread(void *arg) {
    struct acceptor *a = arg;
    pthread_barrier_wait(&start_line);
    while (a->calls < ACCEPT_CAP) {
        char err[ANET_ERR_LEN] = "";
        a->calls++;
        int fd = anetTcpAccept(err, a->listener, NULL, 0, NULL);
        if (fd >= 0) {
            a->accepted++;
            close(fd);
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        CHECK_EQ_INT(errno, EMFILE);
        CHECK_EQ_STR(err, "accept: Too many open files");
        strcpy(a->last_err, err);
        a->emfile++;
        if (!readable_now(a->listener)) break;
    }
    return NULL;
}

/* Two threads accept on two listeners while the process has no descriptor
 * left; the library's one spare descriptor is shared (a mutex around its
 * exchange). However the two interleave, every pending connection ends
 * closed (shed, or accepted and closed), neither thread spins without
 * bound, and afterwards the spare is held again: the process is exactly as
 * exhausted as before, so the next burst is shed too. */
TEST(accept_out_of_fds_from_two_threads) {
    if (getenv("AENET_UNDER_VALGRIND")) SKIP("valgrind keeps fds of its own above the soft limit");
    char err[ANET_ERR_LEN], addr[] = "127.0.0.1", ip[64];
    struct acceptor acc[2];
    int clients[2][PENDING];
    memset(acc, 0, sizeof(acc));
    for (int l = 0; l < 2; l++) {
        int port = 0;
        acc[l].listener = anetTcpServer(err, 0, addr, 64);
        CHECK(acc[l].listener > 0);
        CHECK_EQ_INT(anetNonBlock(err, acc[l].listener), ANET_OK);
        CHECK_EQ_INT(t_sock_name(acc[l].listener, ip, sizeof(ip), &port), 0);
        for (int i = 0; i < PENDING; i++) {
            clients[l][i] = t_tcp_connect(err, "127.0.0.1", port);
            CHECK(clients[l][i] >= 0);
        }
    }
    for (int round = 0; round < 2; round++) {
        fd_limit_exhaust();
        pthread_t th[2];
        CHECK(pthread_barrier_init(&start_line, NULL, 2) == 0);
        for (int l = 0; l < 2; l++) CHECK(pthread_create(&th[l], NULL, accept_thread, &acc[l]) == 0);
        for (int l = 0; l < 2; l++) CHECK(pthread_join(th[l], NULL) == 0);
        pthread_barrier_destroy(&start_line);

        int emfile = 0;
        for (int l = 0; l < 2; l++) {
            CHECK(acc[l].calls < ACCEPT_CAP);
            CHECK(!readable_now(acc[l].listener));
            emfile += acc[l].emfile;
        }
        CHECK(emfile >= 1);
        /* The spare is back in its slot: nothing is free. */
        CHECK(dup(0) == -1 && errno == EMFILE);
        fd_limit_restore();

        /* Every client sees its connection closed. */
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < PENDING; i++) {
                struct pollfd p = { clients[l][i], POLLIN, 0 };
                CHECK_EQ_INT(poll(&p, 1, 5000), 1);
                char c;
                ssize_t n = read(clients[l][i], &c, 1);
                CHECK(n == 0 || (n < 0 && errno == ECONNRESET));
                close(clients[l][i]);
            }
        }
        if (round == 1) break;
        /* The next burst, on the same listeners. */
        for (int l = 0; l < 2; l++) {
            int port = 0;
            CHECK_EQ_INT(t_sock_name(acc[l].listener, ip, sizeof(ip), &port), 0);
            for (int i = 0; i < PENDING; i++) {
                clients[l][i] = t_tcp_connect(err, "127.0.0.1", port);
                CHECK(clients[l][i] >= 0);
            }
            acc[l].calls = acc[l].accepted = acc[l].emfile = 0;
        }
    }
    return 0;
}

const struct test_entry thread_tests[] = {
    TEST_ENTRY(four_loops_on_four_threads),
    TEST_ENTRY(accept_out_of_fds_from_two_threads),
    TEST_END,
};
