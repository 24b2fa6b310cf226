#include "runner.h"

extern const struct test_entry ae_tests[];
extern const struct test_entry ae_compat_tests[];
extern const struct test_entry ae_interest_tests[];
extern const struct test_entry ae_uring_tests[];
extern const struct test_entry anet_tests[];
extern const struct test_entry cluster_tests[];
extern const struct test_entry accept_exhaustion_tests[];
extern const struct test_entry sleep_hook_tests[];
extern const struct test_entry anet_modern_tests[];
extern const struct test_entry ae_v7_tests[];
extern const struct test_entry cluster_frame_tests[];
extern const struct test_entry thread_tests[];
extern const struct test_entry custom_poll_tests[];

int main(int argc, char **argv) {
    const struct test_entry *const suites[] = {
        ae_tests,
        ae_compat_tests,
        ae_interest_tests,
        ae_uring_tests,
        anet_tests,
        cluster_tests,
        accept_exhaustion_tests,
        sleep_hook_tests,
        anet_modern_tests,
        ae_v7_tests,
        cluster_frame_tests,
        thread_tests,
        custom_poll_tests,
        NULL,
    };
    return run_suites(suites, argc, argv);
}
