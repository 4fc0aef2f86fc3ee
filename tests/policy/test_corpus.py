#!/usr/bin/python3
"""Shipped policy against sigwall-gen's labelled corpora, and `sigwallctl check`.

usage: test_corpus.py SIGWALLCTL SIGWALL_GEN SRCDIR

1. `sigwallctl check patterns/default.conf patterns/site.example.conf` succeeds and prints the
   summary; a broken rule file gives exit 2, one `file:line: message` line and no summary.
2. The profiles of sigwall-gen (roaming with 5% attacks, attacks, stateful) are inspected with the
   shipped policy; every labelled MSU must get exactly its expected action: 100% of attacks,
   0 legitimate messages dropped. Per-label counts are printed.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import labels_check  # noqa: E402


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ctl, gen, src = sys.argv[1:4]
    rules = os.path.join(src, "patterns/default.conf")
    site = os.path.join(src, "patterns/site.example.conf")
    fails = 0

    r = run([ctl, "check", rules, site])
    print(r.stdout, end="")
    if r.returncode != 0 or "rules: 29" not in r.stdout or "checksum:" not in r.stdout:
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

        # stateful (issue 15 D8): complete dialogues and labelled stateful attacks, judged with
        # the state rules and no allowance
        for profile, extra, seed in (("roaming", ["--attack-share", "0.05"], "3"),
                                     ("attacks", [], "7"), ("stateful", [], "5"),
                                     # issue 17 D5: every rule works the same over M2PA
                                     ("attacks", ["--m2pa"], "8"),
                                     # issue 17 D3: CAMEL dialogues, partners' and non-partners'
                                     ("roaming", ["--cap", "0.1", "--attack-share", "0.05"], "9")):
            name = (profile + extra[0].replace("--", "-") if extra[:1] in (["--m2pa"], ["--cap"])
                    else profile)
            pcap = os.path.join(tmp, name + ".pcap")
            lab = os.path.join(tmp, name + ".jsonl")
            out = os.path.join(tmp, name + ".out")
            r = run([gen, "--profile", profile, "--site", site, "--msus", "20000", "--seed", seed,
                     "-o", pcap, "--labels", lab] + extra)
            if r.returncode != 0:
                print("FAIL: sigwall-gen", profile, r.stderr)
                fails += 1
                continue
            with open(out, "w") as f:
                r = subprocess.run([ctl, "inspect", "--json", "--all", "--rules", rules,
                                    "--site", site, pcap], stdout=f, stderr=subprocess.PIPE,
                                   text=True)
            if r.returncode != 0:
                print("FAIL: inspect", profile, r.stderr)
                fails += 1
                continue
            print(f"--- profile {profile}{' over M2PA' if '--m2pa' in extra else ''}"
                  f"{' with CAMEL' if '--cap' in extra else ''} (seed {seed}, 20000 MSUs)")
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
