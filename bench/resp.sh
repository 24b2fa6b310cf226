#!/bin/sh
# What users pay per request: the example RESP server on each backend under
# redis-benchmark (Debian's redis-tools), through bench/redis-compare.sh:
# 50 clients, PING_INLINE, SET and GET at -P 1 and -P 16, the servers pinned
# to one CPU, ROUNDS alternating rounds. Per backend: server CPU
# microseconds per request ((utime+stime) of the server over the requests),
# system calls per request (perf's syscall tracepoints, else strace -c),
# requests per second; ratios are the medians of the per-round ratios to
# the first server, epoll with AENET_KEEP_WRITABLE=0, whose calls are the
# reference ae's (two epoll_ctl per reply).
#   resp.sh RESP_SERVER_BIN [ROUNDS [OUTDIR]]
bin=$1; rounds=${2:-5}; out=${3:-bench/out}
command -v redis-benchmark >/dev/null || { echo "resp: redis-benchmark missing (apt-get install redis-tools), skipped"; exit 0; }
echo "resp: the example server per backend (epoll-ref: epoll with AENET_KEEP_WRITABLE=0, the reference's calls)"
sh "$(dirname "$0")/redis-compare.sh" -r "$rounds" -o "$out/resp" -l epoll-ref,epoll,io_uring,poll \
    "env AENET_BACKEND=epoll AENET_KEEP_WRITABLE=0 $bin" \
    "env AENET_BACKEND=epoll $bin" \
    "env AENET_BACKEND=io_uring $bin" \
    "env AENET_BACKEND=poll $bin"
