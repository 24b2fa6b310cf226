#!/bin/sh
# Turns cargo's staticlib into a generation's installed libaenet.a:
#  - one relocatable object, so internal references stay inside it;
#  - only the generation's C API (symbols/<gen>.txt) global: nothing else
#    can clash with a C program's own names;
#  - the cluster link functions (symbols/<gen>.weak.txt) weak, so a host
#    that keeps its own cluster.c link layer overrides them;
#  - no embedded LLVM bitcode, which older binutils LTO plugins reject.
#   finish-staticlib.sh IN OUT API_LIST WEAK_LIST
set -eu
in=$1
out=$2
api=$3
weak=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ld -r --whole-archive "$in" -o "$tmp/all.o"
# (objcopy refuses an empty --weaken-symbols file.)
weaken=
[ -s "$weak" ] && weaken="--weaken-symbols=$weak"
objcopy --remove-section=.llvmbc --remove-section=.llvmcmd \
    --keep-global-symbols="$api" $weaken \
    "$tmp/all.o" "$tmp/aenet.o"
mkdir -p "$(dirname "$out")"
rm -f "$out"
ar rcs "$out" "$tmp/aenet.o"
