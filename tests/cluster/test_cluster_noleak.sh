#!/bin/sh
# Issue 16 (the leak found in CI): a cluster test stopped by a signal must not leave its
# redis-server behind. Runs test_cluster_cli.sh, and once its Redis answers and both members are
# up, sends SIGTERM to the script alone (as a harness does that times a test out by its pid, not
# its process group), then checks that no redis-server answers on the test's port any more and
# that no process of that server remains. Before the fix (an EXIT trap only: dash does not run
# it on a signal) the server survived.
#   test_cluster_noleak.sh SIGWALL_CLUSTER SIGWALLCTL CLI_TEST
set -u
if ! command -v redis-server >/dev/null 2>&1; then
	echo "SKIP: redis-server not installed (scripts/deps.sh installs it)"
	exit 77
fi
log=$(mktemp)
sh "$3" "$1" "$2" >"$log" 2>&1 &
t=$!
port=""
i=0
while [ $i -lt 600 ]; do # 30 s: a loaded machine took more than 10 (a full run at load 18)
	port=$(sed -n 's/^# redis port \([0-9]*\)$/\1/p' "$log")
	[ -n "$port" ] && grep -q "ok: member a ready" "$log" && break
	sleep 0.05
	i=$((i + 1))
done
if [ -z "$port" ] || ! redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
	echo "FAIL: the cli test did not start its redis-server"
	cat "$log"
	# SIGTERM, which the script traps to stop its redis-server and sigwall-cluster processes
	# (SIGKILL here left both members running); SIGKILL only if it is still there 10 s later.
	kill -TERM "$t" 2>/dev/null
	i=0
	while kill -0 "$t" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$t" 2>/dev/null
	wait "$t" 2>/dev/null
	rm -f "$log"
	exit 1
fi
echo "the cli test (pid $t) runs redis-server on port $port; SIGTERM to the script alone"
kill -TERM "$t"
wait "$t"
echo "the cli test exited $?"
sleep 0.3
fail=0
if redis-cli -p "$port" ping >/dev/null 2>&1; then
	echo "FAIL: a redis-server still answers on port $port"
	fail=1
fi
left=$(ps -eo pid=,args= | grep "[r]edis-server 127.0.0.1:$port" || true)
if [ -n "$left" ]; then
	echo "FAIL: left running: $left"
	for p in $(echo "$left" | awk '{print $1}'); do kill -9 "$p"; done
	fail=1
fi
# Its two sigwall-cluster processes too (instances cliA<pid>, cliB<pid>).
left=$(ps -eo pid=,args= | grep -E "[s]igwall-cluster --instance cli[AB]$t( |$)" || true)
if [ -n "$left" ]; then
	echo "FAIL: left running: $left"
	for p in $(echo "$left" | awk '{print $1}'); do kill -9 "$p"; done
	fail=1
fi
[ $fail -eq 0 ] && echo "ok: no redis-server survives a cluster test stopped by SIGTERM"
rm -f "$log"
exit $fail
