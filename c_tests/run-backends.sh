#!/bin/sh
# Runs the C suite once per backend and prints the combined tally last.
bin=$1
total_p=0; total_f=0; total_s=0; status=0
for backend in epoll poll; do
    echo "== C tests, backend $backend"
    out=$(AENET_BACKEND=$backend "$bin"; echo "exit=$?")
    echo "$out" | grep -v '^exit='
    echo "$out" | grep -q '^exit=0$' || status=1
    line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    set -- $line
    total_p=$((total_p + $1)); total_f=$((total_f + $3)); total_s=$((total_s + ${5:-0}))
    [ -n "$line" ] || status=1
done
echo "== C tests, both backends"
echo "$total_p passed, $total_f failed, $total_s skipped"
exit $status
