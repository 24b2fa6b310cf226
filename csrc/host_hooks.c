/* The host functions libaenet calls when the program defines them (weak
 * references: a program without them links and runs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *monotonicInit(void) __attribute__((weak));
extern void _serverPanic(const char *file, int line, const char *msg, ...) __attribute__((weak));

void aenet_host_monotonic_init(void) {
    if (monotonicInit) monotonicInit();
}

/* What Redis 7.0+'s ae does when epoll_wait fails with anything but EINTR:
 * panic("aeApiPoll: epoll_wait, %s", strerror(errno)). */
void aenet_host_panic(int errnum) {
    if (_serverPanic) _serverPanic("ae.c", 0, "aeApiPoll: epoll_wait, %s", strerror(errnum));
    fprintf(stderr, "aenet: aeApiPoll: epoll_wait, %s\n", strerror(errnum));
    abort();
}
