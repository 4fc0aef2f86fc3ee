#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sigwall-control's start-up line names the rules of the image it published (issue 19: it said
`generation 1 active: 0 rules` while `sigwallctl status` said 14: the first image, compiled before
the slots are sized, was published without its rule count)."""
import json
import os
import re
import signal
import subprocess
import tempfile
import time

from dptest import *

CONTROL = tool("SW_CONTROL", "control/daemon/sigwall-control")
if not have(CONTROL) or not have(CTL):
    skip("sigwall-control or sigwallctl is not built")
run = tempfile.mkdtemp(prefix="sw-it-ctlstart-")
inst = "it%dctl" % os.getpid()
envv = dict(os.environ, SIGWALL_RUNDIR=run)
logf = os.path.join(run, "control.log")
p = subprocess.Popen([CONTROL, "--instance", inst, "--rules", os.path.join(SRC, "patterns", "default.conf"),
                      "--site", os.path.join(SRC, "patterns", "site.example.conf"), "--foreground",
                      "--events", os.path.join(run, "ev.json"), "--metrics", "127.0.0.1:%d" % free_port()],
                     env=envv, stdout=open(logf, "w"), stderr=subprocess.STDOUT)
try:
    st = None
    deadline = time.monotonic() + 60
    while st is None and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.1)
        r = subprocess.run([CTL, "--instance", inst, "status", "--json"], env=envv,
                           capture_output=True, text=True, timeout=30)
        if r.returncode == 0:
            st = json.loads(r.stdout)
    log = open(logf).read()
    if st is None:
        fail("sigwall-control did not answer status (exit %s):\n%s" % (p.poll(), log[-2000:]))
    m = re.search(r"generation (\d+) active: (\d+) rules", log)
    print("start-up line: %s; status: generation %s, %s rules"
          % (m.group(0) if m else None, st.get("generation"), st.get("rules")))
    if m is None or int(m.group(1)) != st["generation"] or int(m.group(2)) != st["rules"] or \
            st["rules"] == 0:
        fail("start-up line and status disagree:\n%s" % log[-2000:])
    print("PASS: the start-up line says the %d rules status says" % st["rules"])
finally:
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
    subprocess.run([ITEST, "unlink", inst], check=False) if have(ITEST) else None
    for kind in ("image", "stats"):
        try:
            os.unlink("/dev/shm/sigwall.%s.%s" % (inst, kind))
        except OSError:
            pass
    subprocess.run(["rm", "-rf", run])
