/* Timer firing cost against the number of live timers, two workloads.
 *
 * steady: every one of the N live timers is periodic, with a random phase
 * and a period of N/25 ms, so about 25 timers fire per millisecond at every
 * N. The loop runs aeProcessEvents(AE_TIME_EVENTS) (waiting for the next
 * deadline, as a server does) for a second; the cost per firing is the
 * process CPU time over the firings. The timers are made afresh for each
 * configuration of each round (a loop left idle would come back to a
 * backlog that bunches the phases).
 *
 * hot: N-100 idle timers with deadlines spread over the next hours, and 100
 * hot ones that return 0 (fire again next pass). One
 * aeProcessEvents(AE_TIME_EVENTS|AE_DONT_WAIT) fires every hot timer once;
 * the cost per firing is the pass time over 100. This keeps the hot timers
 * at the front of any queue, so it shows the best case.
 *
 * The configurations run alternately, several rounds each, and the medians
 * are compared, so machine noise hits all of them alike.
 *
 *   bench_timers [SIZES] [DATAFILE]  (SIZES: 2-4, the first that many of
 *   100, 10000, 100000, 1000000; DATAFILE: "N steady_ns hot_ns" rows)
 *   bench_timers steady-once N PASSES  (the steady workload once, for
 *   bench/timer_instructions.sh) */
#include "ae.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#endif

#define HOT 100
#define PASSES 2000
#define ROUNDS 9

static long long fired;

static int hot(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    fired++;
    return 0;
}

static int periodic(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id;
    fired++;
    return (int)(long)data;
}

static int idle(aeEventLoop *el, long long id, void *data) {
    (void)el; (void)id; (void)data;
    return AE_NOMORE;
}

static double clock_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

#define STEADY_MS 1000
#define PER_MS 25

/* One steady-state run: N periodic timers for STEADY_MS, a timer pass at
 * every millisecond (aeProcessEvents(AE_TIME_EVENTS|AE_DONT_WAIT), the
 * clock polled in between); the thread's CPU time in the passes per firing
 * (so time the machine gave to other processes does not count; the cost of
 * reading that clock is measured and taken off). The cadence of the passes
 * is the same at every N, so what differs is the cost of the timers' data
 * structure alone (waiting, which a server pays once per pass whatever N
 * is, is left out). */
static double cpu_clock_cost(void) {
    double best = 1e18;
    for (int i = 0; i < 1000; i++) {
        double a = clock_ns(CLOCK_THREAD_CPUTIME_ID), b = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (b - a < best) best = b - a;
    }
    return best;
}

static double steady(long n, double *per_ms) {
    long period = n / PER_MS;
    double overhead = cpu_clock_cost();
    aeEventLoop *el = aeCreateEventLoop(64);
    /* A timer fired in a pass is rescheduled from the clock after that
     * pass began, so it would next be due just after the pass `period` ms
     * later and fire a pass after that: asking for one ms less keeps the
     * period (and 25 firings a pass) at every N. */
    for (long i = 0; i < n; i++)
        aeCreateTimeEvent(el, rand() % period, periodic, (void *)(period - 1), NULL);
    double in_passes = 0, start = now_ns();
    for (long tick = 1; tick <= STEADY_MS + 50; tick++) {
        while (now_ns() < start + tick * 1e6) {}
        if (tick == 51) fired = 0; /* a short warm-up first */
        double a = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT);
        double b = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (tick > 50) in_passes += b - a - overhead;
    }
    *per_ms = fired / (double)STEADY_MS;
    aeDeleteEventLoop(el);
    return in_passes / (fired ? fired : 1);
}

/* The steady workload: WARMUP passes (the first cascades, and catching up
 * after a slow first pass under valgrind), then callgrind's counters
 * zeroed and `passes` passes, one a millisecond; prints their firings. */
#define WARMUP 200
static int steady_once(long n, long passes) {
    long period = n / PER_MS;
    aeEventLoop *el = aeCreateEventLoop(64);
    for (long i = 0; i < n; i++)
        aeCreateTimeEvent(el, rand() % period, periodic, (void *)(period - 1), NULL);
    for (int phase = 0; phase < 2; phase++) {
        long ticks = phase == 0 ? WARMUP : passes;
        double start = now_ns();
        for (long tick = 1; tick <= ticks; tick++) {
            while (now_ns() < start + tick * 1e6) {}
            aeProcessEvents(el, AE_TIME_EVENTS | AE_DONT_WAIT);
        }
        if (phase == 0) {
            fired = 0;
            CALLGRIND_ZERO_STATS;
        }
    }
    printf("%lld firings\n", fired);
    aeDeleteEventLoop(el);
    return 0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    srand(42);
    if (argc == 4 && strcmp(argv[1], "steady-once") == 0) return steady_once(atol(argv[2]), atol(argv[3]));
    long sizes[] = { 100, 10000, 100000, 1000000 };
    int nsizes = argc > 1 ? atoi(argv[1]) : 4;
    if (nsizes < 2 || nsizes > 4) nsizes = 4;
    aeEventLoop *loops[4];
    double samples[4][ROUNDS], steady_samples[4][ROUNDS], rate[4][ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
        for (int s = 0; s < nsizes; s++) steady_samples[s][r] = steady(sizes[s], &rate[s][r]);
    printf("timers, steady state: time per firing (median of %d rounds of %d passes, one a millisecond, ~%d firings each)\n",
           ROUNDS, STEADY_MS, PER_MS);
    double steady_med[4], base = 0;
    for (int s = 0; s < nsizes; s++) {
        qsort(steady_samples[s], ROUNDS, sizeof(double), cmp);
        qsort(rate[s], ROUNDS, sizeof(double), cmp);
        steady_med[s] = steady_samples[s][ROUNDS / 2];
        if (s == 0) base = steady_med[s];
        printf("  %8ld live timers: %7.1f ns/firing  ratio to 100: %.2f  (%.1f firings/ms)\n", sizes[s],
               steady_med[s], steady_med[s] / base, rate[s][ROUNDS / 2]);
    }
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
    printf("timers, hot: cost per firing (median of %d rounds, %d hot timers next to idle ones)\n", ROUNDS, HOT);
    FILE *data = argc > 2 ? fopen(argv[2], "w") : NULL;
    if (data) fprintf(data, "# live_timers steady_ns_per_firing hot_ns_per_firing\n");
    for (int s = 0; s < nsizes; s++) {
        qsort(samples[s], ROUNDS, sizeof(double), cmp);
        double med = samples[s][ROUNDS / 2];
        if (s == 0) base = med;
        printf("  %8ld live timers: %7.1f ns/firing  ratio to 100: %.2f\n", sizes[s], med, med / base);
        if (data) fprintf(data, "%ld %.1f %.1f\n", sizes[s], steady_med[s], med);
    }
    if (data) fclose(data);
    for (int s = 0; s < nsizes; s++) aeDeleteEventLoop(loops[s]);
    return 0;
}
