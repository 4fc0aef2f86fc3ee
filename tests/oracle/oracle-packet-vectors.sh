#!/usr/bin/env bash
# Oracle on the current packet vectors (tests/vectors/packet, one frame each): the fuzz corpus's
# vectors.pcap is a snapshot; this compares the vectors as they are now, including issue 15's
# dialogue references, results, errors and aborts.
set -euo pipefail
ctl=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$src/tests/oracle/vectors_pcap.py" "$src/tests/vectors/packet" "$tmp/packet-vectors.pcap"
exec /usr/bin/python3 "$src/tests/oracle/oracle.py" "$ctl" "$tmp/packet-vectors.pcap"
