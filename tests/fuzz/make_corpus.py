#!/usr/bin/python3
"""Seeds the fuzz corpora from the named byte vectors (our own bytes, never ../shared captures).

packet/: selector byte 0 (Ethernet) + each packet vector (gen-*: one frame per attack scenario of
sigwall-gen --profile attacks --seed 99, added by hand); layers/: selector byte (0 m3ua, 1 sccp,
2 tcap, 3 isup) + each layer vector; m2pa/: each M2PA vector; cap/: selector byte (fuzz_cap.c) + each CAP
tcap/sccp vector; pcap/: small pcap files holding the packet vectors.
Regression inputs found by fuzzing are added by hand next to these, named by what they broke.
"""
import glob
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "lib"))
from sigtran import write_pcap  # noqa: E402


def vec_bytes(path):
    text = open(path).read()
    m = re.search(r"^hex:(.*?)(?=^expect:|^truncation:|\Z)", text, re.S | re.M)
    return bytes.fromhex("".join(m.group(1).split()))


def main():
    vecs = os.path.join(here, "..", "vectors")
    out = os.path.join(here, "corpus")
    frames = []
    for layer, sel in (("packet", 0), ("m3ua", 0), ("sccp", 1), ("tcap", 2), ("isup", 3)):
        for p in sorted(glob.glob(os.path.join(vecs, layer, "*.vec"))):
            b = vec_bytes(p)
            name = os.path.basename(p)[:-4]
            d = os.path.join(out, "packet" if layer == "packet" else "layers")
            os.makedirs(d, exist_ok=True)
            open(os.path.join(d, "%s-%s" % (layer, name)), "wb").write(bytes([sel]) + b)
            if layer == "packet":
                frames.append(b)
    # m2pa/: each M2PA layer vector as it is (fuzz_m2pa.c decodes one message, no selector)
    for p in sorted(glob.glob(os.path.join(vecs, "m2pa", "*.vec"))):
        d = os.path.join(out, "m2pa")
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "m2pa-" + os.path.basename(p)[:-4]), "wb").write(vec_bytes(p))
    # cap/: selector byte (0 TCAP to SSN 146, 1 TCAP alone, 2 SCCP; fuzz_cap.c) + each CAP vector
    d = os.path.join(out, "cap")
    os.makedirs(d, exist_ok=True)
    for layer, sels in (("tcap", (0, 1)), ("sccp", (2,))):
        for p in sorted(glob.glob(os.path.join(vecs, layer, "*.vec"))):
            name = os.path.basename(p)[:-4]
            if not name.startswith("cap-") and name != "map-ssn147-not-cap":
                continue
            for sel in sels:
                open(os.path.join(d, "%s-%d-%s" % (layer, sel, name)), "wb").write(
                    bytes([sel]) + vec_bytes(p))
    d = os.path.join(out, "pcap")
    os.makedirs(d, exist_ok=True)
    write_pcap(os.path.join(d, "vectors.pcap"), frames)
    write_pcap(os.path.join(d, "one-frame.pcap"), frames[:1])


if __name__ == "__main__":
    main()
