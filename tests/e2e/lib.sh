# SPDX-License-Identifier: BSD-3-Clause
# Shared by the namespace tests of tests/e2e (enforce_e2e.sh, frag_e2e.sh, soak.sh): sourced.

# dp_wait PID OUT ERR TRIES: wait (TRIES x 0.1 s at most) until sigwall-dataplane PID says it
# runs in OUT or ERR, or exits; then 1 s for its ports. Returns 0 if it is still running,
# else prints the last lines of ERR and returns 1.
dp_wait() {
	local pid=$1 out=$2 err=$3 tries=$4
	for _ in $(seq "$tries"); do
		grep -q "worker\|running\|lcore" "$out" "$err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 1
	kill -0 "$pid" 2>/dev/null && return 0
	tail -5 "$err"
	return 1
}
