/* aenetClusterCheckFrameHeader (7.0+): the frame header check a host that
 * keeps its own cluster link layer can call from clusterReadHandler
 * (docs/cluster-host.md). Its verdicts on Redis 7.x rules (8 bytes checked)
 * and Valkey 8 rules (14 bytes, light headers), its argument checks, and a
 * read handler written as the documentation's snippet, fed over a
 * socketpair. */
#include "runner.h"
#include "gen.h"

#if GEN_CLUSTER_FRAME_CHECK
#include "aenet_cluster_frame.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* A frame header: "RCmb" (or `sig`), totlen, ver 1, port 0, type; the rest
 * of `buf` (at least 14 bytes) zero. */
static void put_header(unsigned char *buf, size_t len, const char *sig, uint32_t totlen, uint16_t type) {
    CHECK(len >= 14);
    memset(buf, 0, len);
    memcpy(buf, sig, 4);
    uint32_t t = htonl(totlen);
    memcpy(buf + 4, &t, 4);
    uint16_t v = htons(1), ty = htons(type);
    memcpy(buf + 8, &v, 2);
    memcpy(buf + 12, &ty, 2);
}

static int check(const char *sig, uint32_t totlen, uint16_t type, size_t len, uint32_t light, uint32_t max,
                 uint32_t *claimed) {
    unsigned char h[16];
    put_header(h, sizeof(h), sig, totlen, type);
    return aenetClusterCheckFrameHeader(h, len, 2256, light, max, claimed);
}

/* Redis 7.0/7.2, Valkey 7.2: signature and totlen, 8 bytes. */
TEST(cluster_frame_header_verdicts) {
    uint32_t t = 0;
    CHECK_EQ_INT(AENET_CLUSTER_FRAME_HEADER_LEN, 8);
    CHECK_EQ_INT(check("RCmb", 2256, 0, 8, 0, 1 << 20, &t), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(t, 2256);
    CHECK_EQ_INT(check("RCmb", 1 << 20, 1, 8, 0, 1 << 20, &t), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(t, 1 << 20);
    /* More bytes than the header: only the first 8 are read. */
    CHECK_EQ_INT(check("RCmb", 4000, 4, 16, 0, 1 << 20, NULL), AENET_CLUSTER_FRAME_OK);
    /* Too few bytes. */
    for (size_t len = 0; len < 8; len++)
        CHECK_EQ_INT(check("RCmb", 4000, 0, len, 0, 1 << 20, NULL), AENET_CLUSTER_FRAME_INCOMPLETE);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(NULL, 0, 0, 0, 0, NULL), AENET_CLUSTER_FRAME_INCOMPLETE);
    /* Bad signature, too short (the totlen-8 bypass included), too long;
     * the claimed length is reported for the log line. */
    t = 0;
    CHECK_EQ_INT(check("RCmB", 2256, 0, 8, 0, 1 << 20, &t), AENET_CLUSTER_FRAME_BAD_SIGNATURE);
    CHECK_EQ_INT(t, 2256);
    CHECK_EQ_INT(check("RCmb", 2255, 0, 8, 0, 1 << 20, &t), AENET_CLUSTER_FRAME_TOO_SHORT);
    CHECK_EQ_INT(t, 2255);
    CHECK_EQ_INT(check("RCmb", 8, 0, 8, 0, 1 << 20, &t), AENET_CLUSTER_FRAME_TOO_SHORT);
    CHECK_EQ_INT(check("RCmb", (1 << 20) + 1, 0, 8, 0, 1 << 20, &t), AENET_CLUSTER_FRAME_TOO_LONG);
    CHECK_EQ_INT(t, (1 << 20) + 1);
    /* The type's light bit means nothing without light headers. */
    CHECK_EQ_INT(check("RCmb", 16, 0x8004, 16, 0, 1 << 20, NULL), AENET_CLUSTER_FRAME_TOO_SHORT);
    /* maxLen 0: 64 MiB; UINT32_MAX: no bound, as the reference. */
    CHECK_EQ_INT(check("RCmb", 64u << 20, 0, 8, 0, 0, NULL), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(check("RCmb", (64u << 20) + 1, 0, 8, 0, 0, NULL), AENET_CLUSTER_FRAME_TOO_LONG);
    CHECK_EQ_INT(AENET_CLUSTER_FRAME_DEFAULT_MAX_LEN, 64 << 20);
    CHECK_EQ_INT(check("RCmb", UINT32_MAX, 0, 8, 0, UINT32_MAX, NULL), AENET_CLUSTER_FRAME_OK);
    /* minLen 0: 2256. */
    unsigned char h[16];
    put_header(h, sizeof(h), "RCmb", 2255, 0);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 8, 0, 0, 0, NULL), AENET_CLUSTER_FRAME_TOO_SHORT);
    put_header(h, sizeof(h), "RCmb", 2256, 0);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 8, 0, 0, 0, NULL), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(AENET_CLUSTER_FRAME_MIN_LEN, 2256);
    return 0;
}

/* Valkey 8: 14 bytes, and a type with 0x8000 is a light header whose
 * minimum is CLUSTERMSG_LIGHT_MIN_LEN (16). */
TEST(cluster_frame_light_headers) {
    uint32_t t = 0;
    CHECK_EQ_INT(AENET_CLUSTER_FRAME_LIGHT_HEADER_LEN, 14);
    CHECK_EQ_INT(AENET_CLUSTER_FRAME_LIGHT_FLAG, 0x8000);
    CHECK_EQ_INT(check("RCmb", 2256, 0, 8, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_INCOMPLETE);
    CHECK_EQ_INT(check("RCmb", 2256, 0, 13, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_INCOMPLETE);
    CHECK_EQ_INT(check("RCmb", 2256, 0, 14, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(check("RCmb", 16, 0x8004, 14, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(t, 16);
    CHECK_EQ_INT(check("RCmb", 15, 0x800a, 14, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_TOO_SHORT);
    CHECK_EQ_INT(check("RCmb", 16, 0x0004, 14, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_TOO_SHORT);
    CHECK_EQ_INT(check("RCmb", (1 << 20) + 1, 0x8004, 14, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_TOO_LONG);
    CHECK_EQ_INT(check("XCmb", 16, 0x8004, 14, 16, 1 << 20, &t), AENET_CLUSTER_FRAME_BAD_SIGNATURE);
    return 0;
}

/* Unusable arguments: _INVALID and EINVAL, nothing written. */
TEST(cluster_frame_invalid_arguments) {
    unsigned char h[16];
    uint32_t t = 12345;
    put_header(h, sizeof(h), "RCmb", 2256, 0);
    errno = 0;
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(NULL, 8, 0, 0, 0, &t), AENET_CLUSTER_FRAME_INVALID);
    CHECK_EQ_INT(errno, EINVAL);
    /* A minimum within the bytes checked would let a frame that is only
     * its header count as whole before it is checked. */
    errno = 0;
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 8, 8, 0, 0, &t), AENET_CLUSTER_FRAME_INVALID);
    CHECK_EQ_INT(errno, EINVAL);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 14, 2256, 14, 0, &t), AENET_CLUSTER_FRAME_INVALID);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 14, 14, 16, 0, &t), AENET_CLUSTER_FRAME_INVALID);
    CHECK_EQ_INT(t, 12345);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 8, 9, 0, 0, &t), AENET_CLUSTER_FRAME_OK);
    CHECK_EQ_INT(aenetClusterCheckFrameHeader(h, 14, 15, 15, 0, &t), AENET_CLUSTER_FRAME_OK);
    return 0;
}

/* A read handler shaped like Redis 7.2's / Valkey 8's clusterReadHandler
 * with the check where docs/cluster-host.md puts it: the header read on
 * its own, checked once when complete, then the rest in chunks appended
 * to a growing buffer. */
struct rlink {
    int fd;
    unsigned char *rcvbuf;
    size_t len, alloc;
    int frames, closed, verdict;
};

static uint32_t claimed_len(const unsigned char *b) {
    uint32_t t;
    memcpy(&t, b + 4, 4);
    return ntohl(t);
}

static void read_handler(struct rlink *l, uint32_t light_min, uint32_t max) {
    unsigned char buf[4352];
    size_t hdr = light_min ? AENET_CLUSTER_FRAME_LIGHT_HEADER_LEN : AENET_CLUSTER_FRAME_HEADER_LEN;
    for (;;) {
        size_t readlen;
        if (l->len < hdr) {
            readlen = hdr - l->len;
        } else {
            if (l->len == hdr) {
                int v = aenetClusterCheckFrameHeader(l->rcvbuf, l->len, 2256, light_min, max, NULL);
                if (v != AENET_CLUSTER_FRAME_OK) {
                    l->verdict = v;
                    l->closed = 1;
                    return;
                }
            }
            readlen = claimed_len(l->rcvbuf) - l->len;
            if (readlen > sizeof(buf)) readlen = sizeof(buf);
        }
        ssize_t n = read(l->fd, buf, readlen);
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            l->closed = 1;
            return;
        }
        if (l->len + (size_t)n > l->alloc) {
            l->alloc = (l->len + (size_t)n) * 2;
            l->rcvbuf = realloc(l->rcvbuf, l->alloc);
            CHECK(l->rcvbuf != NULL);
        }
        memcpy(l->rcvbuf + l->len, buf, (size_t)n);
        l->len += (size_t)n;
        if (l->len >= hdr && l->len == claimed_len(l->rcvbuf)) {
            l->frames++;
            l->len = 0;
        }
    }
}

static void send_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        CHECK(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

static void run_stream(uint32_t light_min, uint16_t big_type) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
    struct rlink l = { sv[0], NULL, 0, 0, 0, 0, 0 };
    static unsigned char frame[3000];
    put_header(frame, sizeof(frame), "RCmb", sizeof(frame), 1);
    send_all(sv[1], frame, sizeof(frame));
    send_all(sv[1], frame, sizeof(frame));
    if (light_min) {
        put_header(frame, 16, "RCmb", 16, 0x8004);
        send_all(sv[1], frame, 16);
    }
    read_handler(&l, light_min, 1 << 20);
    CHECK_EQ_INT(l.frames, light_min ? 3 : 2);
    CHECK(!l.closed);
    /* A peer claiming 100 MiB: closed on its header, nothing buffered. */
    put_header(frame, sizeof(frame), "RCmb", 100u << 20, big_type);
    send_all(sv[1], frame, sizeof(frame));
    read_handler(&l, light_min, 1 << 20);
    CHECK(l.closed);
    CHECK_EQ_INT(l.verdict, AENET_CLUSTER_FRAME_TOO_LONG);
    CHECK(l.alloc <= 3 * sizeof(frame));
    free(l.rcvbuf);
    close(sv[0]);
    close(sv[1]);
}

TEST(cluster_frame_check_in_a_read_handler) {
    run_stream(0, 1);           /* Redis 7.x */
    run_stream(16, 1);          /* Valkey 8, full header */
    run_stream(16, 0x8004);     /* Valkey 8, light header */
    return 0;
}
#endif

const struct test_entry cluster_frame_tests[] = {
#if GEN_CLUSTER_FRAME_CHECK
    TEST_ENTRY(cluster_frame_header_verdicts),
    TEST_ENTRY(cluster_frame_light_headers),
    TEST_ENTRY(cluster_frame_invalid_arguments),
    TEST_ENTRY(cluster_frame_check_in_a_read_handler),
#endif
    TEST_END,
};
