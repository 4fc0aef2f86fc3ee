#!/usr/bin/env bash
# A sigwall-gen capture judged by the shipped policy (inspect --rules, capture time): every
# labelled MSU must get exactly its label's expected action. Used for --sccp-extra (issue 17:
# sccp-management allow, sccp-management-non-partner and sccp-connection-oriented drop) and for
# --profile stateful (issue 15: legitimate stories allowed, every stateful attack dropped).
# With LABELS_VARIANT=ansi (issue 17 D6) the site gets `variant = "ansi"` and the generator
# --ansi: ITU TCAP/MAP over ANSI SCCP must be judged exactly as over ITU; LABELS_JUDGE_VARIANT
# (self-check) judges with another site variant than the traffic's.
# usage: test_labels_policy.sh GEN SIGWALLCTL SRC LABEL_MIN_LIST SIGWALL-GEN-ARGS...
set -euo pipefail
gen=$1 ctl=$2 src=$3 need=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$src/patterns/site.example.conf
variant=${LABELS_VARIANT:-itu}
judge_variant=${LABELS_JUDGE_VARIANT:-$variant}
if [ "$variant" = ansi ]; then
	set -- "$@" --ansi
fi
"$gen" --site "$site" "$@" -o "$tmp/x.pcap" --labels "$tmp/x.jsonl"
if [ "$judge_variant" != itu ]; then
	sed "0,/^\tname = /s//\tvariant = \"$judge_variant\";\n\tname = /" "$site" >"$tmp/site.conf"
	grep -q "variant = \"$judge_variant\"" "$tmp/site.conf"
	site=$tmp/site.conf
fi
for l in ${need//,/ }; do
	n=$(grep -c "\"label\":\"$l\"" "$tmp/x.jsonl" || true)
	if [ "$n" -lt 5 ]; then
		echo "FAIL: only $n MSUs labelled $l"
		exit 1
	fi
done
"$ctl" inspect --json --rules "$src/patterns/default.conf" --site "$site" "$tmp/x.pcap" >"$tmp/x.out"
exec /usr/bin/python3 "$src/tests/policy/labels_check.py" "$tmp/x.jsonl" "$tmp/x.out"
