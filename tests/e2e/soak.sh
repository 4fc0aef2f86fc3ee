#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Randomized differential soak of inline repair (issue 12 Deliver 2): per seed, a random
# scenario runs between two usrsctp M3UA peers through the project's forwarder (enforce_fwd)
# AND through sigwall-dataplane, at the same time on two separate wires:
#   fwd:  ns A1 [peer] -- ns M1 [enforce_fwd: enforcement + impairments] -- ns B1 [peer]
#   dp:   ns A2 [peer] -- ns I2 [enforce_fwd --pass: impairments] -- ns M2 [sigwall-dataplane
#         --mode inline, shipped policy] -- ns B2 [peer]
# Scenario (from the seed): 1-6 streams, ordered and unordered messages, sizes, bursts and
# gaps, Nagle bundling or not, delayed-SACK timer and frequency, 0-80% of messages blocked (fwd:
# the marker rule; dp: sigwall-gen MAP mixes with 0-80% attacks judged by the shipped policy),
# loss, duplication and reordering of packets in both directions, retransmissions, a new INIT
# in the middle (the client aborts and comes back from the same port), SHUTDOWN at the end.
# Each peer checks: every allowed message exactly once, in order per ordered stream; no blocked
# message; everything it sent acknowledged; graceful SHUTDOWN-COMPLETE; no ABORT or stall.
#
#   tests/e2e/soak.sh N [FIRST] [BUILD_DIR]      N seeds from FIRST (default 1); exit 1 on a
#                                                failure, 77 when it cannot run here
#   SW_SOAK_PATHS="fwd dp" (default both)        SW_SOAK_KEEP=1 keeps the logs of failures
#   SW_SOAK_PCAP=1 (with KEEP)                    also keeps both peers' packets (dumpcap)
#   SW_SOAK_FWD_ARGS=--no-repair                 self-check: the soak must fail
# A failing seed prints the command that replays it.
set -u
N=${1:-30}
FIRST=${2:-1}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/e2e/lib.sh"
BUILD=${3:-${SW_BUILD:-$SRC/build/main}}
BUILD=$(cd "$BUILD" && pwd)
BIN=$BUILD/tests/e2e
PATHS=${SW_SOAK_PATHS:-fwd dp}
DP=$BUILD/dataplane/app/sigwall-dataplane
ITEST=$BUILD/tests/integration/sw-itest
id=$$
LOG=$(mktemp -d /tmp/sw-soak.XXXXXX)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 not installed"
[ -x "$BIN/m3ua_peer" ] || skip "m3ua_peer not built (usrsctp missing)"
[ -x "$BIN/enforce_fwd" ] || skip "enforce_fwd not built"
case " $PATHS " in
*" dp "*)
	if [ ! -x "$DP" ] || [ ! -x "$ITEST" ] || [ ! -x "$BUILD/bench/gen/sigwall-gen" ]; then
		echo "note: sigwall-dataplane, sw-itest or sigwall-gen not built: fwd path only"
		PATHS=fwd
	fi
	;;
esac

NS=(sa1$id sm1$id sb1$id sa2$id si2$id sm2$id sb2$id)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null; done
	[ -n "${INST:-}" ] && "$ITEST" unlink "$INST" >/dev/null 2>&1
	[ -n "${INST:-}" ] && rm -rf "/var/run/dpdk/$INST"
	rm -rf "$LOG"
}
trap cleanup EXIT

for n in "${NS[@]}"; do ip netns add "$n" 2>/dev/null || skip "network namespaces not allowed here"; done
# wire name, ns, ns
wire() { ip link add "$1a" netns "$2" type veth peer name "$1b" netns "$3" || skip "veth not available"; }
wire v1a$id sa1$id sm1$id
wire v1b$id sb1$id sm1$id
wire v2a$id sa2$id si2$id
wire v2x$id si2$id sm2$id
wire v2b$id sb2$id sm2$id
ip -n sa1$id addr add 10.201.0.1/24 dev v1a${id}a
ip -n sb1$id addr add 10.201.0.2/24 dev v1b${id}a
ip -n sa2$id addr add 10.202.0.1/24 dev v2a${id}a
ip -n sb2$id addr add 10.202.0.2/24 dev v2b${id}a
for l in sa1:v1a${id}a sm1:v1a${id}b sb1:v1b${id}a sm1:v1b${id}b sa2:v2a${id}a si2:v2a${id}b \
	si2:v2x${id}a sm2:v2x${id}b sb2:v2b${id}a sm2:v2b${id}b; do
	ip -n "${l%%:*}$id" link set "${l#*:}" up
done
for n in "${NS[@]}"; do
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
done

INST=swsoak$id
if [[ " $PATHS " == *" dp "* ]]; then
	# labelled MAP mixes, 0 to 80% attacks (the shipped policy drops those)
	for share in 0 0.2 0.45 0.8; do
		mkdir -p "$LOG/mix$share"
		SW_BUILD=$BUILD /usr/bin/python3 "$SRC/tests/e2e/mkmix.py" "$LOG/mix$share" 300 7 $share \
			>"$LOG/mix$share/out" 2>&1 || { cat "$LOG/mix$share/out"; echo "FAIL: mkmix"; exit 1; }
	done
	# the shipped policy without its state rules: each side sends its messages on its own, out of
	# causal order (an End may pass before its Begin), which the state rules (issue 15) need
	"$ITEST" publish "$INST" "$SRC/patterns/stateless.conf" "$SRC/patterns/site.example.conf" 1 \
		>"$LOG/itest.out" 2>&1 || { cat "$LOG/itest.out"; echo "FAIL: publish"; exit 1; }
	ip netns exec sm2$id "$DP" -l 0-1 --no-huge -m 256 --no-pci --file-prefix "$INST" \
		--log-level lib.eal:error --vdev "net_af_packet0,iface=v2x${id}b" \
		--vdev "net_af_packet1,iface=v2b${id}b" -- --mode inline --ports 0:1 \
		--instance "$INST" >"$LOG/dp.out" 2>"$LOG/dp.err" &
	dp=$!
	pids+=($dp)
	if ! dp_wait $dp "$LOG/dp.out" "$LOG/dp.err" 50; then
		echo "note: sigwall-dataplane does not start here: fwd path only"
		PATHS=fwd
	fi
fi

# run_path PATH SEED: one scenario on one wire; returns the peers' verdict
run_path() {
	local path=$1 seed=$2 d=$LOG/$1-$2 na nb nm ip_a ip_b fwd_ns fwd_a fwd_b
	local -a peer mixc mixs fargs
	mkdir -p "$d"
	RANDOM=$seed
	local streams=$((1 + RANDOM % 6)) count=$((60 + RANDOM % 240)) block=$((RANDOM % 81))
	local unord=0 sizes="" bundle="" gaps="" pace=$((RANDOM % 500)) restart=0
	local loss=0 dup=0 reorder=0 sackd=$((10 + RANDOM % 190)) sackf=$((1 + RANDOM % 3))
	((RANDOM % 2)) && unord=$((5 + RANDOM % 45))
	((RANDOM % 2)) && sizes=$((16 + RANDOM % 200))-$((300 + RANDOM % 1100))
	((RANDOM % 2)) && bundle=--bundle
	((RANDOM % 3 == 0)) && gaps=--gaps
	((RANDOM % 3 == 0)) && restart=$((count / 3 + RANDOM % (count / 3)))
	if ((RANDOM % 3)); then
		loss=$((RANDOM % 5)) dup=$((RANDOM % 4)) reorder=$((RANDOM % 6))
	fi
	local shares=(0 0.2 0.45 0.8) share
	share=${shares[$((RANDOM % 4))]}
	peer=(--streams "$streams" --seed "$seed" --pace "$pace" --stall 12 --timeout 60
		--sack-delay "$sackd" --sack-freq "$sackf")
	[ "$unord" != 0 ] && peer+=(--unordered-pct "$unord")
	[ -n "$sizes" ] && [ "$path" = fwd ] && peer+=(--sizes "$sizes")
	[ -n "$bundle" ] && peer+=("$bundle")
	[ -n "$gaps" ] && peer+=("$gaps")
	[ "$restart" != 0 ] && peer+=(--restart-at "$restart")
	fargs=(--loss "$loss" --dup "$dup" --reorder "$reorder" --seed "$seed" ${SW_SOAK_FWD_ARGS:-})
	if [ "$path" = fwd ]; then
		na=sa1$id nb=sb1$id ip_a=10.201.0.1 ip_b=10.201.0.2
		fwd_ns=sm1$id fwd_a=v1a${id}b fwd_b=v1b${id}b
		peer+=(--count "$count" --block-pct "$block")
		[ "$block" = 0 ] && peer+=(--block-every 0)
	else
		na=sa2$id nb=sb2$id ip_a=10.202.0.1 ip_b=10.202.0.2
		fwd_ns=si2$id fwd_a=v2a${id}b fwd_b=v2x${id}a
		fargs+=(--pass)
		mixc=(--mix "$LOG/mix$share/mixA.txt" --expect "$LOG/mix$share/mixB.txt")
		mixs=(--mix "$LOG/mix$share/mixB.txt" --expect "$LOG/mix$share/mixA.txt")
	fi
	echo "seed $seed $path: streams $streams unordered $unord% sizes ${sizes:-fixed} $bundle $gaps" \
		"pace ${pace}us sack ${sackd}ms/$sackf restart-at $restart loss $loss% dup $dup%" \
		"reorder $reorder% blocked $([ "$path" = fwd ] && echo "$block% of $count" || echo "mix $share")" \
		>"$d/scenario"
	ip netns exec "$fwd_ns" "$BIN/enforce_fwd" --a "$fwd_a" --b "$fwd_b" "${fargs[@]}" \
		>"$d/fwd.out" 2>"$d/fwd.err" &
	local fwd=$!
	# SW_SOAK_PCAP=1: the packets at both peers' interfaces, kept with the logs of a failure
	local -a caps=()
	if [ -n "${SW_SOAK_PCAP:-}" ]; then
		local ifa=${fwd_a%b}a ifb
		[ "$path" = fwd ] && ifb=${fwd_b%b}a || ifb=v2b${id}a
		ip netns exec "$na" dumpcap -q -i "$ifa" -w "$d/client.pcapng" 2>/dev/null &
		caps+=($!)
		ip netns exec "$nb" dumpcap -q -i "$ifb" -w "$d/server.pcapng" 2>/dev/null &
		caps+=($!)
		sleep 1
	fi
	sleep 0.2
	# a port pair per seed: associations of different seeds never share a table key
	local lp=$((3000 + seed % 20000)) rp=$((2905))
	ip netns exec "$nb" "$BIN/m3ua_peer" --server --local "$ip_b" --lport $rp "${peer[@]}" \
		"${mixs[@]}" >"$d/server.out" 2>"$d/server.err" &
	local srv=$!
	# the client starts once the server listens: an INIT before that is answered with an ABORT
	# (RFC 9260 8.4) and the association never comes up (seed 106 on a loaded machine)
	local w
	for w in $(seq 200); do
		grep -q "^LISTENING" "$d/server.out" 2>/dev/null && break
		kill -0 $srv 2>/dev/null || break
		sleep 0.05
	done
	ip netns exec "$na" "$BIN/m3ua_peer" --client --local "$ip_a" --lport $lp --remote "$ip_b" \
		--rport $rp "${peer[@]}" "${mixc[@]}" >"$d/client.out" 2>"$d/client.err"
	local rc_c=$?
	wait $srv
	local rc_s=$?
	kill -INT $fwd 2>/dev/null
	wait $fwd 2>/dev/null
	for w in "${caps[@]}"; do kill -INT "$w" 2>/dev/null; wait "$w" 2>/dev/null; done
	echo "$rc_c $rc_s" >"$d/rc"
}

pass=0 fail=0 flaky=0
declare -A fails
for ((seed = FIRST; seed < FIRST + N; seed++)); do
	bg=()
	for p in $PATHS; do
		run_path "$p" "$seed" &
		bg+=($!)
	done
	wait "${bg[@]}"
	for p in $PATHS; do
		d=$LOG/$p-$seed
		read -r rc_c rc_s <"$d/rc"
		if [ "$rc_c" = 0 ] && [ "$rc_s" = 0 ]; then
			echo "ok $(cat "$d/scenario")"
			pass=$((pass + 1))
			rm -rf "$d"
			continue
		fi
		echo "FAIL seed $seed path $p (client=$rc_c server=$rc_s): $(cat "$d/scenario")"
		echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
		grep -h "RESULT\|ERROR\|not up\|not active\|usage" "$d/client.out" "$d/server.out" "$d/client.err" "$d/server.err" | head -6
		grep -h "^FWD\|removed=\|generated=\|repeated=" "$d/fwd.out" | tr '\n' ' ' | head -c 400
		echo
		echo "  replay: SW_SOAK_PATHS=$p $SRC/tests/e2e/soak.sh 1 $seed $BUILD"
		if [ -n "${SW_SOAK_KEEP:-}" ]; then
			mkdir -p /tmp/sw-soak-failed && cp -r "$d" /tmp/sw-soak-failed/
			# the dataplane's log so far (one process serves every seed of the run)
			[ "$p" = dp ] && cp "$LOG/dp.out" "$LOG/dp.err" "/tmp/sw-soak-failed/$p-$seed/"
		fi
		# SW_SOAK_RETRY (the CI entry sets it): a failed seed is replayed once, alone. A seed
		# that passes its replay is printed and counted as FLAKY, never hidden; a seed that fails
		# twice fails the run. Timing-dependent failures remain possible (dataplane/enforce/README.md:
		# a duplicated INIT whose first INIT-ACK is lost; peers starved on a loaded machine).
		if [ -n "${SW_SOAK_RETRY:-}" ]; then
			run_path "$p" "$seed"
			read -r rc_c rc_s <"$d/rc"
			if [ "$rc_c" = 0 ] && [ "$rc_s" = 0 ]; then
				echo "FLAKY seed $seed path $p: failed, then passed when replayed alone"
				flaky=$((flaky + 1))
				rm -rf "$d"
				continue
			fi
			echo "FAIL seed $seed path $p again when replayed (client=$rc_c server=$rc_s)"
		fi
		fail=$((fail + 1))
		fails[$p-$seed]=1
	done
	if (((seed - FIRST + 1) % 25 == 0)); then
		echo "progress: $((seed - FIRST + 1)) seeds, $pass runs passed, $fail failed"
	fi
done
if [[ " $PATHS " == *" dp "* ]]; then
	kill -INT $dp 2>/dev/null
	wait $dp 2>/dev/null
	grep -E "enforce:" "$LOG/dp.out" | head -2
fi
echo "soak: seeds $FIRST..$((FIRST + N - 1)), paths: $PATHS: $pass passed, $fail failed, $flaky flaky (failed once, passed on replay)"
[ $fail = 0 ]
