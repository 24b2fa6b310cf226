/* Where the before-sleep and after-sleep callbacks run, per generation:
 *  - 3.0: beforesleep by aeMain only, no after-sleep;
 *  - 4.0/5.0 (redis50): beforesleep by aeMain only; the after-sleep callback
 *    inside aeProcessEvents right after the wait, before any dispatch, only
 *    with AE_CALL_AFTER_SLEEP (8), which aeMain passes;
 *  - 6.0-7.0: both inside aeProcessEvents, each only with its flag
 *    (AE_CALL_BEFORE_SLEEP 8, AE_CALL_AFTER_SLEEP 16; aeMain passes both);
 *    beforesleep after the wait's timeout and the loop's DONT_WAIT were
 *    read, so aeSetDontWait from inside it applies to the next wait;
 *  - 7.2+: beforesleep first, so aeSetDontWait from inside it applies now;
 *  - Valkey 8: the after-sleep callback is told how many events fired.
 * On real sockets and timers; the order of every callback is recorded. */
#include "runner.h"
#include "gen.h"
#include "test_helpers.h"
#include "ae.h"

#include <sys/socket.h>
#include <unistd.h>

static char order[64];
static int norder;
static int read_sv[2];
static aeEventLoop *el;
#if GEN_CUSTOM_POLL
static int last_numevents = -1;
#endif

static void note(char c) {
    if (norder < (int)sizeof(order) - 1) order[norder++] = c;
    order[norder] = '\0';
}

static void before(struct aeEventLoop *l) { (void)l; note('B'); }
#if GEN_CUSTOM_POLL
static void after(struct aeEventLoop *l, int numevents) { (void)l; last_numevents = numevents; note('A'); }
#elif GEN_AFTER_SLEEP
static void after(struct aeEventLoop *l) { (void)l; note('A'); }
#endif

static void on_read(aeEventLoop *l, int fd, void *data, int mask) {
    (void)l; (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
    note('R');
}

static timer_ret stop_timer(aeEventLoop *l, long long id, void *data) {
    (void)id; (void)data;
    note('T');
    aeStop(l);
    return AE_NOMORE;
}

static void setup(void) {
    norder = 0;
    order[0] = '\0';
    el = aeCreateEventLoop(64);
    CHECK(el != NULL);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, read_sv) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, read_sv[0], AE_READABLE, on_read, NULL), AE_OK);
    aeSetBeforeSleepProc(el, before);
#if GEN_AFTER_SLEEP
    aeSetAfterSleepProc(el, after);
#endif
}

/* aeMain: beforesleep before the wait, after-sleep (where it exists) right
 * after it, then the file event, then the timer. */
TEST(main_calls_the_sleep_hooks_in_order) {
    setup();
    CHECK(write(read_sv[1], "x", 1) == 1);
    CHECK(aeCreateTimeEvent(el, 0, stop_timer, NULL, NULL) >= 0);
    aeMain(el);
#if GEN_AFTER_SLEEP
    CHECK_EQ_STR(order, "BART");
#else
    CHECK_EQ_STR(order, "BRT");
#endif
    aeDeleteEventLoop(el);
    return 0;
}

/* Each callback runs inside aeProcessEvents only where the generation has
 * it there, and only with its flag. */
TEST(process_events_calls_the_hooks_only_with_their_flags) {
    setup();
    CHECK(write(read_sv[1], "x", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_STR(order, "R");
#if GEN_BEFORE_SLEEP_IN_PROCESS
    CHECK_EQ_INT(AE_CALL_BEFORE_SLEEP, 8);
    CHECK_EQ_INT(AE_CALL_AFTER_SLEEP, 16);
    CHECK(write(read_sv[1], "y", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_BEFORE_SLEEP), 1);
    CHECK_EQ_STR(order, "RBR");
    CHECK(write(read_sv[1], "z", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 1);
    CHECK_EQ_STR(order, "RBRAR");
    /* No wait (no fd, DONT_WAIT): neither. */
    aeDeleteFileEvent(el, read_sv[0], AE_READABLE);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_STR(order, "RBRAR");
#elif GEN_AFTER_SLEEP
    CHECK_EQ_INT(AE_CALL_AFTER_SLEEP, 8);
    CHECK(write(read_sv[1], "y", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 1);
    CHECK_EQ_STR(order, "RAR");
    /* After the wait even when it saw nothing. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_STR(order, "RARA");
    /* No wait (no fd, DONT_WAIT), no after-sleep. */
    aeDeleteFileEvent(el, read_sv[0], AE_READABLE);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_STR(order, "RARA");
    /* Removing it. */
    aeSetAfterSleepProc(el, NULL);
    CHECK_EQ_INT(aeCreateFileEvent(el, read_sv[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_STR(order, "RARA");
    CHECK(el->aftersleep == NULL);
#endif
    aeDeleteEventLoop(el);
    return 0;
}

#if GEN_AFTER_SLEEP
/* The after-sleep callback may delete the fd that fired: the dispatcher
 * skips it (it re-reads the table after every callback). */
#if GEN_CUSTOM_POLL
static void after_deletes(struct aeEventLoop *l, int numevents) {
    (void)numevents;
#else
static void after_deletes(struct aeEventLoop *l) {
#endif
    note('A');
    aeDeleteFileEvent(l, read_sv[0], AE_READABLE);
}

TEST(after_sleep_may_change_the_table_before_dispatch) {
    setup();
    aeSetAfterSleepProc(el, after_deletes);
    CHECK(write(read_sv[1], "x", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 1);
    CHECK_EQ_STR(order, "A");
    aeDeleteEventLoop(el);
    return 0;
}
#endif

#if GEN_CUSTOM_POLL
/* Valkey 8: the after-sleep callback gets the number of fired events. */
TEST(after_sleep_is_told_how_many_events_fired) {
    setup();
    int sv2[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, sv2[0], AE_READABLE, on_read, NULL), AE_OK);
    CHECK(write(read_sv[1], "x", 1) == 1 && write(sv2[1], "y", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 2);
    CHECK_EQ_INT(last_numevents, 2);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT | AE_CALL_AFTER_SLEEP), 0);
    CHECK_EQ_INT(last_numevents, 0);
    aeDeleteEventLoop(el);
    return 0;
}
#endif

#if GEN_DONT_WAIT
static timer_ret note_timer(aeEventLoop *l, long long id, void *data) {
    (void)l; (void)id; (void)data;
    note('T');
    return AE_NOMORE;
}

/* aeSetDontWait makes every wait zero until cleared. The clock starts
 * before the timer and the timer is a second away, so a process stalled
 * for a while (memcheck on a busy machine) still sees what is checked. */
TEST(dont_wait_persists_until_cleared) {
    setup();
    aeSetBeforeSleepProc(el, NULL);
    long long t0 = mono_ms();
    CHECK(aeCreateTimeEvent(el, 1000, note_timer, NULL, NULL) >= 0);
    aeSetDontWait(el, 1);
    CHECK(el->flags & AE_DONT_WAIT);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 0);
    CHECK(mono_ms() - t0 < 800);
    CHECK_EQ_STR(order, "");
    aeSetDontWait(el, 0);
    CHECK(!(el->flags & AE_DONT_WAIT));
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS), 1); /* waits for the timer */
    CHECK(mono_ms() - t0 >= 990);
    CHECK_EQ_STR(order, "T");
    aeDeleteEventLoop(el);
    return 0;
}

static void before_sets_dont_wait(struct aeEventLoop *l) {
    note('B');
    aeSetDontWait(l, 1);
}

/* aeSetDontWait from inside beforesleep: 6.0-7.0 read the loop's flag
 * before calling it, so this wait still sleeps until the timer; 7.2+ call
 * it first, so this wait is already zero (the timer is a second away
 * there, so a stalled process does not see it due). */
TEST(dont_wait_from_before_sleep_applies_when_the_generation_says) {
    setup();
    aeSetBeforeSleepProc(el, before_sets_dont_wait);
    long long t0 = mono_ms();
    CHECK(aeCreateTimeEvent(el, GEN_BEFORE_SLEEP_FIRST ? 1000 : 300, note_timer, NULL, NULL) >= 0);
    int n = aeProcessEvents(el, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP);
    long long took = mono_ms() - t0;
#if GEN_BEFORE_SLEEP_FIRST
    CHECK_EQ_INT(n, 0);
    CHECK(took < 800);
    CHECK_EQ_STR(order, "B");
#else
    CHECK_EQ_INT(n, 1);
    CHECK(took >= 290);
    CHECK_EQ_STR(order, "BT");
#endif
    /* Either way the next wait is zero. */
    aeSetBeforeSleepProc(el, NULL);
    CHECK(aeCreateTimeEvent(el, 1000, note_timer, NULL, NULL) >= 0);
    t0 = mono_ms();
    aeProcessEvents(el, AE_ALL_EVENTS);
    CHECK(mono_ms() - t0 < 800);
    aeDeleteEventLoop(el);
    return 0;
}
#endif

const struct test_entry sleep_hook_tests[] = {
    TEST_ENTRY(main_calls_the_sleep_hooks_in_order),
    TEST_ENTRY(process_events_calls_the_hooks_only_with_their_flags),
#if GEN_AFTER_SLEEP
    TEST_ENTRY(after_sleep_may_change_the_table_before_dispatch),
#endif
#if GEN_CUSTOM_POLL
    TEST_ENTRY(after_sleep_is_told_how_many_events_fired),
#endif
#if GEN_DONT_WAIT
    TEST_ENTRY(dont_wait_persists_until_cleared),
    TEST_ENTRY(dont_wait_from_before_sleep_applies_when_the_generation_says),
#endif
    TEST_END,
};
