#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""`sigwallctl check` validates a proxy site's site.links and site.routes as proxy mode loads
them (issue 21; dataplane/proxy/proxy_conf.c through the policy compiler): every mistake is
refused with exit 2 and "file:line: message" naming the line of the mistake.

usage: test_proxy_check.py SIGWALLCTL
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = os.path.join(ROOT, "tests", "proxy", "rules-proxy.conf")

# A valid proxy site; each case replaces one line (1-based line numbers are those of this text).
BASE = """site = {
	name = "check";
	home = { plmn = [ "65501" ]; gt = [ "27820" ]; point_codes = [ 2000 ]; };
	links = (
		{ name = "partner"; local = "10.21.0.1:2905"; remote = "10.21.0.2:2905";
		  sctp = "server"; m3ua = "sgp"; rctx = 100; side = "outside"; },
		{ name = "home"; local = "10.21.1.1:2906"; remote = "10.21.1.2:2905";
		  sctp = "client"; m3ua = "asp"; rctx = 200; side = "inside"; },
		{ name = "honeypot"; local = "10.21.2.1:2907"; remote = "10.21.2.2:2905";
		  sctp = "client"; m3ua = "asp"; side = "inside"; honeypot = true; }
	);
	routes = (
		{ dpc = 2000; links = [ "home" ]; },
		{ dpc = 1000; links = [ "partner" ]; },
		{ gt = "2782"; dpc = 2000; ssn = 6; }
	);
};
"""

L5 = '\t\t{ name = "partner"; local = "%s"; remote = "10.21.0.2:2905";'
L6 = '\t\t  sctp = "%s"; m3ua = "%s"; rctx = 100; side = "outside"; %s},'

# (what, {line: replacement}, line of the error, message expected after "file:line: ")
CASES = [
    ("local not IPv4:port", {5: L5 % "10.21.0:2905"}, 5,
     "'local' must be \"IPv4:port\" (got \"10.21.0:2905\")"),
    ("local port 0", {5: L5 % "10.21.0.1:0"}, 5, "'local' must be \"IPv4:port\""),
    ("local multicast", {5: L5 % "224.0.0.5:2905"}, 5,
     "'local' must be a unicast IPv4 address (got \"224.0.0.5:2905\")"),
    ("remote 0.0.0.0", {5: '\t\t{ name = "partner"; local = "10.21.0.1:2905"; '
                           'remote = "0.0.0.0:2905";'}, 5,
     "'remote' must be a unicast IPv4 address"),
    ("local missing", {5: '\t\t{ name = "partner"; remote = "10.21.0.2:2905";'}, 5,
     "'local' is required"),
    ("bad m3ua role", {6: L6 % ("server", "stp", "")}, 6, "'m3ua' cannot be \"stp\""),
    ("bad sctp role", {6: L6 % ("listen", "sgp", "")}, 6, "'sctp' cannot be \"listen\""),
    ("ipsp_initiator on an sgp link", {6: L6 % ("server", "sgp", "ipsp_initiator = true; ")}, 6,
     "'ipsp_initiator' only goes with m3ua = \"ipsp\""),
    ("bad traffic mode", {6: L6 % ("server", "sgp", 'traffic_mode = "broadcast"; ')}, 6,
     "'traffic_mode' cannot be \"broadcast\""),
    ("rctx not an integer", {6: L6 % ("server", "sgp", 'na = "eight"; ')}, 6,
     "'na' must be an integer"),
    ("pc out of range", {6: L6 % ("server", "sgp", "pc = 16777216; ")}, 6,
     "'pc' 16777216 out of range 0-16777215"),
    ("port beyond the two --ports", {6: L6 % ("server", "sgp", "port = 2; ")}, 6,
     "'port' 2 out of range 0-1"),
    ("unknown key in a link", {6: L6 % ("server", "sgp", "colour = 1; ")}, 6,
     "unknown key 'colour' in a link"),
    ("duplicate link", {7: '\t\t{ name = "partner"; local = "10.21.1.1:2906"; '
                           'remote = "10.21.1.2:2905";'}, 7,
     "duplicate link name 'partner' (first at line 5)"),
    ("two links on one address and port pair",
     {7: '\t\t{ name = "home"; local = "10.21.0.1:2905"; remote = "10.21.0.2:2905";'}, 7,
     "link 'home' has the local and remote address and port of link 'partner'"),
    ("route to an unknown link", {13: '\t\t{ dpc = 2000; links = [ "hmoe" ]; },'}, 13,
     "unknown link \"hmoe\""),
    ("route without links", {13: '\t\t{ dpc = 2000; },'}, 13,
     "'links' (a list of link names) is required"),
    ("dpc routed twice", {14: '\t\t{ dpc = 2000; links = [ "partner" ]; },'}, 14,
     "dpc 2000 routed twice"),
    ("route without dpc", {14: '\t\t{ links = [ "partner" ]; },'}, 14, "'dpc' is required"),
    ("unknown key in a route", {14: '\t\t{ dpc = 1000; links = [ "partner" ]; via = 1; },'}, 14,
     "unknown key 'via' in a route"),
    ("bad gt", {15: '\t\t{ gt = "27x2"; dpc = 2000; ssn = 6; }'}, 15, "invalid gt \"27x2\""),
    ("gt to a dpc without route", {15: '\t\t{ gt = "2782"; dpc = 3000; ssn = 6; }'}, 15,
     "gt \"2782\" translates to dpc 3000, which has no route"),
    ("gt with links", {15: '\t\t{ gt = "2782"; dpc = 2000; links = [ "home" ]; }'}, 15,
     "a 'gt' route translates to a 'dpc'"),
    ("ssn out of range", {15: '\t\t{ gt = "2782"; dpc = 2000; ssn = 256; }'}, 15,
     "'ssn' 256 out of range 0-255"),
    ("routes not a list", {12: "\troutes = 5;", 13: "", 14: "", 15: "", 16: ""}, 12,
     "'routes' must be a list of routes"),
]


def check(ctl, site_text, tmp, name="site.conf", extra=None):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(site_text)
    for fname, text in (extra or {}).items():
        with open(os.path.join(tmp, fname), "w") as f:
            f.write(text)
    p = subprocess.run([ctl, "check", RULES, path], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr, path


def main():
    if len(sys.argv) != 2:
        print("usage: test_proxy_check.py SIGWALLCTL")
        return 2
    ctl = sys.argv[1]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="sw-pxcheck-") as tmp:
        rc, out, err, _ = check(ctl, BASE, tmp)
        if rc != 0:
            print("FAIL: the valid proxy site is refused (rc %d): %s" % (rc, err.strip()))
            return 1
        print("ok: the valid proxy site passes check")
        base = BASE.split("\n")
        for what, repl, line, msg in CASES:
            lines = list(base)
            for n, text in repl.items():
                lines[n - 1] = text
            rc, out, err, path = check(ctl, "\n".join(lines), tmp)
            want = "%s:%d: %s" % (path, line, msg)
            if rc == 2 and want in err:
                print("ok: %s: %s" % (what, err.strip().splitlines()[0]))
            else:
                print("FAIL: %s: rc %d, stderr %r, want %r" % (what, rc, err.strip(), want))
                failed += 1
        # A mistake in an @include'd file is reported at that file's line.
        lines = list(base)
        lines[12:15] = ['\t\t@include "routes.inc"']
        inc = '{ dpc = 2000; links = [ "home" ]; },\n{ dpc = 1000; links = [ "nobody" ]; }\n'
        rc, out, err, path = check(ctl, "\n".join(lines), tmp, extra={"routes.inc": inc})
        # (libconfig names an included file as the @include line spells it)
        want = "routes.inc:2: unknown link \"nobody\""
        if rc == 2 and want in err:
            print("ok: a mistake in an included file: %s" % err.strip().splitlines()[0])
        else:
            print("FAIL: included file: rc %d, stderr %r, want %r" % (rc, err.strip(), want))
            failed += 1
        # An inline site (no link with `sctp`) is not held to proxy mode's schema.
        inline = ('site = { name = "inline"; home = { plmn = [ "65501" ]; gt = [ "27820" ]; };\n'
                  '\tlinks = ( { name = "ipx"; side = "outside"; peers = [ "192.0.2.0/24" ]; }'
                  ' ); };\n')
        rc, out, err, _ = check(ctl, inline, tmp)
        if rc == 0:
            print("ok: an inline site's links are not proxy links")
        else:
            print("FAIL: inline site refused: %s" % err.strip())
            failed += 1
    if failed:
        print("FAIL: %d case(s)" % failed)
        return 1
    print("PASS: %d mistakes refused with file:line" % (len(CASES) + 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
