#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds twice (gcc with
# -Werror; clang with ASan+UBSan and libFuzzer), runs every suite in both, and ends with one
# line "N passed, N failed[, N skipped]".
#
#   scripts/test.sh [--quick] [meson test args...]
#     --quick   skip the sanitizer/fuzz build (local iteration only; CI runs everything)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

quick=0
if [ "${1:-}" = "--quick" ]; then
	quick=1
	shift
fi

scripts/deps.sh || { echo "deps.sh failed"; echo "0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
# elapsed: minutes and seconds since the script started (deps included), printed on each
# stage line so that a run shows where its time goes.
elapsed() {
	local t=$SECONDS
	printf '%dm%02ds' $((t / 60)) $((t % 60))
}
passed=0 failed=0 skipped=0
failed_names=()

# setup DIR [meson options...]: configure once, reconfigure when options changed.
setup() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
}

# count DIR LABEL: add the results of the last `meson test` run in DIR to the totals.
count() {
	local dir=$1 label=$2 log="$1/meson-logs/testlog.json"
	[ -f "$log" ] || return 0
	while IFS=$'\t' read -r result name; do
		case "$result" in
		OK | EXPECTEDFAIL) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)); failed_names+=("$label:$name ($result)") ;;
		esac
	done < <(/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(t["result"] + "\t" + t["name"])' "$log")
}

# run DIR LABEL [meson test args...]
run() {
	local dir=$1 label=$2
	shift 2
	echo "== $label: building ($(elapsed))"
	if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		grep -E "error|FAILED" "$dir.build.log" | head -40
		failed=$((failed + 1))
		failed_names+=("$label:build")
		return
	fi
	echo "== $label: testing ($(elapsed))"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@" 2>&1 |
		grep -vE '^ *[0-9]+/[0-9]+ .* (OK|SKIP) ' | grep -vE '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): '
	count "$dir" "$label"
	echo "== $label: done ($(elapsed))"
}

mkdir -p build
# 1. The build the appliance ships: gcc, warnings are errors.
if setup build/main --werror -Dbuildtype=debugoptimized; then
	run build/main main "$@"
else
	failed=$((failed + 1)); failed_names+=("main:setup")
fi

# 2. The same code under ASan+UBSan with clang, plus libFuzzer campaigns. The DPDK suites
# (integration, e2e) run only in the main build: DPDK's EAL and ASan do not mix well; the demo
# suite builds its own clone, so a second run of it would add nothing.
if [ "$quick" = 0 ]; then
	if CC=clang setup build/san --werror -Dbuildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false -Dfuzz=true; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
			run build/san san --no-suite integration --no-suite e2e --no-suite bench --no-suite demo \
			--no-suite package "$@"
	else
		failed=$((failed + 1)); failed_names+=("san:setup")
	fi
fi

if [ "${#failed_names[@]}" -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "== total: $(elapsed)"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
