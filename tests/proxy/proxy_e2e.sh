#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End to end of `sigwall-dataplane --mode proxy` (issue 21) with independent SCTP/M3UA peers
# (tests/e2e/m3ua_peer on usrsctp raw IPv4) in network namespaces:
#   ns A [m3ua_peer client: partner ASP, 10.197.0.2]--+
#   ns B [m3ua_peer server: home SGP, 10.197.0.3]----bridge (ns M)--[net_af_packet: the proxy,
#                                                                  10.197.0.1, usrsctp AF_CONN]
# The proxy terminates both associations (SGP toward the partner, ASP toward home), answers
# ARP for its address, and routes DATA by DPC (m3ua_peer's client sends to DPC 2: home; its
# server to DPC 1: the partner). m3ua_peer does not check who sent what it receives, so the
# proxy's `looped` counters (MSUs routed back onto their own link) must stay 0: with the routes
# swapped each peer would get its own messages back and count them. Checked: both associations
# ASP-ACTIVE in the proxy's status, every message of each peer received by the other (m3ua_peer
# checks count and order per stream), nothing lost, no restart, no stall, while 24 reloads
# (sw-itest reload-loop, two rule sets in turn) land during the traffic (issue 21 D5): the
# proxy lcore is live as worker 0 of the stats region with its epoch at the last generation
# (control reuses an image slot only past it), the events of the traffic carry at least 3
# generations, the region's counters count every MSU as an inline worker's do, and `sigwallctl
# status` lists both associations with their M3UA states from the proxy's status object. The
# policy has a drop rule for every message that expired in 2020: the proxy judges with the wall
# clock (before, it judged with the timer's time since boot, and that rule dropped everything). m3ua_peer ends its exchange with an M3UA NTFY to its peer; management
# is hop by hop (RFC 4666 4.3) and a proxy does not forward it, so the peers' "no DONE" and the
# home side's missing SHUTDOWN-COMPLETE are the expected, and only accepted, complaints.
#   beat (issue 21 Tests, BEAT loss): the home link has `beat_ms = 300`; m3ua_peer never
#   answers a BEAT (it counts them), so the proxy, as the ASP toward home, must abort the home
#   association after 3 BEATs unanswered (RFC 4666 3.5.5 and 4.3.4.6 of its M3UA endpoint): checked
#   that home's link was ASP-ACTIVE, then down while the home peer still ran, that the home peer
#   received the BEATs and lost its association (COMM_LOST), and that the abort is counted
#   (beat_aborts of the home link, not the partner's) in the proxy's status lines and in
#   `sigwallctl status` (the status object).
#   beat-selfcheck: the same checks without `beat_ms`: they must fail (no BEAT, no abort).
#   restart (issue 21 Tests, a peer restart): the partner (m3ua_peer --restart-at 5) aborts its
#   association after its 5th message and connects again from the same port (a new INIT), then
#   runs the ASP handshake again; home holds its traffic until the partner is back (--hold 8000).
#   Checked: the proxy's partner link went down after ASP-ACTIVE and came back ASP-ACTIVE, every
#   message of each peer reached the other (COUNT each way, routed 2 x COUNT), home's association
#   never went down. restart-selfcheck: the same checks without --restart-at: they must fail.
#   actions (issue 21 Tests: "an attack answered with a UDTS that the caller receives", "a
#   redirect that only the honeypot sees"): a third peer, the honeypot (ns H, 10.197.0.4, an SGP
#   behind the proxy's `honeypot = true` link), and real SCCP traffic (tests/proxy/mkactions.py):
#   the partner sends 100 UDTs of which the policy rejects 30 (20 asking for return: UDTS cause
#   subsystem failure or, with `cause`, unequipped user; 10 not: a counted drop), 20 go to a DPC
#   without a route (10 asking for return: UDTS "no translation for this specific address"),
#   20 are redirected to the honeypot, 30 pass to home; home sends 20 to the partner. Checked:
#   the partner receives each of the 30 UDTS exactly once with its cause, the original's called
#   and calling addresses swapped and the partner's OPC as DPC (Q.714 4.2; m3ua_peer matches
#   them to its messages by their data), the honeypot receives the 20 redirected messages byte
#   for byte and nothing else, home the 30 allowed and none of the others (m3ua_peer fails on a
#   message marked 'drop'), and the proxy's counters of each outcome.
#   actions-selfcheck-reject: the policy without its reject rules: the UDTS check must fail.
#   actions-selfcheck-redirect: without the redirect rule: the honeypot check must fail.
# usage: proxy_e2e.sh BUILD_DIR [selfcheck|2ports|2ports-selfcheck|beat|beat-selfcheck|restart|
#   restart-selfcheck|actions|actions-selfcheck-reject|actions-selfcheck-redirect]
#   selfcheck: the same with the two routes swapped (each peer's messages come back to it); the
#   run must fail on the looped counters, which proves the check can fail.
#   2ports (issue 21 D1): the proxy on two DPDK ports (--ports 0:1), the partner behind port 0
#   (10.197.0.0/24, the bridge), home behind port 1 (10.198.0.0/24, a veth of its own): the site
#   binds each link to its port (`port = 0|1`). 2ports-selfcheck: the home link bound to port 0,
#   where home is not: the run must fail (home's association never up, the partner's messages
#   not delivered), which proves the binding counts.
set -u
BUILD=${1:?usage: proxy_e2e.sh BUILD_DIR [MODE] (see above)}
if [ "${2:-}" = restart ]; then
	SW_PROXY_E2E_RESTART=5 SW_PROXY_E2E_COUNT=100 exec "$0" "$BUILD"
fi
if [ "${2:-}" = restart-selfcheck ]; then
	out=$(SW_PROXY_E2E_RESTART=0 SW_PROXY_E2E_COUNT=100 "$0" "$BUILD" 2>&1); rc=$?
	echo "$out" | tail -3
	[ $rc = 77 ] && exit 77
	if [ $rc = 1 ] && echo "$out" | grep -q "^FAIL: restart:"; then
		echo "PASS: without a peer restart the restart checks fail"; exit 0
	fi
	echo "FAIL: the restart checks passed without a restart (rc $rc)"; exit 1
fi
if [ "${2:-}" = actions ]; then
	SW_PROXY_E2E_ACTIONS=all SW_PROXY_E2E_COUNT=100 exec "$0" "$BUILD"
fi
if [ "${2:-}" = actions-selfcheck-reject ] || [ "${2:-}" = actions-selfcheck-redirect ]; then
	what=${2#actions-selfcheck-} want=udts
	[ "$what" = redirect ] && want=honeypot
	out=$(SW_PROXY_E2E_ACTIONS=no$what SW_PROXY_E2E_COUNT=100 "$0" "$BUILD" 2>&1); rc=$?
	echo "$out" | grep "^FAIL" | head -3
	[ $rc = 77 ] && exit 77
	if [ $rc = 1 ] && echo "$out" | grep -q "^FAIL: $want:"; then
		echo "PASS: without the $what rule the $want checks fail"; exit 0
	fi
	echo "FAIL: the $want checks passed without the $what rule (rc $rc)"; exit 1
fi
if [ "${2:-}" = beat ]; then
	SW_PROXY_E2E_BEAT=300 SW_PROXY_E2E_COUNT=20 SW_PROXY_E2E_TIMEOUT=10 exec "$0" "$BUILD"
fi
if [ "${2:-}" = beat-selfcheck ]; then
	out=$(SW_PROXY_E2E_BEAT=0 SW_PROXY_E2E_COUNT=20 SW_PROXY_E2E_TIMEOUT=10 "$0" "$BUILD" 2>&1)
	rc=$?
	echo "$out" | tail -3
	[ $rc = 77 ] && exit 77
	if [ $rc = 1 ] && echo "$out" | grep -q "^FAIL: beat:"; then
		echo "PASS: without BEATs the BEAT-loss checks fail"; exit 0
	fi
	echo "FAIL: the BEAT-loss checks passed without BEATs (rc $rc)"; exit 1
fi
if [ "${2:-}" = 2ports ]; then
	SW_PROXY_E2E_PORTS=2 exec "$0" "$BUILD"
fi
if [ "${2:-}" = 2ports-selfcheck ]; then
	out=$(SW_PROXY_E2E_PORTS=2 SW_PROXY_E2E_HOME_PORT=0 SW_PROXY_E2E_TIMEOUT=12 "$0" "$BUILD" 2>&1)
	rc=$?
	echo "$out" | tail -3
	[ $rc = 77 ] && exit 77
	if [ $rc = 1 ] && echo "$out" | grep -q "^FAIL: partner did not receive" &&
		! echo "$out" | grep -q "link home sctp=up"; then
		echo "PASS: a link bound to the wrong port does not come up"; exit 0
	fi
	echo "FAIL: the home link bound to the wrong port was not detected (rc $rc)"; exit 1
fi
if [ "${2:-}" = selfcheck ]; then
	out=$(SW_PROXY_E2E_SWAP=1 "$0" "$BUILD" 2>&1); rc=$?
	echo "$out" | tail -3
	[ $rc = 77 ] && exit 77
	if [ $rc = 1 ] && echo "$out" | grep -q "looped back"; then
		echo "PASS: swapped routes detected"; exit 0
	fi
	echo "FAIL: swapped routes not detected (rc $rc)"; exit 1
fi
COUNT=${SW_PROXY_E2E_COUNT:-300}
id=$$
NA=swpxa$id NB=swpxb$id NM=swpxm$id NH=swpxh$id
A0=vpa0$id A1=vpa1$id B0=vpb0$id B1=vpb1$id D0=vpd0$id D1=vpd1$id BR=vpbr$id H0=vph0$id H1=vph1$id
PEER=$BUILD/tests/e2e/m3ua_peer
DP=$BUILD/dataplane/app/sigwall-dataplane
ITEST=$BUILD/tests/integration/sw-itest
SWCTL=$BUILD/control/sigwallctl
LOG=$(mktemp -d /tmp/sw-proxy-e2e.XXXXXX)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 not installed"
[ -x "$PEER" ] || skip "m3ua_peer not built (usrsctp missing)"
[ -x "$DP" ] || skip "sigwall-dataplane not built (libdpdk-dev)"
[ -x "$ITEST" ] || skip "sw-itest not built"
[ -x "$SWCTL" ] || skip "sigwallctl not built"
ip netns add "$NM" 2>/dev/null || skip "network namespaces not allowed here"

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "$NA" "$NB" "$NM" "$NH"; do ip netns del "$n" 2>/dev/null; done
	"$ITEST" unlink "swpx$id" >/dev/null 2>&1
	rm -rf "/var/run/dpdk/swpx$id"
	[ -n "${KEEP_LOG:-}" ] || rm -rf "$LOG"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$LOG"/*.out "$LOG"/*.err; do echo "== $f"; tail -8 "$f"; done; exit 1; }

# peer_ok NAME N [PREFIX]: NAME's peer received all N messages it expects, nothing lost,
# restarted or stalled, and only the end-of-exchange complaints explained at the top (PREFIX
# starts the failure's message).
peer_ok() {
	local r
	r=$(grep RESULT "$LOG/$1.out") || fail "${3:-}$1: no RESULT"
	echo "$1: $r"
	case "$r" in *"expect=$2 received=$2 "*) ;; *) fail "${3:-}$1 did not receive all $2" ;; esac
	case "$r" in *"lost=0 restart=0 stall=0"*) ;; *) fail "${3:-}$1: lost, restarted or stalled" ;; esac
	if grep ERROR "$LOG/$1.err" | grep -v "no DONE from the peer" |
		grep -qv "no graceful SHUTDOWN-COMPLETE"; then
		fail "${3:-}$1: unexpected errors"
	fi
}

# Each peer received all COUNT messages of the other.
check_peers() {
	peer_ok partner "$COUNT"
	peer_ok home "$COUNT"
}

ip netns add "$NA" && ip netns add "$NB" || skip "cannot create namespaces"
ip link add "$A0" netns "$NA" type veth peer name "$A1" netns "$NM" || skip "veth not available"
ip link add "$B0" netns "$NB" type veth peer name "$B1" netns "$NM"
ip link add "$D0" netns "$NM" type veth peer name "$D1" netns "$NM"
ip -n "$NM" link add "$BR" type bridge || skip "bridge not available"
PORTS=${SW_PROXY_E2E_PORTS:-1}
HOME_NET=10.197.0 HOME_PORT=0 BRIDGED="$A1 $B1 $D1" VDEV2=() PORTARG=0
if [ "$PORTS" = 2 ]; then
	# home behind the proxy's second port: its veth's other end is that port (af_packet)
	HOME_NET=10.198.0 HOME_PORT=${SW_PROXY_E2E_HOME_PORT:-1} BRIDGED="$A1 $D1"
	VDEV2=(--vdev "net_af_packet1,iface=$B1") PORTARG=0:1
	ip -n "$NM" link set "$B1" up
fi
ACTIONS=${SW_PROXY_E2E_ACTIONS:-} NLINKS=2 HP_KEY=
if [ -n "$ACTIONS" ]; then
	# the honeypot peer, on the bridge beside the partner
	ip netns add "$NH" || skip "cannot create namespaces"
	ip link add "$H0" netns "$NH" type veth peer name "$H1" netns "$NM"
	ip -n "$NH" addr add 10.197.0.4/24 dev "$H0"
	ip -n "$NH" link set lo up
	ip -n "$NH" link set "$H0" up
	BRIDGED="$BRIDGED $H1" NLINKS=3
	HP_KEY='{ name = "honeypot"; local = "10.197.0.1:2908"; remote = "10.197.0.4:2905";
		  sctp = "client"; m3ua = "asp"; side = "inside"; honeypot = true; },'
fi
for l in $BRIDGED; do ip -n "$NM" link set "$l" master "$BR"; ip -n "$NM" link set "$l" up; done
ip -n "$NM" link set "$BR" up
ip -n "$NM" link set "$D0" up
ip -n "$NA" addr add 10.197.0.2/24 dev "$A0"
ip -n "$NB" addr add $HOME_NET.3/24 dev "$B0"
for n in "$NA" "$NB" "$NM"; do ip -n "$n" link set lo up; done
ip -n "$NA" link set "$A0" up
ip -n "$NB" link set "$B0" up
ip netns exec "$NM" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null

dpc_home=2 dpc_partner=1
BEAT=${SW_PROXY_E2E_BEAT:-} BEAT_KEY=
[ -n "$BEAT" ] && [ "$BEAT" != 0 ] && BEAT_KEY=" beat_ms = $BEAT;"
[ -n "${SW_PROXY_E2E_SWAP:-}" ] && dpc_home=1 dpc_partner=2
cat >"$LOG/site.conf" <<CONF
site = {
	name = "proxy e2e";
	home = { plmn = [ "65501" ]; gt = [ "27820" ]; };
	links = ($HP_KEY
		{ name = "partner"; local = "10.197.0.1:2905"; remote = "10.197.0.2:2906";
		  sctp = "server"; m3ua = "sgp"; side = "outside"; port = 0; },
		{ name = "home"; local = "$HOME_NET.1:2907"; remote = "$HOME_NET.3:2905";
		  sctp = "client"; m3ua = "asp"; side = "inside"; port = $HOME_PORT;$BEAT_KEY }
	);
	routes = (
		{ dpc = $dpc_home; links = [ "home" ]; },
		{ dpc = $dpc_partner; links = [ "partner" ]; }
	);
};
CONF

# A published policy, bound by the proxy as the inline workers bind theirs (the dataplane fails
# closed without one). m3ua_peer's DATA is text, malformed as SCCP: this policy lets it pass.
cat >"$LOG/rules.conf" <<CONF
policy = { name = "proxy-e2e"; default = "allow"; malformed = "allow"; };
rules = (
	{ name = "never"; cgpa = "999999999"; action = "drop"; },
	# Expired in 2020 by the wall clock: it must not match. The proxy judged with the
	# timer's clock (time since boot, read as 1970) and this dropped every message.
	{ name = "expired"; malformed = true; expires = "2020-01-01"; action = "drop"; }
);
CONF
if [ -n "$ACTIONS" ]; then
	# proxy mode's actions by the calling GT (mkactions.py); malformed = drop: the traffic is
	# real SCCP/TCAP, and an allowed message dropped as malformed fails home's check
	{
		echo 'policy = { name = "proxy-e2e-actions"; default = "allow"; malformed = "drop"; };'
		echo 'rules = ('
		[ "$ACTIONS" != noreject ] && echo '	{ name = "reject-ssf"; cgpa = "666"; action = "reject"; },
	{ name = "reject-unequipped"; cgpa = "665"; action = "reject"; cause = "unequipped-user"; },'
		[ "$ACTIONS" != noredirect ] &&
			echo '	{ name = "honeypot"; cgpa = "888"; action = "redirect"; to = "honeypot"; },'
		echo '	{ name = "never"; cgpa = "999999999"; action = "drop"; }'
		echo ');'
	} >"$LOG/rules.conf"
fi
sed 's/999999999/999999998/; s/"never"/"never-b"/' "$LOG/rules.conf" >"$LOG/rules2.conf"
"$ITEST" publish "swpx$id" "$LOG/rules.conf" "$LOG/site.conf" 1 >"$LOG/itest.out" 2>&1 ||
	fail "publish: $(cat "$LOG/itest.out")"

ip netns exec "$NM" "$DP" -l 0-1 --no-huge -m 256 --no-pci --file-prefix "swpx$id" \
	--log-level lib.eal:error --vdev "net_af_packet0,iface=$D0" "${VDEV2[@]}" -- --mode proxy \
	--ports $PORTARG \
	--site "$LOG/site.conf" --instance "swpx$id" >"$LOG/proxy.out" 2>"$LOG/proxy.err" &
dp=$!; pids+=($dp)
for _ in $(seq 50); do
	grep -q "proxy mode on port" "$LOG/proxy.out" 2>/dev/null && break
	kill -0 $dp 2>/dev/null || break
	sleep 0.1
done
kill -0 $dp 2>/dev/null || { tail -5 "$LOG/proxy.err"; skip "sigwall-dataplane does not start here"; }
grep -q "proxy mode on port 0: $NLINKS link(s), 2 route(s)" "$LOG/proxy.out" || fail "proxy did not load the site"
if [ "$PORTS" = 2 ]; then
	grep -q "proxy port 1 (index 1): $((HOME_PORT == 1)) link(s)" "$LOG/proxy.out" ||
		fail "proxy: not $((HOME_PORT == 1)) link(s) on its second port"
fi
for _ in $(seq 30); do grep -q "proxy bound policy generation 1" "$LOG/proxy.out" && break; sleep 0.1; done
grep -q "proxy bound policy generation 1" "$LOG/proxy.out" || fail "proxy did not bind the image"

if [ -n "$ACTIONS" ]; then
	HOME_COUNT=20
	eval "$(/usr/bin/python3 "$(dirname "$0")/mkactions.py" "$LOG" "$COUNT" $HOME_COUNT)" ||
		fail "mkactions.py"
	# home and the honeypot first; the partner once the proxy has both of them ASP-ACTIVE (a
	# redirect to a honeypot link that is not up is a send failure); home holds its traffic
	# until the partner is up too
	mix=(--streams 4 --block-every 0 --timeout 60 --pace 15000)
	ip netns exec "$NB" "$PEER" --server --local 10.197.0.3 --lport 2905 --remote 10.197.0.1 \
		--rport 2907 "${mix[@]}" --stall 10 --hold 8000 --mix "$LOG/home.mix" \
		--expect "$LOG/home.expect" >"$LOG/home.out" 2>"$LOG/home.err" &
	hp=$!; pids+=($hp)
	ip netns exec "$NH" "$PEER" --server --local 10.197.0.4 --lport 2905 --remote 10.197.0.1 \
		--rport 2908 "${mix[@]}" --stall 20 --mix "$LOG/honeypot.mix" \
		--expect "$LOG/honeypot.expect" >"$LOG/honeypot.out" 2>"$LOG/honeypot.err" &
	hpp=$!; pids+=($hpp)
	for _ in $(seq 300); do
		grep -q "^link home sctp=up m3ua=asp asp=active" "$LOG/proxy.out" &&
			grep -q "^link honeypot sctp=up m3ua=asp asp=active" "$LOG/proxy.out" && break
		sleep 0.1
	done
	ip netns exec "$NA" "$PEER" --client --local 10.197.0.2 --lport 2906 --remote 10.197.0.1 \
		--rport 2905 "${mix[@]}" --stall 10 --hold 1000 --mix "$LOG/partner.mix" \
		--expect "$LOG/partner.expect" >"$LOG/partner.out" 2>"$LOG/partner.err" &
	pp=$!; pids+=($pp)
	wait $pp; wait $hp; wait $hpp
	sleep 1.2 # one more status line of the proxy
	grep "^link " "$LOG/proxy.out" | tail -3
	pxl=$(grep "^proxy routed=" "$LOG/proxy.out" | tail -1)
	echo "$pxl"
	# 1. the UDTS: every one back to the caller, once, with its cause and the addresses swapped
	#    (m3ua_peer checks each; an unexpected one is an error), and the proxy's counts
	u=$(grep RESULT "$LOG/partner.out" | grep -o " udts=[0-9]*" | cut -d= -f2)
	[ "${u:-0}" = "$UDTS" ] || fail "udts: the partner received ${u:-0} UDTS, want $UDTS"
	peer_ok partner $HOME_COUNT "udts: "
	case "$pxl" in *" rejected=$REJECTED "*" no_route=$((NO_ROUTE + NO_ROUTE_UDTS)) "*) ;;
		*) fail "udts: proxy: not $REJECTED rejected, $((NO_ROUTE + NO_ROUTE_UDTS)) no route" ;; esac
	case "$pxl" in *" no_route_udts=$NO_ROUTE_UDTS answer_failed=$ANSWER_FAILED tx_failed=0 "*) ;;
		*) fail "udts: proxy: not $NO_ROUTE_UDTS no-route UDTS, $ANSWER_FAILED answers impossible" ;;
	esac
	echo "the partner received its $u UDTS (return causes and addresses checked per message)"
	# 2. the honeypot: every redirected message, byte for byte, and nothing else
	peer_ok honeypot "$REDIRECT" "honeypot: "
	case "$pxl" in *" redirected=$REDIRECT "*) ;; *) fail "honeypot: proxy: not $REDIRECT redirected" ;; esac
	grep "^link honeypot " "$LOG/proxy.out" | tail -1 | grep -q " tx=$REDIRECT " ||
		fail "honeypot: the proxy's honeypot link did not carry exactly $REDIRECT messages"
	# 3. home: the allowed ones only (a rejected, redirected or unrouted one is an error there)
	peer_ok home "$ALLOW"
	grep "^link home " "$LOG/proxy.out" | tail -1 | grep -q " tx=$ALLOW " ||
		fail "home link: not exactly $ALLOW messages"
	case "$pxl" in "proxy routed=$((ALLOW + HOME_COUNT)) "*" dropped=0 "*) ;;
		*) fail "proxy: not $((ALLOW + HOME_COUNT)) routed" ;; esac
	echo "PASS: proxy actions on DPDK: $u UDTS back to the caller, $REDIRECT redirects seen by the honeypot only, $ALLOW allowed to home"
	exit 0
fi
# --hold: each peer waits after its ASP is active, so that the proxy's other association is
# up before the first message (an MSU for an unavailable route is dropped, as by an STP).
peer=(--count "$COUNT" --streams 4 --block-every 0 --stall 8 --timeout "${SW_PROXY_E2E_TIMEOUT:-40}"
	--hold 4000 --pace 15000)
RESTART=${SW_PROXY_E2E_RESTART:-} home_opt=() partner_opt=()
if [ -n "$RESTART" ]; then
	# home sends once the partner is back; the partner's own messages before its restart are
	# acknowledged (drained) by the proxy before it aborts
	home_opt=(--hold 8000)
	[ "$RESTART" != 0 ] && partner_opt=(--restart-at "$RESTART")
fi
ip netns exec "$NB" "$PEER" --server --local $HOME_NET.3 --lport 2905 --remote $HOME_NET.1 \
	--rport 2907 "${peer[@]}" "${home_opt[@]}" >"$LOG/home.out" 2>"$LOG/home.err" &
hp=$!; pids+=($hp)
ip netns exec "$NA" "$PEER" --client --local 10.197.0.2 --lport 2906 --remote 10.197.0.1 \
	--rport 2905 "${peer[@]}" "${partner_opt[@]}" >"$LOG/partner.out" 2>"$LOG/partner.err" &
pp=$!; pids+=($pp)
if [ -n "$BEAT" ]; then
	# BEAT loss: the home peer never answers the proxy's BEATs (it holds 4 s after ASP-ACTIVE).
	wait $hp; wait $pp
	sleep 1.2 # one more status line of the proxy
	grep "^link home " "$LOG/proxy.out" | uniq -c | head -8
	r=$(grep RESULT "$LOG/home.out") || fail "beat: home peer: no RESULT"
	echo "home: $r"
	grep -q "link home sctp=up m3ua=asp asp=active" "$LOG/proxy.out" ||
		fail "beat: home link never ASP-ACTIVE"
	# a "down" line of the home link after its first ASP-ACTIVE line
	sed -n '/^link home sctp=up m3ua=asp asp=active/,$p' "$LOG/proxy.out" |
		grep -q "^link home sctp=down" || fail "beat: the proxy did not abort the home association"
	beats=$(echo "$r" | grep -o " beats=[0-9]*" | cut -d= -f2)
	[ "${beats:-0}" -ge 3 ] || fail "beat: home peer received ${beats:-0} BEATs, want at least 3"
	case "$r" in *" lost=1 "*) ;; *) fail "beat: the home peer's association was not lost" ;; esac
	# the abort is counted on the home link, in the status lines and the status object
	ba=$(grep "^link home " "$LOG/proxy.out" | tail -1 | grep -o " beat_aborts=[0-9]*" | cut -d= -f2)
	[ "${ba:-0}" -ge 1 ] || fail "beat: the proxy's status line counts ${ba:-0} BEAT aborts of home"
	grep "^link partner " "$LOG/proxy.out" | tail -1 | grep -q " beat_aborts=0 " ||
		fail "beat: BEAT aborts counted on the partner link (no BEATs there)"
	"$SWCTL" --instance "swpx$id" status >"$LOG/status.out" 2>&1 # no control running: exit 1
	grep "link home " "$LOG/status.out"
	grep -q "link home .* beat_aborts=[1-9][0-9]* " "$LOG/status.out" ||
		fail "beat: sigwallctl status shows no BEAT abort of home"
	echo "PASS: BEAT loss: $beats BEATs unanswered, the proxy aborted home ($ba counted)"
	exit 0
fi
if [ -n "$RESTART" ]; then
	wait $pp; wait $hp
	sleep 1.2 # one more status line of the proxy
	grep "^link partner " "$LOG/proxy.out" | cut -d' ' -f1-5 | uniq -c | head -12
	check_peers
	# the partner link: ASP-ACTIVE, down (the ABORT), ASP-ACTIVE again, before its traffic ended
	ups=$(grep "^link partner " "$LOG/proxy.out" | cut -d' ' -f3,5 | uniq |
		grep -c "sctp=up asp=active")
	echo "partner link ASP-ACTIVE $ups time(s)"
	[ "$ups" -ge 2 ] || fail "restart: the partner's association did not restart in the proxy"
	grep -q "^link partner .* tx=$COUNT .*looped=0$" "$LOG/proxy.out" ||
		fail "restart: not $COUNT messages to the partner over its new association"
	# home: up once, until its peer ended the exchange
	hups=$(grep "^link home " "$LOG/proxy.out" | cut -d' ' -f3,5 | uniq | grep -c "sctp=up asp=active")
	[ "$hups" = 1 ] || fail "restart: home's association went down ($hups ASP-ACTIVE periods)"
	routed=$(grep -o "proxy routed=[0-9]*" "$LOG/proxy.out" | tail -1 | cut -d= -f2)
	[ "${routed:-0}" -eq $((2 * COUNT)) ] || fail "proxy routed ${routed:-0}, want $((2 * COUNT))"
	echo "PASS: peer restart: the partner came back with a new association, $COUNT messages each way"
	exit 0
fi
# Reloads under traffic: generations 2..13, one every 40 ms (plus its compile time: 0.1-1 s on a
# loaded machine) from about when the peers start sending (their --hold), while the messages
# are paced over 4.5 s.
RELOADS=12
(sleep 4.2; exec "$ITEST" reload-loop "swpx$id" "$LOG/site.conf" 2 $RELOADS 40 "$LOG/rules2.conf" \
	"$LOG/rules.conf") >"$LOG/reload.out" 2>&1 &
rl=$!; pids+=($rl)
# `sigwallctl status` while both associations carry traffic (no control runs: it exits 1 and
# says what the shared memory says).
(sleep 4.8; exec "$SWCTL" --instance "swpx$id" status) >"$LOG/status-mid.out" 2>&1 &
pids+=($!)
wait $pp; wait $hp
wait $rl || fail "reload-loop: $(tail -2 "$LOG/reload.out")"
last_gen=$((RELOADS + 1))
for _ in $(seq 30); do grep -q "proxy bound policy generation $last_gen" "$LOG/proxy.out" && break; sleep 0.1; done
sleep 1.2 # one more status line of the proxy

check_peers
grep -q "link partner sctp=up m3ua=sgp asp=active" "$LOG/proxy.out" || fail "partner link never ASP-ACTIVE"
grep -q "link home sctp=up m3ua=asp asp=active" "$LOG/proxy.out" || fail "home link never ASP-ACTIVE"
last=$(grep "^link " "$LOG/proxy.out" | tail -2)
echo "$last"
for side in partner home; do
	echo "$last" | grep "^link $side " | grep -q " tx=$COUNT .*looped=0$" ||
		fail "$side link: not $COUNT messages from the other side, or messages looped back"
done
routed=$(grep -o "proxy routed=[0-9]*" "$LOG/proxy.out" | tail -1 | cut -d= -f2)
echo "proxy: $(grep "proxy routed=" "$LOG/proxy.out" | tail -1)"
[ "${routed:-0}" -eq $((2 * COUNT)) ] || fail "proxy routed ${routed:-0}, want $((2 * COUNT))"
judged=$(grep -o "judged=[0-9]*" "$LOG/proxy.out" | tail -1 | cut -d= -f2)
[ "${judged:-0}" -eq $((2 * COUNT)) ] || fail "judged ${judged:-0}, want $((2 * COUNT))"

# D5: the stats region sees the proxy lcore as a live worker at the last generation (the
# epoch: before, it was "not live" and control could reuse a slot the proxy still read).
"$SWCTL" --instance "swpx$id" status >"$LOG/status.out" 2>&1 # no control running: exit 1
sed -n '1,40p' "$LOG/status.out"
grep -q "worker 0 epoch $last_gen live" "$LOG/status.out" ||
	fail "status: worker 0 (the proxy lcore) not live at epoch $last_gen"
grep -q "proxy mode: 2 association(s)" "$LOG/status.out" || fail "status: no proxy section"
grep "link " "$LOG/status-mid.out"
grep -q "link partner sctp=up m3ua=sgp asp=active as=active" "$LOG/status-mid.out" ||
	fail "status during traffic: partner association not listed ASP-ACTIVE"
# (the home SGP, m3ua_peer, sends no NTFY AS-ACTIVE: its AS state is not known there yet)
grep -q "link home sctp=up m3ua=asp asp=active" "$LOG/status-mid.out" ||
	fail "status during traffic: home association not listed ASP-ACTIVE"
grep -q "proxy routed=$((2 * COUNT)) .* generation=$last_gen" "$LOG/status.out" ||
	fail "status: proxy counters or generation"
ctr=$("$ITEST" counters "swpx$id")
echo "counters: $ctr"
case "$ctr" in *"\"msus\":$((2 * COUNT)),\"allowed\":$((2 * COUNT)),"*) ;;
	*) fail "stats region: not $((2 * COUNT)) MSUs judged and allowed" ;; esac
sw=$(echo "$ctr" | grep -o '"gen_switches":[0-9]*' | cut -d: -f2)
# (a generation replaced before the proxy looked is skipped, as by an inline worker)
[ "${sw:-0}" -ge 3 ] || fail "stats region: ${sw:-0} generation switches, want at least 3"
# m3ua_peer's DATA is text, malformed SCCP: every message is a malformed event (allowed), with
# the generation that judged it.
gens=$("$ITEST" events "swpx$id" 2>/dev/null | grep -o '"generation":[0-9]*' | sort -u | wc -l)
echo "events: messages judged under $gens generations"
[ "$gens" -ge 3 ] || fail "the reloads did not land during the traffic ($gens generation(s))"
echo "PASS: proxy mode on DPDK: both associations ASP-ACTIVE, $COUNT messages each way routed, $RELOADS reloads under traffic, nothing lost"
