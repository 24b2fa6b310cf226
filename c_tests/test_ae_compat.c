/* Uses ae.h the way Redis 3.0.7's sources do, and pins the ABI layout.
 * Also defines the host allocator (zmalloc/zrealloc/zfree, or Valkey 8.1's
 * valkey_malloc/valkey_realloc/valkey_free) with a size prefix, like Redis's
 * zmalloc.c with libc malloc, so the whole suite runs with the library's
 * allocations accounted by "the host". */
#include "runner.h"
#include "gen.h"
#include "test_helpers.h"
#include "ae.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the host allocator ---- */
#if GEN_VALKEY_ALLOC
#define zmalloc valkey_malloc
#define zrealloc valkey_realloc
#define zfree valkey_free
#endif
#define PREFIX_SIZE sizeof(size_t)
/* The counters are shared by every thread that allocates (test_threads.c
 * runs loops on four), so they are updated under a mutex, which both
 * ThreadSanitizer and helgrind understand. */
static pthread_mutex_t counters_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t used_memory;
static long long zcalls;

static void account(size_t add, size_t sub, int call) {
    pthread_mutex_lock(&counters_lock);
    used_memory = used_memory + add - sub;
    zcalls += call;
    pthread_mutex_unlock(&counters_lock);
}

/* Unlike Redis's, this zmalloc returns NULL when memory runs out, so the
 * library's own out-of-memory paths can be tested. */
void *zmalloc(size_t size) {
    if (size > ((size_t)1 << 34)) return NULL;
    void *p = malloc(size + PREFIX_SIZE);
    if (!p) return NULL;
    *(size_t *)p = size;
    account(size, 0, 1);
    return (char *)p + PREFIX_SIZE;
}

void zfree(void *ptr) {
    if (!ptr) return;
    char *real = (char *)ptr - PREFIX_SIZE;
    account(0, *(size_t *)real, 0);
    free(real);
}

void *zrealloc(void *ptr, size_t size) {
    if (!ptr) return zmalloc(size);
    char *real = (char *)ptr - PREFIX_SIZE;
    size_t old = *(size_t *)real;
    if (size > ((size_t)1 << 34)) return NULL;
    char *n = realloc(real, size + PREFIX_SIZE);
    if (!n) return NULL;
    *(size_t *)n = size;
    account(size, old, 1);
    return n + PREFIX_SIZE;
}

size_t test_zmalloc_used(void) {
    pthread_mutex_lock(&counters_lock);
    size_t v = used_memory;
    pthread_mutex_unlock(&counters_lock);
    return v;
}

long long test_zmalloc_calls(void) {
    pthread_mutex_lock(&counters_lock);
    long long v = zcalls;
    pthread_mutex_unlock(&counters_lock);
    return v;
}

/* ---- layout, as in the generation's reference headers on LP64 ---- */
#if defined(__LP64__)
_Static_assert(sizeof(aeFileEvent) == 32, "aeFileEvent size");
_Static_assert(offsetof(aeFileEvent, rfileProc) == 8, "rfileProc");
_Static_assert(offsetof(aeFileEvent, wfileProc) == 16, "wfileProc");
_Static_assert(offsetof(aeFileEvent, clientData) == 24, "clientData");
_Static_assert(sizeof(aeFiredEvent) == 8, "aeFiredEvent size");
_Static_assert(offsetof(aeFiredEvent, mask) == 4, "fired mask");
_Static_assert(offsetof(aeEventLoop, setsize) == 4, "setsize");
_Static_assert(offsetof(aeEventLoop, timeEventNextId) == 8, "timeEventNextId");
#if !GEN_MONOTONIC_TIMERS
/* 3.0-6.0: wall-clock due times, lastTime. */
_Static_assert(offsetof(aeTimeEvent, when_sec) == 8, "when_sec");
_Static_assert(offsetof(aeTimeEvent, when_ms) == 16, "when_ms");
_Static_assert(offsetof(aeTimeEvent, timeProc) == 24, "timeProc");
_Static_assert(offsetof(aeTimeEvent, finalizerProc) == 32, "finalizerProc");
_Static_assert(offsetof(aeTimeEvent, clientData) == 40, "te clientData");
_Static_assert(offsetof(aeEventLoop, lastTime) == 16, "lastTime");
_Static_assert(offsetof(aeEventLoop, events) == 24, "events");
_Static_assert(offsetof(aeEventLoop, fired) == 32, "fired");
_Static_assert(offsetof(aeEventLoop, timeEventHead) == 40, "timeEventHead");
_Static_assert(offsetof(aeEventLoop, stop) == 48, "stop");
_Static_assert(offsetof(aeEventLoop, apidata) == 56, "apidata");
_Static_assert(offsetof(aeEventLoop, beforesleep) == 64, "beforesleep");
#else
/* 6.2+: monotonic microseconds, no lastTime. */
_Static_assert(sizeof(monotime) == 8, "monotime");
_Static_assert(sizeof(aeTimeEvent) == 64, "aeTimeEvent size");
_Static_assert(offsetof(aeTimeEvent, when) == 8, "when");
_Static_assert(offsetof(aeTimeEvent, timeProc) == 16, "timeProc");
_Static_assert(offsetof(aeTimeEvent, finalizerProc) == 24, "finalizerProc");
_Static_assert(offsetof(aeTimeEvent, clientData) == 32, "te clientData");
_Static_assert(offsetof(aeTimeEvent, prev) == 40, "prev");
_Static_assert(offsetof(aeTimeEvent, next) == 48, "next");
_Static_assert(offsetof(aeTimeEvent, refcount) == 56, "refcount");
_Static_assert(offsetof(aeEventLoop, events) == 16, "events");
_Static_assert(offsetof(aeEventLoop, fired) == 24, "fired");
_Static_assert(offsetof(aeEventLoop, timeEventHead) == 32, "timeEventHead");
_Static_assert(offsetof(aeEventLoop, stop) == 40, "stop");
_Static_assert(offsetof(aeEventLoop, apidata) == 48, "apidata");
_Static_assert(offsetof(aeEventLoop, beforesleep) == 56, "beforesleep");
_Static_assert(offsetof(aeEventLoop, aftersleep) == 64, "aftersleep");
#endif
#if GEN == GEN_R30
_Static_assert(sizeof(aeTimeEvent) == 56, "aeTimeEvent size");
_Static_assert(offsetof(aeTimeEvent, next) == 48, "next");
_Static_assert(sizeof(aeEventLoop) == 72, "aeEventLoop size");
#elif GEN == GEN_R50
_Static_assert(sizeof(aeTimeEvent) == 64, "aeTimeEvent size");
_Static_assert(offsetof(aeTimeEvent, prev) == 48, "prev");
_Static_assert(offsetof(aeTimeEvent, next) == 56, "next");
_Static_assert(sizeof(aeEventLoop) == 80, "aeEventLoop size");
_Static_assert(offsetof(aeEventLoop, aftersleep) == 72, "aftersleep");
_Static_assert(AE_CALL_AFTER_SLEEP == 8, "after-sleep flag");
#elif GEN == GEN_R60
_Static_assert(sizeof(aeTimeEvent) == 72, "aeTimeEvent size");
_Static_assert(offsetof(aeTimeEvent, refcount) == 64, "refcount");
_Static_assert(sizeof(aeEventLoop) == 88, "aeEventLoop size");
_Static_assert(offsetof(aeEventLoop, aftersleep) == 72, "aftersleep");
_Static_assert(offsetof(aeEventLoop, flags) == 80, "flags");
#elif GEN >= GEN_R62 && GEN <= GEN_R72
_Static_assert(sizeof(aeEventLoop) == 80, "aeEventLoop size");
_Static_assert(offsetof(aeEventLoop, flags) == 72, "flags");
#else
_Static_assert(sizeof(aeEventLoop) == 128, "aeEventLoop size");
_Static_assert(offsetof(aeEventLoop, custompoll) == 72, "custompoll");
_Static_assert(offsetof(aeEventLoop, poll_mutex) == 80, "poll_mutex");
_Static_assert(offsetof(aeEventLoop, flags) == 120, "flags");
_Static_assert(AE_PROTECT_POLL == 32, "protect flag");
#endif
#if GEN >= GEN_R60
_Static_assert(AE_CALL_BEFORE_SLEEP == 8 && AE_CALL_AFTER_SLEEP == 16, "sleep flags");
#endif
#endif
_Static_assert(AE_OK == 0 && AE_ERR == -1, "codes");
_Static_assert(AE_NONE == 0 && AE_READABLE == 1 && AE_WRITABLE == 2 && AE_BARRIER == 4, "masks");
_Static_assert(AE_FILE_EVENTS == 1 && AE_TIME_EVENTS == 2 && AE_ALL_EVENTS == 3 && AE_DONT_WAIT == 4, "flags");
_Static_assert(AE_NOMORE == -1 && AE_DELETED_EVENT_ID == -1, "ids");

/* ---- Redis-style usage ---- */
struct server_like { aeEventLoop *el; int hz; long long cronloops; };
static struct server_like server;

static void acceptHandler(aeEventLoop *el, int fd, void *privdata, int mask) {
    AE_NOTUSED(el);
    AE_NOTUSED(mask);
    AE_NOTUSED(privdata);
    char buf[16];
    (void)!read(fd, buf, sizeof(buf));
    aeStop(server.el);
}

static timer_ret serverCron(struct aeEventLoop *eventLoop, long long id, void *clientData) {
    AE_NOTUSED(eventLoop);
    AE_NOTUSED(id);
    AE_NOTUSED(clientData);
    server.cronloops++;
    return 1000 / server.hz;
}

static void beforeSleep(struct aeEventLoop *eventLoop) {
    AE_NOTUSED(eventLoop);
}

TEST(source_compat_redis_style) {
    aeFileProc *p = acceptHandler;
    aeTimeProc *t = serverCron;
    aeBeforeSleepProc *b = beforeSleep;
    aeEventFinalizerProc *f = NULL;
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    server.hz = 100;
    server.el = aeCreateEventLoop(1024 + 32 + 96);
    CHECK(server.el != NULL);
    CHECK(aeCreateTimeEvent(server.el, 1, t, NULL, f) != AE_ERR);
    CHECK(aeCreateFileEvent(server.el, sv[0], AE_READABLE, p, NULL) != AE_ERR);
    aeSetBeforeSleepProc(server.el, b);
    aeFileEvent *fe = &server.el->events[sv[0]];
    CHECK(fe->rfileProc == acceptHandler && fe->mask == AE_READABLE);
    CHECK(write(sv[1], "go", 2) == 2);
    aeMain(server.el);
    CHECK(server.el->stop == 1);
    char *api = aeGetApiName();
    CHECK(api != NULL && strlen(api) > 0);
    aeDeleteEventLoop(server.el);
    return 0;
}

TEST(layout_matches_reference_at_run_time) {
    aeEventLoop *el = aeCreateEventLoop(16);
    CHECK(el != NULL);
    /* Raw offsets, as a C caller built against the 3.0.7 header reads them. */
    char *raw = (char *)el;
    CHECK_EQ_INT(*(int *)(raw + 0), -1);
    CHECK_EQ_INT(*(int *)(raw + 4), 16);
    CHECK(*(aeFileEvent **)(raw + (GEN_MONOTONIC_TIMERS ? 16 : 24)) == el->events);
    aeDeleteEventLoop(el);
    return 0;
}

const struct test_entry ae_compat_tests[] = {
    TEST_ENTRY(source_compat_redis_style),
    TEST_ENTRY(layout_matches_reference_at_run_time),
    TEST_END
};
