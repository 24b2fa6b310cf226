#!/bin/sh
# Pins the symbol lists of libaenet against symbols/api.txt: every global
# function that Redis 3.0.7's ae.o and anet.o export, the three anetFormat*
# of 3.2, the seven cluster link functions and the two host-interface
# functions.
#  - libaenet.a defines exactly those as globals (no other unmangled or
#    mangled global that could clash with a C program), the seven cluster
#    link functions weak (symbols/weak.txt), and references nothing it
#    should not (only libc, the unwinder, and the host's weak zmalloc);
#  - libaenet.so exports exactly that list.
set -u
a=${1:-build/libaenet.a}
so=${2:-target/release/libaenet.so}
dir=$(cd "$(dirname "$0")/.." && pwd)
expected=$(sort "$dir/symbols/api.txt")
weak=$(sort "$dir/symbols/weak.txt")
count=$(printf '%s\n' "$expected" | wc -l)
status=0
fail() { echo "FAIL: $*"; status=1; }

[ "$count" -eq 55 ] || fail "symbols/api.txt has $count names, not 55"
static_all=$(nm "$a" | awk 'NF == 3 && $2 ~ /^[TDBRVW]$/ { print $2, $3 }')
static_defined=$(printf '%s\n' "$static_all" | awk '{ print $2 }' | sort -u)
static_weak=$(printf '%s\n' "$static_all" | awk '$1 == "W" || $1 == "V" { print $2 }' | sort -u)
shared=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort -u)

[ "$static_defined" = "$expected" ] || fail "$a globals differ from the API:
$(printf '%s\n' "$static_defined" | diff - "$dir/symbols/api.txt" | head -20)"
[ "$static_weak" = "$weak" ] || fail "$a weak symbols: $(echo $static_weak), expected: $(echo $weak)"
[ "$shared" = "$expected" ] || fail "$so exports differ from the API:
$(printf '%s\n' "$shared" | sort | diff - "$dir/symbols/api.txt" | head -20)"
nm "$a" | grep -q ' w zmalloc$' || fail "$a: zmalloc is not a weak reference"

[ $status -eq 0 ] && echo "symbols: $a and $so define exactly the $count C API functions (7 weak in the archive)"
exit $status
