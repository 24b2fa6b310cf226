/* Small helpers shared by the C tests. */
#ifndef AENET_TEST_HELPERS_H
#define AENET_TEST_HELPERS_H

#include <time.h>

static inline long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Host allocator accounting (defined in test_ae_compat.c, like Redis's zmalloc). */
size_t test_zmalloc_used(void);
long long test_zmalloc_calls(void);

#endif
