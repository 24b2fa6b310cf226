/* A minimal test runner in the manner of libuv's: every test runs in its own
 * child process under a timeout; a test passes by returning 0, is skipped by
 * returning TEST_SKIP, and fails on anything else (a failed CHECK, a crash,
 * a signal, the timeout). No framework, plain C99. */
#ifndef AENET_TEST_RUNNER_H
#define AENET_TEST_RUNNER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define TEST_SKIP 77

typedef int (*test_fn)(void);

struct test_entry {
    const char *name;
    test_fn fn;
    int timeout_ms; /* 0: the default */
};

#define TEST(name) int test_##name(void)
#define TEST_ENTRY(name) { #name, test_##name, 0 }
#define TEST_ENTRY_TIMEOUT(name, ms) { #name, test_##name, (ms) }
#define TEST_END { NULL, NULL, 0 }

#define CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n", \
                __FILE__, __LINE__, #cond, errno, strerror(errno)); \
        exit(1); \
    } \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
    if (check_a_ != check_b_) { \
        fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s == %lld, %s == %lld\n", \
                __FILE__, __LINE__, #a, check_a_, #b, check_b_); \
        exit(1); \
    } \
} while (0)

#define CHECK_EQ_STR(a, b) do { \
    const char *check_a_ = (a), *check_b_ = (b); \
    if (strcmp(check_a_, check_b_) != 0) { \
        fprintf(stderr, "%s:%d: CHECK_EQ_STR failed:\n  %s = \"%s\"\n  %s = \"%s\"\n", \
                __FILE__, __LINE__, #a, check_a_, #b, check_b_); \
        exit(1); \
    } \
} while (0)

#define SKIP(why) do { fprintf(stderr, "skip: %s\n", (why)); return TEST_SKIP; } while (0)

/* Runs every test of every suite (or those whose name contains one of
 * argv[1..], or else one of the comma-separated AENET_TESTS); prints one
 * line per test and ends with "N passed, N failed, N skipped". */
int run_suites(const struct test_entry *const *suites, int argc, char **argv);

#endif
