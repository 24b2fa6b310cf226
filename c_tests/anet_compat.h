/* The clients and names the tests use as tools, from whatever this
 * generation's anet has: the legacy functions where they exist (so every
 * use also exercises them), otherwise what replaced them. */
#ifndef AENET_TEST_ANET_COMPAT_H
#define AENET_TEST_ANET_COMPAT_H

#include "anet.h"
#include "gen.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A blocking TCP client. */
static inline int t_tcp_connect(char *err, const char *addr, int port) {
#if GEN_ANET_LEGACY
    return anetTcpConnect(err, (char *)addr, port);
#else
    int fd = anetTcpNonBlockConnect(err, addr, port);
    if (fd < 0) return fd;
    struct pollfd p = { fd, POLLOUT, 0 };
    int e = 0;
    socklen_t len = sizeof(e);
    if (poll(&p, 1, 5000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0 || e != 0) {
        if (err) snprintf(err, ANET_ERR_LEN, "connect: %s", strerror(e ? e : ETIMEDOUT));
        close(fd);
        errno = e ? e : ETIMEDOUT;
        return ANET_ERR;
    }
    anetBlock(NULL, fd);
    return fd;
#endif
}

/* The local and peer address of an fd, as anetSockName/anetPeerToString
 * reported them before 6.2. */
static inline int t_sock_name(int fd, char *ip, size_t ip_len, int *port) {
#if GEN_ANET_LEGACY
    return anetSockName(fd, ip, ip_len, port);
#elif GEN_FD_TO_STRING_REMOTE
    return anetFdToString(fd, ip, ip_len, port, 0);
#else
    return anetFdToString(fd, ip, ip_len, port, FD_TO_SOCK_NAME);
#endif
}

static inline int t_peer_name(int fd, char *ip, size_t ip_len, int *port) {
#if GEN_ANET_LEGACY
    return anetPeerToString(fd, ip, ip_len, port);
#elif GEN_FD_TO_STRING_REMOTE
    return anetFdToString(fd, ip, ip_len, port, 1);
#else
    return anetFdToString(fd, ip, ip_len, port, FD_TO_PEER_NAME);
#endif
}

/* A blocking unix-domain client. */
static inline int t_unix_connect(char *err, const char *path) {
#if GEN_ANET_LEGACY
    return anetUnixConnect(err, (char *)path);
#elif GEN_UNIX_GENERIC_CONNECT
    return anetUnixGenericConnect(err, (char *)path, 0);
#else
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n >= sizeof(sa.sun_path)) {
        if (err) snprintf(err, ANET_ERR_LEN, "unix socket path too long");
        errno = ENAMETOOLONG;
        return ANET_ERR;
    }
    memcpy(sa.sun_path, path, n + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        if (err) snprintf(err, ANET_ERR_LEN, "connect: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return ANET_ERR;
    }
    return fd;
#endif
}

/* anetUnixServer, with no group where the generation takes one. */
static inline int t_unix_server(char *err, const char *path, mode_t perm, int backlog) {
#if GEN_UNIX_SERVER_GROUP
    return anetUnixServer(err, (char *)path, perm, backlog, NULL);
#else
    return anetUnixServer(err, (char *)path, perm, backlog);
#endif
}

#endif
