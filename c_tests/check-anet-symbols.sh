#!/bin/sh
# Checks that libaenet exports every anet symbol of the reference: the 24
# functions of Redis 3.0.7's anet.h, the 4 that anet.c makes global
# without declaring them, and the 3 anetFormat* functions of 3.2, as
# defined global functions of both the static and the shared library.
# Exits non-zero when one is missing or an unexpected anet* one appears.
#
# Usage: c_tests/check-anet-symbols.sh [target/release]
#
# The static archive is read with readelf: its Rust objects embed LLVM
# bitcode (.llvmbc), which GNU nm hands to its LTO plugin, and an older
# plugin then reports "no symbols" for the whole object.
set -u
dir=${1:-target/release}
a=$dir/libaenet.a
so=$dir/libaenet.so

expected="
anetTcpConnect anetTcpNonBlockConnect anetTcpNonBlockBindConnect
anetTcpNonBlockBestEffortBindConnect anetUnixConnect anetUnixNonBlockConnect
anetRead anetResolve anetResolveIP anetTcpServer anetTcp6Server
anetUnixServer anetTcpAccept anetUnixAccept anetWrite anetNonBlock
anetBlock anetEnableTcpNoDelay anetDisableTcpNoDelay anetTcpKeepAlive
anetSendTimeout anetPeerToString anetKeepAlive anetSockName
anetSetBlock anetSetSendBuffer anetGenericResolve anetUnixGenericConnect
anetFormatAddr anetFormatPeer anetFormatSock
"

status=0
n=0
for s in $expected; do n=$((n + 1)); done
[ "$n" -eq 31 ] || { echo "internal: expected list has $n names, not 31"; exit 2; }

static_syms() {
    readelf -Ws --wide "$1" 2>/dev/null |
        awk '$4 == "FUNC" && ($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND" { print $8 }' |
        sort -u
}

shared_syms() {
    nm -D --defined-only "$1" 2>/dev/null | awk '$2 == "T" || $2 == "W" { print $3 }' | sort -u
}

check() {
    lib=$1
    syms=$2
    if [ ! -f "$lib" ]; then
        echo "FAIL: $lib does not exist (run cargo build --release)"
        status=1
        return
    fi
    missing=0
    for s in $expected; do
        if ! printf '%s\n' "$syms" | grep -qx "$s"; then
            echo "FAIL: $lib: $s is not a defined global function"
            missing=$((missing + 1))
        fi
    done
    extra=$(printf '%s\n' "$syms" | grep '^anet[A-Z]' | while read -r s; do
        case " $(echo $expected) " in *" $s "*) ;; *) echo "$s" ;; esac
    done)
    if [ -n "$extra" ]; then
        echo "FAIL: $lib: unexpected anet symbols: $(echo $extra)"
        status=1
    fi
    if [ "$missing" -ne 0 ]; then
        status=1
    else
        echo "ok: $lib exports all 31 anet functions"
    fi
}

check "$a" "$(static_syms "$a")"
check "$so" "$(shared_syms "$so")"
exit $status
