#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bench-run-fresh-clone (suite 'bench', not timed; issue 20 Deliver 1): `git clone` the source
# tree into a temporary directory, run `bench/run.sh --quick --no-plot` there exactly as a new
# user would after the README's set-up (no build/ directory yet: run.sh makes its own release
# build), and check that it succeeds and that its last lines are the headline figures.
#
#   fresh-clone.sh SOURCE_ROOT [REV]
#
# REV (default HEAD) picks the commit to clone: `fresh-clone.sh ROOT 0eb3efb` shows the failure
# this test guards against (`cannot create build/rel.setup.log: Directory nonexistent`).
# A clone holds what is committed: uncommitted edits of the source tree are not tested.
# Skips (77) without git, outside a git checkout, or when DPDK's EAL cannot start here.
set -u
root=$1
rev=${2:-HEAD}
command -v git >/dev/null || { echo "SKIP: git is missing"; exit 77; }
git -C "$root" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "SKIP: $root is not a git checkout (nothing to clone)"; exit 77; }
tmp=$(mktemp -d /tmp/sw-bench-clone.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
git clone -q --no-hardlinks "$root" "$tmp/sigwall" || { echo "FAIL: git clone"; exit 1; }
git -C "$tmp/sigwall" checkout -q "$(git -C "$root" rev-parse "$rev")" ||
	{ echo "FAIL: checkout $rev"; exit 1; }
echo "cloned $root at $(git -C "$tmp/sigwall" rev-parse --short HEAD) into $tmp/sigwall"
[ -e "$tmp/sigwall/build" ] && { echo "FAIL: the clone has a build/ directory"; exit 1; }
[ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] ||
	echo "note: $root has uncommitted changes; the clone tests its last commit"

start=$(date +%s)
(cd "$tmp/sigwall" && nice bench/run.sh --quick --no-plot) >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
echo "bench/run.sh --quick on the fresh clone: exit $rc after $(($(date +%s) - start)) s"
if grep -q "EAL init failed" "$tmp/out"; then
	echo "SKIP: DPDK EAL cannot start on this machine"
	exit 77
fi
[ "$rc" -eq 0 ] || { echo "FAIL: bench/run.sh --quick exited $rc on a fresh clone"; exit 1; }

# The headline block is the last thing printed: after its title line, only goal lines (and the
# perf line: the counters per packet, or why they were not measured).
/usr/bin/python3 - "$tmp/out" <<'PY' || exit 1
import re, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.strip()]
try:
    i = max(k for k, l in enumerate(lines) if l.startswith("headline figures"))
except ValueError:
    sys.exit("FAIL: no 'headline figures' block")
tail = lines[i + 1:]
if not tail or any(not l.startswith(("goal ", "perf ")) for l in tail):
    sys.exit("FAIL: the headline block is not the last output: %r" % tail[-3:])
need = {
    "Mpps/core": r"^goal >= 10 Mpps/core \(realistic, 1000\+100k\): ([0-9.]+) Mpps/core",
    "forward-only": r"^goal >= 60% of forward-only: ([0-9.]+)%",
    "NIC-realistic ratio": r"^goal >= 60% of forward-only, NIC-realistic: full path [0-9.]+ Mpps/core = ([0-9.]+)%",
    "p99": r"^goal p99 <= 10 us: ([0-9]+) ns",
    "perf": r"^perf per packet",
    "scaling": r"^goal linear scaling: ",
    "reloads": r"^goal reloads every 100 ms with zero loss \(realistic\): ([0-9]+) reloads, 0 failed",
}
for what, rx in need.items():
    m = [re.match(rx, l) for l in tail]
    m = [x for x in m if x]
    if not m:
        sys.exit("FAIL: headline lacks %s (%s)" % (what, rx))
    if m[0].groups() and float(m[0].group(1)) <= 0:
        sys.exit("FAIL: headline %s is zero: %s" % (what, m[0].group(0)))
print("ok: bench/run.sh --quick ends with %d headline lines" % len(tail))
PY
git -C "$tmp/sigwall" status --porcelain --untracked-files=all bench/results |
	grep -q '^?? bench/results/run-.*\.tsv$' ||
	{ echo "FAIL: no results TSV written in the clone's bench/results"; exit 1; }
echo "ok"
