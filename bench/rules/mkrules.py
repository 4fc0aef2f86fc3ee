#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark rule sets for bench/run.sh, in the rule language of patterns/README.md
(libconfig; the shipped patterns/*.conf are their model and their base).

    mkrules.py --out DIR [--seed S] [--blocklist N]

Writes into DIR (all for patterns/site.example.conf, deterministic for a given seed):
  rules-10.conf         the shipped FS.11 (7), DFS (2) and ISUP (1) rules: 10 rules
  rules-1000.conf       the whole shipped policy (16 rules) + 986 operator rules: calling-GT,
                        called-GT and IMSI prefix lists per foreign network combined with MAP
                        operation sets, point-code screens and SSN screens
  rules-1000-100k.conf  rules-1000 + a first rule dropping any calling GT in a 100,000-entry
                        blocklist read from gt-block-100k.txt (one E.164 GT per line): 1001 rules
  rules-shipped-100k.conf  the shipped policy (16 rules) behind the same blocklist rule: 17 rules
  gt-block-100k.txt
The operator rules use networks (country codes) outside the site's home and partners, as a
carrier's screening rules do; the realistic mix is judged by the shipped rules, but every rule
is compiled into the image and its conditions are evaluated.
"""
import argparse
import os
import random
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PAT = os.path.join(ROOT, "patterns")

OPS = ["sendRoutingInfo", "sendRoutingInfoForGprs", "sendIdentification", "sendIMSI",
       "anyTimeInterrogation", "provideSubscriberLocation", "sendRoutingInfoForLCS",
       "cancelLocation", "provideRoamingNumber", "insertSubscriberData", "deleteSubscriberData",
       "provideSubscriberInfo", "updateLocation", "updateGprsLocation", "sendAuthenticationInfo",
       "purgeMS", "restoreData", "sendRoutingInfoForSM", "mt-forwardSM", "mo-forwardSM",
       "processUnstructuredSS-Request", "unstructuredSS-Request", "registerSS", "eraseSS",
       "activateSS", "deactivateSS", "readyForSM", "reset", "checkIMEI"]
# Country codes away from the site's (27, 33, 49, 254, 44) for the operator rules' networks.
CCS = ["1", "7", "20", "30", "31", "32", "34", "36", "39", "40", "41", "43", "45", "46", "47",
       "48", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
       "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98", "212", "213",
       "216", "218", "220", "221", "223", "224", "225", "226", "227", "228", "229", "230"]
N_CGPA_LISTS = 180
N_CDPA_LISTS = 90
N_IMSI_LISTS = 90


def q(s):
    return '"%s"' % s


def strip_comments(text):
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))


def shipped(name):
    return strip_comments(open(os.path.join(PAT, name)).read()).strip()


def digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def operator_lists(rng):
    out = []
    for i in range(N_CGPA_LISTS):
        cc = rng.choice(CCS)
        ents = sorted({cc + digits(rng, rng.randint(3, 6)) for _ in range(rng.randint(2, 12))})
        out.append(("net%03d_gt" % i, "prefix", ents))
    for i in range(N_CDPA_LISTS):
        cc = rng.choice(CCS)
        ents = sorted({cc + digits(rng, rng.randint(4, 7)) for _ in range(rng.randint(1, 6))})
        out.append(("dst%03d_gt" % i, "prefix", ents))
    for i in range(N_IMSI_LISTS):
        mcc = str(rng.randint(300, 750))
        ents = sorted({mcc + "%02d" % rng.randint(0, 99) for _ in range(rng.randint(1, 4))})
        out.append(("plmn%03d" % i, "prefix", ents))
    for i in range(40):
        ops = rng.sample(OPS, rng.randint(2, 6))
        out.append(("ops%02d" % i, "opcode", ops))
    return out


def operator_rules(rng, n):
    rules = []
    for i in range(n):
        kind = i % 6
        act = "drop" if rng.random() < 0.8 else "alert"
        r = ["name = %s;" % q("op-%04d" % i)]
        if kind in (0, 1):
            r.append("cgpa = %s;" % q("@net%03d_gt" % rng.randrange(N_CGPA_LISTS)))
            r.append('component = "invoke";')
            r.append("opcode = %s;" % q("@ops%02d" % rng.randrange(40)))
        elif kind == 2:
            r.append("cdpa = %s;" % q("@dst%03d_gt" % rng.randrange(N_CDPA_LISTS)))
        elif kind == 3:
            r.append("imsi = %s;" % q("@plmn%03d" % rng.randrange(N_IMSI_LISTS)))
            r.append('component = "invoke";')
            r.append("opcode = %s;" % q(rng.choice(OPS)))
        elif kind == 4:
            # sigwall-gen gives remote signalling points 4000 + i: screen other ones
            pcs = sorted(rng.sample(range(12000, 16000), rng.randint(1, 6)))
            r.append("opc = [ %s ];" % ", ".join(str(p) for p in pcs))
        else:
            r.append("cgpa = %s;" % q("@net%03d_gt" % rng.randrange(N_CGPA_LISTS)))
            r.append("cgpa_ssn = [ %s ];" % ", ".join(str(s) for s in
                                                      sorted(rng.sample([6, 7, 8, 9, 10, 142,
                                                                         145, 146, 147], 2))))
        r.append("action = %s;" % q(act))
        rules.append("{ " + " ".join(r) + " }")
    return rules


def write(path, name, lists_text, rules_blocks):
    with open(path, "w") as f:
        f.write("# Benchmark rule set %s: generated by bench/rules/mkrules.py, do not edit.\n"
                % name)
        f.write('policy = {\n\tname = %s;\n\tdefault = "allow";\n\tmalformed = "drop";\n'
                "\tmonitor = false;\n};\n\n" % q(name))
        f.write("lists = {\n%s\n};\n\nrules = (\n" % lists_text)
        f.write(",\n".join(b for b in rules_blocks if b.strip()) + "\n);\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--blocklist", type=int, default=100000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)

    base_lists = shipped("lists.conf")
    base, fs11, dfs, isup = (shipped(n) for n in ("base.conf", "fs11.conf", "dfs.conf",
                                                    "isup.conf"))
    nshipped = sum(len(re.findall(r"\bname\s*=", t)) for t in (base, fs11, dfs, isup))

    write(os.path.join(a.out, "rules-10.conf"), "bench-10", base_lists, [fs11, dfs, isup])

    ol = operator_lists(rng)
    lists_text = base_lists + "\n" + "\n".join(
        "%s = { type = %s; entries = [ %s ]; };" % (n, q(t), ", ".join(q(e) for e in ents))
        for n, t, ents in ol)
    ops = operator_rules(rng, 1000 - nshipped)
    write(os.path.join(a.out, "rules-1000.conf"), "bench-1000", lists_text,
          [base, fs11, dfs, isup, ",\n".join(ops)])

    gts = set()
    while len(gts) < a.blocklist:
        cc = rng.choice(CCS)
        gts.add(cc + digits(rng, 12 - len(cc)))
    bl = "gt-block-%dk.txt" % (a.blocklist // 1000)
    with open(os.path.join(a.out, bl), "w") as f:
        f.write("\n".join(sorted(gts)) + "\n")
    block = '{ name = "gt-blocklist"; cgpa = "@gt_block"; action = "drop"; }'
    write(os.path.join(a.out, "rules-1000-100k.conf"), "bench-1000-100k",
          lists_text + '\ngt_block = { type = "prefix"; file = %s; };' % q(bl),
          [block, base, fs11, dfs, isup, ",\n".join(ops)])
    # The shipped policy (all 16 rules) behind the same blocklist: the rule set of the issue 5/6
    # figures (bench/dataplane/run.sh, tests/control/bench_reload.sh).
    write(os.path.join(a.out, "rules-shipped-100k.conf"), "bench-shipped-100k",
          base_lists + '\ngt_block = { type = "prefix"; file = %s; };' % q(bl),
          [block, base, fs11, dfs, isup])


if __name__ == "__main__":
    main()
