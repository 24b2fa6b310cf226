/* Timer firing cost against the number of live timers.
 *
 * Each configuration holds N live timers: N-100 idle ones with deadlines
 * spread over the next hours, and 100 hot ones that return 0 (fire again
 * next pass). One aeProcessEvents(AE_TIME_EVENTS|AE_DONT_WAIT) fires every
 * hot timer once; the cost per firing is the pass time over 100. The
 * configurations run alternately, several rounds each, and the medians are
 * compared, so machine noise hits all of them alike. */
#include "ae.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define HOT 100
#define PASSES 2000
#define ROUNDS 7

static long long fired;

static int hot(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    fired++;
    return 0;
}

static int idle(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    return AE_NOMORE;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long sizes[] = { 100, 10000, 100000, 1000000 };
    int nsizes = argc > 1 ? atoi(argv[1]) : 4;
    if (nsizes < 2 || nsizes > 4) nsizes = 4;
    aeEventLoop *loops[4];
    double samples[4][ROUNDS];
    srand(42);
    for (int s = 0; s < nsizes; s++) {
        loops[s] = aeCreateEventLoop(64);
        for (long i = 0; i < sizes[s] - HOT; i++)
            aeCreateTimeEvent(loops[s], 3600000 + rand() % 7200000, idle, NULL, NULL);
        for (int i = 0; i < HOT; i++) aeCreateTimeEvent(loops[s], 0, hot, NULL, NULL);
    }
    for (int r = 0; r < ROUNDS; r++) {
        for (int s = 0; s < nsizes; s++) {
            fired = 0;
            double t0 = now_ns();
            for (int p = 0; p < PASSES; p++) aeProcessEvents(loops[s], AE_TIME_EVENTS | AE_DONT_WAIT);
            double t1 = now_ns();
            if (fired != (long long)PASSES * HOT) {
                fprintf(stderr, "expected %d firings, got %lld\n", PASSES * HOT, fired);
                return 1;
            }
            samples[s][r] = (t1 - t0) / fired;
        }
    }
    printf("timers: cost per firing (median of %d rounds, %d hot timers, backend %s)\n",
           ROUNDS, HOT, aeGetApiName());
    double base = 0;
    for (int s = 0; s < nsizes; s++) {
        qsort(samples[s], ROUNDS, sizeof(double), cmp);
        double med = samples[s][ROUNDS / 2];
        if (s == 0) base = med;
        printf("  %8ld live timers: %7.1f ns/firing  ratio to 100: %.2f\n", sizes[s], med, med / base);
    }
    for (int s = 0; s < nsizes; s++) aeDeleteEventLoop(loops[s]);
    return 0;
}
