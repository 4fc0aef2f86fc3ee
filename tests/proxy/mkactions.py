#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic of proxy_e2e.sh's `actions` mode (issue 21 Tests: "an attack answered with a UDTS
that the caller receives", "a redirect that only the honeypot sees"), as m3ua_peer --mix /
--expect files (one 'VERDICT HEX' line per M3UA DATA message; tests/e2e/m3ua_peer.c).

The partner (OPC 1) sends COUNT SCCP UDTs (Q.713 4.10) to home's GT and DPC 2, one TCAP Begin
each with its own OTID (the message's index: the data that identifies it in a UDTS), the calling
GT saying what the policy (proxy_e2e.sh) does with it, in a cycle of ten:
  allow             calling 4917200..., return asked   -> home
  reject            calling 666...,     return asked   -> UDTS cause 0x03 subsystem failure
  no route          DPC 7 (no route),   return asked   -> UDTS cause 0x01 no translation for
                                                          this specific address (Q.714 4.2)
  redirect          calling 888...                     -> the honeypot only
  reject (cause)    calling 665...,     return asked   -> UDTS cause 0x04 unequipped user
  reject, no return calling 666...,     class 0        -> nothing (a counted drop)
  no route, no ret. DPC 7,              class 0        -> nothing (a counted drop)
Home (OPC 2) sends HOME_COUNT allowed UDTs to the partner (DPC 1).

usage: mkactions.py DIR COUNT HOME_COUNT
Writes DIR/partner.mix (udtsCC lines: the UDTS the partner must get back), DIR/home.expect
(allowed: 'allow', everything else 'drop': must not arrive), DIR/honeypot.expect (redirected
'allow', everything else 'drop'), DIR/home.mix, DIR/partner.expect, DIR/honeypot.mix (empty),
and prints the counts as shell assignments (ALLOW= UDTS= REDIRECT= and the proxy's outcome
counters REJECTED= NO_ROUTE_UDTS= ANSWER_FAILED= NO_ROUTE=).
"""
import os
import sys

CYCLE = ["allow", "reject", "allow", "noroute", "redirect", "allow", "reject-cause",
         "reject-noret", "redirect", "noroute-noret"]
CAUSE = {"reject": 0x03, "noroute": 0x01, "reject-cause": 0x04}
CALLING = {"allow": "4917200", "reject": "666", "noroute": "4917201", "redirect": "888",
           "reject-cause": "665", "reject-noret": "666", "noroute-noret": "4917202"}
HOME_GT, PARTNER_GT = "27820000001", "491720000001"
DPC_HOME, DPC_PARTNER, DPC_NONE = 2, 1, 7


def gt_address(digits, ssn):
    """Q.713 3.4: routing on GT, SSN present, GT indicator 4 (TT 0, E.164, international)."""
    bcd = bytearray()
    d = digits + ("0" if len(digits) % 2 else "")
    for i in range(0, len(d), 2):
        bcd.append(int(d[i]) | int(d[i + 1]) << 4)
    es = 1 if len(digits) % 2 else 2  # encoding scheme: BCD odd / even (Q.713 3.4.2.3.3)
    return bytes([0x12, ssn, 0x00, 0x10 | es, 0x04]) + bytes(bcd)


def udt(cdpa, cgpa, data, ret):
    """Q.713 4.10 UDT: type, protocol class (0, return on error: 0x80, Q.713 3.6), pointers."""
    out = bytearray([0x09, 0x80 if ret else 0x00, 3, 3 + len(cdpa), 3 + len(cdpa) + len(cgpa)])
    for p in (cdpa, cgpa, data):
        out += bytes([len(p)]) + p
    return bytes(out)


def m3ua_data(opc, dpc, sls, ud):
    """RFC 4666 3.3.1 DATA: header, Protocol Data (OPC, DPC, SI 3 SCCP, NI 2, MP 0, SLS)."""
    pd = opc.to_bytes(4, "big") + dpc.to_bytes(4, "big") + bytes([3, 2, 0, sls]) + ud
    plen = 4 + len(pd)
    body = bytes([0x02, 0x10]) + plen.to_bytes(2, "big") + pd + bytes(-plen % 4)
    return bytes([1, 0, 1, 1]) + (8 + len(body)).to_bytes(4, "big") + body


def begin(otid):
    """Q.773 TCAP Begin with an OTID only."""
    return bytes([0x62, 6, 0x48, 4]) + otid.to_bytes(4, "big")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mkactions.py DIR COUNT HOME_COUNT")
    out, count, home_count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    part, home_exp, hp_exp = [], [], []
    counts = dict.fromkeys(("ALLOW", "UDTS", "REDIRECT", "REJECTED", "NO_ROUTE_UDTS",
                            "ANSWER_FAILED", "NO_ROUTE"), 0)
    outcome = {"allow": "ALLOW", "redirect": "REDIRECT", "reject": "REJECTED",
               "reject-cause": "REJECTED", "noroute": "NO_ROUTE_UDTS",
               "reject-noret": "ANSWER_FAILED", "noroute-noret": "NO_ROUTE"}
    for i in range(count):
        kind = CYCLE[i % len(CYCLE)]
        calling = CALLING[kind] + "%05d" % i
        dpc = DPC_NONE if kind.startswith("noroute") else DPC_HOME
        ret = not kind.endswith("noret")
        msg = m3ua_data(DPC_PARTNER, dpc, i % 16, udt(gt_address(HOME_GT, 6),
                                                      gt_address(calling, 8),
                                                      begin(0x50000000 + i), ret)).hex()
        counts[outcome[kind]] += 1
        if kind in CAUSE:
            part.append("udts%02x %s" % (CAUSE[kind], msg))
            counts["UDTS"] += 1
        else:
            part.append("%s %s" % ("allow" if kind == "allow" else "drop", msg))
        home_exp.append("%s %s" % ("allow" if kind == "allow" else "drop", msg))
        hp_exp.append("%s %s" % ("allow" if kind == "redirect" else "drop", msg))
    home = ["allow " + m3ua_data(DPC_HOME, DPC_PARTNER, i % 16,
                                 udt(gt_address(PARTNER_GT, 8), gt_address(HOME_GT, 6),
                                     begin(0x60000000 + i), True)).hex()
            for i in range(home_count)]
    files = {"partner.mix": part, "home.expect": home_exp, "honeypot.expect": hp_exp,
             "home.mix": home, "partner.expect": home, "honeypot.mix": []}
    for name, lines in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write("".join(line + "\n" for line in lines))
    print(" ".join("%s=%d" % kv for kv in counts.items()))


if __name__ == "__main__":
    main()
