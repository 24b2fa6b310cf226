/* The seven cluster-bus link functions that libaenet defines, declared with
 * Redis 3.2-5.0's own types. Include it in cluster.c where their definitions
 * were (after cluster.h). */
#ifndef AENET_CLUSTER_LINK_REDIS50_H
#define AENET_CLUSTER_LINK_REDIS50_H

clusterLink *createClusterLink(clusterNode *node);
void freeClusterLink(clusterLink *link);
void handleLinkIOError(clusterLink *link);
void clusterAcceptHandler(aeEventLoop *el, int fd, void *privdata, int mask);
void clusterReadHandler(aeEventLoop *el, int fd, void *privdata, int mask);
void clusterWriteHandler(aeEventLoop *el, int fd, void *privdata, int mask);
void clusterSendMessage(clusterLink *link, unsigned char *msg, size_t msglen);

#endif
