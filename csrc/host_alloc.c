/* Route aenet's allocations through the host's allocator when the host
 * defines it (Redis's used_memory then counts them), plain malloc otherwise:
 * zmalloc/zrealloc/zfree, or valkey_malloc/valkey_realloc/valkey_free where
 * the generation's host renamed them (Valkey 8.1; build.rs defines
 * AENET_HOST_ALLOC_VALKEY). The references are weak: a program without them
 * links and runs. */
#include <stdlib.h>

#ifdef AENET_HOST_ALLOC_VALKEY
#define HOST(name) valkey_##name
#else
#define HOST(name) z##name
#endif

extern void *HOST(malloc)(size_t size) __attribute__((weak));
extern void *HOST(realloc)(void *ptr, size_t size) __attribute__((weak));
extern void HOST(free)(void *ptr) __attribute__((weak));

static int host_has_allocator(void) {
    return HOST(malloc) != NULL && HOST(realloc) != NULL && HOST(free) != NULL;
}

void *aenet_host_malloc(size_t size) {
    return host_has_allocator() ? HOST(malloc)(size) : malloc(size);
}

void *aenet_host_realloc(void *ptr, size_t size) {
    return host_has_allocator() ? HOST(realloc)(ptr, size) : realloc(ptr, size);
}

void aenet_host_free(void *ptr) {
    if (host_has_allocator()) HOST(free)(ptr); else free(ptr);
}
