#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bench/build.sh BUILD_DIR TARGET...: the release build the benchmark scripts run on. Makes
# BUILD_DIR (and its parent: a fresh clone has no build/) with `meson setup -Dbuildtype=release`
# when it has no build.ninja yet, then builds only TARGETs (paths as ninja names them, e.g.
# bench/pipeline/sigwall-bench-pipe). Logs go to BUILD_DIR.setup.log and BUILD_DIR.build.log;
# on failure their tail is printed and the exit status is 1.
set -eu
[ $# -ge 2 ] || { echo "usage: bench/build.sh BUILD_DIR TARGET..." >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
shift
for t in meson ninja; do
	command -v $t >/dev/null || {
		echo "bench/build.sh: $t is missing: run scripts/deps.sh (README) first" >&2; exit 1; }
done
mkdir -p "$(dirname "$build")"
if [ ! -f "$build/build.ninja" ]; then
	echo "bench: release build in $build (log: $build.setup.log)"
	meson setup "$build" "$root" -Dbuildtype=release >"$build.setup.log" 2>&1 || {
		tail -20 "$build.setup.log"; echo "bench/build.sh: meson setup failed" >&2; exit 1; }
fi
ninja -C "$build" "$@" >"$build.build.log" 2>&1 || {
	tail -30 "$build.build.log"; echo "bench/build.sh: build failed" >&2; exit 1; }
