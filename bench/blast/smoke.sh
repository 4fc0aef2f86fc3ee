#!/bin/sh
# Smoke test of sigwall-blast (suite 'bench'): about 1 s at full speed and 1 s paced on net_null,
# one pass of the capture into net_pcap's tx_pcap (every frame written, byte for byte), and the
# bad-input contract (missing capture, missing port: one line, exit 2). Skips (77) when DPDK's
# EAL cannot start here.
set -u
blast=$1
root=$2
if [ ! -x /usr/bin/python3 ]; then
	echo "SKIP: /usr/bin/python3 missing (needed to write the capture)"
	exit 77
fi
tmp=$(mktemp -d)
# --no-huge leaves EAL runtime files under /var/run/dpdk/<prefix>: remove them with ours.
trap 'rm -rf "$tmp" /var/run/dpdk/blast$$' EXIT
/usr/bin/python3 "$root/bench/pipeline/mkctl64.py" "$tmp/mix.pcap" 300 || exit 1
eal="--no-huge -m 256 --no-pci -l 0 --log-level=lib.eal:error --file-prefix=blast$$"

"$blast" $eal --vdev net_null0 -- --pcap "$tmp/mix.pcap" --port 0 --max --duration 1 \
	>"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
if grep -q "EAL init failed" "$tmp/out"; then
	echo "SKIP: DPDK EAL cannot start on this machine"
	exit 77
fi
[ "$rc" -eq 0 ] || { echo "FAIL: --max on net_null exited $rc"; exit 1; }
sent=$(sed -n 's/^sent \([0-9]*\) packets.*/\1/p' "$tmp/out")
[ -n "$sent" ] && [ "$sent" -gt 0 ] || { echo "FAIL: sent nothing at --max"; exit 1; }

"$blast" $eal --vdev net_null0 -- --pcap "$tmp/mix.pcap" --port 0 --rate 50000 --duration 1 \
	>"$tmp/out" 2>&1 || { cat "$tmp/out"; echo "FAIL: --rate on net_null"; exit 1; }
cat "$tmp/out"
sent=$(sed -n 's/^sent \([0-9]*\) packets.*/\1/p' "$tmp/out")
# Pacing never overshoots (one burst of slack); a loaded machine may fall short.
[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" -le 50064 ] ||
	{ echo "FAIL: paced at 50000 pps for 1 s sent ${sent:-nothing}"; exit 1; }

"$blast" $eal --vdev "net_pcap0,tx_pcap=$tmp/tx.pcap" -- --pcap "$tmp/mix.pcap" --port 0 --max \
	--loops 1 >"$tmp/out" 2>&1 || { cat "$tmp/out"; echo "FAIL: net_pcap"; exit 1; }
cat "$tmp/out"
/usr/bin/python3 - "$tmp/mix.pcap" "$tmp/tx.pcap" <<'PY' || exit 1
import struct, sys
def frames(p):
    d = open(p, "rb").read()
    e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, out = 24, []
    while off + 16 <= len(d):
        _, _, cl, _ = struct.unpack(e + "IIII", d[off:off + 16])
        out.append(d[off + 16:off + 16 + cl])
        off += 16 + cl
    return out
a, b = frames(sys.argv[1]), frames(sys.argv[2])
if a != b:
    print("FAIL: tx_pcap holds %d frames, the capture %d (or bytes differ)" % (len(b), len(a)))
    sys.exit(1)
print("net_pcap: all %d frames written byte for byte" % len(b))
PY

rc=0
"$blast" $eal --vdev net_null0 -- --pcap "$tmp/absent.pcap" --port 0 --max 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q absent.pcap "$tmp/err" ||
	{ cat "$tmp/err"; echo "FAIL: missing capture exited $rc, expected 2 and one line"; exit 1; }
rc=0
"$blast" $eal --vdev net_null0 -- --pcap "$tmp/mix.pcap" --port 7 --max 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "no DPDK port 7" "$tmp/err" ||
	{ cat "$tmp/err"; echo "FAIL: missing port exited $rc, expected 2"; exit 1; }
echo "ok"
