/* Where the before-sleep and after-sleep callbacks run, per generation:
 *  - 3.0: beforesleep by aeMain only, no after-sleep;
 *  - 4.0/5.0 (redis50): beforesleep by aeMain only; the after-sleep callback
 *    inside aeProcessEvents right after the wait, before any dispatch, only
 *    with AE_CALL_AFTER_SLEEP (8), which aeMain passes.
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

static void note(char c) {
    if (norder < (int)sizeof(order) - 1) order[norder++] = c;
    order[norder] = '\0';
}

static void before(struct aeEventLoop *l) { (void)l; note('B'); }
#if GEN_AFTER_SLEEP
static void after(struct aeEventLoop *l) { (void)l; note('A'); }
#endif

static void on_read(aeEventLoop *l, int fd, void *data, int mask) {
    (void)l; (void)data; (void)mask;
    char c;
    CHECK(read(fd, &c, 1) == 1);
    note('R');
}

static int stop_timer(aeEventLoop *l, long long id, void *data) {
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

/* aeProcessEvents itself never calls beforesleep in these generations, and
 * calls the after-sleep callback only when asked to. */
TEST(process_events_calls_after_sleep_only_with_its_flag) {
    setup();
    CHECK(write(read_sv[1], "x", 1) == 1);
    CHECK_EQ_INT(aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_STR(order, "R");
#if GEN_AFTER_SLEEP
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
static void after_deletes(struct aeEventLoop *l) {
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

const struct test_entry sleep_hook_tests[] = {
    TEST_ENTRY(main_calls_the_sleep_hooks_in_order),
    TEST_ENTRY(process_events_calls_after_sleep_only_with_its_flag),
#if GEN_AFTER_SLEEP
    TEST_ENTRY(after_sleep_may_change_the_table_before_dispatch),
#endif
    TEST_END,
};
