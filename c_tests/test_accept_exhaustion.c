/* Running out of descriptors on a client listener, as a Redis-family server
 * meets it: the accept handler calls anetTcpAccept (or anetUnixAccept) in a
 * loop the way Redis's acceptTcpHandler does, and returns on the first
 * error. The library sheds what is pending with its spare descriptor, so the
 * level-triggered listener stops being readable and the loop does not spin,
 * while established clients keep being served. */
#include "runner.h"
#include "gen.h"
#include "anet_compat.h"
#include "test_helpers.h"
#include "ae.h"
#include "anet.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static aeEventLoop *el;
static int handler_calls, accept_errors, accepted, last_errno;
static char last_err[ANET_ERR_LEN];
static int use_unix;

static timer_ret tick(aeEventLoop *l, long long id, void *d) { (void)l; (void)id; (void)d; return 10; }

/* Answers "PING\n" with "PONG\n", closes on EOF. */
static void client_read(aeEventLoop *l, int fd, void *data, int mask) {
    (void)data; (void)mask;
    char buf[64];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
        aeDeleteFileEvent(l, fd, AE_READABLE);
        close(fd);
        return;
    }
    CHECK(write(fd, "PONG\n", 5) == 5);
}

/* Redis's acceptTcpHandler / acceptUnixHandler, reduced. */
static void accept_handler(aeEventLoop *l, int fd, void *data, int mask) {
    (void)data; (void)mask;
    handler_calls++;
    int max = 1000;
    while (max--) {
        char ip[64];
        int port;
        int cfd = use_unix ? anetUnixAccept(last_err, fd) : anetTcpAccept(last_err, fd, ip, sizeof(ip), &port);
        if (cfd == ANET_ERR) {
            if (errno != EWOULDBLOCK) {
                accept_errors++;
                last_errno = errno;
            }
            return;
        }
        accepted++;
        char err[ANET_ERR_LEN];
        CHECK(anetNonBlock(err, cfd) == ANET_OK);
        CHECK(aeCreateFileEvent(l, cfd, AE_READABLE, client_read, NULL) == AE_OK);
    }
}

#define RUN_UNTIL(cond) do { while (!(cond)) aeProcessEvents(el, AE_ALL_EVENTS); } while (0)

static char unix_path[108];

static void remove_unix_path(void) { if (unix_path[0]) unlink(unix_path); }

static int listen_client_port(int *port) {
    char err[ANET_ERR_LEN];
    int fd;
    if (use_unix) {
        snprintf(unix_path, sizeof(unix_path), "/tmp/aenet-exhaust-%d.sock", (int)getpid());
        unlink(unix_path);
        atexit(remove_unix_path);
        fd = t_unix_server(err, unix_path, 0700, 511);
    } else {
        fd = anetTcpServer(err, 0, "127.0.0.1", 511);
    }
    CHECK(fd > 0);
    CHECK(anetNonBlock(err, fd) == ANET_OK);
    if (!use_unix) {
        char ip[64];
        CHECK(t_sock_name(fd, ip, sizeof(ip), port) == 0);
    }
    CHECK(aeCreateFileEvent(el, fd, AE_READABLE, accept_handler, NULL) == AE_OK);
    return fd;
}

static int connect_client(int port) {
    char err[ANET_ERR_LEN];
    int fd = use_unix ? t_unix_connect(err, unix_path) : t_tcp_connect(err, "127.0.0.1", port);
    CHECK(fd >= 0);
    return fd;
}

/* PING through the loop: the server must answer while exhausted. */
static void ping(int c) {
    CHECK(write(c, "PING\n", 5) == 5);
    char buf[8];
    struct pollfd p = { c, POLLIN, 0 };
    while (poll(&p, 1, 0) == 0) aeProcessEvents(el, AE_ALL_EVENTS);
    CHECK(read(c, buf, sizeof(buf)) == 5);
    CHECK(memcmp(buf, "PONG\n", 5) == 0);
}

static int exhausted_listener_does_not_spin(void) {
    if (getenv("AENET_UNDER_VALGRIND")) SKIP("valgrind keeps fds of its own above the soft limit");
    el = aeCreateEventLoop(1024);
    CHECK(el != NULL);
    aeCreateTimeEvent(el, 10, tick, NULL, NULL);
    int port = 0;
    listen_client_port(&port);
    int existing = connect_client(port);
    RUN_UNTIL(accepted == 1);
    ping(existing);

    enum { N = 50 };
    int ready[2];
    CHECK(pipe(ready) == 0);
    fd_limit_exhaust();
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        /* The child has its own limit: give it room for N sockets. */
        fd_limit_restore();
        int fds[N];
        for (int i = 0; i < N; i++) fds[i] = connect_client(port);
        (void)fds;
        CHECK(write(ready[1], "r", 1) == 1);
        pause();
        _exit(0);
    }
    char r;
    CHECK(read(ready[0], &r, 1) == 1);
    long long t0 = mono_ms();
    int iterations = 0;
    while (mono_ms() - t0 < 300) {
        aeProcessEvents(el, AE_ALL_EVENTS);
        iterations++;
        if (iterations % 10 == 0) ping(existing);
    }
    /* The reference spins here: every iteration finds the listener readable
     * and the handler failing (thousands of calls in 300 ms). */
    CHECK(accept_errors >= 1);
    CHECK(handler_calls <= N + 5);
    CHECK(iterations < 200);
    CHECK_EQ_INT(last_errno, EMFILE);
    CHECK_EQ_STR(last_err, "accept: Too many open files");
    CHECK_EQ_INT(accepted, 1);
    ping(existing);

    /* With descriptors back, new clients are accepted and served again. */
    fd_limit_restore();
    int fresh = connect_client(port);
    RUN_UNTIL(accepted == 2);
    ping(fresh);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}

TEST(tcp_accept_out_of_fds_sheds_instead_of_spinning) {
    use_unix = 0;
    return exhausted_listener_does_not_spin();
}

TEST(unix_accept_out_of_fds_sheds_instead_of_spinning) {
    use_unix = 1;
    return exhausted_listener_does_not_spin();
}

/* A blocking listener (no O_NONBLOCK) with nothing pending: the shed path
 * must not block in accept. */
TEST(blocking_listener_out_of_fds_does_not_block) {
    if (getenv("AENET_UNDER_VALGRIND")) SKIP("valgrind keeps fds of its own above the soft limit");
    char err[ANET_ERR_LEN];
    int l = anetTcpServer(err, 0, "127.0.0.1", 16);
    CHECK(l > 0);
    fd_limit_exhaust();
    long long t0 = mono_ms();
    alarm(5);
    CHECK_EQ_INT(anetTcpAccept(err, l, NULL, 0, NULL), ANET_ERR);
    CHECK_EQ_INT(errno, EMFILE);
    CHECK_EQ_STR(err, "accept: Too many open files");
    CHECK(mono_ms() - t0 < 1000);
    fd_limit_restore();
    return 0;
}

const struct test_entry accept_exhaustion_tests[] = {
    TEST_ENTRY(tcp_accept_out_of_fds_sheds_instead_of_spinning),
    TEST_ENTRY(unix_accept_out_of_fds_sheds_instead_of_spinning),
    TEST_ENTRY(blocking_listener_out_of_fds_does_not_block),
    TEST_END,
};
