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

/* What Redis 7.0+'s ae does when its wait fails with anything but EINTR:
 * panic("aeApiPoll: epoll_wait, %s", strerror(errno)), i.e. the host's
 * _serverPanic, which does not return. `call` names the backend's wait
 * ("epoll_wait" or "poll"); `file` and `line` say where in the library the
 * failure was seen. Without _serverPanic, or if it returns, the same text
 * goes to stderr and the process aborts: never a silent spin. */
void aenet_host_panic(const char *file, int line, const char *call, int errnum) {
    const char *why = strerror(errnum);
    if (_serverPanic) _serverPanic(file, line, "aeApiPoll: %s, %s", call, why);
    fprintf(stderr, "aenet: aeApiPoll: %s, %s (%s:%d)\n", call, why, file, line);
    fflush(stderr);
    abort();
}
