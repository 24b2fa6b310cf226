/* A host that defines _serverPanic, as Redis 7.0+ does (debug.c): run by
 * the wait_error_calls_host_panic test (test_ae_v7.c), built next to each
 * C suite binary (panic_host, panic_host_shared, panic_host_asan). It
 * breaks its loop's wait (break_wait.h) and calls aeProcessEvents; its
 * _serverPanic prints what it was given on stdout, then
 *   panic_host exit    ends the process with _exit(70), as Redis's does not return;
 *   panic_host return  returns, so the library must end the process itself.
 * Anything else on stdout, or exit status 0, means the library did not panic. */
#include "ae.h"
#include "gen.h"
#include "break_wait.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int panic_returns;
static aeEventLoop *el; /* reachable: leak checkers see no loss at the end */

void _serverPanic(const char *file, int line, const char *msg, ...) {
    char text[256];
    va_list ap;
    va_start(ap, msg);
    vsnprintf(text, sizeof(text), msg, ap);
    va_end(ap);
    printf("panic file=%s line=%d msg=%s\n", file ? file : "(null)", line, text);
    fflush(stdout);
    if (!panic_returns) _exit(70);
}

static void never(aeEventLoop *l, int fd, void *data, int mask) {
    (void)l; (void)fd; (void)data; (void)mask;
    printf("handler called\n");
}

static timer_ret later(aeEventLoop *l, long long id, void *data) {
    (void)l; (void)id; (void)data;
    printf("timer fired\n");
    return AE_NOMORE;
}

int main(int argc, char **argv) {
    if (argc != 2 || (strcmp(argv[1], "exit") != 0 && strcmp(argv[1], "return") != 0)) {
        fprintf(stderr, "usage: panic_host exit|return\n");
        return 2;
    }
    panic_returns = strcmp(argv[1], "return") == 0;
    el = aeCreateEventLoop(64);
    if (!el) { perror("aeCreateEventLoop"); return 2; }
    if (aeCreateTimeEvent(el, 10000, later, NULL, NULL) < 0) return 2;
    if (bw_break(el, never) != 0) return 2;
    int n = aeProcessEvents(el, AE_ALL_EVENTS);
    printf("aeProcessEvents returned %d\n", n);
    return 0;
}
