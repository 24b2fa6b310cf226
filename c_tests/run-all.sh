#!/bin/sh
# Runs the C suite of each generation: statically linked once per backend
# (epoll, poll, io_uring), then the shared-library build on the default
# backend; prints the combined tally last.
#   run-all.sh --gen G STATIC_BIN SHARED_BIN [--gen G2 ...]
#   run-all.sh --tool NAME "PREFIX" --gen G BIN [--gen G2 BIN2 ...]
#       (every backend, each run as PREFIX BIN)
tool=
if [ "${1:-}" = "--tool" ]; then tool=$2; prefix=$3; shift 3; fi
total_p=0; total_f=0; total_s=0; status=0
# The io_uring runs insist on io_uring (a silent fallback to epoll fails
# them); where the kernel turns it off they are left out, and said so.
uring=1
if [ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" = 2 ]; then
    uring=0; echo "== C tests: kernel.io_uring_disabled=2, io_uring runs left out"
fi
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
while [ $# -gt 0 ]; do
    [ "$1" = "--gen" ] || { echo "usage: run-all.sh [--tool NAME PREFIX] --gen G BIN [SHARED_BIN] ..."; exit 2; }
    gen=$2; static_bin=$3; shift 3
    if [ -n "$tool" ]; then
        # Under a tool, poll and io_uring on the generations of
        # TOOL_OTHER_BACKEND_GENS only (each backend is the same code in every
        # generation; CI's time).
        run "$gen, $tool, epoll backend" env AENET_BACKEND=epoll $prefix "$static_bin"
        case " ${TOOL_OTHER_BACKEND_GENS:-$gen} " in
            *" $gen "*)
                run "$gen, $tool, poll backend" env AENET_BACKEND=poll $prefix "$static_bin"
                [ $uring = 0 ] || run "$gen, $tool, io_uring backend" env AENET_BACKEND=io_uring $prefix "$static_bin" ;;
            *) echo "== C tests: $gen, $tool, poll and io_uring left out (TOOL_OTHER_BACKEND_GENS)" ;;
        esac
    else
        shared_bin=$1; shift
        run "$gen, static, epoll backend" env AENET_BACKEND=epoll "$static_bin"
        run "$gen, static, poll backend" env AENET_BACKEND=poll "$static_bin"
        [ $uring = 0 ] || run "$gen, static, io_uring backend" env AENET_BACKEND=io_uring "$static_bin"
        run "$gen, shared, default backend" env -u AENET_BACKEND "$shared_bin"
    fi
done
echo "== C tests, all runs"
echo "$total_p passed, $total_f failed, $total_s skipped"
exit $status
