/* aenet's cluster link layer (redis50 generation), hosted by a Redis 3.2.12+,
 * 4.0.x or 5.0.x server.
 *
 * Add this file and aenet_cluster_link.h to src/, add aenet_cluster_host.o to
 * REDIS_SERVER_OBJ, and replace the seven link-layer definitions in
 * cluster.c with #include "aenet_cluster_link.h" (docs/cluster-host.md).
 * The hooks below hand the link layer the server state it needs; the frame
 * sizes and the node layout come from this tree's own cluster.h, so one
 * library serves all three versions. */
#include "server.h"
#include "cluster.h"
#include "aenet_cluster_host.h"

#include <stddef.h>
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
    serverLog(level, "%s", msg);
}

#ifdef CLUSTERMSG_TYPE_COUNT
/* 4.0+: one counter per message type. */
static void aenetHostMessageSentType(uint16_t type) {
    if (server.cluster && type < CLUSTERMSG_TYPE_COUNT) server.cluster->stats_bus_messages_sent[type]++;
}
#else
/* 3.2: one counter. */
static void aenetHostMessageSent(void) {
    if (server.cluster) server.cluster->stats_bus_messages_sent++;
}
#endif

__attribute__((constructor))
static void aenetClusterHostInstall(void) {
    aenetClusterHost host;
    memset(&host, 0, sizeof(host));
    host.processPacket = aenetHostProcessPacket;
    host.eventLoop = aenetHostEventLoop;
    host.acceptAllowed = aenetHostAcceptAllowed;
    host.log = aenetHostLog;
#ifdef CLUSTERMSG_TYPE_COUNT
    host.messageSentType = aenetHostMessageSentType;
#else
    host.messageSent = aenetHostMessageSent;
#endif
    host.minFrameLen = CLUSTERMSG_MIN_LEN;
    host.readChunk = sizeof(clusterMsg);
    host.nodeLinkOffset = offsetof(clusterNode, link);
    aenetClusterSetHost(&host);
}
