#!/usr/bin/env bash
# run_fuzzer.sh BIN CORPUS SECONDS: replay the committed corpus, then fuzz for SECONDS on a
# scratch copy of it (new inputs stay out of the repository; crashes fail the test and leave
# their reproducer in the build directory, named crash-*).
set -euo pipefail
bin=$1 corpus=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work"/ 2>/dev/null || true
# libFuzzer exits 77 on a finding by default, which meson would count as a skip: make every
# finding (crash, leak, timeout, OOM) a failure.
codes=(-error_exitcode=1 -timeout_exitcode=1)
"$bin" "${codes[@]}" -runs=0 "$corpus"
"$bin" "${codes[@]}" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$(pwd)/" -print_final_stats=1 "$work" 2>&1 | tail -n 15
