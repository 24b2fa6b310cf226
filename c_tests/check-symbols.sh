#!/bin/sh
# Checks the C API symbol lists of libaenet:
#  - every global function that Redis 3.0.7's ae.o and anet.o export, the
#    three anetFormat* of 3.2, the seven cluster link functions and the two
#    host-interface functions are defined globals of libaenet.a and .so;
#  - the shared library exports exactly that list and nothing else.
# The static archive is read with readelf: its objects embed LLVM bitcode,
# which GNU nm hands to an LTO plugin that may report "no symbols".
set -u
dir=${1:-target/release}
a=$dir/libaenet.a
so=$dir/libaenet.so

ae="aeCreateEventLoop aeDeleteEventLoop aeStop aeCreateFileEvent aeDeleteFileEvent
aeGetFileEvents aeCreateTimeEvent aeDeleteTimeEvent aeProcessEvents aeWait aeMain
aeGetApiName aeSetBeforeSleepProc aeGetSetSize aeResizeSetSize"
anet="anetTcpConnect anetTcpNonBlockConnect anetTcpNonBlockBindConnect
anetTcpNonBlockBestEffortBindConnect anetUnixConnect anetUnixNonBlockConnect
anetRead anetResolve anetResolveIP anetTcpServer anetTcp6Server
anetUnixServer anetTcpAccept anetUnixAccept anetWrite anetNonBlock
anetBlock anetEnableTcpNoDelay anetDisableTcpNoDelay anetTcpKeepAlive
anetSendTimeout anetPeerToString anetKeepAlive anetSockName
anetSetBlock anetSetSendBuffer anetGenericResolve anetUnixGenericConnect
anetFormatAddr anetFormatPeer anetFormatSock"
cluster="createClusterLink freeClusterLink clusterAcceptHandler clusterReadHandler
clusterWriteHandler clusterSendMessage handleLinkIOError
aenetClusterSetHost aenetClusterMessagesSent"
expected=$(printf '%s\n' $ae $anet $cluster | sort)

count=$(printf '%s\n' "$expected" | wc -l)
[ "$count" -eq 55 ] || { echo "internal: the list has $count names, not 55"; exit 2; }

static_syms=$(readelf -Ws --wide "$a" 2>/dev/null |
    awk '$4 == "FUNC" && ($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND" { print $8 }' | sort -u)
shared_syms=$(nm -D --defined-only "$so" 2>/dev/null | awk '{ print $3 }' | sort -u)

status=0
for s in $expected; do
    printf '%s\n' "$static_syms" | grep -qx "$s" || { echo "FAIL: $a does not define $s"; status=1; }
done
extra=$(printf '%s\n' "$shared_syms" | grep -vxF "$expected")
missing=$(printf '%s\n' "$expected" | grep -vxF "$shared_syms")
[ -z "$missing" ] || { echo "FAIL: $so does not export:" $missing; status=1; }
[ -z "$extra" ] || { echo "FAIL: $so exports more than the C API:" $extra; status=1; }
[ $status -eq 0 ] && echo "symbols: all $count C API functions defined in $a and exported by $so, nothing else exported"
exit $status
