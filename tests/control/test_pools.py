#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Client pools of sigwall-control (issue 13, finding 7 and Deliver 6): an unprivileged holder of
~70 connections to the metrics port made the operator's `sigwallctl status` fail 9 times out of
15, because the unix socket and the metrics port shared one table of 64 clients.

 1. 70 idle connections held on the metrics port: 15 x `sigwallctl status` all succeed; the
    metrics port itself still answers a scrape from another address... of the same host (per-peer
    limit: the holder gets at most 4, the rest are refused and counted).
 2. As root, four unprivileged users each try to hold 20 unix-socket connections: each gets at
    most 16 (per-peer limit), together at most 56 (8 slots stay reserved for the operator), and
    15 x `sigwallctl status` by the operator all succeed meanwhile.
 3. --metrics-allow: a source outside the list is refused (counted), --metrics on an address
    that is not local is a clear error (exit 1), a malformed list is a usage error (exit 2).

usage: test_pools.py SIGWALL_CONTROL SIGWALLCTL (meson passes both)"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import free_port  # noqa: E402

CONTROL, CTL = sys.argv[1], sys.argv[2]
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(SRC, "patterns", "default.conf")
SITE = os.path.join(SRC, "patterns", "site.example.conf")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def metric(body, name, **labels):
    for line in body.splitlines():
        if line.startswith(name + "{") and all('%s="%s"' % kv in line for kv in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="sw-pools-")
    inst = "pools%d" % os.getpid()
    port = free_port()
    env = dict(os.environ, SIGWALL_RUNDIR=os.path.join(tmp, "run"))
    os.makedirs(env["SIGWALL_RUNDIR"])
    os.chmod(tmp, 0o755)
    os.chmod(env["SIGWALL_RUNDIR"], 0o755)
    proc = None
    held = []

    def ctl(*a):
        return subprocess.run([CTL, "--instance", inst] + list(a), env=env, capture_output=True,
                              text=True, timeout=30)

    def start(extra):
        p = subprocess.Popen([CONTROL, "--instance", inst, "--rules", RULES, "--site", SITE,
                              "--foreground", "--log", "stderr"] + extra, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(600):
            if p.poll() is not None:
                fail("control exited %d: %s" % (p.returncode, p.stdout.read()))
            if ctl("status").returncode == 0:
                return p
            time.sleep(0.05)
        fail("control did not come up")

    try:
        proc = start(["--metrics", "127.0.0.1:%d" % port])
        # 1. the finding: ~70 connections held on the metrics port
        for _ in range(70):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            held.append(s)
        time.sleep(0.2)
        ok = sum(1 for _ in range(15) if ctl("status").returncode == 0)
        for s in held:
            s.close()
        held.clear()
        time.sleep(0.2)
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
        refused = metric(body, "sigwall_clients_refused_total", pool="metrics", reason="peer")
        print("70 metrics connections held: sigwallctl status %d/15 ok; metrics refused %s of "
              "them (per-peer limit 4)" % (ok, refused))
        if ok != 15:
            fail("sigwallctl status failed %d times out of 15 with 70 metrics connections held"
                 % (15 - ok))
        if refused is None or refused < 60:
            fail("the metrics holder was not limited per peer: refused %s" % refused)

        # 2. unprivileged users on the unix socket
        if os.geteuid() == 0:
            sock = os.path.join(env["SIGWALL_RUNDIR"], inst + ".sock")
            os.chmod(sock, 0o666)  # as if they were in the socket's group
            # All 20 connect, then after 2 s (a loaded machine answers late: a 0.3 s wait per
            # connection counted late refusals as held) a connection is held when control has
            # neither answered ERR nor closed it.
            code = ("import socket,sys,time\n"
                    "ss=[]\n"
                    "for i in range(20):\n"
                    "  s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); ss.append(s)\n"
                    "time.sleep(2)\n"
                    "held=[]\n"
                    "for s in ss:\n"
                    "  s.setblocking(False)\n"
                    "  try:\n"
                    "    d=s.recv(100)\n"
                    "  except BlockingIOError:\n"
                    "    held.append(s); continue\n"
                    "  s.close()\n"
                    "print(len(held), flush=True)\ntime.sleep(30)\n")
            holders = []
            for uid in (60001, 60002, 60003, 60004):
                holders.append(subprocess.Popen(
                    ["/usr/bin/python3", "-c", code, sock], stdout=subprocess.PIPE, text=True,
                    preexec_fn=lambda u=uid: (os.setgid(u), os.setuid(u))))
            got = [int(h.stdout.readline() or 0) for h in holders]
            ok = sum(1 for _ in range(15) if ctl("status").returncode == 0)
            for h in holders:
                h.kill()
                h.wait()
            print("4 unprivileged users x 20 unix connections: held %s (total %d); operator's "
                  "status %d/15 ok" % (got, sum(got), ok))
            if max(got) > 16 or sum(got) > 56:
                fail("per-peer (16) or non-operator (56) limit not kept: %s" % got)
            if ok != 15:
                fail("operator's status failed %d/15 with the socket full of other users"
                     % (15 - ok))
        else:
            print("unix-socket pool: not root, unprivileged users cannot be simulated (skipped "
                  "that part)")
        proc.terminate()
        proc.wait(30)

        # 3. --metrics-allow and bad addresses
        proc = start(["--metrics", "0.0.0.0:%d" % port, "--metrics-allow", "192.0.2.0/24,::1"])
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=3).read()
            fail("a source outside --metrics-allow was answered")
        except OSError:
            pass
        proc.terminate()
        proc.wait(30)
        proc = start(["--metrics", "127.0.0.1:%d" % port, "--metrics-allow", "127.0.0.0/8"])
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
        if not metric(body, "sigwall_generation"):
            fail("allowed scrape: %s" % body[:200])
        proc.terminate()
        proc.wait(30)
        proc = None
        p = subprocess.run([CONTROL, "--instance", inst, "--rules", RULES, "--site", SITE,
                            "--foreground", "--metrics", "192.0.2.1:%d" % port], env=env,
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 1 or "not an address of this host" not in p.stderr:
            fail("--metrics on a foreign address: %d %r" % (p.returncode, p.stderr))
        p = subprocess.run([CONTROL, "--instance", inst, "--rules", RULES, "--site", SITE,
                            "--foreground", "--metrics", "127.0.0.1:%d" % port,
                            "--metrics-allow", "10.0.0.0/99"], env=env, capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 2 or "prefix too long" not in p.stderr:
            fail("--metrics-allow 10.0.0.0/99: %d %r" % (p.returncode, p.stderr))
        print("--metrics-allow refuses other sources; a foreign --metrics address and a bad "
              "CIDR are refused with a message")
        print("PASS")
    finally:
        for s in held:
            s.close()
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        subprocess.run([CONTROL, "--instance", inst, "--cleanup"], env=env, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
