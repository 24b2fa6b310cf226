/* Route aenet's allocations through the host's zmalloc family when the host
 * defines it (Redis's used_memory then counts them), plain malloc otherwise.
 * The references are weak: a program without zmalloc links and runs. */
#include <stdlib.h>

extern void *zmalloc(size_t size) __attribute__((weak));
extern void *zrealloc(void *ptr, size_t size) __attribute__((weak));
extern void zfree(void *ptr) __attribute__((weak));

static int host_has_zmalloc(void) {
    return zmalloc != NULL && zrealloc != NULL && zfree != NULL;
}

void *aenet_host_malloc(size_t size) {
    return host_has_zmalloc() ? zmalloc(size) : malloc(size);
}

void *aenet_host_realloc(void *ptr, size_t size) {
    return host_has_zmalloc() ? zrealloc(ptr, size) : realloc(ptr, size);
}

void aenet_host_free(void *ptr) {
    if (host_has_zmalloc()) zfree(ptr); else free(ptr);
}
