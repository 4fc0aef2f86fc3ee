#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Operator-facing behaviour of sigwall-control and sigwallctl (issue 19, Deliver 4 and 5):
--help and --version on every program and subcommand (exit 0), the exit codes of
control/README.md (0 ok, 1 runtime failure, 2 usage or invalid input), sd_notify READY=1 /
STOPPING=1 over $NOTIFY_SOCKET (Type=notify units), journal priority prefixes with --log journal.

usage: test_cli_ops.py SIGWALL_CONTROL SIGWALLCTL"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

CONTROL, CTL = sys.argv[1], sys.argv[2]
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(SRC, "patterns", "default.conf")
SITE = os.path.join(SRC, "patterns", "site.example.conf")
SUBCOMMANDS = ("inspect", "check", "reload", "status", "stats", "events", "log-reopen")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, env=None, want=None, out_re=None, err_re=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    if want is not None and p.returncode != want:
        fail("%s exited %d, want %d: %r %r" % (" ".join(cmd), p.returncode, want, p.stdout[:200],
                                               p.stderr[:300]))
    if out_re and not re.search(out_re, p.stdout, re.M):
        fail("%s: stdout %r lacks /%s/" % (" ".join(cmd), p.stdout[:300], out_re))
    if err_re and not re.search(err_re, p.stderr, re.M):
        fail("%s: stderr %r lacks /%s/" % (" ".join(cmd), p.stderr[:300], err_re))
    return p


def main():
    tmp = tempfile.mkdtemp(prefix="sw-cliops-")
    inst = "cliops%d" % os.getpid()
    env = dict(os.environ, SIGWALL_RUNDIR=os.path.join(tmp, "run"))
    env.pop("NOTIFY_SOCKET", None)
    env.pop("JOURNAL_STREAM", None)
    proc = None
    try:
        # --help / --version / usage errors
        run([CONTROL, "--help"], want=0, out_re=r"^usage: sigwall-control")
        run([CONTROL, "--version"], want=0, out_re=r"^sigwall-control \d+\.\d+")
        run([CONTROL, "--bogus"], want=2, err_re="unknown")
        run([CONTROL, "--instance", inst, "--rules", RULES], env=env, want=2, err_re="required")
        run([CTL, "--help"], want=0, out_re=r"^usage: sigwallctl")
        run([CTL, "--version"], want=0, out_re=r"^sigwallctl \d+\.\d+")
        run([CTL, "frobnicate"], want=2, err_re="unknown command")
        for sub in SUBCOMMANDS:
            run([CTL, sub, "--help"], want=0, out_re=r"^usage: sigwallctl .*%s" % sub)
            run([CTL, sub, "-h"], want=0, out_re=r"^usage: sigwallctl")
        run([CTL, "status", "--bogus"], want=2)
        # runtime failure: nothing runs for this instance
        run([CTL, "--instance", inst, "status"], env=env, want=1)
        run([CTL, "--instance", inst, "log-reopen"], env=env, want=1)
        # invalid input: a broken rule file, at start (control) and for check
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write("rules = ( { name = 1; } );\n")
        run([CONTROL, "--instance", inst, "--rules", bad, "--site", SITE, "--foreground"],
            env=env, want=2, err_re=re.escape(bad))
        run([CTL, "check", bad, SITE], want=2)
        # runtime failure: an event directory that is not there (or not writable)
        run([CONTROL, "--instance", inst, "--rules", RULES, "--site", SITE, "--foreground",
             "--events", os.path.join(tmp, "no-such-dir", "ev.json")], env=env, want=1,
            err_re="writable")
        print("--help/--version on sigwall-control, sigwallctl and %d subcommands; exit 2 on "
              "usage and invalid rules, 1 with nothing running" % len(SUBCOMMANDS))

        # sd_notify and journal priorities
        ns = os.path.join(tmp, "notify")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        srv.bind(ns)
        srv.settimeout(30)
        nenv = dict(env, NOTIFY_SOCKET=ns, JOURNAL_STREAM="8:1234")
        proc = subprocess.Popen([CONTROL, "--instance", inst, "--rules", RULES, "--site", SITE,
                                 "--foreground"], env=nenv, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        msg = srv.recv(4096).decode()
        if "READY=1" not in msg or ("MAINPID=%d" % proc.pid) not in msg:
            fail("sd_notify: %r" % msg)
        run([CTL, "--instance", inst, "reload", "--rules", bad, "--site", SITE], env=env, want=2,
            err_re=re.escape(bad))
        run([CTL, "--instance", inst, "reload"], env=env, want=0, out_re="generation 2 active")
        proc.send_signal(signal.SIGTERM)
        stop = srv.recv(4096).decode()
        while "STOPPING=1" not in stop:
            stop = srv.recv(4096).decode()
        _, err = proc.communicate(timeout=30)
        if proc.returncode != 0:
            fail("control exit %d" % proc.returncode)
        proc = None
        lines = [x for x in err.splitlines() if x]
        if not lines or not all(re.match(r"^<[0-7]>sigwall-control\[%s\]: " % inst, x)
                                for x in lines):
            fail("journal lines without priority prefix: %r" % lines[:3])
        if not any(x.startswith("<3>") and "reload failed" in x for x in lines):
            fail("the failed reload is not logged at priority err: %r" % lines)
        print("sd_notify: %r ... STOPPING=1; journal: %d lines with <N> priorities, e.g. %r"
              % (msg.replace("\n", " | "), len(lines), lines[0][:100]))
        print("PASS")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        subprocess.run([CONTROL, "--instance", inst, "--cleanup"], env=env, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
