#!/bin/sh
# make bench: every benchmark, each printing its figures side by side; the
# data and plots (with gnuplot) go to bench/out.
set -u
cd "$(dirname "$0")/.."
LIBS="build/redis30/libaenet.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
out=c_tests/bin
data=bench/out
mkdir -p $out $data

cc -O2 -Iinclude -o $out/bench_timers bench/timers.c $LIBS && $out/bench_timers 4 $data/timers.dat &&
    sh bench/timer_instructions.sh $out/bench_timers

if [ -f /usr/include/ev.h ] && [ -f /usr/include/event2/event.h ]; then
    cc -O2 -g -Iinclude -o $out/bench_dispatch bench/dispatch.c build/libaenet.a -levent -lev \
        -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc && sh bench/dispatch.sh $out/bench_dispatch 5 &&
        sh bench/instructions.sh $out/bench_dispatch 1000 100 &&
        sh bench/instructions.sh $out/bench_dispatch 1000 1
else
    echo "dispatch: needs libev and libevent headers: apt-get install libev-dev libevent-dev"
fi

cc -O2 -Iinclude -o $out/bench_accept bench/accept.c $LIBS && $out/bench_accept

sh bench/resp.sh $out/resp_server 5 $data
sh bench/plot.sh $data
