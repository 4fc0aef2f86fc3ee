#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sigwall-control's JSON status and Prometheus metrics carry proxy mode's section (issue 21 D5).

usage: test_proxy_control.py SIGWALL_CONTROL SIGWALLCTL PROXY_STATUS_PUB [selfcheck]

Starts sigwall-control (private $SIGWALL_RUNDIR, unique instance, a metrics port the kernel says
is free) on tests/proxy's rules and proxy site. Without a proxy status object: no "proxy" member
and no sigwall_proxy_* metric (inline instances unchanged). With the object proxy_status_pub
writes (its figures are listed there): every association with its SCTP/ASP/AS state and per-link
counters, every outcome counter, in `sigwallctl status --json` and in /metrics (a link name with
a quote and a backslash, escaped in both). The writer has exited: running false.
selfcheck: the same checks against a control that is given no proxy object must fail.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Env:
    def __init__(self, control, ctl, pub):
        self.control, self.ctl, self.pub = control, ctl, pub
        self.run = tempfile.mkdtemp(prefix="sw-pxctl-test-")
        self.inst = "pxc%d" % os.getpid()
        self.env = dict(os.environ, SIGWALL_RUNDIR=self.run)
        self.port = free_port()
        self.cproc = None

    def start(self):
        rules = os.path.join(ROOT, "tests", "proxy", "rules-proxy.conf")
        site = os.path.join(ROOT, "tests", "proxy", "site-proxy.conf")
        self.clog = open(os.path.join(self.run, "control.log"), "a")
        self.cproc = subprocess.Popen(
            [self.control, "--instance", self.inst, "--rules", rules, "--site", site,
             "--foreground", "--metrics", "127.0.0.1:%d" % self.port],
            env=self.env, stdout=self.clog, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.cproc.poll() is not None:
                raise Fail("sigwall-control exited with %d:\n%s" % (self.cproc.returncode,
                                                                     self.log()))
            if self.ctl_run("status")[0] == 0:
                return
            time.sleep(0.05)
        raise Fail("sigwall-control did not answer within 60 s")

    def log(self):
        with open(os.path.join(self.run, "control.log")) as f:
            return f.read()[-2000:]

    def ctl_run(self, *args):
        p = subprocess.run([self.ctl, "--instance", self.inst] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def status(self):
        rc, out, err = self.ctl_run("status", "--json")
        check(rc == 0, "status --json: rc %d %s" % (rc, err))
        try:
            return json.loads(out)
        except ValueError as e:
            raise Fail("status --json is not JSON (%s): %s" % (e, out[-500:]))

    def metrics(self):
        for _ in range(50):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port,
                                            timeout=10) as r:
                    return r.read().decode()
            except OSError:
                time.sleep(0.1)
        raise Fail("no metrics on port %d; control %s:\n%s"
                   % (self.port, "runs" if self.cproc.poll() is None else "is gone",
                      self.log()))

    def publish(self, what):
        subprocess.run([self.pub, what, self.inst], check=True, timeout=30)

    def stop(self):
        if self.cproc is not None and self.cproc.poll() is None:
            self.cproc.terminate()
            try:
                self.cproc.wait(30)
            except subprocess.TimeoutExpired:
                self.cproc.kill()
                self.cproc.wait()
        subprocess.run([self.pub, "unlink", self.inst], timeout=30)
        # control leaves its image and stats objects for a restart: this instance's are ours
        for kind in ("image", "stats"):
            try:
                os.unlink("/dev/shm/sigwall.%s.%s" % (self.inst, kind))
            except OSError:
                pass
        shutil.rmtree(self.run, ignore_errors=True)


def series(text):
    """The exposition's samples: {'name{labels}': value}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, val = line.rpartition(" ")
            out[key] = float(val)
    return out


def want(m, key, value):
    check(key in m, "metric %s missing" % key)
    check(m[key] == value, "metric %s = %s, want %s" % (key, m[key], value))


OUTCOMES = ["routed", "dropped", "alerted", "rejected", "aborted", "redirected",
            "no_route", "no_route_udts", "answer_failed", "tx_failed"]
LINKS = [  # name, side, m3ua, sctp, asp, as, routable, honeypot
    ("partner", "outside", "sgp", "up", "active", "active", True, False),
    ("home", "inside", "asp", "down", "down", "pending", False, False),
    ('ho"ney\\pot', "inside", "asp", "up", "inactive", "inactive", False, True),
]


def check_absent(e):
    st = e.status()
    check("proxy" not in st, "a proxy section without a proxy: %s" % st.get("proxy"))
    check("workers" in st, "status --json lost its other members")
    check("sigwall_proxy_" not in e.metrics(), "proxy metrics without a proxy")
    print("no proxy object: no proxy section in status --json, no sigwall_proxy_* metric")


def check_present(e):
    st = e.status()
    check("proxy" in st, "status --json has no proxy section: %s" % sorted(st))
    px = st["proxy"]
    check(px["running"] is False, "the writer exited, but running is %s" % px["running"])
    for k, v in (("generation", 42), ("judged", 1000), ("received", 1001),
                 ("ssnm_sent", 1002), ("decode_malformed", 1003)):
        check(px.get(k) == v, "proxy.%s = %s, want %s" % (k, px.get(k), v))
    out = px["outcomes"]
    check(sorted(out) == sorted(OUTCOMES), "proxy.outcomes: %s" % sorted(out))
    for o, name in enumerate(OUTCOMES):
        check(out[name] == 100 + o, "proxy.outcomes.%s = %s, want %d" % (name, out[name], 100 + o))
    assoc = px["associations"]
    check(len(assoc) == 3, "%d associations, want 3" % len(assoc))
    for i, (name, side, m3ua, sctp, asp, as_, routable, hp) in enumerate(LINKS):
        a = assoc[i]
        got = (a["name"], a["side"], a["m3ua"], a["sctp"], a["asp"], a["as"], a["routable"],
               a["honeypot"])
        check(got == LINKS[i], "association %d: %s, want %s" % (i, got, LINKS[i]))
        for j, k in enumerate(("rx", "tx", "err_rx", "err_tx", "looped", "duna_rx",
                               "dava_rx", "beat_aborts")):
            check(a[k] == 10 * i + j + 1, "association %s: %s = %s, want %d"
                  % (name, k, a[k], 10 * i + j + 1))
    print("status --json: proxy section with 3 associations, states and counters as written")

    m = series(e.metrics())
    inst = 'instance="%s"' % e.inst
    want(m, "sigwall_proxy_status_ok{%s}" % inst, 1)
    want(m, "sigwall_proxy_running{%s}" % inst, 0)
    want(m, "sigwall_proxy_generation{%s}" % inst, 42)
    want(m, "sigwall_proxy_associations{%s}" % inst, 3)
    want(m, "sigwall_proxy_judged_total{%s}" % inst, 1000)
    for o, name in enumerate(OUTCOMES):
        want(m, 'sigwall_proxy_msus_total{%s,outcome="%s"}' % (inst, name), 100 + o)
    for i, (name, side, m3ua, sctp, asp, as_, routable, hp) in enumerate(LINKS):
        ln = '%s,link="%s"' % (inst, name.replace("\\", "\\\\").replace('"', '\\"'))
        want(m, 'sigwall_proxy_sctp_up{%s,side="%s",m3ua="%s",honeypot="%s"}'
             % (ln, side, m3ua, "true" if hp else "false"), 1 if sctp == "up" else 0)
        for st_ in ("down", "inactive", "active"):
            want(m, 'sigwall_proxy_asp_state{%s,state="%s"}' % (ln, st_), int(st_ == asp))
        for st_ in ("down", "inactive", "active", "pending"):
            want(m, 'sigwall_proxy_as_state{%s,state="%s"}' % (ln, st_), int(st_ == as_))
        want(m, "sigwall_proxy_routable{%s}" % ln, int(routable))
        want(m, 'sigwall_proxy_link_data_total{%s,direction="rx"}' % ln, 10 * i + 1)
        want(m, 'sigwall_proxy_link_data_total{%s,direction="tx"}' % ln, 10 * i + 2)
        want(m, 'sigwall_proxy_link_errors_total{%s,direction="rx"}' % ln, 10 * i + 3)
        want(m, 'sigwall_proxy_link_errors_total{%s,direction="tx"}' % ln, 10 * i + 4)
        want(m, "sigwall_proxy_link_looped_total{%s}" % ln, 10 * i + 5)
        want(m, 'sigwall_proxy_link_ssnm_received_total{%s,type="duna"}' % ln, 10 * i + 6)
        want(m, 'sigwall_proxy_link_ssnm_received_total{%s,type="dava"}' % ln, 10 * i + 7)
        want(m, "sigwall_proxy_link_beat_aborts_total{%s}" % ln, 10 * i + 8)
    print("metrics: sigwall_proxy_* with every association's states and counters as written")


def main():
    if len(sys.argv) < 4:
        print("usage: test_proxy_control.py SIGWALL_CONTROL SIGWALLCTL PROXY_STATUS_PUB "
              "[selfcheck]")
        return 2
    selfcheck = len(sys.argv) > 4 and sys.argv[4] == "selfcheck"
    e = Env(sys.argv[1], sys.argv[2], sys.argv[3])
    try:
        e.start()
        check_absent(e)
        if not selfcheck:
            e.publish("publish")
        try:
            check_present(e)
        except Fail as f:
            if selfcheck:
                print("PASS: selfcheck: the checks fail without a proxy object (%s)" % f)
                return 0
            raise
        if selfcheck:
            print("FAIL: selfcheck: the checks passed without a proxy object")
            return 1
        e.publish("unlink")
        check_absent(e)
        print("PASS")
        return 0
    except Fail as f:
        print("FAIL: %s" % f)
        return 1
    finally:
        e.stop()


if __name__ == "__main__":
    sys.exit(main())
