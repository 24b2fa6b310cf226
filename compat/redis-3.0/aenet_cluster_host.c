/* aenet's cluster link layer, hosted by a Redis 3.0.x server.
 *
 * Add this file and aenet_cluster_link.h to src/, add aenet_cluster_host.o to
 * REDIS_SERVER_OBJ, and replace the seven link-layer definitions in
 * cluster.c with #include "aenet_cluster_link.h" (docs/cluster-host.md).
 * The hooks below hand the link layer the server state it needs. */
#include "redis.h"
#include "cluster.h"
#include "aenet_cluster_host.h"

#include <string.h>

int clusterProcessPacket(clusterLink *link); /* cluster.c, not static */

static int aenetHostProcessPacket(struct clusterLink *link) {
    return clusterProcessPacket(link);
}

static struct aeEventLoop *aenetHostEventLoop(void) {
    return server.el;
}

/* A starting master must not take UPDATE messages while it loads data. */
static int aenetHostAcceptAllowed(void) {
    return !(server.masterhost == NULL && server.loading);
}

static void aenetHostLog(int level, const char *msg) {
    redisLog(level, "%s", msg);
}

static void aenetHostMessageSent(void) {
    if (server.cluster) server.cluster->stats_bus_messages_sent++;
}

__attribute__((constructor))
static void aenetClusterHostInstall(void) {
    aenetClusterHost host;
    memset(&host, 0, sizeof(host));
    host.processPacket = aenetHostProcessPacket;
    host.eventLoop = aenetHostEventLoop;
    host.acceptAllowed = aenetHostAcceptAllowed;
    host.log = aenetHostLog;
    host.messageSent = aenetHostMessageSent;
    aenetClusterSetHost(&host);
}
