#!/usr/bin/env bash
# A sigwall-gen capture judged by the shipped policy (inspect --rules, capture time): every
# labelled MSU must get exactly its label's expected action. Used for --sccp-extra (issue 17:
# sccp-management allow, sccp-management-non-partner and sccp-connection-oriented drop) and for
# --profile stateful (issue 15: legitimate stories allowed, every stateful attack dropped).
# usage: test_labels_policy.sh GEN SIGWALLCTL SRC LABEL_MIN_LIST SIGWALL-GEN-ARGS...
set -euo pipefail
gen=$1 ctl=$2 src=$3 need=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$src/patterns/site.example.conf
"$gen" --site "$site" "$@" -o "$tmp/x.pcap" --labels "$tmp/x.jsonl"
for l in ${need//,/ }; do
	n=$(grep -c "\"label\":\"$l\"" "$tmp/x.jsonl" || true)
	if [ "$n" -lt 5 ]; then
		echo "FAIL: only $n MSUs labelled $l"
		exit 1
	fi
done
"$ctl" inspect --json --rules "$src/patterns/default.conf" --site "$site" "$tmp/x.pcap" >"$tmp/x.out"
exec /usr/bin/python3 "$src/tests/policy/labels_check.py" "$tmp/x.jsonl" "$tmp/x.out"
