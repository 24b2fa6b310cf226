/* What the generation under test has, from the -DAENET_GEN_<NAME> the
 * Makefile passes (one C suite, built once per generation). Tests of
 * functions a generation lacks are left out of its build; tests of
 * behaviour that differs check the generation's own. */
#ifndef AENET_TEST_GEN_H
#define AENET_TEST_GEN_H

/* Ordinal of the generation, for "from version X on" checks. */
#define GEN_R30 30
#define GEN_R50 50
#define GEN_R60 60
#define GEN_R62 62
#define GEN_R70 70
#define GEN_R72 72
#define GEN_V80 80
#define GEN_V81 81

#if defined(AENET_GEN_REDIS30)
#define GEN GEN_R30
#define GEN_NAME "redis30"
#elif defined(AENET_GEN_REDIS50)
#define GEN GEN_R50
#define GEN_NAME "redis50"
#elif defined(AENET_GEN_REDIS60)
#define GEN GEN_R60
#define GEN_NAME "redis60"
#elif defined(AENET_GEN_REDIS62)
#define GEN GEN_R62
#define GEN_NAME "redis62"
#elif defined(AENET_GEN_REDIS70)
#define GEN GEN_R70
#define GEN_NAME "redis70"
#elif defined(AENET_GEN_REDIS72)
#define GEN GEN_R72
#define GEN_NAME "redis72"
#elif defined(AENET_GEN_VALKEY80)
#define GEN GEN_V80
#define GEN_NAME "valkey80"
#elif defined(AENET_GEN_VALKEY81)
#define GEN GEN_V81
#define GEN_NAME "valkey81"
#else
#error "build with -DAENET_GEN_<generation>"
#endif

/* ae */
#define GEN_AFTER_SLEEP (GEN >= GEN_R50)          /* aeSetAfterSleepProc */
#define GEN_LAZY_TIMER_DELETE (GEN >= GEN_R50)    /* freed by the next pass (3.2+) */
#define GEN_BEFORE_SLEEP_IN_PROCESS (GEN >= GEN_R60) /* AE_CALL_BEFORE_SLEEP */
#define GEN_BEFORE_SLEEP_FIRST (GEN >= GEN_R72)   /* before the timeout and DONT_WAIT check */
#define GEN_DONT_WAIT (GEN >= GEN_R60)            /* aeSetDontWait */
#define GEN_MONOTONIC_TIMERS (GEN >= GEN_R62)     /* aeTimeEvent.when in monotonic us */
#define GEN_CLIENT_DATA (GEN >= GEN_R70)          /* aeGetFileClientData */
#define GEN_FILE_EVENTS_ONLY_WHEN_ASKED (GEN >= GEN_R72)
#define GEN_WAIT_ERROR_PANICS (GEN >= GEN_R70)    /* a failed wait ends in _serverPanic */
#define GEN_CUSTOM_POLL (GEN >= GEN_V80)          /* aePoll, custom poll, protect */
#define GEN_FINALIZE_ON_LOOP_DELETE (GEN >= GEN_V80)
#define GEN_TIME_PROC_LONG (GEN >= GEN_V81)       /* aeTimeProc returns long long */
#define GEN_VALKEY_ALLOC (GEN >= GEN_V81)         /* the host allocator is valkey_malloc & co. */

/* What a time proc returns in this generation's aeTimeProc. */
#if GEN_TIME_PROC_LONG
typedef long long timer_ret;
#else
typedef int timer_ret;
#endif

/* anet */
#define GEN_ANET_LEGACY (GEN <= GEN_R60)          /* blocking clients, anetRead/Write, names, ResolveIP */
#define GEN_ANET_FORMAT (GEN >= GEN_R50 && GEN <= GEN_R60) /* anetFormatPeer/Sock */
#define GEN_ANET_FORMAT_ADDR (GEN >= GEN_R50 && GEN <= GEN_R70)
#define GEN_BIND_ERRNO_TEXT (GEN >= GEN_R50)      /* "unable to bind socket, errno: %d" */
#define GEN_RECV_TIMEOUT (GEN >= GEN_R60)
#define GEN_ANET_62 (GEN >= GEN_R62)              /* anetResolve(flags), anetCloexec, anetFdToString */
#define GEN_FORMAT_FD_ADDR (GEN >= GEN_R62 && GEN <= GEN_R70)
#define GEN_FD_TO_STRING_REMOTE (GEN >= GEN_R72)  /* last argument: non-zero is the peer */
#define GEN_ACCEPT_NONBLOCK (GEN >= GEN_R70)      /* accepted fds non-blocking, close-on-exec */
#define GEN_PIPE_MARK (GEN >= GEN_R70)            /* anetPipe, anetSetSockMarkId */
#define GEN_ERROR_FIFO (GEN >= GEN_R72)           /* anetGetError, anetIsFifo */
#define GEN_UNIX_GENERIC_CONNECT (GEN <= GEN_R72)
#define GEN_UNIX_SERVER_GROUP (GEN >= GEN_V80)    /* anetUnixServer(..., group), cloexec sockets */

/* cluster bus */
#define GEN_CLUSTER_FRAME_CHECK (GEN >= GEN_R70)  /* aenetClusterCheckFrameHeader */
/* the link layer (3.0-5.0) */
#define GEN_CLUSTER_LINK (GEN <= GEN_R50)
#define GEN_SDS32 (GEN >= GEN_R50)
#define GEN_WRITE_BARRIER (GEN >= GEN_R50)

#endif
