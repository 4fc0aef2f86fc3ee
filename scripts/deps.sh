#!/usr/bin/env bash
# Installs the Debian packages sigwall builds, tests and benchmarks with.
# Idempotent: only what is missing is installed; nothing is fetched when all are present.
set -euo pipefail

pkgs=(
	build-essential pkg-config meson ninja-build clang llvm
	libdpdk-dev libhyperscan-dev libusrsctp-dev libconfig-dev libxml2-dev libpcap-dev libcmocka-dev libpcre2-dev
	tshark python3-scapy gnuplot-nox iproute2 valgrind git debhelper debootstrap
	redis-server libhiredis-dev
)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
