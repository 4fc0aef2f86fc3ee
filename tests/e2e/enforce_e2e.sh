#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end proof of inline enforcement with real SCTP stacks (issue 7):
#   ns A [m3ua_peer client] --veth-- ns M [forwarder: port A | port B] --veth-- ns B [m3ua_peer server]
# The forwarder is enforce_fwd (sw_enforce_packet between two AF_PACKET sockets), or
# sigwall-dataplane over net_af_packet when SW_E2E_DATAPLANE points at it.
# usage: enforce_e2e.sh BIN_DIR MODE     MODE: repair | impair | norepair
#   repair   every allowed message arrives once, in order; nothing outstanding; no ABORT
#   impair   the same with loss, duplication and reordering injected around the enforcement
#   norepair chunks removed without repair: the test must detect the stall
set -u
BIN=${1:?usage: enforce_e2e.sh BIN_DIR MODE}
MODE=${2:-repair}
COUNT=${SW_E2E_COUNT:-1500}
id=$$
NA=swe2ea$id NB=swe2eb$id NM=swe2em$id
VA0=vea0$id VA1=vea1$id VB0=veb0$id VB1=veb1$id
LOG=$(mktemp -d /tmp/sw-e2e.XXXXXX)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 not installed"
[ -x "$BIN/m3ua_peer" ] || skip "m3ua_peer not built (usrsctp missing)"
[ -x "$BIN/enforce_fwd" ] || skip "enforce_fwd not built"
ip netns add "$NM" 2>/dev/null || skip "network namespaces not allowed here"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NA" 2>/dev/null; ip netns del "$NB" 2>/dev/null; ip netns del "$NM" 2>/dev/null
	[ -n "${KEEP_LOG:-}" ] || rm -rf "$LOG"
}
trap cleanup EXIT

ip netns add "$NA" && ip netns add "$NB" || skip "cannot create namespaces"
ip link add "$VA0" netns "$NA" type veth peer name "$VA1" netns "$NM" || skip "veth not available"
ip link add "$VB0" netns "$NB" type veth peer name "$VB1" netns "$NM"
ip -n "$NA" addr add 10.199.0.1/24 dev "$VA0"
ip -n "$NB" addr add 10.199.0.2/24 dev "$VB0"
for l in "$NA:$VA0" "$NB:$VB0" "$NM:$VA1" "$NM:$VB1"; do ip -n "${l%%:*}" link set "${l#*:}" up; done
for n in "$NA" "$NB" "$NM"; do ip -n "$n" link set lo up; done
# The middle namespace is a wire: no IPv6 chatter from its own ports.
ip netns exec "$NM" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null

fwd_args=(--a "$VA1" --b "$VB1")
case "$MODE" in
repair) ;;
impair) fwd_args+=(--loss 3 --dup 2 --reorder 3 --seed 7) ;;
norepair) fwd_args+=(--no-repair) ;;
*) echo "unknown mode $MODE"; exit 2 ;;
esac
ip netns exec "$NM" "$BIN/enforce_fwd" "${fwd_args[@]}" >"$LOG/fwd.out" 2>"$LOG/fwd.err" &
fwd=$!; pids+=($fwd)
sleep 0.3

stall=8
[ "$MODE" = norepair ] && stall=5
peer=(--count "$COUNT" --streams 4 --block-every 10 --stall $stall --timeout 45)
ip netns exec "$NB" "$BIN/m3ua_peer" --server --local 10.199.0.2 --lport 2905 "${peer[@]}" \
	>"$LOG/server.out" 2>"$LOG/server.err" &
srv=$!; pids+=($srv)
sleep 0.3
ip netns exec "$NA" "$BIN/m3ua_peer" --client --local 10.199.0.1 --lport 2906 \
	--remote 10.199.0.2 --rport 2905 "${peer[@]}" >"$LOG/client.out" 2>"$LOG/client.err" &
cli=$!; pids+=($cli)
wait $cli; rc_c=$?
wait $srv; rc_s=$?
kill -TERM $fwd; wait $fwd
cat "$LOG/client.out" "$LOG/server.out"
head -c 2000 "$LOG/client.err"; head -c 2000 "$LOG/server.err"
grep -E "^FWD|removed|generated|translated|renumbered|neutralized|blocked|unknown|bad_|dropped" "$LOG/fwd.out"
removed=$(sed -n 's/^ENF chunks_removed=//p' "$LOG/fwd.out")

case "$MODE" in
repair | impair)
	if [ $rc_c -ne 0 ] || [ $rc_s -ne 0 ]; then
		echo "FAIL: peers exited client=$rc_c server=$rc_s"; exit 1
	fi
	if [ "${removed:-0}" -eq 0 ]; then
		echo "FAIL: nothing was removed: the rule did not apply"; exit 1
	fi
	echo "PASS: $MODE: every allowed message delivered once in order, $removed chunks removed, no ABORT"
	;;
norepair)
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
