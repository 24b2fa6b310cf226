#!/bin/sh
# What a server costs per request, side by side: two or more Redis-protocol
# servers under the same redis-benchmark, in alternating rounds.
#
#   bench/redis-compare.sh [options] SERVER_A SERVER_B [SERVER_C ...]
#
# Each SERVER is a command line run by sh; "%PORT%" in it is replaced by
# the port it must listen on, else "--port N" is appended (as redis-server
# and the example server take it). The first is the baseline. Example:
#
#   bench/redis-compare.sh -l all-C,aenet \
#       '/path/redis-all-c/src/redis-server --save "" --appendonly no' \
#       '/path/redis-aenet/src/redis-server --save "" --appendonly no'
#
# Every server is pinned to one CPU (-s), the client to another (-b). Each
# round runs every test at every pipeline depth on every server, the order
# of the servers rotating from round to round. Per run: requests per second
# (redis-benchmark's), server CPU per request (the time the server's threads
# spent on a CPU, user and system, from /proc/PID/task/*/schedstat: utime +
# stime at nanosecond resolution, over the requests of the run). After the
# timed rounds, counting rounds (-C, alternating the same way) count each
# server's system calls per request (perf's syscall tracepoints, else
# strace -c), so counting never slows the timed runs.
#
# Printed: medians over the rounds, and for every server after the first the
# median of the per-round paired ratios to the first (CPU per request,
# requests per second, system calls per request). With -o DIR the raw rows
# go to DIR/runs.tsv and DIR/syscalls.tsv.
#
# Options:
#   -r ROUNDS      rounds (9)
#   -n REQUESTS    requests per run (100000)
#   -c CLIENTS     redis-benchmark connections (50)
#   -t TESTS       redis-benchmark tests (ping_inline,set,get)
#   -P "DEPTHS"    pipeline depths ("1 16")
#   -s CPU         the servers' CPU (the last one)
#   -b CPUS        the client's CPUs (every other one)
#   -p PORT        first port (6480; the others follow)
#   -l LABELS      comma-separated names of the servers (A,B,...)
#   -o DIR         keep the raw rows there
#   -B PATH        redis-benchmark to use (the one on PATH)
#   -C ROUNDS      counting rounds (3)
#   -S             no system call counting
set -u
rounds=9; requests=100000; clients=50; tests=ping_inline,set,get; depths="1 16"
ncpu=$(getconf _NPROCESSORS_ONLN); scpu=$((ncpu - 1)); bcpus=
port0=6480; labels=; outdir=; benchmark=redis-benchmark; count=1; crounds=3
while getopts r:n:c:t:P:s:b:p:l:o:B:C:S opt; do
    case $opt in
        r) rounds=$OPTARG ;; n) requests=$OPTARG ;; c) clients=$OPTARG ;; t) tests=$OPTARG ;;
        P) depths=$OPTARG ;; s) scpu=$OPTARG ;; b) bcpus=$OPTARG ;; p) port0=$OPTARG ;;
        l) labels=$OPTARG ;; o) outdir=$OPTARG ;; B) benchmark=$OPTARG ;; C) crounds=$OPTARG ;; S) count=0 ;;
        *) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { echo "usage: $0 [options] SERVER_A SERVER_B [...] (-h for help)" >&2; exit 2; }
command -v "$benchmark" >/dev/null || { echo "$benchmark missing (apt-get install redis-tools)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset missing (apt-get install util-linux)" >&2; exit 1; }
command -v timeout >/dev/null || { echo "timeout missing (coreutils)" >&2; exit 1; }
if [ -z "$bcpus" ]; then
    bcpus=$(seq 0 $((ncpu - 1)) | grep -vx "$scpu" | paste -sd, -)
    [ -n "$bcpus" ] || bcpus=$scpu
fi

tmp=$(mktemp -d)
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Whether something listens on 127.0.0.1/0.0.0.0 PORT (from /proc/net/tcp*).
listening() {
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }'
}

# The servers: label, port, pid.
n=0
for cmd in "$@"; do
    n=$((n + 1))
    port=$((port0 + n - 1))
    label=$(echo "$labels" | cut -d, -f$n)
    [ -n "$label" ] || label=$(printf "\\$(printf %o $((64 + n)))")
    case $cmd in
        *%PORT%*) line=$(printf '%s' "$cmd" | sed "s/%PORT%/$port/g") ;;
        *) line="$cmd --port $port" ;;
    esac
    taskset -c "$scpu" sh -c "exec $line" >"$tmp/server$n.log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    # Wait for the port to listen, then for an answer (a redis-benchmark
    # that met a refused connection may hang: each probe has a deadline).
    ok=0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        if listening "$port" && timeout 5 "$benchmark" -p "$port" -n 1 -c 1 -t ping_inline -q >/dev/null 2>&1; then
            ok=1; break
        fi
        sleep 0.1
    done
    [ $ok = 1 ] || { echo "server $label ($line) did not answer on port $port:" >&2; cat "$tmp/server$n.log" >&2; exit 1; }
    echo "$n $label $port $pid" >>"$tmp/servers"
    echo "server $label: pid $pid, port $port, CPU $scpu: $line"
done
echo "client: $benchmark on CPUs $bcpus, $clients clients, $requests requests per run, $rounds rounds"

# Nanoseconds the process's threads have run (user and system).
cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# Requests per second of one redis-benchmark run of TEST at DEPTH.
bench() { # PORT DEPTH TEST
    timeout 600 taskset -c "$bcpus" "$benchmark" -p "$1" -c "$clients" -n "$requests" -P "$2" -t "$3" -q 2>/dev/null |
        tr '\r' '\n' | grep 'per second' | tail -1 | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/'
}

for r in $(seq 1 "$rounds"); do
    for d in $depths; do
        for t in $(echo "$tests" | tr , ' '); do
            # Rotate the order of the servers every round.
            order=$(awk -v r="$r" -v n="$n" '{ print (($1 - 1 - (r - 1)) % n + n) % n, $0 }' "$tmp/servers" | sort -n | cut -d' ' -f2-)
            echo "$order" | while read -r i label port pid; do
                c0=$(cpu_ns "$pid")
                rps=$(bench "$port" "$d" "$t")
                c1=$(cpu_ns "$pid")
                kill -0 "$pid" 2>/dev/null || { echo "server $label died" >&2; exit 1; }
                echo "$r	$d	$t	$i	$label	${rps:-0}	$(awk -v a="$c0" -v b="$c1" -v n="$requests" 'BEGIN { printf "%.4f", (b - a) / n / 1000 }')"
            done
        done
    done
    printf 'round %s of %s done\r' "$r" "$rounds" >&2
done >"$tmp/runs.tsv"
echo >&2

# System calls per request, one counted run per server, test and depth.
counter=
if [ $count = 1 ]; then
    if perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then counter=perf
    elif command -v strace >/dev/null; then counter=strace
    else echo "neither perf (syscall tracepoints) nor strace: system calls not counted"
    fi
fi
if [ -n "$counter" ]; then
    for r in $(seq 1 "$crounds"); do
        for d in $depths; do
            for t in $(echo "$tests" | tr , ' '); do
                order=$(awk -v r="$r" -v n="$n" '{ print (($1 - 1 - (r - 1)) % n + n) % n, $0 }' "$tmp/servers" | sort -n | cut -d' ' -f2-)
                echo "$order" | while read -r i label port pid; do
                    if [ $counter = perf ]; then
                        perf stat -x, -o "$tmp/count" -p "$pid" -e raw_syscalls:sys_enter \
                            -e syscalls:sys_enter_read,syscalls:sys_enter_write \
                            -e syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_io_uring_enter \
                            >/dev/null 2>&1 &
                    else
                        strace -c -f -o "$tmp/count" -p "$pid" >/dev/null 2>&1 &
                    fi
                    cpid=$!
                    sleep 0.5
                    bench "$port" "$d" "$t" >/dev/null
                    kill -INT $cpid 2>/dev/null; wait $cpid 2>/dev/null
                    if [ $counter = perf ]; then
                        awk -F, -v r="$r" -v i="$i" -v l="$label" -v d="$d" -v t="$t" -v n="$requests" '
                            $3 ~ /raw_syscalls/ { all = $1 } $3 ~ /sys_enter_read$/ { rd = $1 } $3 ~ /sys_enter_write$/ { wr = $1 }
                            $3 ~ /epoll_wait/ { ew = $1 } $3 ~ /epoll_ctl/ { ec = $1 } $3 ~ /io_uring_enter/ { ue = $1 }
                            END { printf "%s\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", r, i, l, d, toupper(t),
                                  all / n, rd / n, wr / n, ec / n, ew / n, ue / n }' "$tmp/count"
                    else
                        awk -v r="$r" -v i="$i" -v l="$label" -v d="$d" -v t="$t" -v n="$requests" '
                            $NF == "total" { all = $4 } $NF == "read" { rd = $4 } $NF == "write" { wr = $4 }
                            $NF == "epoll_ctl" { ec = $4 } $NF == "epoll_wait" { ew = $4 } $NF == "io_uring_enter" { ue = $4 }
                            END { printf "%s\t%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", r, i, l, d, toupper(t),
                                  all / n, rd / n, wr / n, ec / n, ew / n, ue / n }' "$tmp/count"
                    fi
                done
            done
        done
        printf 'counting round %s of %s done\r' "$r" "$crounds" >&2
    done >"$tmp/syscalls.tsv"
    echo >&2
fi

# Medians, and medians of per-round ratios to the first server.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "medians of $rounds timed rounds${counter:+ and $crounds counting rounds}; ratios: medians of the per-round ratios to $(head -1 "$tmp/servers" | cut -d' ' -f2)"
printf '%-5s %-12s %-10s %10s %11s %9s %9s' depth test server "req/s" "cpu us/req" "cpu ratio" "rps ratio"
[ -s "$tmp/syscalls.tsv" ] && printf ' %9s %9s  %s' "calls/req" "ratio" "(read write epoll_ctl epoll_wait io_uring_enter)"
echo
# Median of column C of rows; median of the per-round ratios of column C
# between server I and server 1 (KEY: the round's column).
colmed() { cut -f"$1" | median; }
ratio() { # FILE ROUNDCOL SERVERCOL VALUECOL DEPTHCOL TESTCOL I D T
    awk -F'\t' -v rc="$2" -v sc="$3" -v vc="$4" -v dc="$5" -v tc="$6" -v i="$7" -v d="$8" -v t="$9" '
        $dc == d && toupper($tc) == t && $sc == 1 { b[$rc] = $vc }
        $dc == d && toupper($tc) == t && $sc == i { v[$rc] = $vc }
        END { for (k in v) if (b[k] > 0) print v[k] / b[k] }' "$1" | median | awk '{ printf "%.3f", $1 }'
}
for d in $depths; do
    for t in $(echo "$tests" | tr , ' '); do
        T=$(echo "$t" | tr a-z A-Z)
        while read -r i label port pid; do
            rows=$(awk -F'\t' -v d="$d" -v t="$T" -v i="$i" '$2 == d && toupper($3) == t && $4 == i' "$tmp/runs.tsv")
            rps=$(echo "$rows" | colmed 6)
            cpu=$(echo "$rows" | colmed 7)
            if [ "$i" = 1 ]; then cr=-; rr=-; else
                cr=$(ratio "$tmp/runs.tsv" 1 4 7 2 3 "$i" "$d" "$T")
                rr=$(ratio "$tmp/runs.tsv" 1 4 6 2 3 "$i" "$d" "$T")
            fi
            printf '%-5s %-12s %-10s %10.0f %11.3f %9s %9s' "-P$d" "$T" "$label" "$rps" "$cpu" "$cr" "$rr"
            if [ -s "$tmp/syscalls.tsv" ]; then
                crows=$(awk -F'\t' -v d="$d" -v t="$T" -v i="$i" '$4 == d && $5 == t && $2 == i' "$tmp/syscalls.tsv")
                calls=$(echo "$crows" | colmed 6)
                if [ "$i" = 1 ]; then sr=-; else sr=$(ratio "$tmp/syscalls.tsv" 1 2 6 4 5 "$i" "$d" "$T"); fi
                printf ' %9.3f %9s  (%s %s %s %s %s)' "$calls" "$sr" "$(echo "$crows" | colmed 7)" "$(echo "$crows" | colmed 8)" \
                    "$(echo "$crows" | colmed 9)" "$(echo "$crows" | colmed 10)" "$(echo "$crows" | colmed 11)"
            fi
            echo
        done <"$tmp/servers"
    done
done
if [ -n "$outdir" ]; then
    mkdir -p "$outdir"
    { printf 'round\tdepth\ttest\tserver\tlabel\treq_per_s\tcpu_us_per_req\n'; sed 's/\t\([a-z_]*\)\t/\t\U\1\t/' "$tmp/runs.tsv"; } >"$outdir/runs.tsv"
    if [ -s "$tmp/syscalls.tsv" ]; then
        { printf 'round\tserver\tlabel\tdepth\ttest\tcalls\tread\twrite\tepoll_ctl\tepoll_wait\tio_uring_enter\n'; cat "$tmp/syscalls.tsv"; } >"$outdir/syscalls.tsv"
    fi
    echo "raw rows: $outdir/runs.tsv${counter:+, $outdir/syscalls.tsv}"
fi
