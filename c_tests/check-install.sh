#!/bin/sh
# make install into a temporary prefix, then, for every generation built,
# build and run the example against the installed library through its
# pkg-config file (aenet.pc for redis30, aenet-<gen>.pc for the others):
# shared, then static.
#   check-install.sh GEN...
set -eu
top=$(pwd)
tmp=$(mktemp -d /tmp/aenet-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
make -s install PREFIX="$tmp/prefix" GEN="$*" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
n=0; total=0
for gen in "$@"; do
    if [ "$gen" = redis30 ]; then pc=aenet; soname=libaenet.so.0; else pc=aenet-$gen; soname=libaenet-$gen.so.0; fi
    lib=$(pkg-config --variable=libdir $pc)
    readelf -d "$lib/libaenet.so" | grep -q "SONAME.*$soname" || { echo "FAIL: $gen: soname"; exit 1; }
    cc -std=c99 -D_GNU_SOURCE -O2 -o "$tmp/app-shared-$gen" "$top/examples/resp_server.c" \
        $(pkg-config --cflags --libs $pc) -Wl,-rpath,"$lib"
    ldd "$tmp/app-shared-$gen" | grep -q "$lib/$soname" || { echo "FAIL: $gen: not linked to the installed .so"; exit 1; }
    cc -std=c99 -D_GNU_SOURCE -O2 -o "$tmp/app-static-$gen" "$top/examples/resp_server.c" \
        $(pkg-config --cflags $pc) $(pkg-config --libs-only-L $pc) -Wl,-Bstatic -laenet -Wl,-Bdynamic \
        $(pkg-config --static --libs-only-l $pc | sed 's/-laenet//')
    if ldd "$tmp/app-static-$gen" | grep -q libaenet; then echo "FAIL: $gen: static build uses the .so"; exit 1; fi
    for app in app-shared-$gen app-static-$gen; do
        total=$((total + 1))
        out=$("$tmp/$app" --demo)
        echo "$out" | grep -q '> GET greeting .*hello' || { echo "FAIL: $app demo:"; echo "$out"; exit 1; }
        n=$((n + 1))
    done
done
echo "install: the example built through each generation's pkg-config file (shared and static) and ran: $n of $total"
