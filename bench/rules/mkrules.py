#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark rule sets for bench/run.sh, in the rule language of patterns/README.md.

    mkrules.py --out DIR [--seed S] [--blocklist N]

Writes into DIR:
  rules-10.conf         10 rules: FS.11-style opcode/category rules of the shipped policy's shape
  rules-1000.conf       the same 10 + 990 operator rules: per-network GT prefix lists (inline),
                        IMSI prefix lists, point-code sets and opcode sets, each with an action
  rules-1000-100k.conf  rules-1000 + one rule dropping any calling GT in a 100,000-entry
                        blocklist read from gt-block-100k.txt (one E.164 GT per line)
  gt-block-100k.txt
All against patterns/site.example.conf. Deterministic for a given seed. The filler rules use
prefixes outside the site's home and partner ranges, so the realistic mix is judged by the
shipped-style rules, as it would be in a carrier's policy; every rule is still evaluated.
"""
import argparse
import os
import random

CAT1 = ["sendRoutingInfo", "sendRoutingInfoForGprs", "sendIdentification", "sendIMSI",
        "anyTimeInterrogation", "provideSubscriberLocation", "sendRoutingInfoForLCS"]
CAT2 = ["cancelLocation", "provideRoamingNumber", "insertSubscriberData",
        "deleteSubscriberData", "provideSubscriberInfo"]
CAT3 = ["updateLocation", "updateGprsLocation", "sendAuthenticationInfo", "purgeMS",
        "restoreData"]
OTHER = ["sendRoutingInfoForSM", "mt-forwardSM", "mo-forwardSM", "processUnstructuredSS-Request",
         "unstructuredSS-Request", "registerSS", "eraseSS", "activateSS", "deactivateSS",
         "readyForSM", "reset", "checkIMEI", "noteSubscriberDataModified"]
# Country codes far from the site's (27, 33, 49, 254, 44): the filler rules' networks.
CCS = ["1", "7", "20", "30", "31", "32", "34", "36", "39", "40", "41", "43", "45", "46", "47",
       "48", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
       "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98", "212", "213",
       "216", "218", "220", "221", "223", "224", "225", "226", "227", "228", "229", "230"]


def q(s):
    return '"%s"' % s


def slist(items):
    return "[ " + ", ".join(q(x) for x in items) + " ]"


def ilist(items):
    return "[ " + ", ".join(str(x) for x in items) + " ]"


def base_rules():
    """The shipped policy's shape (issue 4 item 5), 10 rules."""
    return [
        ("fs11-cat1", {"opcode": slist(CAT1), "cgpa": q("!home")}, "drop"),
        ("fs11-cat2", {"opcode": slist(CAT2), "cgpa": q("!home"),
                       "relation": q("!imsi-network-is-cgpa-network")}, "drop"),
        ("fs11-cat3", {"opcode": slist(CAT3), "cgpa": q("!partner")}, "drop"),
        ("sms-sri-sm", {"opcode": slist(["sendRoutingInfoForSM"]), "cgpa": q("!partner")},
         "drop"),
        ("sms-mt-unknown", {"opcode": slist(["mt-forwardSM"]), "cdpa": q("!home"),
                            "cdpa_partner": q("no")}, "drop"),
        ("ussd-outside", {"opcode": slist(["processUnstructuredSS-Request",
                                           "unstructuredSS-Request"]),
                          "cgpa": q("!home")}, "drop"),
        ("ss-outside", {"opcode": slist(["registerSS", "eraseSS", "activateSS",
                                         "deactivateSS"]), "cgpa": q("!partner")}, "drop"),
        ("global-opcode", {"global_opcode": "true", "cgpa": q("!home")}, "drop"),
        ("isup-spoof", {"isup": q("IAM"), "opc": q("!home"), "cgpn": q("home-msisdn")},
         "alert"),
        ("reset-outside", {"opcode": slist(["reset"]), "cgpa": q("!partner")}, "drop"),
    ]


def filler_rules(rng, n):
    rules = []
    for i in range(n):
        cc = rng.choice(CCS)
        kind = i % 4
        name = "op-%04d" % i
        if kind == 0:
            pre = [cc + "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 6)))
                   for _ in range(rng.randint(2, 8))]
            ops = rng.sample(CAT1 + CAT2 + CAT3 + OTHER, rng.randint(1, 4))
            rules.append((name, {"cgpa_prefix": slist(pre), "opcode": slist(ops)}, "drop"))
        elif kind == 1:
            mcc = str(rng.randint(300, 750))
            pre = [mcc + "%02d" % rng.randint(0, 99) for _ in range(rng.randint(1, 4))]
            rules.append((name, {"imsi_prefix": slist(pre),
                                 "opcode": slist(rng.sample(CAT2 + CAT3, 2))}, "drop"))
        elif kind == 2:
            pcs = sorted(rng.sample(range(4000, 16000), rng.randint(1, 6)))
            rules.append((name, {"opc": ilist(pcs)}, rng.choice(["drop", "alert"])))
        else:
            pre = [cc + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 7)))
                   for _ in range(rng.randint(1, 5))]
            rules.append((name, {"cdpa_prefix": slist(pre)}, rng.choice(["drop", "alert"])))
    return rules


def write(path, name, rules, lists=None):
    with open(path, "w") as f:
        f.write("# Benchmark rule set %s (bench/rules/mkrules.py; do not edit)\n" % name)
        f.write("policy = {\n\tname = %s;\n\tdefault = \"allow\";\n\tmalformed = \"drop\";\n"
                % q(name))
        if lists:
            f.write("\tlists = {\n")
            for ln, (typ, fn) in lists.items():
                f.write("\t\t%s = { type = %s; file = %s; };\n" % (ln, q(typ), q(fn)))
            f.write("\t};\n")
        f.write("\trules = (\n")
        out = []
        for rn, match, act in rules:
            conds = " ".join("%s = %s;" % (k, v) for k, v in match.items())
            out.append("\t\t{ name = %s; match = { %s }; action = %s; }" % (q(rn), conds, q(act)))
        f.write(",\n".join(out) + "\n\t);\n};\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--blocklist", type=int, default=100000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    base = base_rules()
    fill = filler_rules(rng, 990)
    write(os.path.join(a.out, "rules-10.conf"), "bench-10", base)
    write(os.path.join(a.out, "rules-1000.conf"), "bench-1000", base + fill)
    gts = set()
    while len(gts) < a.blocklist:
        cc = rng.choice(CCS)
        gts.add(cc + "".join(rng.choice("0123456789") for _ in range(11 - len(cc) + 1)))
    bl = "gt-block-%dk.txt" % (a.blocklist // 1000)
    with open(os.path.join(a.out, bl), "w") as f:
        f.write("\n".join(sorted(gts)) + "\n")
    block = [("gt-blocklist", {"cgpa": q("@gt_block")}, "drop")]
    write(os.path.join(a.out, "rules-1000-100k.conf"), "bench-1000-100k", block + base + fill,
          {"gt_block": ("gt", bl)})


if __name__ == "__main__":
    main()
