#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Worst-case mix for bench/run.sh: minimum-size SCTP control packets (64 bytes on the wire with
the FCS: 60-62 bytes captured), no user data, built with the repo's independent SIGTRAN encoder
(tests/lib/sigtran.py) because sigwall-gen makes user traffic only.

    mkctl64.py OUT.pcap [N]

Per association (N frames in total, 64 associations): SACK without gaps (RFC 4960 3.3.4,
16-byte chunk: 62-byte frame), HEARTBEAT with a 4-byte info (3.3.5: 12-byte chunk: 58 bytes,
padded to the 60-byte Ethernet minimum), SHUTDOWN (3.3.8, 8 bytes: padded to 60).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "lib"))
import sigtran as s  # noqa: E402


def frames(n):
    out = []
    i = 0
    while len(out) < n:
        a = i % 64
        src, dst = "10.0.%d.1" % a, "10.1.%d.1" % a
        vtag = 0x10000 + a
        tsn = 1000 + i
        kind = i % 3
        if kind == 0:
            chunk = s.sctp_chunk(3, 0, struct.pack(">IIHH", tsn, 65536, 0, 0))  # SACK
        elif kind == 1:
            chunk = s.sctp_chunk(4, 0, struct.pack(">HH", 1, 8) + struct.pack(">I", i))  # HB
        else:
            chunk = s.sctp_chunk(7, 0, struct.pack(">I", tsn))  # SHUTDOWN
        fr = s.ether(s.ipv4(src, dst, s.sctp(2905, 2905, vtag, [chunk])))
        if len(fr) < 60:
            fr += b"\x00" * (60 - len(fr))  # Ethernet padding (IEEE 802.3 minimum frame)
        out.append(fr)
        i += 1
    return out


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: mkctl64.py OUT.pcap [N]\n")
        sys.exit(2)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    s.write_pcap(sys.argv[1], frames(n))


if __name__ == "__main__":
    main()
