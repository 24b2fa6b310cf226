/* A small Redis-protocol server on libaenet: PING, ECHO, SET and GET over an
 * in-memory table. Read it top to bottom: accept, read, parse, reply.
 *
 *   resp_server --port 6390     serve until killed (try: redis-cli -p 6390 ping)
 *   resp_server --demo          serve one scripted client, print the exchange, exit
 */
#include "ae.h"
#include "anet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 8
#define BUF_SIZE 16384
#define TABLE_SIZE 1024

/* ---- the data: a fixed-size hash table of strings ---- */
struct entry { char *key, *val; struct entry *next; };
static struct entry *table[TABLE_SIZE];

static unsigned hash(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char)*s++; return h % TABLE_SIZE; }

static const char *get(const char *key) {
    for (struct entry *e = table[hash(key)]; e; e = e->next) if (!strcmp(e->key, key)) return e->val;
    return NULL;
}

static void set(const char *key, const char *val) {
    struct entry **slot = &table[hash(key)];
    for (struct entry *e = *slot; e; e = e->next)
        if (!strcmp(e->key, key)) { free(e->val); e->val = strdup(val); return; }
    struct entry *e = malloc(sizeof(*e));
    e->key = strdup(key); e->val = strdup(val); e->next = *slot; *slot = e;
}

/* ---- a client: an input buffer and an output buffer ---- */
struct client { int fd; char in[BUF_SIZE]; size_t inlen; char out[BUF_SIZE]; size_t outlen; };

static aeEventLoop *loop;
static int demo_mode;

static void free_client(struct client *c) {
    aeDeleteFileEvent(loop, c->fd, AE_READABLE | AE_WRITABLE);
    close(c->fd);
    free(c);
    if (demo_mode) aeStop(loop);
}

static void reply(struct client *c, const char *fmt, const char *arg) {
    int n = snprintf(c->out + c->outlen, sizeof(c->out) - c->outlen, fmt, arg ? (int)strlen(arg) : 0, arg ? arg : "");
    if (n > 0 && c->outlen + (size_t)n < sizeof(c->out)) c->outlen += (size_t)n;
}

static void execute(struct client *c, int argc, char **argv) {
    if (argc == 1 && !strcasecmp(argv[0], "PING")) reply(c, "+PONG\r\n%.0s", "");
    else if (argc == 2 && !strcasecmp(argv[0], "ECHO")) reply(c, "$%d\r\n%s\r\n", argv[1]);
    else if (argc == 3 && !strcasecmp(argv[0], "SET")) { set(argv[1], argv[2]); reply(c, "+OK\r\n%.0s", ""); }
    else if (argc == 2 && !strcasecmp(argv[0], "GET")) {
        const char *v = get(argv[1]);
        if (v) reply(c, "$%d\r\n%s\r\n", v); else reply(c, "$-1\r\n%.0s", "");
    } else reply(c, "-ERR unknown command or wrong number of arguments%.0s\r\n", "");
}

/* Parses one command (a RESP array of bulk strings, or an inline line) at
 * the start of the buffer; returns the bytes used, or 0 if incomplete. */
static size_t parse(char *buf, size_t len, int *argc, char **argv) {
    char *end = memchr(buf, '\n', len);
    if (!end) return 0;
    *argc = 0;
    if (buf[0] != '*') {                                   /* inline: PING\r\n */
        *end = 0;
        if (end > buf && end[-1] == '\r') end[-1] = 0;
        for (char *t = strtok(buf, " "); t && *argc < MAX_ARGS; t = strtok(NULL, " ")) argv[(*argc)++] = t;
        return (size_t)(end - buf) + 1;
    }
    int n = atoi(buf + 1);
    char *p = end + 1;
    for (int i = 0; i < n && i < MAX_ARGS; i++) {           /* $3\r\nfoo\r\n */
        char *nl = memchr(p, '\n', len - (size_t)(p - buf));
        if (!nl || *p != '$') return 0;
        long blen = atol(p + 1);
        char *data = nl + 1;
        if (blen < 0 || data + blen + 2 > buf + len) return 0;
        data[blen] = 0;
        argv[(*argc)++] = data;
        p = data + blen + 2;
    }
    return (size_t)(p - buf);
}

static void write_handler(aeEventLoop *el, int fd, void *data, int mask) {
    struct client *c = data;
    (void)el; (void)mask;
    ssize_t n = write(fd, c->out, c->outlen);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { free_client(c); return; }
    memmove(c->out, c->out + n, c->outlen - (size_t)n);
    c->outlen -= (size_t)n;
    if (c->outlen == 0) aeDeleteFileEvent(loop, fd, AE_WRITABLE);
}

static void read_handler(aeEventLoop *el, int fd, void *data, int mask) {
    struct client *c = data;
    (void)el; (void)mask;
    ssize_t n = read(fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) { free_client(c); return; }
    c->inlen += (size_t)n;
    int argc;
    char *argv[MAX_ARGS];
    size_t used;
    while (c->inlen && (used = parse(c->in, c->inlen, &argc, argv)) > 0) {
        if (argc) execute(c, argc, argv);
        memmove(c->in, c->in + used, c->inlen - used);
        c->inlen -= used;
    }
    if (c->outlen) aeCreateFileEvent(loop, fd, AE_WRITABLE, write_handler, c);
}

static void accept_handler(aeEventLoop *el, int fd, void *data, int mask) {
    char err[ANET_ERR_LEN], ip[46];
    int port;
    (void)el; (void)data; (void)mask;
    int cfd = anetTcpAccept(err, fd, ip, sizeof(ip), &port);
    if (cfd == ANET_ERR) { if (errno != EAGAIN) fprintf(stderr, "%s\n", err); return; }
    anetNonBlock(NULL, cfd);
    anetEnableTcpNoDelay(NULL, cfd);
    struct client *c = calloc(1, sizeof(*c));
    c->fd = cfd;
    if (aeCreateFileEvent(loop, cfd, AE_READABLE, read_handler, c) == AE_ERR) { close(cfd); free(c); }
}

/* The demo client: one blocking connection, a few commands, the replies.
 * Plain sockets: the blocking anet client helpers left anet in Redis 6.2. */
static int demo_client(int port) {
    char buf[512];
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) { perror("connect"); return 1; }
    const char *cmds[] = { "PING", "SET greeting hello", "GET greeting", "ECHO aenet", "GET missing" };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        char line[64];
        int n = snprintf(line, sizeof(line), "%s\r\n", cmds[i]);
        if (write(fd, line, (size_t)n) != n) return 1;
        ssize_t r = read(fd, buf, sizeof(buf) - 1);   /* each reply fits one read */
        if (r <= 0) return 1;
        buf[r] = 0;
        for (char *p = buf; *p; p++) if (*p == '\r' || *p == '\n') *p = ' ';
        printf("> %-20s < %s\n", cmds[i], buf);
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    int port = 6390;
    char err[ANET_ERR_LEN];
    if (argc > 1 && !strcmp(argv[1], "--demo")) { demo_mode = 1; port = 0; }
    else if (argc > 2 && !strcmp(argv[1], "--port")) port = atoi(argv[2]);
    loop = aeCreateEventLoop(1024);
    int lfd = anetTcpServer(err, port, "127.0.0.1", 511);
    if (lfd == ANET_ERR) { fprintf(stderr, "listen: %s\n", err); return 1; }
    anetNonBlock(NULL, lfd);
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    if (getsockname(lfd, (struct sockaddr *)&sa, &salen) == 0) port = ntohs(sa.sin_port);
    aeCreateFileEvent(loop, lfd, AE_READABLE, accept_handler, NULL);
    printf("resp_server on 127.0.0.1:%d (event loop: %s)\n", port, aeGetApiName());
    fflush(stdout);
    pid_t child = -1;
    if (demo_mode && (child = fork()) == 0) { int rc = demo_client(port); fflush(stdout); _exit(rc); }
    aeMain(loop);                          /* in demo mode, until the client leaves */
    int status = 0;
    if (child > 0) waitpid(child, &status, 0);
    aeDeleteEventLoop(loop);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
