/* The cluster-bus link layer on real loopback sockets (spec section 3). */
#include "runner.h"
#include "gen.h"
#include "anet_compat.h"
#include "test_helpers.h"
#if GEN_CLUSTER_LINK
#include "ae.h"
#include "anet.h"
#include "cluster_link.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define FRAME_LEN 2300
#define MAX_SEEN 4096

static aeEventLoop *el;
static int frames_seen;
static uint32_t seen_seq[MAX_SEEN];
static clusterLink *seen_link[MAX_SEEN];
static int reply_mode;
static char last_log[512];
static int accepted_logs, bad_header_logs, closed_logs, pending_closed_logs;

/* The length of an sds as the host's sdslen reads it: 3.0's
 * {uint32 len; uint32 free;} header, or 3.2+'s type byte before the string
 * (the library always writes sdshdr32: {uint32 len; uint32 alloc; flags}). */
static uint32_t sds_len_of(sds s) {
    uint32_t len;
#if GEN_SDS32
    CHECK_EQ_INT((unsigned char)s[-1] & 7, 3); /* SDS_TYPE_32 */
    memcpy(&len, s - 9, 4);
#else
    len = *(uint32_t *)(s - 8);
#endif
    return len;
}

/* A frame: "RCmb", totlen, a sequence number, then a pattern of seq. */
static void make_frame(unsigned char *buf, uint32_t totlen, uint32_t seq) {
    memcpy(buf, "RCmb", 4);
    uint32_t be = htonl(totlen), bs = htonl(seq);
    memcpy(buf + 4, &be, 4);
    memcpy(buf + 8, &bs, 4);
    for (uint32_t i = 12; i < totlen; i++) buf[i] = (unsigned char)(seq * 7 + i);
}

static int check_frame(const unsigned char *buf, uint32_t len) {
    uint32_t be, bs;
    memcpy(&be, buf + 4, 4);
    memcpy(&bs, buf + 8, 4);
    if (memcmp(buf, "RCmb", 4) != 0 || ntohl(be) != len) return -1;
    uint32_t seq = ntohl(bs);
    for (uint32_t i = 12; i < len; i++)
        if (buf[i] != (unsigned char)(seq * 7 + i)) return -1;
    return (int)seq;
}

static int on_packet(clusterLink *link) {
    uint32_t len = sds_len_of(link->rcvbuf);
#if !GEN_SDS32
    CHECK(((uintptr_t)link->rcvbuf & 7) == 0); /* 3.0 sds is as aligned as its allocation */
#endif
    int seq = check_frame((unsigned char *)link->rcvbuf, len);
    CHECK(seq >= 0);
    if (frames_seen < MAX_SEEN) {
        seen_seq[frames_seen] = (uint32_t)seq;
        seen_link[frames_seen] = link;
    }
    frames_seen++;
    if (reply_mode && seq < 1000000) {
        unsigned char reply[FRAME_LEN];
        make_frame(reply, FRAME_LEN, (uint32_t)seq + 1000000);
        clusterSendMessage(link, reply, FRAME_LEN);
    }
    return 1;
}

static void on_log(int level, const char *msg) {
    (void)level;
    snprintf(last_log, sizeof(last_log), "%s", msg);
    if (strncmp(msg, "Accepted cluster node ", 22) == 0) accepted_logs++;
    if (strcmp(msg, "Bad message length or signature received from Cluster bus.") == 0) bad_header_logs++;
    if (strcmp(msg, "I/O error reading from node link: connection closed") == 0) closed_logs++;
    if (strncmp(msg, "Closing cluster bus link from ", 30) == 0) pending_closed_logs++;
}

static int allow_accept = 1;
static int accept_gate(void) { return allow_accept; }
static aeEventLoop *host_loop(void) { return el; }

static timer_ret tick(aeEventLoop *l, long long id, void *d) { (void)l; (void)id; (void)d; return 10; }

static void setup_limits(unsigned max_frame, unsigned max_pending) {
    el = aeCreateEventLoop(8192);
    CHECK(el != NULL);
    aeCreateTimeEvent(el, 10, tick, NULL, NULL);
    aenetClusterHost h;
    memset(&h, 0, sizeof(h));
    h.processPacket = on_packet;
    h.eventLoop = host_loop;
    h.acceptAllowed = accept_gate;
    h.log = on_log;
    h.maxFrameLen = max_frame;
    h.maxPendingBytes = max_pending;
    aenetClusterSetHost(&h);
}

static void setup(unsigned max_frame) { setup_limits(max_frame, 0); }

/* Runs the loop (woken at least every 10 ms by the tick timer) until the
 * condition holds; the runner's timeout bounds it. */
#define RUN_UNTIL(cond) do { while (!(cond)) aeProcessEvents(el, AE_ALL_EVENTS); } while (0)

static int listen_bus(int *port) {
    char err[ANET_ERR_LEN];
    int fd = anetTcpServer(err, 0, "127.0.0.1", 4096);
    CHECK(fd > 0);
    CHECK(anetNonBlock(err, fd) == ANET_OK);
    char ip[64];
    CHECK(t_sock_name(fd, ip, sizeof(ip), port) == 0);
    CHECK(aeCreateFileEvent(el, fd, AE_READABLE, clusterAcceptHandler, NULL) == AE_OK);
    return fd;
}

static int raw_connect(int port) {
    char err[ANET_ERR_LEN];
    int fd = t_tcp_connect(err, "127.0.0.1", port);
    CHECK(fd > 0);
    return fd;
}

static int peer_closed(int fd) {
    char c;
    struct pollfd p = { fd, POLLIN, 0 };
    CHECK(poll(&p, 1, 5000) == 1);
    return read(fd, &c, 1) == 0 || (errno == ECONNRESET);
}

/* True when the link layer has closed its end: EOF or reset, without waiting. */
static int peer_closed_now(int fd) {
    char c;
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 0) != 1) return 0;
    return read(fd, &c, 1) == 0 || errno == ECONNRESET;
}

TEST(cluster_link_create_free) {
    setup(0);
    long long before = (long long)time(NULL) * 1000;
    clusterLink *link = createClusterLink(NULL);
    CHECK(link != NULL);
    CHECK_EQ_INT(link->fd, -1);
    CHECK(link->node == NULL);
    CHECK_EQ_INT(sds_len_of(link->sndbuf), 0);
    CHECK_EQ_INT(sds_len_of(link->rcvbuf), 0);
    CHECK_EQ_INT(link->rcvbuf[0], 0);
    CHECK(link->ctime >= before - 1000 && link->ctime <= before + 2000);
    /* A node whose link is this one gets detached. */
    clusterNode *node = calloc(1, sizeof(clusterNode));
    clusterLink *owned = createClusterLink(node);
    node->link = owned;
    CHECK(owned->node == node);
    freeClusterLink(owned);
    CHECK(node->link == NULL);
    /* The node's pointer is left alone when it names another link. */
    clusterLink *other = createClusterLink(node);
    node->link = link;
    freeClusterLink(other);
    CHECK(node->link == link);
    freeClusterLink(link);
    freeClusterLink(link); /* already freed: ignored */
    freeClusterLink(NULL);
    handleLinkIOError(NULL);
    clusterSendMessage(NULL, (unsigned char *)"x", 1);
    free(node);
    return 0;
}

TEST(cluster_nodes_exchange_frames_both_ways) {
    setup(0);
    reply_mode = 1;
    enum { NODES = 3 };
    int port[NODES];
    for (int i = 0; i < NODES; i++) listen_bus(&port[i]);
    /* Every node connects to every other, as clusterCron does. */
    clusterNode *nodes = calloc(NODES * NODES, sizeof(clusterNode));
    int sent = 0;
    for (int i = 0; i < NODES; i++) {
        for (int j = 0; j < NODES; j++) {
            if (i == j) continue;
            char err[ANET_ERR_LEN];
            clusterNode *n = &nodes[i * NODES + j];
            clusterLink *link = createClusterLink(n);
            link->fd = anetTcpNonBlockConnect(err, "127.0.0.1", port[j]);
            CHECK(link->fd > 0);
            n->link = link;
            CHECK(aeCreateFileEvent(el, link->fd, AE_READABLE, clusterReadHandler, link) == AE_OK);
            for (int k = 0; k < 5; k++) {
                unsigned char f[FRAME_LEN];
                make_frame(f, FRAME_LEN, (uint32_t)sent++);
                clusterSendMessage(link, f, FRAME_LEN);
            }
            CHECK(aeGetFileEvents(el, link->fd) & AE_WRITABLE);
        }
    }
    /* Each request is answered over the inbound link it arrived on. */
    RUN_UNTIL(frames_seen == 2 * sent);
    CHECK_EQ_INT(accepted_logs, NODES * (NODES - 1));
    int requests = 0, replies = 0;
    for (int i = 0; i < frames_seen; i++) {
        if (seen_seq[i] >= 1000000) {
            replies++;
            CHECK(seen_link[i]->node != NULL); /* replies arrive on outbound links */
        } else {
            requests++;
            CHECK(seen_link[i]->node == NULL); /* inbound links have no node */
        }
    }
    CHECK_EQ_INT(requests, sent);
    CHECK_EQ_INT(replies, sent);
    CHECK_EQ_INT(aenetClusterMessagesSent(), 2 * sent);
    /* Drained queues disarm the writable event. */
    for (int i = 0; i < NODES * NODES; i++)
        if (nodes[i].link) {
            RUN_UNTIL(!(aeGetFileEvents(el, nodes[i].link->fd) & AE_WRITABLE));
            freeClusterLink(nodes[i].link);
            CHECK(nodes[i].link == NULL);
        }
    free(nodes);
    return 0;
}

TEST(cluster_frame_byte_by_byte) {
    setup(0);
    int port;
    listen_bus(&port);
    int c = raw_connect(port);
    unsigned char f[FRAME_LEN];
    make_frame(f, FRAME_LEN, 42);
    RUN_UNTIL(accepted_logs == 1);
    for (int i = 0; i < FRAME_LEN; i++) {
        CHECK(write(c, f + i, 1) == 1);
        if (i < 20 || i % 97 == 0) aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
        CHECK_EQ_INT(frames_seen, 0 + (i == FRAME_LEN - 1 && frames_seen));
    }
    RUN_UNTIL(frames_seen == 1);
    CHECK_EQ_INT(seen_seq[0], 42);
    return 0;
}

TEST(cluster_many_frames_in_one_write) {
    setup(0);
    int port;
    listen_bus(&port);
    int c = raw_connect(port);
    enum { N = 200 };
    size_t total = 0;
    unsigned char *buf = malloc(N * 5000);
    for (int i = 0; i < N; i++) {
        uint32_t len = CLUSTERMSG_MIN_LEN + (uint32_t)(i * 13 % 2700);
        make_frame(buf + total, len, (uint32_t)i);
        total += len;
    }
    for (size_t off = 0; off < total;) {
        ssize_t n = write(c, buf + off, total - off);
        CHECK(n > 0);
        off += (size_t)n;
        aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    }
    RUN_UNTIL(frames_seen == N);
    for (int i = 0; i < N; i++) CHECK_EQ_INT(seen_seq[i], i);
    free(buf);
    return 0;
}

static int expect_rejected(const unsigned char *bytes, size_t n) {
    int port;
    listen_bus(&port);
    int c = raw_connect(port);
    CHECK(write(c, bytes, n) == (ssize_t)n);
    RUN_UNTIL(bad_header_logs == 1);
    CHECK(peer_closed(c));
    CHECK_EQ_INT(frames_seen, 0);
    close(c);
    return 0;
}

TEST(cluster_bad_signature_closes_link) {
    setup(0);
    unsigned char f[FRAME_LEN];
    make_frame(f, FRAME_LEN, 1);
    f[3] = 'X';
    return expect_rejected(f, FRAME_LEN);
}

TEST(cluster_short_totlen_closes_link) {
    setup(0);
    unsigned char f[16];
    make_frame(f, 16, 1);
    uint32_t be = htonl(CLUSTERMSG_MIN_LEN - 1);
    memcpy(f + 4, &be, 4);
    return expect_rejected(f, 8);
}

TEST(cluster_totlen_8_bypass_closed) {
    setup(0);
    /* The reference handed this 8-byte "frame" on whatever its signature. */
    unsigned char f[8] = { 'J', 'U', 'N', 'K', 0, 0, 0, 8 };
    return expect_rejected(f, 8);
}

TEST(cluster_huge_totlen_rejected_without_buffering) {
    setup(1024 * 1024);
    size_t used = test_zmalloc_used();
    unsigned char f[8] = { 'R', 'C', 'm', 'b', 0xff, 0xff, 0xff, 0xf0 };
    expect_rejected(f, 8);
    CHECK(test_zmalloc_used() < used + 1024 * 1024);
    /* Just above the configured bound is refused too. */
    uint32_t be = htonl(1024 * 1024 + 1);
    memcpy(f + 4, &be, 4);
    bad_header_logs = 0;
    return expect_rejected(f, 8);
}

TEST(cluster_default_bound_is_64_mib) {
    setup(0);
    unsigned char f[8] = { 'R', 'C', 'm', 'b', 0, 0, 0, 0 };
    uint32_t be = htonl(64u * 1024 * 1024 + 1);
    memcpy(f + 4, &be, 4);
    return expect_rejected(f, 8);
}

TEST(cluster_peer_closes_mid_frame) {
    setup(0);
    int port;
    listen_bus(&port);
    int c = raw_connect(port);
    unsigned char f[FRAME_LEN];
    make_frame(f, FRAME_LEN, 7);
    CHECK(write(c, f, 1000) == 1000);
    RUN_UNTIL(accepted_logs == 1);
    close(c);
    RUN_UNTIL(closed_logs == 1);
    CHECK_EQ_INT(frames_seen, 0);
    return 0;
}

TEST(cluster_hostile_bytes) {
    setup(0);
    int port;
    listen_bus(&port);
    srand(1234);
    for (int round = 0; round < 50; round++) {
        int c = raw_connect(port);
        unsigned char junk[3000];
        for (size_t i = 0; i < sizeof(junk); i++) junk[i] = (unsigned char)rand();
        if (round % 2) memcpy(junk, "RCmb", 4);
        size_t n = 1 + (size_t)(rand() % (int)sizeof(junk));
        CHECK(write(c, junk, n) == (ssize_t)n);
        close(c);
    }
    RUN_UNTIL(bad_header_logs + closed_logs == 50);
    return 0;
}

/* A peer that never reads: the queue grows, nothing is lost, the other
 * links keep being served. */
TEST(cluster_slow_reader_queue) {
    setup(0);
    char err[ANET_ERR_LEN];
    int lfd = anetTcpServer(err, 0, "127.0.0.1", 16);
    CHECK(lfd > 0);
    int slow_port;
    char ip[64];
    t_sock_name(lfd, ip, sizeof(ip), &slow_port);
    int bus_port;
    listen_bus(&bus_port);

    clusterLink *slow = createClusterLink(NULL);
    slow->fd = anetTcpNonBlockConnect(err, "127.0.0.1", slow_port);
    CHECK(slow->fd > 0);
    int peer = anetTcpAccept(err, lfd, ip, sizeof(ip), NULL);
    CHECK(peer > 0);
    clusterLink *fast = createClusterLink(NULL);
    fast->fd = anetTcpNonBlockConnect(err, "127.0.0.1", bus_port);
    CHECK(aeCreateFileEvent(el, fast->fd, AE_READABLE, clusterReadHandler, fast) == AE_OK);

    enum { SLOW_FRAMES = 3000 };
    unsigned char f[FRAME_LEN];
    for (int i = 0; i < SLOW_FRAMES; i++) {
        make_frame(f, FRAME_LEN, (uint32_t)i);
        clusterSendMessage(slow, f, FRAME_LEN);
    }
    /* Run until the kernel buffers are full: the queue stays non-empty. */
    for (int i = 0; i < 50; i++) aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT);
    CHECK(sds_len_of(slow->sndbuf) > 0);
    CHECK(aeGetFileEvents(el, slow->fd) & AE_WRITABLE);
    /* Meanwhile the other link is served. */
    for (int i = 0; i < 20; i++) {
        make_frame(f, FRAME_LEN, (uint32_t)(100000 + i));
        clusterSendMessage(fast, f, FRAME_LEN);
    }
    RUN_UNTIL(frames_seen == 20);
    CHECK(sds_len_of(slow->sndbuf) > 0);
    /* Now the slow peer reads everything: every byte arrives, in order. */
    size_t want = (size_t)SLOW_FRAMES * FRAME_LEN, got = 0;
    unsigned char *all = malloc(want);
    CHECK(anetNonBlock(err, peer) == ANET_OK);
    while (got < want) {
        ssize_t n = read(peer, all + got, want - got);
        if (n > 0) got += (size_t)n;
        else CHECK(n < 0 && errno == EAGAIN);
        aeProcessEvents(el, AE_ALL_EVENTS | AE_DONT_WAIT);
    }
    for (int i = 0; i < SLOW_FRAMES; i++) CHECK_EQ_INT(check_frame(all + (size_t)i * FRAME_LEN, FRAME_LEN), i);
    RUN_UNTIL(!(aeGetFileEvents(el, slow->fd) & AE_WRITABLE));
    CHECK_EQ_INT(sds_len_of(slow->sndbuf), 0);
    free(all);
    return 0;
}

TEST(cluster_write_error_frees_link) {
    setup(0);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    clusterLink *link = createClusterLink(NULL);
    link->fd = sv[0];
    anetNonBlock(NULL, sv[0]);
    close(sv[1]);
    unsigned char f[FRAME_LEN];
    make_frame(f, FRAME_LEN, 1);
    clusterSendMessage(link, f, FRAME_LEN);
    RUN_UNTIL(aeGetFileEvents(el, sv[0]) == AE_NONE);
    CHECK(strncmp(last_log, "I/O error writing to node link: ", 32) == 0);
    CHECK(fcntl(sv[0], F_GETFD) == -1 && errno == EBADF); /* closed with its link */
    return 0;
}

TEST(cluster_accepted_sockets_options) {
    setup(0);
    int port;
    int lfd = listen_bus(&port);
    aeDeleteFileEvent(el, lfd, AE_READABLE);
    int c = raw_connect(port);
    (void)c;
    /* Accept by hand through the handler, then inspect the new link's fd. */
    clusterAcceptHandler(el, lfd, NULL, AE_READABLE);
    CHECK_EQ_INT(accepted_logs, 1);
    int fd = el->maxfd;
    CHECK(aeGetFileEvents(el, fd) == AE_READABLE);
    CHECK(el->events[fd].rfileProc == clusterReadHandler);
    clusterLink *link = el->events[fd].clientData;
    CHECK(link->fd == fd && link->node == NULL);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    int v = 0;
    socklen_t len = sizeof(v);
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len) == 0 && v == 1);
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len) == 0 && v == 300);
    CHECK(strncmp(last_log, "Accepted cluster node 127.0.0.1:", 32) == 0);
    /* An empty backlog: EWOULDBLOCK is quiet. */
    last_log[0] = 0;
    clusterAcceptHandler(el, lfd, NULL, AE_READABLE);
    CHECK_EQ_INT(last_log[0], 0);
    return 0;
}

TEST(cluster_2000_connects) {
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_max < 4200) SKIP("RLIMIT_NOFILE hard limit below 4200");
    rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    setup(0);
    int port;
    int lfd = listen_bus(&port);
    aeDeleteFileEvent(el, lfd, AE_READABLE);
    enum { N = 2000 };
    static int clients[N];
    for (int i = 0; i < N; i++) {
        char err[ANET_ERR_LEN];
        clients[i] = anetTcpNonBlockConnect(err, "127.0.0.1", port);
        CHECK(clients[i] > 0);
    }
    /* Wait until the kernel completed the handshakes it can queue. */
    for (int i = 0; i < N; i++) CHECK(aeWait(clients[i], AE_WRITABLE, 5000) & AE_WRITABLE);
    clusterAcceptHandler(el, lfd, NULL, AE_READABLE);
    CHECK_EQ_INT(accepted_logs, 1000); /* the per-call cap */
    CHECK(aeCreateFileEvent(el, lfd, AE_READABLE, clusterAcceptHandler, NULL) == AE_OK);
    RUN_UNTIL(accepted_logs == N);
    return 0;
}

TEST(cluster_loading_gate_pauses_listener) {
    setup(0);
    allow_accept = 0;
    int port;
    int lfd = listen_bus(&port);
    int c = raw_connect(port);
    (void)c;
    long long t0 = mono_ms();
    int iterations = 0;
    while (mono_ms() - t0 < 300) {
        aeProcessEvents(el, AE_ALL_EVENTS);
        iterations++;
    }
    CHECK_EQ_INT(accepted_logs, 0);
    /* Paused, not spinning on the level-triggered listener: the loop woke
     * only for its 10 ms tick and the 100 ms retries. */
    CHECK(iterations < 100);
    allow_accept = 1;
    RUN_UNTIL(accepted_logs == 1);
    CHECK(mono_ms() - t0 < 2000);
    CHECK(aeGetFileEvents(el, lfd) == AE_READABLE);
    return 0;
}

TEST(cluster_fd_exhaustion_does_not_spin) {
    if (getenv("AENET_UNDER_VALGRIND")) SKIP("valgrind keeps fds of its own above the soft limit");
    setup(0);
    int port;
    int lfd = listen_bus(&port);
    enum { N = 10 };
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        int fds[N];
        for (int i = 0; i < N; i++) fds[i] = raw_connect(port);
        (void)fds;
        CHECK(write(ready[1], "r", 1) == 1);
        pause();
        _exit(0);
    }
    char r;
    CHECK(read(ready[0], &r, 1) == 1);
    /* Fill every hole below the highest open fd, then leave room for
     * exactly 3 more. */
    int maxfd = 0;
    for (int fd = 0; fd < 1024; fd++) if (fcntl(fd, F_GETFD) != -1) maxfd = fd;
    for (;;) {
        int d = dup(0);
        CHECK(d >= 0);
        if (d > maxfd) { close(d); break; }
    }
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    struct rlimit low = { (rlim_t)maxfd + 4, rl.rlim_max };
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    long long t0 = mono_ms();
    int iterations = 0;
    while (mono_ms() - t0 < 300) {
        aeProcessEvents(el, AE_ALL_EVENTS);
        iterations++;
    }
    CHECK_EQ_INT(accepted_logs, 3);
    CHECK(strstr(last_log, "Too many open files") != NULL);
    CHECK(iterations < 100);
    /* With fds back, every pending connection is accepted in the end. */
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    RUN_UNTIL(accepted_logs == N);
    CHECK(aeGetFileEvents(el, lfd) == AE_READABLE);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}

TEST(cluster_unregistrable_fd_is_closed) {
    setup(0);
    aeEventLoop *small = aeCreateEventLoop(64);
    int port;
    int lfd = listen_bus(&port);
    /* Push the next accepted fd past the small loop's setsize. */
    int filler[80], nfill = 0;
    while (nfill < 80) {
        int fd = dup(0);
        CHECK(fd >= 0);
        filler[nfill++] = fd;
        if (fd >= 70) break;
    }
    int c = raw_connect(port);
    clusterAcceptHandler(small, lfd, NULL, AE_READABLE);
    CHECK_EQ_INT(accepted_logs, 1);
    CHECK(strncmp(last_log, "Error registering fd event for the new cluster node fd", 54) == 0);
    CHECK(peer_closed(c));
    for (int i = 0; i < nfill; i++) close(filler[i]);
    aeDeleteEventLoop(small);
    return 0;
}

static int sent_hook_calls;
static void sent_hook(void) { sent_hook_calls++; }

TEST(cluster_sent_counter_hook) {
    setup(0);
    aenetClusterHost h;
    memset(&h, 0, sizeof(h));
    h.messageSent = sent_hook;
    aenetClusterSetHost(&h);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    clusterLink *link = createClusterLink(NULL);
    link->fd = sv[0];
    long long before = aenetClusterMessagesSent();
    clusterSendMessage(link, (unsigned char *)"abc", 3);
    clusterSendMessage(link, (unsigned char *)"", 0); /* counted, nothing armed */
    CHECK_EQ_INT(sent_hook_calls, 2);
    CHECK_EQ_INT(aenetClusterMessagesSent(), before);
    CHECK_EQ_INT(sds_len_of(link->sndbuf), 3);
    /* Defaults: the last loop created, the internal counter. */
    aenetClusterSetHost(NULL);
    clusterSendMessage(link, (unsigned char *)"d", 1);
    CHECK_EQ_INT(aenetClusterMessagesSent(), before + 1);
    CHECK(aeGetFileEvents(el, sv[0]) & AE_WRITABLE);
    freeClusterLink(link);
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), AE_NONE);
    return 0;
}


/* True once every link the loop reads from has nothing left unread in the
 * kernel: what the peers sent has reached the link layer. */
static int links_drained(int listener) {
    for (int fd = 0; fd <= el->maxfd; fd++) {
        if (fd == listener || !(aeGetFileEvents(el, fd) & AE_READABLE)) continue;
        int unread = 0;
        CHECK(ioctl(fd, FIONREAD, &unread) == 0);
        if (unread) return 0;
    }
    return 1;
}

static void send_header(int c, uint32_t totlen) {
    unsigned char f[8] = { 'R', 'C', 'm', 'b', 0, 0, 0, 0 };
    uint32_t be = htonl(totlen);
    memcpy(f + 4, &be, 4);
    CHECK(write(c, f, 8) == 8);
}

/* Sends `n` bytes of a frame that claims `totlen`, header included. */
static void send_partial(int c, uint32_t totlen, size_t n) {
    unsigned char *f = malloc(n);
    CHECK(f != NULL);
    make_frame(f, (uint32_t)n, 9);
    uint32_t be = htonl(totlen);
    memcpy(f + 4, &be, 4);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(c, f + off, n - off);
        if (w < 0 && errno == EAGAIN) { aeProcessEvents(el, AE_FILE_EVENTS | AE_DONT_WAIT); continue; }
        CHECK(w > 0);
        off += (size_t)w;
    }
    free(f);
}

/* What a peer only claims costs nothing: header-only peers announcing the
 * largest frame hold about one read chunk each, not the 64 MiB claimed. */
TEST(cluster_header_only_peers_cost_nothing) {
    setup(0);
    int port;
    int lfd = listen_bus(&port);
    enum { PEERS = 24 };
    size_t before = test_zmalloc_used();
    int c[PEERS];
    for (int i = 0; i < PEERS; i++) {
        c[i] = raw_connect(port);
        send_header(c[i], 64u * 1024 * 1024);
    }
    RUN_UNTIL(accepted_logs == PEERS && links_drained(lfd));
    size_t held = test_zmalloc_used() - before;
    /* Links, their buffers and event table growth: well under 1 MiB; the
     * claims add up to 1.5 GiB. */
    CHECK(held < 1024 * 1024);
    CHECK_EQ_INT(pending_closed_logs, 0);
    for (int i = 0; i < PEERS; i++) CHECK(!peer_closed_now(c[i]));
    return 0;
}

/* A legitimate large frame trickled a byte at a time is still delivered
 * whole, through a buffer that grew as the bytes came. */
TEST(cluster_large_frame_trickled_byte_by_byte) {
    setup(0);
    int port;
    int lfd = listen_bus(&port);
    enum { LEN = 96 * 1024 };
    unsigned char *f = malloc(LEN);
    CHECK(f != NULL);
    make_frame(f, LEN, 77);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        int c = raw_connect(port);
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        for (int i = 0; i < LEN; i++) CHECK(write(c, f + i, 1) == 1);
        pause();
        _exit(0);
    }
    size_t before = test_zmalloc_used(), peak = 0;
    while (frames_seen == 0) {
        aeProcessEvents(el, AE_ALL_EVENTS);
        size_t now = test_zmalloc_used();
        if (now > peak) peak = now;
    }
    CHECK_EQ_INT(frames_seen, 1);
    CHECK_EQ_INT(seen_seq[0], 77); /* on_packet checked every byte */
    CHECK(peak - before < 4 * LEN);
    (void)lfd;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    free(f);
    return 0;
}

/* Links that have not delivered a frame share a bound; past it the one
 * holding the most is closed and logged, the others and proven links stay. */
TEST(cluster_unproven_links_are_bounded) {
    setup_limits(0, 4u * 1024 * 1024);
    int port;
    int lfd = listen_bus(&port);
    /* A proven link: one whole frame first, then a large partial one. */
    int proven = raw_connect(port);
    unsigned char f[FRAME_LEN];
    make_frame(f, FRAME_LEN, 5);
    CHECK(write(proven, f, FRAME_LEN) == FRAME_LEN);
    RUN_UNTIL(frames_seen == 1);
    send_partial(proven, 32u * 1024 * 1024, 3u * 1024 * 1024);
    int a = raw_connect(port), b = raw_connect(port);
    /* A buffer holds between what arrived and twice that plus a read chunk:
     * a and b hold 0.5-1.03 MB each. */
    send_partial(a, 16u * 1024 * 1024, 512 * 1024);
    send_partial(b, 16u * 1024 * 1024, 512 * 1024);
    RUN_UNTIL(accepted_logs == 3 && links_drained(lfd));
    CHECK_EQ_INT(pending_closed_logs, 0);
    /* 3 MiB more passes 4 MiB, and this link holds the most when it does. */
    int big = raw_connect(port);
    send_partial(big, 16u * 1024 * 1024, 3u * 1024 * 1024);
    RUN_UNTIL(pending_closed_logs == 1);
    CHECK(strstr(last_log, "bytes buffered by links that have not sent a complete message yet (limit 4194304)"));
    CHECK(peer_closed(big));
    RUN_UNTIL(links_drained(lfd));
    CHECK_EQ_INT(pending_closed_logs, 1);
    CHECK(!peer_closed_now(a));
    CHECK(!peer_closed_now(b));
    CHECK(!peer_closed_now(proven));
    return 0;
}

/* The writable event of a link is armed as the generation's cluster.c arms
 * it: AE_WRITABLE (3.0), AE_WRITABLE|AE_BARRIER (3.2+). */
TEST(cluster_write_event_mask) {
    setup(0);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    clusterLink *link = createClusterLink(NULL);
    link->fd = sv[0];
    clusterSendMessage(link, (unsigned char *)"abc", 3);
    CHECK_EQ_INT(aeGetFileEvents(el, sv[0]), GEN_WRITE_BARRIER ? (AE_WRITABLE | AE_BARRIER) : AE_WRITABLE);
    RUN_UNTIL(aeGetFileEvents(el, sv[0]) == AE_NONE);
    char buf[4];
    CHECK(read(sv[1], buf, sizeof(buf)) == 3);
    freeClusterLink(link);
    return 0;
}

static int typed_calls;
static uint16_t last_type;
static void typed_hook(uint16_t type) { typed_calls++; last_type = type; }

/* Redis 4.0+ counts sent messages per type: the host's hook gets the type
 * (bytes 12-13 of the header, host order); it takes precedence over the
 * untyped hook. */
TEST(cluster_sent_counter_by_type) {
    setup(0);
    aenetClusterHost h;
    memset(&h, 0, sizeof(h));
    h.messageSent = sent_hook;
    h.messageSentType = typed_hook;
    aenetClusterSetHost(&h);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    clusterLink *link = createClusterLink(NULL);
    link->fd = sv[0];
    unsigned char f[FRAME_LEN];
    make_frame(f, FRAME_LEN, 1);
    f[12] = 0; f[13] = 4; /* CLUSTERMSG_TYPE_FAIL */
    sent_hook_calls = 0;
    clusterSendMessage(link, f, FRAME_LEN);
    CHECK_EQ_INT(typed_calls, 1);
    CHECK_EQ_INT(last_type, 4);
    f[12] = 1; f[13] = 2;
    clusterSendMessage(link, f, FRAME_LEN);
    CHECK_EQ_INT(last_type, 0x102);
    CHECK_EQ_INT(sent_hook_calls, 0);
    freeClusterLink(link);
    return 0;
}

/* A host whose cluster.h differs from the generation's reference (3.2 and
 * 4.0 served by redis50) gives its own frame minimum, read chunk and node
 * layout. */
TEST(cluster_host_gives_its_own_constants) {
    setup(0);
    aenetClusterHost h;
    memset(&h, 0, sizeof(h));
    h.processPacket = on_packet;
    h.eventLoop = host_loop;
    h.log = on_log;
    h.minFrameLen = 2000;
    h.readChunk = 512;
    h.nodeLinkOffset = 64;
    aenetClusterSetHost(&h);
    int port;
    listen_bus(&port);
    int c = raw_connect(port);
    unsigned char f[2000];
    make_frame(f, 2000, 11); /* below every generation's reference minimum */
    CHECK(write(c, f, sizeof(f)) == (ssize_t)sizeof(f));
    RUN_UNTIL(frames_seen == 1);
    CHECK_EQ_INT(seen_seq[0], 11);
    make_frame(f, 1999, 12);
    CHECK(write(c, f, 8) == 8);
    RUN_UNTIL(bad_header_logs == 1);
    /* The node's link pointer is at the host's offset. */
    unsigned char *node = calloc(1, 256);
    clusterLink *link = createClusterLink((clusterNode *)node);
    memcpy(node + 64, &link, sizeof(link));
    freeClusterLink(link);
    void *p;
    memcpy(&p, node + 64, sizeof(p));
    CHECK(p == NULL);
    free(node);
    return 0;
}

const struct test_entry cluster_tests[] = {
    TEST_ENTRY(cluster_link_create_free),
    TEST_ENTRY(cluster_nodes_exchange_frames_both_ways),
    TEST_ENTRY(cluster_frame_byte_by_byte),
    TEST_ENTRY(cluster_many_frames_in_one_write),
    TEST_ENTRY(cluster_bad_signature_closes_link),
    TEST_ENTRY(cluster_short_totlen_closes_link),
    TEST_ENTRY(cluster_totlen_8_bypass_closed),
    TEST_ENTRY(cluster_huge_totlen_rejected_without_buffering),
    TEST_ENTRY(cluster_default_bound_is_64_mib),
    TEST_ENTRY(cluster_peer_closes_mid_frame),
    TEST_ENTRY(cluster_hostile_bytes),
    TEST_ENTRY(cluster_slow_reader_queue),
    TEST_ENTRY(cluster_write_error_frees_link),
    TEST_ENTRY(cluster_accepted_sockets_options),
    TEST_ENTRY(cluster_2000_connects),
    TEST_ENTRY(cluster_loading_gate_pauses_listener),
    TEST_ENTRY(cluster_fd_exhaustion_does_not_spin),
    TEST_ENTRY(cluster_unregistrable_fd_is_closed),
    TEST_ENTRY(cluster_sent_counter_hook),
    TEST_ENTRY(cluster_header_only_peers_cost_nothing),
    TEST_ENTRY(cluster_large_frame_trickled_byte_by_byte),
    TEST_ENTRY(cluster_unproven_links_are_bounded),
    TEST_ENTRY(cluster_write_event_mask),
    TEST_ENTRY(cluster_sent_counter_by_type),
    TEST_ENTRY(cluster_host_gives_its_own_constants),
    TEST_END
};

#else
/* This generation keeps the host's own link layer. */
const struct test_entry cluster_tests[] = {
    TEST_END,
};
#endif
