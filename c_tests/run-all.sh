#!/bin/sh
# Runs the C suite statically linked once per backend, then the shared-library
# build on the default backend, and prints the combined tally last.
#   run-all.sh STATIC_BIN SHARED_BIN
#   run-all.sh --tool NAME "PREFIX" BIN   (both backends, each run as PREFIX BIN)
tool=
if [ "${1:-}" = "--tool" ]; then tool=$2; prefix=$3; shift 3; fi
static_bin=$1
shared_bin=${2:-}
total_p=0; total_f=0; total_s=0; status=0
run() {
    label=$1; shift
    echo "== C tests: $label"
    out=$("$@" 2>&1; echo "exit=$?")
    echo "$out" | grep -v '^exit='
    echo "$out" | grep -q '^exit=0$' || status=1
    line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    if [ -z "$line" ]; then status=1; return; fi
    set -- $line
    total_p=$((total_p + $1)); total_f=$((total_f + $3)); total_s=$((total_s + ${5:-0}))
}
if [ -n "$tool" ]; then
    run "$tool, epoll backend" env AENET_BACKEND=epoll $prefix "$static_bin"
    run "$tool, poll backend" env AENET_BACKEND=poll $prefix "$static_bin"
else
    run "static, epoll backend" env AENET_BACKEND=epoll "$static_bin"
    run "static, poll backend" env AENET_BACKEND=poll "$static_bin"
    run "shared, epoll backend" env AENET_BACKEND=epoll "$shared_bin"
fi
echo "== C tests, all runs"
echo "$total_p passed, $total_f failed, $total_s skipped"
exit $status
