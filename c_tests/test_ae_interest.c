/* Interest changes reach the kernel lazily (epoll backend): counted by
 * interposing epoll_ctl in this test binary. */
#include "runner.h"
#include "ae.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int ctl_calls;

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
    ctl_calls++;
    return (int)syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}

static void nop(aeEventLoop *el, int fd, void *data, int mask) { (void)el; (void)fd; (void)data; (void)mask; }

static int writes;
static void on_write(aeEventLoop *el, int fd, void *data, int mask) { (void)data; (void)mask; writes++; aeDeleteFileEvent(el, fd, AE_WRITABLE); }

static int epoll_only(void) { return strcmp(aeGetApiName(), "epoll") == 0; }

TEST(interest_changes_that_cancel_cost_no_syscall) {
    if (!epoll_only()) SKIP("counts epoll_ctl calls");
    aeEventLoop *el = aeCreateEventLoop(64);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    ctl_calls = 0;
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_READABLE, nop, NULL), AE_OK);
    CHECK_EQ_INT(ctl_calls, 1); /* a new fd reaches the kernel at once */
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    ctl_calls = 0;
    for (int i = 0; i < 100; i++) {
        CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, nop, NULL), AE_OK);
        aeDeleteFileEvent(el, sv[0], AE_WRITABLE);
    }
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), AE_READABLE);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    CHECK_EQ_INT(ctl_calls, 0);
    /* A change that does not cancel costs one call, at the next wait. */
    CHECK_EQ_INT(aeCreateFileEvent(el, sv[0], AE_WRITABLE, on_write, NULL), AE_OK);
    CHECK_EQ_INT(ctl_calls, 0);
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(ctl_calls, 1);
    CHECK_EQ_INT(writes, 1);
    /* The handler disarmed itself: applied before the next wait, and the
     * writable event no longer fires. */
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 0);
    CHECK_EQ_INT(ctl_calls, 2);
    CHECK_EQ_INT(writes, 1);
    /* Removing the last direction is immediate (the fd may be closed next). */
    aeDeleteFileEvent(el, sv[0], AE_READABLE);
    CHECK_EQ_INT(ctl_calls, 3);
    aeDeleteEventLoop(el);
    return 0;
}

TEST(reused_fd_without_delete_is_watched) {
    if (!epoll_only()) SKIP("the stale-mask case is epoll's");
    aeEventLoop *el = aeCreateEventLoop(64);
    int a[2], b[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
    CHECK_EQ_INT(aeCreateFileEvent(el, a[0], AE_READABLE, nop, NULL), AE_OK);
    aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    int fd = a[0];
    close(a[0]); /* closed without aeDeleteFileEvent: the mask goes stale */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
    CHECK(b[0] == fd || dup2(b[0], fd) == fd);
    /* The reference answers ENOENT here; the change is applied as an ADD. */
    CHECK_EQ_INT(aeCreateFileEvent(el, fd, AE_WRITABLE, on_write, NULL), AE_OK);
    writes = 0;
    CHECK_EQ_INT(aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT), 1);
    CHECK_EQ_INT(writes, 1);
    aeDeleteEventLoop(el);
    return 0;
}

const struct test_entry ae_interest_tests[] = {
    TEST_ENTRY(interest_changes_that_cancel_cost_no_syscall),
    TEST_ENTRY(reused_fd_without_delete_is_watched),
    TEST_END
};
