/* Makes the next wait of a loop fail for real:
 *  - epoll: a non-epoll file (/dev/null) is dup2'd over the loop's epoll
 *    descriptor, so epoll_wait gets an fd that is not an epoll instance
 *    (EINVAL);
 *  - io_uring: /dev/null is dup2'd over the loop's ring descriptor, so
 *    io_uring_enter gets an fd that is not a ring (EOPNOTSUPP);
 *  - poll: RLIMIT_NOFILE is lowered below the number of fds polled, which
 *    poll(2) refuses.
 * Used by the wait-error tests (test_ae_v7.c) and by progs/panic_host.c.
 * For a process that is about to end: nothing is restored. */
#ifndef AENET_TEST_BREAK_WAIT_H
#define AENET_TEST_BREAK_WAIT_H

#include "ae.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static inline int bw_is_epoll(void) { return strcmp(aeGetApiName(), "epoll") == 0; }
static inline int bw_is_io_uring(void) { return strcmp(aeGetApiName(), "io_uring") == 0; }

/* The one descriptor of the process whose link reads `kind` (the loop's
 * epoll instance or ring), or -1 (-2: more than one). */
static inline int bw_anon_fd(const char *kind) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int found = -1, dfd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        if (fd == dfd) continue;
        char path[64], target[128];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        if (strcmp(target, kind) == 0) {
            if (found >= 0) { found = -2; break; } /* more than one: ambiguous */
            found = fd;
        }
    }
    closedir(d);
    return found;
}

/* Registers two sockets READABLE on `el` (nothing ready), then breaks its
 * backend. Returns 0, or -1 with a message on stderr. */
static inline int bw_break(aeEventLoop *el, aeFileProc *proc) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return -1; }
    if (aeCreateFileEvent(el, sv[0], AE_READABLE, proc, NULL) != AE_OK ||
        aeCreateFileEvent(el, sv[1], AE_READABLE, proc, NULL) != AE_OK) {
        fprintf(stderr, "aeCreateFileEvent failed\n");
        return -1;
    }
    if (bw_is_epoll() || bw_is_io_uring()) {
        /* io_uring: the backend's other epoll fd only checks registrations. */
        int ep = bw_anon_fd(bw_is_epoll() ? "anon_inode:[eventpoll]" : "anon_inode:[io_uring]");
        if (ep < 0) { fprintf(stderr, "no single loop fd found (%d)\n", ep); return -1; }
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, ep) != ep) { perror("dup2"); return -1; }
        close(null);
    } else {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0) { perror("getrlimit"); return -1; }
        rl.rlim_cur = 1; /* two fds polled */
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) { perror("setrlimit"); return -1; }
    }
    return 0;
}

/* What the reference's panic says for this backend's failed wait. */
static inline void bw_expected(char *buf, size_t len) {
    if (bw_is_io_uring())
        snprintf(buf, len, "aeApiPoll: io_uring_enter, %s", strerror(EOPNOTSUPP));
    else
        snprintf(buf, len, "aeApiPoll: %s, %s", bw_is_epoll() ? "epoll_wait" : "poll", strerror(EINVAL));
}

#endif
