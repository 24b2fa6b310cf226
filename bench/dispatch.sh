#!/bin/sh
# Dispatch against libev and libevent (the method of libevent's bench.c),
# for each of aenet's backends: INVOCATIONS runs of bench_dispatch per
# backend, alternating, each the median of 25 runs; printed: the median over
# the invocations of aenet's time over libev's and over libevent's.
#   dispatch.sh BENCH_DISPATCH_BIN [INVOCATIONS]
bin=$1; k=${2:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$k"); do
    for b in epoll io_uring; do
        AENET_BACKEND=$b "$bin" | awk -v b="$b" '$1 ~ /^[0-9]+$/ { print b, $1, $2, $6, $7 }' >>"$tmp/rows"
    done
done
echo "dispatch: aenet's time over libev's and libevent's (median of $k invocations, each the median of 25 runs)"
printf '  %-9s %6s %6s %9s %9s\n' backend N A aenet/ev aenet/evt
for b in epoll io_uring; do
    for key in $(awk -v b="$b" '$1 == b { print $2 "_" $3 }' "$tmp/rows" | awk '!seen[$0]++'); do
        n=${key%_*}; a=${key#*_}
        med() { awk -v b="$b" -v n="$n" -v a="$a" -v c="$1" '$1 == b && $2 == n && $3 == a { print $c }' "$tmp/rows" |
            sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
        printf '  %-9s %6s %6s %9s %9s\n' "$b" "$n" "$a" "$(med 4)" "$(med 5)"
    done
done
