#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rule identity in what the operator sees (issue 18, Deliver 4): an event (eve.json line) and
a Prometheus rule counter carry the rule's `id`, not its position in the rule file.

usage: test_ids_control.py SIGWALL_CONTROL SIGWALLCTL FAKE_WORKER

sigwall-control runs a small rule set whose ids are not their positions (rule 0 has id 7001,
rule 1 none, rule 2 id 42), with fake_worker (tests/control) standing in for the dataplane: it
drops one MSU per burst, cycling over the rule indices, and counts a hit per burst. Checks:
  - each event's rule.id is the id of the rule its rule.name names (null for the rule without
    one), rule.index is the position, rule.level is the rule's severity;
  - sigwall_rule_hits_total has rule_id="7001" and rule_id="42" with their names and
    rule_index, rule_id="" for the rule without an id;
  - `stats --json` lists each rule with its id and index;
  - after a reload that reorders the rules, the same names keep the same ids (events and
    metrics of the new generation), while their positions change.
Mutation: give events and metrics the rule's position again (control/daemon/evjson.c
json_rule, report.c): the first check fails ("event rule ... id 0, expected 7001")."""
import json
import os
import re
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "control"))
from test_control import Env, Fail, check  # noqa: E402

SITE = os.path.join(HERE, "..", "..", "patterns", "site.example.conf")

RULES = """policy = { name = "ids"; default = "allow"; malformed = "drop"; };
rules = (
%s
);
"""
R_A = """{ name = "ati-drop"; id = 7001; severity = "critical"; opcode = "anyTimeInterrogation";
  action = "drop"; }"""
R_B = """{ name = "no-id"; opcode = "sendIMSI"; action = "drop"; }"""
R_C = """{ name = "sri-drop"; id = 42; severity = "low"; opcode = "sendRoutingInfo";
  action = "drop"; }"""
IDS = {"ati-drop": 7001, "no-id": None, "sri-drop": 42}
LEVEL = {"ati-drop": "critical", "no-id": "medium", "sri-drop": "low"}


def write_rules(path, order):
    with open(path, "w") as f:
        f.write(RULES % ",\n".join(order))


def events_of(e, gen, want):
    """Event lines of generation gen, waiting until every rule name in want appeared."""
    deadline = time.time() + 30
    evs = []
    while time.time() < deadline:
        evs = []
        if os.path.exists(e.events):
            with open(e.events) as f:
                for line in f:
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    # "#N": a record of a generation whose names control has not yet
                    # registered (reload.c adds them after the workers picked it up)
                    if ev.get("generation") == gen and "rule" in ev and \
                            not ev["rule"]["name"].startswith("#"):
                        evs.append(ev)
        if want <= {ev["rule"]["name"] for ev in evs}:
            return evs
        time.sleep(0.1)
    raise Fail("events of generation %d: no %s in %d lines" %
               (gen, want - {ev["rule"]["name"] for ev in evs}, len(evs)))


def check_events(evs, order_names):
    for ev in evs:
        r = ev["rule"]
        name = r["name"]
        check(name in IDS, "event of an unknown rule %s" % r)
        check(r["id"] == IDS[name], "event rule %s: id %r, expected %r" % (name, r["id"],
                                                                             IDS[name]))
        check(r["index"] == order_names.index(name), "event rule %s: index %r, expected %d" %
              (name, r["index"], order_names.index(name)))
        check(r.get("level") == LEVEL[name], "event rule %s: level %r" % (name, r.get("level")))


def metric_lines(e):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % e.port,
                                  timeout=5).read().decode()
    return [ln for ln in body.splitlines() if ln.startswith("sigwall_rule_hits_total{")]


def check_metrics(e, order_names):
    lines = metric_lines(e)
    for i, name in enumerate(order_names):
        rid = "" if IDS[name] is None else str(IDS[name])
        pat = re.compile(r'^sigwall_rule_hits_total\{instance="%s",rule_id="%s",rule_index="%d",'
                         r'rule="%s",action="drop"\} (\d+)$' % (re.escape(e.inst), rid, i,
                                                                re.escape(name)))
        hit = [ln for ln in lines if pat.match(ln)]
        check(len(hit) == 1, "no metric line rule_id=%r rule_index=%d rule=%s in %s" %
              (rid, i, name, lines))
    return lines


def run(e):
    order1 = [R_A, R_B, R_C]
    names1 = ["ati-drop", "no-id", "sri-drop"]
    write_rules(e.rules, order1)
    e.start_fake(workers=1, extra=["--events-every", "1"])
    e.start_control()
    e.wait_epochs(1, 1)
    evs = events_of(e, 1, set(names1))
    check_events(evs, names1)
    print("generation 1: %d events, e.g. %s" % (len(evs), json.dumps(evs[0]["rule"])))
    lines = check_metrics(e, names1)
    print("metrics: %s" % "; ".join(ln for ln in lines if "7001" in ln or 'rule_id="42"' in ln))
    rc, out, err = e.ctl_run("stats", "--json")
    check(rc == 0, "stats --json: %s" % err)
    got = {r["rule"]: (r["id"], r["index"]) for r in json.loads(out)["rules"]}
    check(got == {n: (IDS[n], i) for i, n in enumerate(names1)}, "stats rules %s" % got)

    # Reorder: the ids follow the rules, the positions change.
    order2 = [R_C, R_A, R_B]
    names2 = ["sri-drop", "ati-drop", "no-id"]
    write_rules(e.rules, order2)
    rc, out, err = e.ctl_run("reload")
    check(rc == 0, "reload: %s %s" % (out, err))
    e.wait_epochs(2, 1)
    evs = events_of(e, 2, set(names2))
    check_events(evs, names2)
    check_metrics(e, names2)
    print("generation 2 (reordered): %d events, ids follow the rules: %s" %
          (len(evs), sorted({(ev["rule"]["name"], ev["rule"]["id"], ev["rule"]["index"])
                             for ev in evs}, key=str)))


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    control, ctl, fake = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="sw-ids-")
    rules = os.path.join(tmp, "rules.conf")
    write_rules(rules, [R_A])
    e = Env(control, ctl, fake, rules, SITE)
    try:
        run(e)
    except Fail as ex:
        print("FAIL:", ex)
        try:
            print("--- control log ---\n" + e.control_log())
        except OSError:
            pass
        return 1
    finally:
        e.cleanup()
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
