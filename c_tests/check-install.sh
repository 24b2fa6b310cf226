#!/bin/sh
# make install into a temporary prefix, then build and run the example
# against the installed library through pkg-config: shared, then static.
set -eu
top=$(pwd)
tmp=$(mktemp -d /tmp/aenet-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
make -s install PREFIX="$tmp/prefix" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
lib=$(pkg-config --variable=libdir aenet)
readelf -d "$lib/libaenet.so" | grep -q 'SONAME.*libaenet.so.0' || { echo "FAIL: soname"; exit 1; }
cc -std=c99 -D_GNU_SOURCE -O2 -o "$tmp/app-shared" "$top/examples/resp_server.c" \
    $(pkg-config --cflags --libs aenet) -Wl,-rpath,"$lib"
ldd "$tmp/app-shared" | grep -q "$lib/libaenet.so.0" || { echo "FAIL: not linked to the installed .so"; exit 1; }
cc -std=c99 -D_GNU_SOURCE -O2 -o "$tmp/app-static" "$top/examples/resp_server.c" \
    $(pkg-config --cflags aenet) $(pkg-config --libs-only-L aenet) -Wl,-Bstatic -laenet -Wl,-Bdynamic \
    $(pkg-config --static --libs-only-l aenet | sed 's/-laenet//')
if ldd "$tmp/app-static" | grep -q libaenet; then echo "FAIL: static build uses the .so"; exit 1; fi
n=0
for app in app-shared app-static; do
    out=$("$tmp/$app" --demo)
    echo "$out" | grep -q '> GET greeting .*hello' || { echo "FAIL: $app demo:"; echo "$out"; exit 1; }
    n=$((n + 1))
done
echo "install: the example built through pkg-config (shared and static) and ran: $n of 2"
