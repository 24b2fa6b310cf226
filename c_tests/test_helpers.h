/* Small helpers shared by the C tests. */
#ifndef AENET_TEST_HELPERS_H
#define AENET_TEST_HELPERS_H

#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline long long mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Running out of descriptors: fd_limit_exhaust() fills every hole below
 * the highest open descriptor and lowers the soft limit to just above it,
 * so the next descriptor anything asks for fails with EMFILE;
 * fd_limit_restore() (also run at exit) gives the limit back. */
static struct rlimit fd_limit_saved;
static int fd_limit_lowered;

static inline void fd_limit_restore(void) {
    if (fd_limit_lowered) setrlimit(RLIMIT_NOFILE, &fd_limit_saved);
}

static inline void fd_limit_exhaust(void) {
    int maxfd = 0;
    for (int fd = 0; fd < 4096; fd++) if (fcntl(fd, F_GETFD) != -1) maxfd = fd;
    for (;;) {
        int d = dup(0);
        CHECK(d >= 0);
        if (d > maxfd) { close(d); break; }
    }
    if (!fd_limit_lowered) {
        CHECK(getrlimit(RLIMIT_NOFILE, &fd_limit_saved) == 0);
        atexit(fd_limit_restore);
    }
    fd_limit_lowered = 1;
    struct rlimit low = { (rlim_t)maxfd + 1, fd_limit_saved.rlim_max };
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    CHECK(dup(0) == -1 && errno == EMFILE);
}

/* Host allocator accounting (defined in test_ae_compat.c, like Redis's zmalloc). */
size_t test_zmalloc_used(void);
long long test_zmalloc_calls(void);

#endif
