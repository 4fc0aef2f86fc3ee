#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Issue 20 D2: test_mask over the generated corpora (sigwall-gen mixes: realistic roaming,
# attacks, CAP, ANSI, M2PA, stateful) and the fuzz corpus of the packet decoder.
#   mask.sh TEST_MASK SIGWALL_GEN SRCDIR [--selfcheck]
set -eu
[ $# -ge 3 ] || { echo "usage: mask.sh TEST_MASK SIGWALL_GEN SRCDIR [--selfcheck]" >&2; exit 2; }
tm=$1 gen=$2 src=$3
shift 3
dir=$(mktemp -d /tmp/sw-test-mask-gen.XXXXXX)
trap 'rm -rf "$dir"' EXIT
site=$src/patterns/site.example.conf
n=0
for p in "roaming" "attacks" "roaming --cap 0.2 --sccp-extra 0.05" "roaming --ansi" \
	"roaming --m2pa" "stateful"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$gen" --profile $p --site "$site" --msus 3000 --seed $n --bundle-max 3 \
		-o "$dir/mix$n.pcap" >/dev/null
done
rc=0
"$tm" "$src" "$@" "$dir"/mix*.pcap "$src/tests/fuzz/corpus/packet" || rc=$?
exit $rc
