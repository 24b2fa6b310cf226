/* The anet functions and behaviours of Redis 6.0 and later, on real sockets:
 * anetRecvTimeout (6.0); anetResolve with flags, anetCloexec,
 * anetFdToString/anetFormatFdAddr, the "*" and "::*" wildcards, anetSetBlock
 * leaving unchanged flags alone (6.2); non-blocking close-on-exec accepts,
 * anetPipe, anetSetSockMarkId, the stricter anetFdToString (7.0);
 * anetFdToString's `remote`, anetGetError, anetIsFifo (7.2); anetUnixServer's
 * group, close-on-exec sockets, ANET_PREFER_IPV4/IPV6 (Valkey 8). */
#include "runner.h"
#include "gen.h"
#include "anet_compat.h"
#include "test_helpers.h"
#include "anet.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#if GEN_UNIX_SERVER_GROUP
static int fd_count(void) {
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;
}
#endif

static int nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }
static int cloexec(int fd) { return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

static int listen4(int *port) {
    char err[ANET_ERR_LEN], ip[64];
    int l = anetTcpServer(err, 0, "127.0.0.1", 16);
    CHECK(l > 0);
    CHECK_EQ_INT(t_sock_name(l, ip, sizeof(ip), port), 0);
    return l;
}

#if GEN_ANET_62
/* Where a listener is bound, as text. */
static void bound_to(int l, char *ip, size_t len) {
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    CHECK(getsockname(l, (struct sockaddr *)&sa, &salen) == 0);
    if (sa.ss_family == AF_INET) CHECK(inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, ip, len));
    else CHECK(inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, ip, len));
}
#endif

#if GEN_RECV_TIMEOUT
TEST(anet_recv_timeout) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ_INT(anetRecvTimeout(err, s, 1500), ANET_OK);
    struct timeval tv;
    socklen_t len = sizeof(tv);
    CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0);
    CHECK_EQ_INT(tv.tv_sec, 1);
    CHECK(tv.tv_usec >= 496000 && tv.tv_usec <= 504000); /* the kernel rounds to its tick */
    CHECK_EQ_INT(anetRecvTimeout(err, s, 0), ANET_OK);
    CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0);
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ_INT(anetRecvTimeout(err, p[0], 10), ANET_ERR);
    CHECK_EQ_STR(err, "setsockopt SO_RCVTIMEO: Socket operation on non-socket");
    CHECK_EQ_INT(errno, ENOTSOCK);
    CHECK_EQ_INT(anetRecvTimeout(NULL, p[0], 10), ANET_ERR);
    close(s);
    return 0;
}
#endif

#if GEN_ANET_62
TEST(anet_resolve_with_flags) {
    char err[ANET_ERR_LEN], ip[64];
    CHECK_EQ_INT(anetResolve(err, "127.1", ip, sizeof(ip), 0), ANET_OK);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(anetResolve(err, "::1", ip, sizeof(ip), ANET_IP_ONLY), ANET_OK);
    CHECK_EQ_STR(ip, "::1");
    CHECK_EQ_INT(anetResolve(err, "localhost", ip, sizeof(ip), ANET_IP_ONLY), ANET_ERR);
    CHECK_EQ_STR(err, "Name or service not known");
    CHECK_EQ_INT(anetResolve(err, "no-such-host.invalid", ip, sizeof(ip), 0), ANET_ERR);
    char small[4];
    CHECK_EQ_INT(anetResolve(err, "127.0.0.1", small, sizeof(small), ANET_IP_ONLY), ANET_OK);
    CHECK_EQ_INT(errno, ENOSPC);
    CHECK_EQ_STR(small, "127"); /* cut and terminated */
#if GEN_UNIX_SERVER_GROUP
    /* Valkey 8: the preferred family first, the other when it has none. */
    CHECK_EQ_INT(anetResolve(err, "::1", ip, sizeof(ip), ANET_IP_ONLY | ANET_PREFER_IPV4), ANET_OK);
    CHECK_EQ_STR(ip, "::1");
    CHECK_EQ_INT(anetResolve(err, "127.0.0.1", ip, sizeof(ip), ANET_PREFER_IPV6), ANET_OK);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(anetResolve(err, "::ffff:1.2.3.4", ip, sizeof(ip), ANET_IP_ONLY | ANET_PREFER_IPV6), ANET_OK);
    CHECK_EQ_STR(ip, "::ffff:1.2.3.4");
#endif
    return 0;
}

TEST(anet_cloexec) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(!cloexec(s));
    CHECK_EQ_INT(anetCloexec(s), 0);   /* set: F_SETFD's result */
    CHECK(cloexec(s));
    CHECK_EQ_INT(anetCloexec(s), FD_CLOEXEC); /* already set: the flags */
    errno = 0;
    CHECK_EQ_INT(anetCloexec(-1), -1);
    CHECK_EQ_INT(errno, EBADF);
    close(s);
    return 0;
}

TEST(anet_wildcard_bind_addresses) {
    char err[ANET_ERR_LEN], ip[64];
    int l = anetTcpServer(err, 0, "*", 16);
    CHECK(l > 0);
    bound_to(l, ip, sizeof(ip));
    CHECK_EQ_STR(ip, "0.0.0.0");
    close(l);
    l = anetTcp6Server(err, 0, "::*", 16);
    if (l == ANET_ERR && errno == EAFNOSUPPORT) SKIP("no IPv6");
    CHECK(l > 0);
    bound_to(l, ip, sizeof(ip));
    CHECK_EQ_STR(ip, "::");
    close(l);
    /* "::*" is the wildcard for IPv6 only. */
    CHECK_EQ_INT(anetTcpServer(err, 0, "::*", 16), ANET_ERR);
    return 0;
}

/* anetFdToString: the peer or the local name, "/unixsocket" for unix
 * sockets, "?" and port 0 when the name cannot be had. */
TEST(anet_fd_to_string) {
    char err[ANET_ERR_LEN], ip[64];
    int port, lport;
    int l = listen4(&lport);
    int c = t_tcp_connect(err, "127.0.0.1", lport);
    CHECK(c > 0);
    int a = anetTcpAccept(err, l, NULL, 0, NULL);
    CHECK(a > 0);
#if GEN_FD_TO_STRING_REMOTE
    int peer = 1, local = 0;
#else
    int peer = FD_TO_PEER_NAME, local = FD_TO_SOCK_NAME;
    CHECK_EQ_INT(FD_TO_PEER_NAME, 0);
    CHECK_EQ_INT(FD_TO_SOCK_NAME, 1);
#endif
    CHECK_EQ_INT(anetFdToString(c, ip, sizeof(ip), &port, peer), 0);
    CHECK_EQ_STR(ip, "127.0.0.1");
    CHECK_EQ_INT(port, lport);
    int cport;
    CHECK_EQ_INT(anetFdToString(c, ip, sizeof(ip), &cport, local), 0);
    CHECK(cport > 0 && cport != lport);
    CHECK_EQ_INT(anetFdToString(a, ip, sizeof(ip), &port, peer), 0);
    CHECK_EQ_INT(port, cport);
    CHECK_EQ_INT(anetFdToString(c, NULL, sizeof(ip), &port, peer), 0);
    CHECK_EQ_INT(anetFdToString(c, ip, sizeof(ip), NULL, peer), 0);
    /* Not a socket: the error path. */
    int p[2];
    CHECK(pipe(p) == 0);
    port = 7;
    CHECK_EQ_INT(anetFdToString(p[0], ip, sizeof(ip), &port, peer), -1);
    CHECK_EQ_STR(ip, "?");
    CHECK_EQ_INT(port, 0);
    CHECK_EQ_INT(errno, ENOTSOCK);
    memset(ip, 'Z', sizeof(ip));
    CHECK_EQ_INT(anetFdToString(p[0], ip, 1, NULL, peer), -1);
    CHECK_EQ_INT(ip[0], '\0');
    CHECK_EQ_INT(ip[1], 'Z');
    /* Too small for the address: 6.2 keeps what fits (cut and terminated;
     * the reference leaves the buffer untouched) and succeeds; 7.0+ fail. */
    char small[5];
    int r = anetFdToString(c, small, sizeof(small), &port, peer);
#if GEN >= GEN_R70
    CHECK_EQ_INT(r, -1);
    CHECK_EQ_STR(small, "?");
    CHECK_EQ_INT(port, 0);
#else
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(errno, ENOSPC);
    CHECK_EQ_STR(small, "127.");
#endif
    /* A zero length: -1 in every generation. */
    CHECK_EQ_INT(anetFdToString(c, small, 0, &port, peer), -1);
    close(a); close(c); close(l);
    return 0;
}
#endif

#if GEN_FORMAT_FD_ADDR
TEST(anet_format_fd_addr) {
    char err[ANET_ERR_LEN], buf[64], want[64];
    int lport;
    int l = listen4(&lport);
    int c = t_tcp_connect(err, "127.0.0.1", lport);
    CHECK(c > 0);
    snprintf(want, sizeof(want), "127.0.0.1:%d", lport);
    CHECK_EQ_INT(anetFormatFdAddr(c, buf, sizeof(buf), FD_TO_PEER_NAME), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(anetFormatFdAddr(l, buf, sizeof(buf), FD_TO_SOCK_NAME), (int)strlen(want));
    CHECK_EQ_STR(buf, want);
    CHECK_EQ_INT(anetFormatFdAddr(-1, buf, sizeof(buf), FD_TO_SOCK_NAME), 3);
    CHECK_EQ_STR(buf, "?:0");
    CHECK_EQ_INT(anetFormatFdAddr(c, buf, 4, FD_TO_PEER_NAME), (int)strlen(want)); /* like snprintf */
    CHECK_EQ_STR(buf, "127");
    close(c); close(l);
    return 0;
}
#endif

/* 7.0+ hands back accepted sockets non-blocking and close-on-exec (its
 * callers stopped setting O_NONBLOCK); earlier generations blocking, as
 * accept(2) makes them. */
TEST(anet_accepted_socket_flags) {
    char err[ANET_ERR_LEN];
    int lport;
    int l = listen4(&lport);
    int c = t_tcp_connect(err, "127.0.0.1", lport);
    CHECK(c > 0);
    int a = anetTcpAccept(err, l, NULL, 0, NULL);
    CHECK(a > 0);
    CHECK_EQ_INT(nonblocking(a), GEN_ACCEPT_NONBLOCK);
    CHECK_EQ_INT(cloexec(a), GEN_ACCEPT_NONBLOCK);
    close(a); close(c); close(l);
    return 0;
}

/* The same for anetUnixAccept. */
TEST(anet_unix_accepted_socket_flags) {
    char err[ANET_ERR_LEN], path[64];
    snprintf(path, sizeof(path), "/tmp/aenet-uaccept-%d.sock", (int)getpid());
    unlink(path);
    int l = t_unix_server(err, path, 0600, 16);
    CHECK(l > 0);
    int c = t_unix_connect(err, path);
    CHECK(c > 0);
    int a = anetUnixAccept(err, l);
    CHECK(a > 0);
    CHECK_EQ_INT(nonblocking(a), GEN_ACCEPT_NONBLOCK);
    CHECK_EQ_INT(cloexec(a), GEN_ACCEPT_NONBLOCK);
    /* The listener itself is left as it was. */
    CHECK(!nonblocking(l) || GEN_UNIX_SERVER_GROUP);
    close(a); close(c); close(l);
    unlink(path);
    return 0;
}

#if GEN_PIPE_MARK
TEST(anet_pipe) {
    int fds[2];
    CHECK_EQ_INT(anetPipe(fds, O_NONBLOCK, 0), 0);
    CHECK(nonblocking(fds[0]) && !nonblocking(fds[1]));
    CHECK(cloexec(fds[0]) && cloexec(fds[1])); /* always, as the reference's pipe2 */
    CHECK(write(fds[1], "x", 1) == 1);
    char c;
    CHECK(read(fds[0], &c, 1) == 1 && c == 'x');
    CHECK(read(fds[0], &c, 1) == -1 && errno == EAGAIN);
    close(fds[0]); close(fds[1]);
    CHECK_EQ_INT(anetPipe(fds, O_NONBLOCK | O_CLOEXEC, O_NONBLOCK | O_CLOEXEC), 0);
    CHECK(nonblocking(fds[0]) && nonblocking(fds[1]));
    close(fds[0]); close(fds[1]);
    CHECK_EQ_INT(anetPipe(fds, 0, O_NONBLOCK), 0);
    CHECK(!nonblocking(fds[0]) && nonblocking(fds[1]));
    close(fds[0]); close(fds[1]);
    /* Flags pipe2 refuses (EINVAL): a plain pipe, each flag set per end and
     * close-on-exec only where asked, as the reference. */
    CHECK_EQ_INT(anetPipe(fds, O_APPEND, O_APPEND | O_NONBLOCK), 0);
    CHECK(fcntl(fds[0], F_GETFL) & O_APPEND);
    CHECK(fcntl(fds[1], F_GETFL) & O_APPEND);
    CHECK(!nonblocking(fds[0]) && nonblocking(fds[1]));
    CHECK(!cloexec(fds[0]) && !cloexec(fds[1]));
    close(fds[0]); close(fds[1]);
    CHECK_EQ_INT(anetPipe(fds, O_APPEND | O_CLOEXEC, O_APPEND), 0);
    CHECK(cloexec(fds[0]) && !cloexec(fds[1]));
    close(fds[0]); close(fds[1]);
    /* An end with one more flag keeps the common ones (the reference's
     * F_SETFL would drop the common O_NONBLOCK here). */
    CHECK_EQ_INT(anetPipe(fds, O_NONBLOCK | O_APPEND, O_NONBLOCK), 0);
    CHECK(nonblocking(fds[0]) && nonblocking(fds[1]));
    CHECK(fcntl(fds[0], F_GETFL) & O_APPEND);
    CHECK(cloexec(fds[0]) && cloexec(fds[1]));
    close(fds[0]); close(fds[1]);
    errno = 0;
    CHECK_EQ_INT(anetPipe(NULL, 0, 0), -1);
    CHECK_EQ_INT(errno, EINVAL);
    return 0;
}

TEST(anet_set_sock_mark_id) {
    char err[ANET_ERR_LEN];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int r = anetSetSockMarkId(err, s, 42);
    if (r == ANET_ERR && errno == EPERM) SKIP("SO_MARK needs CAP_NET_ADMIN");
    CHECK_EQ_INT(r, ANET_OK);
    int mark = 0;
    socklen_t len = sizeof(mark);
    CHECK(getsockopt(s, SOL_SOCKET, SO_MARK, &mark, &len) == 0);
    CHECK_EQ_INT(mark, 42);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ_INT(anetSetSockMarkId(err, p[0], 1), ANET_ERR);
    CHECK_EQ_STR(err, "setsockopt: Socket operation on non-socket");
    close(s);
    return 0;
}
#endif

#if GEN_ERROR_FIFO
TEST(anet_get_error_and_is_fifo) {
    char err[ANET_ERR_LEN];
    int lport;
    int l = listen4(&lport);
    close(l); /* nobody listens on lport any more */
    int c = anetTcpNonBlockConnect(err, "127.0.0.1", lport);
    CHECK(c > 0);
    struct pollfd p = { c, POLLOUT, 0 };
    CHECK(poll(&p, 1, 5000) == 1);
    CHECK_EQ_INT(anetGetError(c), ECONNREFUSED);
    CHECK_EQ_INT(anetGetError(c), 0); /* SO_ERROR is cleared by reading it */
    CHECK_EQ_INT(anetGetError(-1), EBADF);
    close(c);

    char path[64];
    snprintf(path, sizeof(path), "/tmp/aenet-fifo-%d", (int)getpid());
    unlink(path);
    CHECK_EQ_INT(anetIsFifo(path), 0); /* missing */
    CHECK(mkfifo(path, 0600) == 0);
    CHECK_EQ_INT(anetIsFifo(path), 1);
    unlink(path);
    CHECK_EQ_INT(anetIsFifo("/dev/null"), 0);
    errno = 0;
    CHECK_EQ_INT(anetIsFifo(NULL), 0);
    CHECK_EQ_INT(errno, EINVAL);
    return 0;
}
#endif

#if GEN_UNIX_SERVER_GROUP
TEST(anet_unix_server_group) {
    char err[ANET_ERR_LEN], path[64];
    snprintf(path, sizeof(path), "/tmp/aenet-group-%d.sock", (int)getpid());
    unlink(path);
    struct group *g = getgrgid(getgid());
    CHECK(g != NULL);
    char name[64];
    snprintf(name, sizeof(name), "%s", g->gr_name);
    int l = anetUnixServer(err, path, 0660, 16, name);
    CHECK(l > 0);
    struct stat st;
    CHECK(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_gid, getgid());
    CHECK_EQ_INT(st.st_mode & 0777, 0660);
    close(l);
    unlink(path);
    int before = fd_count();
    CHECK_EQ_INT(anetUnixServer(err, path, 0, 16, "no-such-group-aenet"), ANET_ERR);
    CHECK(strncmp(err, "getgrnam error for group 'no-such-group-aenet': ", 48) == 0);
    CHECK_EQ_INT(fd_count(), before);
    unlink(path);
    return 0;
}

/* Valkey 8 creates client sockets close-on-exec. */
TEST(anet_client_sockets_cloexec) {
    char err[ANET_ERR_LEN];
    int lport;
    int l = listen4(&lport);
    int c = anetTcpNonBlockConnect(err, "127.0.0.1", lport);
    CHECK(c > 0);
    CHECK(cloexec(c) && nonblocking(c));
    close(c);
    c = anetTcpNonBlockBestEffortBindConnect(err, "127.0.0.1", lport, "127.0.0.1");
    CHECK(c > 0);
    CHECK(cloexec(c));
    close(c); close(l);
    return 0;
}
#endif

const struct test_entry anet_modern_tests[] = {
#if GEN_RECV_TIMEOUT
    TEST_ENTRY(anet_recv_timeout),
#endif
#if GEN_ANET_62
    TEST_ENTRY(anet_resolve_with_flags),
    TEST_ENTRY(anet_cloexec),
    TEST_ENTRY(anet_wildcard_bind_addresses),
    TEST_ENTRY(anet_fd_to_string),
#endif
#if GEN_FORMAT_FD_ADDR
    TEST_ENTRY(anet_format_fd_addr),
#endif
    TEST_ENTRY(anet_accepted_socket_flags),
    TEST_ENTRY(anet_unix_accepted_socket_flags),
#if GEN_PIPE_MARK
    TEST_ENTRY(anet_pipe),
    TEST_ENTRY(anet_set_sock_mark_id),
#endif
#if GEN_ERROR_FIFO
    TEST_ENTRY(anet_get_error_and_is_fifo),
#endif
#if GEN_UNIX_SERVER_GROUP
    TEST_ENTRY(anet_unix_server_group),
    TEST_ENTRY(anet_client_sockets_cloexec),
#endif
    TEST_END,
};
