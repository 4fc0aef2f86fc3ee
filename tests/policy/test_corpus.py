#!/usr/bin/python3
"""Shipped policy against sigwall-gen's labelled corpora, and `sigwallctl check`.

usage: test_corpus.py SIGWALLCTL SIGWALL_GEN SRCDIR

1. `sigwallctl check patterns/default.conf patterns/site.example.conf` succeeds and prints the
   summary; a broken rule file gives exit 2, one `file:line: message` line and no summary.
2. The profiles of sigwall-gen (roaming with 5% attacks, attacks, stateful) are inspected with the
   shipped policy; every labelled MSU must get exactly its expected action: 100% of attacks,
   0 legitimate messages dropped. Per-label counts are printed.
3. The same with a site of 1,000 partners (issue 18 D1: 20 GT ranges and 3 PLMNs each, links,
   groups, exceptions; written by mksite.py, not committed): `check --strict` is quiet, the
   profiles give every labelled MSU its action (sigwall-gen draws its traffic from the first 64
   partners; the policy knows all 1,000), and crafted MSUs show the shipped partner rules
   (issue 18 D2): a partner's GT over a link it is not bound to is dropped by
   partner-wrong-link, its own exceptions (allow_opcodes) pass by partner-exception, and
   whatever is not on them falls to the FS.11 rules.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import labels_check  # noqa: E402
import mksite  # noqa: E402
from dptest import data_chunk, map_msu, pcap_write, sctp_frame  # noqa: E402

ATI, UL, SRI = 71, 2, 22  # TS 29.002 operation codes


def G(k, j=0):
    """A calling GT of partner k's range j (mksite.py)."""
    return mksite.gt_of(k, j) + "1234"


# (what, source address, operation, calling GT, expected action, expected rule); partner k of
# mksite.py: links_of(k), allows(k) (anyTimeInterrogation)
PARTNER_CASES = (
    ("P0065 (ipx-b) over ipx-b", "198.51.100.7", UL, G(65), "allow",
     "fs11-cat3-partner-home-subscriber"),
    ("P0065 (ipx-b) over ipx-a", "192.0.2.50", UL, G(65), "drop", "partner-wrong-link"),
    ("P0065 (ipx-b) from no link", "203.0.113.9", UL, G(65), "drop",
     "partner-wrong-link"),
    ("P0066 (ipx-a, ipx-b) over ipx-b", "198.51.100.8", UL, G(66, 19), "allow",
     "fs11-cat3-partner-home-subscriber"),
    ("P0066 (ipx-a, ipx-b) over ipx-a", "192.0.2.51", UL, G(66, 19), "allow",
     "fs11-cat3-partner-home-subscriber"),
    ("P0067 (no links) from no link", "203.0.113.9", UL, G(67), "allow",
     "fs11-cat3-partner-home-subscriber"),
    ("P0000 (ipx-a) over ipx-b", "198.51.100.9", UL, G(0, 5), "drop", "partner-wrong-link"),
    ("P0070 (allows ATI) ATI", "192.0.2.52", ATI, G(70), "allow", "partner-exception"),
    ("P0070 (allows ATI) SRI", "192.0.2.52", SRI, G(70), "drop", "fs11-cat1"),
    ("P0070 (allows ATI) ATI from no link", "203.0.113.9", ATI, G(70), "drop",
     "partner-wrong-link"),
    ("P0071 (no exceptions) ATI", "192.0.2.53", ATI, G(71), "drop", "fs11-cat1"),
    ("P0994 (allows ATI) ATI over ipx-b", "198.51.100.10", ATI, G(994, 19), "allow",
     "partner-exception"),
    ("P0999 (no exceptions) ATI", "192.0.2.54", ATI, G(999), "drop", "fs11-cat1"),
    ("no partner ATI", "192.0.2.55", ATI, "86130001234", "drop", "fs11-cat1"),
)


def partner_cases(ctl, tmp, rules, site):
    """The crafted MSUs of PARTNER_CASES through `inspect`; the number of wrong verdicts."""
    frames = []
    for i, (_, src, op, cgpa, _, _) in enumerate(PARTNER_CASES):
        msu = map_msu(op, cgpa, "27820000010", "655011234567890", 0x5000 + i, opc=4100,
                      dpc=1001)
        frames.append(sctp_frame(socket.inet_aton(src), socket.inet_aton("10.20.0.10"), 2905,
                                 2905, 0x5eed, [data_chunk(1000 + i, 1, i, msu)]))
    pcap = os.path.join(tmp, "partners.pcap")
    pcap_write(pcap, frames)
    r = run([ctl, "inspect", "--json", "--rules", rules, "--site", site, pcap])
    got = {}
    for line in r.stdout.splitlines():
        if line.startswith("{") and '"verdict"' in line:
            rec = json.loads(line)
            got[rec["frame"]] = rec["verdict"]
    bad = 0
    for i, (what, _, _, _, act, rule) in enumerate(PARTNER_CASES):
        v = got.get(i + 1, {})
        ok = v.get("action") == act and v.get("rule") == rule
        bad += not ok
        print("%-40s %-5s %-36s %s" % (what, v.get("action"), v.get("rule"),
                                      "ok" if ok else "WRONG, expected %s %s" % (act, rule)))
    if r.returncode != 0 or len(got) != len(PARTNER_CASES):
        print("FAIL: inspect of the partner cases:", r.returncode, r.stderr[-500:])
        bad += 1
    return bad


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ctl, gen, src = sys.argv[1:4]
    rules = os.path.join(src, "patterns/default.conf")
    site = os.path.join(src, "patterns/site.example.conf")
    fails = 0

    r = run([ctl, "check", rules, site])
    print(r.stdout, end="")
    if r.returncode != 0 or "rules: 31" not in r.stdout or "checksum:" not in r.stdout:
        print("FAIL: check of the shipped policy:", r.returncode, r.stderr)
        fails += 1

    r = run([ctl, "check", "--strict", rules, site])
    if r.returncode != 0 or "warning" in r.stderr:
        print("FAIL: check --strict of the shipped policy:", r.returncode, r.stderr)
        fails += 1

    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write('rules = (\n  { name = "x"; action = "drop";\n    opcode = "@missing"; }\n);\n')
        r = run([ctl, "check", bad, site])
        print("bad rule file ->", r.returncode, r.stderr.strip())
        if r.returncode != 2 or r.stderr.strip() != bad + ":3: unknown list 'missing'" or r.stdout:
            print("FAIL: bad rule file")
            fails += 1
        r = run([ctl, "check", rules])
        if r.returncode != 2:
            print("FAIL: usage error exit", r.returncode)
            fails += 1
        # issue 18 D5: a warning (a rule shadowed by a broader earlier one) leaves the exit
        # status 0 and prints `file:line: warning:` and the summary; --strict makes it exit 2
        shadow = os.path.join(tmp, "shadow.conf")
        with open(shadow, "w") as f:
            f.write('rules = (\n  { name = "wide"; opc = [ 5, 6 ]; action = "drop"; },\n'
                    '  { name = "narrow"; opc = [ 6, 5 ]; dpc = 1; action = "alert"; }\n);\n')
        want = shadow + ":3: warning: rule 'narrow' can never match: rule 'wide' (line 2)"
        r = run([ctl, "check", shadow, site])
        r2 = run([ctl, "check", "--strict", shadow, site])
        print("shadowed rule ->", r.returncode, r.stderr.strip(), "; --strict ->", r2.returncode)
        if r.returncode != 0 or want not in r.stderr or "rules: 2" not in r.stdout or \
                r2.returncode != 2 or want not in r2.stderr:
            print("FAIL: check / check --strict of a shadowed rule:", r.returncode, r.stderr,
                  r2.returncode, r2.stderr)
            fails += 1

        # issue 18 D1: a 1,000-partner site
        site1k = os.path.join(tmp, "site-1000.conf")
        mksite.write(1000, site1k)
        r = run([ctl, "check", "--strict", rules, site1k])
        print("1,000-partner site:", " ".join(x for x in r.stdout.splitlines()
                                              if x.startswith(("rules:", "image:", "compile:"))))
        if r.returncode != 0 or "warning" in r.stderr or "rules: 31" not in r.stdout:
            print("FAIL: check --strict with 1,000 partners:", r.returncode, r.stderr[-2000:])
            fails += 1
        print("--- partner rules with 1,000 partners (issue 18 D2)")
        fails += partner_cases(ctl, tmp, rules, site1k)

        # stateful (issue 15 D8): complete dialogues and labelled stateful attacks, judged with
        # the state rules and no allowance
        for profile, extra, seed, st in (("roaming", ["--attack-share", "0.05"], "3", site),
                                         ("attacks", [], "7", site), ("stateful", [], "5", site),
                                         # issue 17 D5: every rule works the same over M2PA
                                         ("attacks", ["--m2pa"], "8", site),
                                         # issue 17 D3: CAMEL dialogues, partners' and
                                         # non-partners'
                                         ("roaming", ["--cap", "0.1", "--attack-share", "0.05"],
                                          "9", site),
                                         # issue 18 D1: the same with 1,000 partners
                                         ("roaming", ["--attack-share", "0.05"], "13", site1k),
                                         ("attacks", [], "17", site1k),
                                         ("stateful", [], "15", site1k)):
            name = (profile + extra[0].replace("--", "-") if extra[:1] in (["--m2pa"], ["--cap"])
                    else profile)
            name += "-1k" if st == site1k else ""
            pcap = os.path.join(tmp, name + ".pcap")
            lab = os.path.join(tmp, name + ".jsonl")
            out = os.path.join(tmp, name + ".out")
            r = run([gen, "--profile", profile, "--site", st, "--msus", "20000", "--seed", seed,
                     "-o", pcap, "--labels", lab] + extra)
            if r.returncode != 0:
                print("FAIL: sigwall-gen", profile, r.stderr)
                fails += 1
                continue
            with open(out, "w") as f:
                r = subprocess.run([ctl, "inspect", "--json", "--all", "--rules", rules,
                                    "--site", st, pcap], stdout=f, stderr=subprocess.PIPE,
                                   text=True)
            if r.returncode != 0:
                print("FAIL: inspect", profile, r.stderr)
                fails += 1
                continue
            print(f"--- profile {profile}{' over M2PA' if '--m2pa' in extra else ''}"
                  f"{' with CAMEL' if '--cap' in extra else ''}"
                  f"{' with 1,000 partners' if st == site1k else ''} (seed {seed}, 20000 MSUs)")
            sys.argv = ["labels_check", lab, out]
            if labels_check.main() != 0:
                fails += 1
            if "--cap" in extra:
                with open(lab) as f:
                    text = f.read()
                for need in ("cap-roaming", "cap-non-partner"):
                    if text.count('"label":"%s"' % need) < 5:
                        print("FAIL: too few MSUs labelled", need)
                        fails += 1
    print("FAIL" if fails else "PASS", fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
