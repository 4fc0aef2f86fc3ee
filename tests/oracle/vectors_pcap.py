#!/usr/bin/python3
"""Writes every packet vector (tests/vectors/packet/*.vec) as one frame of a pcap, in name order,
so that the oracle compares the current vectors with tshark (the fuzz corpus's vectors.pcap is a
snapshot). usage: vectors_pcap.py VECTORS_PACKET_DIR OUT.pcap"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sigtran import write_pcap  # noqa: E402


def main():
    frames = []
    for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.vec"))):
        m = re.search(r"^hex:(.*?)(?=^expect:|^truncation:|\Z)", open(p).read(), re.S | re.M)
        frames.append(bytes.fromhex("".join(m.group(1).split())))
    if not frames:
        print("no packet vectors in %s" % sys.argv[1])
        return 1
    write_pcap(sys.argv[2], frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
