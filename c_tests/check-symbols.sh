#!/bin/sh
# Pins a generation's symbol lists against symbols/<gen>.txt: exactly what
# that generation's reference ae.o and anet.o export (measured with nm on
# the all-C build of its tags), plus the library's additions: where it
# provides the link layer (3.0-5.0), the seven cluster link functions and
# the two host-interface functions; from 7.0 on, the frame header check
# aenetClusterCheckFrameHeader (docs/cluster-host.md).
#  - libaenet.a defines exactly those as globals (no other unmangled or
#    mangled global that could clash with a C program), the link functions
#    weak (symbols/<gen>.weak.txt), and references the host's zmalloc
#    only weakly;
#  - libaenet.so exports exactly that list.
#   check-symbols.sh GEN ARCHIVE SHARED
set -u
gen=$1
a=$2
so=$3
dir=$(cd "$(dirname "$0")/.." && pwd)
expected=$(sort "$dir/symbols/$gen.txt")
weak=$(sort "$dir/symbols/$gen.weak.txt" 2>/dev/null)
count=$(printf '%s\n' "$expected" | wc -l)
nweak=$(printf '%s' "$weak" | grep -c . )
status=0
fail() { echo "FAIL: $gen: $*"; status=1; }

static_all=$(nm "$a" | awk 'NF == 3 && $2 ~ /^[TDBRVW]$/ { print $2, $3 }')
static_defined=$(printf '%s\n' "$static_all" | awk '{ print $2 }' | sort -u)
static_weak=$(printf '%s\n' "$static_all" | awk '$1 == "W" || $1 == "V" { print $2 }' | sort -u)
shared=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort -u)

[ "$static_defined" = "$expected" ] || fail "$a globals differ from symbols/$gen.txt:
$(printf '%s\n' "$static_defined" | diff - "$dir/symbols/$gen.txt" | head -20)"
[ "$static_weak" = "$weak" ] || fail "$a weak symbols: $(echo $static_weak), expected: $(echo $weak)"
[ "$shared" = "$expected" ] || fail "$so exports differ from symbols/$gen.txt:
$(printf '%s\n' "$shared" | diff - "$dir/symbols/$gen.txt" | head -20)"
# The host allocator the library allocates through when the program has it.
case $gen in valkey81) alloc=valkey_malloc ;; *) alloc=zmalloc ;; esac
nm "$a" | grep -q " w $alloc\$" || fail "$a: $alloc is not a weak reference"

[ $status -eq 0 ] && echo "symbols: $gen: $a and $so define exactly the $count functions of symbols/$gen.txt ($nweak weak in the archive)"
exit $status
