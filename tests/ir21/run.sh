#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sigwallctl site import-ir21 (issue 18 D3) over synthetic IR.21 exports of our own:
#   1. two good files: exit 0, stdout byte-identical to expected-partners.conf (ranges to
#      prefixes, covered prefixes dropped, E.212 from both schema layouts, alpha-3 to alpha-2,
#      two Networks of one TADIG merged), each skipped entry reported with its reason;
#   2. bad files (not XML, not IR.21, no NetworkList, missing): each skipped with its reason,
#      exit 2, the good file's partners still printed;
#   3. the output included in a site file passes `sigwallctl check` with the shipped rules;
#   4. every truncation of a good file: exit 0 or 2 with a reason, never a crash (ASan build too).
#   run.sh SIGWALLCTL SOURCE_ROOT
set -uo pipefail
ctl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2
cd "$src" || exit 1
tmp=$(mktemp -d /tmp/sw-ir21.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }
has() { grep -qF -- "$2" "$1" || no "$3: expected in $(basename "$1"): $2"; }

if "$ctl" site --help 2>&1 | grep -q "not built into this binary"; then
	echo "SKIP: sigwallctl was built without libxml2 (apt-get install libxml2-dev)"; exit 77
fi
d=tests/ir21
"$ctl" site import-ir21 $d/ir21-deu.xml $d/ir21-ken.xml >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] || no "good files: exit $rc, expected 0"
cmp -s "$tmp/out" $d/expected-partners.conf ||
	{ no "good files: output differs from expected-partners.conf"; diff -u $d/expected-partners.conf "$tmp/out"; }
has "$tmp/err" 'skipped DEUXA PLMN MCC "262" MNC "1": MCC must be 3 digits, MNC 2-3' reasons
has "$tmp/err" 'SN range "900000"-"800000": not two digit strings of one length, start <= stop' reasons
has "$tmp/err" 'skipped a network ("Example test network"): TADIGCode "" missing' reasons
has "$tmp/err" 'DEUXA appears again: ranges merged into one partner' reasons
has "$tmp/err" 'import-ir21: 3 partners (3 PLMNs, 10 GT prefixes, 5 MSISDN prefixes) from 2 files; 3 skipped, 0 files unreadable or not IR.21' summary

"$ctl" site import-ir21 $d/ir21-deu.xml $d/not-xml.xml $d/not-ir21.xml $d/ir21-nonetworks.xml \
	$d/absent.xml >"$tmp/out2" 2>"$tmp/err2"
rc=$?
[ $rc = 2 ] || no "bad files: exit $rc, expected 2"
has "$tmp/out2" '{ name = "DEUXA"; country = "DE"; plmn = [ "26299" ];' "bad files: good partners still printed"
has "$tmp/err2" "$d/not-xml.xml: skipped the file: not XML (line 1:" bad
has "$tmp/err2" "$d/not-ir21.xml: skipped the file: root element <roamingPartners>, not an IR.21 RAEX export" bad
has "$tmp/err2" "$d/ir21-nonetworks.xml: skipped the file: no OrganisationInfo/NetworkList" bad
has "$tmp/err2" "$d/absent.xml: skipped the file: cannot read it: No such file or directory" bad
"$ctl" site import-ir21 >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || no "no file: exit $rc, expected 2"

# 3. into a site file (@include beside it, from another working directory): the shipped policy
#    compiles with the imported partners
cp "$tmp/out" "$tmp/partners.conf"
sed -n '/^site = {/,/^\tpartners = (/p' patterns/site.example.conf | sed '$d' >"$tmp/site.conf"
printf '\t@include "partners.conf"\n};\n' >>"$tmp/site.conf"
"$ctl" check patterns/default.conf "$tmp/site.conf" >"$tmp/check" 2>&1 ||
	{ no "sigwallctl check with the imported partners failed"; cat "$tmp/check"; }
has "$tmp/check" "3 partners" "check summary"

# 4. truncations: a reason and exit 0/2, never a crash or a sanitizer report
size=$(wc -c <$d/ir21-deu.xml)
for ((n = 0; n < size; n += 97)); do
	head -c $n $d/ir21-deu.xml >"$tmp/cut.xml"
	"$ctl" site import-ir21 "$tmp/cut.xml" >/dev/null 2>"$tmp/cuterr"
	rc=$?
	if [ $rc != 0 ] && [ $rc != 2 ]; then
		no "truncated at $n bytes: exit $rc"; cat "$tmp/cuterr"; break
	fi
done
[ $fail = 0 ] && echo "ir21: all checks passed"
exit $fail
