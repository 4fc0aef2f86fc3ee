#!/usr/bin/python3
"""Compare `sigwallctl inspect --json` verdicts with sigwall-gen labels.

usage: labels_check.py LABELS.jsonl INSPECT.jsonl
Prints a per-label table; exit 1 if any labelled MSU got another action than expected
(100% of attacks caught, 0 legitimate messages dropped), 0 otherwise.

"""
import collections
import json
import sys


def main():
    labels = {}
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line)
            labels[(r["frame"], r["chunk"])] = r
    got = {}
    with open(sys.argv[2]) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if "verdict" not in r:
                continue
            # packet-level records (IP fragment, ...) carry no chunk: they stand for chunk 0
            got[(r["frame"], r.get("chunk", 0))] = r["verdict"]
    per = collections.defaultdict(lambda: [0, 0])
    bad = []
    for k, lab in sorted(labels.items()):
        v = got.get(k)
        act = v["action"] if v else "missing"
        ok = act == lab["expect"]
        per[lab["label"]][0 if ok else 1] += 1
        if not ok:
            bad.append((k, lab["label"], lab["expect"], act, v["rule"] if v else None))
    for lab, (ok, ko) in sorted(per.items()):
        print(f"{lab:45s} ok {ok:6d} wrong {ko:5d}")
    for b in bad[:20]:
        print("WRONG frame %d chunk %d label %s expect %s got %s (rule %s)" % (b[0][0], b[0][1], *b[1:]))
    missing = sum(1 for b in bad if b[3] == "missing")
    if missing:
        print(f"{missing} labelled MSUs got no verdict record from inspect (packet-level "
              "malformation, e.g. an IP fragment: inspect must evaluate them too, with an MSU "
              "carrying pkt.mal, which the policy sends to its malformed action)")
    print(f"labelled {len(labels)} wrong {len(bad) - missing} no-verdict {missing}")
    return 1 if bad or not labels else 0


if __name__ == "__main__":
    sys.exit(main())
