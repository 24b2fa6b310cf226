#!/bin/sh
# The example RESP server on aenet under redis-benchmark (Debian's
# redis-tools): 50 clients, PING_INLINE, SET and GET, without and with -P 16.
#   resp.sh RESP_SERVER_BIN [PORT]
bin=$1; port=${2:-6391}
command -v redis-benchmark >/dev/null || { echo "resp: redis-benchmark missing (apt-get install redis-tools), skipped"; exit 0; }
"$bin" --port "$port" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for i in $(seq 1 50); do
    redis-benchmark -h 127.0.0.1 -p "$port" -n 1 -t ping_inline -q >/dev/null 2>&1 && break
    sleep 0.1
done
for p in 1 16; do
    redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -n 100000 -P $p -t ping_inline,set,get -q 2>/dev/null |
        tr '\r' '\n' | grep 'per second' | sed "s/^/resp: -P $p /"
done
