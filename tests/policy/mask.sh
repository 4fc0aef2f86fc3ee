#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Issue 20 D2: test_mask over the generated corpora (sigwall-gen mixes: realistic roaming,
# attacks, CAP, ANSI, M2PA, stateful), the fuzz corpus of the packet decoder and the real captures
# in ../shared/captures when there.
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
# Real captures (never committed; ../shared/captures beside the repository) when present.
caps=
if [ -d "$src/../shared/captures" ]; then
	caps=$(find "$src/../shared/captures" -name '*.pcap' -size +24c | sort)
fi
if [ -z "$caps" ]; then
	echo "mask.sh: no captures in $src/../shared/captures: judged without them"
fi
rc=0
# shellcheck disable=SC2086
"$tm" "$src" "$@" "$dir"/mix*.pcap "$src/tests/fuzz/corpus/packet" $caps || rc=$?
exit $rc
