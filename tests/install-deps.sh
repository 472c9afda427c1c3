#!/usr/bin/env bash
# install-deps.sh - install the Debian packages smtp-probe needs to build,
# test and demo, if any is missing. Needs root (apt-get) only when
# something is missing; prints what it installs.
set -euo pipefail

packages=(
	build-essential pkg-config
	libgnutls28-dev libjansson-dev libc-ares-dev gnutls-bin openssl
	postfix sasl2-bin libsasl2-modules
	bats bats-assert bats-support jq python3 python3-jsonschema
	clang libclang-rt-14-dev valgrind clang-format
	iproute2 man-db time
	debhelper dpkg-dev lintian bash-completion
	prometheus prometheus-node-exporter libmonitoring-plugin-perl curl
	unbound dnsutils parallel
	knot knot-dnsutils libcurl4-gnutls-dev nginx-light faketime
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
