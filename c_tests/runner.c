#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS 30000

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the child with a deadline on SIGCHLD (blocked, so it queues),
 * then kills its process group so no grandchild outlives the test.
 * Returns 0, or -1 for a timeout. */
static int run_one(const struct test_entry *t, int *status_out, long long *elapsed_ms, int *timeout_ms) {
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        setpgid(0, 0);
        int rc = t->fn();
        fflush(stdout);
        fflush(stderr);
        exit(rc); /* exit, not _exit: leak checkers run at exit */
    }
    setpgid(pid, pid);
    int timeout = t->timeout_ms ? t->timeout_ms : DEFAULT_TIMEOUT_MS;
    const char *scale = getenv("AENET_TEST_TIMEOUT_SCALE");
    if (scale && atoi(scale) > 1) timeout *= atoi(scale);
    long long started = now_ms(), deadline = started + timeout;
    int status = 0, timed_out = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
            break;
        }
        struct timespec ts = { (time_t)(left / 1000), (long)(left % 1000) * 1000000L };
        sigtimedwait(&chld, NULL, &ts);
    }
    kill(-pid, SIGKILL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    *status_out = status;
    *elapsed_ms = now_ms() - started;
    *timeout_ms = timeout;
    return timed_out ? -1 : 0;
}

/* Selected by a substring of argv[1..], or without arguments by one of
 * the comma-separated substrings in AENET_TESTS (how make check-helgrind
 * picks the thread tests), or all. */
static int selected(const char *name, int argc, char **argv) {
    if (argc > 1) {
        for (int i = 1; i < argc; i++) if (strstr(name, argv[i])) return 1;
        return 0;
    }
    const char *list = getenv("AENET_TESTS");
    if (!list || !*list) return 1;
    while (*list) {
        size_t n = strcspn(list, ",");
        if (n > 0 && n < 128) {
            char part[128];
            memcpy(part, list, n);
            part[n] = '\0';
            if (strstr(name, part)) return 1;
        }
        list += n;
        if (*list == ',') list++;
    }
    return 0;
}

int run_suites(const struct test_entry *const *suites, int argc, char **argv) {
    const char *backend = getenv("AENET_BACKEND");
    int passed = 0, failed = 0, skipped = 0, n = 0;
    signal(SIGPIPE, SIG_IGN);
    for (int s = 0; suites[s]; s++) {
        for (const struct test_entry *t = suites[s]; t->name; t++) {
            if (!selected(t->name, argc, argv)) continue;
            int status, timeout;
            long long elapsed;
            int rc = run_one(t, &status, &elapsed, &timeout);
            n++;
            if (rc < 0) {
                printf("not ok %d - %s (timeout)\n", n, t->name);
                failed++;
            } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                printf("ok %d - %s\n", n, t->name);
                passed++;
            } else if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_SKIP) {
                printf("ok %d - %s # SKIP\n", n, t->name);
                skipped++;
            } else if (WIFSIGNALED(status)) {
                printf("not ok %d - %s (signal %d)\n", n, t->name, WTERMSIG(status));
                failed++;
            } else {
                printf("not ok %d - %s (exit %d)\n", n, t->name, WEXITSTATUS(status));
                failed++;
            }
            /* A test close to its deadline fails on a slower machine. */
            if (rc == 0 && elapsed > timeout / 3)
                printf("# slow: %s took %lld ms of its %d\n", t->name, elapsed, timeout);
            fflush(stdout);
        }
    }
    printf("backend %s\n", backend ? backend : "default");
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
