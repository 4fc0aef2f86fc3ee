#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end proof of inline enforcement with real SCTP stacks (issue 7):
#   ns A [m3ua_peer client] --veth-- ns M [forwarder: port A | port B] --veth-- ns B [m3ua_peer server]
# In the middle: enforce_fwd (sw_enforce_packet between two AF_PACKET sockets, test rule: a
# marker in the payload, or the 'drop' messages of a sigwall-gen mix), or sigwall-dataplane in
# inline mode over net_af_packet with the shipped policy published by sw-itest.
# usage: enforce_e2e.sh BIN_DIR MODE   (BIN_DIR: <build>/tests/e2e)
#   repair     text messages, every 10th blocked by marker: every allowed message arrives once,
#              in order per stream; nothing outstanding at the end; no ABORT or restart
#   impair     the same with loss, duplication and reordering injected around the enforcement
#   norepair   chunks removed without repair: the test must detect the stall
#   mix        sigwall-gen MAP traffic (labelled) through enforce_fwd blocking the labelled drops
#   dataplane  sigwall-gen MAP traffic through sigwall-dataplane and the shipped policy
#   dataplane-norepair  the same with --no-repair: the stall must be detected
#   dataplane-reload    dataplane with the policy republished every 100 ms during the exchange
#   dataplane-impair    dataplane with loss, duplication and reordering injected by enforce_fwd
#                       --pass in a namespace between peer A and the dataplane
#   burst      issue 12's pattern through enforce_fwd: a message every 300 us, Nagle on (several
#              messages bundled per packet), streams 1-3, 45% blocked (seeded), ~170 messages
#   dataplane-burst     the same pattern through sigwall-dataplane and the shipped policy
#                       (sigwall-gen MAP mix with 45% attacks)
set -u
BIN=${1:?usage: enforce_e2e.sh BIN_DIR MODE}
MODE=${2:-repair}
COUNT=${SW_E2E_COUNT:-1500}
id=$$
NA=swe2ea$id NB=swe2eb$id NM=swe2em$id NI=swe2ei$id
VA0=vea0$id VA1=vea1$id VB0=veb0$id VB1=veb1$id VX0=vex0$id VX1=vex1$id
LOG=$(mktemp -d /tmp/sw-e2e.XXXXXX)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 not installed"
[ -x "$BIN/m3ua_peer" ] || skip "m3ua_peer not built (usrsctp missing)"
[ -x "$BIN/enforce_fwd" ] || skip "enforce_fwd not built"
BUILD=$(cd "$BIN/../.." && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/e2e/lib.sh"
DP=${SW_E2E_DATAPLANE:-$BUILD/dataplane/app/sigwall-dataplane}
ITEST=${SW_ITEST:-$BUILD/tests/integration/sw-itest}
case "$MODE" in
mix | dataplane*)
	[ -x "$BUILD/bench/gen/sigwall-gen" ] || skip "sigwall-gen not built"
	mkdir -p "$LOG/mix"
	msus=${SW_E2E_MSUS:-1500} share=0.05
	runs=
	[ "$MODE" = dataplane-burst ] && msus=${SW_E2E_MSUS:-340} share=0.45 runs=runs
	SW_BUILD=$BUILD /usr/bin/python3 "$SRC/tests/e2e/mkmix.py" "$LOG/mix" "$msus" 5 "$share" $runs ||
		{ echo "FAIL: mkmix.py"; exit 1; }
	;;
esac
case "$MODE" in
dataplane*)
	[ -x "$DP" ] || skip "sigwall-dataplane not built (libdpdk-dev)"
	[ -x "$ITEST" ] || skip "sw-itest not built"
	;;
esac
ip netns add "$NM" 2>/dev/null || skip "network namespaces not allowed here"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "$NA" "$NB" "$NM" "$NI"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${INST:-}" ] && [ -x "${ITEST:-}" ] && "$ITEST" unlink "$INST" >/dev/null 2>&1
	[ -n "${INST:-}" ] && rm -rf "/var/run/dpdk/$INST"
	[ -n "${KEEP_LOG:-}" ] || rm -rf "$LOG"
}
trap cleanup EXIT

ip netns add "$NA" && ip netns add "$NB" || skip "cannot create namespaces"
links=("$NA:$VA0" "$NB:$VB0" "$NM:$VA1" "$NM:$VB1")
if [ "$MODE" = dataplane-impair ]; then
	# peer A -- [NI: enforce_fwd --pass with impairments] -- [NM: dataplane] -- peer B
	ip netns add "$NI" || skip "cannot create namespaces"
	ip link add "$VA0" netns "$NA" type veth peer name "$VX0" netns "$NI" || skip "veth not available"
	ip link add "$VX1" netns "$NI" type veth peer name "$VA1" netns "$NM"
	links+=("$NI:$VX0" "$NI:$VX1")
	ip -n "$NI" link set lo up
	ip netns exec "$NI" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
else
	ip link add "$VA0" netns "$NA" type veth peer name "$VA1" netns "$NM" || skip "veth not available"
fi
ip link add "$VB0" netns "$NB" type veth peer name "$VB1" netns "$NM"
ip -n "$NA" addr add 10.199.0.1/24 dev "$VA0"
ip -n "$NB" addr add 10.199.0.2/24 dev "$VB0"
for l in "${links[@]}"; do ip -n "${l%%:*}" link set "${l#*:}" up; done
for n in "$NA" "$NB" "$NM"; do ip -n "$n" link set lo up; done
# The middle namespace is a wire: no IPv6 chatter from its own ports.
ip netns exec "$NM" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null

INST=swe2e$id
fwd_args=(--a "$VA1" --b "$VB1")
case "$MODE" in
repair | mix | dataplane | dataplane-reload | dataplane-impair | burst | dataplane-burst) ;;
impair) fwd_args+=(--loss 3 --dup 2 --reorder 3 --seed 7) ;;
norepair | dataplane-norepair) fwd_args+=(--no-repair) ;;
*) echo "unknown mode $MODE"; exit 2 ;;
esac
case "$MODE" in
mix)
	cat "$LOG/mix/mixA.txt" "$LOG/mix/mixB.txt" >"$LOG/mix/all.txt"
	fwd_args+=(--block-file "$LOG/mix/all.txt")
	;;
esac
case "$MODE" in
dataplane*)
	# the shipped policy without its state rules: each side sends its messages on its own, out of
	# causal order (an End may pass before its Begin), which the state rules (issue 15) need
	"$ITEST" publish "$INST" "$SRC/patterns/stateless.conf" "$SRC/patterns/site.example.conf" 1 \
		>"$LOG/itest.out" 2>&1 || { cat "$LOG/itest.out"; echo "FAIL: publish"; exit 1; }
	dp_args=(--mode inline --ports 0:1 --instance "$INST")
	[ "$MODE" = dataplane-norepair ] && dp_args+=(--no-repair)
	if [ "$MODE" = dataplane-impair ]; then
		ip netns exec "$NI" "$BIN/enforce_fwd" --a "$VX0" --b "$VX1" --pass --loss 4 --dup 2 \
			--reorder 4 --seed 3 >"$LOG/impair.out" 2>"$LOG/impair.err" &
		imp=$!; pids+=($imp)
	fi
	ip netns exec "$NM" "$DP" -l 0-1 --no-huge -m 256 --no-pci --file-prefix "$INST" \
		--log-level lib.eal:error --vdev "net_af_packet0,iface=$VA1" \
		--vdev "net_af_packet1,iface=$VB1" -- "${dp_args[@]}" >"$LOG/fwd.out" 2>"$LOG/fwd.err" &
	fwd=$!; pids+=($fwd)
	dp_wait $fwd "$LOG/fwd.out" "$LOG/fwd.err" 50 || skip "sigwall-dataplane does not start here"
	;;
*)
	ip netns exec "$NM" "$BIN/enforce_fwd" "${fwd_args[@]}" >"$LOG/fwd.out" 2>"$LOG/fwd.err" &
	fwd=$!; pids+=($fwd)
	sleep 0.3
	;;
esac

stall=8
case "$MODE" in *norepair) stall=5 ;; esac
peer=(--count "$COUNT" --streams 4 --block-every 10 --stall $stall --timeout 45)
mixc=() mixs=()
case "$MODE" in
mix | dataplane*)
	mixc=(--mix "$LOG/mix/mixA.txt" --expect "$LOG/mix/mixB.txt")
	mixs=(--mix "$LOG/mix/mixB.txt" --expect "$LOG/mix/mixA.txt")
	;;
esac
[ "$MODE" = dataplane-reload ] && peer+=(--pace 4000)
case "$MODE" in
*burst)
	# issue 12: fast sends, bundling, three streams, a high drop ratio
	peer=(--count "${SW_E2E_COUNT:-170}" --streams 3 --block-pct 45 --seed "${SW_E2E_SEED:-12}"
		--pace 300 --bundle --stall $stall --timeout 45)
	;;
esac
ip netns exec "$NB" "$BIN/m3ua_peer" --server --local 10.199.0.2 --lport 2905 "${peer[@]}" "${mixs[@]}" \
	>"$LOG/server.out" 2>"$LOG/server.err" &
srv=$!; pids+=($srv)
# the client starts once the server listens (an earlier INIT gets an ABORT, RFC 9260 8.4)
for _ in $(seq 200); do
	grep -q "^LISTENING" "$LOG/server.out" 2>/dev/null && break
	kill -0 $srv 2>/dev/null || break
	sleep 0.05
done
if [ "$MODE" = dataplane-reload ]; then
	# live reloads while the exchange runs (same rule set each time: verdicts must not move)
	"$ITEST" reload-loop "$INST" "$SRC/patterns/site.example.conf" 2 25 100 \
		"$SRC/patterns/stateless.conf" "$SRC/patterns/stateless.conf" >"$LOG/reload.out" 2>&1 &
	pids+=($!)
fi
ip netns exec "$NA" "$BIN/m3ua_peer" --client --local 10.199.0.1 --lport 2906 \
	--remote 10.199.0.2 --rport 2905 "${peer[@]}" "${mixc[@]}" >"$LOG/client.out" 2>"$LOG/client.err" &
cli=$!; pids+=($cli)
wait $cli; rc_c=$?
wait $srv; rc_s=$?
kill -INT $fwd; wait $fwd
[ -n "${imp:-}" ] && { kill -INT $imp; wait $imp; }
cat "$LOG/client.out" "$LOG/server.out"
head -c 2000 "$LOG/client.err"; head -c 2000 "$LOG/server.err"
case "$MODE" in
dataplane*)
	grep -E "^total|enforce|drop" "$LOG/fwd.out" | head -8
	removed=$(sed -n 's/^total:.* chunks_removed \([0-9]*\).*/\1/p' "$LOG/fwd.out")
	if grep -q "^total:.* generation 0$" "$LOG/fwd.out"; then
		echo "FAIL: the dataplane never applied the policy image (images_refused?)"; exit 1
	fi
	[ -n "$removed" ] || removed=$(grep -o "chunks_removed[ =][0-9]*" "$LOG/fwd.out" | head -1 | grep -o "[0-9]*$")
	;;
*)
	grep -E "^FWD|removed|generated|translated|renumbered|neutralized|blocked|unknown|bad_|dropped" "$LOG/fwd.out"
	removed=$(sed -n 's/^ENF chunks_removed=//p' "$LOG/fwd.out")
	;;
esac

case "$MODE" in
repair | impair | mix | dataplane | dataplane-reload | dataplane-impair | *burst)
	if [ $rc_c -ne 0 ] || [ $rc_s -ne 0 ]; then
		echo "FAIL: peers exited client=$rc_c server=$rc_s"; exit 1
	fi
	if [ "${removed:-0}" -eq 0 ]; then
		echo "FAIL: nothing was removed: the rule did not apply"; exit 1
	fi
	if [ "$MODE" = dataplane-reload ]; then
		sw=$(sed -n 's/^total:.* gen_switches \([0-9]*\).*/\1/p' "$LOG/fwd.out")
		if [ "${sw:-0}" -lt 3 ]; then
			echo "FAIL: only ${sw:-0} policy generations picked up: no live reload happened"; exit 1
		fi
		echo "live reloads: $sw generations picked up during the exchange"
	fi
	[ -f "$LOG/impair.out" ] && grep "^FWD" "$LOG/impair.out"
	echo "PASS: $MODE: every allowed message delivered once in order, $removed chunks removed, no ABORT"
	;;
norepair | dataplane-norepair)
	if [ $rc_c -eq 0 ] && [ $rc_s -eq 0 ]; then
		echo "FAIL: without repair the exchange completed: the test cannot detect a stall"; exit 1
	fi
	if [ $rc_c -ne 3 ] && [ $rc_s -ne 3 ] && ! grep -q "aborted" "$LOG"/*.err; then
		echo "FAIL: peers failed for another reason (client=$rc_c server=$rc_s)"; exit 1
	fi
	echo "PASS: norepair: stall detected (client=$rc_c server=$rc_s) as expected"
	;;
esac
exit 0
