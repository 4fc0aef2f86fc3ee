#!/bin/sh
# Smoke test of decode-bench (suite 'bench'): a 300-MSU mix from mkmix.py, a few passes; fails
# unless the benchmark runs and every MSU of the mix decodes (M3UA header present).
set -eu
bench=$1
mkmix=$2
if [ ! -x /usr/bin/python3 ]; then
	echo "SKIP: /usr/bin/python3 missing (needed to write the mix)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$mkmix" --msus 300 --seed 7 -o "$tmp/mix.pcap"
"$bench" --iterations 3 --runs 1 --min-msus 300 "$tmp/mix.pcap"
# A missing capture is a one-line error and exit 2.
rc=0
"$bench" --iterations 1 --runs 1 "$tmp/absent.pcap" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: missing capture exited $rc, expected 2"; exit 1; }
grep -q "absent.pcap" "$tmp/err" || { echo "FAIL: error does not name the file"; exit 1; }
echo "ok"
