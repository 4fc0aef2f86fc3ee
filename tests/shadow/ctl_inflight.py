#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The shadow policy's commands while a reload is in flight (issue 18 D7): sigwall-control with
fake_worker (tests/control), whose worker 0 stalls 4 s in a burst of generation 2. A reload to
generation 3 then waits for it (up to --reload-timeout 3000); meanwhile `reload --shadow`,
`shadow promote` and `shadow drop` are refused at once with exit 1 and "a reload is in flight",
and nothing is published as a shadow. Then a shadow published (fake_worker does not synchronise
shadows: exit 1, published) shows in `stats`, `stats --json` and the metrics.
--selfcheck asks the same with no reload in flight: there is no such error, the test fails.

usage: ctl_inflight.py SIGWALL_CONTROL SIGWALLCTL FAKE_WORKER RULES SITE [--selfcheck]"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import free_port  # noqa: E402

CONTROL, CTL, FAKE, RULES, SITE = sys.argv[1:6]
selfcheck = "--selfcheck" in sys.argv


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    rundir = tempfile.mkdtemp(prefix="sw-shadow-inflight-")
    inst = "shinfl%d" % os.getpid()
    env = dict(os.environ, SIGWALL_RUNDIR=rundir)
    procs = []

    def ctl(*args):
        return subprocess.run([CTL, "--instance", inst] + list(args), env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    try:
        log = open(os.path.join(rundir, "control.log"), "w")
        port = free_port()
        procs.append(subprocess.Popen([CONTROL, "--instance", inst, "--rules", RULES, "--site", SITE,
                                       "--foreground", "--log", "stderr", "--reload-timeout", "3000",
                                       "--metrics", "127.0.0.1:%d" % port],
                                      env=env, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.time() + 30
        while ctl("status").returncode != 0:
            if time.time() > deadline or procs[0].poll() is not None:
                fail("sigwall-control did not come up: " + open(log.name).read())
            time.sleep(0.05)
        procs.append(subprocess.Popen([FAKE, "--instance", inst, "--workers", "1", "--stall-ms",
                                       "4000", "--stall-gen", "2"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.3)
        p = ctl("reload")
        if p.returncode != 0:
            fail("reload to generation 2: %s" % p.stderr)
        time.sleep(0.2)  # worker 0 now stalls in a burst of generation 2
        if not selfcheck:
            bg = subprocess.Popen([CTL, "--instance", inst, "reload"], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            procs.append(bg)
            # published (the header says 3) while it waits for the stalled worker
            deadline = time.time() + 3
            while json.loads(ctl("status", "--json").stdout or "{}").get("generation") != 3:
                if time.time() > deadline:
                    fail("the reload to generation 3 was not published within 3 s")
                time.sleep(0.01)
        for args in (["reload", "--shadow", "--rules", RULES, "--site", SITE],
                     ["shadow", "promote"], ["shadow", "drop"]):
            p = ctl(*args)
            print("%s: exit %d, %s" % (" ".join(args[:2]), p.returncode, p.stderr.strip()))
            if p.returncode != 1 or "a reload is in flight (generation 3)" not in p.stderr:
                print(open(log.name).read())
                fail("%s while a reload is in flight: exit %d, %r" % (" ".join(args), p.returncode,
                                                                     p.stderr))
        d = ctl("shadow", "diff")
        if "no shadow policy" not in d.stdout:
            fail("a shadow after the refused commands: %s" % d.stdout)
        out, err = bg.communicate(timeout=30)
        if os.environ.get("SW_KEEP") == "1":
            print(open(log.name).read())
        print("the reload in flight: exit %d, %s" % (bg.returncode, (out + err).strip()))
        p = ctl("reload", "--shadow", "--sample", "4")
        if p.returncode != 1 or "shadow generation 4 published but NOT every live worker" not in p.stderr:
            fail("reload --shadow with fake_worker: exit %d, %r" % (p.returncode, p.stderr))
        st = json.loads(ctl("stats", "--json").stdout)["shadow"]
        txt = ctl("stats").stdout
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
        if st is None or st["generation"] != 4 or st["sample"] != 4 or \
                "shadow generation 4 (1 in 4 MSUs)" not in txt or \
                not re.search(r'^sigwall_shadow_generation\{instance="%s"\} 4$' % inst, body, re.M) or \
                not re.search(r'^sigwall_shadow_changed_total\{instance="%s",shadow_generation="4",'
                              r'change="to_drop"\} 0$' % inst, body, re.M):
            fail("the shadow in stats/metrics: %s %r %s" % (st, txt[-300:], [
                 x for x in body.splitlines() if "shadow" in x]))
        print("stats and metrics show shadow generation 4: %s" % [
              x for x in body.splitlines() if x.startswith("sigwall_shadow")][:2])
        print("PASS")
    finally:
        for p in reversed(procs):  # fake_worker, a reload client, control: by their pids
            if p.poll() is None:
                p.kill()
            p.wait()
        subprocess.run([CONTROL, "--instance", inst, "--cleanup"], env=env, capture_output=True)


main()
