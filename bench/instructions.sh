#!/bin/sh
# Instructions per dispatched event, by callgrind (repeatable on a noisy
# machine): the difference between a 6-run and a 1-run total, over the
# difference in events, so setup and teardown cancel out.
#   instructions.sh BENCH_DISPATCH_BIN [N A]
bin=$1; n=${2:-1000}; a=${3:-100}
command -v valgrind >/dev/null || { echo "instructions: valgrind not installed, skipped"; exit 0; }
count() {
    out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 1000 "$2" "$1" "$n" "$a" 2>&1)
    ins=$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    ev=$(echo "$out" | sed -n 's/.* \([0-9]*\) events dispatched.*/\1/p')
    echo "$ins $ev"
}
printf 'instructions per dispatched event (callgrind, N=%s, A=%s):' "$n" "$a"
for lib in aenet libev libevent; do
    set -- $(count $lib 1); i1=$1; e1=$2
    set -- $(count $lib 6); i6=$1; e6=$2
    printf ' %s %d' "$lib" $(( (i6 - i1) / (e6 - e1) ))
done
echo
