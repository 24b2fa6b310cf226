#!/bin/sh
# The example RESP server on aenet under redis-benchmark (Debian's
# redis-tools): 50 clients, PING_INLINE, SET and GET, without and with -P 16.
# The server runs twice, keeping disarmed WRITABLEs in epoll (the default)
# and with AENET_KEEP_WRITABLE=0 (every disarm reaches the kernel, as in the
# reference); ROUNDS alternating rounds, medians. Where perf can count
# syscalls (tracepoints), the server's epoll_ctl and epoll_wait per request.
#   resp.sh RESP_SERVER_BIN [ROUNDS]
bin=$1; rounds=${2:-5}
command -v redis-benchmark >/dev/null || { echo "resp: redis-benchmark missing (apt-get install redis-tools), skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'kill $pid_on $pid_off 2>/dev/null; rm -rf "$tmp"' EXIT

start() { # PORT KEEP -> pid on stdout
    AENET_KEEP_WRITABLE=$2 "$bin" --port "$1" >/dev/null &
    echo $!
    for i in $(seq 1 50); do
        redis-benchmark -h 127.0.0.1 -p "$1" -n 1 -t ping_inline -q >/dev/null 2>&1 && break
        sleep 0.1
    done
}
bench() { # PORT P N TESTS
    redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -n "$3" -P "$2" -t "$4" -q 2>/dev/null |
        tr '\r' '\n' | grep 'per second' | sed -E 's/: ([0-9.]+) requests per second.*/ \1/'
}

pid_on=$(start 6391 1); pid_off=$(start 6392 0)
for r in $(seq 1 "$rounds"); do
    for p in 1 16; do
        if [ $((r % 2)) = 1 ]; then order="on:6391 off:6392"; else order="off:6392 on:6391"; fi
        for o in $order; do
            bench "${o#*:}" $p 100000 ping_inline,set,get | sed "s/^/${o%%:*} -P$p /"
        done
    done
done >"$tmp/rates"
awk '{ v[$1" "$2" "$3] = v[$1" "$2" "$3] " " $4 }
     END { for (k in v) print k v[k] }' "$tmp/rates" |
    while read -r mode p test values; do
        echo "$mode $p $test $(printf '%s\n' $values | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
    done >"$tmp/medians"
echo "resp: requests per second, medians of $rounds alternating rounds (keep: default; off: AENET_KEEP_WRITABLE=0)"
for p in -P1 -P16; do
    for t in PING_INLINE SET GET; do
        on=$(awk -v p=$p -v t=$t '$1 == "on" && $2 == p && $3 == t { print $4 }' "$tmp/medians")
        off=$(awk -v p=$p -v t=$t '$1 == "off" && $2 == p && $3 == t { print $4 }' "$tmp/medians")
        awk -v p=$p -v t=$t -v on="$on" -v off="$off" \
            'BEGIN { printf "resp: %-5s %-12s keep %9.0f  off %9.0f  keep/off %.3f\n", p, t, on, off, on / off }'
    done
done

if ! perf stat -e syscalls:sys_enter_epoll_ctl true >/dev/null 2>&1; then
    echo "resp: perf cannot count syscalls here (tracepoints), epoll calls per request skipped"
    exit 0
fi
echo "resp: server epoll calls per request (SET and GET, 100,000 each)"
for p in 1 16; do
    for o in on:6391 off:6392; do
        port=${o#*:}
        eval "pid=\$pid_${o%%:*}"
        perf stat -x, -o "$tmp/perf" -p "$pid" \
            -e syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.3
        bench "$port" $p 100000 set,get >/dev/null
        kill -INT $perf_pid; wait $perf_pid
        awk -F, -v m="${o%%:*}" -v p=$p '
            $3 ~ /epoll_ctl/ { ctl = $1 } $3 ~ /epoll_wait/ { wt = $1 }
            END { printf "resp: -P%-3s %-4s epoll_ctl %.3f  epoll_wait %.3f per request\n", p, m, ctl / 200000, wt / 200000 }' "$tmp/perf"
    done
done
