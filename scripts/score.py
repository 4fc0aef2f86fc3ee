#!/usr/bin/python3
"""score.py LABELS VERDICTS: compares sigwall-gen labels with `inspect --json --rules` verdicts.

Prints, per scenario, how many MSUs got the expected action, and every mismatch class; exits 1
when any MSU got an action other than its label's expectation.
"""
import collections
import json
import sys


def main(labels_path, verdicts_path):
    labels = {}
    for line in open(labels_path):
        r = json.loads(line)
        labels[(r["frame"], r["chunk"])] = r
    per = collections.defaultdict(lambda: [0, 0])
    wrong = collections.Counter()
    seen = 0
    for line in open(verdicts_path):
        r = json.loads(line)
        if "verdict" not in r:
            continue
        lab = labels.get((r["frame"], r.get("chunk", 0)))
        if lab is None:
            continue
        seen += 1
        ok = r["verdict"]["action"] == lab["expect"]
        per[lab["label"]][0 if ok else 1] += 1
        if not ok:
            wrong[(lab["label"], lab["expect"], r["verdict"]["action"], r["verdict"]["rule"])] += 1
    print("%-40s %8s %8s" % ("scenario", "correct", "wrong"))
    for k in sorted(per):
        print("%-40s %8d %8d" % (k, per[k][0], per[k][1]))
    for (lab, exp, got, rule), n in wrong.most_common(20):
        print("  mismatch: %s expected %s, got %s by rule %s: %d" % (lab, exp, got, rule, n))
    missing = len(labels) - seen
    if missing:
        print("  %d labelled MSUs had no verdict record" % missing)
    total_wrong = sum(v[1] for v in per.values())
    print("%d MSUs judged, %d as labelled, %d not" % (seen, seen - total_wrong, total_wrong))
    return 1 if total_wrong or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
