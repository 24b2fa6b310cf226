/* Connections accepted per second through clusterAcceptHandler: a child
 * process opens connections to the bus port as fast as it can while the
 * parent's loop accepts them into links (each closed again as soon as the
 * peer hangs up). Reports accepted connections per second. */
#include "ae.h"
#include "anet.h"
#include "cluster_link.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOTAL 20000
#define BATCH 200

static aeEventLoop *el;
static long accepted;
static void on_log(int level, const char *msg) {
    (void)level;
    if (!strncmp(msg, "Accepted cluster node", 21)) accepted++;
}
static aeEventLoop *host_loop(void) { return el; }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
    char err[ANET_ERR_LEN], ip[64];
    int port;
    el = aeCreateEventLoop(4096);
    aenetClusterHost h;
    memset(&h, 0, sizeof(h));
    h.log = on_log;
    h.eventLoop = host_loop;
    aenetClusterSetHost(&h);
    int lfd = anetTcpServer(err, 0, "127.0.0.1", 4096);
    if (lfd < 0) { fprintf(stderr, "%s\n", err); return 1; }
    anetNonBlock(NULL, lfd);
    anetSockName(lfd, ip, sizeof(ip), &port);
    aeCreateFileEvent(el, lfd, AE_READABLE, clusterAcceptHandler, NULL);
    pid_t child = fork();
    if (child == 0) {
        /* Connect in batches, closing each batch before the next. */
        int fds[BATCH];
        for (int done = 0; done < TOTAL; done += BATCH) {
            for (int i = 0; i < BATCH; i++) fds[i] = anetTcpConnect(NULL, "127.0.0.1", port);
            for (int i = 0; i < BATCH; i++) if (fds[i] > 0) close(fds[i]);
        }
        _exit(0);
    }
    double t0 = now_s();
    while (accepted < TOTAL) aeProcessEvents(el, AE_ALL_EVENTS);
    double dt = now_s() - t0;
    waitpid(child, NULL, 0);
    printf("accept: %ld connections through clusterAcceptHandler in %.2f s: %.0f per second\n",
           accepted, dt, accepted / dt);
    return 0;
}
