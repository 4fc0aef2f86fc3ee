#!/usr/bin/env bash
# Oracle on ANSI networks (issue 17 D6): sigwall-gen --ansi writes roaming traffic with T1.112.3
# SCCP addresses, SCCP management with 3-octet point codes and LUDTs; with the ANSI packet vectors
# (M3UA and M2PA with 24-bit point codes) oracle.py compares inspect --json --variant ansi with
# tshark -o mtp3.standard:ANSI frame by frame. A second argument "selfcheck" decodes our side as
# ITU against tshark's ANSI reading: that must fail (the comparison sees the variant).
set -euo pipefail
build=$1 src=$2 mode=${3:-}
gen=$build/bench/gen/sigwall-gen ctl=$build/control/sigwallctl
if [ ! -x "$gen" ]; then
	echo "SKIP: sigwall-gen is not built"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$src/patterns/site.example.conf
"$gen" --profile roaming --site "$site" --msus 2000 --seed 31 --attack-share 0.2 --sccp-extra 0.05 \
	--ansi -o "$tmp/roaming-ansi.pcap"
"$gen" --profile attacks --site "$site" --msus 1000 --seed 32 --ludt --ansi -o "$tmp/attacks-ludt-ansi.pcap"
"$gen" --profile stateful --site "$site" --msus 1000 --seed 33 --ansi -o "$tmp/stateful-ansi.pcap"
/usr/bin/python3 - "$src" "$tmp/vectors-ansi.pcap" <<'PY'
import glob, os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "lib"))
from sigtran import write_pcap
frames = []
for p in sorted(glob.glob(os.path.join(sys.argv[1], "tests", "vectors", "ansi", "*.vec"))):
    lines = open(p).read().splitlines()
    if "layer: packet" not in lines:
        continue
    h, on = "", False
    for l in lines:
        if l.startswith("hex:"):
            on, h = True, l[4:]
        elif on and not l.startswith(("expect", "#", "layer", "variant", "truncation")):
            h += l
        else:
            on = False
    frames.append(bytes.fromhex(h))
write_pcap(sys.argv[2], frames)
PY
if [ "$mode" = selfcheck ]; then
	export ORACLE_INSPECT_VARIANT=itu
fi
ORACLE_VARIANT=ansi exec /usr/bin/python3 "$src/tests/oracle/oracle.py" "$ctl" "$tmp"
