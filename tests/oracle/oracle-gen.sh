#!/usr/bin/env bash
# Oracle on our own generated captures: sigwall-gen writes all three profiles (IPv4 and IPv6, VLAN
# tags, bundling; LUDT with --ludt), then oracle.py compares inspect --json with tshark frame by frame.
set -euo pipefail
build=$1 src=$2
gen=$build/bench/gen/sigwall-gen ctl=$build/control/sigwallctl
if [ ! -x "$gen" ]; then
	echo "SKIP: sigwall-gen is not built"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$src/patterns/site.example.conf
"$gen" --profile roaming --site "$site" --msus 3000 --seed 11 --attack-share 0.2 -o "$tmp/roaming.pcap"
"$gen" --profile attacks --site "$site" --msus 1500 --seed 12 -o "$tmp/attacks.pcap"
"$gen" --profile attacks --site "$site" --msus 1000 --seed 14 --ludt -o "$tmp/attacks-ludt.pcap"
# issue 15: the stateful profile (dialogues with their results, MAP-OPEN references); issue 17:
# SCCP management and connection-oriented SCCP among roaming traffic
"$gen" --profile stateful --site "$site" --msus 2000 --seed 15 -o "$tmp/stateful.pcap"
"$gen" --profile roaming --site "$site" --msus 1500 --seed 16 --sccp-extra 0.05 -o "$tmp/sccp-extra.pcap"
"$gen" --profile roaming --site "$site" --msus 1500 --seed 13 --ipv6 --vlan 300 --bundle-max 7 \
	-o "$tmp/roaming-v6-vlan-bundled.pcap"
# issue 17 D5: the same traffic over M2PA (RFC 4165, PPID 5): link alignment, User Data with
# BSN/FSN and the bare MTP3 label, SCCP management and connection-oriented SCCP among it
"$gen" --profile attacks --site "$site" --msus 1500 --seed 17 --m2pa --sccp-extra 0.05 \
	-o "$tmp/attacks-m2pa.pcap"
# issue 17 D3: CAMEL call dialogues (CAP v2: initialDP, requestReportBCSMEvent with connect or
# continue, eventReportBCSM, releaseCall) among roaming traffic, bundled at peak
"$gen" --profile roaming --site "$site" --msus 1500 --seed 18 --cap 0.1 --attack-share 0.05 \
	-o "$tmp/roaming-cap.pcap"
exec /usr/bin/python3 "$src/tests/oracle/oracle.py" "$ctl" "$tmp"
