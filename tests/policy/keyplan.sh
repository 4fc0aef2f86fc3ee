#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Issue 20 D3: test_keyplan over the generated corpora (sigwall-gen mixes: realistic roaming,
# attacks, CAP, ANSI, M2PA, stateful), the fuzz corpus of the packet decoder and, when present,
# the public captures in ../shared/captures.
#   keyplan.sh TEST_KEYPLAN SIGWALL_GEN SRCDIR [--selfcheck]
set -eu
[ $# -ge 3 ] || { echo "usage: keyplan.sh TEST_KEYPLAN SIGWALL_GEN SRCDIR [--selfcheck]" >&2; exit 2; }
tk=$1 gen=$2 src=$3
shift 3
dir=$(mktemp -d /tmp/sw-test-keyplan-gen.XXXXXX)
trap 'rm -rf "$dir"' EXIT
site=$src/patterns/site.example.conf
n=0
for p in "roaming" "attacks" "roaming --cap 0.2 --sccp-extra 0.05" "roaming --ansi" \
	"roaming --m2pa" "stateful" "roaming --bundle-max 1"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$gen" --profile $p --site "$site" --msus 3000 --seed $((n + 40)) --bundle-max 3 \
		-o "$dir/mix$n.pcap" >/dev/null
done
caps=
if [ -d "$src/../shared/captures" ]; then
	caps=$(find "$src/../shared/captures" -name '*.pcap' | sort)
else
	echo "keyplan.sh: ../shared/captures absent: the public captures are skipped"
fi
rc=0
# shellcheck disable=SC2086
"$tk" "$src" "$@" "$dir"/mix*.pcap "$src/tests/fuzz/corpus/packet" $caps || rc=$?
exit $rc
