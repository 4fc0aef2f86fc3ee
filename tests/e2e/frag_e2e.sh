#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end proof of SCTP user-message reassembly inline (issue 14 D2, dataplane/reasm/README.md):
#   ns A [m3ua_peer client] --veth-- ns M [sigwall-dataplane inline: port A | port B] --veth-- ns B [server]
# Both peers send labelled sigwall-gen MAP traffic (mkmix.py: legitimate messages and attacks the
# shipped stateless policy drops) with SCTP_MAXSEG so small that every message leaves cut into
# DATA fragments (RFC 9260 6.9). The dataplane judges each message when it is whole and holds
# the packets of a message not judged yet (with the later packets of its association and
# direction) until then.
# usage: frag_e2e.sh BIN_DIR MODE   (BIN_DIR: <build>/tests/e2e)
#   on      --sctp-reasm on: every legitimate message delivered once, in order per stream, no
#           attack delivered, attacks' fragments removed, the association shut down gracefully
#   nohold  --sctp-reasm nohold (reassembled and judged, earlier fragments forwarded unjudged):
#           the check must fail (an attack's first fragments reach the receiver)
#   off     --sctp-reasm off (fragments are sctp_data_fragment, dropped from outside): the check
#           must fail (legitimate fragmented messages never arrive)
set -u
BIN=${1:?usage: frag_e2e.sh BIN_DIR MODE}
MODE=${2:-on}
MAXSEG=${SW_FRAG_MAXSEG:-100}
id=$$
NA=swfra$id NB=swfrb$id NM=swfrm$id
VA0=vfa0$id VA1=vfa1$id VB0=vfb0$id VB1=vfb1$id
LOG=$(mktemp -d /tmp/sw-frag.XXXXXX)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 not installed"
[ -x "$BIN/m3ua_peer" ] || skip "m3ua_peer not built (usrsctp missing)"
BUILD=$(cd "$BIN/../.." && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/e2e/lib.sh"
DP=${SW_E2E_DATAPLANE:-$BUILD/dataplane/app/sigwall-dataplane}
ITEST=${SW_ITEST:-$BUILD/tests/integration/sw-itest}
[ -x "$BUILD/bench/gen/sigwall-gen" ] || skip "sigwall-gen not built"
[ -x "$DP" ] || skip "sigwall-dataplane not built (libdpdk-dev)"
[ -x "$ITEST" ] || skip "sw-itest not built"
case "$MODE" in on | nohold | off) ;; *) echo "unknown mode $MODE"; exit 2 ;; esac
mkdir -p "$LOG/mix"
SW_BUILD=$BUILD /usr/bin/python3 "$SRC/tests/e2e/mkmix.py" "$LOG/mix" "${SW_FRAG_MSUS:-600}" 9 0.2 ||
	{ echo "FAIL: mkmix.py"; exit 1; }
ip netns add "$NM" 2>/dev/null || skip "network namespaces not allowed here"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "$NA" "$NB" "$NM"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${INST:-}" ] && "$ITEST" unlink "$INST" >/dev/null 2>&1
	[ -n "${INST:-}" ] && rm -rf "/var/run/dpdk/$INST"
	[ -n "${KEEP_LOG:-}" ] || rm -rf "$LOG"
}
trap cleanup EXIT

ip netns add "$NA" && ip netns add "$NB" || skip "cannot create namespaces"
ip link add "$VA0" netns "$NA" type veth peer name "$VA1" netns "$NM" || skip "veth not available"
ip link add "$VB0" netns "$NB" type veth peer name "$VB1" netns "$NM"
ip -n "$NA" addr add 10.198.0.1/24 dev "$VA0"
ip -n "$NB" addr add 10.198.0.2/24 dev "$VB0"
for l in "$NA:$VA0" "$NB:$VB0" "$NM:$VA1" "$NM:$VB1"; do ip -n "${l%%:*}" link set "${l#*:}" up; done
for n in "$NA" "$NB" "$NM"; do ip -n "$n" link set lo up; done
ip netns exec "$NM" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null

INST=swfrag$id
# the shipped policy without its state rules (each side sends on its own, out of causal order)
"$ITEST" publish "$INST" "$SRC/patterns/stateless.conf" "$SRC/patterns/site.example.conf" 1 \
	>"$LOG/itest.out" 2>&1 || { cat "$LOG/itest.out"; echo "FAIL: publish"; exit 1; }
ip netns exec "$NM" "$DP" -l 0-1 --no-huge -m 256 --no-pci --file-prefix "$INST" \
	--log-level lib.eal:error --vdev "net_af_packet0,iface=$VA1" \
	--vdev "net_af_packet1,iface=$VB1" -- --mode inline --ports 0:1 --instance "$INST" \
	--sctp-reasm "$MODE" >"$LOG/fwd.out" 2>"$LOG/fwd.err" &
fwd=$!; pids+=($fwd)
dp_wait $fwd "$LOG/fwd.out" "$LOG/fwd.err" 100 || skip "sigwall-dataplane does not start here"

stall=8
peer=(--streams 4 --stall $stall --timeout 60 --maxseg "$MAXSEG")
ip netns exec "$NB" "$BIN/m3ua_peer" --server --local 10.198.0.2 --lport 2905 "${peer[@]}" \
	--mix "$LOG/mix/mixB.txt" --expect "$LOG/mix/mixA.txt" >"$LOG/server.out" 2>"$LOG/server.err" &
srv=$!; pids+=($srv)
for _ in $(seq 200); do
	grep -q "^LISTENING" "$LOG/server.out" 2>/dev/null && break
	kill -0 $srv 2>/dev/null || break
	sleep 0.05
done
ip netns exec "$NA" "$BIN/m3ua_peer" --client --local 10.198.0.1 --lport 2906 \
	--remote 10.198.0.2 --rport 2905 "${peer[@]}" --mix "$LOG/mix/mixA.txt" \
	--expect "$LOG/mix/mixB.txt" >"$LOG/client.out" 2>"$LOG/client.err" &
cli=$!; pids+=($cli)
wait $cli; rc_c=$?
wait $srv; rc_s=$?
kill -INT $fwd; wait $fwd
cat "$LOG/client.out" "$LOG/server.out"
head -c 1500 "$LOG/client.err"; head -c 1500 "$LOG/server.err"
grep -E "^total|sctphold|enforce:" "$LOG/fwd.out" | head -6
removed=$(sed -n 's/^total:.* chunks_removed \([0-9]*\).*/\1/p' "$LOG/fwd.out")
[ -n "$removed" ] || removed=$(grep -o "chunks_removed[ =][0-9]*" "$LOG/fwd.out" | head -1 | grep -o "[0-9]*$")
held=$(sed -n 's/^worker 0 sctphold: held \([0-9]*\).*/\1/p' "$LOG/fwd.out")
stalled=$(sed -n 's/^worker 0 sctphold:.* stalled \([0-9]*\).*/\1/p' "$LOG/fwd.out")
if grep -q "^total:.* generation 0$" "$LOG/fwd.out"; then
	echo "FAIL: the dataplane never applied the policy image"; exit 1
fi
# every message is fragmented: the peers' RESULT lines count the messages received
case "$MODE" in
on)
	if [ $rc_c -ne 0 ] || [ $rc_s -ne 0 ]; then
		echo "FAIL: on: peers exited client=$rc_c server=$rc_s"; exit 1
	fi
	if [ "${removed:-0}" -eq 0 ]; then
		echo "FAIL: on: nothing was removed: no attack was judged whole"; exit 1
	fi
	if [ "${held:-0}" -eq 0 ]; then
		echo "FAIL: on: no packet was held: the messages were not fragmented (SCTP_MAXSEG?)"; exit 1
	fi
	echo "PASS: on: every legitimate fragmented message delivered once in order, no attack" \
		"delivered, $removed fragments removed, $held packets held, ${stalled:-0} stalled, graceful end"
	;;
nohold | off)
	if [ $rc_c -eq 0 ] && [ $rc_s -eq 0 ]; then
		echo "FAIL: $MODE: the exchange passed: the test cannot tell holding from not holding"
		exit 1
	fi
	echo "PASS: $MODE: the check failed as it must (client=$rc_c server=$rc_s)"
	;;
esac
exit 0
