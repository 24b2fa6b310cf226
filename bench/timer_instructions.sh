#!/bin/sh
# User-space instructions per timer firing in the steady workload of
# bench/timers.c, by callgrind (repeatable on a noisy machine): counted
# inside aeProcessEvents over 2000 passes after a warm-up (timer creation
# and the first cascades not counted), over the firings. At 1,000,000
# timers (a 40 s period) the window holds the level-1 cascades (every
# 256 ms) but not a level-2 one (every 65 s): about one more placement per
# firing, some 50 instructions, is not in that count.
#   timer_instructions.sh BENCH_TIMERS_BIN
bin=$1
command -v valgrind >/dev/null && [ -f /usr/include/valgrind/callgrind.h ] ||
    { echo "timer instructions: valgrind (and its headers) not installed, skipped"; exit 0; }
count() {
    out=$(valgrind --tool=callgrind --toggle-collect=aeProcessEvents --callgrind-out-file=/dev/null \
        "$bin" steady-once "$1" "$2" 2>&1)
    ins=$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    fired=$(echo "$out" | sed -n 's/^\([0-9]*\) firings$/\1/p')
    echo "$ins $fired"
}
printf 'timers, steady state: instructions per firing (callgrind):'
for n in 100 10000 1000000; do
    set -- $(count $n 2000)
    printf ' N=%s %d' "$n" $(( $1 / $2 ))
done
echo
