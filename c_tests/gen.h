/* What the generation under test has, from the -DAENET_GEN_<NAME> the
 * Makefile passes (one C suite, built once per generation). Tests of
 * functions a generation lacks are left out of its build; tests of
 * behaviour that differs check the generation's own. */
#ifndef AENET_TEST_GEN_H
#define AENET_TEST_GEN_H

#if defined(AENET_GEN_REDIS30)
#define GEN_NAME "redis30"
#define GEN_ANET_FORMAT 0        /* anetFormatAddr/Peer/Sock (3.2-6.0) */
#define GEN_AFTER_SLEEP 0        /* aeSetAfterSleepProc (4.0+) */
#define GEN_LAZY_TIMER_DELETE 0  /* aeDeleteTimeEvent frees at the next pass (3.2+) */
#define GEN_BIND_ERRNO_TEXT 0    /* "unable to bind socket, errno: %d" (3.2+) */
#define GEN_SDS32 0              /* link buffers in the 3.2+ sds format */
#define GEN_WRITE_BARRIER 0      /* the cluster write handler is armed with AE_BARRIER */
#define GEN_FILE_EVENTS_ONLY_WHEN_ASKED 0 /* TIME-only calls dispatch no file event (7.2+) */
#define GEN_FINALIZE_ON_LOOP_DELETE 0     /* aeDeleteEventLoop runs finalizers (Valkey 8+) */
#elif defined(AENET_GEN_REDIS50)
#define GEN_NAME "redis50"
#define GEN_ANET_FORMAT 1
#define GEN_AFTER_SLEEP 1
#define GEN_LAZY_TIMER_DELETE 1
#define GEN_BIND_ERRNO_TEXT 1
#define GEN_SDS32 1
#define GEN_WRITE_BARRIER 1
#define GEN_FILE_EVENTS_ONLY_WHEN_ASKED 0
#define GEN_FINALIZE_ON_LOOP_DELETE 0
#else
#error "build with -DAENET_GEN_<generation>"
#endif

#endif
