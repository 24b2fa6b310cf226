#!/bin/sh
# Turns cargo's staticlib into the installed libaenet.a:
#  - one relocatable object, so internal references stay inside it;
#  - only the C API (symbols/api.txt) global: nothing else can clash with
#    a C program's own names;
#  - the seven cluster link functions (symbols/weak.txt) weak, so a host
#    that keeps its own cluster.c link layer (Redis 3.2) overrides them;
#  - no embedded LLVM bitcode, which older binutils LTO plugins reject.
set -eu
in=$1
out=$2
dir=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ld -r --whole-archive "$in" -o "$tmp/all.o"
objcopy --remove-section=.llvmbc --remove-section=.llvmcmd \
    --keep-global-symbols="$dir/symbols/api.txt" \
    --weaken-symbols="$dir/symbols/weak.txt" \
    "$tmp/all.o" "$tmp/aenet.o"
mkdir -p "$(dirname "$out")"
rm -f "$out"
ar rcs "$out" "$tmp/aenet.o"
