#!/bin/sh
# A short bounded run of every fuzz target on its committed corpus (new
# inputs go to a temporary directory, so the corpus only changes on
# purpose). Fails on the first crash, leak or timeout.
#   fuzz-smoke.sh [SECONDS_PER_TARGET]
# cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable
# toolchain accept them. -s none: no sanitizer runtime (it needs nightly's
# std), the code is still coverage-instrumented and panics abort.
set -eu
secs=${1:-20}
cd "$(dirname "$0")/../fuzz"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none -O
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in $(cargo fuzz list); do
    mkdir -p "$tmp/$t"
    out=$(cargo fuzz run -s none -O "$t" "$tmp/$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=16384 -timeout=10 -print_final_stats=1 2>&1) || {
        echo "$out" | tail -40
        echo "fuzz: $t FAILED"
        exit 1
    }
    runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
    echo "fuzz: $t: $runs executions in ${secs}s, no crash"
done
