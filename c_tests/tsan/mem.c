/* Linked into the ThreadSanitizer build of the C suite only (make
 * check-tsan), compiled without instrumentation. The Rust library is
 * instrumented by rustc's LLVM, which calls __tsan_memcpy, __tsan_memmove
 * and __tsan_memset for the copies it makes; gcc 12's libtsan predates
 * those entry points. Each forwards to the libc function, which libtsan
 * intercepts and checks as a read of the source and a write of the
 * destination, as the missing entry points would. */
#include <string.h>

void *__tsan_memcpy(void *dst, const void *src, size_t n) { return memcpy(dst, src, n); }
void *__tsan_memmove(void *dst, const void *src, size_t n) { return memmove(dst, src, n); }
void *__tsan_memset(void *dst, int c, size_t n) { return memset(dst, c, n); }
