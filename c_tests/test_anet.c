/* anet: the socket helpers against real loopback TCP (IPv4, IPv6) and
 * unix-domain sockets. Every expected message is the reference's exact
 * text (glibc strerror/gai_strerror wording). Failures that no real socket
 * can produce on demand (SO_REUSEADDR, IPV6_V6ONLY, TCP_KEEPINTVL,
 * TCP_KEEPCNT, F_SETFL, listen) are injected by the interposers below,
 * which pass every other call straight to the kernel. */
#include "runner.h"
#include "gen.h"
#include "anet_compat.h"
#include "anet.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Fault injection. Each test runs in its own process, so a setting never
 * outlives the test that made it. */

static int inj_sso_level = -1, inj_sso_name = -1, inj_sso_errno;
static int inj_fcntl_cmd = -1, inj_fcntl_errno;
static int inj_listen_errno;

static void inject_setsockopt(int level, int name, int e) {
    inj_sso_level = level; inj_sso_name = name; inj_sso_errno = e;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    if (level == inj_sso_level && name == inj_sso_name) {
        errno = inj_sso_errno;
        return -1;
    }
    return (int)syscall(SYS_setsockopt, fd, level, name, val, len);
}

int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long); /* every fcntl anet makes takes an int or nothing */
    va_end(ap);
    if (cmd == inj_fcntl_cmd) {
        errno = inj_fcntl_errno;
        return -1;
    }
    return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

int listen(int fd, int backlog) {
    if (inj_listen_errno) {
        errno = inj_listen_errno;
        return -1;
    }
    return (int)syscall(SYS_listen, fd, backlog);
}

/* ------------------------------------------------------------------ */
/* Helpers */

/* Open descriptors of this process. The library holds one spare descriptor
 * (for shedding connections when accept runs out of them) from the first
 * listener on; it is taken here first, so counts before and after a call
 * show only what the call leaked. */
static int count_fds(void) {
    static int spare_taken;
    if (!spare_taken) {
        int l = anetTcpServer(NULL, 0, "127.0.0.1", 1);
        CHECK(l >= 0);
        close(l);
        spare_taken = 1;
    }
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1; /* the directory's own fd */
}

static int getopt_int(int fd, int level, int name) {
    int v = -12345;
    socklen_t len = sizeof(v);
    CHECK(getsockopt(fd, level, name, &v, &len) == 0);
    return v;
}

static int is_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl != -1);
    return (fl & O_NONBLOCK) != 0;
}

/* The message "<prefix>: strerror(e)<suffix>", as the reference prints it. */
static const char *msg(const char *prefix, int e, const char *suffix) {
    static char buf[ANET_ERR_LEN];
    snprintf(buf, sizeof(buf), "%s: %s%s", prefix, strerror(e), suffix);
    return buf;
}

/* A fresh err buffer full of a marker, to see what a call writes. */
#if GEN_BIND_ERRNO_TEXT
static const char *msg_errno(const char *fmt, int e) {
    static char buf[ANET_ERR_LEN];
    snprintf(buf, sizeof(buf), fmt, e);
    return buf;
}
#endif

static void err_reset(char *err) {
    memset(err, 'X', ANET_ERR_LEN);
    err[ANET_ERR_LEN - 1] = '\0';
}

static int local_port(int fd) {
    char ip[64];
    int port = -1;
    CHECK_EQ_INT(t_sock_name(fd, ip, sizeof(ip), &port), 0);
    return port;
}

/* A v4 listener on 127.0.0.1 with a kernel-chosen port. */
static int listen_v4(int *port) {
    char err[ANET_ERR_LEN] = "";
    int s = anetTcpServer(err, 0, "127.0.0.1", 16);
    if (s == ANET_ERR) fprintf(stderr, "anetTcpServer: %s\n", err);
    CHECK(s >= 0);
    *port = local_port(s);
    CHECK(*port > 0);
    return s;
}

/* A loopback port with nobody listening (bound once, then closed). */
static int closed_port(void) {
    int port;
    int s = listen_v4(&port);
    close(s);
    return port;
}

static int have_ipv6_loopback(void) {
    int s = socket(AF_INET6, SOCK_STREAM, 0);
    if (s == -1) return 0;
    struct sockaddr_in6 sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    int ok = bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(s);
    return ok;
}

/* Waits for a non-blocking connect to finish; returns its SO_ERROR. */
static int finish_connect(int fd) {
    struct pollfd p = { fd, POLLOUT, 0 };
    int rc;
    do rc = poll(&p, 1, 10000); while (rc == -1 && errno == EINTR);
    CHECK_EQ_INT(rc, 1);
    return getopt_int(fd, SOL_SOCKET, SO_ERROR);
}

static char tmpdir[64];

static char *tmp_path(const char *name) {
    static char path[256];
    if (!tmpdir[0]) {
        strcpy(tmpdir, "/tmp/anet-test-XXXXXX");
        CHECK(mkdtemp(tmpdir) != NULL);
    }
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* Removes the private temp dir and what the test left in it. */
static void remove_tmpdir(void) {
    if (!tmpdir[0]) return;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    tmpdir[0] = '\0';
}

static struct rlimit saved_nofile;

/* Leak checkers open files at exit: give the fds back first. */
static void restore_fds(void) {
    setrlimit(RLIMIT_NOFILE, &saved_nofile);
}

/* Makes the next fd allocation fail with EMFILE. */
static void exhaust_fds(void) {
    int fd = dup(0);
    CHECK(fd >= 0);
    close(fd);
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    saved_nofile = rl;
    atexit(restore_fds);
    rl.rlim_cur = (rlim_t)fd;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
}

/* ------------------------------------------------------------------ */
/* Blocking mode */

TEST(anet_nonblock_block) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0);
    CHECK(!is_nonblock(s));
    CHECK_EQ_INT(anetNonBlock(err, s), ANET_OK);
    CHECK(is_nonblock(s));
    CHECK_EQ_INT(anetNonBlock(err, s), ANET_OK); /* idempotent */
    CHECK(is_nonblock(s));
    CHECK_EQ_INT(anetBlock(err, s), ANET_OK);
    CHECK(!is_nonblock(s));
    CHECK_EQ_INT(anetSetBlock(err, s, 7), ANET_OK);
    CHECK(is_nonblock(s));
    CHECK_EQ_INT(anetSetBlock(NULL, s, 0), ANET_OK);
    CHECK(!is_nonblock(s));
    close(s);
    return 0;
}

TEST(anet_nonblock_errors) {
    char err[ANET_ERR_LEN];
    err_reset(err);
    errno = 0;
    CHECK_EQ_INT(anetNonBlock(err, 987), ANET_ERR);
    CHECK_EQ_INT(errno, EBADF);
    CHECK_EQ_STR(err, "fcntl(F_GETFL): Bad file descriptor");
    CHECK_EQ_INT(err[strlen(err) + 1], 'X'); /* nothing written past the NUL */
    CHECK_EQ_INT(anetBlock(NULL, -1), ANET_ERR);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    inj_fcntl_cmd = F_SETFL; inj_fcntl_errno = EINVAL;
    CHECK_EQ_INT(anetNonBlock(err, s), ANET_ERR);
    CHECK_EQ_STR(err, "fcntl(F_SETFL,O_NONBLOCK): Invalid argument");
    CHECK_EQ_INT(errno, EINVAL);
    err_reset(err);
#if GEN_ANET_62
    /* 6.2+: already blocking, so no F_SETFL at all; clearing a set flag
     * fails the same way. */
    CHECK_EQ_INT(anetBlock(err, s), ANET_OK);
    CHECK_EQ_INT(err[0], 'X'); /* no message */
    inj_fcntl_cmd = -1;
    CHECK(fcntl(s, F_SETFL, O_NONBLOCK) == 0);
    inj_fcntl_cmd = F_SETFL; inj_fcntl_errno = EINVAL;
    CHECK_EQ_INT(anetNonBlock(err, s), ANET_OK);
#endif
    CHECK_EQ_INT(anetBlock(err, s), ANET_ERR); /* same text when clearing */
    CHECK_EQ_STR(err, "fcntl(F_SETFL,O_NONBLOCK): Invalid argument");
#if GEN_ANET_62
    CHECK_EQ_INT(anetSetBlock(NULL, s, 0), ANET_ERR);
#else
    CHECK_EQ_INT(anetSetBlock(NULL, s, 1), ANET_ERR);
#endif
    close(s);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Socket options */

TEST(anet_tcp_nodelay) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ_INT(anetEnableTcpNoDelay(err, s), ANET_OK);
    CHECK(getopt_int(s, IPPROTO_TCP, TCP_NODELAY) != 0);
    CHECK_EQ_INT(anetDisableTcpNoDelay(err, s), ANET_OK);
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_NODELAY), 0);
    close(s);

    int p[2];
    CHECK(pipe(p) == 0);
    err_reset(err);
    CHECK_EQ_INT(anetEnableTcpNoDelay(err, p[0]), ANET_ERR);
    CHECK_EQ_INT(errno, ENOTSOCK);
    CHECK_EQ_STR(err, "setsockopt TCP_NODELAY: Socket operation on non-socket");
    CHECK_EQ_INT(anetDisableTcpNoDelay(NULL, p[0]), ANET_ERR);
    return 0;
}

TEST(anet_keepalive_values) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ_INT(anetKeepAlive(err, s, 300), ANET_OK);
    CHECK(getopt_int(s, SOL_SOCKET, SO_KEEPALIVE) != 0);
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 300);
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_KEEPINTVL), 100);
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_KEEPCNT), 3);
    CHECK_EQ_INT(anetKeepAlive(err, s, 2), ANET_OK);
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 2);
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_KEEPINTVL), 1);
    close(s);

#if GEN_ANET_LEGACY
    s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ_INT(anetTcpKeepAlive(err, s), ANET_OK);
    CHECK(getopt_int(s, SOL_SOCKET, SO_KEEPALIVE) != 0);
    close(s);
#endif
    return 0;
}

TEST(anet_keepalive_errors) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    err_reset(err);
    CHECK_EQ_INT(anetKeepAlive(err, s, 0), ANET_ERR);
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_EQ_STR(err, "setsockopt TCP_KEEPIDLE: Invalid argument\n");
    /* a partial failure leaves SO_KEEPALIVE on */
    CHECK(getopt_int(s, SOL_SOCKET, SO_KEEPALIVE) != 0);
    CHECK_EQ_INT(anetKeepAlive(NULL, s, 100000), ANET_ERR);

    inject_setsockopt(IPPROTO_TCP, TCP_KEEPINTVL, EINVAL);
    CHECK_EQ_INT(anetKeepAlive(err, s, 60), ANET_ERR);
    CHECK_EQ_STR(err, "setsockopt TCP_KEEPINTVL: Invalid argument\n");
    CHECK_EQ_INT(getopt_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 60);
    inject_setsockopt(IPPROTO_TCP, TCP_KEEPCNT, ENOPROTOOPT);
    CHECK_EQ_INT(anetKeepAlive(err, s, 60), ANET_ERR);
    CHECK_EQ_STR(err, msg("setsockopt TCP_KEEPCNT", ENOPROTOOPT, "\n"));
    CHECK_EQ_INT(errno, ENOPROTOOPT);
    close(s);

    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ_INT(anetKeepAlive(err, p[0], 300), ANET_ERR);
    CHECK_EQ_STR(err, "setsockopt SO_KEEPALIVE: Socket operation on non-socket");
#if GEN_ANET_LEGACY
    err_reset(err);
    CHECK_EQ_INT(anetTcpKeepAlive(err, p[0]), ANET_ERR);
    CHECK_EQ_STR(err, "setsockopt SO_KEEPALIVE: Socket operation on non-socket");
    CHECK_EQ_INT(anetTcpKeepAlive(NULL, p[0]), ANET_ERR);
#endif
    return 0;
}

#if GEN_ANET_LEGACY
TEST(anet_send_buffer) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int before = getopt_int(s, SOL_SOCKET, SO_SNDBUF);
    int want = before == 2 * 65536 ? 32768 : 65536;
    CHECK_EQ_INT(anetSetSendBuffer(err, s, want), ANET_OK);
    int after = getopt_int(s, SOL_SOCKET, SO_SNDBUF);
    CHECK(after != before);
    CHECK(after == want || after == 2 * want); /* Linux doubles it */
    close(s);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ_INT(anetSetSendBuffer(err, p[1], 4096), ANET_ERR);
    CHECK_EQ_STR(err, "setsockopt SO_SNDBUF: Socket operation on non-socket");
    CHECK_EQ_INT(anetSetSendBuffer(NULL, p[1], 4096), ANET_ERR);
    return 0;
}
#endif

TEST(anet_send_timeout) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv;
    socklen_t len = sizeof(tv);
    CHECK_EQ_INT(anetSendTimeout(err, s, 1500), ANET_OK);
    CHECK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0);
    CHECK_EQ_INT(tv.tv_sec, 1);
    CHECK_EQ_INT(tv.tv_usec, 500000);
    CHECK_EQ_INT(anetSendTimeout(err, s, 0), ANET_OK);
    CHECK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0);
    CHECK_EQ_INT(tv.tv_sec, 0);
    CHECK_EQ_INT(tv.tv_usec, 0);
    err_reset(err);
    CHECK_EQ_INT(anetSendTimeout(err, s, -1), ANET_ERR);
    CHECK_EQ_INT(errno, EDOM);
    CHECK_EQ_STR(err, "setsockopt SO_SNDTIMEO: Numerical argument out of domain");
    CHECK_EQ_INT(anetSendTimeout(NULL, -1, 10), ANET_ERR);
    CHECK_EQ_INT(errno, EBADF);
    close(s);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Resolution */

#if GEN_ANET_LEGACY
TEST(anet_resolve) {
    char err[ANET_ERR_LEN], ip[64];
    CHECK_EQ_INT(anetResolve(err, "127.1", ip, sizeof(ip)), ANET_OK);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(anetResolveIP(err, "::ffff:1.2.3.4", ip, sizeof(ip)), ANET_OK);
    CHECK_EQ_STR(ip, "::ffff:1.2.3.4");
    CHECK_EQ_INT(anetResolveIP(err, "0:0:0:0:0:0:0:1", ip, sizeof(ip)), ANET_OK);
    CHECK_EQ_STR(ip, "::1");
    CHECK_EQ_INT(anetResolve(err, "localhost", ip, sizeof(ip)), ANET_OK);
    CHECK(strcmp(ip, "127.0.0.1") == 0 || strcmp(ip, "::1") == 0);
    CHECK_EQ_INT(anetGenericResolve(err, "10.1.2.3", ip, sizeof(ip), ANET_IP_ONLY), ANET_OK);
    CHECK_EQ_STR(ip, "10.1.2.3");

    strcpy(err, "stale");
    CHECK_EQ_INT(anetResolveIP(err, "127.0.0.1", ip, sizeof(ip)), ANET_OK);
    CHECK_EQ_STR(err, "stale"); /* success leaves err alone */

    CHECK_EQ_INT(anetResolveIP(err, "localhost", ip, sizeof(ip)), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    err_reset(err);
    CHECK_EQ_INT(anetGenericResolve(err, "localhost", ip, sizeof(ip), ANET_IP_ONLY), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    CHECK_EQ_INT(anetResolve(err, "::1%zz", ip, sizeof(ip)), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    CHECK_EQ_INT(anetResolveIP(NULL, "localhost", ip, sizeof(ip)), ANET_ERR);
    return 0;
}
#endif

#if GEN_ANET_LEGACY
TEST(anet_resolve_short_buffer) {
    char err[ANET_ERR_LEN], ip[8];
    memset(ip, 'Z', sizeof(ip));
    /* Deliberate difference: cut and terminated instead of untouched. */
    CHECK_EQ_INT(anetResolveIP(err, "127.0.0.1", ip, 4), ANET_OK);
    CHECK_EQ_STR(ip, "127");
    CHECK_EQ_INT(ip[4], 'Z');
    CHECK_EQ_INT(anetResolveIP(err, "127.0.0.1", ip, 1), ANET_OK);
    CHECK_EQ_STR(ip, "");
    CHECK_EQ_INT(anetResolveIP(err, "127.0.0.1", NULL, 0), ANET_OK);
    return 0;
}

/* ------------------------------------------------------------------ */
/* TCP clients */
#endif

#if GEN_ANET_LEGACY
TEST(anet_tcp_connect_v4) {
    char err[ANET_ERR_LEN], ip[64];
    int port, cport = -1;
    int l = listen_v4(&port);
    CHECK(!is_nonblock(l)); /* servers are blocking */
    CHECK(getopt_int(l, SOL_SOCKET, SO_REUSEADDR) != 0);
    int c = anetTcpConnect(err, "127.0.0.1", port);
    CHECK(c >= 0);
    CHECK(!is_nonblock(c));
    CHECK(getopt_int(c, SOL_SOCKET, SO_REUSEADDR) != 0); /* even on clients */
    int a = anetTcpAccept(err, l, ip, sizeof(ip), &cport);
    CHECK(a >= 0);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(cport, local_port(c));
    CHECK(!is_nonblock(a));
    CHECK_EQ_INT(fcntl(a, F_GETFD) & FD_CLOEXEC, 0);
    CHECK_EQ_INT(anetWrite(c, "ping", 4), 4);
    char buf[4];
    CHECK_EQ_INT(anetRead(a, buf, 4), 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    close(a); close(c); close(l);
    return 0;
}
#endif

#if GEN_ANET_LEGACY
TEST(anet_tcp_connect_refused) {
    char err[ANET_ERR_LEN];
    int port = closed_port();
    int before = count_fds();
    err_reset(err);
    errno = 0;
    CHECK_EQ_INT(anetTcpConnect(err, "127.0.0.1", port), ANET_ERR);
    CHECK_EQ_INT(errno, ECONNREFUSED);
    CHECK_EQ_STR(err, "creating socket: Connection refused");
    CHECK_EQ_INT(anetTcpConnect(NULL, "127.0.0.1", port), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);
    return 0;
}
#endif

#if GEN_ANET_LEGACY
TEST(anet_tcp_connect_gai_and_port_errors) {
    char err[ANET_ERR_LEN];
    int before = count_fds();
    CHECK_EQ_INT(anetTcpConnect(err, "::1%zz", 80), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    CHECK_EQ_INT(anetTcpNonBlockConnect(err, "::1%zz", 80), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    /* Deliberate difference: no wrap-around to port % 65536. */
    err_reset(err);
    CHECK_EQ_INT(anetTcpConnect(err, "127.0.0.1", 65536), ANET_ERR);
    CHECK_EQ_STR(err, "invalid port 65536");
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_EQ_INT(anetTcpNonBlockConnect(err, "127.0.0.1", -1), ANET_ERR);
    CHECK_EQ_STR(err, "invalid port -1");
    CHECK_EQ_INT(anetTcpNonBlockBindConnect(err, "127.0.0.1", 123456, "127.0.0.1"), ANET_ERR);
    CHECK_EQ_STR(err, "invalid port 123456");
    CHECK_EQ_INT(anetTcpNonBlockBestEffortBindConnect(NULL, "127.0.0.1", 70000, "127.0.0.1"), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);
    return 0;
}
#endif

TEST(anet_tcp_nonblock_connect) {
    char err[ANET_ERR_LEN];
    int port;
    int l = listen_v4(&port);
    int c = anetTcpNonBlockConnect(err, "127.0.0.1", port);
    CHECK(c >= 0);
    CHECK(is_nonblock(c));
    CHECK_EQ_INT(finish_connect(c), 0);
    int a = anetTcpAccept(err, l, NULL, 0, NULL);
    CHECK(a >= 0);
    close(a); close(c); close(l);

    /* A closed port still gives an fd; the refusal shows up later. */
    port = closed_port();
    c = anetTcpNonBlockConnect(err, "127.0.0.1", port);
    if (c == ANET_ERR) {
        CHECK_EQ_STR(err, "creating socket: Connection refused");
    } else {
        CHECK_EQ_INT(finish_connect(c), ECONNREFUSED);
        close(c);
    }
    return 0;
}

#if GEN_ANET_LEGACY
TEST(anet_tcp_bind_connect) {
    char err[ANET_ERR_LEN], ip[64];
    int port, p2;
    int l = listen_v4(&port);
    int c = anetTcpNonBlockBindConnect(err, "127.0.0.1", port, "127.0.0.2");
    CHECK(c >= 0);
    CHECK(is_nonblock(c));
    CHECK_EQ_INT(anetSockName(c, ip, sizeof(ip), &p2), 0);
    CHECK_EQ_STR(ip, "127.0.0.2");
    CHECK_EQ_INT(finish_connect(c), 0);
    int a = anetTcpAccept(err, l, ip, sizeof(ip), &p2);
    CHECK(a >= 0);
    CHECK_EQ_STR(ip, "127.0.0.2");
    close(a); close(c);

    int before = count_fds();
    err_reset(err);
    CHECK_EQ_INT(anetTcpNonBlockBindConnect(err, "127.0.0.1", port, "1.2.3.4"), ANET_ERR);
    CHECK_EQ_INT(errno, EADDRNOTAVAIL);
    CHECK_EQ_STR(err, "bind: Cannot assign requested address");
    /* no family matching between source and destination */
    CHECK_EQ_INT(anetTcpNonBlockBindConnect(err, "127.0.0.1", port, "::1"), ANET_ERR);
    CHECK_EQ_STR(err, msg("bind", errno, ""));
    CHECK(errno == EAFNOSUPPORT || errno == EINVAL);
    CHECK_EQ_INT(anetTcpNonBlockBindConnect(err, "127.0.0.1", port, "::1%zz"), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    CHECK_EQ_INT(anetTcpNonBlockBindConnect(NULL, "127.0.0.1", port, "1.2.3.4"), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);
    close(l);
    return 0;
}
#endif

TEST(anet_tcp_best_effort_bind_connect) {
    char err[ANET_ERR_LEN], ip[64];
    int port, p2;
    int l = listen_v4(&port);
    int before = count_fds();
    err_reset(err);
    int c = anetTcpNonBlockBestEffortBindConnect(err, "127.0.0.1", port, "1.2.3.4");
    CHECK(c >= 0);
    /* the first attempt's message stays although the retry worked */
    CHECK_EQ_STR(err, "bind: Cannot assign requested address");
    CHECK_EQ_INT(count_fds(), before + 1);
    CHECK_EQ_INT(finish_connect(c), 0);
    CHECK_EQ_INT(t_sock_name(c, ip, sizeof(ip), &p2), 0);
    CHECK_EQ_STR(ip, "127.0.0.1");
    close(c);

    strcpy(err, "stale");
    c = anetTcpNonBlockBestEffortBindConnect(err, "127.0.0.1", port, "127.0.0.3");
    CHECK(c >= 0);
    CHECK_EQ_STR(err, "stale");
    CHECK_EQ_INT(t_sock_name(c, ip, sizeof(ip), &p2), 0);
    CHECK_EQ_STR(ip, "127.0.0.3");
    close(c);
    c = anetTcpNonBlockBestEffortBindConnect(NULL, "127.0.0.1", port, NULL);
    CHECK(c >= 0);
    close(c);

    /* both attempts fail: the second message wins */
    int dead = closed_port();
    before = count_fds();
    c = anetTcpNonBlockBestEffortBindConnect(err, "::1%zz", dead, "1.2.3.4");
    CHECK_EQ_INT(c, ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    CHECK_EQ_INT(count_fds(), before);
    close(l);
    return 0;
}

#if GEN_ANET_LEGACY
TEST(anet_tcp_connect_setup_errors) {
    char err[ANET_ERR_LEN];
    int port;
    int l = listen_v4(&port); /* kept open: connects would succeed */
    int before = count_fds();
    inject_setsockopt(SOL_SOCKET, SO_REUSEADDR, ENOBUFS);
    CHECK_EQ_INT(anetTcpConnect(err, "127.0.0.1", port), ANET_ERR);
    CHECK_EQ_STR(err, msg("setsockopt SO_REUSEADDR", ENOBUFS, ""));
    CHECK_EQ_INT(errno, ENOBUFS);
    CHECK_EQ_INT(count_fds(), before);
    inject_setsockopt(-1, -1, 0);
    inj_fcntl_cmd = F_SETFL; inj_fcntl_errno = EINVAL;
    CHECK_EQ_INT(anetTcpNonBlockConnect(err, "127.0.0.1", port), ANET_ERR);
    CHECK_EQ_STR(err, "fcntl(F_SETFL,O_NONBLOCK): Invalid argument");
    CHECK_EQ_INT(count_fds(), before);
    inj_fcntl_cmd = -1;

    /* socket() failing for every candidate */
    exhaust_fds();
    CHECK_EQ_INT(anetTcpConnect(err, "127.0.0.1", port), ANET_ERR);
    CHECK_EQ_STR(err, "creating socket: Too many open files");
    CHECK_EQ_INT(errno, EMFILE);
    close(l);
    return 0;
}
#endif

TEST(anet_tcp_v6) {
    char err[ANET_ERR_LEN], ip[64], buf[80];
    if (!have_ipv6_loopback()) SKIP("::1 is not available");
    int l = anetTcp6Server(err, 0, "::1", 16);
    CHECK(l >= 0);
    CHECK(getopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY) != 0);
    CHECK(getopt_int(l, SOL_SOCKET, SO_REUSEADDR) != 0);
    int port = -1;
    CHECK_EQ_INT(t_sock_name(l, ip, sizeof(ip), &port), 0);
    CHECK_EQ_STR(ip, "::1");
    int c = t_tcp_connect(err, "::1", port);
    CHECK(c >= 0);
    int cport = -1;
    int a = anetTcpAccept(err, l, ip, sizeof(ip), &cport);
    CHECK(a >= 0);
    CHECK_EQ_STR(ip, "::1");
    CHECK_EQ_INT(cport, local_port(c));
#if GEN_ANET_FORMAT
    char want[80];
    snprintf(want, sizeof(want), "[::1]:%d", port);
    CHECK_EQ_INT(anetFormatPeer(c, buf, sizeof(buf)), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(anetFormatSock(l, buf, sizeof(buf)), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
#else
    (void)buf;
#endif
    CHECK_EQ_INT(t_peer_name(a, ip, sizeof(ip), &port), 0);
    CHECK_EQ_STR(ip, "::1");
    close(a); close(c); close(l);

    /* wildcard: "::" and v6-only, so a v4 listener on the same port works */
    l = anetTcp6Server(err, 0, NULL, 16);
    CHECK(l >= 0);
    CHECK(getopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY) != 0);
    CHECK_EQ_INT(t_sock_name(l, ip, sizeof(ip), &port), 0);
    CHECK_EQ_STR(ip, "::");
    int l4 = anetTcpServer(err, port, NULL, 16);
    if (l4 == ANET_ERR) fprintf(stderr, "v4 on the v6-only port: %s\n", err);
    CHECK(l4 >= 0);
    close(l4); close(l);
    return 0;
}

/* ------------------------------------------------------------------ */
/* TCP servers */

TEST(anet_tcp_server_errors) {
    char err[ANET_ERR_LEN];
    int port;
    int l = listen_v4(&port);
    int before = count_fds();
    err_reset(err);
    CHECK_EQ_INT(anetTcpServer(err, port, "127.0.0.1", 16), ANET_ERR);
    CHECK_EQ_INT(errno, EADDRINUSE);
    CHECK_EQ_STR(err, "bind: Address already in use");
    CHECK_EQ_INT(anetTcpServer(err, 0, "::1", 16), ANET_ERR);
    CHECK_EQ_STR(err, "Address family for hostname not supported");
    CHECK_EQ_INT(anetTcp6Server(err, 0, "127.0.0.1", 16), ANET_ERR);
    CHECK_EQ_STR(err, "Address family for hostname not supported");
    CHECK_EQ_INT(anetTcpServer(err, 0, "::1%zz", 16), ANET_ERR);
    CHECK(strcmp(err, "Name or service not known") == 0 ||
          strcmp(err, "Address family for hostname not supported") == 0);
    CHECK_EQ_INT(anetTcpServer(err, 65536, NULL, 16), ANET_ERR);
    CHECK_EQ_STR(err, "invalid port 65536");
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_EQ_INT(anetTcp6Server(err, -5, NULL, 16), ANET_ERR);
    CHECK_EQ_STR(err, "invalid port -5");
    CHECK_EQ_INT(anetTcpServer(NULL, port, "127.0.0.1", 16), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);
    close(l);
    return 0;
}

TEST(anet_tcp_server_setup_errors) {
    char err[ANET_ERR_LEN];
    int before = count_fds();
    /* The reference leaks the socket here; it must be closed. */
    inject_setsockopt(SOL_SOCKET, SO_REUSEADDR, ENOMEM);
    CHECK_EQ_INT(anetTcpServer(err, 0, "127.0.0.1", 16), ANET_ERR);
    CHECK_EQ_STR(err, msg("setsockopt SO_REUSEADDR", ENOMEM, ""));
    CHECK_EQ_INT(errno, ENOMEM);
    CHECK_EQ_INT(count_fds(), before);
    if (have_ipv6_loopback()) {
        CHECK_EQ_INT(anetTcp6Server(err, 0, NULL, 16), ANET_ERR);
        CHECK_EQ_STR(err, msg("setsockopt SO_REUSEADDR", ENOMEM, ""));
        CHECK_EQ_INT(count_fds(), before);
        inject_setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, ENOPROTOOPT);
        CHECK_EQ_INT(anetTcp6Server(err, 0, NULL, 16), ANET_ERR);
        CHECK_EQ_STR(err, msg("setsockopt", ENOPROTOOPT, ""));
        CHECK_EQ_INT(count_fds(), before);
    }
    inject_setsockopt(-1, -1, 0);
    inj_listen_errno = EOPNOTSUPP;
    CHECK_EQ_INT(anetTcpServer(err, 0, "127.0.0.1", 16), ANET_ERR);
    CHECK_EQ_STR(err, msg("listen", EOPNOTSUPP, ""));
    CHECK_EQ_INT(errno, EOPNOTSUPP);
    CHECK_EQ_INT(count_fds(), before);
    inj_listen_errno = 0;

    exhaust_fds();
    errno = 0;
    CHECK_EQ_INT(anetTcpServer(err, 0, "127.0.0.1", 16), ANET_ERR);
#if GEN_BIND_ERRNO_TEXT
    CHECK_EQ_STR(err, msg_errno("unable to bind socket, errno: %d", EMFILE));
#else
    CHECK_EQ_STR(err, "unable to bind socket");
#endif
    CHECK_EQ_INT(errno, EMFILE); /* from the last socket() */
    CHECK_EQ_INT(anetTcp6Server(NULL, 0, NULL, 16), ANET_ERR);
    CHECK(errno == EMFILE || errno == EAFNOSUPPORT);
    return 0;
}

TEST(anet_tcp_server_backlog) {
    /* Linux reports a listener's backlog in TCP_INFO's tcpi_sacked. */
    char err[ANET_ERR_LEN];
    int l1 = anetTcpServer(err, 0, "127.0.0.1", 7);
    int l2 = anetTcpServer(err, 0, "127.0.0.1", 13);
    CHECK(l1 >= 0 && l2 >= 0);
    struct tcp_info ti1, ti2;
    socklen_t len1 = sizeof(ti1), len2 = sizeof(ti2);
    memset(&ti1, 0, sizeof(ti1));
    memset(&ti2, 0, sizeof(ti2));
    CHECK(getsockopt(l1, IPPROTO_TCP, TCP_INFO, &ti1, &len1) == 0);
    CHECK(getsockopt(l2, IPPROTO_TCP, TCP_INFO, &ti2, &len2) == 0);
    if (ti1.tcpi_sacked == 0 && ti2.tcpi_sacked == 0)
        SKIP("this kernel does not report the listen backlog in TCP_INFO");
    CHECK_EQ_INT(ti1.tcpi_sacked, 7);
    CHECK_EQ_INT(ti2.tcpi_sacked, 13);
    close(l1); close(l2);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Accept */

TEST(anet_accept_errors) {
    char err[ANET_ERR_LEN];
    int port;
    int l = listen_v4(&port);
    CHECK_EQ_INT(anetNonBlock(err, l), ANET_OK);
    err_reset(err);
    errno = 0;
    CHECK_EQ_INT(anetTcpAccept(err, l, NULL, 0, NULL), ANET_ERR);
    CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
    CHECK_EQ_STR(err, "accept: Resource temporarily unavailable");
    CHECK_EQ_INT(anetUnixAccept(err, l), ANET_ERR);
    CHECK_EQ_INT(errno, EAGAIN);
    CHECK_EQ_STR(err, "accept: Resource temporarily unavailable");
    CHECK_EQ_INT(anetTcpAccept(err, 999, NULL, 0, NULL), ANET_ERR);
    CHECK_EQ_STR(err, "accept: Bad file descriptor");
    CHECK_EQ_INT(anetTcpAccept(NULL, l, NULL, 0, NULL), ANET_ERR);
    CHECK_EQ_INT(anetUnixAccept(NULL, l), ANET_ERR);
    close(l);
    return 0;
}

TEST(anet_accept_short_ip_buffer) {
    char err[ANET_ERR_LEN], ip[16];
    int port, cport = -1;
    int l = listen_v4(&port);
    int c = t_tcp_connect(err, "127.0.0.1", port);
    CHECK(c >= 0);
    memset(ip, 'Z', sizeof(ip));
    errno = 0;
    int a = anetTcpAccept(err, l, ip, 4, &cport);
    CHECK(a >= 0);               /* the fd is still returned */
    CHECK_EQ_INT(errno, ENOSPC); /* as after the reference's inet_ntop */
    CHECK_EQ_STR(ip, "127");     /* cut and terminated */
    CHECK_EQ_INT(ip[4], 'Z');
    CHECK_EQ_INT(cport, local_port(c));
    close(a); close(c); close(l);
    return 0;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { (void)sig; got_signal++; }

/* The fd of the syscall a process is blocked in, per /proc/PID/syscall
 * ("NR arg1 ..."); -1 when it is not blocked in syscall `nr`. */
static int blocked_in(pid_t pid, long nr) {
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -2;
    int r = -1;
    if (fgets(line, sizeof(line), f)) {
        long n = strtol(line, NULL, 10);
        if (n == nr) r = 1;
    }
    fclose(f);
    return r;
}

TEST(anet_accept_retries_eintr) {
    char err[ANET_ERR_LEN];
    int port;
    int l = listen_v4(&port);
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: accept sees EINTR */
        sigaction(SIGUSR1, &sa, NULL);
        close(ready[0]);
        close(ready[1]); /* handler installed */
        int a = anetTcpAccept(err, l, NULL, 0, NULL);
        _exit(a >= 0 && got_signal == 1 ? 0 : 1);
    }
    close(ready[1]);
    char c;
    CHECK_EQ_INT(read(ready[0], &c, 1), 0);
    /* wait until the child sits in accept */
    for (;;) {
        int st = blocked_in(child, SYS_accept);
        if (st == -2) {
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
            SKIP("/proc/PID/syscall is not readable");
        }
        if (st == 1 || blocked_in(child, SYS_accept4) == 1) break;
        sched_yield();
    }
    CHECK(kill(child, SIGUSR1) == 0);
    int cfd = t_tcp_connect(err, "127.0.0.1", port);
    CHECK(cfd >= 0);
    int status;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK_EQ_INT(WEXITSTATUS(status), 0);
    close(cfd); close(l);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Unix-domain sockets */

TEST(anet_unix_server_and_connect) {
    char err[ANET_ERR_LEN], ip[64];
    const char *p = tmp_path("s1");
    char path[256];
    strcpy(path, p);
    int l = t_unix_server(err, path, 0700, 16);
    CHECK(l >= 0);
#if GEN_UNIX_SERVER_GROUP
    /* Valkey 8: close-on-exec and non-blocking, no SO_REUSEADDR. */
    CHECK(getopt_int(l, SOL_SOCKET, SO_REUSEADDR) == 0);
    CHECK(is_nonblock(l));
    CHECK(fcntl(l, F_GETFD) & FD_CLOEXEC);
#else
    CHECK(getopt_int(l, SOL_SOCKET, SO_REUSEADDR) != 0);
    CHECK(!is_nonblock(l));
#endif
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_EQ_INT(st.st_mode & 0777, 0700);

    int c = t_unix_connect(err, path);
    CHECK(c >= 0);
    CHECK(!is_nonblock(c));
    int a = anetUnixAccept(err, l);
    CHECK(a >= 0);
    char buf[5];
#if GEN_ANET_LEGACY
    CHECK_EQ_INT(anetWrite(a, "hello", 5), 5);
    CHECK_EQ_INT(anetRead(c, buf, 5), 5);
#else
    CHECK_EQ_INT(write(a, "hello", 5), 5);
    CHECK_EQ_INT(read(c, buf, 5), 5);
#endif
    CHECK(memcmp(buf, "hello", 5) == 0);

    int port = -1;
    CHECK_EQ_INT(t_peer_name(c, ip, sizeof(ip), &port), 0);
    CHECK_EQ_STR(ip, "/unixsocket");
    CHECK_EQ_INT(port, 0);
    port = -1;
    CHECK_EQ_INT(t_sock_name(l, ip, sizeof(ip), &port), 0);
    CHECK_EQ_STR(ip, "/unixsocket"); /* difference: not junk IPv6 */
    CHECK_EQ_INT(port, 0);
#if GEN_ANET_FORMAT
    CHECK_EQ_INT(anetFormatPeer(c, buf, 0), 13);
#endif
    close(a); close(c);

    int nb = t_unix_connect(err, path);
    CHECK(nb >= 0);
#if GEN_ANET_LEGACY
    close(nb);
    nb = anetUnixNonBlockConnect(err, path);
    CHECK(nb >= 0);
    CHECK(is_nonblock(nb));
#endif
    port = -1;
    a = anetTcpAccept(err, l, ip, sizeof(ip), &port);
    CHECK(a >= 0);
    CHECK_EQ_STR(ip, "/unixsocket"); /* difference: not junk IPv6 */
    CHECK_EQ_INT(port, 0);
    close(a); close(nb);
#if GEN_UNIX_GENERIC_CONNECT
    c = anetUnixGenericConnect(err, path, 1);
    CHECK(c >= 0);
    CHECK(is_nonblock(c));
    close(c);
    c = anetUnixGenericConnect(NULL, path, 0);
    CHECK(c >= 0);
    CHECK(!is_nonblock(c));
    close(c);
#endif
    close(l);
    unlink(path);
    remove_tmpdir();
    return 0;
}

TEST(anet_unix_server_perm_zero_uses_umask) {
    char err[ANET_ERR_LEN], path[256];
    strcpy(path, tmp_path("s2"));
    umask(027);
    int l = t_unix_server(err, path, 0, 16);
    CHECK(l >= 0);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0750);
    close(l);
    unlink(path);
    remove_tmpdir();
    return 0;
}

TEST(anet_unix_server_chmod_before_listen) {
    /* With listen failing, the socket file already has its mode: chmod
     * ran between bind and listen (the reference runs it after listen). */
    char err[ANET_ERR_LEN], path[256];
    strcpy(path, tmp_path("s3"));
    umask(022);
    int before = count_fds();
    inj_listen_errno = EOPNOTSUPP;
    CHECK_EQ_INT(t_unix_server(err, path, 0600, 16), ANET_ERR);
    CHECK_EQ_STR(err, msg("listen", EOPNOTSUPP, ""));
    CHECK_EQ_INT(count_fds(), before);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    unlink(path);
    remove_tmpdir();
    return 0;
}

TEST(anet_unix_errors) {
    char err[ANET_ERR_LEN], path[256];
    strcpy(path, tmp_path("s4"));
    int before = count_fds();
#if GEN_UNIX_GENERIC_CONNECT
    err_reset(err);
    CHECK_EQ_INT(t_unix_connect(err, path), ANET_ERR);
    CHECK_EQ_INT(errno, ENOENT);
    CHECK_EQ_STR(err, "connect: No such file or directory");
#if GEN_ANET_LEGACY
    CHECK_EQ_INT(anetUnixNonBlockConnect(err, path), ANET_ERR);
    CHECK_EQ_STR(err, "connect: No such file or directory");
#endif
    CHECK_EQ_INT(t_unix_connect(NULL, path), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);
#endif

    int l = t_unix_server(err, path, 0, 16);
    CHECK(l >= 0);
    before = count_fds();
    CHECK_EQ_INT(t_unix_server(err, path, 0, 16), ANET_ERR);
    CHECK_EQ_INT(errno, EADDRINUSE);
    CHECK_EQ_STR(err, "bind: Address already in use");
    CHECK_EQ_INT(count_fds(), before);

#if GEN_ANET_LEGACY
    /* O_NONBLOCK failing: the reference leaks the socket here */
    inj_fcntl_cmd = F_SETFL; inj_fcntl_errno = EINVAL;
    CHECK_EQ_INT(anetUnixNonBlockConnect(err, path), ANET_ERR);
    CHECK_EQ_STR(err, "fcntl(F_SETFL,O_NONBLOCK): Invalid argument");
    CHECK_EQ_INT(count_fds(), before);
    inj_fcntl_cmd = -1;
#endif
#if GEN_UNIX_GENERIC_CONNECT
    inject_setsockopt(SOL_SOCKET, SO_REUSEADDR, ENOMEM);
    CHECK_EQ_INT(t_unix_connect(err, path), ANET_ERR);
    CHECK_EQ_STR(err, msg("setsockopt SO_REUSEADDR", ENOMEM, ""));
    CHECK_EQ_INT(t_unix_server(err, tmp_path("s5"), 0, 16), ANET_ERR);
    CHECK_EQ_STR(err, msg("setsockopt SO_REUSEADDR", ENOMEM, ""));
    CHECK_EQ_INT(count_fds(), before);
    inject_setsockopt(-1, -1, 0);
#endif

    exhaust_fds();
#if GEN_UNIX_GENERIC_CONNECT
    CHECK_EQ_INT(t_unix_connect(err, path), ANET_ERR);
    CHECK_EQ_STR(err, "creating socket: Too many open files");
    CHECK_EQ_INT(errno, EMFILE);
#endif
    CHECK_EQ_INT(t_unix_server(err, tmp_path("s6"), 0, 16), ANET_ERR);
    CHECK_EQ_STR(err, "creating socket: Too many open files");
    close(l);
    unlink(path);
    remove_tmpdir();
    return 0;
}

TEST(anet_unix_path_too_long) {
    char err[ANET_ERR_LEN], path[300];
    /* 107 bytes fit sun_path (with its NUL); 108 do not. */
    const char *dir = tmp_path("");
    size_t n = strlen(dir);
    CHECK(n < 100);
    memset(path, 'p', sizeof(path));
    memcpy(path, dir, n);
    path[107] = '\0';
    int before = count_fds();
    int l = t_unix_server(err, path, 0, 16);
    CHECK(l >= 0);
    int c = t_unix_connect(err, path);
    CHECK(c >= 0);
    close(c); close(l);
    unlink(path);

    path[107] = 'p';
    path[108] = '\0';
    err_reset(err);
    CHECK_EQ_INT(t_unix_server(err, path, 0, 16), ANET_ERR);
    CHECK_EQ_STR(err, "unix socket path too long (108), must be under 108");
    CHECK_EQ_INT(errno, ENAMETOOLONG);
#if GEN_UNIX_GENERIC_CONNECT
    CHECK_EQ_INT(t_unix_connect(err, path), ANET_ERR);
    CHECK_EQ_STR(err, "unix socket path too long (108), must be under 108");
#endif
    path[108] = 'p';
    path[200] = '\0';
#if GEN_UNIX_GENERIC_CONNECT
    CHECK_EQ_INT(anetUnixGenericConnect(err, path, 1), ANET_ERR);
    CHECK_EQ_STR(err, "unix socket path too long (200), must be under 108");
#endif
    CHECK_EQ_INT(t_unix_server(NULL, path, 0, 16), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);
    path[108] = '\0';
    struct stat st;
    CHECK(stat(path, &st) == -1); /* nothing was created, truncated or not */
    path[107] = '\0';
    CHECK(stat(path, &st) == -1);
    remove_tmpdir();
    return 0;
}

/* ------------------------------------------------------------------ */
/* anetRead / anetWrite */

#if GEN_ANET_LEGACY
TEST(anet_read_write_full_count) {
    enum { N = 1 << 20 };
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        close(sv[1]);
        char *out = malloc(N);
        for (int i = 0; i < N; i++) out[i] = (char)(i * 7);
        int ok = anetWrite(sv[0], out, N) == N;
        free(out);
        _exit(ok ? 0 : 1);
    }
    close(sv[0]);
    char *in = malloc(N);
    CHECK_EQ_INT(anetRead(sv[1], in, N), N);
    for (int i = 0; i < N; i++)
        if (in[i] != (char)(i * 7)) CHECK(!"data mismatch");
    int status;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(in);
    close(sv[1]);
    return 0;
}
#endif

#if GEN_ANET_LEGACY
TEST(anet_read_write_eof_and_errors) {
    int sv[2];
    char buf[16];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_EQ_INT(anetWrite(sv[0], "12345", 5), 5);
    CHECK_EQ_INT(anetWrite(sv[0], "x", 0), 0);
    CHECK_EQ_INT(anetRead(sv[1], buf, 0), 0);
    close(sv[0]);
    CHECK_EQ_INT(anetRead(sv[1], buf, 10), 5); /* EOF after 5 */
    CHECK(memcmp(buf, "12345", 5) == 0);
    CHECK_EQ_INT(anetRead(sv[1], buf, 10), 0);

    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    CHECK_EQ_INT(anetWrite(sv[1], "abc", 3), -1);
    CHECK_EQ_INT(errno, EPIPE);
    close(sv[1]);

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    char err[ANET_ERR_LEN];
    CHECK_EQ_INT(anetNonBlock(err, sv[1]), ANET_OK);
    CHECK_EQ_INT(anetWrite(sv[0], "ab", 2), 2);
    /* 2 bytes then EAGAIN: -1, the partial progress is lost (reference) */
    CHECK_EQ_INT(anetRead(sv[1], buf, 4), -1);
    CHECK_EQ_INT(errno, EAGAIN);
    CHECK_EQ_INT(anetRead(-1, buf, 4), -1);
    CHECK_EQ_INT(errno, EBADF);
    /* difference: a negative count is refused instead of overrunning */
    CHECK_EQ_INT(anetRead(sv[1], buf, -1), -1);
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_EQ_INT(anetWrite(sv[0], buf, -1), -1);
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_EQ_INT(anetRead(sv[1], NULL, 4), -1);
    CHECK_EQ_INT(errno, EFAULT);
    close(sv[0]); close(sv[1]);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Names */
#endif

#if GEN_ANET_LEGACY
TEST(anet_peer_to_string) {
    char err[ANET_ERR_LEN], ip[64];
    int port, p = -1;
    int l = listen_v4(&port);
    int c = anetTcpConnect(err, "127.0.0.1", port);
    CHECK(c >= 0);
    CHECK_EQ_INT(anetPeerToString(c, ip, sizeof(ip), &p), 0);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(p, port);
    CHECK_EQ_INT(anetPeerToString(c, NULL, sizeof(ip), NULL), 0);
    /* short buffer: difference, cut and terminated; still success */
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetPeerToString(c, ip, 4, &p), 0);
    CHECK_EQ_STR(ip, "127");
    /* ip_len 0 is the error path, checked after getpeername */
    memset(ip, 'Z', sizeof(ip));
    p = -1;
    CHECK_EQ_INT(anetPeerToString(c, ip, 0, &p), -1);
    CHECK_EQ_INT(ip[0], 'Z');
    CHECK_EQ_INT(p, 0);
    CHECK_EQ_INT(anetPeerToString(c, NULL, 0, NULL), -1);

    int fds[2];
    CHECK(pipe(fds) == 0);
    p = -1;
    errno = 0;
    CHECK_EQ_INT(anetPeerToString(fds[0], ip, sizeof(ip), &p), -1);
    CHECK_EQ_INT(errno, ENOTSOCK);
    CHECK_EQ_STR(ip, "?");
    CHECK_EQ_INT(p, 0);
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetPeerToString(fds[0], ip, 1, NULL), -1);
    CHECK_EQ_STR(ip, "");
    /* a listener has no peer */
    CHECK_EQ_INT(anetPeerToString(l, ip, sizeof(ip), &p), -1);
    CHECK_EQ_STR(ip, "?");

    /* unix: "/unixsocket", terminated even when cut (difference) */
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    p = -1;
    CHECK_EQ_INT(anetPeerToString(sv[0], ip, sizeof(ip), &p), 0);
    CHECK_EQ_STR(ip, "/unixsocket");
    CHECK_EQ_INT(p, 0);
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetPeerToString(sv[0], ip, 5, &p), 0);
    CHECK_EQ_STR(ip, "/uni");
    CHECK_EQ_INT(ip[5], 'Z');
    close(c); close(l);
    return 0;
}
#endif

#if GEN_ANET_LEGACY
TEST(anet_sock_name) {
    char ip[64];
    int port, p = -1;
    int l = listen_v4(&port);
    CHECK_EQ_INT(anetSockName(l, ip, sizeof(ip), &p), 0);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(p, port);
    CHECK_EQ_INT(anetSockName(l, NULL, 0, NULL), 0);
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetSockName(l, ip, 5, &p), 0);
    CHECK_EQ_STR(ip, "127.");

    p = -1;
    errno = 0;
    CHECK_EQ_INT(anetSockName(-1, ip, sizeof(ip), &p), -1);
    CHECK_EQ_INT(errno, EBADF);
    CHECK_EQ_STR(ip, "?");
    CHECK_EQ_INT(p, 0);
    /* difference: the "?" respects ip and ip_len */
    CHECK_EQ_INT(anetSockName(-1, NULL, 0, NULL), -1);
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetSockName(-1, ip, 1, NULL), -1);
    CHECK_EQ_STR(ip, "");
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetSockName(-1, ip, 0, NULL), -1);
    CHECK_EQ_INT(ip[0], 'Z');
    close(l);
    return 0;
}

#endif

#if GEN_ANET_FORMAT_ADDR
TEST(anet_format) {
    char buf[64];
    CHECK_EQ_INT(anetFormatAddr(buf, sizeof(buf), "1.2.3.4", 80), 10);
    CHECK_EQ_STR(buf, "1.2.3.4:80");
    CHECK_EQ_INT(anetFormatAddr(buf, sizeof(buf), "::1", 6379), 10);
    CHECK_EQ_STR(buf, "[::1]:6379");
    CHECK_EQ_INT(anetFormatAddr(buf, sizeof(buf), "/unixsocket", 0), 13);
    CHECK_EQ_STR(buf, "/unixsocket:0");
    memset(buf, 'Z', sizeof(buf));
    CHECK_EQ_INT(anetFormatAddr(buf, 5, "::1", 6379), 10); /* like snprintf */
    CHECK_EQ_STR(buf, "[::1");
    CHECK_EQ_INT(buf[5], 'Z');
    CHECK_EQ_INT(anetFormatAddr(NULL, 0, "1.2.3.4", 80), 10);
    CHECK_EQ_INT(anetFormatAddr(buf, sizeof(buf), "h", -1), 4);
    CHECK_EQ_STR(buf, "h:-1");
    return 0;
}
#endif

#if GEN_ANET_FORMAT
TEST(anet_format_peer_sock) {
    char buf[64], err[ANET_ERR_LEN], want[64];
    int port;
    int l = listen_v4(&port);
    int c = t_tcp_connect(err, "127.0.0.1", port);
    CHECK(c >= 0);
    snprintf(want, sizeof(want), "127.0.0.1:%d", port);
    CHECK_EQ_INT(anetFormatPeer(c, buf, sizeof(buf)), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(anetFormatSock(l, buf, sizeof(buf)), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
    snprintf(want, sizeof(want), "127.0.0.1:%d", local_port(c));
    CHECK_EQ_INT(anetFormatSock(c, buf, sizeof(buf)), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
    int fds[2];
    CHECK(pipe(fds) == 0);
    CHECK_EQ_INT(anetFormatPeer(fds[0], buf, sizeof(buf)), 3);
    CHECK_EQ_STR(buf, "?:0");
    CHECK_EQ_INT(anetFormatSock(-1, buf, sizeof(buf)), 3);
    CHECK_EQ_STR(buf, "?:0");
    close(c); close(l);
    return 0;
}

#endif

TEST(anet_null_err_everywhere) {
    /* Every function taking err, made to fail, with err == NULL. */
    char ip[64], path[256];
    int p[2];
    CHECK(pipe(p) == 0);
    strcpy(path, tmp_path("missing"));
    int dead = closed_port();
    int before = count_fds();
    CHECK_EQ_INT(anetSetBlock(NULL, -1, 1), ANET_ERR);
    CHECK_EQ_INT(anetNonBlock(NULL, -1), ANET_ERR);
    CHECK_EQ_INT(anetBlock(NULL, -1), ANET_ERR);
    CHECK_EQ_INT(anetKeepAlive(NULL, p[0], 300), ANET_ERR);
#if GEN_ANET_LEGACY
    CHECK_EQ_INT(anetTcpKeepAlive(NULL, p[0]), ANET_ERR);
#endif
    CHECK_EQ_INT(anetEnableTcpNoDelay(NULL, p[0]), ANET_ERR);
    CHECK_EQ_INT(anetDisableTcpNoDelay(NULL, p[0]), ANET_ERR);
    CHECK_EQ_INT(anetSendTimeout(NULL, p[0], 1), ANET_ERR);
#if GEN_ANET_LEGACY
    CHECK_EQ_INT(anetSetSendBuffer(NULL, p[0], 1), ANET_ERR);
    CHECK_EQ_INT(anetGenericResolve(NULL, "localhost", ip, sizeof(ip), ANET_IP_ONLY), ANET_ERR);
    CHECK_EQ_INT(anetResolve(NULL, "::1%zz", ip, sizeof(ip)), ANET_ERR);
    CHECK_EQ_INT(anetResolveIP(NULL, "localhost", ip, sizeof(ip)), ANET_ERR);
#else
    CHECK_EQ_INT(anetResolve(NULL, "localhost", ip, sizeof(ip), ANET_IP_ONLY), ANET_ERR);
    CHECK_EQ_INT(anetResolve(NULL, "::1%zz", ip, sizeof(ip), 0), ANET_ERR);
#endif
    CHECK_EQ_INT(t_tcp_connect(NULL, "127.0.0.1", dead), ANET_ERR);
    CHECK_EQ_INT(anetTcpNonBlockConnect(NULL, "::1%zz", dead), ANET_ERR);
#if GEN_ANET_LEGACY
    CHECK_EQ_INT(anetTcpNonBlockBindConnect(NULL, "127.0.0.1", dead, "1.2.3.4"), ANET_ERR);
#endif
    CHECK_EQ_INT(anetTcpNonBlockBestEffortBindConnect(NULL, "::1%zz", dead, "1.2.3.4"), ANET_ERR);
    CHECK_EQ_INT(t_unix_connect(NULL, path), ANET_ERR);
#if GEN_ANET_LEGACY
    CHECK_EQ_INT(anetUnixNonBlockConnect(NULL, path), ANET_ERR);
#endif
#if GEN_UNIX_GENERIC_CONNECT
    CHECK_EQ_INT(anetUnixGenericConnect(NULL, path, 1), ANET_ERR);
    CHECK_EQ_INT(t_unix_connect(NULL, NULL), ANET_ERR);
#endif
    CHECK_EQ_INT(anetTcpServer(NULL, 70000, NULL, 1), ANET_ERR);
    CHECK_EQ_INT(anetTcp6Server(NULL, 0, "127.0.0.1", 1), ANET_ERR);
    CHECK_EQ_INT(t_unix_server(NULL, NULL, 0, 1), ANET_ERR);
    CHECK_EQ_INT(t_unix_server(NULL, "/nonexistent-dir/x", 0, 1), ANET_ERR);
    CHECK_EQ_INT(anetTcpAccept(NULL, p[0], ip, sizeof(ip), NULL), ANET_ERR);
    CHECK_EQ_INT(anetUnixAccept(NULL, p[0]), ANET_ERR);
    CHECK_EQ_INT(count_fds(), before);

    char err[ANET_ERR_LEN];
#if GEN_UNIX_GENERIC_CONNECT
    CHECK_EQ_INT(t_unix_connect(err, NULL), ANET_ERR);
    CHECK_EQ_STR(err, "unix socket path is NULL");
    CHECK_EQ_INT(errno, EINVAL);
#endif
    CHECK_EQ_INT(t_unix_server(err, "/nonexistent-dir/x", 0, 1), ANET_ERR);
    CHECK_EQ_STR(err, "bind: No such file or directory");
#if GEN_ANET_FORMAT
    CHECK_EQ_INT(anetFormatAddr(ip, sizeof(ip), NULL, 1), -1);
    CHECK_EQ_STR(ip, "");
#endif
    remove_tmpdir();
    return 0;
}

/* ------------------------------------------------------------------ */

const struct test_entry anet_tests[] = {
    TEST_ENTRY(anet_nonblock_block),
    TEST_ENTRY(anet_nonblock_errors),
    TEST_ENTRY(anet_tcp_nodelay),
    TEST_ENTRY(anet_keepalive_values),
    TEST_ENTRY(anet_keepalive_errors),
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_send_buffer),
#endif
    TEST_ENTRY(anet_send_timeout),
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_resolve),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_resolve_short_buffer),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_tcp_connect_v4),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_tcp_connect_refused),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_tcp_connect_gai_and_port_errors),
#endif
    TEST_ENTRY(anet_tcp_nonblock_connect),
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_tcp_bind_connect),
#endif
    TEST_ENTRY(anet_tcp_best_effort_bind_connect),
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_tcp_connect_setup_errors),
#endif
    TEST_ENTRY(anet_tcp_v6),
    TEST_ENTRY(anet_tcp_server_errors),
    TEST_ENTRY(anet_tcp_server_setup_errors),
    TEST_ENTRY(anet_tcp_server_backlog),
    TEST_ENTRY(anet_accept_errors),
    TEST_ENTRY(anet_accept_short_ip_buffer),
    TEST_ENTRY(anet_accept_retries_eintr),
    TEST_ENTRY(anet_unix_server_and_connect),
    TEST_ENTRY(anet_unix_server_perm_zero_uses_umask),
    TEST_ENTRY(anet_unix_server_chmod_before_listen),
    TEST_ENTRY(anet_unix_errors),
    TEST_ENTRY(anet_unix_path_too_long),
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_read_write_full_count),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_read_write_eof_and_errors),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_peer_to_string),
#endif
#if GEN_ANET_LEGACY
    TEST_ENTRY(anet_sock_name),
#endif
#if GEN_ANET_FORMAT_ADDR
    TEST_ENTRY(anet_format),
#endif
#if GEN_ANET_FORMAT
    TEST_ENTRY(anet_format_peer_sock),
#endif
    TEST_ENTRY(anet_null_err_everywhere),
    TEST_END
};
